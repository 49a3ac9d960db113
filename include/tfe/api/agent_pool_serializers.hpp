// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// JSON:API objects of agent pools.
#ifndef TFE_API_AGENT_POOL_SERIALIZERS_HPP
#define TFE_API_AGENT_POOL_SERIALIZERS_HPP

#include <tfe/api/serializers.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/model/agent_pool.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// Writes an agent pool; `workspaces` are the ids of the workspaces that use it.
inline void write_agent_pool(json_writer& w, const agent_pool& p, const std::vector<resource_id>& workspaces = {}) {
  w.begin_object().member("id", p.id.view()).member("type", "agent-pools");
  w.key("attributes").begin_object();
  detail::write_attributes(w, p);
  w.member("agent-count", 0);
  w.end_object();
  const auto to_many = [&](std::string_view name, std::string_view type, const std::vector<resource_id>& ids) {
    w.key(name).begin_object().key("data").begin_array();
    for (const auto& id : ids) w.begin_object().member("type", type).member("id", id.view()).end_object();
    w.end_array().end_object();
  };
  w.key("relationships").begin_object();
  detail::to_one(w, "organization", "organizations", p.organization);
  to_many("workspaces", "workspaces", workspaces);
  to_many("allowed-workspaces", "workspaces", p.allowed_workspaces);
  to_many("allowed-projects", "projects", p.allowed_projects);
  to_many("excluded-workspaces", "workspaces", p.excluded_workspaces);
  w.key("agents").begin_object().key("links").begin_object();
  w.member("related", "/api/v2/agent-pools/" + p.id.str() + "/agents").end_object().end_object();
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/agent-pools/" + p.id.str()).end_object();
  w.end_object();
}

}  // namespace tfe

#endif  // TFE_API_AGENT_POOL_SERIALIZERS_HPP
