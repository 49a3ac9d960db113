// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The API-driven run workflow (configuration version, upload, automatic run, apply with a comment,
// list, discard, promotion to a second workspace) through tfe's HTTP layer, in process: every step is
// a real JSON:API request handled by tfe::basic_api, printed with its status and key response fields.
#include <tfe/tfe.hpp>

#include <cstdio>
#include <string>

namespace {

using demo_engine = tfe::basic_engine<tfe::test_policies>;  // manual clock, sequential ids: same output every run
using demo_api = tfe::basic_api<demo_engine>;

struct client {
  tfe::in_process_transport<demo_api>& http;
  tfe::json last;

  // Sends a request, prints "METHOD target -> status", and keeps the parsed body.
  int send(const std::string& method, const std::string& target, const std::string& body = {}) {
    tfe::http_response r =
        target.rfind("http", 0) == 0 ? http.put_bytes(target, body) : http.request(method, target, body);
    std::printf("%-6s %s -> %d %s\n", method.c_str(), std::string(http.origin_form(target)).c_str(), r.status,
                std::string(tfe::reason_phrase(r.status)).c_str());
    auto parsed = tfe::json::parse(r.body);
    last = parsed ? *parsed : tfe::json();
    if (r.status >= 400) std::printf("       error: %s\n", r.body.c_str());
    return r.status;
  }
  std::string attr(const char* name) const {
    const auto& v = last["data"]["attributes"][name];
    if (auto s = v.as_string()) return std::string(*s);
    return v.dump();
  }
  std::string id() const { return std::string(last["data"]["id"].as_string().value_or("")); }
};

}  // namespace

int main() {
  demo_engine eng;
  eng.executor().plan_duration = tfe::milliseconds(2000);
  eng.executor().apply_duration = tfe::milliseconds(3000);
  tfe::api_options opts;
  opts.url_key_seed = 1;
  demo_api api(eng, opts);
  tfe::in_process_transport<demo_api> http(api);
  client c{http, {}};
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    if (!cond) {
      std::printf("UNEXPECTED: %s\n", what);
      ok = false;
    }
  };

  std::printf("== setup: an organization with two workspaces\n");
  check(
      c.send(
          "POST", "/api/v2/organizations",
          R"({"data":{"type":"organizations","attributes":{"name":"acme","email":"ops@acme.example","cost-estimation-enabled":false}}})") ==
          201,
      "organization created");
  c.send("POST", "/api/v2/organizations/acme/workspaces",
         R"({"data":{"type":"workspaces","attributes":{"name":"staging"}}})");
  const std::string staging = c.id();
  c.send("POST", "/api/v2/organizations/acme/workspaces",
         R"({"data":{"type":"workspaces","attributes":{"name":"production"}}})");
  const std::string production = c.id();
  std::printf("       staging=%s production=%s\n", staging.c_str(), production.c_str());

  std::printf("\n== 1. create a configuration version\n");
  c.send("POST", "/api/v2/workspaces/" + staging + "/configuration-versions",
         R"({"data":{"type":"configuration-versions"}})");
  const std::string cv = c.id();
  const std::string upload_url = c.attr("upload-url");
  std::printf("       id=%s status=%s upload-url=%s\n", cv.c_str(), c.attr("status").c_str(), upload_url.c_str());

  std::printf("\n== 2. upload the configuration (tar.gz, no token needed)\n");
  check(c.send("PUT", upload_url, std::string("\x1f\x8b\x08\x00main.tf", 11)) == 200, "upload accepted");

  std::printf("\n== 3. the run was queued automatically\n");
  c.send("GET", "/api/v2/workspaces/" + staging + "/runs");
  const std::string run1(c.last["data"][0]["id"].as_string().value_or(""));
  std::printf("       run=%s status=%s source=%s\n", run1.c_str(),
              std::string(c.last["data"][0]["attributes"]["status"].as_string().value_or("")).c_str(),
              std::string(c.last["data"][0]["attributes"]["source"].as_string().value_or("")).c_str());
  eng.clock().advance(tfe::milliseconds(2000));  // the plan takes 2 s on the manual clock
  c.send("GET", "/api/v2/runs/" + run1);
  std::printf("       after 2 s: status=%s has-changes=%s is-confirmable=%s\n", c.attr("status").c_str(),
              c.attr("has-changes").c_str(), c.last["data"]["attributes"]["actions"]["is-confirmable"].dump().c_str());
  check(c.attr("status") == "planned", "run planned");

  std::printf("\n== 4. apply with a comment\n");
  check(c.send("POST", "/api/v2/runs/" + run1 + "/actions/apply", R"({"comment":"Looks good to me"})") == 202,
        "apply accepted");
  eng.run_until_idle();
  c.send("GET", "/api/v2/runs/" + run1);
  std::printf(
      "       status=%s applied-at=%s\n", c.attr("status").c_str(),
      std::string(c.last["data"]["attributes"]["status-timestamps"]["applied-at"].as_string().value_or("")).c_str());
  check(c.attr("status") == "applied", "run applied");
  c.send("GET", "/api/v2/applies/apply-" + run1.substr(4));
  const std::string log_url = c.attr("log-read-url");
  auto log = http.get_url(log_url);
  auto pos = log.body.find("Apply complete!");
  std::printf("       log: %s",
              pos == std::string::npos ? "(none)\n" : log.body.substr(pos, log.body.find('\n', pos) - pos + 1).c_str());

  std::printf("\n== 5. create a run explicitly, then list runs\n");
  c.send(
      "POST", "/api/v2/runs",
      R"({"data":{"attributes":{"is-destroy":false},"type":"runs","relationships":{"workspace":{"data":{"type":"workspaces","id":")" +
          staging + R"("}},"configuration-version":{"data":{"type":"configuration-versions","id":")" + cv +
          R"("}}}}})");
  const std::string run2 = c.id();
  eng.run_until_idle();
  c.send("GET", "/api/v2/workspaces/" + staging + "/runs");
  for (std::size_t i = 0; i < c.last["data"].size(); ++i)
    std::printf("       %s %s\n", std::string(c.last["data"][i]["id"].as_string().value_or("")).c_str(),
                std::string(c.last["data"][i]["attributes"]["status"].as_string().value_or("")).c_str());
  std::printf("       total-count=%s\n", c.last["meta"]["pagination"]["total-count"].dump().c_str());

  std::printf("\n== 6. discard the planned run with a comment\n");
  check(c.send("POST", "/api/v2/runs/" + run2 + "/actions/discard", R"({"comment":"This run was discarded"})") == 202,
        "discard accepted");
  c.send("GET", "/api/v2/runs/" + run2);
  std::printf("       status=%s\n", c.attr("status").c_str());
  check(c.attr("status") == "discarded", "run discarded");

  std::printf("\n== 7. promote the staging configuration version to production\n");
  c.send(
      "POST", "/api/v2/runs",
      R"({"data":{"type":"runs","attributes":{"message":"Promote staging"},"relationships":{"workspace":{"data":{"type":"workspaces","id":")" +
          production + R"("}},"configuration-version":{"data":{"type":"configuration-versions","id":")" + cv +
          R"("}}}}})");
  const std::string run3 = c.id();
  eng.run_until_idle();
  c.send("POST", "/api/v2/runs/" + run3 + "/actions/apply", "{}");
  eng.run_until_idle();
  c.send("GET", "/api/v2/runs/" + run3);
  std::printf(
      "       run=%s workspace=%s configuration-version=%s status=%s\n", run3.c_str(),
      std::string(c.last["data"]["relationships"]["workspace"]["data"]["id"].as_string().value_or("")).c_str(),
      std::string(c.last["data"]["relationships"]["configuration-version"]["data"]["id"].as_string().value_or(""))
          .c_str(),
      c.attr("status").c_str());
  check(c.attr("status") == "applied", "promoted run applied");

  std::printf("\n== a refused action is a 409 and changes nothing\n");
  c.send("POST", "/api/v2/runs/" + run2 + "/actions/apply", "{}");
  std::printf("%s\n", ok ? "\nworkflow complete" : "\nworkflow FAILED");
  return ok ? 0 : 1;
}
