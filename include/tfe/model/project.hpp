// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A project: a named group of an organization's workspaces (every organization has a default one).
#ifndef TFE_MODEL_PROJECT_HPP
#define TFE_MODEL_PROJECT_HPP

#include <tfe/model/field.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/tag.hpp>
#include <tfe/model/time.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// A project (`projects`, "prj-...").
struct project {
  resource_id id;                              ///< "prj-..."
  std::string organization;                    ///< owning organization's name
  std::string name;                            ///< unique per organization
  std::string description;                     ///< free text
  time_point created_at{};                     ///< creation
  std::string default_execution_mode;          ///< remote | local | agent, or empty: the organization's
  resource_id default_agent_pool_id;           ///< with its own `agent` mode: the pool, else empty
  std::string auto_destroy_activity_duration;  ///< "14d", or empty
  std::vector<tag_binding> tag_bindings;       ///< inherited by its workspaces
};

/// Fields of a project create or update.
struct project_options {
  std::optional<std::string> name;                            ///< required on create
  std::optional<std::string> description;                     ///< description
  std::optional<std::string> default_execution_mode;          ///< remote | local | agent
  std::optional<std::string> default_agent_pool_id;           ///< default-agent-pool-id ("" = none)
  std::optional<bool> overwrites_execution_mode;              ///< setting-overwrites.default-execution-mode
  std::optional<bool> overwrites_agent_pool;                  ///< setting-overwrites.default-agent-pool
  std::optional<std::string> auto_destroy_activity_duration;  ///< "14d", "12h"
  std::optional<std::vector<tag_binding>> tag_bindings;       ///< relationships.tag-bindings
};

/// The name of an organization's default project.
inline constexpr std::string_view default_project_name = "Default Project";

/// The id of an organization's default project: "prj-" and the suffix of its "org-..." id, so making
/// the default project takes no id from the generator (the ids of what follows stay as they were);
/// empty when the organization has no external id.
inline resource_id default_project_id_for(const resource_id& organization_external_id) {
  const std::string_view org = organization_external_id.view();
  const std::size_t dash = org.find('-');
  if (dash == std::string_view::npos || dash + 1 >= org.size()) return resource_id{};
  return resource_id(std::string("prj-").append(org.substr(dash + 1)));
}

/// True for a valid project name: 3-40 letters, digits, spaces, '-' or '_' (TFE's rule).
constexpr bool is_valid_project_name(std::string_view name) noexcept {
  if (name.size() < 3 || name.size() > 40) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

/// The fields of a project: stored form, response attributes and what create/update requests set.
template <class F>
constexpr void visit_fields(entity_tag<project>, F&& f) {
  using p = project;
  using opt = project_options;
  constexpr auto s = field_use::stored;
  constexpr auto sa = field_use::stored | field_use::attribute;
  f(make_field("id", &p::id, s));
  f(make_field("organization", &p::organization, s));
  f(make_field("name", &p::name, sa, &opt::name));
  f(make_field("description", &p::description, sa, &opt::description));
  f(make_field("created-at", &p::created_at, sa));
  f(make_field("default-execution-mode", &p::default_execution_mode, s, &opt::default_execution_mode));
  f(make_field("default-agent-pool-id", &p::default_agent_pool_id, s, &opt::default_agent_pool_id));
  f(make_field("auto-destroy-activity-duration", &p::auto_destroy_activity_duration, sa | field_use::null_if_empty,
               &opt::auto_destroy_activity_duration));
  f(make_field("tag-bindings", &p::tag_bindings, s));
}

}  // namespace tfe

#endif  // TFE_MODEL_PROJECT_HPP
