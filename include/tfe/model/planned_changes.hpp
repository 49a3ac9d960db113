// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// What a plan proposes, resource by resource and output by output: read from the uploaded configuration
// and the workspace's state, kept with the run (as JSON text) for its logs, its JSON plan and the state
// its apply writes.
#ifndef TFE_MODEL_PLANNED_CHANGES_HPP
#define TFE_MODEL_PLANNED_CHANGES_HPP

#include <tfe/json.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/model/run.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {

/// One resource instance a plan touches.
struct planned_resource {
  std::string address;      ///< "terraform_data.web", "terraform_data.web[1]", "data.x.y"
  std::string mode;         ///< "managed" or "data"
  std::string type;         ///< "terraform_data"
  std::string name;         ///< "web"
  std::int64_t index = -1;  ///< the count index, -1 without count
  std::string action;       ///< "create", "update", "delete", "no-op" or "read"
  /// Attribute values known from the configuration: name and JSON text.
  std::vector<std::pair<std::string, std::string>> attributes;
};

/// One root output a plan touches.
struct planned_output {
  std::string name;        ///< the output's name
  std::string action;      ///< "create", "update", "delete" or "no-op"
  std::string value;       ///< JSON text of a known value; empty when only the apply knows it
  bool sensitive = false;  ///< marked sensitive in the configuration
};

/// What a plan proposes (docs/terraform-cli.md#what-is-simulated).
struct planned_changes {
  std::vector<planned_resource> resources;  ///< in configuration order, then deletions
  std::vector<planned_output> outputs;      ///< in configuration order, then deletions
  std::vector<std::string> notes;           ///< what the configuration scanner could not read

  /// The counts of the plan: creations, updates, deletions of managed resources.
  resource_counts counts() const {
    resource_counts c;
    for (const auto& r : resources) {
      if (r.mode != "managed") continue;
      if (r.action == "create") ++c.additions;
      else if (r.action == "update") ++c.changes;
      else if (r.action == "delete") ++c.destructions;
    }
    return c;
  }
  /// Whether any output changes.
  bool outputs_change() const {
    for (const auto& o : outputs)
      if (o.action != "no-op") return true;
    return false;
  }
};

namespace detail {
/// Whether two counts agree on additions, changes and destructions.
inline bool same_plan_counts(const resource_counts& a, const resource_counts& b) {
  return a.additions == b.additions && a.changes == b.changes && a.destructions == b.destructions;
}
}  // namespace detail

/// The resource's provider as the CLI names it ("terraform.io/builtin/terraform" for terraform_data,
/// else registry.terraform.io/hashicorp/<the type's first word>).
inline std::string provider_of_type(std::string_view type) {
  if (type == "terraform_data" || type == "terraform_remote_state") return "terraform.io/builtin/terraform";
  const std::size_t us = type.find('_');
  return "registry.terraform.io/hashicorp/" + std::string(type.substr(0, us));
}

/// Writes `p` as the JSON text kept with a run.
inline std::string encode_planned_changes(const planned_changes& p) {
  std::string out;
  json_writer w(out);
  w.begin_object().key("resources").begin_array();
  for (const auto& r : p.resources) {
    w.begin_object().member("address", std::string_view(r.address)).member("mode", std::string_view(r.mode));
    w.member("type", std::string_view(r.type)).member("name", std::string_view(r.name)).member("index", r.index);
    w.member("action", std::string_view(r.action)).key("attributes").begin_object();
    for (const auto& [k, v] : r.attributes) w.member(k, std::string_view(v));
    w.end_object().end_object();
  }
  w.end_array().key("outputs").begin_array();
  for (const auto& o : p.outputs)
    w.begin_object()
        .member("name", std::string_view(o.name))
        .member("action", std::string_view(o.action))
        .member("value", std::string_view(o.value))
        .member("sensitive", o.sensitive)
        .end_object();
  w.end_array().key("notes").begin_array();
  for (const auto& n : p.notes) w.value(std::string_view(n));
  w.end_array().end_object();
  return out;
}

/// Reads the JSON text of encode_planned_changes; nullopt when `text` is not one.
inline std::optional<planned_changes> decode_planned_changes(std::string_view text) {
  auto doc = json::parse(text);
  if (!doc || !doc->is_object()) return std::nullopt;
  planned_changes p;
  const auto str = [](const json& j, std::string_view k) { return std::string(j[k].as_string().value_or("")); };
  if (auto rs = (*doc)["resources"].as_array())
    for (const json& j : *rs) {
      planned_resource r;
      r.address = str(j, "address");
      r.mode = str(j, "mode");
      r.type = str(j, "type");
      r.name = str(j, "name");
      r.index = j["index"].as_int().value_or(-1);
      r.action = str(j, "action");
      if (const json::object_type* a = j["attributes"].as_object())
        for (const auto& [k, v] : *a) r.attributes.emplace_back(k, std::string(v.as_string().value_or("")));
      p.resources.push_back(std::move(r));
    }
  if (auto os = (*doc)["outputs"].as_array())
    for (const json& j : *os)
      p.outputs.push_back(
          planned_output{str(j, "name"), str(j, "action"), str(j, "value"), j["sensitive"].as_bool().value_or(false)});
  if (auto ns = (*doc)["notes"].as_array())
    for (const json& j : *ns) p.notes.emplace_back(j.as_string().value_or(""));
  return p;
}

}  // namespace tfe

#endif  // TFE_MODEL_PLANNED_CHANGES_HPP
