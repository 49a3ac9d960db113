// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A run with its plan and apply phases, and run comments.
#ifndef TFE_MODEL_RUN_HPP
#define TFE_MODEL_RUN_HPP

#include <tfe/lifecycle/run_state_machine.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/time.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// Where a run came from (the `source` attribute).
enum class run_source : std::uint8_t { tfe_api, tfe_ui, tfe_configuration_version, terraform, terraform_cloud };

/// The wire string of a run source.
constexpr std::string_view to_string(run_source s) noexcept {
  switch (s) {
    case run_source::tfe_api: return "tfe-api";
    case run_source::tfe_ui: return "tfe-ui";
    case run_source::tfe_configuration_version: return "tfe-configuration-version";
    case run_source::terraform: return "terraform";
    case run_source::terraform_cloud: return "terraform+cloud";
  }
  return "tfe-api";
}

/// Result of the policy-check stage.
enum class policy_result : std::uint8_t { pass, soft_fail, hard_fail };

/// The name of a policy result ("pass", "soft-fail", "hard-fail"), as snapshots and the admin API write it.
constexpr std::string_view to_string(policy_result p) noexcept {
  switch (p) {
    case policy_result::pass: return "pass";
    case policy_result::soft_fail: return "soft-fail";
    case policy_result::hard_fail: return "hard-fail";
  }
  return "pass";
}

/// Resource counts a plan or apply reports.
struct resource_counts {
  std::int64_t additions = 0;     ///< resources to add / added
  std::int64_t changes = 0;       ///< resources to change / changed
  std::int64_t destructions = 0;  ///< resources to destroy / destroyed
  std::int64_t imports = 0;       ///< resources to import / imported
  /// True when anything would change.
  constexpr bool any() const noexcept { return additions || changes || destructions || imports; }
};

/// A run-scoped variable (key and HCL literal value).
struct run_variable {
  std::string key;    ///< variable name
  std::string value;  ///< HCL literal, e.g. "\"abc\""
};

/// A comment on a run (type `comments`, id `wsc-...`).
struct run_comment {
  resource_id id;       ///< "wsc-..."
  resource_id run_id;   ///< the run
  std::string body;     ///< the text
  run_event action{};   ///< the action it was given with (apply, discard, cancel...) or proceed for a plain comment
  time_point created_at{};  ///< when written
};

/// A run (reference section 5) including its plan and apply phase data.
struct run {
  /// Sentinel for "no timestamp recorded".
  static constexpr std::int64_t no_time = std::numeric_limits<std::int64_t>::min();

  resource_id id;                       ///< "run-..."; plan and apply ids share its suffix
  resource_id workspace_id;             ///< the workspace it runs in
  resource_id configuration_version_id; ///< the configuration it plans
  resource_id created_by;               ///< user id
  resource_id confirmed_by;             ///< user id, when applied by a user
  resource_id canceled_by;              ///< user id, when canceled
  run_status status = run_status::pending;    ///< current status
  run_status before_final = run_status::pending;  ///< last non-final status (derives phase statuses)
  run_source source = run_source::tfe_api;    ///< where it came from
  std::string message;                  ///< free text ("Queued manually via the Terraform API")
  std::string terraform_version;        ///< workspace version at creation, or plan-only override
  time_point created_at{};              ///< creation time
  time_point updated_at{};              ///< last change
  std::array<std::int64_t, run_status_count> status_ms;  ///< per status: when entered (ms) or no_time
  std::int64_t force_cancel_available_at_ms = no_time;    ///< set by cancel
  bool is_destroy = false;              ///< destroy plan
  bool refresh = true;                  ///< refresh state before planning
  bool refresh_only = false;            ///< refresh-only plan
  bool plan_only = false;               ///< speculative run
  bool auto_apply = false;              ///< effective auto-apply (from the workspace when not given)
  bool allow_empty_apply = false;       ///< apply even with no changes
  bool allow_config_generation = false; ///< import-block config generation
  bool save_plan = false;               ///< saved-plan run (stored; behaves as plan-and-apply)
  bool debugging_mode = false;          ///< TF_LOG=TRACE
  bool cancel_requested = false;        ///< a cancel was requested while planning/applying
  bool cost_estimation = false;         ///< organization enabled cost estimation at creation
  bool policy_checks = false;           ///< policy checks apply
  bool has_changes = false;             ///< the plan proposed changes
  std::vector<std::string> target_addrs;   ///< -target
  std::vector<std::string> replace_addrs;  ///< -replace
  std::vector<run_variable> variables;     ///< run variables
  resource_counts plan_counts;          ///< what the plan proposed
  resource_counts apply_counts;         ///< what the apply did
  std::string error_text;               ///< why it errored (shown in logs)
  std::string plan_log;                 ///< custom plan log from the executor (empty: rendered)
  std::string apply_log;                ///< custom apply log from the executor (empty: rendered)
  double cost_delta_monthly = 0;        ///< cost estimate: proposed monthly delta
  std::uint32_t comment_count = 0;      ///< comments written on the run
  std::uint32_t step = 0;               ///< transition counter; stale timers carry an older value
  policy_result policy_outcome = policy_result::pass;  ///< what the policy stage will report
  bool slow_cancel = false;             ///< the running phase ignores cancel requests
  std::int64_t cancel_duration_ms = 0;  ///< time a cancel request takes to stop the phase
  bool plan_errored = false;            ///< the plan phase failed (error_text says why)
  bool apply_errored = false;           ///< the apply phase failed (error_text says why)

  run() { status_ms.fill(no_time); }

  /// When the run entered `s`, if it did.
  std::optional<time_point> entered_at(run_status s) const noexcept {
    auto v = status_ms[static_cast<std::size_t>(s)];
    if (v == no_time) return std::nullopt;
    return from_unix_ms(v);
  }
  /// The facts the lifecycle table's guards read, at time `now`.
  guard_context context(time_point now) const noexcept {
    guard_context c;
    c.plan_only = plan_only;
    c.has_changes = has_changes;
    c.allow_empty_apply = allow_empty_apply;
    c.auto_apply = auto_apply && !save_plan;
    c.cost_estimation = cost_estimation;
    c.policy_checks = policy_checks;
    c.cancel_requested = cancel_requested;
    c.force_cancel_available =
        cancel_requested && force_cancel_available_at_ms != no_time && to_unix_ms(now) >= force_cancel_available_at_ms;
    return c;
  }
  /// The `actions` flags at time `now`.
  run_actions actions(time_point now) const noexcept { return actions_for(status, context(now)); }
  /// The plan phase status.
  phase_status plan_status() const noexcept { return plan_status_for(status, before_final); }
  /// The apply phase status.
  phase_status apply_status() const noexcept { return apply_status_for(status, before_final); }
  /// The operation used by filter[operation].
  std::string_view operation() const noexcept {
    if (is_destroy) return "destroy";
    if (refresh_only) return "refresh_only";
    if (plan_only) return "plan_only";
    if (save_plan) return "save_plan";
    if (allow_empty_apply) return "empty_apply";
    return "plan_and_apply";
  }
};

/// Options of a run create (POST /runs attributes and relationships).
struct run_options {
  resource_id workspace_id;                         ///< required
  std::optional<resource_id> configuration_version_id;  ///< default: the workspace's current one
  std::optional<std::string> message;               ///< default "Queued manually via the Terraform Enterprise API"
  std::optional<bool> is_destroy;                   ///< destroy plan
  std::optional<bool> refresh;                      ///< default true
  std::optional<bool> refresh_only;                 ///< refresh-only
  std::optional<bool> plan_only;                    ///< default: the CV's speculative
  std::optional<bool> auto_apply;                   ///< default: the workspace's auto-apply
  std::optional<bool> allow_empty_apply;            ///< allow-empty-apply
  std::optional<bool> allow_config_generation;      ///< allow-config-generation
  std::optional<bool> save_plan;                    ///< save-plan
  std::optional<bool> debugging_mode;               ///< debugging-mode
  std::optional<std::string> terraform_version;     ///< only for plan-only runs
  std::optional<std::vector<std::string>> target_addrs;   ///< -target
  std::optional<std::vector<std::string>> replace_addrs;  ///< -replace
  std::optional<std::vector<run_variable>> variables;     ///< run variables
  run_source source = run_source::tfe_api;           ///< where it came from
};

}  // namespace tfe

#endif  // TFE_MODEL_RUN_HPP
