// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The JSON plan of a run (`terraform show -json` of its plan): what /plans/:id/json-output answers.
#ifndef TFE_API_JSON_PLAN_HPP
#define TFE_API_JSON_PLAN_HPP

#include <tfe/json_writer.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/model/time.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// The JSON plan (format 1.2) of run `r` planned against the resources `prior` of its workspace's state:
/// one resource change per counted addition, change and destruction, consistent with the plan's counts.
inline std::string json_plan_document(const run& r, const std::vector<state_resource>& prior) {
  std::string out;
  json_writer w(out);
  auto change = [&](std::string_view action, const state_resource& res) {
    w.begin_object();
    w.member("address", std::string_view(res.address)).member("mode", std::string_view(res.mode));
    w.member("type", std::string_view(res.type)).member("name", std::string_view(res.name));
    w.member("provider_name", "terraform.io/builtin/terraform");
    w.key("change").begin_object().key("actions").begin_array();
    if (action == "replace") w.value("delete").value("create");
    else w.value(action);
    w.end_array();
    if (action == "create") w.key("before").null_value();
    else w.key("before").begin_object().end_object();
    if (action == "delete") w.key("after").null_value();
    else w.key("after").begin_object().end_object();
    w.key("after_unknown").begin_object().end_object();
    w.member("before_sensitive", false).member("after_sensitive", false);
    w.end_object();
    w.end_object();
  };
  auto synthetic = [&](std::int64_t i) {
    state_resource res;
    res.mode = "managed";
    res.type = "terraform_data";
    res.name = "planned_" + std::to_string(i);
    res.address = res.type + "." + res.name;
    return res;
  };
  const resource_counts& c = r.plan_counts;
  w.begin_object();
  w.member("format_version", "1.2").member("terraform_version", std::string_view(r.terraform_version));
  w.key("planned_values").begin_object().key("root_module").begin_object().key("resources").begin_array();
  w.end_array().end_object().end_object();
  w.key("resource_changes").begin_array();
  std::int64_t n = 0;
  for (std::int64_t i = 0; i < c.additions; ++i) change("create", synthetic(n++));
  for (std::int64_t i = 0; i < c.changes; ++i)
    change("update", i < static_cast<std::int64_t>(prior.size()) ? prior[static_cast<std::size_t>(i)] : synthetic(n++));
  for (std::int64_t i = 0; i < c.destructions; ++i) {
    const std::size_t k =
        prior.size() > static_cast<std::size_t>(i) ? prior.size() - 1 - static_cast<std::size_t>(i) : 0;
    change("delete", k < prior.size() ? prior[k] : synthetic(n++));
  }
  w.end_array();
  w.key("output_changes").begin_object().end_object();
  w.key("configuration").begin_object().key("root_module").begin_object().end_object().end_object();
  w.member("applyable", c.any()).member("complete", true).member("errored", false);
  char ts[iso8601_length];
  format_iso8601(ts, r.created_at);
  w.member("timestamp", std::string_view(ts, iso8601_length));
  w.end_object();
  return out;
}

}  // namespace tfe

#endif  // TFE_API_JSON_PLAN_HPP
