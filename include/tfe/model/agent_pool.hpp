// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// An agent pool: a named group of self-hosted agents that runs of `agent` execution mode go to.
#ifndef TFE_MODEL_AGENT_POOL_HPP
#define TFE_MODEL_AGENT_POOL_HPP

#include <tfe/model/field.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/time.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// An agent pool (`agent-pools`, "apool-..."). tfe has no agents: runs of a workspace in `agent`
/// execution mode are executed by the engine's executor, as remote runs are.
struct agent_pool {
  resource_id id;                                ///< "apool-..."
  std::string organization;                      ///< owning organization's name
  std::string name;                              ///< unique per organization
  bool organization_scoped = true;               ///< every workspace of the organization may use it
  time_point created_at{};                       ///< creation
  std::vector<resource_id> allowed_workspaces;   ///< when not organization-scoped: the workspaces that may
  std::vector<resource_id> allowed_projects;     ///< ... and the projects whose workspaces may
  std::vector<resource_id> excluded_workspaces;  ///< workspaces that may not, whatever the scope
};

/// Fields of an agent pool create or update.
struct agent_pool_options {
  std::optional<std::string> name;                              ///< required on create
  std::optional<bool> organization_scoped;                      ///< organization-scoped
  std::optional<std::vector<std::string>> allowed_workspaces;   ///< relationships.allowed-workspaces
  std::optional<std::vector<std::string>> allowed_projects;     ///< relationships.allowed-projects
  std::optional<std::vector<std::string>> excluded_workspaces;  ///< relationships.excluded-workspaces
};

/// True for a valid agent pool name: 1-90 printable characters (TFE checks little more).
constexpr bool is_valid_agent_pool_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 90) return false;
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

/// The fields of an agent pool: stored form, response attributes and what create/update requests set.
template <class F>
constexpr void visit_fields(entity_tag<agent_pool>, F&& f) {
  using p = agent_pool;
  using opt = agent_pool_options;
  constexpr auto s = field_use::stored;
  constexpr auto sa = field_use::stored | field_use::attribute;
  f(make_field("id", &p::id, s));
  f(make_field("organization", &p::organization, s));
  f(make_field("name", &p::name, sa, &opt::name));
  f(make_field("organization-scoped", &p::organization_scoped, sa, &opt::organization_scoped));
  f(make_field("created-at", &p::created_at, sa));
  f(make_field("allowed-workspaces", &p::allowed_workspaces, s));
  f(make_field("allowed-projects", &p::allowed_projects, s));
  f(make_field("excluded-workspaces", &p::excluded_workspaces, s));
}

}  // namespace tfe

#endif  // TFE_MODEL_AGENT_POOL_HPP
