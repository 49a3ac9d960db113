// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// An organization: the top-level owner of workspaces (its name is its API id).
#ifndef TFE_MODEL_ORGANIZATION_HPP
#define TFE_MODEL_ORGANIZATION_HPP

#include <tfe/model/execution_mode.hpp>
#include <tfe/model/field.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tfe {

/// An organization (reference section 2).
struct organization {
  std::string name;                                   ///< unique name; also the JSON:API id
  resource_id external_id;                            ///< "org-..."
  std::string email;                                  ///< owner email (required on create)
  time_point created_at{};                            ///< creation time
  std::optional<std::int64_t> session_timeout;        ///< minutes, or null
  std::optional<std::int64_t> session_remember;       ///< minutes, or null
  std::string collaborator_auth_policy = "password";  ///< "password" or "two_factor_mandatory"
  bool cost_estimation_enabled = false;               ///< runs pass through cost estimation
  bool policy_checks_enabled = false;                 ///< runs pass through policy checks (tfe extension)
  std::string owners_team_saml_role_id;               ///< SAML role id, or empty
  tfe::execution_mode default_execution_mode = tfe::execution_mode::remote;  ///< remote | local | agent
  bool saml_enabled = false;                                                 ///< read-only flag
  bool two_factor_conformant = false;                                        ///< read-only flag
  bool assessments_enforced = false;                                         ///< health assessments enforced
  resource_id default_project_id;                                            ///< its "Default Project" ("prj-...")
  resource_id default_agent_pool_id;                ///< the agent pool of its default `agent` execution mode, or empty
  bool allow_force_delete_workspaces = false;       ///< allow-force-delete-workspaces (echoed; no behaviour)
  bool stacks_enabled = false;                      ///< stacks-enabled (echoed; no behaviour)
  bool speculative_plan_management_enabled = true;  ///< speculative-plan-management-enabled (echoed)
  bool send_passing_statuses = false;             ///< send-passing-statuses-for-untriggered-speculative-plans (echoed)
  bool aggregated_commit_status_enabled = false;  ///< aggregated-commit-status-enabled (echoed)
};

/// Fields of an organization create or update; unset fields keep their value (or default).
struct organization_options {
  std::optional<std::string> name;                              ///< required on create
  std::optional<std::string> email;                             ///< required on create
  std::optional<std::optional<std::int64_t>> session_timeout;   ///< set (possibly to null)
  std::optional<std::optional<std::int64_t>> session_remember;  ///< set (possibly to null)
  std::optional<std::string> collaborator_auth_policy;          ///< password | two_factor_mandatory
  std::optional<bool> cost_estimation_enabled;                  ///< enable cost estimation
  std::optional<bool> policy_checks_enabled;                    ///< enable policy checks
  std::optional<std::string> owners_team_saml_role_id;          ///< SAML role
  std::optional<std::string> default_execution_mode;            ///< remote | local | agent
  std::optional<bool> assessments_enforced;                     ///< health assessments
  std::optional<bool> allow_force_delete_workspaces;            ///< allow-force-delete-workspaces
  std::optional<bool> stacks_enabled;                           ///< stacks-enabled
  std::optional<bool> speculative_plan_management_enabled;      ///< speculative-plan-management-enabled
  std::optional<bool> send_passing_statuses;             ///< send-passing-statuses-for-untriggered-speculative-plans
  std::optional<bool> aggregated_commit_status_enabled;  ///< aggregated-commit-status-enabled
  std::optional<std::string> default_agent_pool_id;      ///< relationships.default-agent-pool ("" = null)
};

/// The fields of an organization: stored form, response attributes and what create/update requests set.
template <class F>
constexpr void visit_fields(entity_tag<organization>, F&& f) {
  using o = organization;
  using opt = organization_options;
  constexpr auto s = field_use::stored;
  constexpr auto sa = field_use::stored | field_use::attribute;
  f(make_field("name", &o::name, sa, &opt::name));
  f(make_field("external-id", &o::external_id, sa));
  f(make_field("email", &o::email, sa, &opt::email));
  f(make_field("created-at", &o::created_at, sa));
  f(make_field("session-timeout", &o::session_timeout, sa, &opt::session_timeout));
  f(make_field("session-remember", &o::session_remember, sa, &opt::session_remember));
  f(make_field("collaborator-auth-policy", &o::collaborator_auth_policy, sa, &opt::collaborator_auth_policy));
  f(make_field("cost-estimation-enabled", &o::cost_estimation_enabled, sa, &opt::cost_estimation_enabled));
  f(make_field("policy-checks-enabled", &o::policy_checks_enabled, sa, &opt::policy_checks_enabled));
  f(make_field("owners-team-saml-role-id", &o::owners_team_saml_role_id, sa | field_use::null_if_empty,
               &opt::owners_team_saml_role_id));
  f(make_field("default-execution-mode", &o::default_execution_mode, sa, &opt::default_execution_mode));
  f(make_field("saml-enabled", &o::saml_enabled, sa));
  f(make_field("two-factor-conformant", &o::two_factor_conformant, sa));
  f(make_field("assessments-enforced", &o::assessments_enforced, sa, &opt::assessments_enforced));
  f(make_field("default-project", &o::default_project_id, s));
  f(make_field("default-agent-pool", &o::default_agent_pool_id, s));
  f(make_field("allow-force-delete-workspaces", &o::allow_force_delete_workspaces, sa,
               &opt::allow_force_delete_workspaces));
  f(make_field("stacks-enabled", &o::stacks_enabled, sa, &opt::stacks_enabled));
  f(make_field("speculative-plan-management-enabled", &o::speculative_plan_management_enabled, sa,
               &opt::speculative_plan_management_enabled));
  f(make_field("send-passing-statuses-for-untriggered-speculative-plans", &o::send_passing_statuses, sa,
               &opt::send_passing_statuses));
  f(make_field("aggregated-commit-status-enabled", &o::aggregated_commit_status_enabled, sa,
               &opt::aggregated_commit_status_enabled));
}

/// True when `name` is a valid organization name: 1-40 of [A-Za-z0-9_-] (TFE's rule).
constexpr bool is_valid_organization_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 40) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace tfe

#endif  // TFE_MODEL_ORGANIZATION_HPP
