// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Fuzz target: whole requests against a live engine through the admin API and the JSON:API handler.
// Input: requests separated by a NUL byte, each "METHOD TARGET\nBODY". After every request:
// - the answer is a valid status; an error answer is a JSON:API error document naming that status;
// - the engine's invariants hold: a workspace's active run exists, belongs to it, is unfinished and not
//   speculative; its queue holds pending runs of its own; at most one unfinished non-speculative run is
//   outside the queue; plan and apply statuses agree with the run status;
// - a deleted organization or workspace is gone (unless a fault rule answered the DELETE or the GET
//   after it: a rule may answer any status, 2xx included, without serving the request).
#include <tfe/tfe.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace {

using engine_t = tfe::basic_engine<tfe::test_policies>;
using api_t = tfe::basic_test_controls<tfe::basic_api<engine_t>>;
using admin_t = tfe::basic_admin_api<api_t>;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_api_handle: %s\n%s\n", what, detail.c_str());
  std::abort();
}

tfe::http_request request(std::string method, std::string target, std::string body) {
  tfe::http_request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = {{"Host", "tfe.local"}, {"Authorization", "Bearer t"}, {"Content-Type", "application/vnd.api+json"}};
  r.body = std::move(body);
  return r;
}

// The known state every input starts from: organization acme, workspace prod (ws-0000000000000002),
// an uploaded configuration version and a run waiting at cost_estimated.
void setup(admin_t& h) {
  h.handle(request("POST", "/api/v2/organizations",
                   R"({"data":{"type":"organizations","attributes":{"name":"acme","email":"a@b.test"}}})"));
  h.handle(request("POST", "/api/v2/organizations/acme/workspaces",
                   R"({"data":{"type":"workspaces","attributes":{"name":"prod"}}})"));
  auto cv = h.handle(request("POST", "/api/v2/workspaces/ws-0000000000000002/configuration-versions",
                             R"({"data":{"type":"configuration-versions"}})"));
  auto doc = tfe::json::parse(cv.body);
  if (!doc) fail("setup", cv.body);
  const std::string url(doc->operator[]("data")["attributes"]["upload-url"].as_string().value_or(""));
  const auto at = url.find("/v1/");
  if (at == std::string::npos) fail("setup: no upload URL", cv.body);
  tfe::http_request up = request("PUT", url.substr(at), std::string("\x1f\x8b tar", 6));
  h.handle(up);
}

// Changes whenever a fault rule fires: one that fires counts up, one that retires disappears.
std::pair<std::size_t, std::uint64_t> fault_mark(api_t& api) {
  std::pair<std::size_t, std::uint64_t> m{0, 0};
  for (const auto& r : api.faults().rules()) {
    ++m.first;
    m.second += r.fired;
  }
  return m;
}

void check_response(const tfe::http_request& req, const tfe::http_response& res) {
  if (res.status < 100 || res.status > 599) fail("bad status", std::to_string(res.status));
  if (res.status >= 400 && !res.body.empty()) {
    auto doc = tfe::json::parse(res.body);
    if (!doc) fail("error answer is not JSON", req.method + " " + req.target + "\n" + res.body);
    const auto st = (*doc)["errors"][0]["status"].as_string();
    if (!st || *st != std::to_string(res.status))
      fail("error document does not name the status", req.method + " " + req.target + "\n" + res.body);
  }
}

void check_invariants(engine_t& eng, const std::string& context) {
  const tfe::json s = eng.snapshot();
  std::set<std::string> orgs;
  for (const auto& o : *s["organizations"].as_array()) orgs.insert(std::string(*o["name"].as_string()));
  for (const auto& w : *s["workspaces"].as_array())
    if (!orgs.count(std::string(*w["organization"].as_string()))) fail("workspace of a missing organization", context);
  for (const auto& w : *s["workspaces"].as_array()) {
    const std::string ws(*w["id"].as_string());
    const std::string active(*w["active-run"].as_string());
    std::set<std::string> queued;
    for (const auto& q : *w["queue"].as_array()) queued.insert(std::string(*q.as_string()));
    int outside = 0;
    bool active_seen = active.empty();
    for (const auto& r : *s["runs"].as_array()) {
      if (r["workspace"].as_string() != std::optional<std::string_view>(ws)) continue;
      tfe::run run;
      if (!tfe::decode_entity(r, run)) fail("snapshot run does not decode", context);
      const bool final = tfe::is_final(run.status);
      if (run.id.str() == active) {
        active_seen = true;
        if (final || run.plan_only) fail("active run finished or speculative", context + " " + active);
      }
      if (queued.count(run.id.str()) && run.status != tfe::run_status::pending)
        fail("queued run not pending", context + " " + run.id.str());
      if (!final && !run.plan_only && !queued.count(run.id.str())) ++outside;
      const auto ps = run.plan_status(), as = run.apply_status();
      if ((ps == tfe::phase_status::running) != (run.status == tfe::run_status::planning))
        fail("plan status disagrees with the run status", context + " " + run.id.str());
      if ((as == tfe::phase_status::running) != (run.status == tfe::run_status::applying))
        fail("apply status disagrees with the run status", context + " " + run.id.str());
      if (run.status == tfe::run_status::applied && as != tfe::phase_status::finished)
        fail("applied run without a finished apply", context + " " + run.id.str());
    }
    if (!active_seen) fail("active run missing", context + " " + active);
    if (outside > 1) fail("two unfinished runs hold one workspace", context + " " + ws);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  engine_t eng;
  tfe::api_options o;
  o.url_key_seed = 1;
  api_t api(eng, o);
  api.journal().set_capacity(16);
  admin_t admin(api);
  setup(admin);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  int count = 0;
  while (!in.empty() && count++ < 64) {
    const std::size_t end = in.find('\0');
    std::string_view one = in.substr(0, end);
    in = end == std::string_view::npos ? std::string_view{} : in.substr(end + 1);
    const std::size_t nl = one.find('\n');
    const std::string_view line = one.substr(0, nl);
    const std::string body(nl == std::string_view::npos ? std::string_view{} : one.substr(nl + 1));
    const std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    tfe::http_request req = request(std::string(line.substr(0, sp)), std::string(line.substr(sp + 1)), body);
    const auto mark = fault_mark(api);
    const tfe::http_response res = admin.handle(req);
    check_response(req, res);
    const std::string context = req.method + " " + req.target;
    check_invariants(eng, context);
    if (req.method == "DELETE" && res.status < 300) {  // what was deleted is gone
      const tfe::http_response again = admin.handle(request("GET", req.target, {}));
      if (again.status != 404 && fault_mark(api) == mark && req.target.rfind("/api/v2/", 0) == 0 &&
          req.target.find("/_tfe") == std::string::npos)
        fail("deleted resource still answers", context + " -> " + std::to_string(again.status));
    }
  }
  return 0;
}
