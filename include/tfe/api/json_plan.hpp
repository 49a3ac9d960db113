// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The JSON plan of a run: what /plans/:id/json-output and /json-output-redacted answer. One document
// serves both: the fields of `terraform show -json` and those the CLI's renderer reads from the redacted
// plan (plan_format_version, provider_schemas), which it needs to draw the diff.
#ifndef TFE_API_JSON_PLAN_HPP
#define TFE_API_JSON_PLAN_HPP

#include <tfe/json.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/model/planned_changes.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/model/time.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

namespace detail {

// The changes a run without a readable configuration stands for: one synthetic terraform_data
// resource per counted creation, the prior state's resources for updates and deletions.
inline planned_changes synthetic_changes(const run& r, const std::vector<state_resource>& prior) {
  planned_changes p;
  auto add = [&](std::string action, const state_resource* res, std::int64_t n) {
    planned_resource x;
    x.mode = "managed";
    x.type = res ? res->type : "terraform_data";
    x.name = res ? res->name : "planned_" + std::to_string(n);
    x.address = res ? res->address : x.type + "." + x.name;
    x.action = std::move(action);
    p.resources.push_back(std::move(x));
  };
  const resource_counts& c = r.plan_counts;
  std::int64_t n = 0;
  for (std::int64_t i = 0; i < c.additions; ++i) add("create", nullptr, n++);
  for (std::int64_t i = 0; i < c.changes; ++i)
    add("update", i < static_cast<std::int64_t>(prior.size()) ? &prior[static_cast<std::size_t>(i)] : nullptr, n++);
  for (std::int64_t i = 0; i < c.destructions; ++i) {
    const std::size_t k =
        prior.size() > static_cast<std::size_t>(i) ? prior.size() - 1 - static_cast<std::size_t>(i) : prior.size();
    add("delete", k < prior.size() ? &prior[k] : nullptr, n++);
  }
  return p;
}

// The attribute schema of a resource type: terraform_data's own, else every attribute seen as dynamic.
inline void write_resource_schema(json_writer& w, std::string_view type, const std::set<std::string>& seen) {
  auto attr = [&](std::string_view name, std::string_view t, std::string_view flag) {
    w.key(name).begin_object().member("type", t).member("description_kind", "plain").member(flag, true).end_object();
  };
  w.begin_object().member("version", std::int64_t{0}).key("block").begin_object().key("attributes").begin_object();
  attr("id", "string", "computed");
  if (type == "terraform_data") {
    attr("input", "dynamic", "optional");
    attr("output", "dynamic", "computed");
    attr("triggers_replace", "dynamic", "optional");
  } else {
    for (const auto& a : seen)
      if (a != "id") attr(a, "dynamic", "optional");
  }
  w.end_object().member("description_kind", "plain").end_object().end_object();
}

// The values of a resource instance after the change: its known attributes, `id` and terraform_data's
// `output` left to the apply.
inline void write_after(json_writer& w, const planned_resource& r, bool unknown_part) {
  w.begin_object();
  if (unknown_part) {
    w.member("id", true);
    if (r.type == "terraform_data") w.member("output", true);
  } else {
    for (const auto& [k, v] : r.attributes) {
      auto parsed = json::parse(v);
      w.key(k).value(parsed ? *parsed : json());
    }
    if (r.type == "terraform_data") {
      bool has_input = false, has_triggers = false;
      for (const auto& a : r.attributes) {
        has_input = has_input || a.first == "input";
        has_triggers = has_triggers || a.first == "triggers_replace";
      }
      if (!has_input) w.key("input").null_value();
      if (!has_triggers) w.key("triggers_replace").null_value();
    }
  }
  w.end_object();
}

}  // namespace detail

/// The JSON plan (format 1.2) of run `r`: its planned changes when the plan read the configuration (and
/// they agree with the plan's counts, which a script may override), else one synthetic change per counted
/// addition, change and destruction against the resources `prior` of its workspace's state.
inline std::string json_plan_document(const run& r, const std::vector<state_resource>& prior) {
  planned_changes p;
  bool from_config = false;
  if (!r.planned.empty())
    if (auto decoded = decode_planned_changes(r.planned);
        decoded && detail::same_plan_counts(decoded->counts(), r.plan_counts)) {
      p = std::move(*decoded);
      from_config = true;
    }
  if (!from_config) p = detail::synthetic_changes(r, prior);
  // provider -> type -> attributes seen, for managed resources and data sources
  std::map<std::string, std::map<std::string, std::set<std::string>>> schemas, data_schemas;
  for (const auto& res : p.resources) {
    auto& attrs = (res.mode == "data" ? data_schemas : schemas)[provider_of_type(res.type)][res.type];
    for (const auto& a : res.attributes) attrs.insert(a.first);
  }
  for (const auto& [provider, types] : data_schemas) schemas[provider];
  if (schemas.empty()) schemas["terraform.io/builtin/terraform"];

  std::string out;
  json_writer w(out);
  w.begin_object();
  w.member("format_version", "1.2").member("plan_format_version", "1.2").member("provider_format_version", "1.0");
  w.member("terraform_version", std::string_view(r.terraform_version));
  // planned_values: the managed resources and outputs as they will be
  w.key("planned_values").begin_object().key("outputs").begin_object();
  for (const auto& o : p.outputs) {
    if (o.action == "delete") continue;
    w.key(o.name).begin_object().member("sensitive", o.sensitive);
    if (!o.value.empty())
      if (auto v = json::parse(o.value)) w.key("value").value(*v);
    w.end_object();
  }
  w.end_object().key("root_module").begin_object().key("resources").begin_array();
  for (const auto& res : p.resources) {
    if (res.mode != "managed" || res.action == "delete") continue;
    w.begin_object().member("address", std::string_view(res.address)).member("mode", "managed");
    w.member("type", std::string_view(res.type)).member("name", std::string_view(res.name));
    if (res.index >= 0) w.member("index", res.index);
    w.member("provider_name", provider_of_type(res.type)).member("schema_version", std::int64_t{0});
    w.key("values");
    detail::write_after(w, res, false);
    w.key("sensitive_values").begin_object().end_object().end_object();
  }
  w.end_array().end_object().end_object();
  // resource_changes: what the CLI draws
  w.key("resource_changes").begin_array();
  for (const auto& res : p.resources) {
    if (res.mode != "managed") continue;
    w.begin_object().member("address", std::string_view(res.address)).member("mode", "managed");
    w.member("type", std::string_view(res.type)).member("name", std::string_view(res.name));
    if (res.index >= 0) w.member("index", res.index);
    w.member("provider_name", provider_of_type(res.type));
    w.key("change").begin_object().key("actions").begin_array();
    if (res.action == "replace") w.value("delete").value("create");
    else w.value(std::string_view(res.action));
    w.end_array();
    const std::string id = res.address;
    if (res.action == "create") {
      w.key("before").null_value();
    } else {
      w.key("before").begin_object().member("id", std::string_view(id)).end_object();
    }
    if (res.action == "delete") {
      w.key("after").null_value();
      w.key("after_unknown").begin_object().end_object();
    } else if (res.action == "no-op") {
      w.key("after").begin_object().member("id", std::string_view(id)).end_object();
      w.key("after_unknown").begin_object().end_object();
    } else {
      w.key("after");
      detail::write_after(w, res, false);
      w.key("after_unknown");
      detail::write_after(w, res, true);
    }
    w.key("before_sensitive").begin_object().end_object();
    w.key("after_sensitive").begin_object().end_object();
    w.end_object().end_object();
  }
  w.end_array();
  // output_changes
  w.key("output_changes").begin_object();
  for (const auto& o : p.outputs) {
    w.key(o.name).begin_object().key("actions").begin_array().value(std::string_view(o.action)).end_array();
    std::optional<json> value;
    if (!o.value.empty())
      if (auto parsed = json::parse(o.value)) value = std::move(*parsed);
    if (o.action == "create") w.key("before").null_value();
    else w.key("before").value(value ? *value : json());
    if (o.action == "delete") w.key("after").null_value();
    else w.key("after").value(value ? *value : json());
    w.member("after_unknown", o.action != "delete" && !value);
    w.member("before_sensitive", o.sensitive).member("after_sensitive", o.sensitive);
    w.end_object();
  }
  w.end_object();
  // configuration: the resources and outputs the plan read
  w.key("configuration").begin_object().key("provider_config").begin_object();
  for (const auto& [provider, types] : schemas) {
    const std::string short_name = provider.substr(provider.rfind('/') + 1);
    w.key(short_name)
        .begin_object()
        .member("name", std::string_view(short_name))
        .member("full_name", std::string_view(provider))
        .end_object();
  }
  w.end_object().key("root_module").begin_object().key("resources").begin_array();
  std::set<std::string> written;
  for (const auto& res : p.resources) {
    if (res.action == "delete") continue;
    const std::string addr = (res.mode == "data" ? "data." : "") + res.type + "." + res.name;
    if (!written.insert(addr).second) continue;
    const std::string provider = provider_of_type(res.type);
    w.begin_object().member("address", std::string_view(addr)).member("mode", std::string_view(res.mode));
    w.member("type", std::string_view(res.type)).member("name", std::string_view(res.name));
    w.member("provider_config_key", provider.substr(provider.rfind('/') + 1));
    w.key("expressions").begin_object().end_object().member("schema_version", std::int64_t{0}).end_object();
  }
  w.end_array().key("outputs").begin_object();
  for (const auto& o : p.outputs) {
    if (o.action == "delete") continue;
    w.key(o.name).begin_object().key("expression").begin_object().end_object();
    if (o.sensitive) w.member("sensitive", true);
    w.end_object();
  }
  w.end_object().end_object().end_object();
  w.key("relevant_attributes").begin_array().end_array();
  // provider_schemas: the CLI's renderer looks every changed resource's schema up here
  w.key("provider_schemas").begin_object();
  for (const auto& [provider, types] : schemas) {
    w.key(provider).begin_object().key("provider").begin_object().member("version", std::int64_t{0});
    w.key("block").begin_object().member("description_kind", "plain").end_object().end_object();
    w.key("resource_schemas").begin_object();
    for (const auto& [type, attrs] : types) {
      w.key(type);
      detail::write_resource_schema(w, type, attrs);
    }
    w.end_object().key("data_source_schemas").begin_object();
    if (auto d = data_schemas.find(provider); d != data_schemas.end())
      for (const auto& [type, attrs] : d->second) {
        w.key(type);
        detail::write_resource_schema(w, type, attrs);
      }
    w.end_object().end_object();
  }
  w.end_object();
  const resource_counts c = r.plan_counts;
  w.member("applyable", c.any() || p.outputs_change()).member("complete", true).member("errored", r.plan_errored);
  char ts[iso8601_length];
  format_iso8601(ts, r.created_at);
  w.member("timestamp", std::string_view(ts, iso8601_length));
  w.end_object();
  return out;
}

}  // namespace tfe

#endif  // TFE_API_JSON_PLAN_HPP
