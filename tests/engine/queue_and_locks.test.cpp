// Workspace queue and locking (reference section 8).
#include "support/catch.hpp"
#include "support/engine_fixture.hpp"

using tfe::run_status;
using tfe_test::fixture;

TEST_CASE("one active run per workspace; later runs wait FIFO", "[engine][queue]") {
  fixture f;
  f.uploaded_cv(f.ws);
  auto r1 = f.make_run(f.ws);
  auto r2 = f.make_run(f.ws);
  auto r3 = f.make_run(f.ws);
  f.eng.run_until_idle();
  CHECK(f.status(r1.id) == run_status::planned);
  CHECK(f.status(r2.id) == run_status::pending);
  CHECK(f.status(r3.id) == run_status::pending);
  auto w = f.workspace_state(f.ws);
  CHECK(w.locked());
  CHECK(w.active_run == r1.id);
  CHECK(w.current_run == r1.id);
  REQUIRE(f.eng.apply_run(r1.id));
  f.eng.run_until_idle();
  CHECK(f.status(r1.id) == run_status::applied);
  CHECK(f.status(r2.id) == run_status::planned);
  CHECK(f.status(r3.id) == run_status::pending);
  CHECK(f.workspace_state(f.ws).current_run == r2.id);
}

TEST_CASE("discarding or canceling a pending run removes it without moving others", "[engine][queue]") {
  fixture f;
  f.uploaded_cv(f.ws);
  auto r1 = f.make_run(f.ws);
  auto r2 = f.make_run(f.ws);
  auto r3 = f.make_run(f.ws);
  f.eng.run_until_idle();
  REQUIRE(f.eng.discard_run(r2.id));
  f.eng.run_until_idle();
  CHECK(f.status(r1.id) == run_status::planned);
  CHECK(f.status(r3.id) == run_status::pending);
  REQUIRE(f.eng.discard_run(r1.id));
  f.eng.run_until_idle();
  CHECK(f.status(r3.id) == run_status::planned);
}

TEST_CASE("manual lock: 409 cases, runs wait, unlock resumes the queue", "[engine][lock]") {
  fixture f;
  f.uploaded_cv(f.ws);
  auto locked = f.eng.lock_workspace(f.ws, "maintenance");
  REQUIRE(locked);
  CHECK(locked->locked());
  CHECK(locked->locked_reason == "maintenance");
  CHECK(f.eng.lock_workspace(f.ws).error().code == tfe::errc::conflict);
  auto r = f.make_run(f.ws);
  f.eng.run_until_idle();
  CHECK(f.status(r.id) == run_status::pending);
  CHECK(f.workspace_state(f.ws).current_run == r.id);  // head of queue, blocked by the manual lock
  auto un = f.eng.unlock_workspace(f.ws);
  REQUIRE(un);
  CHECK(un->active_run == r.id);
  CHECK(un->locked());  // now held by the run
  f.eng.run_until_idle();
  CHECK(f.status(r.id) == run_status::planned);
  SECTION("unlock while a run holds it names the run") {
    auto e = f.eng.unlock_workspace(f.ws);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == tfe::errc::conflict);
    CHECK(e.error().message == "Workspace is locked by Run " + r.id.str());
    CHECK(f.eng.lock_workspace(f.ws).error().code == tfe::errc::conflict);
    CHECK(f.eng.force_unlock_workspace(f.ws).error().code == tfe::errc::conflict);
  }
  SECTION("unlock of an unlocked workspace") {
    REQUIRE(f.eng.discard_run(r.id));
    auto e = f.eng.unlock_workspace(f.ws);
    REQUIRE_FALSE(e);
    CHECK(e.error().message == "Workspace is not locked");
  }
}

TEST_CASE("force-unlock releases a manual lock", "[engine][lock]") {
  fixture f;
  REQUIRE(f.eng.lock_workspace(f.ws));
  auto u = f.eng.force_unlock_workspace(f.ws);
  REQUIRE(u);
  CHECK_FALSE(u->locked());
  CHECK(f.eng.force_unlock_workspace(f.ws).error().code == tfe::errc::conflict);
}

TEST_CASE("plan-only runs ignore manual locks", "[engine][lock]") {
  fixture f;
  auto spec = f.uploaded_cv(f.ws, true);
  REQUIRE(f.eng.lock_workspace(f.ws));
  tfe::run_options o;
  o.configuration_version_id = spec;
  auto p = f.make_run(f.ws, o);
  f.eng.run_until_idle();
  CHECK(f.status(p.id) == run_status::planned_and_finished);
}

TEST_CASE("force-execute discards the holder and runs ahead, then starts the target", "[engine][queue]") {
  fixture f;
  f.uploaded_cv(f.ws);
  auto r1 = f.make_run(f.ws);
  auto r2 = f.make_run(f.ws);
  auto r3 = f.make_run(f.ws);
  auto r4 = f.make_run(f.ws);
  f.eng.run_until_idle();
  SECTION("allowed") {
    REQUIRE(f.eng.force_execute_run(r3.id));
    f.eng.run_until_idle();
    CHECK(f.status(r1.id) == run_status::discarded);
    CHECK(f.status(r2.id) == run_status::discarded);
    CHECK(f.status(r3.id) == run_status::planned);
    CHECK(f.status(r4.id) == run_status::pending);
    CHECK(f.workspace_state(f.ws).current_run == r3.id);
  }
  SECTION("refused: target not pending (403), holder not discardable (409)") {
    CHECK(f.eng.force_execute_run(r1.id).error().code == tfe::errc::forbidden);
    f.eng.executor().apply_duration = tfe::milliseconds(60000);
    REQUIRE(f.eng.apply_run(r1.id));  // confirmed: no longer discardable
    CHECK(f.eng.force_execute_run(r2.id).error().code == tfe::errc::conflict);
    CHECK(f.status(r2.id) == run_status::pending);
  }
}

TEST_CASE("configuration versions: gzip check, single-use upload, latest version, promotion", "[engine][cv]") {
  fixture f;
  SECTION("not gzip: errored, no run") {
    auto cv = f.eng.create_configuration_version(f.ws);
    auto up = f.eng.upload_configuration(cv->upload_token, "plain text");
    REQUIRE(up);
    CHECK(up->status == tfe::configuration_status::errored);
    CHECK(f.eng.list_runs(f.ws)->items.empty());
  }
  SECTION("the upload capability takes another upload, as TFE's (go-tfe uploads twice); it queues one run") {
    auto cv = f.eng.create_configuration_version(f.ws);
    REQUIRE(f.eng.upload_configuration(cv->upload_token, tfe_test::fake_tarball()));
    const std::string again = tfe_test::fake_tarball() + "v2";
    REQUIRE(f.eng.upload_configuration(cv->upload_token, again));
    CHECK(f.eng.upload_configuration(cv->upload_token, "not gzip").error().code == tfe::errc::validation_failed);
    CHECK(f.eng.upload_configuration("tampered", tfe_test::fake_tarball()).error().code == tfe::errc::not_found);
    CHECK(*f.eng.download_configuration(cv->id) == again);
    CHECK(f.eng.list_runs(f.ws)->items.size() == 1);
    REQUIRE(f.eng.create_configuration_version(f.ws));  // a newer one: the first can be archived
    REQUIRE(f.eng.archive_configuration_version(cv->id.view()));
    CHECK(f.eng.upload_configuration(cv->upload_token, tfe_test::fake_tarball()).error().code == tfe::errc::not_found);
    CHECK(f.eng.download_configuration(cv->id).error().code == tfe::errc::not_found);
  }
  SECTION("a run without a version uses the latest uploaded one; none -> 422") {
    tfe::run_options o;
    o.workspace_id = f.ws;
    auto none = f.eng.create_run(o);
    REQUIRE_FALSE(none);
    CHECK(none.error().code == tfe::errc::validation_failed);
    auto cv1 = f.uploaded_cv(f.ws);
    auto cv2 = f.uploaded_cv(f.ws);
    (void)cv1;
    CHECK(f.make_run(f.ws).configuration_version_id == cv2);
  }
  SECTION("a pending version cannot run") {
    auto cv = f.eng.create_configuration_version(f.ws);
    tfe::run_options o;
    o.workspace_id = f.ws;
    o.configuration_version_id = cv->id;
    CHECK(f.eng.create_run(o).error().code == tfe::errc::validation_failed);
  }
  SECTION("promotion: a version from another workspace") {
    auto staging = f.make_workspace("staging");
    auto cv = f.uploaded_cv(staging);
    tfe::run_options o;
    o.configuration_version_id = cv;
    auto r = f.make_run(f.ws, o);
    CHECK(r.configuration_version_id == cv);
    CHECK(f.workspace_state(f.ws).current_configuration_version == cv);
  }
}

TEST_CASE("names are validated and unique; deletes cascade", "[engine][model]") {
  fixture f;
  tfe::workspace_options wo;
  wo.name = "prod";
  CHECK(f.eng.create_workspace(f.org, wo).error().code == tfe::errc::validation_failed);
  wo.name = "bad name!";
  CHECK(f.eng.create_workspace(f.org, wo).error().code == tfe::errc::validation_failed);
  wo.name = "ok";
  CHECK(f.eng.create_workspace("missing-org", wo).error().code == tfe::errc::not_found);
  tfe::organization_options oo;
  oo.name = "acme";
  oo.email = "x@y.z";
  CHECK(f.eng.create_organization(oo).error().code == tfe::errc::validation_failed);
  oo.name = "no spaces";
  CHECK(f.eng.create_organization(oo).error().code == tfe::errc::validation_failed);
  oo.name = "fresh";
  oo.email = std::string("not-an-email");
  CHECK(f.eng.create_organization(oo).error().code == tfe::errc::validation_failed);

  f.uploaded_cv(f.ws);
  auto r = f.make_run(f.ws);
  REQUIRE(f.eng.delete_workspace(f.ws));
  CHECK(f.eng.read_run(r.id).error().code == tfe::errc::not_found);
  CHECK(f.eng.read_workspace(f.ws).error().code == tfe::errc::not_found);
  f.eng.run_until_idle();  // stale timers of the deleted run are ignored
  auto ws2 = f.make_workspace("other");
  REQUIRE(f.eng.delete_organization(f.org));
  CHECK(f.eng.read_workspace(ws2).error().code == tfe::errc::not_found);
  CHECK(f.eng.list_organizations()->total_count == 0);
}

TEST_CASE("renaming a workspace keeps lookups by name consistent", "[engine][model]") {
  fixture f;
  tfe::workspace_options wo;
  wo.name = "renamed";
  REQUIRE(f.eng.update_workspace(f.ws, wo));
  CHECK(f.eng.read_workspace_by_name(f.org, "renamed"));
  CHECK_FALSE(f.eng.read_workspace_by_name(f.org, "prod"));
  wo.execution_mode = "bogus";
  CHECK(f.eng.update_workspace(f.ws, wo).error().code == tfe::errc::validation_failed);
  CHECK(f.workspace_state(f.ws).execution_mode == tfe::execution_mode::remote);
}

TEST_CASE("run lists page newest first with totals", "[engine][pagination]") {
  fixture f;
  f.uploaded_cv(f.ws);
  std::vector<tfe::resource_id> ids;
  for (int i = 0; i < 25; ++i) ids.push_back(f.make_run(f.ws).id);
  tfe::run_list_request req;
  auto p1 = f.eng.list_runs(f.ws, req);
  REQUIRE(p1->items.size() == 20);
  CHECK(p1->items.front().id == ids.back());
  CHECK(p1->total_count == 25);
  CHECK(p1->total_pages() == 2);
  req.page.number = 2;
  auto p2 = f.eng.list_runs(f.ws, req);
  REQUIRE(p2->items.size() == 5);
  CHECK(p2->items.back().id == ids.front());
  req.page.number = 999;
  req.page.size = 100;
  auto p999 = f.eng.list_runs(f.ws, req);
  CHECK(p999->items.empty());
  CHECK(p999->current_page == 999);
  CHECK(p999->total_count == 25);
  f.eng.poll();
  req = {};
  req.statuses = {run_status::pending};
  CHECK(f.eng.list_runs(f.ws, req)->total_count == 24);
}

TEST_CASE("same seed and same calls give identical ids and timestamps", "[engine][determinism]") {
  auto scenario = [](std::uint64_t seed) {
    tfe::basic_engine<tfe::test_policies> dummy;
    (void)dummy;
    struct seeded : tfe::test_policies {
      using id_generator_type = tfe::random_ids;
    };
    tfe::basic_engine<seeded> e;
    e.seed_ids(seed);
    tfe::organization_options oo;
    oo.name = "o";
    oo.email = "a@b.c";
    (void)e.create_organization(oo);
    tfe::workspace_options wo;
    wo.name = "w";
    auto w = e.create_workspace("o", wo);
    auto cv = e.create_configuration_version(w->id);
    (void)e.upload_configuration(cv->upload_token, tfe_test::fake_tarball());
    e.run_until_idle();
    auto runs = e.list_runs(w->id);
    std::string trace = w->id.str() + cv->id.str() + cv->upload_token;
    for (const auto& r : runs->items) {
      trace += r.id.str();
      for (auto ms : r.status_ms) trace += std::to_string(ms) + ",";
    }
    return trace;
  };
  CHECK(scenario(42) == scenario(42));
  CHECK(scenario(42) != scenario(43));
}
