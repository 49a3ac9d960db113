// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// What a plan proposes, as pure functions: a scanned configuration against a state's resources and
// outputs, and the state that applying it leaves (used by engine/planning.hpp and the apply).
#ifndef TFE_ENGINE_CONFIGURATION_DIFF_HPP
#define TFE_ENGINE_CONFIGURATION_DIFF_HPP

#include <tfe/detail/tf_scan.hpp>
#include <tfe/json.hpp>
#include <tfe/model/planned_changes.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/state_version.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tfe {

namespace detail {
// Whether two JSON texts hold the same value (both must parse).
inline bool same_json(const std::string& a, const std::string& b) {
  auto x = json::parse(a);
  auto y = json::parse(b);
  return x && y && *x == *y;
}
// The literal value behind reference `type.name.attribute` of the configuration: the attribute's own
// literal, and for terraform_data's `output` its `input`; empty when unknown.
inline std::string referenced_value(const tf_config& cfg, const std::string& reference) {
  const auto d1 = reference.find('.');
  const auto d2 = d1 == std::string::npos ? d1 : reference.find('.', d1 + 1);
  if (d2 == std::string::npos) return {};
  const std::string type = reference.substr(0, d1), name = reference.substr(d1 + 1, d2 - d1 - 1);
  std::string attr = reference.substr(d2 + 1);
  if (type == "terraform_data" && attr == "output") attr = "input";
  for (const auto& res : cfg.resources)
    if (res.mode == "managed" && res.type == type && res.name == name && res.count == 1)
      for (const auto& [k, v] : res.attributes)
        if (k == attr) return v;
  return {};
}
}  // namespace detail

/// The changes run `r` proposes: configuration `cfg` against the resources and outputs of the
/// workspace's current state. A destroy run deletes what the state holds; a refresh-only run changes
/// nothing. Resources already in the state are unchanged (their attributes are not compared).
inline planned_changes diff_configuration(const detail::tf_config& cfg, const std::vector<state_resource>& prior,
                                          const std::vector<state_output>& prior_outputs, const run& r) {
  planned_changes p;
  p.notes = cfg.notes;
  std::vector<std::string> prior_instances;  // addresses of the state's managed instances
  for (const auto& res : prior) {
    if (res.mode == "data") continue;
    if (res.count <= 1) prior_instances.push_back(res.address);
    else
      for (std::int64_t i = 0; i < res.count; ++i)
        prior_instances.push_back(res.address + "[" + std::to_string(i) + "]");
  }
  const auto split = [](const std::string& address, planned_resource& x) {  // type, name, index of an address
    std::string a = address;
    if (a.compare(0, 5, "data.") == 0) a.erase(0, 5);
    if (const auto b = a.find('['); b != std::string::npos) {
      x.index = std::strtoll(a.c_str() + b + 1, nullptr, 10);
      a.erase(b);
    }
    const auto dot = a.find('.');
    x.type = a.substr(0, dot);
    x.name = dot == std::string::npos ? std::string() : a.substr(dot + 1);
  };
  std::set<std::string> wanted;
  if (!r.is_destroy)
    for (const auto& res : cfg.resources) {
      const bool data = res.mode == "data";
      const std::string base = (data ? "data." : "") + res.type + "." + res.name;
      const std::int64_t n = res.count < 0 ? 1 : res.count;
      for (std::int64_t i = 0; i < n; ++i) {
        planned_resource x;
        x.mode = data ? "data" : "managed";
        x.type = res.type;
        x.name = res.name;
        x.index = res.count > 1 ? i : -1;
        x.address = base + (x.index >= 0 ? "[" + std::to_string(i) + "]" : std::string());
        x.attributes = res.attributes;
        if (data) x.action = "read";
        else {
          wanted.insert(x.address);
          const bool known =
              std::find(prior_instances.begin(), prior_instances.end(), x.address) != prior_instances.end();
          x.action = known || r.refresh_only ? "no-op" : "create";
        }
        p.resources.push_back(std::move(x));
      }
    }
  if (!r.refresh_only)
    for (const auto& address : prior_instances)
      if (!wanted.count(address)) {
        planned_resource x;
        x.mode = "managed";
        x.address = address;
        split(address, x);
        x.action = "delete";
        p.resources.push_back(std::move(x));
      }
  std::set<std::string> outputs;
  if (!r.is_destroy)
    for (const auto& o : cfg.outputs) {
      planned_output x;
      x.name = o.name;
      x.sensitive = o.sensitive;
      x.value = o.value ? *o.value : detail::referenced_value(cfg, o.reference);
      outputs.insert(o.name);
      const auto old = std::find_if(prior_outputs.begin(), prior_outputs.end(),
                                    [&](const state_output& s) { return s.name == o.name; });
      if (r.refresh_only) x.action = "no-op";
      else if (old == prior_outputs.end()) x.action = "create";
      else if (!x.value.empty() && detail::same_json(old->value, x.value)) x.action = "no-op";
      else x.action = "update";
      p.outputs.push_back(std::move(x));
    }
  if (!r.refresh_only)
    for (const auto& o : prior_outputs)
      if (!outputs.count(o.name)) p.outputs.push_back(planned_output{o.name, "delete", o.value, o.sensitive});
  return p;
}

/// The state resources and outputs after applying `p` to `prior`: deleted instances leave, created
/// ones join (grouped per resource, with their instance count); outputs as planned.
inline std::pair<std::vector<state_resource>, std::vector<state_output>> apply_planned_changes(
    const planned_changes& p, const std::vector<state_resource>& prior) {
  std::vector<state_resource> out;
  std::set<std::string> deleted;
  for (const auto& x : p.resources)
    if (x.action == "delete") deleted.insert(x.address);
  for (const auto& res : prior) {
    state_resource kept = res;
    if (res.count <= 1) {
      if (deleted.count(res.address)) continue;
    } else {
      std::int64_t n = 0;
      for (std::int64_t i = 0; i < res.count; ++i)
        if (!deleted.count(res.address + "[" + std::to_string(i) + "]")) ++n;
      if (n == 0) continue;
      kept.count = n;
    }
    out.push_back(std::move(kept));
  }
  for (const auto& x : p.resources) {
    if (x.mode != "managed" || x.action != "create") continue;
    const std::string base = x.type + "." + x.name;
    auto it = std::find_if(out.begin(), out.end(), [&](const state_resource& s) { return s.address == base; });
    if (it != out.end()) {
      ++it->count;
      continue;
    }
    state_resource res;
    res.address = base;
    res.module = "root";
    res.mode = "managed";
    res.type = x.type;
    res.name = x.name;
    res.provider = "provider[\"" + provider_of_type(x.type) + "\"]";
    res.count = 1;
    out.push_back(std::move(res));
  }
  std::vector<state_output> outputs;
  for (const auto& o : p.outputs) {
    if (o.action == "delete") continue;
    state_output s;
    s.name = o.name;
    s.sensitive = o.sensitive;
    s.value = o.value.empty() ? "null" : o.value;
    auto v = json::parse(s.value);
    s.type = !v || v->is_null() ? "null"
             : v->is_string()   ? "string"
             : v->is_number()   ? "number"
             : v->is_bool()     ? "boolean"
             : v->is_array()    ? "array"
                                : "object";
    s.detailed_type = s.type == "string"    ? "\"string\""
                      : s.type == "number"  ? "\"number\""
                      : s.type == "boolean" ? "\"bool\""
                                            : "\"dynamic\"";
    outputs.push_back(std::move(s));
  }
  return {std::move(out), std::move(outputs)};
}

}  // namespace tfe

#endif  // TFE_ENGINE_CONFIGURATION_DIFF_HPP
