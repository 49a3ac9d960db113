// Test controls of the engine: advance_to, snapshot and restore.
#include "support/catch.hpp"
#include "support/engine_fixture.hpp"

#include <string>
#include <vector>

using tfe::run_status;
using tfe_test::fixture;

namespace {

tfe::run_script errored_plan(std::string message) {
  tfe::run_script s;
  s.plan.errored = true;
  s.plan.error_message = std::move(message);
  return s;
}

std::string dump(fixture& f) { return f.eng.snapshot().dump(); }

struct seeded_policies : tfe::default_policies {
  using clock_type = tfe::manual_clock;  // random ids, seeded below
};

}  // namespace

TEST_CASE("advance_to walks a run along legal transitions", "[engine][controls]") {
  fixture f;
  f.eng.executor().plan_duration = tfe::milliseconds(60000);
  f.eng.executor().apply_duration = tfe::milliseconds(60000);
  f.uploaded_cv(f.ws);
  const auto t0 = f.eng.now();

  SECTION("to applied: system steps fire at once, apply is confirmed on the run's behalf") {
    auto r = f.make_run(f.ws);
    auto done = f.eng.advance_to(r.id.str(), run_status::applied);
    REQUIRE(done);
    CHECK(done->status == run_status::applied);
    CHECK(f.eng.now() == t0);  // the clock did not move
    CHECK(done->entered_at(run_status::confirmed).has_value());
    CHECK(f.workspace_state(f.ws).active_run.empty());
  }
  SECTION("to planned, then to discarded") {
    auto r = f.make_run(f.ws);
    REQUIRE(f.eng.advance_to(r.id.str(), run_status::planning));
    CHECK(f.status(r.id) == run_status::planning);
    REQUIRE(f.eng.advance_to(r.id.str(), run_status::planned));
    REQUIRE(f.eng.advance_to(r.id.str(), run_status::discarded));
    CHECK(f.status(r.id) == run_status::discarded);
  }
  SECTION("to canceled while planning: cancel, then the executor stops") {
    auto r = f.make_run(f.ws);
    REQUIRE(f.eng.advance_to(r.id.str(), run_status::planning));
    auto c = f.eng.advance_to(r.id.str(), run_status::canceled);
    REQUIRE(c);
    CHECK(c->status == run_status::canceled);
  }
  SECTION("an unreachable status is refused and changes nothing") {
    auto r = f.make_run(f.ws);
    REQUIRE(f.eng.advance_to(r.id.str(), run_status::applied));
    const auto before = dump(f);
    auto back = f.eng.advance_to(r.id.str(), run_status::planned);
    REQUIRE_FALSE(back);
    CHECK(back.error().code == tfe::errc::conflict);
    CHECK(back.error().message.find("cannot advance to planned") != std::string::npos);
    CHECK(dump(f) == before);
  }
  SECTION("a scripted errored plan cannot reach applied") {
    f.eng.executor().script_next(errored_plan("boom"));
    auto r = f.make_run(f.ws);
    auto res = f.eng.advance_to(r.id.str(), run_status::applied);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == tfe::errc::conflict);
    CHECK(res.error().message.find("plan_failed") != std::string::npos);
    auto e = f.eng.advance_to(r.id.str(), run_status::errored);
    REQUIRE(e);
    CHECK(e->error_text == "boom");
  }
  SECTION("a run waiting behind another is refused with the blocker named") {
    auto first = f.make_run(f.ws);
    auto second = f.make_run(f.ws);
    auto res = f.eng.advance_to(second.id.str(), run_status::planned);
    REQUIRE_FALSE(res);
    CHECK(res.error().message.find(first.id.str()) != std::string::npos);
    REQUIRE(f.eng.advance_to(first.id.str(), run_status::discarded));
    REQUIRE(f.eng.advance_to(second.id.str(), run_status::planned));
  }
  SECTION("force-cancel of a slow cancel waits for the cool-off") {
    tfe::run_script s;
    s.plan.slow_cancel = true;
    f.eng.executor().script_next(s);
    auto r = f.make_run(f.ws);
    REQUIRE(f.eng.advance_to(r.id.str(), run_status::planning));
    auto early = f.eng.advance_to(r.id.str(), run_status::force_canceled);
    REQUIRE_FALSE(early);
    CHECK(f.read(r.id).cancel_requested);
    f.eng.clock().advance(f.eng.options().cancel_cooloff);
    auto late = f.eng.advance_to(r.id.str(), run_status::force_canceled);
    REQUIRE(late);
    CHECK(late->status == run_status::force_canceled);
  }
  SECTION("unknown runs are 404") {
    auto res = f.eng.advance_to("run-doesnotexist0000", run_status::applied);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == tfe::errc::not_found);
  }
}

TEST_CASE("snapshot and restore round-trip the whole state", "[engine][controls][snapshot]") {
  fixture f;
  f.eng.executor().plan_duration = tfe::milliseconds(5000);
  f.eng.executor().apply_duration = tfe::milliseconds(7000);
  f.uploaded_cv(f.ws);
  auto applied = f.make_run(f.ws);
  REQUIRE(f.eng.advance_to(applied.id.str(), run_status::applied));
  REQUIRE(f.eng.create_comment(applied.id.str(), "shipped"));
  auto planning = f.make_run(f.ws);  // in flight: a timer is due in 5 s
  auto queued = f.make_run(f.ws);
  auto other = f.make_workspace("staging", true);
  f.uploaded_cv(other);
  REQUIRE(f.eng.lock_workspace(other.str(), "maintenance"));
  auto pending_cv = f.eng.create_configuration_version(f.ws);  // awaiting upload
  REQUIRE(pending_cv);

  const tfe::json doc = f.eng.snapshot();
  CHECK(doc["runs"].size() == 3);
  CHECK(doc["timers"].size() >= 1);
  CHECK(doc["configuration-versions"][0]["content-base64"].is_string());

  fixture g;  // another engine with its own state: restore replaces it
  REQUIRE(g.eng.restore(doc));
  CHECK(g.eng.snapshot().dump() == doc.dump());
  CHECK(g.status(planning.id) == run_status::planning);
  CHECK(g.status(queued.id) == run_status::pending);
  CHECK(g.workspace_state(other).manually_locked);
  auto comments = g.eng.list_comments(applied.id.str());
  REQUIRE(comments);
  CHECK(comments->size() == 1);
  auto bytes = g.eng.download_configuration(applied.configuration_version_id.str());
  REQUIRE(bytes);
  CHECK(*bytes == tfe_test::fake_tarball());
  // the upload capability survives the restore
  REQUIRE(g.eng.upload_configuration(pending_cv->upload_token, tfe_test::fake_tarball()));
  REQUIRE(f.eng.upload_configuration(pending_cv->upload_token, tfe_test::fake_tarball()));

  // both engines go on identically: same ids, same timestamps
  f.eng.run_until_idle();
  g.eng.run_until_idle();
  auto fr = f.make_run(other);
  auto gr = g.make_run(other);
  CHECK(fr.id == gr.id);
  CHECK(f.make_workspace("third") == g.make_workspace("third"));
  f.eng.run_until_idle();
  g.eng.run_until_idle();
  CHECK(f.eng.snapshot().dump() == g.eng.snapshot().dump());
}

TEST_CASE("a snapshot carries what the executor asked of a running phase", "[engine][controls][snapshot]") {
  fixture f;
  f.uploaded_cv(f.ws);
  tfe::run_script s;
  s.plan.slow_cancel = true;  // a cancel never completes by itself
  s.plan.duration = tfe::milliseconds(60000);
  f.eng.executor().script_next(s);
  auto r = f.make_run(f.ws);
  REQUIRE(f.status(r.id) == run_status::planning);
  REQUIRE(f.eng.cancel_run(r.id.str()));
  const tfe::json doc = f.eng.snapshot();
  CHECK(doc["runs"][0]["slow-cancel"].as_bool() == std::optional<bool>(true));
  CHECK(doc["runs"][0]["policy-outcome"].as_string() == std::optional<std::string_view>("pass"));

  fixture g;
  REQUIRE(g.eng.restore(doc));
  CHECK(g.eng.snapshot().dump() == doc.dump());
  g.eng.clock().advance(tfe::milliseconds(1000));
  g.eng.poll();
  CHECK(g.status(r.id) == run_status::planning);  // still waiting: the cancel is slow
  g.eng.clock().advance(g.eng.options().cancel_cooloff);
  REQUIRE(g.eng.force_cancel_run(r.id.str()));
  CHECK(g.status(r.id) == run_status::force_canceled);
  CHECK_FALSE(g.eng.snapshot()["runs"][0].contains("slow-cancel"));  // forgotten once the run ended
}

TEST_CASE("restore takes a hand-written fixture", "[engine][controls][snapshot]") {
  fixture f;
  auto doc = tfe::json::parse(R"({
    "organizations": [{"name": "fixture-org", "email": "a@b.test"}],
    "workspaces": [{"id": "ws-fixture", "organization": "fixture-org", "name": "app",
                    "current-configuration-version": "cv-fixture"}],
    "configuration-versions": [{"id": "cv-fixture", "workspace": "ws-fixture", "status": "uploaded"}],
    "runs": [{"id": "run-0000000000000007", "workspace": "ws-fixture", "configuration-version": "cv-fixture",
              "status": "applied", "created-at": "2025-05-01T10:00:00Z"},
             {"id": "run-zzzz", "workspace": "ws-fixture", "configuration-version": "cv-fixture",
              "status": "planning"}],
    "comments": [{"id": "wsc-1", "run": "run-zzzz", "body": "from the fixture"}]
  })");
  REQUIRE(doc);
  auto res = f.eng.restore(*doc);
  REQUIRE_FALSE(res);  // run-zzzz is unfinished but not the workspace's active run
  CHECK(res.error().pointer == "/runs/1/status");
  (*doc)["workspaces"].as_array()->at(0).set("active-run", "run-zzzz");
  REQUIRE(f.eng.restore(*doc));

  auto ws = f.eng.read_workspace_by_name("fixture-org", "app");
  REQUIRE(ws);
  CHECK(ws->id.str() == "ws-fixture");
  // the planning run had no scheduled step: it picked one up and finishes its plan
  f.eng.run_until_idle();
  CHECK(f.status(tfe::resource_id("run-zzzz")) == run_status::planned);
  REQUIRE(f.eng.list_comments("run-zzzz"));
  // sequential ids continue without colliding with the fixture's run-0000000000000007
  REQUIRE(f.eng.discard_run("run-zzzz"));
  std::vector<tfe::resource_id> made;
  for (int i = 0; i < 10; ++i) made.push_back(f.make_run(ws->id).id);
  for (const auto& id : made) CHECK(id.str() != "run-0000000000000007");
  auto old = f.eng.read_run("run-0000000000000007");
  REQUIRE(old);
  CHECK(old->status == run_status::applied);
}

TEST_CASE("restore rejects a bad document and keeps the state", "[engine][controls][snapshot]") {
  fixture f;
  f.uploaded_cv(f.ws);
  f.make_run(f.ws);
  const std::string before = dump(f);
  const char* bad[][2] = {
      {R"([])", ""},
      {R"({"tfe-snapshot": 2})", "/tfe-snapshot"},
      {R"({"extra": 1})", "/extra"},
      {R"({"now": "yesterday"})", "/now"},
      {R"({"organizations": {}})", "/organizations"},
      {R"({"organizations": [{"name": "bad name"}]})", "/organizations/0/name"},
      {R"({"organizations": [{"name": "a"}, {"name": "a"}]})", "/organizations/1/name"},
      {R"({"organizations": [{"name": "a", "emial": "x"}]})", "/organizations/0/emial"},
      {R"({"organizations": [{"name": "a"}], "workspaces": [{"id": "ws-1", "organization": "b", "name": "w"}]})",
       "/workspaces/0/organization"},
      {R"({"organizations": [{"name": "a"}], "workspaces": [{"id": "x-1", "organization": "a", "name": "w"}]})",
       "/workspaces/0/id"},
      {R"({"organizations": [{"name": "a"}], "workspaces": [{"id": "ws-1", "organization": "a", "name": "w",
           "auto-apply": "yes"}]})",
       "/workspaces/0/auto-apply"},
      {R"({"organizations": [{"name": "a"}], "workspaces": [{"id": "ws-1", "organization": "a", "name": "w"}],
           "configuration-versions": [{"id": "cv-1", "workspace": "ws-1", "content-base64": "***"}]})",
       "/configuration-versions/0/content-base64"},
      {R"({"organizations": [{"name": "a"}], "workspaces": [{"id": "ws-1", "organization": "a", "name": "w"}],
           "runs": [{"id": "run-1", "workspace": "ws-1"}]})",
       "/runs/0/configuration-version"},
      {R"({"organizations": [{"name": "a"}], "workspaces": [{"id": "ws-1", "organization": "a", "name": "w"}],
           "configuration-versions": [{"id": "cv-1", "workspace": "ws-1"}],
           "runs": [{"id": "run-1", "workspace": "ws-1", "configuration-version": "cv-1", "status": "flying"}]})",
       "/runs/0/status"},
      {R"({"organizations": [{"name": "a"}], "workspaces": [{"id": "ws-1", "organization": "a", "name": "w",
           "queue": ["run-1"]}], "configuration-versions": [{"id": "cv-1", "workspace": "ws-1"}],
           "runs": [{"id": "run-1", "workspace": "ws-1", "configuration-version": "cv-1", "status": "applied"}]})",
       "/workspaces/0/queue"},
      {R"({"timers": [{"run": "run-1", "step": 0, "event": "apply", "due": "2026-01-01T00:00:00Z"}]})",
       "/timers/0/run"},
      {R"({"ids": {"engine": "not-a-state"}})", "/ids/engine"},
  };
  for (const auto& b : bad) {
    INFO(b[0]);
    auto doc = tfe::json::parse(b[0]);
    REQUIRE(doc);
    auto r = f.eng.restore(*doc);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == tfe::errc::validation_failed);
    CHECK(r.error().pointer == b[1]);
    CHECK(dump(f) == before);
  }
}

TEST_CASE("the same seed and calls give the same snapshot", "[engine][controls][determinism]") {
  auto build = [](std::uint64_t seed) {
    tfe::basic_engine<seeded_policies> e;
    e.seed_ids(seed);
    tfe::organization_options oo;
    oo.name = "acme";
    oo.email = "a@b.test";
    REQUIRE(e.create_organization(oo));
    tfe::workspace_options wo;
    wo.name = "w";
    auto ws = e.create_workspace("acme", wo);
    REQUIRE(ws);
    auto cv = e.create_configuration_version(ws->id.str());
    REQUIRE(cv);
    REQUIRE(e.upload_configuration(cv->upload_token, tfe_test::fake_tarball()));
    e.run_until_idle();
    return e.snapshot().dump();
  };
  CHECK(build(42) == build(42));
  CHECK(build(42) != build(43));
}
