// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Terraform state documents (format version 4): what a state version reads from an uploaded state, and
// the state an apply writes.
#ifndef TFE_MODEL_TERRAFORM_STATE_HPP
#define TFE_MODEL_TERRAFORM_STATE_HPP

#include <tfe/json.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// What tfe reads from a Terraform state: its header, outputs and resources.
struct terraform_state {
  std::int64_t version = 4;               ///< state format ("version")
  std::string terraform_version;          ///< "terraform_version"
  std::int64_t serial = 0;                ///< "serial"
  std::string lineage;                    ///< "lineage"
  std::vector<state_output> outputs;      ///< "outputs" (ids left empty), in the state's order
  std::vector<state_resource> resources;  ///< "resources" with their instance counts
};

namespace detail {
/// The coarse output type TFE reports for a state's type constraint (`"string"`, `["list","string"]`...).
inline std::string output_kind(const json& type, const json& value) {
  const json* t = &type;
  if (const auto* a = type.as_array(); a && !a->empty()) t = &(*a)[0];
  if (auto s = t->as_string()) {
    if (*s == "string") return "string";
    if (*s == "number") return "number";
    if (*s == "bool") return "boolean";
    if (*s == "list" || *s == "tuple" || *s == "set") return "array";
    if (*s == "map" || *s == "object") return "object";
  }
  switch (value.type()) {  // no usable type: the value's kind
    case json::kind::string:
      return "string";
    case json::kind::integer:
    case json::kind::number:
      return "number";
    case json::kind::boolean:
      return "boolean";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
    case json::kind::null:
      return "null";
  }
  return "null";
}
}  // namespace detail

/// Reads a Terraform state (JSON, format 3 or 4). 422 when it is not a JSON object with the shape of one;
/// unknown members are ignored, as Terraform does.
inline result<terraform_state> parse_terraform_state(std::string_view bytes) {
  json_parse_options po;
  po.max_size = bytes.size() + 1;
  po.max_depth = 256;
  auto doc = json::parse(bytes, po);
  if (!doc || !doc->is_object())
    return make_titled_error(errc::validation_failed, "invalid state", "the state is not a JSON object",
                             "/data/attributes/state");
  terraform_state st;
  const json& d = *doc;
  if (auto v = d["version"].as_int()) st.version = *v;
  if (auto v = d["terraform_version"].as_string()) st.terraform_version = std::string(*v);
  if (auto v = d["serial"].as_int()) st.serial = *v;
  if (auto v = d["lineage"].as_string()) st.lineage = std::string(*v);
  if (const auto* outs = d["outputs"].as_object()) {
    for (const auto& m : *outs) {
      if (!m.second.is_object()) continue;
      state_output o;
      o.name = m.first;
      const json& value = m.second["value"];
      const json& type = m.second["type"];
      o.value = value.dump();
      o.detailed_type = type.is_null() ? std::string("null") : type.dump();
      o.type = detail::output_kind(type, value);
      o.sensitive = m.second["sensitive"].as_bool().value_or(false);
      st.outputs.push_back(std::move(o));
    }
  }
  if (const auto* res = d["resources"].as_array()) {
    for (const auto& r : *res) {
      if (!r.is_object()) continue;
      state_resource sr;
      sr.module = std::string(r["module"].as_string().value_or("root"));
      sr.mode = std::string(r["mode"].as_string().value_or("managed"));
      sr.type = std::string(r["type"].as_string().value_or(""));
      sr.name = std::string(r["name"].as_string().value_or(""));
      sr.provider = std::string(r["provider"].as_string().value_or(""));
      sr.count = r["instances"].is_array() ? static_cast<std::int64_t>(r["instances"].size()) : 1;
      sr.address = (sr.module == "root" ? std::string() : sr.module + ".") + (sr.mode == "data" ? "data." : "") +
                   sr.type + "." + sr.name;
      st.resources.push_back(std::move(sr));
    }
  }
  return st;
}

/// Writes a Terraform state (format 4) holding `st`'s outputs and resources: what an apply stores. Each
/// resource gets `count` instances with an `id` attribute (`<address>/<index>` made unique by `lineage`).
inline std::string write_terraform_state(const terraform_state& st) {
  std::string out;
  json_writer w(out);
  w.begin_object();
  w.member("version", std::int64_t{4});
  w.member("terraform_version", std::string_view(st.terraform_version));
  w.member("serial", st.serial);
  w.member("lineage", std::string_view(st.lineage));
  w.key("outputs").begin_object();
  for (const auto& o : st.outputs) {
    w.key(o.name).begin_object();
    auto value = json::parse(o.value);
    w.key("value").value(value ? *value : json());
    auto type = json::parse(o.detailed_type);
    w.key("type").value(type ? *type : json("string"));
    if (o.sensitive) w.member("sensitive", true);
    w.end_object();
  }
  w.end_object();
  w.key("resources").begin_array();
  for (const auto& r : st.resources) {
    w.begin_object();
    if (r.module != "root" && !r.module.empty()) w.member("module", std::string_view(r.module));
    w.member("mode", std::string_view(r.mode.empty() ? "managed" : r.mode));
    w.member("type", std::string_view(r.type));
    w.member("name", std::string_view(r.name));
    w.member("provider", std::string_view(r.provider));
    w.key("instances").begin_array();
    for (std::int64_t i = 0; i < r.count; ++i) {
      w.begin_object();
      if (r.count > 1) w.member("index_key", i);
      w.member("schema_version", std::int64_t{0});
      w.key("attributes").begin_object();
      w.member("id", r.address + (r.count > 1 ? "[" + std::to_string(i) + "]" : std::string()) + "/" + st.lineage);
      w.end_object();
      w.key("sensitive_attributes").begin_array().end_array();
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("check_results").null_value();
  w.end_object();
  return out;
}

/// True for a state version whose raw state is not stored but rendered from its fields: what a run's
/// apply wrote (finalized with no md5; an uploaded state always has one).
inline bool rendered_state(const state_version& v) noexcept {
  return v.status == state_version_status::finalized && v.md5.empty();
}

/// The raw state of a rendered state version (rendered_state), as write_terraform_state writes it.
inline std::string render_raw_state(const state_version& v) {
  terraform_state st;
  st.version = v.state_format;
  st.terraform_version = v.terraform_version;
  st.serial = v.serial;
  st.lineage = v.lineage;
  st.outputs = v.outputs;
  st.resources = v.resources;
  return write_terraform_state(st);
}

}  // namespace tfe

#endif  // TFE_MODEL_TERRAFORM_STATE_HPP
