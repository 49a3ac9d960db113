// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Tests of the sample integration (deployer.hpp) against tfe in-process: the way a team would test
// its own TFE tooling with tfe as the fake. No sockets, no sleeps: `sleep` moves a manual clock.
#include "deployer.hpp"

#include <tfe/tfe.hpp>

#if defined(TFE_CATCH2_V3)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif

#include <chrono>
#include <string>
#include <vector>

namespace {

using engine_t = tfe::basic_engine<tfe::test_policies>;            // manual clock, sequential ids
using api_t = tfe::basic_test_controls<tfe::basic_api<engine_t>>;  // the API with faults and a journal

// tfe in-process with an organization, a workspace and an uploaded configuration.
struct fake_tfe {
  engine_t eng;
  api_t api{eng};
  tfe::in_process_transport<api_t> http{api};
  std::string ws;
  std::vector<std::chrono::milliseconds> slept;  // every wait the deployer asked for

  fake_tfe() {
    api.journal().set_capacity(1000);                         // keep every request, to assert on them
    eng.executor().plan_duration = std::chrono::seconds(30);  // a plan takes half a minute...
    eng.executor().apply_duration = std::chrono::seconds(60);
    http.post("/api/v2/organizations",
              R"({"data":{"type":"organizations","attributes":{"name":"acme","email":"ops@acme.test"}}})");
    auto w = http.post("/api/v2/organizations/acme/workspaces",
                       R"({"data":{"type":"workspaces","attributes":{"name":"prod"}}})");
    ws = std::string(*tfe::json::parse(w.body)->operator[]("data")["id"].as_string());
    tfe::configuration_version_options co;
    co.auto_queue_runs = false;
    auto cv = eng.create_configuration_version(ws, co);
    REQUIRE(cv);
    REQUIRE(eng.upload_configuration(cv->upload_token, std::string("\x1f\x8b tarball", 10)));
  }

  // The deployer wired to this fake: requests go in-process, waits move the manual clock.
  deploy::deployer make(deploy::deployer::options o = {}) {
    return deploy::deployer([this](const tfe::http_request& r) { return http.send(r); },
                            [this](std::chrono::milliseconds d) {
                              slept.push_back(d);
                              eng.clock().advance(d);  // ...and passes in no time at all
                            },
                            o);
  }
};

const auto approve_all = [](const deploy::plan_summary&) { return true; };

}  // namespace

TEST_CASE("deploy applies an approved plan", "[example][deployer]") {
  fake_tfe tfe;
  deploy::plan_summary seen;
  auto out = tfe.make().deploy(tfe.ws, "release 1.2", [&](const deploy::plan_summary& p) {
    seen = p;
    return true;
  });
  INFO(out.error);
  CHECK(out.ok());
  CHECK(out.status == "applied");
  CHECK(seen.additions == 1);
  // What it sent: one create, one apply with its comment, status reads in between.
  auto& j = tfe.api.journal();
  CHECK(j.count("POST /api/v2/runs") == 1);
  auto apply = j.last("POST /api/v2/runs/:id/actions/apply");
  REQUIRE(apply);
  CHECK(apply->request_body.find("deployer: approved") != std::string::npos);
  CHECK(j.count("GET /api/v2/runs/:id") >= 3);
}

TEST_CASE("deploy discards a rejected plan", "[example][deployer]") {
  fake_tfe tfe;
  auto out =
      tfe.make().deploy(tfe.ws, "risky", [](const deploy::plan_summary& p) { return p.destructions == 0 && false; });
  CHECK(out.status == "discarded");
  CHECK(tfe.api.journal().count("POST /api/v2/runs/:id/actions/discard") == 1);
  CHECK(tfe.api.journal().count("POST /api/v2/runs/:id/actions/apply") == 0);
}

TEST_CASE("deploy survives a 429 storm by waiting as long as TFE asks", "[example][deployer][faults]") {
  fake_tfe tfe;
  tfe::fault_rule storm;
  storm.method = "GET";
  storm.path = "/api/v2/runs/*";
  storm.status = 429;
  storm.retry_after = 2.5;
  storm.count = 4;
  tfe.api.faults().add(storm);
  auto out = tfe.make().deploy(tfe.ws, "during a storm", approve_all);
  INFO(out.error);
  CHECK(out.status == "applied");
  // four rate-limit waits of exactly X-RateLimit-Reset (2.5 s), besides the 2 s polls
  int waits = 0;
  for (auto d : tfe.slept) waits += d == std::chrono::milliseconds(2500);
  CHECK(waits == 4);
  int faulted = 0;
  for (const auto& e : tfe.api.journal().entries()) faulted += e.faulted;
  CHECK(faulted == 4);
}

TEST_CASE("deploy gives up when the storm outlasts its retries", "[example][deployer][faults]") {
  fake_tfe tfe;
  tfe::fault_rule storm;
  storm.method = "POST";
  storm.path = "/api/v2/runs";
  storm.status = 429;  // no count: until cleared
  tfe.api.faults().add(storm);
  deploy::deployer::options o;
  o.max_rate_limit_retries = 3;
  auto out = tfe.make(o).deploy(tfe.ws, "blocked", approve_all);
  CHECK(out.status == "failed");
  CHECK(out.error.find("HTTP 429") != std::string::npos);
  CHECK(out.run_id.empty());
  CHECK(tfe.api.journal().count("POST /api/v2/runs") == 4);  // the first try and three retries
  CHECK(tfe.eng.list_runs(tfe.ws)->items.empty());           // nothing was created
}

TEST_CASE("deploy reports an errored plan with the log's error line", "[example][deployer]") {
  fake_tfe tfe;
  tfe::run_script s;
  s.plan.errored = true;
  s.plan.error_message = "Error: Reference to undeclared resource";
  tfe.eng.executor().script_next(s);
  bool asked = false;
  auto out = tfe.make().deploy(tfe.ws, "broken", [&](const deploy::plan_summary&) { return asked = true; });
  CHECK(out.status == "errored");
  CHECK(out.error == "Error: Reference to undeclared resource");
  CHECK_FALSE(asked);
  CHECK(tfe.api.journal().count("POST /api/v2/runs/:id/actions/apply") == 0);
}

TEST_CASE("deploy finishes a plan without changes without asking", "[example][deployer]") {
  fake_tfe tfe;
  tfe::run_script s;
  s.plan.counts = tfe::resource_counts{};
  tfe.eng.executor().script_next(s);
  bool asked = false;
  auto out = tfe.make().deploy(tfe.ws, "no-op", [&](const deploy::plan_summary&) { return asked = true; });
  CHECK(out.status == "planned_and_finished");
  CHECK(out.ok());
  CHECK_FALSE(asked);
}

TEST_CASE("deploy surfaces server errors", "[example][deployer][faults]") {
  fake_tfe tfe;
  tfe::fault_rule down;
  down.path = "/api/v2/runs";
  down.status = 503;
  down.count = 1;
  tfe.api.faults().add(down);
  auto out = tfe.make().deploy(tfe.ws, "outage", approve_all);
  CHECK(out.status == "failed");
  CHECK(out.error.find("HTTP 503") != std::string::npos);
}
