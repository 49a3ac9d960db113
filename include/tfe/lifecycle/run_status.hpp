// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Run, plan and apply statuses with their wire strings.
#ifndef TFE_LIFECYCLE_RUN_STATUS_HPP
#define TFE_LIFECYCLE_RUN_STATUS_HPP

#include <tfe/detail/enum_names.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
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

namespace detail {
/// The wire names of run_status, in enumerator order.
template <>
struct enum_names<run_status> {
  static constexpr std::string_view value[] = {
      "pending",
      "plan_queued",
      "planning",
      "planned",
      "cost_estimating",
      "cost_estimated",
      "policy_checking",
      "policy_checked",
      "policy_override",
      "policy_soft_failed",
      "planned_and_finished",
      "confirmed",
      "apply_queued",
      "applying",
      "applied",
      "discarded",
      "errored",
      "canceled",
      "force_canceled",
  };
};
/// The status-timestamps key of each run_status, in enumerator order (pending -> "plan-queueable-at").
inline constexpr std::string_view run_status_timestamp_keys[] = {
    "plan-queueable-at",
    "plan-queued-at",
    "planning-at",
    "planned-at",
    "cost-estimating-at",
    "cost-estimated-at",
    "policy-checking-at",
    "policy-checked-at",
    "policy-override-at",
    "policy-soft-failed-at",
    "planned-and-finished-at",
    "confirmed-at",
    "apply-queued-at",
    "applying-at",
    "applied-at",
    "discarded-at",
    "errored-at",
    "canceled-at",
    "force-canceled-at",
};
}  // namespace detail

/// Number of run_status enumerators.
inline constexpr std::size_t run_status_count = detail::enum_count<run_status>;
static_assert(run_status_count == static_cast<std::size_t>(run_status::force_canceled) + 1,
              "run_status: the name table must list every enumerator");
static_assert(std::size(detail::run_status_timestamp_keys) == run_status_count,
              "run_status: the timestamp key table must list every enumerator");

/// Every run status in lifecycle order.
inline constexpr std::array<run_status, run_status_count> all_run_statuses = detail::all_enumerators<run_status>();

/// The wire string of a run status ("plan_queued").
constexpr std::string_view to_string(run_status s) noexcept { return detail::enum_name(s); }

/// The status-timestamps key recorded when a run enters `s` ("plan-queued-at"; pending -> "plan-queueable-at").
constexpr std::string_view timestamp_key(run_status s) noexcept {
  return detail::enum_lookup(detail::run_status_timestamp_keys, s);
}

/// Parses a wire string into a run status; nullopt when unknown.
constexpr std::optional<run_status> run_status_from_string(std::string_view s) noexcept {
  return detail::enum_from_name<run_status>(s);
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
    case run_status::force_canceled:
      return true;
    default:
      return false;
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

namespace detail {
/// The wire names of phase_status, in enumerator order.
template <>
struct enum_names<phase_status> {
  static constexpr std::string_view value[] = {"pending", "queued",   "running",    "finished",
                                               "errored", "canceled", "unreachable"};
};
}  // namespace detail
static_assert(detail::enum_count<phase_status> == static_cast<std::size_t>(phase_status::unreachable) + 1,
              "phase_status: the name table must list every enumerator");

/// The wire string of a plan or apply status.
constexpr std::string_view to_string(phase_status s) noexcept { return detail::enum_name(s); }

/// True when a plan or apply phase will not change any more (go-tfe's log reader stops).
constexpr bool is_final(phase_status s) noexcept {
  return s == phase_status::finished || s == phase_status::errored || s == phase_status::canceled ||
         s == phase_status::unreachable;
}

}  // namespace tfe

#endif  // TFE_LIFECYCLE_RUN_STATUS_HPP
