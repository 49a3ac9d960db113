// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Workspace tags (flat names, organization-wide ids), key/value tag bindings and remote-state consumers.
#ifndef TFE_ENGINE_TAGS_HPP
#define TFE_ENGINE_TAGS_HPP

#include <tfe/engine/engine.hpp>
#include <tfe/model/tag.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tfe {

template <class Policies>
template <class F>
result<workspace> basic_engine<Policies>::change_workspace(std::string_view ws_id, F&& change) {
  if (!is_valid_id_text(ws_id)) return not_found("workspace", ws_id);
  const resource_id wid(ws_id);
  shard& s = shard_of_workspace(wid);
  shard_guard sg(*this, s);
  const workspace* cur = s.storage.find(of<workspace>, wid);
  if (!cur) return not_found("workspace", ws_id);
  workspace next = handed_out(*cur);
  if (auto r = change(next); !r) return r.error();
  if (auto r = s.storage.update(of<workspace>, wid, [&](workspace& x) { static_cast<workspace_data&>(x) = next; }); !r)
    return r.error();
  return next;
}

template <class Policies>
result<workspace> basic_engine<Policies>::add_workspace_tags(std::string_view ws_id,
                                                             const std::vector<std::string>& names) {
  std::vector<std::string> tags;
  for (const auto& n : names) {
    std::string t = lowercase(n);
    if (!is_valid_tag_name(t))
      return make_titled_error(
          errc::validation_failed, "invalid attribute",
          "Tag '" + n.substr(0, 64) +
              "' is invalid: use letters, digits, ':', '-' and '_', starting with a letter or digit",
          "/data");
    tags.push_back(std::move(t));
  }
  return change_workspace(ws_id, [&](workspace& w) -> result<void> {
    for (auto& t : tags)
      if (std::find(w.tag_names.begin(), w.tag_names.end(), t) == w.tag_names.end()) w.tag_names.push_back(t);
    return {};
  });
}

template <class Policies>
result<workspace> basic_engine<Policies>::remove_workspace_tags(std::string_view ws_id,
                                                                const std::vector<std::string>& names) {
  return change_workspace(ws_id, [&](workspace& w) -> result<void> {
    for (const auto& n : names) {
      const std::string t = lowercase(n);
      w.tag_names.erase(std::remove(w.tag_names.begin(), w.tag_names.end(), t), w.tag_names.end());
    }
    return {};
  });
}

template <class Policies>
result<std::vector<organization_tag>> basic_engine<Policies>::organization_tags(std::string_view org,
                                                                                std::string_view q) {
  {
    std::lock_guard<mutex_type> g(global_.mutex);
    if (!find_org(org)) return not_found("organization", org);
  }
  std::map<std::string, std::size_t> counts;
  for (auto& sp : shards_) {
    shard_guard sg(*this, *sp);
    sp->storage.for_each(of<workspace>, [&](const workspace& w) {
      if (w.organization != org) return;
      for (const auto& t : w.tag_names)
        if (q.empty() || t.find(lowercase(q)) != std::string::npos) ++counts[t];
    });
  }
  std::vector<organization_tag> out;
  for (const auto& [name, n] : counts) out.push_back(organization_tag{tag_id_of(org, name), name, n});
  return out;
}

template <class Policies>
result<std::vector<std::string>> basic_engine<Policies>::tag_names_of(std::string_view org,
                                                                      const std::vector<std::string>& tag_ids) {
  auto tags = organization_tags(org);
  if (!tags) return tags.error();
  std::vector<std::string> names;
  for (const auto& id : tag_ids) {
    auto it = std::find_if(tags->begin(), tags->end(), [&](const organization_tag& t) { return t.id.view() == id; });
    if (it == tags->end()) return not_found("tag", id);
    names.push_back(it->name);
  }
  return names;
}

template <class Policies>
result<void> basic_engine<Policies>::delete_organization_tags(std::string_view org,
                                                              const std::vector<std::string>& tag_ids) {
  auto names = tag_names_of(org, tag_ids);
  if (!names) return names.error();
  for (auto& sp : shards_) {
    shard_guard sg(*this, *sp);
    std::vector<resource_id> wss;
    sp->storage.for_each(of<workspace>, [&](const workspace& w) {
      if (w.organization == org) wss.push_back(w.id);
    });
    for (const auto& id : wss)
      (void)sp->storage.update(of<workspace>, id, [&](workspace& w) {
        for (const auto& n : *names)
          w.tag_names.erase(std::remove(w.tag_names.begin(), w.tag_names.end(), n), w.tag_names.end());
      });
  }
  return {};
}

template <class Policies>
result<void> basic_engine<Policies>::tag_workspaces(std::string_view org, std::string_view tag_id,
                                                    const std::vector<std::string>& ws_ids) {
  auto names = tag_names_of(org, {std::string(tag_id)});
  if (!names) return names.error();
  for (const auto& id : ws_ids) {  // all of them exist in the organization, or nothing changes
    auto w = read_workspace(id);
    if (!w || w->organization != org) return not_found("workspace", id);
  }
  for (const auto& id : ws_ids)
    if (auto r = add_workspace_tags(id, *names); !r) return r.error();
  return {};
}

template <class Policies>
result<workspace> basic_engine<Policies>::add_workspace_tag_bindings(std::string_view ws_id,
                                                                     const std::vector<tag_binding>& bindings) {
  return change_workspace(ws_id, [&](workspace& w) -> result<void> {
    auto merged = merged_bindings(w.tag_bindings, bindings);
    if (auto r = check_tag_bindings(merged); !r) return r;
    w.tag_bindings = std::move(merged);
    return {};
  });
}

template <class Policies>
result<std::vector<effective_tag_binding>> basic_engine<Policies>::effective_tag_bindings(std::string_view ws_id) {
  auto w = read_workspace(ws_id);
  if (!w) return w.error();
  std::vector<effective_tag_binding> out;
  if (auto p = read_project(w->project_id.view()))
    for (const auto& b : p->tag_bindings) out.push_back(effective_tag_binding{b, p->id});
  for (const auto& b : w->tag_bindings) {
    auto it =
        std::find_if(out.begin(), out.end(), [&](const effective_tag_binding& e) { return e.binding.key == b.key; });
    if (it != out.end()) *it = effective_tag_binding{b, resource_id()};
    else out.push_back(effective_tag_binding{b, resource_id()});
  }
  return out;
}

template <class Policies>
result<void> basic_engine<Policies>::change_remote_state_consumers(std::string_view ws_id,
                                                                   const std::vector<std::string>& ids, int how) {
  auto target = read_workspace(ws_id);
  if (!target) return target.error();
  std::vector<resource_id> consumers;
  for (const auto& id : ids) {  // one shard at a time: check the consumers before taking the target's
    auto w = read_workspace(id);
    if (!w || w->organization != target->organization) return not_found("workspace", id);
    if (std::find(consumers.begin(), consumers.end(), w->id) == consumers.end()) consumers.push_back(w->id);
  }
  auto r = change_workspace(ws_id, [&](workspace& w) -> result<void> {
    if (how == 0) w.remote_state_consumers.clear();  // replace
    for (const auto& c : consumers) {
      auto it = std::find(w.remote_state_consumers.begin(), w.remote_state_consumers.end(), c);
      if (how < 0) {
        if (it != w.remote_state_consumers.end()) w.remote_state_consumers.erase(it);
      } else if (it == w.remote_state_consumers.end()) {
        w.remote_state_consumers.push_back(c);
      }
    }
    return {};
  });
  if (!r) return r.error();
  return {};
}

template <class Policies>
result<page<workspace>> basic_engine<Policies>::list_remote_state_consumers(std::string_view ws_id, page_request req) {
  auto target = read_workspace(ws_id);
  if (!target) return target.error();
  std::vector<workspace> all;
  // Deleted ones drop out; with project-remote-state, TFE lists only those of the workspace's project.
  for (const auto& id : target->remote_state_consumers)
    if (auto w = read_workspace(id.view()))
      if (!target->project_remote_state || w->project_id == target->project_id) all.push_back(std::move(*w));
  std::vector<const workspace*> ptrs;
  for (const auto& w : all) ptrs.push_back(&w);
  return paginate(ptrs, req);
}

}  // namespace tfe

#endif  // TFE_ENGINE_TAGS_HPP
