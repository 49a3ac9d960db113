// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Projects of basic_engine: an organization's groups of workspaces, with the tag bindings they hand down.
#ifndef TFE_ENGINE_PROJECTS_HPP
#define TFE_ENGINE_PROJECTS_HPP

#include <tfe/engine/engine.hpp>
#include <tfe/model/project.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {

template <class Policies>
result<project> basic_engine<Policies>::create_project(std::string_view org, const project_options& o) {
  if (auto r = check_project_options(o, true); !r) {
    std::lock_guard<mutex_type> g(global_.mutex);
    if (!find_org(org)) return not_found("organization", org);
    return r.error();
  }
  std::lock_guard<mutex_type> g(global_.mutex);
  if (!find_org(org)) return not_found("organization", org);
  if (project_named_locked(org, *o.name))
    return make_titled_error(errc::validation_failed, "invalid attribute", "Name has already been taken",
                             "/data/attributes/name");
  project p;
  p.organization = std::string(org);
  p.created_at = clock_.now();
  apply_project_options(p, o);
  if (auto r = resolve_project_execution_locked(p, o); !r) return r.error();
  do p.id = next_id(id_kind::project);
  while (global_.storage.find(of<project>, p.id));
  if (auto r = global_.storage.insert(project(p)); !r) return r.error();
  commit_global();
  return p;
}

template <class Policies>
result<project> basic_engine<Policies>::read_project(std::string_view id) {
  std::lock_guard<mutex_type> g(global_.mutex);
  if (!is_valid_id_text(id)) return not_found("project", id);
  const project* p = global_.storage.find(of<project>, resource_id(id));
  if (!p) return not_found("project", id);
  return *p;
}

template <class Policies>
result<project> basic_engine<Policies>::update_project(std::string_view id, const project_options& o) {
  if (auto r = check_project_options(o, false); !r) {
    if (auto found = read_project(id); !found) return found.error();
    return r.error();
  }
  std::unique_lock<mutex_type> g(global_.mutex);
  if (!is_valid_id_text(id)) return not_found("project", id);
  const project* cur = global_.storage.find(of<project>, resource_id(id));
  if (!cur) return not_found("project", id);
  if (o.name && *o.name != cur->name)
    if (const project* other = project_named_locked(cur->organization, *o.name); other && other->id != cur->id)
      return make_titled_error(errc::validation_failed, "invalid attribute", "Name has already been taken",
                               "/data/attributes/name");
  project next = *cur;
  apply_project_options(next, o);
  if (auto r = resolve_project_execution_locked(next, o); !r) return r.error();
  if (auto r = global_.storage.update(of<project>, next.id, [&](project& x) { x = next; }); !r) return r.error();
  commit_global();
  if (o.auto_destroy_activity_duration) {  // its inheriting workspaces follow, shard by shard
    g.unlock();
    for (auto& sp : shards_) {
      shard_guard sg(*this, *sp);
      std::vector<resource_id> wss;
      sp->storage.for_each(of<workspace>, [&](const workspace& w) {
        if (w.project_id == next.id && w.inherits_project_auto_destroy &&
            w.auto_destroy_activity_duration != next.auto_destroy_activity_duration)
          wss.push_back(w.id);
      });
      for (const auto& wid : wss)
        (void)sp->storage.update(of<workspace>, wid, [&](workspace& w) {
          w.auto_destroy_activity_duration = next.auto_destroy_activity_duration;
        });
    }
  }
  return next;
}

template <class Policies>
void basic_engine<Policies>::inherit_project_auto_destroy_locked(workspace& w, const workspace_options& o) const {
  // A duration of its own, given without inherits-project-auto-destroy, stops the inheritance.
  if (o.inherits_project_auto_destroy) w.inherits_project_auto_destroy = *o.inherits_project_auto_destroy;
  else if (o.auto_destroy_activity_duration) w.inherits_project_auto_destroy = false;
  if (!w.inherits_project_auto_destroy) return;
  const project* p = global_.storage.find(of<project>, w.project_id);
  w.auto_destroy_activity_duration = p ? p->auto_destroy_activity_duration : std::string();
}

template <class Policies>
result<project> basic_engine<Policies>::add_project_tag_bindings(std::string_view id,
                                                                 const std::vector<tag_binding>& bindings) {
  std::lock_guard<mutex_type> g(global_.mutex);
  if (!is_valid_id_text(id)) return not_found("project", id);
  const project* cur = global_.storage.find(of<project>, resource_id(id));
  if (!cur) return not_found("project", id);
  project next = *cur;
  next.tag_bindings = merged_bindings(cur->tag_bindings, bindings);
  if (auto r = check_tag_bindings(next.tag_bindings); !r) return r.error();
  if (auto r = global_.storage.update(of<project>, next.id, [&](project& x) { x = next; }); !r) return r.error();
  commit_global();
  return next;
}

template <class Policies>
result<void> basic_engine<Policies>::delete_project(std::string_view id) {
  auto p = read_project(id);
  if (!p) return p.error();
  {
    std::lock_guard<mutex_type> g(global_.mutex);
    const organization* o = find_org(p->organization);
    if (o && o->default_project_id == p->id)
      return make_titled_error(errc::validation_failed, "invalid attribute",
                               "The default project of an organization cannot be deleted");
  }
  for (auto& sp : shards_) {  // a project with workspaces cannot go (TFE: move or delete them first)
    shard_guard sg(*this, *sp);
    bool used = false;
    sp->storage.for_each(of<workspace>, [&](const workspace& w) { used = used || w.project_id == p->id; });
    if (used)
      return make_titled_error(errc::conflict, "project not empty",
                               "Project " + p->id.str() + " still contains workspaces: move or delete them first");
  }
  std::lock_guard<mutex_type> g(global_.mutex);
  if (auto r = global_.storage.erase(of<project>, p->id); !r) return r;
  commit_global();
  return {};
}

template <class Policies>
result<page<project>> basic_engine<Policies>::list_projects(std::string_view org, page_request req,
                                                            std::string_view q) {
  std::lock_guard<mutex_type> g(global_.mutex);
  if (!find_org(org)) return not_found("organization", org);
  std::vector<const project*> all;
  const std::string needle = lowercase(q);
  global_.storage.for_each(of<project>, [&](const project& p) {
    if (p.organization == org && (needle.empty() || lowercase(p.name).find(needle) != std::string::npos))
      all.push_back(&p);
  });
  std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return paginate(all, req);
}

template <class Policies>
result<void> basic_engine<Policies>::check_project_options(const project_options& o, bool creating) {
  if (creating && !o.name)
    return make_titled_error(errc::validation_failed, "invalid attribute", "Name can't be blank",
                             "/data/attributes/name");
  if (o.name && !is_valid_project_name(*o.name))
    return make_titled_error(errc::validation_failed, "invalid attribute",
                             "Name may only contain letters, numbers, spaces, -, and _, and must be 3 to 40 "
                             "characters long",
                             "/data/attributes/name");
  if (o.default_execution_mode && !o.default_execution_mode->empty() &&
      !execution_mode_from_string(*o.default_execution_mode))
    return make_titled_error(errc::validation_failed, "invalid attribute",
                             "Default execution mode must be remote, local or agent",
                             "/data/attributes/default-execution-mode");
  if (o.auto_destroy_activity_duration && !o.auto_destroy_activity_duration->empty() &&
      !is_valid_auto_destroy_duration(*o.auto_destroy_activity_duration))
    return make_titled_error(errc::validation_failed, "invalid attribute",
                             "Auto destroy activity duration has an incorrect format, we expect up to 4 numeric digits "
                             "and 1 unit ('d' or 'h')",
                             "/data/attributes/auto-destroy-activity-duration");
  if (o.tag_bindings)
    if (auto r = check_tag_bindings(*o.tag_bindings); !r) return r;
  return {};
}

template <class Policies>
void basic_engine<Policies>::apply_project_options(project& p, const project_options& o) {
  if (o.name) p.name = *o.name;
  if (o.description) p.description = *o.description;
  if (o.default_execution_mode) p.default_execution_mode = *o.default_execution_mode;
  if (o.auto_destroy_activity_duration) p.auto_destroy_activity_duration = *o.auto_destroy_activity_duration;
  if (o.tag_bindings) p.tag_bindings = merged_bindings({}, *o.tag_bindings);
}

template <class Policies>
const project* basic_engine<Policies>::project_named_locked(std::string_view org, std::string_view name) const {
  const project* found = nullptr;
  const std::string wanted = lowercase(name);
  global_.storage.for_each(of<project>, [&](const project& p) {
    if (!found && p.organization == org && lowercase(p.name) == wanted) found = &p;
  });
  return found;
}

}  // namespace tfe

#endif  // TFE_ENGINE_PROJECTS_HPP
