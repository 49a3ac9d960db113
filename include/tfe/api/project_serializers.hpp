// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// JSON:API objects of projects, tags and tag bindings.
#ifndef TFE_API_PROJECT_SERIALIZERS_HPP
#define TFE_API_PROJECT_SERIALIZERS_HPP

#include <tfe/api/serializers.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/model/organization.hpp>
#include <tfe/model/project.hpp>
#include <tfe/model/tag.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// Writes a project; a project without its own execution mode shows its organization's
/// (`org_default_mode`, with `org_default_pool` when that is `agent`).
inline void write_project(json_writer& w, const project& p, std::string_view org_default_mode,
                          std::string_view org_default_pool = {}) {
  w.begin_object().member("id", p.id.view()).member("type", "projects");
  w.key("attributes").begin_object();
  detail::write_attributes(w, p);
  const bool own_mode = !p.default_execution_mode.empty();
  w.member("default-execution-mode", own_mode ? std::string_view(p.default_execution_mode) : org_default_mode);
  w.member("is-unified", false);
  w.key("setting-overwrites").begin_object();
  w.member("default-execution-mode", own_mode).member("default-agent-pool", own_mode);
  w.end_object();
  w.key("permissions").begin_object();
  for (const char* perm : {"can-read", "can-update", "can-destroy", "can-create-workspace", "can-move-workspace",
                           "can-move-stack", "can-deploy-no-code-modules", "can-read-teams", "can-manage-tags",
                           "can-manage-teams", "can-manage-in-hcp", "can-manage-ephemeral-workspace-for-projects"})
    w.member(perm, true);
  w.end_object();
  w.end_object();
  const std::string self = "/api/v2/projects/" + p.id.str();
  w.key("relationships").begin_object();
  detail::to_one_related(w, "organization", "organizations", p.organization, "/api/v2/organizations/" + p.organization);
  detail::to_one(w, "default-agent-pool", "agent-pools", own_mode ? p.default_agent_pool_id.view() : org_default_pool);
  w.key("tag-bindings").begin_object().key("links").begin_object().member("related", self + "/tag-bindings");
  w.end_object().end_object();
  w.key("effective-tag-bindings").begin_object().key("data").begin_array();
  for (const auto& b : p.tag_bindings)
    w.begin_object()
        .member("type", "effective-tag-bindings")
        .member("id", tag_binding_id_of(p.id.view(), b.key).view())
        .end_object();
  w.end_array().key("links").begin_object();
  w.member("related", self + "/effective-tag-bindings").end_object().end_object();
  w.end_object();
  w.key("links").begin_object().member("self", self).end_object();
  w.end_object();
}

/// Writes a tag of a workspace or an organization (`tags`); `count` is written when it is not negative.
inline void write_tag(json_writer& w, std::string_view org, std::string_view name, long long count = -1) {
  w.begin_object().member("id", tag_id_of(org, name).view()).member("type", "tags");
  w.key("attributes").begin_object().member("name", name);
  if (count >= 0) w.member("instance-count", static_cast<std::int64_t>(count));
  w.end_object();
  w.key("relationships").begin_object();
  detail::to_one(w, "organization", "organizations", org);
  w.end_object();
  w.end_object();
}

/// Writes a tag binding of `owner` (a workspace or project id); `type` is "tag-bindings" or
/// "effective-tag-bindings"; a non-empty `inherited_from` becomes links.inherited-from.
inline void write_tag_binding(json_writer& w, std::string_view owner, const tag_binding& b, std::string_view type,
                              std::string_view inherited_from = {}) {
  w.begin_object().member("id", tag_binding_id_of(inherited_from.empty() ? owner : inherited_from, b.key).view());
  w.member("type", type);
  w.key("attributes").begin_object().member("key", std::string_view(b.key)).member("value", std::string_view(b.value));
  w.end_object();
  if (!inherited_from.empty())
    w.key("links")
        .begin_object()
        .member("inherited-from", "/api/v2/projects/" + std::string(inherited_from))
        .end_object();
  w.end_object();
}

}  // namespace tfe

#endif  // TFE_API_PROJECT_SERIALIZERS_HPP
