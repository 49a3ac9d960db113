// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// basic_api's endpoints for projects, tags, tag bindings and remote-state consumers (docs/http.md).
#ifndef TFE_API_HANDLER_PROJECTS_HPP
#define TFE_API_HANDLER_PROJECTS_HPP

#include <tfe/api/handler.hpp>
#include <tfe/api/project_serializers.hpp>
#include <tfe/api/request_document.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {

// A page of `all` (already in order) with each item written by `write_item`.
template <class Engine>
template <class T, class F>
http_response basic_api<Engine>::list_document(const request_ctx& c, const std::vector<T>& all, F&& write_item) {
  auto p = page_of(c);
  if (!p) return error_response(p.error());
  page<T> pg;
  pg.current_page = p->number;
  pg.page_size = p->size;
  pg.total_count = all.size();
  for (std::size_t i = (p->number - 1) * p->size; i < all.size() && pg.items.size() < p->size; ++i)
    pg.items.push_back(all[i]);
  return document(200, collection(c, pg, std::forward<F>(write_item)));
}

// ---- projects ---------------------------------------------------------------------------------------

template <class Engine>
http_response basic_api<Engine>::list_projects(request_ctx& c) {
  auto p = page_of(c);
  if (!p) return error_response(p.error());
  if (auto inc = includes(c, project_includes); !inc) return error_response(inc.error());
  auto pg = eng_.list_projects(c.params[0], *p, c.q.get("q").value_or(""));
  if (!pg) return error_response(pg.error());
  std::string mode = "remote";
  if (auto o = eng_.read_organization(c.params[0])) mode = std::string(to_string(o->default_execution_mode));
  return document(200, collection(c, *pg, [&](json_writer& w, const project& pr) { write_project(w, pr, mode); }));
}

namespace detail {
// The project attributes and tag-binding relationship of a request body.
inline result<project_options> project_body(const json& data) {
  project_options o;
  if (auto r = read_attributes<project>(&data, o); !r) return r.error();
  const json& attrs = data["attributes"];
  if (const json* m = attrs.find("default-execution-mode"); m && !m->is_null()) {
    auto s = m->as_string();
    if (!s)
      return make_error(errc::validation_failed, "default-execution-mode must be a string",
                        "/data/attributes/default-execution-mode");
  }
  if (const json* d = attrs.find("auto-destroy-activity-duration"); d && d->is_null())
    o.auto_destroy_activity_duration = std::string();  // null clears it
  if (const json* so = attrs.find("setting-overwrites"); so && !so->is_null()) {
    if (!so->is_object())
      return make_error(errc::validation_failed, "setting-overwrites must be an object",
                        "/data/attributes/setting-overwrites");
    for (auto [key, out] :
         {std::pair<const char*, std::optional<bool>*>{"default-execution-mode", &o.overwrites_execution_mode},
          {"default-agent-pool", &o.overwrites_agent_pool}})
      if (const json* v = so->find(key); v && !v->is_null()) {
        if (!v->is_bool())
          return make_error(errc::validation_failed, std::string("setting-overwrites.") + key + " must be a boolean",
                            "/data/attributes/setting-overwrites/" + std::string(key));
        *out = v->as_bool();
      }
  }
  if (const json* tb = data["relationships"]["tag-bindings"].find("data"); tb && !tb->is_null()) {
    auto bindings = read_tag_bindings(*tb, "/data/relationships/tag-bindings/data");
    if (!bindings) return bindings.error();
    o.tag_bindings = std::move(*bindings);
  }
  return o;
}
}  // namespace detail

template <class Engine>
http_response basic_api<Engine>::create_project(request_ctx& c) {
  const std::string org = c.param(0);
  if (auto o = eng_.read_organization(org); !o) return error_response(o.error());
  auto doc = parse_body(c, false);
  if (!doc) return error_response(doc.error());
  auto data = data_object(*doc, "projects", false);
  if (!data) return error_response(data.error());
  auto o = detail::project_body(**data);
  if (!o) return error_response(o.error());
  auto pr = eng_.create_project(org, *o);
  if (!pr) return error_response(pr.error());
  return document(201, single(project_writer(*pr)));
}

template <class Engine>
http_response basic_api<Engine>::read_project(request_ctx& c) {
  auto inc = includes(c, project_includes);
  if (!inc) return error_response(inc.error());
  auto pr = eng_.read_project(c.params[0]);
  if (!pr) return error_response(pr.error());
  std::string b;
  json_writer w(b);
  w.begin_object().key("data");
  project_writer (*pr)(w);
  if (!inc->empty()) {
    w.key("included").begin_array();
    if (has(*inc, "effective_tag_bindings"))
      for (const auto& tb : pr->tag_bindings) write_tag_binding(w, pr->id.view(), tb, "effective-tag-bindings");
    if (has(*inc, "organization"))
      if (auto o = eng_.read_organization(pr->organization)) write_organization(w, *o);
    w.end_array();
  }
  w.end_object();
  return document(200, std::move(b));
}

template <class Engine>
http_response basic_api<Engine>::update_project(request_ctx& c) {
  auto doc = parse_body(c, false);
  if (!doc) return error_response(doc.error());
  auto data = data_object(*doc, "projects", false);
  if (!data) return error_response(data.error());
  auto o = detail::project_body(**data);
  if (!o) return error_response(o.error());
  auto pr = eng_.update_project(c.params[0], *o);
  if (!pr) return error_response(pr.error());
  return document(200, single(project_writer(*pr)));
}

template <class Engine>
http_response basic_api<Engine>::delete_project(request_ctx& c) {
  return delete_result(eng_.delete_project(c.params[0]));
}

template <class Engine>
http_response basic_api<Engine>::project_tag_bindings(request_ctx& c) {
  auto pr = eng_.read_project(c.params[0]);
  if (!pr) return error_response(pr.error());
  const bool effective = c.seg.back() == "effective-tag-bindings";
  return list_document(c, pr->tag_bindings, [&](json_writer& w, const tag_binding& tb) {
    write_tag_binding(w, pr->id.view(), tb, effective ? "effective-tag-bindings" : "tag-bindings");
  });
}

template <class Engine>
http_response basic_api<Engine>::add_project_tag_bindings(request_ctx& c) {
  if (auto pr = eng_.read_project(c.params[0]); !pr) return error_response(pr.error());
  auto doc = parse_body(c, false);
  if (!doc) return error_response(doc.error());
  if (!doc->is_object() || !(*doc)["data"].is_array())
    return error_response(errc::validation_failed, "data must be an array of tag bindings", "/data");
  auto bindings = read_tag_bindings((*doc)["data"], "/data");
  if (!bindings) return error_response(bindings.error());
  auto pr = eng_.add_project_tag_bindings(c.params[0], *bindings);
  if (!pr) return error_response(pr.error());
  return list_document(c, pr->tag_bindings, [&](json_writer& w, const tag_binding& tb) {
    write_tag_binding(w, pr->id.view(), tb, "tag-bindings");
  });
}

// ---- tags -------------------------------------------------------------------------------------------

template <class Engine>
http_response basic_api<Engine>::list_organization_tags(request_ctx& c) {
  const std::string org = c.param(0);
  auto tags = eng_.organization_tags(org, c.q.get("q").value_or(""));
  if (!tags) return error_response(tags.error());
  return list_document(c, *tags, [&](json_writer& w, const organization_tag& t) {
    write_tag(w, org, t.name, static_cast<long long>(t.instance_count));
  });
}

// The ids of a {"data":[{"type":"tags","id":...}]} body.
template <class Engine>
result<std::vector<std::string>> basic_api<Engine>::workspace_ids_of(const request_ctx& c) {
  auto doc = parse_body(c, false);
  if (!doc) return doc.error();
  auto items = data_array(*doc, "workspaces");
  if (!items) return items.error();
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto id = (*(*items)[i])["id"].as_string();
    if (!id || id->empty())
      return make_error(errc::validation_failed, "each item needs an id", "/data/" + std::to_string(i) + "/id");
    ids.emplace_back(*id);
  }
  return ids;
}

template <class Engine>
http_response basic_api<Engine>::delete_organization_tags(request_ctx& c) {
  auto doc = parse_body(c, false);
  if (!doc) return error_response(doc.error());
  auto items = data_array(*doc, "tags");
  if (!items) return error_response(items.error());
  std::vector<std::string> ids;
  for (const json* t : *items)
    if (auto id = (*t)["id"].as_string()) ids.emplace_back(*id);
  if (auto r = eng_.delete_organization_tags(c.params[0], ids); !r) return error_response(r.error());
  return empty(204);
}

template <class Engine>
http_response basic_api<Engine>::tag_workspaces(request_ctx& c) {
  auto ids = workspace_ids_of(c);
  if (!ids) return error_response(ids.error());
  // the tag's organization is the first workspace's
  if (ids->empty()) return empty(204);
  auto first = eng_.read_workspace((*ids)[0]);
  if (!first) return error_response(first.error());
  if (auto r = eng_.tag_workspaces(first->organization, c.params[0], *ids); !r) return error_response(r.error());
  return empty(204);
}

template <class Engine>
http_response basic_api<Engine>::list_workspace_tags(request_ctx& c) {
  auto ws = eng_.read_workspace(c.params[0]);
  if (!ws) return error_response(ws.error());
  return list_document(c, ws->tag_names,
                       [&](json_writer& w, const std::string& name) { write_tag(w, ws->organization, name); });
}

// The tag names of a {"data":[{"type":"tags","attributes":{"name":...}} or {"type":"tags","id":...}]} body.
template <class Engine>
result<std::vector<std::string>> basic_api<Engine>::tag_names_in(const request_ctx& c, std::string_view org) {
  auto doc = parse_body(c, false);
  if (!doc) return doc.error();
  auto items = data_array(*doc, "tags");
  if (!items) return items.error();
  std::vector<std::string> names, ids;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const json& t = *(*items)[i];
    if (auto n = t["attributes"]["name"].as_string()) names.emplace_back(*n);
    else if (auto id = t["id"].as_string()) ids.emplace_back(*id);
    else return make_error(errc::validation_failed, "a tag needs a name or an id", "/data/" + std::to_string(i));
  }
  if (!ids.empty()) {
    auto more = eng_.tag_names_of(org, ids);
    if (!more) return more.error();
    names.insert(names.end(), more->begin(), more->end());
  }
  return names;
}

template <class Engine>
http_response basic_api<Engine>::add_workspace_tags(request_ctx& c) {
  auto ws = eng_.read_workspace(c.params[0]);
  if (!ws) return error_response(ws.error());
  auto names = tag_names_in(c, ws->organization);
  if (!names) return error_response(names.error());
  if (auto r = eng_.add_workspace_tags(c.params[0], *names); !r) return error_response(r.error());
  return empty(204);
}

template <class Engine>
http_response basic_api<Engine>::remove_workspace_tags(request_ctx& c) {
  auto ws = eng_.read_workspace(c.params[0]);
  if (!ws) return error_response(ws.error());
  auto doc = parse_body(c, false);
  if (!doc) return error_response(doc.error());
  auto items = data_array(*doc, "tags");
  if (!items) return error_response(items.error());
  std::vector<std::string> names;
  for (const json* t : *items) {
    if (auto n = (*t)["attributes"]["name"].as_string()) names.emplace_back(*n);
    else if (auto id = (*t)["id"].as_string())
      if (auto known = eng_.tag_names_of(ws->organization, {std::string(*id)})) names.push_back(known->front());
  }
  if (auto r = eng_.remove_workspace_tags(c.params[0], names); !r) return error_response(r.error());
  return empty(204);
}

// ---- tag bindings -----------------------------------------------------------------------------------

template <class Engine>
http_response basic_api<Engine>::workspace_tag_bindings(request_ctx& c) {
  auto ws = eng_.read_workspace(c.params[0]);
  if (!ws) return error_response(ws.error());
  return list_document(c, ws->tag_bindings, [&](json_writer& w, const tag_binding& tb) {
    write_tag_binding(w, ws->id.view(), tb, "tag-bindings");
  });
}

template <class Engine>
http_response basic_api<Engine>::add_workspace_tag_bindings(request_ctx& c) {
  if (auto ws = eng_.read_workspace(c.params[0]); !ws) return error_response(ws.error());
  auto doc = parse_body(c, false);
  if (!doc) return error_response(doc.error());
  if (!doc->is_object() || !(*doc)["data"].is_array())
    return error_response(errc::validation_failed, "data must be an array of tag bindings", "/data");
  auto bindings = read_tag_bindings((*doc)["data"], "/data");
  if (!bindings) return error_response(bindings.error());
  auto ws = eng_.add_workspace_tag_bindings(c.params[0], *bindings);
  if (!ws) return error_response(ws.error());
  return list_document(c, ws->tag_bindings, [&](json_writer& w, const tag_binding& tb) {
    write_tag_binding(w, ws->id.view(), tb, "tag-bindings");
  });
}

template <class Engine>
http_response basic_api<Engine>::workspace_effective_tag_bindings(request_ctx& c) {
  auto bindings = eng_.effective_tag_bindings(c.params[0]);
  if (!bindings) return error_response(bindings.error());
  const std::string ws_id = c.param(0);
  return list_document(c, *bindings, [&](json_writer& w, const effective_tag_binding& b) {
    write_tag_binding(w, ws_id, b.binding, "effective-tag-bindings", b.inherited_from.view());
  });
}

// ---- remote-state consumers -------------------------------------------------------------------------

template <class Engine>
http_response basic_api<Engine>::list_remote_state_consumers(request_ctx& c) {
  auto p = page_of(c);
  if (!p) return error_response(p.error());
  auto pg = eng_.list_remote_state_consumers(c.params[0], *p);
  if (!pg) return error_response(pg.error());
  return document(200, collection(c, *pg, [this](json_writer& w, const workspace& ws) {
                    const std::vector<state_output> outputs = current_outputs(ws);
                    write_workspace(w, ws, &outputs);
                  }));
}

template <class Engine>
http_response basic_api<Engine>::add_remote_state_consumers(request_ctx& c) {
  auto ids = workspace_ids_of(c);
  if (!ids) return error_response(ids.error());
  if (auto r = eng_.add_remote_state_consumers(c.params[0], *ids); !r) return error_response(r.error());
  return empty(204);
}

template <class Engine>
http_response basic_api<Engine>::replace_remote_state_consumers(request_ctx& c) {
  auto ids = workspace_ids_of(c);
  if (!ids) return error_response(ids.error());
  if (auto r = eng_.replace_remote_state_consumers(c.params[0], *ids); !r) return error_response(r.error());
  return empty(204);
}

template <class Engine>
http_response basic_api<Engine>::remove_remote_state_consumers(request_ctx& c) {
  auto ids = workspace_ids_of(c);
  if (!ids) return error_response(ids.error());
  if (auto r = eng_.remove_remote_state_consumers(c.params[0], *ids); !r) return error_response(r.error());
  return empty(204);
}

}  // namespace tfe

#endif  // TFE_API_HANDLER_PROJECTS_HPP
