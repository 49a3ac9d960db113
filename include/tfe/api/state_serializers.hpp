// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// JSON:API objects of state versions and their outputs, with the capability URLs of their states.
#ifndef TFE_API_STATE_SERIALIZERS_HPP
#define TFE_API_STATE_SERIALIZERS_HPP

#include <tfe/api/serializers.hpp>
#include <tfe/detail/siphash.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/model/terraform_state.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace tfe {

/// The capability path that downloads a state version's state (`json`: its JSON state). The MAC binds
/// the id and the kind, so neither can be changed.
inline std::string state_download_path(const std::uint64_t* key, std::string_view sv_id, bool json) {
  std::string p = json ? "/v1/state-json/" : "/v1/state/";
  p += sv_id;
  p += '/';
  p += detail::mac_hex(key, std::string(json ? "state-json:" : "state:") + std::string(sv_id));
  return p;
}

/// The capability path that uploads a pending version's state (or, with `json`, its JSON state).
inline std::string state_upload_path(std::string_view token, bool json) {
  return std::string(json ? "/v1/state/upload-json/" : "/v1/state/upload/") + std::string(token);
}

namespace detail {
inline void write_output_value(json_writer& w, const state_output& o, bool hide_sensitive) {
  if (hide_sensitive && o.sensitive) w.key("value").null_value();
  else w.key("value").raw_value(o.value.empty() ? std::string_view("null") : std::string_view(o.value));
}
}  // namespace detail

/// Writes a state version output (`state-version-outputs`); a sensitive value is shown unless
/// `hide_sensitive` (the workspace's current outputs hide it, a state version's outputs show it, as TFE).
inline void write_state_output(json_writer& w, const state_output& o, bool hide_sensitive = false) {
  w.begin_object().member("id", o.id.view()).member("type", "state-version-outputs");
  w.key("attributes").begin_object();
  w.member("name", std::string_view(o.name)).member("sensitive", o.sensitive).member("type", std::string_view(o.type));
  detail::write_output_value(w, o, hide_sensitive);
  w.key("detailed-type")
      .raw_value(o.detailed_type.empty() ? std::string_view("null") : std::string_view(o.detailed_type));
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/state-version-outputs/" + o.id.str()).end_object();
  w.end_object();
}

/// Writes a workspace's current output (`workspace-outputs`): a sensitive value is null, as TFE does.
inline void write_workspace_output(json_writer& w, const state_output& o) {
  w.begin_object().member("id", o.id.view()).member("type", "workspace-outputs");
  w.key("attributes").begin_object();
  w.member("name", std::string_view(o.name)).member("sensitive", o.sensitive);
  w.member("output-type", std::string_view(o.type));
  detail::write_output_value(w, o, true);
  w.key("detailed-type")
      .raw_value(o.detailed_type.empty() ? std::string_view("null") : std::string_view(o.detailed_type));
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/state-version-outputs/" + o.id.str()).end_object();
  w.end_object();
}

/// Writes a state version object. Upload URLs appear while their upload is due, download URLs once
/// the state (or JSON state) is stored; `now_ms` decides resources-processed.
inline void write_state_version(json_writer& w, const state_version& v, const serialize_context& ctx,
                                std::int64_t now_ms) {
  w.begin_object().member("id", v.id.view()).member("type", "state-versions");
  w.key("attributes").begin_object();
  detail::write_attributes(w, v);
  // A rendered state (what an apply wrote) is measured when shown: the apply does not render it.
  const std::uint64_t size = rendered_state(v) && v.size == 0 ? render_raw_state(v).size() : v.size;
  w.member("size", static_cast<std::int64_t>(size));
  const bool stored = v.status == state_version_status::finalized;
  const bool processed = v.processed(now_ms);
  w.member("resources-processed", processed);
  auto url = [&](bool present, const std::string& path) {
    if (present) return ctx.base_url + path;
    return std::string();
  };
  const std::string state_dl = ctx.url_key ? url(stored, state_download_path(ctx.url_key, v.id.view(), false)) : "";
  const std::string json_dl = ctx.url_key ? url(v.json_state, state_download_path(ctx.url_key, v.id.view(), true)) : "";
  if (state_dl.empty()) w.key("hosted-state-download-url").null_value();
  else w.member("hosted-state-download-url", state_dl);
  if (json_dl.empty()) w.key("hosted-json-state-download-url").null_value();
  else w.member("hosted-json-state-download-url", json_dl);
  w.member("download-url", state_dl);
  if (v.upload_token.empty()) w.key("hosted-state-upload-url").null_value();
  else w.member("hosted-state-upload-url", ctx.base_url + state_upload_path(v.upload_token, false));
  if (v.json_upload_token.empty()) w.key("hosted-json-state-upload-url").null_value();
  else w.member("hosted-json-state-upload-url", ctx.base_url + state_upload_path(v.json_upload_token, true));
  w.member("intermediate", false);
  if (processed) {
    w.key("billable-rum-count").value(v.managed_count());
    w.key("resources").begin_array();
    for (const auto& r : v.resources) {
      w.begin_object().member("name", std::string_view(r.name)).member("type", std::string_view(r.type));
      w.member("count", r.count).member("module", std::string_view(r.module));
      w.member("provider", std::string_view(r.provider)).end_object();
    }
    w.end_array();
    w.key("modules").begin_object().key("root").begin_object().end_object().end_object();
    w.key("providers").begin_object().end_object();
  } else {
    w.key("billable-rum-count").null_value();
    w.key("resources").begin_array().end_array();
    w.key("modules").null_value();
    w.key("providers").null_value();
  }
  w.end_object();
  w.key("relationships").begin_object();
  detail::to_one(w, "run", "runs", v.run_id.view());
  detail::to_one(w, "workspace", "workspaces", v.workspace_id.view());
  w.key("outputs").begin_object().key("data").begin_array();
  for (const auto& o : v.outputs)
    w.begin_object().member("id", o.id.view()).member("type", "state-version-outputs").end_object();
  w.end_array().end_object();
  w.key("created-by").begin_object().key("data").begin_object().member("id", std::string_view(ctx.user_id));
  w.member("type", "users").end_object().end_object();
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/state-versions/" + v.id.str()).end_object();
  w.end_object();
}

}  // namespace tfe

#endif  // TFE_API_STATE_SERIALIZERS_HPP
