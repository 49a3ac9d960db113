// Plans that follow the uploaded configuration: counts, JSON plan, logs (structured and human) and the
// state an apply writes come from the .tf files against the workspace's state; scripts still override;
// an archive without .tf files keeps the simulated default; capability URLs behind a proxy.
#include "support/api_fixture.hpp"
#include "support/catch.hpp"
#include "support/tarball.hpp"

#include <string>

using tfe_test::api_fixture;

namespace {

const std::string main_tf = R"(terraform {
  cloud {
    organization = "acme"
    workspaces { name = "prod" }
  }
}

resource "terraform_data" "a" {
  input = "hello"
}

resource "terraform_data" "b" {
  input = { size = 3 }
}

output "greeting" {
  value = "hi"
}

output "ref" {
  value = terraform_data.a.output
}

output "later" {
  value = "${terraform_data.a.id}-x"
}
)";

// Uploads `files` as a new configuration version of the fixture workspace; returns its id.
std::string upload(api_fixture& f, const std::vector<std::pair<std::string, std::string>>& files,
                   const std::string& ws = "") {
  auto r = f.http.post("/api/v2/workspaces/" + (ws.empty() ? f.ws_id : ws) + "/configuration-versions",
                       R"({"data":{"type":"configuration-versions","attributes":{"auto-queue-runs":false}}})");
  REQUIRE(r.status == 201);
  auto j = api_fixture::body(r);
  REQUIRE(
      f.http.put_bytes(std::string(*j["data"]["attributes"]["upload-url"].as_string()), tfe_test::make_tar_gz(files))
          .status == 200);
  return std::string(*j["data"]["id"].as_string());
}

std::string attr(api_fixture& f, const std::string& path, const std::string& name) {
  auto r = f.http.get(path);
  REQUIRE(r.status == 200);
  const tfe::json doc = api_fixture::body(r);
  const tfe::json& v = doc["data"]["attributes"][name];
  return v.is_string() ? std::string(*v.as_string()) : v.dump();
}

std::string attr_of_body(const std::string& body, const std::string& name) {
  auto j = tfe::json::parse(body);
  REQUIRE(j);
  return std::string((*j)["data"]["attributes"][name].as_string().value_or(""));
}

std::string log_of(api_fixture& f, const std::string& phase_path) {
  const std::string url = attr(f, phase_path, "log-read-url");
  INFO(phase_path << " -> " << url);
  REQUIRE(url.find("/v1/") != std::string::npos);
  auto r = f.http.get(url.substr(url.find("/v1/")));
  REQUIRE(r.status == 200);
  return r.body;
}

}  // namespace

TEST_CASE("a plan follows the configuration and the state; an apply writes what it planned",
          "[api][terraform-config]") {
  api_fixture f;
  upload(f, {{"main.tf", main_tf}, {"README.md", "not terraform"}});
  const std::string run = f.create_run();
  f.eng.run_until_idle();
  REQUIRE(f.run_status(run) == "planned");
  const std::string plan = "/api/v2/runs/" + run + "/plan";
  CHECK(attr(f, plan, "resource-additions") == "2");
  CHECK(attr(f, plan, "resource-destructions") == "0");

  // the JSON plan: two creations, the outputs, and the schema the CLI needs to draw them
  auto jp = f.http.get("/api/v2/runs/" + run + "/plan/json-output-redacted");
  REQUIRE(jp.status == 200);
  auto doc = tfe::json::parse(jp.body);
  REQUIRE(doc);
  const auto& changes = (*doc)["resource_changes"];
  REQUIRE(changes.size() == 2);
  CHECK(*changes[0]["address"].as_string() == "terraform_data.a");
  CHECK(*changes[0]["change"]["actions"][0].as_string() == "create");
  CHECK(*changes[0]["change"]["after"]["input"].as_string() == "hello");
  CHECK(*changes[1]["change"]["after"]["input"]["size"].as_int() == 3);
  CHECK((*doc)["provider_schemas"]["terraform.io/builtin/terraform"]["resource_schemas"]["terraform_data"]["block"]
              ["attributes"]
                  .contains("input"));
  CHECK(*(*doc)["output_changes"]["greeting"]["after"].as_string() == "hi");
  CHECK(*(*doc)["output_changes"]["ref"]["after"].as_string() == "hello");  // terraform_data's output is its input
  CHECK(*(*doc)["output_changes"]["later"]["after_unknown"].as_bool());
  CHECK(*(*doc)["plan_format_version"].as_string() == "1.2");

  // structured run output (the workspace default): the banner, then Terraform's JSON lines
  const std::string plan_log = log_of(f, plan);
  CHECK(plan_log.find("Initializing plugins and modules...\n{\"@level\":\"info\"") != std::string::npos);
  CHECK(plan_log.find(R"("type":"planned_change")") != std::string::npos);
  CHECK(plan_log.find(R"("@message":"Plan: 2 to add, 0 to change, 0 to destroy.")") != std::string::npos);

  REQUIRE(f.http.post("/api/v2/runs/" + run + "/actions/apply", "{}").status == 202);
  f.eng.run_until_idle();
  REQUIRE(f.run_status(run) == "applied");
  const std::string apply_log = log_of(f, "/api/v2/runs/" + run + "/apply");
  CHECK(apply_log.find(R"("@message":"terraform_data.a: Creating...")") != std::string::npos);
  CHECK(apply_log.find(R"("type":"outputs")") != std::string::npos);

  auto sv = f.http.get("/api/v2/workspaces/" + f.ws_id + "/current-state-version?include=outputs");
  REQUIRE(sv.status == 200);
  auto svj = api_fixture::body(sv);
  CHECK(*svj["data"]["attributes"]["serial"].as_int() == 1);
  const auto& resources = svj["data"]["attributes"]["resources"];
  REQUIRE(resources.size() == 2);
  CHECK(*resources[0]["type"].as_string() == "terraform_data");
  CHECK(*resources[0]["name"].as_string() == "a");
  auto outs = api_fixture::body(f.http.get("/api/v2/workspaces/" + f.ws_id + "/current-state-version-outputs"));
  INFO(outs.dump());
  REQUIRE(outs["data"].size() == 3);
  CHECK(*outs["data"][0]["attributes"]["name"].as_string() == "greeting");
  CHECK(*outs["data"][0]["attributes"]["value"].as_string() == "hi");

  // the same configuration again: nothing to do
  const std::string again = f.create_run();
  f.eng.run_until_idle();
  CHECK(f.run_status(again) == "planned_and_finished");
  CHECK(attr(f, "/api/v2/runs/" + again + "/plan", "resource-additions") == "0");

  // one resource less: one destruction
  std::string smaller = main_tf;
  smaller.erase(smaller.find("resource \"terraform_data\" \"b\""),
                std::string("resource \"terraform_data\" \"b\" {\n  input = { size = 3 }\n}\n").size());
  upload(f, {{"main.tf", smaller}});
  const std::string shrink = f.create_run();
  f.eng.run_until_idle();
  CHECK(attr(f, "/api/v2/runs/" + shrink + "/plan", "resource-destructions") == "1");
  CHECK(attr(f, "/api/v2/runs/" + shrink + "/plan", "resource-additions") == "0");
  REQUIRE(f.http.post("/api/v2/runs/" + shrink + "/actions/apply", "{}").status == 202);
  f.eng.run_until_idle();

  // destroy: everything the state holds goes
  auto ws = f.http.patch("/api/v2/workspaces/" + f.ws_id,
                         R"({"data":{"type":"workspaces","attributes":{"allow-destroy-plan":true}}})");
  REQUIRE(ws.status == 200);
  const std::string destroy = f.create_run(R"("is-destroy":true)");
  f.eng.run_until_idle();
  CHECK(attr(f, "/api/v2/runs/" + destroy + "/plan", "resource-destructions") == "1");
  REQUIRE(f.http.post("/api/v2/runs/" + destroy + "/actions/apply", "{}").status == 202);
  f.eng.run_until_idle();
  auto last = api_fixture::body(f.http.get("/api/v2/workspaces/" + f.ws_id + "/current-state-version"));
  CHECK(last["data"]["attributes"]["resources"].size() == 0);
  CHECK(*last["data"]["attributes"]["serial"].as_int() == 3);
}

TEST_CASE("human logs without structured run output; notes for what the scanner skips", "[api][terraform-config]") {
  api_fixture f;
  REQUIRE(f.http
              .patch("/api/v2/workspaces/" + f.ws_id,
                     R"({"data":{"type":"workspaces","attributes":{"structured-run-output-enabled":false}}})")
              .status == 200);
  upload(f, {{"main.tf", R"(resource "terraform_data" "web" {
  count = 3
}
module "net" {
  source = "./net"
}
output "n" { value = 3 }
)"}});
  const std::string run = f.create_run();
  f.eng.run_until_idle();
  const std::string plan = "/api/v2/runs/" + run + "/plan";
  CHECK(attr(f, plan, "resource-additions") == "3");
  const std::string log = log_of(f, plan);
  CHECK(log.find("# terraform_data.web[2] will be created") != std::string::npos);
  CHECK(log.find("Plan: 3 to add, 0 to change, 0 to destroy.") != std::string::npos);
  CHECK(log.find("Warning: tfe did not read part of the configuration") != std::string::npos);
  CHECK(log.find("{\"@level\"") == std::string::npos);
  REQUIRE(f.http.post("/api/v2/runs/" + run + "/actions/apply", "{}").status == 202);
  f.eng.run_until_idle();
  const std::string apply_log = log_of(f, "/api/v2/runs/" + run + "/apply");
  CHECK(apply_log.find("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.") != std::string::npos);
  INFO(apply_log);
  CHECK(apply_log.find("n = 3") != std::string::npos);
  auto sv = api_fixture::body(f.http.get("/api/v2/workspaces/" + f.ws_id + "/current-state-version"));
  CHECK(*sv["data"]["attributes"]["resources"][0]["count"].as_int() == 3);
}

TEST_CASE("scripts override the configuration; archives without .tf files keep the simulated default",
          "[api][terraform-config]") {
  api_fixture f;
  upload(f, {{"main.tf", main_tf}});
  tfe::run_script s;
  s.plan.counts = tfe::resource_counts{0, 5, 0, 0};
  f.eng.executor().script_next(s);
  const std::string scripted = f.create_run();
  f.eng.run_until_idle();
  CHECK(attr(f, "/api/v2/runs/" + scripted + "/plan", "resource-changes") == "5");
  auto jp = tfe::json::parse(f.http.get("/api/v2/runs/" + scripted + "/plan/json-output").body);
  REQUIRE(jp);
  CHECK((*jp)["resource_changes"].size() == 5);  // consistent with the counts the script set

  REQUIRE(f.http.post("/api/v2/runs/" + scripted + "/actions/discard", "{}").status == 202);
  f.eng.run_until_idle();
  upload(f, {{"notes.txt", "no terraform here"}});
  const std::string plain = f.create_run();
  f.eng.run_until_idle();
  CHECK(attr(f, "/api/v2/runs/" + plain + "/plan", "resource-additions") == "1");
}

TEST_CASE("capability URLs follow --base-url, else X-Forwarded-Proto and -Host", "[api][terraform-config]") {
  api_fixture f;
  tfe::http_request req;
  req.method = "POST";
  req.target = "/api/v2/workspaces/" + f.ws_id + "/configuration-versions";
  req.headers = {{"Host", "127.0.0.1:9"},
                 {"X-Forwarded-Proto", "https"},
                 {"X-Forwarded-Host", "tfe.example.com"},
                 {"Content-Type", "application/vnd.api+json"}};
  req.body = "{}";
  auto r = f.api.handle(req);
  REQUIRE(r.status == 201);
  CHECK(attr_of_body(r.body, "upload-url").rfind("https://tfe.example.com/v1/object/upload/", 0) == 0);
  req.headers[2] = {"X-Forwarded-Host", "bad host/"};  // not a host name: the Host header's
  r = f.api.handle(req);
  CHECK(attr_of_body(r.body, "upload-url").rfind("https://127.0.0.1:9/", 0) == 0);

  tfe_test::api_engine eng;
  auto o = api_fixture::options(tfe::token_auth::any());
  o.base_url = "https://fixed.example";
  tfe_test::api_handler api(eng, o);
  tfe::in_process_transport<tfe_test::api_handler> http(api);
  REQUIRE(http.post("/api/v2/organizations", R"({"data":{"attributes":{"name":"o","email":"a@b.c"}}})").status == 201);
  auto ws = http.post("/api/v2/organizations/o/workspaces", R"({"data":{"attributes":{"name":"w"}}})");
  REQUIRE(ws.status == 201);
  auto cv = http.post("/api/v2/workspaces/" + api_fixture::id_of(ws) + "/configuration-versions", "{}");
  REQUIRE(cv.status == 201);
  CHECK(attr_of_body(cv.body, "upload-url").rfind("https://fixed.example/v1/object/upload/", 0) == 0);
}
