// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// basic_api's endpoints for state versions, their outputs and the capability URLs of their states.
#ifndef TFE_API_HANDLER_STATE_VERSIONS_HPP
#define TFE_API_HANDLER_STATE_VERSIONS_HPP

#include <tfe/api/handler.hpp>
#include <tfe/api/request_document.hpp>
#include <tfe/api/state_serializers.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {

template <class Engine>
std::string basic_api<Engine>::state_version_document(const request_ctx& c, const state_version& v,
                                                      const std::vector<std::string>& inc) {
  std::string b;
  json_writer w(b);
  auto sc = sctx(c);
  w.begin_object().key("data");
  write_state_version(w, v, sc, to_unix_ms(sc.now));
  if (!inc.empty()) {
    w.key("included").begin_array();
    if (has(inc, "outputs"))
      for (const auto& o : v.outputs) write_state_output(w, o);
    if ((has(inc, "run") || has(inc, "run.created_by") || has(inc, "run.configuration_version")) && !v.run_id.empty())
      if (auto r = eng_.read_run(v.run_id.view())) write_run(w, *r, sc);
    if (has(inc, "created_by") || has(inc, "run.created_by")) write_user(w, sc);
    w.end_array();
  }
  w.end_object();
  return b;
}

template <class Engine>
http_response basic_api<Engine>::create_state_version(request_ctx& c) {
  const std::string ws_id = c.param(0);
  if (auto ws = eng_.read_workspace(ws_id); !ws) return error_response(ws.error());
  auto doc = parse_body(c, false);
  if (!doc) return error_response(doc.error());
  auto data = data_object(*doc, "state-versions", false);
  if (!data) return error_response(data.error());
  const json& a = (**data)["attributes"];
  state_version_options o;
  if (const json* v = a.find("serial"); v && !v->is_null()) {
    auto n = v->as_int();
    if (!n) return error_response(errc::validation_failed, "serial must be an integer", "/data/attributes/serial");
    o.serial = *n;
  }
  attribute_reader r(*data);
  r.read("md5", o.md5);
  r.read("lineage", o.lineage);
  r.read("state", o.state);
  r.read("json-state", o.json_state);
  r.read("json-state-outputs", o.json_state_outputs);
  r.read("force", o.force);
  if (r.failure()) return error_response(*r.failure());
  auto run_id = relationship_id(**data, "run", "runs");
  if (!run_id) return error_response(run_id.error());
  if (!run_id->empty()) o.run_id = *run_id;
  auto v = eng_.create_state_version(ws_id, o);
  if (!v) return error_response(v.error());
  return document(201, state_version_document(c, *v, {}));
}

template <class Engine>
http_response basic_api<Engine>::read_state_version(request_ctx& c) {
  auto inc = includes(c, state_version_includes);
  if (!inc) return error_response(inc.error());
  auto v = eng_.read_state_version(c.params[0]);
  if (!v) return error_response(v.error());
  return document(200, state_version_document(c, *v, *inc));
}

template <class Engine>
http_response basic_api<Engine>::current_state_version(request_ctx& c) {
  auto inc = includes(c, state_version_includes);
  if (!inc) return error_response(inc.error());
  auto v = eng_.current_state_version(c.params[0]);
  if (!v) return error_response(v.error());
  return document(200, state_version_document(c, *v, *inc));
}

template <class Engine>
http_response basic_api<Engine>::list_state_versions(request_ctx& c) {
  auto p = page_of(c);
  if (!p) return error_response(p.error());
  if (auto inc = includes(c, state_version_includes); !inc) return error_response(inc.error());
  auto ws = c.q.get("filter[workspace][name]");
  auto org = c.q.get("filter[organization][name]");
  if (!ws || !org || ws->empty() || org->empty())
    return error_response(errc::bad_request, "filter[workspace][name] and filter[organization][name] are required");
  auto pg = eng_.list_state_versions(*org, *ws, *p);
  if (!pg) return error_response(pg.error());
  auto sc = sctx(c);
  const std::int64_t now = to_unix_ms(sc.now);
  return document(
      200, collection(c, *pg, [&](json_writer& w, const state_version& v) { write_state_version(w, v, sc, now); }));
}

template <class Engine>
http_response basic_api<Engine>::state_version_outputs(request_ctx& c) {
  auto v = eng_.read_state_version(c.params[0]);
  if (!v) return error_response(v.error());
  return list_document(c, v->outputs, [](json_writer& w, const state_output& o) { write_state_output(w, o); });
}

template <class Engine>
http_response basic_api<Engine>::current_state_version_outputs(request_ctx& c) {
  auto v = eng_.current_state_version(c.params[0]);
  if (!v) return error_response(v.error());
  return list_document(c, v->outputs, [](json_writer& w, const state_output& o) { write_state_output(w, o, true); });
}

template <class Engine>
http_response basic_api<Engine>::read_state_version_output(request_ctx& c) {
  auto o = eng_.read_state_output(c.params[0]);
  if (!o) return error_response(o.error());
  return document(200, single([&](json_writer& w) { write_state_output(w, *o); }));
}

template <class Engine>
http_response basic_api<Engine>::upload_state(request_ctx& c) {
  if (c.req.body.size() > opts_.max_upload_bytes)
    return error_response(errc::payload_too_large,
                          "Upload exceeds " + std::to_string(opts_.max_upload_bytes) + " bytes");
  if (auto v = eng_.upload_state(c.params[0], c.req.body); !v) return error_response(v.error());
  return empty(200);
}

template <class Engine>
http_response basic_api<Engine>::upload_json_state(request_ctx& c) {
  if (c.req.body.size() > opts_.max_upload_bytes)
    return error_response(errc::payload_too_large,
                          "Upload exceeds " + std::to_string(opts_.max_upload_bytes) + " bytes");
  if (auto v = eng_.upload_state("json:" + c.param(0), c.req.body); !v) return error_response(v.error());
  return empty(200);
}

template <class Engine>
http_response basic_api<Engine>::download_state(request_ctx& c) {
  const std::string id = c.param(0);
  if (c.params[1] != detail::mac_hex(key_, "state:" + id)) return not_found();
  auto bytes = eng_.download_state(id, false);
  if (!bytes) return error_response(bytes.error());
  http_response r;
  r.status = 200;
  r.body = std::move(*bytes);
  r.set_header("Content-Type", "application/json");
  return r;
}

template <class Engine>
http_response basic_api<Engine>::download_json_state(request_ctx& c) {
  const std::string id = c.param(0);
  if (c.params[1] != detail::mac_hex(key_, "state-json:" + id)) return not_found();
  auto bytes = eng_.download_state(id, true);
  if (!bytes) return error_response(bytes.error());
  http_response r;
  r.status = 200;
  r.body = std::move(*bytes);
  r.set_header("Content-Type", "application/json");
  return r;
}

}  // namespace tfe

#endif  // TFE_API_HANDLER_STATE_VERSIONS_HPP
