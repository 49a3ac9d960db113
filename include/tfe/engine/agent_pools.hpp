// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Agent pools of basic_engine, and the `agent` execution mode rules of organizations, projects and
// workspaces (a pool is required with `agent`, refused without it).
#ifndef TFE_ENGINE_AGENT_POOLS_HPP
#define TFE_ENGINE_AGENT_POOLS_HPP

#include <tfe/engine/engine.hpp>
#include <tfe/model/agent_pool.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {

template <class Policies>
result<agent_pool> basic_engine<Policies>::create_agent_pool(std::string_view org, const agent_pool_options& o) {
  std::lock_guard<mutex_type> g(global_.mutex);
  if (!find_org(org)) return not_found("organization", org);
  if (!o.name || !is_valid_agent_pool_name(*o.name))
    return make_titled_error(errc::validation_failed, "invalid attribute",
                             o.name ? "Name is invalid: use 1-90 printable characters" : "Name can't be blank",
                             "/data/attributes/name");
  if (agent_pool_named_locked(org, *o.name))
    return make_titled_error(errc::validation_failed, "invalid attribute", "Name has already been taken",
                             "/data/attributes/name");
  agent_pool p;
  p.organization = std::string(org);
  p.created_at = clock_.now();
  if (auto r = apply_agent_pool_options_locked(p, o); !r) return r.error();
  do p.id = next_id(id_kind::agent_pool);
  while (global_.storage.find(of<agent_pool>, p.id));
  if (auto r = global_.storage.insert(agent_pool(p)); !r) return r.error();
  commit_global();
  return p;
}

template <class Policies>
result<agent_pool> basic_engine<Policies>::read_agent_pool(std::string_view id) {
  std::lock_guard<mutex_type> g(global_.mutex);
  if (!is_valid_id_text(id)) return not_found("agent pool", id);
  const agent_pool* p = global_.storage.find(of<agent_pool>, resource_id(id));
  if (!p) return not_found("agent pool", id);
  return *p;
}

template <class Policies>
result<agent_pool> basic_engine<Policies>::update_agent_pool(std::string_view id, const agent_pool_options& o) {
  std::lock_guard<mutex_type> g(global_.mutex);
  if (!is_valid_id_text(id)) return not_found("agent pool", id);
  const agent_pool* cur = global_.storage.find(of<agent_pool>, resource_id(id));
  if (!cur) return not_found("agent pool", id);
  if (o.name && !is_valid_agent_pool_name(*o.name))
    return make_titled_error(errc::validation_failed, "invalid attribute",
                             "Name is invalid: use 1-90 printable characters", "/data/attributes/name");
  if (o.name)
    if (const agent_pool* other = agent_pool_named_locked(cur->organization, *o.name); other && other->id != cur->id)
      return make_titled_error(errc::validation_failed, "invalid attribute", "Name has already been taken",
                               "/data/attributes/name");
  agent_pool next = *cur;
  if (auto r = apply_agent_pool_options_locked(next, o); !r) return r.error();
  if (auto r = global_.storage.update(of<agent_pool>, next.id, [&](agent_pool& x) { x = next; }); !r) return r.error();
  commit_global();
  return next;
}

template <class Policies>
result<void> basic_engine<Policies>::delete_agent_pool(std::string_view id) {
  auto p = read_agent_pool(id);
  if (!p) return p.error();
  {
    std::lock_guard<mutex_type> g(global_.mutex);
    const organization* o = find_org(p->organization);
    bool used = o && o->default_agent_pool_id == p->id;
    global_.storage.for_each(of<project>, [&](const project& pr) { used = used || pr.default_agent_pool_id == p->id; });
    if (used)
      return make_titled_error(errc::validation_failed, "invalid attribute",
                               "Agent pool is the default of its organization or of a project: change that first");
  }
  for (auto& sp : shards_) {
    shard_guard sg(*this, *sp);
    bool used = false;
    sp->storage.for_each(of<workspace>, [&](const workspace& w) { used = used || w.agent_pool_id == p->id.view(); });
    if (used)
      return make_titled_error(errc::validation_failed, "invalid attribute",
                               "Agent pool is still used by workspaces: change their execution mode first");
  }
  std::lock_guard<mutex_type> g(global_.mutex);
  if (auto r = global_.storage.erase(of<agent_pool>, p->id); !r) return r;
  commit_global();
  return {};
}

template <class Policies>
result<page<agent_pool>> basic_engine<Policies>::list_agent_pools(std::string_view org, page_request req,
                                                                  std::string_view q, std::string_view sort) {
  std::lock_guard<mutex_type> g(global_.mutex);
  if (!find_org(org)) return not_found("organization", org);
  std::vector<const agent_pool*> all;
  const std::string needle = lowercase(q);
  global_.storage.for_each(of<agent_pool>, [&](const agent_pool& p) {
    if (p.organization == org && (needle.empty() || lowercase(p.name).find(needle) != std::string::npos))
      all.push_back(&p);
  });
  const bool desc = !sort.empty() && sort.front() == '-';
  const std::string_view key = desc ? sort.substr(1) : sort;
  if (!key.empty() && key != "name" && key != "created-at")
    return make_error(errc::bad_request, "sort must be name or created-at, '-' first for the reverse order", "sort");
  std::sort(all.begin(), all.end(), [&](auto* a, auto* b) {
    const bool less = key == "created-at"
                          ? (a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id)
                          : a->name < b->name;
    const bool more = key == "created-at"
                          ? (a->created_at != b->created_at ? b->created_at < a->created_at : b->id < a->id)
                          : b->name < a->name;
    return desc ? more : less;
  });
  return paginate(all, req);
}

template <class Policies>
std::vector<resource_id> basic_engine<Policies>::agent_pool_workspaces(std::string_view id) {
  std::vector<resource_id> out;
  for (auto& sp : shards_) {
    shard_guard sg(*this, *sp);
    sp->storage.for_each(of<workspace>, [&](const workspace& w) {
      if (!w.agent_pool_id.empty() && w.agent_pool_id == id) out.push_back(w.id);
    });
  }
  std::sort(out.begin(), out.end());
  return out;
}

template <class Policies>
const agent_pool* basic_engine<Policies>::agent_pool_named_locked(std::string_view org, std::string_view name) const {
  const agent_pool* found = nullptr;
  global_.storage.for_each(of<agent_pool>, [&](const agent_pool& p) {
    if (!found && p.organization == org && p.name == name) found = &p;
  });
  return found;
}

template <class Policies>
result<resource_id> basic_engine<Policies>::agent_pool_of_locked(std::string_view org, std::string_view id,
                                                                 std::string_view pointer) const {
  const agent_pool* p = is_valid_id_text(id) ? global_.storage.find(of<agent_pool>, resource_id(id)) : nullptr;
  if (!p || p->organization != org)
    return make_titled_error(
        errc::validation_failed, "invalid attribute",
        "Agent pool '" + std::string(id) + "' is not an agent pool of organization " + std::string(org),
        std::string(pointer));
  return p->id;
}

template <class Policies>
result<void> basic_engine<Policies>::apply_agent_pool_options_locked(agent_pool& p, const agent_pool_options& o) const {
  // The workspaces and projects named must be the organization's (422 otherwise); checked before any change.
  const auto ids = [&](const std::vector<std::string>& in, bool projects,
                       std::string_view pointer) -> result<std::vector<resource_id>> {
    std::vector<resource_id> out;
    for (const auto& id : in) {
      bool ok = is_valid_id_text(id);
      if (ok && projects) {
        const project* pr = global_.storage.find(of<project>, resource_id(id));
        ok = pr && pr->organization == p.organization;
      } else if (ok) {
        auto it = global_.ws_org.find(resource_id(id));
        ok = it != global_.ws_org.end() && it->second == p.organization;
      }
      if (!ok)
        return make_titled_error(
            errc::validation_failed, "invalid attribute",
            std::string(projects ? "Project '" : "Workspace '") + id + "' is not of organization " + p.organization,
            std::string(pointer));
      if (std::find(out.begin(), out.end(), resource_id(id)) == out.end()) out.emplace_back(id);
    }
    return out;
  };
  std::vector<resource_id> aw = p.allowed_workspaces, ap = p.allowed_projects, ew = p.excluded_workspaces;
  if (o.allowed_workspaces) {
    auto r = ids(*o.allowed_workspaces, false, "/data/relationships/allowed-workspaces");
    if (!r) return r.error();
    aw = std::move(*r);
  }
  if (o.allowed_projects) {
    auto r = ids(*o.allowed_projects, true, "/data/relationships/allowed-projects");
    if (!r) return r.error();
    ap = std::move(*r);
  }
  if (o.excluded_workspaces) {
    auto r = ids(*o.excluded_workspaces, false, "/data/relationships/excluded-workspaces");
    if (!r) return r.error();
    ew = std::move(*r);
  }
  if (o.name) p.name = *o.name;
  if (o.organization_scoped) p.organization_scoped = *o.organization_scoped;
  p.allowed_workspaces = std::move(aw);
  p.allowed_projects = std::move(ap);
  p.excluded_workspaces = std::move(ew);
  return {};
}

template <class Policies>
result<void> basic_engine<Policies>::resolve_organization_agent_pool_locked(organization& next,
                                                                            const organization_options& o) const {
  if (o.default_agent_pool_id && !o.default_agent_pool_id->empty()) {
    auto id = agent_pool_of_locked(next.name, *o.default_agent_pool_id, "/data/relationships/default-agent-pool");
    if (!id) return id.error();
    next.default_agent_pool_id = *id;
  } else if (o.default_agent_pool_id) {
    next.default_agent_pool_id = resource_id{};
  }
  return check_agent_mode(next.default_execution_mode, next.default_agent_pool_id, "Default agent pool",
                          "/data/relationships/default-agent-pool", o.default_agent_pool_id.has_value(),
                          next.default_agent_pool_id);
}

template <class Policies>
result<void> basic_engine<Policies>::check_agent_mode(execution_mode mode, const resource_id& pool,
                                                      std::string_view what, std::string_view pointer, bool pool_given,
                                                      resource_id& clear) {
  if (mode == execution_mode::agent) {
    if (pool.empty())
      return make_titled_error(errc::validation_failed, "invalid attribute",
                               std::string(what) + " must be specified when using 'agent' execution mode",
                               std::string(pointer));
    return {};
  }
  if (!pool.empty() && pool_given)
    return make_titled_error(errc::validation_failed, "invalid attribute",
                             std::string(what) + " must not be specified unless using 'agent' execution mode",
                             std::string(pointer));
  clear = resource_id{};  // leaving `agent` drops the pool
  return {};
}

template <class Policies>
result<void> basic_engine<Policies>::resolve_project_execution_locked(project& p, const project_options& o) const {
  if (o.overwrites_execution_mode && o.overwrites_agent_pool &&
      *o.overwrites_execution_mode != *o.overwrites_agent_pool)
    return make_titled_error(errc::validation_failed, "invalid attribute",
                             "If agent-pool and execution-mode are both included in setting-overwrites, their values "
                             "must be the same.",
                             "/data/attributes/setting-overwrites");
  if ((o.overwrites_execution_mode && !*o.overwrites_execution_mode) ||
      (o.overwrites_agent_pool && !*o.overwrites_agent_pool)) {
    p.default_execution_mode.clear();  // the organization's, inherited
    p.default_agent_pool_id = resource_id{};
    return {};
  }
  resource_id pool = p.default_agent_pool_id;
  if (o.default_agent_pool_id && !o.default_agent_pool_id->empty()) {
    auto id = agent_pool_of_locked(p.organization, *o.default_agent_pool_id, "/data/attributes/default-agent-pool-id");
    if (!id) return id.error();
    pool = *id;
  } else if (o.default_agent_pool_id) {
    pool = resource_id{};
  }
  const auto mode = execution_mode_from_string(p.default_execution_mode);
  if (auto r = check_agent_mode(mode.value_or(execution_mode::remote), pool, "Default agent pool",
                                "/data/attributes/default-agent-pool-id",
                                o.default_agent_pool_id && !o.default_agent_pool_id->empty(), pool);
      !r)
    return r;
  p.default_agent_pool_id = pool;
  return {};
}

template <class Policies>
std::pair<execution_mode, resource_id> basic_engine<Policies>::inherited_execution_locked(
    std::string_view org, const resource_id& project_id) const {
  if (const project* p = global_.storage.find(of<project>, project_id))
    if (auto m = execution_mode_from_string(p->default_execution_mode)) return {*m, p->default_agent_pool_id};
  if (const organization* o = find_org(org)) return {o->default_execution_mode, o->default_agent_pool_id};
  return {execution_mode::remote, resource_id{}};
}

template <class Policies>
result<void> basic_engine<Policies>::resolve_workspace_execution_locked(workspace& w, const workspace_options& o,
                                                                        bool creating) const {
  // Not given on create, or setting-overwrites false: the project's default, else the organization's.
  const bool inherit =
      o.overwrites_execution_mode ? !*o.overwrites_execution_mode : creating && !o.execution_mode && !o.operations;
  if (inherit) {
    const auto [mode, pool] = inherited_execution_locked(w.organization, w.project_id);
    w.execution_mode = mode;
    w.agent_pool_id = pool.str();
    w.overwrites_execution_mode = false;
    w.overwrites_agent_pool = false;
    return {};
  }
  resource_id pool(w.agent_pool_id);
  if (o.agent_pool_id && !o.agent_pool_id->empty()) {
    auto id = agent_pool_of_locked(w.organization, *o.agent_pool_id, "/data/attributes/agent-pool-id");
    if (!id) return id.error();
    pool = *id;
  } else if (o.agent_pool_id) {
    pool = resource_id{};
  }
  if (auto r = check_agent_mode(w.execution_mode, pool, "Agent pool", "/data/attributes/agent-pool-id",
                                o.agent_pool_id && !o.agent_pool_id->empty(), pool);
      !r)
    return r;
  w.agent_pool_id = pool.str();
  return {};
}

}  // namespace tfe

#endif  // TFE_ENGINE_AGENT_POOLS_HPP
