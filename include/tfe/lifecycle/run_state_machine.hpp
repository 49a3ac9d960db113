// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The run lifecycle as one table (from, event, guard, to) and everything derived from it.
#ifndef TFE_LIFECYCLE_RUN_STATE_MACHINE_HPP
#define TFE_LIFECYCLE_RUN_STATE_MACHINE_HPP

#include <tfe/detail/enum_names.hpp>
#include <tfe/lifecycle/run_status.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tfe {

/// What happens to a run: user actions and system progress.
enum class run_event : std::uint8_t {
  // user actions
  apply,            ///< confirm a paused plan (POST /runs/:id/actions/apply)
  discard,          ///< discard (POST /runs/:id/actions/discard)
  cancel,           ///< cancel (POST /runs/:id/actions/cancel)
  force_cancel,     ///< force-cancel after the cool-off (POST /runs/:id/actions/force-cancel)
  force_execute,    ///< start a pending run now (POST /runs/:id/actions/force-execute)
  override_policy,  ///< override a soft-mandatory policy failure
  // system progress
  queue,               ///< the run reached the head of its workspace queue
  plan_start,          ///< the executor picked up the plan
  plan_succeeded,      ///< terraform plan finished
  plan_failed,         ///< terraform plan failed
  proceed,             ///< move on from a check stage (or pause when no row matches)
  estimate_done,       ///< cost estimation finished
  policy_passed,       ///< every policy passed
  policy_soft_failed,  ///< a soft-mandatory policy failed
  policy_hard_failed,  ///< a hard-mandatory policy failed
  apply_start,         ///< the executor picked up the apply
  apply_succeeded,     ///< terraform apply finished
  apply_failed,        ///< terraform apply failed
  cancel_completed,    ///< terraform stopped after a cancel request
};

namespace detail {
/// The names of run_event, in enumerator order.
template <>
struct enum_names<run_event> {
  static constexpr std::string_view value[] = {
      "apply",           "discard",         "cancel",        "force_cancel",       "force_execute",
      "override_policy", "queue",           "plan_start",    "plan_succeeded",     "plan_failed",
      "proceed",         "estimate_done",   "policy_passed", "policy_soft_failed", "policy_hard_failed",
      "apply_start",     "apply_succeeded", "apply_failed",  "cancel_completed",
  };
};
}  // namespace detail

/// Number of run_event enumerators.
inline constexpr std::size_t run_event_count = detail::enum_count<run_event>;
static_assert(run_event_count == static_cast<std::size_t>(run_event::cancel_completed) + 1,
              "run_event: the name table must list every enumerator");

/// Every run event, user actions first.
inline constexpr std::array<run_event, run_event_count> all_run_events = detail::all_enumerators<run_event>();

/// The event's name ("force_cancel").
constexpr std::string_view to_string(run_event e) noexcept { return detail::enum_name(e); }

/// True for events a user (or API client) triggers; false for system progress.
constexpr bool is_user_action(run_event e) noexcept {
  return static_cast<std::uint8_t>(e) <= static_cast<std::uint8_t>(run_event::override_policy);
}

/// Conditions a transition row may require; evaluated against a guard_context.
enum class guard : std::uint8_t {
  none,                    ///< always
  needs_cost_estimate,     ///< the organization enables cost estimation
  needs_policy_check,      ///< policy checks apply to this run
  finishes_without_apply,  ///< plan-only, or no changes without allow-empty-apply
  auto_apply,              ///< auto-apply (run or workspace) lets the plan go straight to apply
  awaiting_confirmation,   ///< paused here: no `proceed` row matches (derived from the table)
  plan_only,               ///< a speculative run
  not_plan_only,           ///< a run that may apply
  cancel_not_requested,    ///< no cancel requested yet
  cancel_requested,        ///< a cancel was requested
  force_cancel_available,  ///< a cancel was requested and the cool-off has elapsed
};

namespace detail {
/// The names of guard as printed in docs/run-lifecycle.md, in enumerator order (none prints empty).
template <>
struct enum_names<guard> {
  static constexpr std::string_view value[] = {
      "",
      "needs_cost_estimate",
      "needs_policy_check",
      "finishes_without_apply",
      "auto_apply",
      "awaiting_confirmation",
      "plan_only",
      "not_plan_only",
      "cancel_not_requested",
      "cancel_requested",
      "force_cancel_available",
  };
};
}  // namespace detail
static_assert(detail::enum_count<guard> == static_cast<std::size_t>(guard::force_cancel_available) + 1,
              "guard: the name table must list every enumerator");

/// The guard's name as printed in docs/run-lifecycle.md.
constexpr std::string_view to_string(guard g) noexcept { return detail::enum_name(g); }

/// The facts about one run that guards read.
struct guard_context {
  bool plan_only = false;               ///< speculative run
  bool has_changes = true;              ///< the plan proposes changes
  bool allow_empty_apply = false;       ///< apply even without changes
  bool auto_apply = false;              ///< effective auto-apply
  bool cost_estimation = false;         ///< organization enables cost estimation
  bool policy_checks = false;           ///< policies apply to the run
  bool cancel_requested = false;        ///< a (non-force) cancel was requested
  bool force_cancel_available = false;  ///< cancel requested and cool-off elapsed
};

/// One row of the lifecycle table.
struct transition {
  run_status from;  ///< status the row applies in
  run_event event;  ///< what happens
  guard when;       ///< condition; the first matching row wins
  run_status to;    ///< resulting status (equal to `from` for a self-transition)
};

// clang-format off
/// The run lifecycle. Rows are grouped by `from` in lifecycle order; for one
/// (from, event) the first row whose guard holds wins. No row = refused.
inline constexpr transition run_transitions[] = {
//  from                              event                          guard                            to
  { run_status::pending,              run_event::queue,              guard::none,                     run_status::plan_queued },
  { run_status::pending,              run_event::force_execute,      guard::none,                     run_status::plan_queued },
  { run_status::pending,              run_event::discard,            guard::none,                     run_status::discarded },
  { run_status::pending,              run_event::cancel,             guard::none,                     run_status::canceled },

  { run_status::plan_queued,          run_event::plan_start,         guard::none,                     run_status::planning },
  { run_status::plan_queued,          run_event::cancel,             guard::none,                     run_status::canceled },

  { run_status::planning,             run_event::plan_succeeded,     guard::none,                     run_status::planned },
  { run_status::planning,             run_event::plan_failed,        guard::none,                     run_status::errored },
  { run_status::planning,             run_event::cancel,             guard::cancel_not_requested,     run_status::planning },
  { run_status::planning,             run_event::cancel_completed,   guard::cancel_requested,         run_status::canceled },
  { run_status::planning,             run_event::force_cancel,       guard::force_cancel_available,   run_status::force_canceled },

  { run_status::planned,              run_event::proceed,            guard::needs_cost_estimate,      run_status::cost_estimating },
  { run_status::planned,              run_event::proceed,            guard::needs_policy_check,       run_status::policy_checking },
  { run_status::planned,              run_event::proceed,            guard::finishes_without_apply,   run_status::planned_and_finished },
  { run_status::planned,              run_event::proceed,            guard::auto_apply,               run_status::apply_queued },
  { run_status::planned,              run_event::apply,              guard::awaiting_confirmation,    run_status::confirmed },
  { run_status::planned,              run_event::discard,            guard::awaiting_confirmation,    run_status::discarded },

  { run_status::cost_estimating,      run_event::estimate_done,      guard::none,                     run_status::cost_estimated },
  { run_status::cost_estimating,      run_event::cancel,             guard::none,                     run_status::canceled },

  { run_status::cost_estimated,       run_event::proceed,            guard::needs_policy_check,       run_status::policy_checking },
  { run_status::cost_estimated,       run_event::proceed,            guard::finishes_without_apply,   run_status::planned_and_finished },
  { run_status::cost_estimated,       run_event::proceed,            guard::auto_apply,               run_status::apply_queued },
  { run_status::cost_estimated,       run_event::apply,              guard::awaiting_confirmation,    run_status::confirmed },
  { run_status::cost_estimated,       run_event::discard,            guard::awaiting_confirmation,    run_status::discarded },

  { run_status::policy_checking,      run_event::policy_passed,      guard::none,                     run_status::policy_checked },
  { run_status::policy_checking,      run_event::policy_soft_failed, guard::plan_only,                run_status::policy_soft_failed },
  { run_status::policy_checking,      run_event::policy_soft_failed, guard::not_plan_only,            run_status::policy_override },
  { run_status::policy_checking,      run_event::policy_hard_failed, guard::none,                     run_status::errored },
  { run_status::policy_checking,      run_event::cancel,             guard::none,                     run_status::canceled },

  { run_status::policy_checked,       run_event::proceed,            guard::finishes_without_apply,   run_status::planned_and_finished },
  { run_status::policy_checked,       run_event::proceed,            guard::auto_apply,               run_status::apply_queued },
  { run_status::policy_checked,       run_event::apply,              guard::awaiting_confirmation,    run_status::confirmed },
  { run_status::policy_checked,       run_event::discard,            guard::awaiting_confirmation,    run_status::discarded },

  { run_status::policy_override,      run_event::override_policy,    guard::none,                     run_status::policy_checked },
  { run_status::policy_override,      run_event::discard,            guard::none,                     run_status::discarded },

  { run_status::confirmed,            run_event::proceed,            guard::none,                     run_status::apply_queued },
  { run_status::confirmed,            run_event::cancel,             guard::none,                     run_status::canceled },

  { run_status::apply_queued,         run_event::apply_start,        guard::none,                     run_status::applying },
  { run_status::apply_queued,         run_event::cancel,             guard::none,                     run_status::canceled },

  { run_status::applying,             run_event::apply_succeeded,    guard::none,                     run_status::applied },
  { run_status::applying,             run_event::apply_failed,       guard::none,                     run_status::errored },
  { run_status::applying,             run_event::cancel,             guard::cancel_not_requested,     run_status::applying },
  { run_status::applying,             run_event::cancel_completed,   guard::cancel_requested,         run_status::canceled },
  { run_status::applying,             run_event::force_cancel,       guard::force_cancel_available,   run_status::force_canceled },
};
// clang-format on

/// Number of rows in run_transitions.
inline constexpr std::size_t run_transition_count = sizeof(run_transitions) / sizeof(run_transitions[0]);

namespace detail {
constexpr bool proceed_matches(run_status from, const guard_context& c) noexcept;

/// Evaluates one guard (exhaustive switch: a new guard must be handled here).
constexpr bool holds(guard g, run_status from, const guard_context& c) noexcept {
  switch (g) {
    case guard::none:
      return true;
    case guard::needs_cost_estimate:
      return c.cost_estimation;
    case guard::needs_policy_check:
      return c.policy_checks;
    case guard::finishes_without_apply:
      return c.plan_only || (!c.has_changes && !c.allow_empty_apply);
    case guard::auto_apply:
      return c.auto_apply || (!c.has_changes && c.allow_empty_apply);
    case guard::awaiting_confirmation:
      return !c.plan_only && !proceed_matches(from, c);
    case guard::plan_only:
      return c.plan_only;
    case guard::not_plan_only:
      return !c.plan_only;
    case guard::cancel_not_requested:
      return !c.cancel_requested;
    case guard::cancel_requested:
      return c.cancel_requested;
    case guard::force_cancel_available:
      return c.cancel_requested && c.force_cancel_available;
  }
  return false;
}

/// True when some `proceed` row (without awaiting_confirmation) matches: the run moves on by itself.
constexpr bool proceed_matches(run_status from, const guard_context& c) noexcept {
  for (const auto& t : run_transitions)
    if (t.from == from && t.event == run_event::proceed && t.when != guard::awaiting_confirmation &&
        holds(t.when, from, c))
      return true;
  return false;
}
}  // namespace detail

/// The row that fires for (status, event) under `ctx`, or nullptr when the event is refused.
constexpr const transition* find_transition(run_status from, run_event e, const guard_context& ctx) noexcept {
  for (const auto& t : run_transitions)
    if (t.from == from && t.event == e && detail::holds(t.when, from, ctx)) return &t;
  return nullptr;
}

/// The status after `e`, or nullopt when the table refuses it.
constexpr std::optional<run_status> next_status(run_status from, run_event e, const guard_context& ctx) noexcept {
  const transition* t = find_transition(from, e, ctx);
  if (!t) return std::nullopt;
  return t->to;
}

/// True when the table allows `e` in `from` under `ctx`.
constexpr bool can_fire(run_status from, run_event e, const guard_context& ctx) noexcept {
  return find_transition(from, e, ctx) != nullptr;
}

/// True when a run in `s` waits for a user (confirmation, discard or override).
constexpr bool is_paused(run_status s, const guard_context& ctx) noexcept {
  return can_fire(s, run_event::apply, ctx) || s == run_status::policy_override;
}

/// The `actions` object of a run, derived from the table.
struct run_actions {
  bool is_cancelable = false;        ///< cancel would be accepted
  bool is_confirmable = false;       ///< apply would be accepted
  bool is_discardable = false;       ///< discard would be accepted
  bool is_force_cancelable = false;  ///< force-cancel would be accepted
};

/// Derives the run's `actions` flags from the table.
constexpr run_actions actions_for(run_status s, const guard_context& ctx) noexcept {
  run_actions a;
  a.is_cancelable = can_fire(s, run_event::cancel, ctx);
  a.is_confirmable = can_fire(s, run_event::apply, ctx);
  a.is_discardable = can_fire(s, run_event::discard, ctx);
  a.is_force_cancelable = can_fire(s, run_event::force_cancel, ctx);
  return a;
}

/// Plan phase status derived from the run status and the last non-final status before it (reference 7.7).
constexpr phase_status plan_status_for(run_status s, run_status before_final) noexcept {
  switch (s) {
    case run_status::pending:
      return phase_status::pending;
    case run_status::plan_queued:
      return phase_status::queued;
    case run_status::planning:
      return phase_status::running;
    case run_status::errored:
      return before_final == run_status::planning ? phase_status::errored : phase_status::finished;
    case run_status::discarded:
      return before_final == run_status::pending ? phase_status::unreachable : phase_status::finished;
    case run_status::canceled:
    case run_status::force_canceled:
      switch (before_final) {
        case run_status::pending:
          return phase_status::unreachable;
        case run_status::plan_queued:
        case run_status::planning:
          return phase_status::canceled;
        default:
          return phase_status::finished;
      }
    default:
      return phase_status::finished;
  }
}

/// Apply phase status derived from the run status and the last non-final status before it (reference 7.7).
constexpr phase_status apply_status_for(run_status s, run_status before_final) noexcept {
  switch (s) {
    case run_status::apply_queued:
      return phase_status::queued;
    case run_status::applying:
      return phase_status::running;
    case run_status::applied:
      return phase_status::finished;
    case run_status::errored:
      return before_final == run_status::applying ? phase_status::errored : phase_status::unreachable;
    case run_status::canceled:
    case run_status::force_canceled:
      return (before_final == run_status::applying || before_final == run_status::apply_queued)
                 ? phase_status::canceled
                 : phase_status::unreachable;
    case run_status::planned_and_finished:
    case run_status::policy_soft_failed:
    case run_status::discarded:
      return phase_status::unreachable;
    default:
      return phase_status::pending;
  }
}

/// Marks a status that no sequence of rows connects (in run_distances).
inline constexpr int unreachable_distance = 1 << 20;

/// Per status, the least number of rows (self-transitions aside, guards ignored) between it and
/// `anchor`: towards `anchor` when `towards` is true (how far each status is from reaching it), else
/// away from it (how far each status lies from `anchor`). unreachable_distance where none leads.
constexpr std::array<int, run_status_count> run_distances(run_status anchor, bool towards) noexcept {
  std::array<int, run_status_count> dist{};
  for (auto& d : dist) d = unreachable_distance;
  dist[static_cast<std::size_t>(anchor)] = 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& t : run_transitions) {
      if (t.from == t.to) continue;
      const int near = dist[static_cast<std::size_t>(towards ? t.to : t.from)];
      int& far = dist[static_cast<std::size_t>(towards ? t.from : t.to)];
      if (near != unreachable_distance && near + 1 < far) {
        far = near + 1;
        changed = true;
      }
    }
  }
  return dist;
}

namespace detail {
/// Compile-time checks over the table (see static_asserts below).
constexpr bool table_has_no_rows_out_of_final_states() noexcept {
  for (const auto& t : run_transitions)
    if (is_final(t.from)) return false;
  return true;
}
constexpr bool table_has_no_duplicate_rows() noexcept {
  for (std::size_t i = 0; i < run_transition_count; ++i)
    for (std::size_t j = i + 1; j < run_transition_count; ++j)
      if (run_transitions[i].from == run_transitions[j].from && run_transitions[i].event == run_transitions[j].event &&
          run_transitions[i].when == run_transitions[j].when)
        return false;
  return true;
}
constexpr bool every_status_reachable_from_pending() noexcept {
  for (int d : run_distances(run_status::pending, false))
    if (d == unreachable_distance) return false;
  return true;
}
constexpr bool every_non_final_status_can_end() noexcept {
  // every non-final status has at least one row leading elsewhere
  for (run_status s : all_run_statuses) {
    if (is_final(s)) continue;
    bool out = false;
    for (const auto& t : run_transitions)
      if (t.from == s && t.to != s) out = true;
    if (!out) return false;
  }
  return true;
}
}  // namespace detail

static_assert(detail::table_has_no_rows_out_of_final_states(), "run_transitions: a final status has an outgoing row");
static_assert(detail::table_has_no_duplicate_rows(), "run_transitions: duplicate (from, event, guard) row");
static_assert(detail::every_status_reachable_from_pending(), "run_transitions: a status is unreachable from pending");
static_assert(detail::every_non_final_status_can_end(), "run_transitions: a non-final status has no way out");

}  // namespace tfe

#endif  // TFE_LIFECYCLE_RUN_STATE_MACHINE_HPP
