// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Run, plan and apply statuses with their wire strings.
#ifndef TFE_LIFECYCLE_RUN_STATUS_HPP
#define TFE_LIFECYCLE_RUN_STATUS_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tfe {

/// A run's status; enumerators are spelled like the wire strings (docs/run-lifecycle.md).
enum class run_status : std::uint8_t {
  pending,
  plan_queued,
  planning,
  planned,
  cost_estimating,
  cost_estimated,
  policy_checking,
  policy_checked,
  policy_override,
  policy_soft_failed,
  planned_and_finished,
  confirmed,
  apply_queued,
  applying,
  applied,
  discarded,
  errored,
  canceled,
  force_canceled,
};

/// Number of run_status enumerators.
inline constexpr std::size_t run_status_count = 19;

/// Every run status in lifecycle order.
inline constexpr run_status all_run_statuses[run_status_count] = {
    run_status::pending,          run_status::plan_queued,        run_status::planning,
    run_status::planned,          run_status::cost_estimating,    run_status::cost_estimated,
    run_status::policy_checking,  run_status::policy_checked,     run_status::policy_override,
    run_status::policy_soft_failed, run_status::planned_and_finished, run_status::confirmed,
    run_status::apply_queued,     run_status::applying,           run_status::applied,
    run_status::discarded,        run_status::errored,            run_status::canceled,
    run_status::force_canceled,
};

/// The wire string of a run status ("plan_queued").
constexpr std::string_view to_string(run_status s) noexcept {
  switch (s) {
    case run_status::pending: return "pending";
    case run_status::plan_queued: return "plan_queued";
    case run_status::planning: return "planning";
    case run_status::planned: return "planned";
    case run_status::cost_estimating: return "cost_estimating";
    case run_status::cost_estimated: return "cost_estimated";
    case run_status::policy_checking: return "policy_checking";
    case run_status::policy_checked: return "policy_checked";
    case run_status::policy_override: return "policy_override";
    case run_status::policy_soft_failed: return "policy_soft_failed";
    case run_status::planned_and_finished: return "planned_and_finished";
    case run_status::confirmed: return "confirmed";
    case run_status::apply_queued: return "apply_queued";
    case run_status::applying: return "applying";
    case run_status::applied: return "applied";
    case run_status::discarded: return "discarded";
    case run_status::errored: return "errored";
    case run_status::canceled: return "canceled";
    case run_status::force_canceled: return "force_canceled";
  }
  return "errored";
}

/// The status-timestamps key recorded when a run enters `s` ("plan-queued-at"; pending -> "plan-queueable-at").
constexpr std::string_view timestamp_key(run_status s) noexcept {
  switch (s) {
    case run_status::pending: return "plan-queueable-at";
    case run_status::plan_queued: return "plan-queued-at";
    case run_status::planning: return "planning-at";
    case run_status::planned: return "planned-at";
    case run_status::cost_estimating: return "cost-estimating-at";
    case run_status::cost_estimated: return "cost-estimated-at";
    case run_status::policy_checking: return "policy-checking-at";
    case run_status::policy_checked: return "policy-checked-at";
    case run_status::policy_override: return "policy-override-at";
    case run_status::policy_soft_failed: return "policy-soft-failed-at";
    case run_status::planned_and_finished: return "planned-and-finished-at";
    case run_status::confirmed: return "confirmed-at";
    case run_status::apply_queued: return "apply-queued-at";
    case run_status::applying: return "applying-at";
    case run_status::applied: return "applied-at";
    case run_status::discarded: return "discarded-at";
    case run_status::errored: return "errored-at";
    case run_status::canceled: return "canceled-at";
    case run_status::force_canceled: return "force-canceled-at";
  }
  return "errored-at";
}

/// Parses a wire string into a run status; nullopt when unknown.
constexpr std::optional<run_status> run_status_from_string(std::string_view s) noexcept {
  for (run_status st : all_run_statuses)
    if (to_string(st) == s) return st;
  return std::nullopt;
}

/// True for statuses a run never leaves.
constexpr bool is_final(run_status s) noexcept {
  switch (s) {
    case run_status::applied:
    case run_status::planned_and_finished:
    case run_status::policy_soft_failed:
    case run_status::discarded:
    case run_status::errored:
    case run_status::canceled:
    case run_status::force_canceled: return true;
    default: return false;
  }
}

/// Status of a run's plan or apply phase (reference 7.7).
enum class phase_status : std::uint8_t {
  pending,      ///< not started
  queued,       ///< waiting for the executor
  running,      ///< executing
  finished,     ///< succeeded
  errored,      ///< failed
  canceled,     ///< stopped by a cancel
  unreachable,  ///< will never run
};

/// The wire string of a plan or apply status.
constexpr std::string_view to_string(phase_status s) noexcept {
  switch (s) {
    case phase_status::pending: return "pending";
    case phase_status::queued: return "queued";
    case phase_status::running: return "running";
    case phase_status::finished: return "finished";
    case phase_status::errored: return "errored";
    case phase_status::canceled: return "canceled";
    case phase_status::unreachable: return "unreachable";
  }
  return "unreachable";
}

/// True when a plan or apply phase will not change any more (go-tfe's log reader stops).
constexpr bool is_final(phase_status s) noexcept {
  return s == phase_status::finished || s == phase_status::errored || s == phase_status::canceled ||
         s == phase_status::unreachable;
}

}  // namespace tfe

#endif  // TFE_LIFECYCLE_RUN_STATUS_HPP
