// Every (status, event) pair of the lifecycle table against an explicit expectation list.
#include "support/catch.hpp"

#include <tfe/tfe.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using tfe::guard_context;
using tfe::run_event;
using tfe::run_status;
using S = run_status;
using E = run_event;

namespace {

using expectation = std::map<std::pair<S, E>, S>;

// Allowed transitions for a plain run: manual apply, changes, no cost/policy stage, no cancel requested.
expectation plain_run_expectations() {
  return {
      {{S::pending, E::queue}, S::plan_queued},
      {{S::pending, E::force_execute}, S::plan_queued},
      {{S::pending, E::discard}, S::discarded},
      {{S::pending, E::cancel}, S::canceled},
      {{S::plan_queued, E::plan_start}, S::planning},
      {{S::plan_queued, E::cancel}, S::canceled},
      {{S::planning, E::plan_succeeded}, S::planned},
      {{S::planning, E::plan_failed}, S::errored},
      {{S::planning, E::cancel}, S::planning},
      {{S::planned, E::apply}, S::confirmed},
      {{S::planned, E::discard}, S::discarded},
      {{S::cost_estimating, E::estimate_done}, S::cost_estimated},
      {{S::cost_estimating, E::cancel}, S::canceled},
      {{S::cost_estimated, E::apply}, S::confirmed},
      {{S::cost_estimated, E::discard}, S::discarded},
      {{S::policy_checking, E::policy_passed}, S::policy_checked},
      {{S::policy_checking, E::policy_soft_failed}, S::policy_override},
      {{S::policy_checking, E::policy_hard_failed}, S::errored},
      {{S::policy_checking, E::cancel}, S::canceled},
      {{S::policy_checked, E::apply}, S::confirmed},
      {{S::policy_checked, E::discard}, S::discarded},
      {{S::policy_override, E::override_policy}, S::policy_checked},
      {{S::policy_override, E::discard}, S::discarded},
      {{S::confirmed, E::proceed}, S::apply_queued},
      {{S::confirmed, E::cancel}, S::canceled},
      {{S::apply_queued, E::apply_start}, S::applying},
      {{S::apply_queued, E::cancel}, S::canceled},
      {{S::applying, E::apply_succeeded}, S::applied},
      {{S::applying, E::apply_failed}, S::errored},
      {{S::applying, E::cancel}, S::applying},
  };
}

void check_all_pairs(const guard_context& ctx, const expectation& expected) {
  for (S s : tfe::all_run_statuses) {
    for (E e : tfe::all_run_events) {
      INFO("status " << std::string(to_string(s)) << ", event " << std::string(to_string(e)));
      auto it = expected.find({s, e});
      auto got = tfe::next_status(s, e, ctx);
      if (it == expected.end()) {
        CHECK_FALSE(got.has_value());
      } else {
        REQUIRE(got.has_value());
        CHECK(*got == it->second);
      }
    }
  }
}

}  // namespace

TEST_CASE("every (status, event) pair of a plain run matches the expectation list", "[run][state-machine]") {
  check_all_pairs(guard_context{}, plain_run_expectations());
}

TEST_CASE("a cancel request turns planning and applying into wait-for-stop states", "[run][state-machine]") {
  guard_context ctx;
  ctx.cancel_requested = true;
  auto exp = plain_run_expectations();
  exp.erase({S::planning, E::cancel});
  exp.erase({S::applying, E::cancel});
  exp[{S::planning, E::cancel_completed}] = S::canceled;
  exp[{S::applying, E::cancel_completed}] = S::canceled;
  SECTION("before the cool-off") { check_all_pairs(ctx, exp); }
  SECTION("after the cool-off force-cancel is allowed") {
    ctx.force_cancel_available = true;
    exp[{S::planning, E::force_cancel}] = S::force_canceled;
    exp[{S::applying, E::force_cancel}] = S::force_canceled;
    check_all_pairs(ctx, exp);
  }
}

TEST_CASE("auto-apply proceeds from every check stage and is never confirmable", "[run][state-machine]") {
  guard_context ctx;
  ctx.auto_apply = true;
  auto exp = plain_run_expectations();
  for (S s : {S::planned, S::cost_estimated, S::policy_checked}) {
    exp.erase({s, E::apply});
    exp.erase({s, E::discard});
    exp[{s, E::proceed}] = S::apply_queued;
  }
  check_all_pairs(ctx, exp);
}

TEST_CASE("plan-only runs finish after planning and soft policy failures end them", "[run][state-machine]") {
  guard_context ctx;
  ctx.plan_only = true;
  auto exp = plain_run_expectations();
  for (S s : {S::planned, S::cost_estimated, S::policy_checked}) {
    exp.erase({s, E::apply});
    exp.erase({s, E::discard});
    exp[{s, E::proceed}] = S::planned_and_finished;
  }
  exp[{S::policy_checking, E::policy_soft_failed}] = S::policy_soft_failed;
  check_all_pairs(ctx, exp);
}

TEST_CASE("plans without changes finish unless allow-empty-apply", "[run][state-machine]") {
  guard_context ctx;
  ctx.has_changes = false;
  auto exp = plain_run_expectations();
  for (S s : {S::planned, S::cost_estimated, S::policy_checked}) {
    exp.erase({s, E::apply});
    exp.erase({s, E::discard});
    exp[{s, E::proceed}] = S::planned_and_finished;
  }
  SECTION("no changes") { check_all_pairs(ctx, exp); }
  SECTION("allow-empty-apply applies the empty plan automatically") {
    ctx.allow_empty_apply = true;
    for (S s : {S::planned, S::cost_estimated, S::policy_checked}) exp[{s, E::proceed}] = S::apply_queued;
    check_all_pairs(ctx, exp);
  }
}

TEST_CASE("cost estimation and policy checks are visited in order", "[run][state-machine]") {
  guard_context ctx;
  ctx.cost_estimation = true;
  ctx.policy_checks = true;
  auto exp = plain_run_expectations();
  exp.erase({S::planned, E::apply});
  exp.erase({S::planned, E::discard});
  exp[{S::planned, E::proceed}] = S::cost_estimating;
  exp.erase({S::cost_estimated, E::apply});
  exp.erase({S::cost_estimated, E::discard});
  exp[{S::cost_estimated, E::proceed}] = S::policy_checking;
  check_all_pairs(ctx, exp);
}

TEST_CASE("actions flags are derived from the table", "[run][state-machine]") {
  guard_context ctx;
  auto a = tfe::actions_for(S::pending, ctx);
  CHECK(a.is_cancelable);
  CHECK(a.is_discardable);
  CHECK_FALSE(a.is_confirmable);
  CHECK_FALSE(a.is_force_cancelable);
  a = tfe::actions_for(S::planned, ctx);
  CHECK(a.is_confirmable);
  CHECK(a.is_discardable);
  CHECK_FALSE(a.is_cancelable);
  a = tfe::actions_for(S::planning, ctx);
  CHECK(a.is_cancelable);
  CHECK_FALSE(a.is_discardable);
  ctx.cancel_requested = true;
  CHECK_FALSE(tfe::actions_for(S::planning, ctx).is_cancelable);
  ctx.force_cancel_available = true;
  CHECK(tfe::actions_for(S::applying, ctx).is_force_cancelable);
  for (S s : tfe::all_run_statuses) {
    if (!tfe::is_final(s)) continue;
    auto f = tfe::actions_for(s, ctx);
    CHECK_FALSE((f.is_cancelable || f.is_confirmable || f.is_discardable || f.is_force_cancelable));
  }
}

TEST_CASE("plan and apply statuses follow the run status", "[run][state-machine]") {
  using P = tfe::phase_status;
  CHECK(tfe::plan_status_for(S::pending, S::pending) == P::pending);
  CHECK(tfe::plan_status_for(S::plan_queued, S::pending) == P::queued);
  CHECK(tfe::plan_status_for(S::planning, S::pending) == P::running);
  CHECK(tfe::plan_status_for(S::planned, S::pending) == P::finished);
  CHECK(tfe::apply_status_for(S::planned, S::pending) == P::pending);
  CHECK(tfe::apply_status_for(S::apply_queued, S::pending) == P::queued);
  CHECK(tfe::apply_status_for(S::applying, S::pending) == P::running);
  CHECK(tfe::apply_status_for(S::applied, S::applying) == P::finished);
  CHECK(tfe::plan_status_for(S::errored, S::planning) == P::errored);
  CHECK(tfe::apply_status_for(S::errored, S::planning) == P::unreachable);
  CHECK(tfe::apply_status_for(S::errored, S::applying) == P::errored);
  CHECK(tfe::plan_status_for(S::discarded, S::pending) == P::unreachable);
  CHECK(tfe::plan_status_for(S::discarded, S::planned) == P::finished);
  CHECK(tfe::apply_status_for(S::discarded, S::planned) == P::unreachable);
  CHECK(tfe::plan_status_for(S::canceled, S::planning) == P::canceled);
  CHECK(tfe::apply_status_for(S::canceled, S::applying) == P::canceled);
  CHECK(tfe::apply_status_for(S::planned_and_finished, S::planned) == P::unreachable);
  CHECK(tfe::plan_status_for(S::force_canceled, S::planning) == P::canceled);
}

TEST_CASE("wire strings round-trip", "[run][state-machine]") {
  for (S s : tfe::all_run_statuses) {
    auto parsed = tfe::run_status_from_string(to_string(s));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == s);
  }
  CHECK_FALSE(tfe::run_status_from_string("bogus").has_value());
  CHECK(tfe::timestamp_key(S::pending) == "plan-queueable-at");
  CHECK(tfe::timestamp_key(S::planned_and_finished) == "planned-and-finished-at");
}
