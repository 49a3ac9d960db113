// The run lifecycle through the engine: workflow, actions, outcomes, timestamps, logs.
#include "support/catch.hpp"
#include "support/engine_fixture.hpp"

#include <algorithm>
#include <string>
#include <vector>

using tfe::run_status;
using tfe_test::fixture;

TEST_CASE("the API-driven workflow: upload queues a run, apply finishes it", "[engine][run]") {
  fixture f;
  auto cv = f.eng.create_configuration_version(f.ws);
  REQUIRE(cv);
  CHECK(cv->status == tfe::configuration_status::pending);
  CHECK(cv->upload_token.size() >= 32);
  REQUIRE(f.eng.upload_configuration(cv->upload_token, tfe_test::fake_tarball()));
  auto list = f.eng.list_runs(f.ws);
  REQUIRE(list);
  REQUIRE(list->items.size() == 1);
  auto r = list->items[0];
  // Steps due now run at once: with zero durations the new run is already planned.
  CHECK(r.status == run_status::planned);
  CHECK(r.source == tfe::run_source::tfe_configuration_version);
  CHECK(r.configuration_version_id == cv->id);
  CHECK(r.entered_at(run_status::pending).has_value());
  CHECK(f.workspace_state(f.ws).locked());

  f.eng.run_until_idle();
  CHECK(f.status(r.id) == run_status::planned);
  auto planned = f.read(r.id);
  CHECK(planned.actions(f.eng.now()).is_confirmable);
  CHECK(planned.has_changes);
  CHECK(planned.plan_counts.additions == 1);
  auto log = f.eng.plan_log(r.id);
  REQUIRE(log);
  CHECK(log->complete);
  CHECK(log->text.find("Plan: 1 to add, 0 to change, 0 to destroy.") != std::string::npos);

  REQUIRE(f.eng.apply_run(r.id, "Looks good to me"));
  f.eng.run_until_idle();
  auto applied = f.read(r.id);
  CHECK(applied.status == run_status::applied);
  CHECK(applied.plan_status() == tfe::phase_status::finished);
  CHECK(applied.apply_status() == tfe::phase_status::finished);
  for (auto s : {run_status::plan_queued, run_status::planning, run_status::planned, run_status::confirmed,
                 run_status::apply_queued, run_status::applying, run_status::applied})
    CHECK(applied.entered_at(s).has_value());
  auto alog = f.eng.apply_log(r.id);
  REQUIRE(alog);
  CHECK(alog->text.find("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.") != std::string::npos);
  auto comments = f.eng.list_comments(r.id);
  REQUIRE(comments);
  REQUIRE(comments->size() == 1);
  CHECK((*comments)[0].body == "Looks good to me");
  CHECK_FALSE(f.workspace_state(f.ws).locked());
  CHECK(f.workspace_state(f.ws).current_run == r.id);
}

TEST_CASE("a refused action returns conflict and changes nothing", "[engine][run]") {
  fixture f;
  f.uploaded_cv(f.ws);
  auto first = f.make_run(f.ws);
  auto r = f.make_run(f.ws);                   // pending behind `first`
  CHECK(first.status == run_status::pending);  // the create response shows the run as created
  CHECK(f.status(first.id) == run_status::planned);
  auto before = f.read(r.id);
  REQUIRE(before.status == run_status::pending);
  auto res = f.eng.apply_run(r.id, "too early");
  REQUIRE_FALSE(res);
  CHECK(res.error().code == tfe::errc::conflict);
  auto after = f.read(r.id);
  CHECK(after.status == before.status);
  CHECK(after.step == before.step);
  CHECK(after.comment_count == 0);
  CHECK(f.eng.list_comments(r.id)->empty());
  CHECK(f.eng.apply_run("run-doesnotexist0000").error().code == tfe::errc::not_found);
  CHECK(f.eng.apply_run("../../etc").error().code == tfe::errc::not_found);
}

TEST_CASE("discard of a planned run releases the workspace to the next run", "[engine][run][queue]") {
  fixture f;
  f.uploaded_cv(f.ws);
  auto r1 = f.make_run(f.ws);
  auto r2 = f.make_run(f.ws);
  f.eng.run_until_idle();
  CHECK(f.status(r1.id) == run_status::planned);
  CHECK(f.status(r2.id) == run_status::pending);
  REQUIRE(f.eng.discard_run(r1.id, "This run was discarded"));
  CHECK(f.status(r1.id) == run_status::discarded);
  CHECK(f.read(r1.id).apply_status() == tfe::phase_status::unreachable);
  f.eng.run_until_idle();
  CHECK(f.status(r2.id) == run_status::planned);
  CHECK(f.workspace_state(f.ws).current_run == r2.id);
}

TEST_CASE("cancel: pending runs stop at once, running phases after the executor stops", "[engine][run][cancel]") {
  fixture f;
  f.eng.executor().plan_duration = tfe::milliseconds(5000);
  f.uploaded_cv(f.ws);
  auto r1 = f.make_run(f.ws);
  auto r2 = f.make_run(f.ws);
  f.eng.poll();
  CHECK(f.status(r1.id) == run_status::planning);

  SECTION("pending") {
    REQUIRE(f.eng.cancel_run(r2.id));
    auto c = f.read(r2.id);
    CHECK(c.status == run_status::canceled);
    CHECK(c.force_cancel_available_at_ms > tfe::to_unix_ms(f.eng.now()));
    CHECK(c.plan_status() == tfe::phase_status::unreachable);
    CHECK(f.status(r1.id) == run_status::planning);
    CHECK(f.workspace_state(f.ws).queue.empty());
  }
  SECTION("planning, then the cancel completes") {
    tfe::run_script s;
    s.plan.cancel_duration = tfe::milliseconds(1000);
    s.plan.duration = tfe::milliseconds(5000);
    f.eng.executor().script_run(r2.id, s);
    REQUIRE(f.eng.cancel_run(r1.id));
    CHECK(f.status(r1.id) == run_status::canceled);  // the default executor stops at once
    f.eng.poll();
    REQUIRE(f.status(r2.id) == run_status::planning);
    REQUIRE(f.eng.cancel_run(r2.id));
    r1 = r2;
    auto c = f.read(r1.id);
    CHECK(c.status == run_status::planning);
    CHECK(c.cancel_requested);
    CHECK_FALSE(c.actions(f.eng.now()).is_cancelable);
    CHECK(f.eng.cancel_run(r1.id).error().code == tfe::errc::conflict);
    f.eng.clock().advance(tfe::milliseconds(999));
    f.eng.poll();
    CHECK(f.status(r1.id) == run_status::planning);
    f.eng.clock().advance(tfe::milliseconds(1));
    f.eng.poll();
    CHECK(f.status(r1.id) == run_status::canceled);
    CHECK(f.read(r1.id).plan_status() == tfe::phase_status::canceled);
    CHECK(f.read(r1.id).apply_status() == tfe::phase_status::unreachable);
  }
}

TEST_CASE("force-cancel needs a cancel request and the cool-off", "[engine][run][cancel]") {
  tfe::engine_options o;
  o.cancel_cooloff = tfe::milliseconds(10000);
  fixture f(o);
  f.uploaded_cv(f.ws);
  tfe::run_script slow;
  slow.plan.duration = tfe::milliseconds(60000);
  slow.plan.slow_cancel = true;
  f.eng.executor().script_workspace(f.ws, slow);
  auto r = f.make_run(f.ws);
  f.eng.poll();
  REQUIRE(f.status(r.id) == run_status::planning);
  CHECK(f.eng.force_cancel_run(r.id).error().code == tfe::errc::conflict);
  REQUIRE(f.eng.cancel_run(r.id));
  CHECK(f.eng.force_cancel_run(r.id).error().code == tfe::errc::conflict);
  CHECK_FALSE(f.read(r.id).actions(f.eng.now()).is_force_cancelable);
  f.eng.clock().advance(tfe::milliseconds(10000));
  f.eng.poll();
  CHECK(f.status(r.id) == run_status::planning);
  CHECK(f.read(r.id).actions(f.eng.now()).is_force_cancelable);
  REQUIRE(f.eng.force_cancel_run(r.id, "stuck"));
  CHECK(f.status(r.id) == run_status::force_canceled);
  CHECK_FALSE(f.workspace_state(f.ws).locked());
}

TEST_CASE("auto-apply runs apply without confirmation", "[engine][run]") {
  fixture f;
  auto ws = f.make_workspace("auto", true);
  f.uploaded_cv(ws);
  auto r = f.make_run(ws);
  CHECK(r.auto_apply);
  f.eng.run_until_idle();
  auto a = f.read(r.id);
  CHECK(a.status == run_status::applied);
  CHECK_FALSE(a.entered_at(run_status::confirmed).has_value());
  SECTION("run-level auto-apply overrides the workspace") {
    tfe::run_options o;
    o.auto_apply = false;
    auto r2 = f.make_run(ws, o);
    f.eng.run_until_idle();
    CHECK(f.status(r2.id) == run_status::planned);
  }
}

TEST_CASE("plan-only runs bypass the queue and never apply", "[engine][run][queue]") {
  fixture f;
  f.uploaded_cv(f.ws);
  auto blocker = f.make_run(f.ws);
  auto spec_cv = f.uploaded_cv(f.ws, true);
  tfe::run_options o;
  o.configuration_version_id = spec_cv;
  auto p = f.make_run(f.ws, o);
  CHECK(p.plan_only);
  f.eng.run_until_idle();
  CHECK(f.status(p.id) == run_status::planned_and_finished);
  CHECK(f.status(blocker.id) == run_status::planned);
  CHECK(f.workspace_state(f.ws).current_run == blocker.id);
  CHECK(f.eng.apply_run(p.id).error().code == tfe::errc::conflict);
  SECTION("the run list hides plan-only runs unless asked") {
    auto l = f.eng.list_runs(f.ws);
    REQUIRE(l->items.size() == 1);
    tfe::run_list_request req;
    req.operations = {"plan_only"};
    auto l2 = f.eng.list_runs(f.ws, req);
    REQUIRE(l2->items.size() == 1);
    CHECK(l2->items[0].id == p.id);
  }
  SECTION("terraform-version only on plan-only runs") {
    tfe::run_options bad;
    bad.terraform_version = "1.5.0";
    bad.workspace_id = f.ws;
    CHECK(f.eng.create_run(bad).error().code == tfe::errc::validation_failed);
    bad.plan_only = true;
    auto ok = f.eng.create_run(bad);
    REQUIRE(ok);
    CHECK(ok->terraform_version == "1.5.0");
  }
}

TEST_CASE("scripted outcomes: no changes, errored plan, errored apply, destroy", "[engine][run]") {
  fixture f;
  f.uploaded_cv(f.ws);
  SECTION("no changes ends planned_and_finished") {
    tfe::run_script s;
    s.plan.counts = tfe::resource_counts{};
    f.eng.executor().script_next(s);
    auto r = f.make_run(f.ws);
    f.eng.run_until_idle();
    auto x = f.read(r.id);
    CHECK(x.status == run_status::planned_and_finished);
    CHECK_FALSE(x.has_changes);
    CHECK(x.apply_status() == tfe::phase_status::unreachable);
    CHECK(f.eng.plan_log(r.id)->text.find("No changes.") != std::string::npos);
  }
  SECTION("no changes with allow-empty-apply applies") {
    tfe::run_script s;
    s.plan.counts = tfe::resource_counts{};
    f.eng.executor().script_next(s);
    tfe::run_options o;
    o.allow_empty_apply = true;
    auto r = f.make_run(f.ws, o);
    f.eng.run_until_idle();
    CHECK(f.status(r.id) == run_status::applied);
  }
  SECTION("errored plan") {
    tfe::run_script s;
    s.plan.errored = true;
    s.plan.error_message = "Invalid provider configuration";
    f.eng.executor().script_next(s);
    auto r = f.make_run(f.ws);
    f.eng.run_until_idle();
    auto x = f.read(r.id);
    CHECK(x.status == run_status::errored);
    CHECK(x.plan_status() == tfe::phase_status::errored);
    CHECK(x.apply_status() == tfe::phase_status::unreachable);
    CHECK(f.eng.plan_log(r.id)->text.find("Invalid provider configuration") != std::string::npos);
    CHECK_FALSE(f.workspace_state(f.ws).locked());
  }
  SECTION("errored apply") {
    tfe::run_script s;
    s.apply.errored = true;
    s.apply.error_message = "quota exceeded";
    auto r = f.make_run(f.ws);
    f.eng.executor().script_run(r.id, s);
    f.eng.run_until_idle();
    REQUIRE(f.eng.apply_run(r.id));
    f.eng.run_until_idle();
    auto x = f.read(r.id);
    CHECK(x.status == run_status::errored);
    CHECK(x.plan_status() == tfe::phase_status::finished);
    CHECK(x.apply_status() == tfe::phase_status::errored);
  }
  SECTION("destroy plans propose destructions") {
    tfe::run_options o;
    o.is_destroy = true;
    auto r = f.make_run(f.ws, o);
    f.eng.run_until_idle();
    auto x = f.read(r.id);
    CHECK(x.plan_counts.destructions == 1);
    CHECK(x.plan_counts.additions == 0);
    CHECK(f.eng.plan_log(r.id)->text.find("0 to add, 0 to change, 1 to destroy") != std::string::npos);
  }
  SECTION("destroy and refresh-only together are invalid") {
    tfe::run_options o;
    o.is_destroy = true;
    o.refresh_only = true;
    o.workspace_id = f.ws;
    auto r = f.eng.create_run(o);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == tfe::errc::validation_failed);
    CHECK(r.error().pointer == "/data/attributes/refresh-only");
  }
  SECTION("target and replace addresses are kept") {
    tfe::run_options o;
    o.target_addrs = std::vector<std::string>{"null_resource.a"};
    o.replace_addrs = std::vector<std::string>{"null_resource.b"};
    auto r = f.make_run(f.ws, o);
    CHECK(r.target_addrs == std::vector<std::string>{"null_resource.a"});
    CHECK(r.replace_addrs == std::vector<std::string>{"null_resource.b"});
  }
}

TEST_CASE("cost estimation and policy checks run when the organization enables them", "[engine][run]") {
  fixture f;
  tfe::organization_options oo;
  oo.cost_estimation_enabled = true;
  oo.policy_checks_enabled = true;
  REQUIRE(f.eng.update_organization(f.org, oo));
  f.uploaded_cv(f.ws);
  SECTION("pass") {
    auto r = f.make_run(f.ws);
    f.eng.run_until_idle();
    auto x = f.read(r.id);
    CHECK(x.status == run_status::policy_checked);
    CHECK(x.entered_at(run_status::cost_estimated).has_value());
    CHECK(x.actions(f.eng.now()).is_confirmable);
  }
  SECTION("soft failure needs an override") {
    tfe::run_script s;
    s.policy = tfe::policy_result::soft_fail;
    f.eng.executor().script_next(s);
    auto r = f.make_run(f.ws);
    f.eng.run_until_idle();
    CHECK(f.status(r.id) == run_status::policy_override);
    CHECK(f.eng.apply_run(r.id).error().code == tfe::errc::conflict);
    REQUIRE(f.eng.override_policy(r.id));
    f.eng.run_until_idle();
    CHECK(f.status(r.id) == run_status::policy_checked);
  }
  SECTION("hard failure errors the run") {
    tfe::run_script s;
    s.policy = tfe::policy_result::hard_fail;
    f.eng.executor().script_next(s);
    auto r = f.make_run(f.ws);
    f.eng.run_until_idle();
    CHECK(f.status(r.id) == run_status::errored);
  }
}

TEST_CASE("durations are driven by the clock, never by sleeping", "[engine][run]") {
  fixture f;
  f.eng.executor().plan_duration = tfe::milliseconds(3000);
  f.uploaded_cv(f.ws);
  auto r = f.make_run(f.ws);
  f.eng.poll();
  CHECK(f.status(r.id) == run_status::planning);
  f.eng.clock().advance(tfe::milliseconds(2999));
  f.eng.poll();
  CHECK(f.status(r.id) == run_status::planning);
  CHECK(f.eng.plan_log(r.id)->complete == false);
  f.eng.clock().advance(tfe::milliseconds(1));
  f.eng.poll();
  CHECK(f.status(r.id) == run_status::planned);
  auto x = f.read(r.id);
  CHECK(*x.entered_at(run_status::planned) - *x.entered_at(run_status::planning) == tfe::milliseconds(3000));
}

TEST_CASE("observers see every status change in order, outside the lock", "[engine][observer]") {
  fixture f;
  std::vector<std::pair<run_status, run_status>> seen;
  auto sub = f.eng.subscribe([&](const tfe::run_status_change& c) {
    seen.emplace_back(c.from, c.to);
    (void)f.eng.read_run(c.run_id);  // calling back into the engine must not deadlock
  });
  f.uploaded_cv(f.ws);
  auto r = f.make_run(f.ws);
  f.eng.run_until_idle();
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == std::make_pair(run_status::pending, run_status::plan_queued));
  CHECK(seen[2] == std::make_pair(run_status::planning, run_status::planned));
  f.eng.unsubscribe(sub);
  REQUIRE(f.eng.discard_run(r.id));
  CHECK(seen.size() == 3);
}

TEST_CASE("a page filtered by status: the total comes from per-status counts that follow every change",
          "[engine][run][list]") {
  fixture f;
  // Runs in many statuses: applied, discarded, planned (holding the workspace), pending (queued behind
  // it), canceled (while pending), plus a plan-only one (left out of lists unless asked for).
  f.uploaded_cv(f.ws);
  std::vector<tfe::resource_id> ids;
  for (int i = 0; i < 9; ++i) {
    tfe::run r = f.make_run(f.ws);
    ids.push_back(r.id);
    f.eng.run_until_idle();
    if (i % 3 == 1) REQUIRE(f.eng.discard_run(r.id.view()));
    else REQUIRE(f.eng.apply_run(r.id));
    f.eng.run_until_idle();
  }
  for (int i = 0; i < 4; ++i) ids.push_back(f.make_run(f.ws).id);  // planned, then three pending
  f.eng.run_until_idle();
  REQUIRE(f.eng.cancel_run(ids.back().view()));
  f.eng.run_until_idle();
  REQUIRE(f.status(ids.back()) == run_status::canceled);
  REQUIRE(f.status(ids[9]) == run_status::planned);
  REQUIRE(f.status(ids[10]) == run_status::pending);
  tfe::run_options po;
  po.configuration_version_id = f.uploaded_cv(f.ws, true);  // speculative: a plan-only run
  CHECK(f.make_run(f.ws, po).plan_only);
  f.eng.run_until_idle();

  auto check_totals = [&](const char* when) {
    INFO(when);
    for (auto statuses : std::vector<std::vector<run_status>>{{run_status::applied},
                                                              {run_status::discarded, run_status::canceled},
                                                              {run_status::pending},
                                                              {run_status::planned, run_status::pending},
                                                              {run_status::errored},
                                                              {run_status::planned_and_finished}}) {
      // The brute-force answer: every run of the list, filtered here.
      auto all = f.eng.list_runs(f.ws, [] {
        tfe::run_list_request q;
        q.page.size = 100;
        return q;
      }());
      REQUIRE(all);
      std::size_t want = 0;
      std::vector<tfe::resource_id> want_ids;
      for (const auto& r : all->items)
        if (std::find(statuses.begin(), statuses.end(), r.status) != statuses.end()) {
          ++want;
          want_ids.push_back(r.id);
        }
      tfe::run_list_request q;
      q.statuses = statuses;
      q.page.size = 2;
      for (std::size_t page = 1; page <= 3; ++page) {
        q.page.number = page;
        auto got = f.eng.list_runs(f.ws, q);
        REQUIRE(got);
        CHECK(got->total_count == want);
        for (std::size_t k = 0; k < got->items.size(); ++k) CHECK(got->items[k].id == want_ids[(page - 1) * 2 + k]);
        CHECK(got->items.size() == std::min<std::size_t>(2, want > (page - 1) * 2 ? want - (page - 1) * 2 : 0));
      }
    }
  };
  check_totals("after the runs moved");
  const tfe::json snap = f.eng.snapshot();
  REQUIRE(f.eng.restore(snap));
  check_totals("after a restore");
  // Release the queue: the pending runs move on; the counts follow.
  for (const auto& id : ids)
    if (f.status(id) == run_status::planned) REQUIRE(f.eng.discard_run(id.view()));
  f.eng.run_until_idle();
  check_totals("after the queue moved on");
}
