// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A run with its plan and apply phases, and run comments.
#ifndef TFE_MODEL_RUN_HPP
#define TFE_MODEL_RUN_HPP

#include <tfe/detail/enum_names.hpp>
#include <tfe/lifecycle/run_state_machine.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/field.hpp>
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

namespace detail {
/// The wire names of run_source, in enumerator order.
template <>
struct enum_names<run_source> {
  static constexpr std::string_view value[] = {"tfe-api", "tfe-ui", "tfe-configuration-version", "terraform",
                                               "terraform+cloud"};
};
}  // namespace detail
static_assert(detail::enum_count<run_source> == static_cast<std::size_t>(run_source::terraform_cloud) + 1,
              "run_source: the name table must list every enumerator");

/// The wire string of a run source.
constexpr std::string_view to_string(run_source s) noexcept { return detail::enum_name(s); }

/// Result of the policy-check stage.
enum class policy_result : std::uint8_t { pass, soft_fail, hard_fail };

namespace detail {
/// The names of policy_result ("pass", "soft-fail", "hard-fail"), as snapshots and the admin API write them.
template <>
struct enum_names<policy_result> {
  static constexpr std::string_view value[] = {"pass", "soft-fail", "hard-fail"};
};
}  // namespace detail
static_assert(detail::enum_count<policy_result> == static_cast<std::size_t>(policy_result::hard_fail) + 1,
              "policy_result: the name table must list every enumerator");

/// The name of a policy result ("pass", "soft-fail", "hard-fail"), as snapshots and the admin API write it.
constexpr std::string_view to_string(policy_result p) noexcept { return detail::enum_name(p); }

/// Resource counts a plan or apply reports.
struct resource_counts {
  std::int64_t additions = 0;     ///< resources to add / added
  std::int64_t changes = 0;       ///< resources to change / changed
  std::int64_t destructions = 0;  ///< resources to destroy / destroyed
  std::int64_t imports = 0;       ///< resources to import / imported
  /// True when anything would change.
  constexpr bool any() const noexcept { return additions || changes || destructions || imports; }
  /// Equality of all four counts.
  friend constexpr bool operator==(const resource_counts& a, const resource_counts& b) noexcept {
    return a.additions == b.additions && a.changes == b.changes && a.destructions == b.destructions &&
           a.imports == b.imports;
  }
  /// Inequality of the counts.
  friend constexpr bool operator!=(const resource_counts& a, const resource_counts& b) noexcept { return !(a == b); }
};

/// A run-scoped variable (key and HCL literal value).
struct run_variable {
  std::string key;    ///< variable name
  std::string value;  ///< HCL literal, e.g. "\"abc\""
  /// Equality of key and value.
  friend bool operator==(const run_variable& a, const run_variable& b) noexcept {
    return a.key == b.key && a.value == b.value;
  }
  /// Inequality of key or value.
  friend bool operator!=(const run_variable& a, const run_variable& b) noexcept { return !(a == b); }
};

/// A comment on a run (type `comments`, id `wsc-...`).
struct run_comment {
  resource_id id;           ///< "wsc-..."
  resource_id run_id;       ///< the run
  std::string body;         ///< the text
  run_event action{};       ///< the action it was given with (apply, discard, cancel...) or proceed for a plain comment
  time_point created_at{};  ///< when written
};

/// A run (reference section 5) including its plan and apply phase data.
struct run {
  /// Sentinel for "no timestamp recorded".
  static constexpr std::int64_t no_time = std::numeric_limits<std::int64_t>::min();

  resource_id id;                                        ///< "run-..."; plan and apply ids share its suffix
  resource_id workspace_id;                              ///< the workspace it runs in
  resource_id configuration_version_id;                  ///< the configuration it plans
  resource_id created_by;                                ///< user id
  resource_id confirmed_by;                              ///< user id, when applied by a user
  resource_id canceled_by;                               ///< user id, when canceled
  run_status status = run_status::pending;               ///< current status
  run_status before_final = run_status::pending;         ///< last non-final status (derives phase statuses)
  run_source source = run_source::tfe_api;               ///< where it came from
  std::string message;                                   ///< free text ("Queued manually via the Terraform API")
  std::string terraform_version;                         ///< workspace version at creation, or plan-only override
  time_point created_at{};                               ///< creation time
  time_point updated_at{};                               ///< last change
  std::array<std::int64_t, run_status_count> status_ms;  ///< per status: when entered (ms) or no_time
  std::int64_t force_cancel_available_at_ms = no_time;   ///< set by cancel
  bool is_destroy = false;                               ///< destroy plan
  bool refresh = true;                                   ///< refresh state before planning
  bool refresh_only = false;                             ///< refresh-only plan
  bool plan_only = false;                                ///< speculative run
  bool auto_apply = false;                               ///< effective auto-apply (from the workspace when not given)
  bool allow_empty_apply = false;                        ///< apply even with no changes
  bool allow_config_generation = false;                  ///< import-block config generation
  bool save_plan = false;                                ///< saved-plan run (stored; behaves as plan-and-apply)
  bool debugging_mode = false;                           ///< TF_LOG=TRACE
  bool cancel_requested = false;                         ///< a cancel was requested while planning/applying
  bool cost_estimation = false;                          ///< organization enabled cost estimation at creation
  bool policy_checks = false;                            ///< policy checks apply
  bool has_changes = false;                              ///< the plan proposed changes
  std::vector<std::string> target_addrs;                 ///< -target
  std::vector<std::string> replace_addrs;                ///< -replace
  std::vector<run_variable> variables;                   ///< run variables
  std::vector<std::string> invoke_action_addrs;          ///< invoke-action-addrs (stored and echoed)
  std::vector<std::string> policy_paths;                 ///< policy-paths (stored and echoed)
  resource_id input_state_version;  ///< the workspace's current state version when the run was created
  resource_counts plan_counts;      ///< what the plan proposed
  resource_counts apply_counts;     ///< what the apply did
  std::string error_text;           ///< why it errored (shown in logs)
  std::string plan_log;             ///< custom plan log from the executor (empty: rendered)
  std::string planned;              ///< the planned changes read from the configuration (JSON text; empty: none)
  bool structured_log = false;      ///< logs as JSON lines (the workspace's structured run output)
  std::string apply_log;            ///< custom apply log from the executor (empty: rendered)
  double cost_delta_monthly = 0;    ///< cost estimate: proposed monthly delta
  std::uint32_t comment_count = 0;  ///< comments written on the run
  std::uint32_t step = 0;           ///< transition counter; stale timers carry an older value
  bool plan_errored = false;        ///< the plan phase failed (error_text says why)
  bool apply_errored = false;       ///< the apply phase failed (error_text says why)
  /// Stamped by the engine with a new value at every stored change of the run, unique within that
  /// engine's life (reset and restore included); 0: never stamped (e.g. decoded from disk). Neither
  /// stored nor sent: readers use it to tell an unchanged run from a changed one (document caches).
  std::uint64_t revision = 0;

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
  resource_id workspace_id;                              ///< required
  std::optional<resource_id> configuration_version_id;   ///< default: the workspace's current one
  std::optional<std::string> message;                    ///< default "Queued manually via the Terraform Enterprise API"
  std::optional<bool> is_destroy;                        ///< destroy plan
  std::optional<bool> refresh;                           ///< default true
  std::optional<bool> refresh_only;                      ///< refresh-only
  std::optional<bool> plan_only;                         ///< default: the CV's speculative
  std::optional<bool> auto_apply;                        ///< default: the workspace's auto-apply
  std::optional<bool> allow_empty_apply;                 ///< allow-empty-apply
  std::optional<bool> allow_config_generation;           ///< allow-config-generation
  std::optional<bool> save_plan;                         ///< save-plan
  std::optional<bool> debugging_mode;                    ///< debugging-mode
  std::optional<std::string> terraform_version;          ///< only for plan-only runs
  std::optional<std::vector<std::string>> target_addrs;  ///< -target
  std::optional<std::vector<std::string>> replace_addrs;        ///< -replace
  std::optional<std::vector<run_variable>> variables;           ///< run variables
  std::optional<std::vector<std::string>> invoke_action_addrs;  ///< invoke-action-addrs
  std::optional<std::vector<std::string>> policy_paths;         ///< policy-paths
  run_source source = run_source::tfe_api;                      ///< where it came from
};

/// The fields of a run: stored form, response attributes and what a create request sets. Attributes
/// derived from the status (actions, error-text, status-timestamps...) are written by the serializer.
template <class F>
constexpr void visit_fields(entity_tag<run>, F&& f) {
  using r = run;
  using opt = run_options;
  constexpr auto s = field_use::stored;
  constexpr auto sa = field_use::stored | field_use::attribute;
  f(make_field("id", &r::id, s));
  f(make_field("workspace", &r::workspace_id, s));
  f(make_field("configuration-version", &r::configuration_version_id, s));
  f(make_field("created-by", &r::created_by, s));
  f(make_field("confirmed-by", &r::confirmed_by, s));
  f(make_field("canceled-by", &r::canceled_by, s));
  f(make_field("status", &r::status, sa));
  f(make_field("before-final", &r::before_final, s));
  f(make_field("source", &r::source, sa));
  f(make_field("message", &r::message, sa, &opt::message));
  f(make_field("terraform-version", &r::terraform_version, sa, &opt::terraform_version));
  f(make_field("created-at", &r::created_at, sa));
  f(make_field("updated-at", &r::updated_at, sa));
  f(make_field("status-timestamps", &r::status_ms, s));
  f(make_field("force-cancel-available-at-ms", &r::force_cancel_available_at_ms, s));
  f(make_field("is-destroy", &r::is_destroy, sa, &opt::is_destroy));
  f(make_field("refresh", &r::refresh, sa, &opt::refresh));
  f(make_field("refresh-only", &r::refresh_only, sa, &opt::refresh_only));
  f(make_field("plan-only", &r::plan_only, sa, &opt::plan_only));
  f(make_field("auto-apply", &r::auto_apply, sa, &opt::auto_apply));
  f(make_field("allow-empty-apply", &r::allow_empty_apply, sa, &opt::allow_empty_apply));
  f(make_field("allow-config-generation", &r::allow_config_generation, sa, &opt::allow_config_generation));
  f(make_field("save-plan", &r::save_plan, sa, &opt::save_plan));
  f(make_field("debugging-mode", &r::debugging_mode, sa, &opt::debugging_mode));
  f(make_field("cancel-requested", &r::cancel_requested, s));
  f(make_field("cost-estimation", &r::cost_estimation, s));
  f(make_field("policy-checks", &r::policy_checks, s));
  f(make_field("has-changes", &r::has_changes, sa));
  f(make_field("target-addrs", &r::target_addrs, sa | field_use::null_if_empty, &opt::target_addrs));
  f(make_field("replace-addrs", &r::replace_addrs, sa | field_use::null_if_empty, &opt::replace_addrs));
  f(make_field("variables", &r::variables, sa, &opt::variables));
  f(make_field("invoke-action-addrs", &r::invoke_action_addrs, sa | field_use::null_if_empty,
               &opt::invoke_action_addrs));
  f(make_field("policy-paths", &r::policy_paths, sa | field_use::null_if_empty, &opt::policy_paths));
  f(make_field("input-state-version", &r::input_state_version, s));
  f(make_field("plan-counts", &r::plan_counts, s));
  f(make_field("apply-counts", &r::apply_counts, s));
  f(make_field("error-text", &r::error_text, s));
  f(make_field("plan-log", &r::plan_log, s));
  f(make_field("planned-changes", &r::planned, s));
  f(make_field("structured-log", &r::structured_log, s));
  f(make_field("apply-log", &r::apply_log, s));
  f(make_field("cost-delta-monthly", &r::cost_delta_monthly, s));
  f(make_field("comment-count", &r::comment_count, s));
  f(make_field("step", &r::step, s));
  f(make_field("plan-errored", &r::plan_errored, s));
  f(make_field("apply-errored", &r::apply_errored, s));
}

/// The fields of a run comment.
template <class F>
constexpr void visit_fields(entity_tag<run_comment>, F&& f) {
  using c = run_comment;
  constexpr auto s = field_use::stored;
  constexpr auto sa = field_use::stored | field_use::attribute;
  f(make_field("id", &c::id, s));
  f(make_field("run", &c::run_id, s));
  f(make_field("body", &c::body, sa));
  f(make_field("action", &c::action, s));
  f(make_field("created-at", &c::created_at, sa));
}

}  // namespace tfe

#endif  // TFE_MODEL_RUN_HPP
