// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// basic_api's endpoints for agent pools (docs/http.md#agent-pools).
#ifndef TFE_API_HANDLER_AGENT_POOLS_HPP
#define TFE_API_HANDLER_AGENT_POOLS_HPP

#include <tfe/api/agent_pool_serializers.hpp>
#include <tfe/api/handler.hpp>
#include <tfe/api/request_document.hpp>

#include <string>
#include <utility>

namespace tfe {

namespace detail {
// The attributes and allowed/excluded relationships of an agent pool create or update.
inline result<agent_pool_options> agent_pool_body(const json& data) {
  agent_pool_options o;
  if (auto r = read_attributes<agent_pool>(&data, o); !r) return r.error();
  for (auto [name, type, out] : {std::tuple<const char*, const char*, std::optional<std::vector<std::string>>*>{
                                     "allowed-workspaces", "workspaces", &o.allowed_workspaces},
                                 {"allowed-projects", "projects", &o.allowed_projects},
                                 {"excluded-workspaces", "workspaces", &o.excluded_workspaces}}) {
    auto ids = relationship_ids(data, name, type);
    if (!ids) return ids.error();
    *out = std::move(*ids);
  }
  return o;
}
}  // namespace detail

template <class Engine>
http_response basic_api<Engine>::list_agent_pools(request_ctx& c) {
  auto p = page_of(c);
  if (!p) return error_response(p.error());
  auto pg = eng_.list_agent_pools(c.params[0], *p, c.q.get("q").value_or(""), c.q.get("sort").value_or(""));
  if (!pg) return error_response(pg.error());
  return document(200, collection(c, *pg, [&](json_writer& w, const agent_pool& ap) {
                    write_agent_pool(w, ap, eng_.agent_pool_workspaces(ap.id.view()));
                  }));
}

template <class Engine>
http_response basic_api<Engine>::create_agent_pool(request_ctx& c) {
  const std::string org = c.param(0);
  if (auto o = eng_.read_organization(org); !o) return error_response(o.error());
  auto doc = parse_body(c, false);
  if (!doc) return error_response(doc.error());
  auto data = data_object(*doc, "agent-pools", false);
  if (!data) return error_response(data.error());
  auto o = detail::agent_pool_body(**data);
  if (!o) return error_response(o.error());
  auto ap = eng_.create_agent_pool(org, *o);
  if (!ap) return error_response(ap.error());
  return document(201, single([&](json_writer& w) { write_agent_pool(w, *ap); }));
}

template <class Engine>
http_response basic_api<Engine>::read_agent_pool(request_ctx& c) {
  auto ap = eng_.read_agent_pool(c.params[0]);
  if (!ap) return error_response(ap.error());
  const auto wss = eng_.agent_pool_workspaces(ap->id.view());
  return document(200, single([&](json_writer& w) { write_agent_pool(w, *ap, wss); }));
}

template <class Engine>
http_response basic_api<Engine>::update_agent_pool(request_ctx& c) {
  auto doc = parse_body(c, false);
  if (!doc) return error_response(doc.error());
  auto data = data_object(*doc, "agent-pools", false);
  if (!data) return error_response(data.error());
  auto o = detail::agent_pool_body(**data);
  if (!o) return error_response(o.error());
  auto ap = eng_.update_agent_pool(c.params[0], *o);
  if (!ap) return error_response(ap.error());
  const auto wss = eng_.agent_pool_workspaces(ap->id.view());
  return document(200, single([&](json_writer& w) { write_agent_pool(w, *ap, wss); }));
}

template <class Engine>
http_response basic_api<Engine>::delete_agent_pool(request_ctx& c) {
  return delete_result(eng_.delete_agent_pool(c.params[0]));
}

}  // namespace tfe

#endif  // TFE_API_HANDLER_AGENT_POOLS_HPP
