// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A workspace: settings, its run queue and its lock.
#ifndef TFE_MODEL_WORKSPACE_HPP
#define TFE_MODEL_WORKSPACE_HPP

#include <tfe/model/execution_mode.hpp>
#include <tfe/model/field.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/tag.hpp>
#include <tfe/model/time.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// A workspace's own data (reference section 3): settings, lock and queue, without the indexes of what
/// it holds. Queue fields are maintained by the engine.
struct workspace_data {
  resource_id id;                                                    ///< "ws-..."
  std::string organization;                                          ///< owning organization's name
  std::string name;                                                  ///< unique per organization
  std::string description;                                           ///< free text
  time_point created_at{};                                           ///< creation time
  time_point updated_at{};                                           ///< last settings change
  bool auto_apply = false;                                           ///< plans with changes apply without confirmation
  bool auto_apply_run_trigger = false;                               ///< same, for run-trigger runs
  bool queue_all_runs = false;                                       ///< VCS gating (stored only)
  bool speculative_enabled = true;                                   ///< automatic speculative plans (stored only)
  bool allow_destroy_plan = true;                                    ///< destroy runs may be queued
  bool file_triggers_enabled = true;                                 ///< VCS only (stored only)
  bool global_remote_state = false;                                  ///< stored only
  bool structured_run_output_enabled = true;                         ///< stored only
  bool assessments_enabled = false;                                  ///< stored only
  tfe::execution_mode execution_mode = tfe::execution_mode::remote;  ///< remote | local | agent
  std::string terraform_version = "1.9.8";                           ///< version or constraint
  std::string working_directory;                                     ///< relative path, or empty
  std::string source = "tfe-api";                                    ///< who created it
  std::string source_name;                                           ///< stored only
  std::string source_url;                                            ///< stored only
  std::string agent_pool_id;                                         ///< stored only
  std::vector<std::string> trigger_prefixes;                         ///< VCS only
  std::vector<std::string> trigger_patterns;                         ///< VCS only
  std::vector<std::string> tag_names;                                ///< tags
  std::vector<tag_binding> tag_bindings;            ///< key/value tags of its own (the project's are inherited)
  resource_id project_id;                           ///< its project ("prj-..."); the organization's default one
  std::vector<resource_id> remote_state_consumers;  ///< workspaces allowed to read its state
  bool project_remote_state = false;                ///< workspaces of the same project may read its state
  bool overwrites_execution_mode = true;            ///< its execution mode is its own, not the organization's
  bool overwrites_agent_pool = true;                ///< its agent pool is its own
  std::optional<time_point> auto_destroy_at;        ///< stored only
  std::string auto_destroy_activity_duration;       ///< "14d", or empty (the project's when inherited)
  bool inherits_project_auto_destroy = true;        ///< the duration follows its project's
  time_point latest_change_at{};                    ///< creation, or its latest state version's creation

  // --- lock and queue (engine-maintained) ---
  bool manually_locked = false;               ///< locked through actions/lock
  std::string locked_reason;                  ///< reason given on lock
  resource_id locked_by_user;                 ///< who holds the manual lock
  resource_id active_run;                     ///< the run holding the workspace, or empty
  resource_id current_run;                    ///< the run that most recently became current
  resource_id current_configuration_version;  ///< last non-speculative, non-provisional uploaded CV
  std::deque<resource_id> queue;              ///< pending runs waiting for the workspace, FIFO
  resource_id current_state_version;          ///< the latest finalized state version, or empty
  std::int64_t resource_count = 0;            ///< resources under management after applies

  /// True while locked manually or by an active run.
  bool locked() const noexcept { return manually_locked || !active_run.empty(); }
};

/// A workspace (reference section 3): its data and, as stored, the ids of what it holds in creation order.
/// The copies the engine hands out (reads, lists, updates) leave the three indexes empty, so a read of a
/// workspace with 100k runs copies no 100k ids: walk them with list_runs, list_configuration_versions and
/// list_state_versions; `run_count` tells how many runs there are.
struct workspace : workspace_data {
  std::vector<resource_id> runs;                    ///< every run, in creation order (stored: the list index)
  std::vector<resource_id> configuration_versions;  ///< every CV, in creation order (stored)
  std::vector<resource_id> state_versions;          ///< every state version, in creation order (stored)
  std::size_t run_count = 0;                        ///< in the engine's copies: how many runs the workspace has
};

/// Fields of a workspace create or update; unset fields keep their value (or default).
struct workspace_options {
  std::optional<std::string> name;                            ///< required on create
  std::optional<std::string> description;                     ///< free text
  std::optional<bool> auto_apply;                             ///< auto-apply
  std::optional<bool> auto_apply_run_trigger;                 ///< auto-apply for run triggers
  std::optional<bool> queue_all_runs;                         ///< queue-all-runs
  std::optional<bool> speculative_enabled;                    ///< speculative-enabled
  std::optional<bool> allow_destroy_plan;                     ///< allow-destroy-plan
  std::optional<bool> file_triggers_enabled;                  ///< file-triggers-enabled
  std::optional<bool> global_remote_state;                    ///< global-remote-state
  std::optional<bool> structured_run_output_enabled;          ///< structured-run-output-enabled
  std::optional<bool> assessments_enabled;                    ///< assessments-enabled
  std::optional<std::string> execution_mode;                  ///< remote | local | agent
  std::optional<bool> operations;                             ///< deprecated: false = local
  std::optional<std::string> terraform_version;               ///< version
  std::optional<std::string> working_directory;               ///< working directory
  std::optional<std::string> source_name;                     ///< source-name
  std::optional<std::string> source_url;                      ///< source-url
  std::optional<std::string> agent_pool_id;                   ///< agent pool
  std::optional<std::vector<std::string>> trigger_prefixes;   ///< trigger-prefixes
  std::optional<std::vector<std::string>> trigger_patterns;   ///< trigger-patterns
  std::optional<std::vector<std::string>> tag_names;          ///< tag-names
  std::optional<std::string> project_id;                      ///< relationships.project
  std::optional<std::vector<tag_binding>> tag_bindings;       ///< relationships.tag-bindings
  std::optional<bool> project_remote_state;                   ///< project-remote-state
  std::optional<std::optional<time_point>> auto_destroy_at;   ///< auto-destroy-at, or null to clear
  std::optional<std::string> auto_destroy_activity_duration;  ///< auto-destroy-activity-duration
  std::optional<bool> inherits_project_auto_destroy;          ///< inherits-project-auto-destroy
  std::optional<bool> overwrites_execution_mode;              ///< setting-overwrites.execution-mode
  std::optional<bool> overwrites_agent_pool;                  ///< setting-overwrites.agent-pool
};

/// The fields of a workspace: stored form, response attributes and what create/update requests set.
/// Engine-maintained indexes (`runs`, `configuration_versions`) are not fields: snapshots rebuild them.
template <class F>
constexpr void visit_fields(entity_tag<workspace>, F&& f) {
  using w = workspace;
  using opt = workspace_options;
  constexpr auto s = field_use::stored;
  constexpr auto sa = field_use::stored | field_use::attribute;
  f(make_field("id", &w::id, s));
  f(make_field("organization", &w::organization, s));
  f(make_field("name", &w::name, sa, &opt::name));
  f(make_field("description", &w::description, sa, &opt::description));
  f(make_field("created-at", &w::created_at, sa));
  f(make_field("updated-at", &w::updated_at, sa));
  f(make_field("auto-apply", &w::auto_apply, sa, &opt::auto_apply));
  f(make_field("auto-apply-run-trigger", &w::auto_apply_run_trigger, sa, &opt::auto_apply_run_trigger));
  f(make_field("queue-all-runs", &w::queue_all_runs, sa, &opt::queue_all_runs));
  f(make_field("speculative-enabled", &w::speculative_enabled, sa, &opt::speculative_enabled));
  f(make_field("allow-destroy-plan", &w::allow_destroy_plan, sa, &opt::allow_destroy_plan));
  f(make_field("file-triggers-enabled", &w::file_triggers_enabled, sa, &opt::file_triggers_enabled));
  f(make_field("global-remote-state", &w::global_remote_state, sa, &opt::global_remote_state));
  f(make_field("structured-run-output-enabled", &w::structured_run_output_enabled, sa,
               &opt::structured_run_output_enabled));
  f(make_field("assessments-enabled", &w::assessments_enabled, sa, &opt::assessments_enabled));
  f(make_field("execution-mode", &w::execution_mode, sa, &opt::execution_mode));
  f(request_field<w>("operations", &opt::operations));
  f(make_field("terraform-version", &w::terraform_version, sa, &opt::terraform_version));
  f(make_field("working-directory", &w::working_directory, sa, &opt::working_directory));
  f(make_field("source", &w::source, sa));
  f(make_field("source-name", &w::source_name, sa, &opt::source_name));
  f(make_field("source-url", &w::source_url, sa, &opt::source_url));
  f(make_field("agent-pool-id", &w::agent_pool_id, sa | field_use::null_if_empty, &opt::agent_pool_id));
  f(make_field("trigger-prefixes", &w::trigger_prefixes, sa, &opt::trigger_prefixes));
  f(make_field("trigger-patterns", &w::trigger_patterns, sa, &opt::trigger_patterns));
  f(make_field("tag-names", &w::tag_names, sa, &opt::tag_names));
  f(make_field("tag-bindings", &w::tag_bindings, s));
  f(make_field("project", &w::project_id, s));
  f(make_field("remote-state-consumers", &w::remote_state_consumers, s));
  f(make_field("project-remote-state", &w::project_remote_state, sa, &opt::project_remote_state));
  f(make_field("overwrites-execution-mode", &w::overwrites_execution_mode, s));
  f(make_field("overwrites-agent-pool", &w::overwrites_agent_pool, s));
  f(make_field("auto-destroy-at", &w::auto_destroy_at, sa));
  f(make_field("auto-destroy-activity-duration", &w::auto_destroy_activity_duration, sa | field_use::null_if_empty,
               &opt::auto_destroy_activity_duration));
  f(make_field("inherits-project-auto-destroy", &w::inherits_project_auto_destroy, sa,
               &opt::inherits_project_auto_destroy));
  f(make_field("latest-change-at", &w::latest_change_at, sa));
  f(make_field("locked", &w::manually_locked, s));
  f(make_field("locked-reason", &w::locked_reason, sa));
  f(make_field("locked-by", &w::locked_by_user, s));
  f(make_field("active-run", &w::active_run, s));
  f(make_field("current-run", &w::current_run, s));
  f(make_field("current-configuration-version", &w::current_configuration_version, s));
  f(make_field("queue", &w::queue, s));
  f(make_field("current-state-version", &w::current_state_version, s));
  f(make_field("resource-count", &w::resource_count, sa));
}

/// True when `name` is a valid workspace name: 1-90 of [A-Za-z0-9_-] (TFE's rule).
constexpr bool is_valid_workspace_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 90) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// True for a Terraform version ("1.9.8", "1.10.0-beta1"), "latest", or a constraint of operators and
/// versions ("~> 1.5", ">= 1.2.0, < 2.0.0").
constexpr bool is_valid_terraform_version(std::string_view v) noexcept {
  if (v == "latest") return true;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  // one version: N.N.N with an optional -prerelease, or N.N for constraints
  auto version = [&](std::string_view s, bool allow_short) {
    int parts = 0;
    std::size_t i = 0;
    while (true) {
      std::size_t start = i;
      while (i < s.size() && is_digit(s[i])) ++i;
      if (i == start || i - start > 6) return false;
      ++parts;
      if (i < s.size() && s[i] == '.' && parts < 3) {
        ++i;
        continue;
      }
      break;
    }
    if (parts < (allow_short ? 1 : 3)) return false;
    if (i < s.size() && s[i] == '-') {
      ++i;
      if (i == s.size()) return false;
      for (; i < s.size(); ++i) {
        const char c = s[i];
        if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.')) return false;
      }
    }
    return i == s.size();
  };
  if (v.empty() || v.size() > 128) return false;
  if (version(v, false)) return true;
  // a comma-separated list of "<op> version"
  while (!v.empty()) {
    auto comma = v.find(',');
    std::string_view part = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    std::size_t op = 0;
    while (op < part.size() &&
           (part[op] == '~' || part[op] == '>' || part[op] == '<' || part[op] == '=' || part[op] == '!'))
      ++op;
    if (op > 2) return false;
    std::string_view rest = part.substr(op);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (!version(rest, op > 0)) return false;
  }
  return true;
}

}  // namespace tfe

#endif  // TFE_MODEL_WORKSPACE_HPP
