// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The JSON form of the model entities, as snapshots (and journals) store them.
#ifndef TFE_MODEL_CODEC_HPP
#define TFE_MODEL_CODEC_HPP

#include <tfe/json.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/lifecycle/run_state_machine.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/configuration_version.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/organization.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/time.hpp>
#include <tfe/model/workspace.hpp>
#include <tfe/result.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tfe {

// Every entity lists its stored fields once, as (kebab-case name, member) pairs; encode and decode
// are written once over these lists. A field missing from a document keeps its default, so a
// hand-written fixture names only what it needs; an unknown member is an error (typos show up).
// Engine-maintained indexes (a workspace's run and configuration version lists) are not fields:
// a snapshot rebuilds them from the order of its arrays.

namespace detail {

template <class V>
void describe(organization& o, V&& f) {
  f("name", o.name);
  f("external-id", o.external_id);
  f("email", o.email);
  f("created-at", o.created_at);
  f("session-timeout", o.session_timeout);
  f("session-remember", o.session_remember);
  f("collaborator-auth-policy", o.collaborator_auth_policy);
  f("cost-estimation-enabled", o.cost_estimation_enabled);
  f("policy-checks-enabled", o.policy_checks_enabled);
  f("owners-team-saml-role-id", o.owners_team_saml_role_id);
  f("default-execution-mode", o.default_execution_mode);
  f("saml-enabled", o.saml_enabled);
  f("two-factor-conformant", o.two_factor_conformant);
  f("assessments-enforced", o.assessments_enforced);
}

template <class V>
void describe(workspace& w, V&& f) {
  f("id", w.id);
  f("organization", w.organization);
  f("name", w.name);
  f("description", w.description);
  f("created-at", w.created_at);
  f("updated-at", w.updated_at);
  f("auto-apply", w.auto_apply);
  f("auto-apply-run-trigger", w.auto_apply_run_trigger);
  f("queue-all-runs", w.queue_all_runs);
  f("speculative-enabled", w.speculative_enabled);
  f("allow-destroy-plan", w.allow_destroy_plan);
  f("file-triggers-enabled", w.file_triggers_enabled);
  f("global-remote-state", w.global_remote_state);
  f("structured-run-output-enabled", w.structured_run_output_enabled);
  f("assessments-enabled", w.assessments_enabled);
  f("execution-mode", w.execution_mode);
  f("terraform-version", w.terraform_version);
  f("working-directory", w.working_directory);
  f("source", w.source);
  f("source-name", w.source_name);
  f("source-url", w.source_url);
  f("agent-pool-id", w.agent_pool_id);
  f("trigger-prefixes", w.trigger_prefixes);
  f("trigger-patterns", w.trigger_patterns);
  f("tag-names", w.tag_names);
  f("locked", w.manually_locked);
  f("locked-reason", w.locked_reason);
  f("locked-by", w.locked_by_user);
  f("active-run", w.active_run);
  f("current-run", w.current_run);
  f("current-configuration-version", w.current_configuration_version);
  f("queue", w.queue);
  f("resource-count", w.resource_count);
}

template <class V>
void describe(configuration_version& c, V&& f) {
  f("id", c.id);
  f("workspace", c.workspace_id);
  f("status", c.status);
  f("source", c.source);
  f("auto-queue-runs", c.auto_queue_runs);
  f("speculative", c.speculative);
  f("provisional", c.provisional);
  f("upload-token", c.upload_token);
  f("error", c.error);
  f("error-message", c.error_message);
  f("created-at", c.created_at);
  f("uploaded-at", c.uploaded_at);
  f("errored-at", c.errored_at);
  f("archived-at", c.archived_at);
  f("size", c.size);
}

template <class V>
void describe(run& r, V&& f) {
  f("id", r.id);
  f("workspace", r.workspace_id);
  f("configuration-version", r.configuration_version_id);
  f("created-by", r.created_by);
  f("confirmed-by", r.confirmed_by);
  f("canceled-by", r.canceled_by);
  f("status", r.status);
  f("before-final", r.before_final);
  f("source", r.source);
  f("message", r.message);
  f("terraform-version", r.terraform_version);
  f("created-at", r.created_at);
  f("updated-at", r.updated_at);
  f("status-timestamps", r.status_ms);
  f("force-cancel-available-at-ms", r.force_cancel_available_at_ms);
  f("is-destroy", r.is_destroy);
  f("refresh", r.refresh);
  f("refresh-only", r.refresh_only);
  f("plan-only", r.plan_only);
  f("auto-apply", r.auto_apply);
  f("allow-empty-apply", r.allow_empty_apply);
  f("allow-config-generation", r.allow_config_generation);
  f("save-plan", r.save_plan);
  f("debugging-mode", r.debugging_mode);
  f("cancel-requested", r.cancel_requested);
  f("cost-estimation", r.cost_estimation);
  f("policy-checks", r.policy_checks);
  f("has-changes", r.has_changes);
  f("target-addrs", r.target_addrs);
  f("replace-addrs", r.replace_addrs);
  f("variables", r.variables);
  f("plan-counts", r.plan_counts);
  f("apply-counts", r.apply_counts);
  f("error-text", r.error_text);
  f("plan-log", r.plan_log);
  f("apply-log", r.apply_log);
  f("cost-delta-monthly", r.cost_delta_monthly);
  f("comment-count", r.comment_count);
  f("step", r.step);
  f("policy-outcome", r.policy_outcome);
  f("slow-cancel", r.slow_cancel);
  f("cancel-duration-ms", r.cancel_duration_ms);
  f("plan-errored", r.plan_errored);
  f("apply-errored", r.apply_errored);
}

template <class V>
void describe(run_comment& c, V&& f) {
  f("id", c.id);
  f("run", c.run_id);
  f("body", c.body);
  f("action", c.action);
  f("created-at", c.created_at);
}

// Enumerations round-trip through their wire strings.
template <class E>
struct enum_values;
template <>
struct enum_values<run_status> {
  static constexpr std::size_t count = run_status_count;
  static constexpr run_status at(std::size_t i) { return all_run_statuses[i]; }
};
template <>
struct enum_values<run_event> {
  static constexpr std::size_t count = run_event_count;
  static constexpr run_event at(std::size_t i) { return all_run_events[i]; }
};
template <>
struct enum_values<run_source> {
  static constexpr std::size_t count = 5;
  static constexpr run_source at(std::size_t i) { return static_cast<run_source>(i); }
};
template <>
struct enum_values<policy_result> {
  static constexpr std::size_t count = 3;
  static constexpr policy_result at(std::size_t i) { return static_cast<policy_result>(i); }
};
template <>
struct enum_values<configuration_status> {
  static constexpr std::size_t count = 5;
  static constexpr configuration_status at(std::size_t i) { return static_cast<configuration_status>(i); }
};
template <class E, class = void>
struct is_codec_enum : std::false_type {};
template <class E>
struct is_codec_enum<E, std::void_t<decltype(enum_values<E>::count)>> : std::true_type {};

template <class E>
std::optional<E> enum_from_string(std::string_view s) noexcept {
  for (std::size_t i = 0; i < enum_values<E>::count; ++i)
    if (to_string(enum_values<E>::at(i)) == s) return enum_values<E>::at(i);
  return std::nullopt;
}

using status_times = std::array<std::int64_t, run_status_count>;

inline json encode_value(const std::string& v) { return json(v); }
inline json encode_value(bool v) { return json(v); }
inline json encode_value(std::int64_t v) { return json(v); }
inline json encode_value(std::uint32_t v) { return json(static_cast<std::int64_t>(v)); }
inline json encode_value(std::uint64_t v) { return json(static_cast<std::int64_t>(v)); }
inline json encode_value(double v) { return json(v); }
inline json encode_value(const resource_id& v) { return json(v.view()); }
inline json encode_value(time_point v) { return json(to_iso8601(v)); }
inline json encode_value(const resource_counts& c) {
  return json::object({{"additions", c.additions}, {"changes", c.changes}, {"destructions", c.destructions},
                       {"imports", c.imports}});
}
inline json encode_value(const run_variable& v) { return json::object({{"key", v.key}, {"value", v.value}}); }
inline json encode_value(const status_times& t) {
  json o = json::object();
  for (std::size_t i = 0; i < run_status_count; ++i)
    if (t[i] != run::no_time) o.set(to_string(all_run_statuses[i]), json(to_iso8601(from_unix_ms(t[i]))));
  return o;
}
template <class E, std::enable_if_t<is_codec_enum<E>::value, int> = 0>
json encode_value(E e) {
  return json(to_string(e));
}
template <class T>
json encode_value(const std::optional<T>& v) {
  return v ? encode_value(*v) : json();
}
template <class C, class = typename C::value_type, std::enable_if_t<!std::is_same_v<C, std::string>, int> = 0>
json encode_value(const C& items) {
  json a = json::array();
  for (const auto& x : items) a.push_back(encode_value(x));
  return a;
}

// The same values written straight to text (journal records: no DOM on the hot path).
inline void write_value(json_writer& w, const std::string& v) { w.value(std::string_view(v)); }
inline void write_value(json_writer& w, bool v) { w.value(v); }
inline void write_value(json_writer& w, std::int64_t v) { w.value(v); }
inline void write_value(json_writer& w, std::uint32_t v) { w.value(static_cast<std::int64_t>(v)); }
inline void write_value(json_writer& w, std::uint64_t v) { w.value(static_cast<std::int64_t>(v)); }
inline void write_value(json_writer& w, double v) { w.value(v); }
inline void write_value(json_writer& w, const resource_id& v) { w.value(v.view()); }
inline void write_value(json_writer& w, time_point v) {
  char buf[iso8601_length];
  format_iso8601(buf, v);
  w.value(std::string_view(buf, iso8601_length));
}
inline void write_value(json_writer& w, const resource_counts& c) {
  w.begin_object().member("additions", c.additions).member("changes", c.changes);
  w.member("destructions", c.destructions).member("imports", c.imports).end_object();
}
inline void write_value(json_writer& w, const run_variable& v) {
  w.begin_object().member("key", std::string_view(v.key)).member("value", std::string_view(v.value)).end_object();
}
inline void write_value(json_writer& w, const status_times& t) {
  w.begin_object();
  for (std::size_t i = 0; i < run_status_count; ++i)
    if (t[i] != run::no_time) {
      w.key(to_string(all_run_statuses[i]));
      write_value(w, from_unix_ms(t[i]));
    }
  w.end_object();
}
template <class E, std::enable_if_t<is_codec_enum<E>::value, int> = 0>
void write_value(json_writer& w, E e) {
  w.value(to_string(e));
}
template <class T>
void write_value(json_writer& w, const std::optional<T>& v) {
  if (v) write_value(w, *v);
  else w.null_value();
}
template <class C, class = typename C::value_type, std::enable_if_t<!std::is_same_v<C, std::string>, int> = 0>
void write_value(json_writer& w, const C& items) {
  w.begin_array();
  for (const auto& x : items) write_value(w, x);
  w.end_array();
}

inline bool decode_value(const json& j, std::string& out) {
  auto s = j.as_string();
  if (!s) return false;
  out = std::string(*s);
  return true;
}
inline bool decode_value(const json& j, bool& out) {
  auto b = j.as_bool();
  if (!b) return false;
  out = *b;
  return true;
}
inline bool decode_value(const json& j, std::int64_t& out) {
  auto i = j.as_int();
  if (!i) return false;
  out = *i;
  return true;
}
inline bool decode_value(const json& j, std::uint32_t& out) {
  auto i = j.as_int();
  if (!i || *i < 0 || *i > std::numeric_limits<std::uint32_t>::max()) return false;
  out = static_cast<std::uint32_t>(*i);
  return true;
}
inline bool decode_value(const json& j, std::uint64_t& out) {
  auto i = j.as_int();
  if (!i || *i < 0) return false;
  out = static_cast<std::uint64_t>(*i);
  return true;
}
inline bool decode_value(const json& j, double& out) {
  auto d = j.as_double();
  if (!d) return false;
  out = *d;
  return true;
}
inline bool decode_value(const json& j, resource_id& out) {
  auto s = j.as_string();
  if (!s || (!s->empty() && !is_valid_id_text(*s))) return false;
  out = resource_id(*s);
  return true;
}
inline bool decode_value(const json& j, time_point& out) {
  auto s = j.as_string();
  return s && parse_iso8601(*s, out);
}
inline bool decode_value(const json& j, resource_counts& c) {
  if (!j.is_object()) return false;
  for (const auto& m : *j.as_object()) {
    std::int64_t* f = m.first == "additions"      ? &c.additions
                      : m.first == "changes"      ? &c.changes
                      : m.first == "destructions" ? &c.destructions
                      : m.first == "imports"      ? &c.imports
                                                  : nullptr;
    if (!f || !decode_value(m.second, *f) || *f < 0) return false;
  }
  return true;
}
inline bool decode_value(const json& j, run_variable& v) {
  return j.is_object() && j.size() == 2 && decode_value(j["key"], v.key) && decode_value(j["value"], v.value);
}
inline bool decode_value(const json& j, status_times& t) {
  if (!j.is_object()) return false;
  t.fill(run::no_time);
  for (const auto& m : *j.as_object()) {
    auto s = run_status_from_string(m.first);
    time_point tp;
    if (!s || !decode_value(m.second, tp)) return false;
    t[static_cast<std::size_t>(*s)] = to_unix_ms(tp);
  }
  return true;
}
template <class E, std::enable_if_t<is_codec_enum<E>::value, int> = 0>
bool decode_value(const json& j, E& out) {
  auto s = j.as_string();
  if (!s) return false;
  auto e = enum_from_string<E>(*s);
  if (!e) return false;
  out = *e;
  return true;
}
template <class T>
bool decode_value(const json& j, std::optional<T>& out) {
  if (j.is_null()) {
    out.reset();
    return true;
  }
  T v{};
  if (!decode_value(j, v)) return false;
  out = std::move(v);
  return true;
}
template <class C, class = typename C::value_type, std::enable_if_t<!std::is_same_v<C, std::string>, int> = 0>
bool decode_value(const json& j, C& out) {
  const auto* a = j.as_array();
  if (!a) return false;
  C items;
  for (const auto& x : *a) {
    typename C::value_type v{};
    if (!decode_value(x, v)) return false;
    items.push_back(std::move(v));
  }
  out = std::move(items);
  return true;
}

}  // namespace detail

/// The JSON object of an entity (organization, workspace, configuration_version, run, run_comment).
template <class T>
json encode_entity(const T& value) {
  json out = json::object();
  detail::describe(const_cast<T&>(value), [&](std::string_view name, const auto& field) {
    out.set(name, detail::encode_value(field));
  });
  return out;
}

/// Appends the JSON text of an entity to `out` (the same document as encode_entity(value).dump()).
template <class T>
void write_entity(std::string& out, const T& value) {
  json_writer w(out);
  w.begin_object();
  detail::describe(const_cast<T&>(value), [&](std::string_view name, const auto& field) {
    w.key(name);
    detail::write_value(w, field);
  });
  w.end_object();
}

/// Fills `out` from the JSON object `doc`; members not given keep out's value. Fails with
/// errc::validation_failed and a JSON pointer (`pointer` + member) on an unknown member or a bad value.
template <class T>
result<void> decode_entity(const json& doc, T& out, std::string_view pointer = {}) {
  const auto* members = doc.as_object();
  if (!members) return make_error(errc::validation_failed, "must be an object", std::string(pointer));
  const auto& m = *members;
  const std::size_t n = m.size();
  std::size_t cursor = 0, matched = 0;
  result<void> failure;
  // One pass over the fields; documents written by encode have their members in field order, so
  // the search from the cursor finds each at once.
  detail::describe(out, [&](std::string_view name, auto& field) {
    if (!failure || n == 0) return;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = cursor + k < n ? cursor + k : cursor + k - n;
      if (m[i].first != name) continue;
      cursor = i + 1;
      ++matched;
      if (!detail::decode_value(m[i].second, field)) {
        std::string where(pointer);
        where += '/';
        where += name;
        failure = make_error(errc::validation_failed, "member '" + std::string(name) + "' has the wrong type or value",
                             std::move(where));
      }
      return;
    }
  });
  if (!failure) return failure;
  if (matched == n) return {};
  for (const auto& member : m) {  // some member named no field
    bool known = false;
    detail::describe(out, [&](std::string_view name, const auto&) { known = known || name == member.first; });
    if (!known) {
      std::string where(pointer);
      where += '/';
      where += member.first.substr(0, 64);
      return make_error(errc::validation_failed, "unknown member '" + member.first.substr(0, 64) + "'", where);
    }
  }
  return {};
}

}  // namespace tfe

#endif  // TFE_MODEL_CODEC_HPP
