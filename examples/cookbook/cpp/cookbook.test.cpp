// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The C++ recipes of docs/testing.md, run as ctest tests (example_cookbook_cpp).
#include <tfe/tfe.hpp>

#if defined(TFE_CATCH2_V3)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif

#include <chrono>
#include <string>

// A deterministic fake: manual clock, sequential ids; the API in front of it keeps a journal.
using engine_t = tfe::basic_engine<tfe::test_policies>;
using api_t = tfe::basic_test_controls<tfe::basic_api<engine_t>>;  // the API with faults and a journal

struct fake {
  engine_t eng;
  api_t api{eng};
  tfe::in_process_transport<api_t> http{api};
  tfe::resource_id ws;

  fake() {
    api.journal().set_capacity(1000);
    tfe::organization_options org;
    org.name = "acme";
    org.email = "ops@acme.test";
    REQUIRE(eng.create_organization(org));
    tfe::workspace_options w;
    w.name = "prod";
    ws = eng.create_workspace("acme", w)->id;
  }
  // Uploads a configuration: the upload queues a run, as in TFE's API-driven workflow.
  tfe::run upload() {
    auto cv = eng.create_configuration_version(ws.str());
    REQUIRE(cv);
    REQUIRE(eng.upload_configuration(cv->upload_token, std::string("\x1f\x8b tarball", 10)));
    return eng.list_runs(ws.str())->items.front();
  }
};

TEST_CASE("recipe: wait for a run to be applied", "[cookbook]") {
  fake f;
  f.eng.executor().plan_duration = std::chrono::minutes(2);  // plans take time in this test
  tfe::run r = f.upload();
  CHECK(r.status == tfe::run_status::planning);
  f.eng.run_until_idle();  // moves the manual clock to each due step: the plan finishes
  REQUIRE(f.eng.apply_run(r.id.str(), "ship it"));
  f.eng.run_until_idle();
  CHECK(f.eng.read_run(r.id.str())->status == tfe::run_status::applied);

  // Or in one call, along legal transitions (the apply is confirmed on the run's behalf):
  tfe::run next = f.upload();
  auto done = f.eng.advance_to(next.id.str(), tfe::run_status::applied);
  REQUIRE(done);
  CHECK(done->status == tfe::run_status::applied);
}

TEST_CASE("recipe: test a client's retry on 429", "[cookbook]") {
  fake f;
  tfe::run r = f.upload();
  tfe::fault_rule limit;  // the next three reads of a run are rate limited
  limit.method = "GET";
  limit.path = "/api/v2/runs/*";
  limit.status = 429;
  limit.retry_after = 0.05;  // X-RateLimit-Reset: 0.050
  limit.count = 3;
  f.api.faults().add(limit);

  tfe::http_response res;
  int attempts = 0;
  do {  // the client under test would retry like this
    res = f.http.get("/api/v2/runs/" + r.id.str());
    ++attempts;
  } while (res.status == 429 && attempts < 10);
  CHECK(res.status == 200);
  CHECK(attempts == 4);
  CHECK(f.api.journal().count("GET /api/v2/runs/:id") == 4);
}

TEST_CASE("recipe: test handling of an errored plan", "[cookbook]") {
  fake f;
  tfe::run_script script;
  script.plan.errored = true;
  script.plan.error_message = "Error: Invalid reference";
  f.eng.executor().script_workspace(f.ws, script);  // every later run of the workspace

  tfe::run r = f.upload();
  CHECK(f.eng.read_run(r.id.str())->status == tfe::run_status::errored);
  CHECK(f.eng.plan_log(r.id.str())->text.find("Error: Invalid reference") != std::string::npos);
  f.eng.executor().clear_scripts();
}

TEST_CASE("recipe: assert what requests a client made", "[cookbook]") {
  fake f;
  tfe::run r = f.upload();
  // ... the client under test talks to f.http; here we play its part:
  f.http.post("/api/v2/runs/" + r.id.str() + "/actions/apply", R"({"comment":"approved by CI"})");

  const tfe::request_journal& journal = f.api.journal();
  CHECK(journal.count("POST /api/v2/runs/:id/actions/apply") == 1);
  auto apply = journal.last("POST /api/v2/runs/:id/actions/apply");
  REQUIRE(apply);
  CHECK(apply->status == 202);
  CHECK(apply->request_body == R"({"comment":"approved by CI"})");
  CHECK(journal.for_run(r.id.str()).size() == 1);  // everything sent about this run
}

TEST_CASE("recipe: start each test from a snapshot", "[cookbook]") {
  fake f;
  f.upload();
  const tfe::json saved = f.eng.snapshot();  // or tfe::json::parse(<a fixture file>)

  REQUIRE(f.eng.reset());  // empty
  CHECK(f.eng.list_organizations()->items.empty());
  REQUIRE(f.eng.restore(saved));  // back where we were
  CHECK(f.eng.snapshot() == saved);

  // A hand-written fixture names only what the test needs:
  auto fixture = tfe::json::parse(R"({
    "organizations": [{"name": "fixture-org", "email": "a@b.test"}],
    "workspaces": [{"id": "ws-fixture", "organization": "fixture-org", "name": "app"}]
  })");
  REQUIRE(f.eng.restore(*fixture));
  CHECK(f.eng.read_workspace_by_name("fixture-org", "app")->id.str() == "ws-fixture");
}
