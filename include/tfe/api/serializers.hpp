// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// JSON:API resource objects for every entity, written straight into a string with json_writer.
#ifndef TFE_API_SERIALIZERS_HPP
#define TFE_API_SERIALIZERS_HPP

#include <tfe/detail/siphash.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/lifecycle/run_state_machine.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/codec.hpp>
#include <tfe/model/configuration_version.hpp>
#include <tfe/model/execution_mode.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/organization.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/model/tag.hpp>
#include <tfe/model/time.hpp>
#include <tfe/model/workspace.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tfe {

/// What serializers need beyond the entity: time for derived flags and URL builders.
struct serialize_context {
  time_point now{};                        ///< for actions (force-cancel availability)
  std::string base_url;                    ///< absolute origin, e.g. "http://127.0.0.1:8080"
  std::string user_id;                     ///< the acting user's id
  std::string username;                    ///< the acting user's username
  const std::uint64_t* url_key = nullptr;  ///< 4 words keying the MAC of log URLs; null: no log URLs
  /// A run's position-in-queue (`queue_owner` passed back); null: 0 for every run.
  std::size_t (*queue_position)(void* owner, std::string_view run_id) = nullptr;
  void* queue_owner = nullptr;  ///< the argument of queue_position
};

/// The capability path of a plan's or apply's log: the secret is in the path (clients replace the query).
inline std::string log_path(const std::uint64_t* key, std::string_view phase_id) {
  std::string p = "/v1/logs/";
  p += phase_id;
  p += '/';
  p += detail::mac_hex(key, phase_id);
  return p;
}

/// The absolute log-read-url of a plan or apply, or empty without a key.
inline std::string log_url(const serialize_context& ctx, std::string_view phase_id) {
  if (!ctx.url_key) return std::string();
  return ctx.base_url + log_path(ctx.url_key, phase_id);
}

namespace detail {

inline json_writer& time_member(json_writer& w, std::string_view key, time_point t) {
  char buf[iso8601_length];
  format_iso8601(buf, t);
  return w.member(key, std::string_view(buf, iso8601_length));
}

inline json_writer& optional_time_member(json_writer& w, std::string_view key, std::int64_t ms) {
  if (ms == run::no_time) return w.key(key).null_value();
  return time_member(w, key, from_unix_ms(ms));
}

inline json_writer& id_data(json_writer& w, std::string_view type, std::string_view id) {
  return w.key("data").begin_object().member("type", type).member("id", id).end_object();
}

inline json_writer& to_one(json_writer& w, std::string_view name, std::string_view type, std::string_view id) {
  w.key(name).begin_object();
  if (id.empty()) w.key("data").null_value();
  else id_data(w, type, id);
  return w.end_object();
}

inline json_writer& to_one_related(json_writer& w, std::string_view name, std::string_view type, std::string_view id,
                                   std::string_view related) {
  w.key(name).begin_object();
  if (id.empty()) w.key("data").null_value();
  else id_data(w, type, id);
  if (!related.empty()) w.key("links").begin_object().member("related", related).end_object();
  return w.end_object();
}

inline json_writer& empty_to_many(json_writer& w, std::string_view name) {
  return w.key(name).begin_object().key("data").begin_array().end_array().end_object();
}

inline json_writer& string_array(json_writer& w, std::string_view key, const std::vector<std::string>& v) {
  w.key(key).begin_array();
  for (const auto& s : v) w.value(std::string_view(s));
  return w.end_array();
}

inline std::string phase_id(std::string_view prefix, const resource_id& run_id) {
  std::string id(prefix);
  id += id_suffix(run_id.view(), "run-");
  return id;
}

/// Up to three pieces joined in a stack buffer, for links and ids written once (ids are at most 31
/// bytes, so these always fit); longer text falls back to the heap. The view lives as long as the object.
class joined {
 public:
  /// a + b + c.
  joined(std::string_view a, std::string_view b, std::string_view c = {}) {
    const std::size_t n = a.size() + b.size() + c.size();
    char* p = buf_;
    if (n > sizeof buf_) {
      heap_.resize(n);
      p = &heap_[0];
    }
    char* w = p;
    for (std::string_view part : {a, b, c}) {
      if (!part.empty()) std::memcpy(w, part.data(), part.size());
      w += part.size();
    }
    view_ = std::string_view(p, n);
  }
  joined(const joined&) = delete;             ///< not copyable: the view points into the object
  joined& operator=(const joined&) = delete;  ///< not assignable
  /// The joined text.
  std::string_view view() const noexcept { return view_; }

 private:
  char buf_[96];
  std::string heap_;
  std::string_view view_;
};

/// True when a string, array or id holds nothing (null_if_empty attributes are then written as null).
template <class T>
bool attribute_is_empty(const T& v) noexcept {
  if constexpr (std::is_same_v<T, resource_id> || std::is_same_v<T, std::string> ||
                std::is_same_v<T, std::vector<std::string>>)
    return v.empty();
  else return false;
}

/// Writes the JSON:API attributes entity E's field list marks as `attribute`, in the list's order, as
/// members of the open `attributes` object.
template <class E>
void write_attributes(json_writer& w, const E& e) {
  visit_fields(of<E>, [&](const auto& f) {
    if constexpr (std::decay_t<decltype(f)>::has_member) {
      if (!f.is_attribute()) return;
      const auto& v = e.*f.member;
      using V = std::decay_t<decltype(v)>;
      if (f.empty_is_null() && attribute_is_empty(v)) w.key(f.name).null_value();
      else if constexpr (std::is_same_v<V, std::string>) w.member(f.name, std::string_view(v));
      else if constexpr (std::is_same_v<V, time_point>) time_member(w, f.name, v);
      else {
        w.key(f.name);
        write_value(w, v);
      }
    }
  });
}

/// Writes pre-serialized members ("k":v,"k2":v2) where the writer expects the next member of an object:
/// raw_value() puts the separating comma first when one is needed, which is all a run of members needs.
inline json_writer& raw_members(json_writer& w, std::string_view members) { return w.raw_value(members); }

}  // namespace detail

/// The plan id of a run ("plan-" + the run's suffix).
inline std::string plan_id_of(const resource_id& run_id) { return detail::phase_id("plan-", run_id); }
/// The apply id of a run ("apply-" + the run's suffix).
inline std::string apply_id_of(const resource_id& run_id) { return detail::phase_id("apply-", run_id); }
/// The cost-estimate id of a run ("ce-" + the run's suffix).
inline std::string cost_estimate_id_of(const resource_id& run_id) { return detail::phase_id("ce-", run_id); }

/// Writes an organization resource object.
inline void write_organization(json_writer& w, const organization& o) {
  w.begin_object().member("id", std::string_view(o.name)).member("type", "organizations");
  w.key("attributes").begin_object();
  detail::write_attributes(w, o);
  detail::raw_members(w, R"("enterprise-plan":"premium","is-unified":false,"trial-expires-at":null,)"
                         R"("remaining-testable-count":5,"user-tokens-enabled":true,"max-ttl-enabled":false,)"
                         R"("enforce-hyok":false)");
  w.key("permissions").begin_object();
  for (const char* p :
       {"can-update", "can-destroy", "can-create-workspace", "can-create-team", "can-traverse", "can-update-api-token",
        "can-update-oauth", "can-update-sentinel", "can-access-via-teams", "can-create-module",
        "can-create-workspace-migration", "can-update-agent-pools", "can-manage-run-tasks", "can-read-run-tasks",
        "can-manage-auditing", "can-deploy-no-code-modules", "can-manage-no-code-modules", "can-enable-stacks",
        "can-create-project"})
    w.member(p, true);
  detail::raw_members(w, R"("can-update-hyok-configuration":false,"can-view-hyok-feature-info":false)");
  w.end_object();
  w.end_object();
  w.key("relationships").begin_object();
  detail::to_one(w, "default-project", "projects", o.default_project_id.view());
  detail::to_one(w, "default-agent-pool", "agent-pools", o.default_agent_pool_id.view());
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/organizations/" + o.name).end_object();
  w.end_object();
}

/// Writes a workspace resource object; `outputs` are its current state's (the `outputs` relationship).
inline void write_workspace(json_writer& w, const workspace& ws, const std::vector<state_output>* outputs = nullptr) {
  w.begin_object().member("id", ws.id.view()).member("type", "workspaces");
  w.key("attributes").begin_object();
  detail::write_attributes(w, ws);
  w.member("can-queue-destroy-plan", ws.allow_destroy_plan);
  w.member("locked", ws.locked());
  w.member("operations", ws.execution_mode != execution_mode::local);
  w.key("setting-overwrites").begin_object();
  w.member("execution-mode", ws.overwrites_execution_mode).member("agent-pool", ws.overwrites_agent_pool);
  w.end_object();
  detail::raw_members(w, R"("environment":"default","migration-environment":"","vcs-repo":null,)"
                         R"("apply-duration-average":null,"plan-duration-average":null,"policy-check-failures":null,)"
                         R"("source-module-id":"","no-code-upgrade-available":false,)"
                         R"("hyok-enabled":false)");
  w.member("run-failures", 0)
      .member("workspace-kpis-runs-count", static_cast<std::int64_t>(ws.runs.empty() ? ws.run_count : ws.runs.size()));
  w.key("actions").begin_object().member("is-destroyable", true).end_object();
  w.key("permissions").begin_object();
  for (const char* p : {"can-destroy",
                        "can-force-unlock",
                        "can-lock",
                        "can-queue-apply",
                        "can-queue-destroy",
                        "can-queue-run",
                        "can-read-settings",
                        "can-unlock",
                        "can-update",
                        "can-update-variable",
                        "can-read-run",
                        "can-read-variable",
                        "can-read-state-versions",
                        "can-read-state-outputs",
                        "can-create-state-versions",
                        "can-manage-tags",
                        "can-manage-run-tasks",
                        "can-force-delete",
                        "can-manage-assessments",
                        "can-read-assessment-results",
                        "can-queue-run-destroy"})
    w.member(p, true);
  w.member("can-manage-hyok", false);
  w.end_object();
  w.end_object();  // attributes
  const std::string self = "/api/v2/workspaces/" + ws.id.str();
  w.key("relationships").begin_object();
  detail::to_one_related(w, "organization", "organizations", ws.organization,
                         "/api/v2/organizations/" + ws.organization);
  detail::to_one_related(w, "project", "projects", ws.project_id.view(), "/api/v2/projects/" + ws.project_id.str());
  detail::to_one(w, "current-run", "runs", ws.current_run.view());
  detail::to_one(w, "latest-run", "runs", ws.current_run.view());
  detail::to_one(w, "current-configuration-version", "configuration-versions", ws.current_configuration_version.view());
  detail::to_one_related(w, "current-state-version", "state-versions", ws.current_state_version.view(),
                         self + "/current-state-version");
  if (ws.manually_locked) detail::to_one(w, "locked-by", "users", ws.locked_by_user.view());
  else detail::to_one(w, "locked-by", "runs", ws.active_run.view());
  w.key("outputs").begin_object().key("data").begin_array();
  if (outputs)
    for (const auto& o : *outputs)
      w.begin_object().member("id", o.id.view()).member("type", "workspace-outputs").end_object();
  w.end_array().end_object();
  w.key("tags").begin_object().key("data").begin_array();
  for (const auto& t : ws.tag_names)
    w.begin_object().member("id", tag_id_of(ws.organization, t).view()).member("type", "tags").end_object();
  w.end_array().end_object();
  detail::to_one(w, "agent-pool", "agent-pools", ws.agent_pool_id);
  detail::raw_members(w, R"("ssh-key":{"data":null})");
  w.key("remote-state-consumers").begin_object().key("links").begin_object();
  w.member("related", self + "/relationships/remote-state-consumers").end_object().end_object();
  w.key("tag-bindings").begin_object().key("links").begin_object();
  w.member("related", self + "/tag-bindings").end_object().end_object();
  w.key("effective-tag-bindings").begin_object().key("links").begin_object();
  w.member("related", self + "/effective-tag-bindings").end_object().end_object();
  w.end_object();
  w.key("links").begin_object();
  w.member("self", "/api/v2/organizations/" + ws.organization + "/workspaces/" + ws.name);
  w.member("self-html", "/app/" + ws.organization + "/workspaces/" + ws.name);
  w.end_object();
  w.end_object();
}

/// Writes a configuration version resource object; `upload_url` is set while the upload is pending.
inline void write_configuration_version(json_writer& w, const configuration_version& cv, std::string_view upload_url) {
  const std::string self = "/api/v2/configuration-versions/" + cv.id.str();
  w.begin_object().member("id", cv.id.view()).member("type", "configuration-versions");
  w.key("attributes").begin_object();
  detail::write_attributes(w, cv);
  w.key("status-timestamps").begin_object();
  if (cv.uploaded_at) {
    detail::time_member(w, "uploaded-at", *cv.uploaded_at);
    detail::time_member(w, "finished-at", *cv.uploaded_at);
  }
  if (cv.errored_at) detail::time_member(w, "errored-at", *cv.errored_at);
  if (cv.archived_at) detail::time_member(w, "archived-at", *cv.archived_at);
  w.end_object();
  if (upload_url.empty()) w.key("upload-url").null_value();
  else w.member("upload-url", upload_url);
  w.end_object();
  w.key("relationships").begin_object();
  w.key("ingress-attributes").begin_object().key("data").null_value().end_object();
  w.end_object();
  w.key("links").begin_object().member("self", std::string_view(self)).member("download", self + "/download");
  w.end_object();
  w.end_object();
}

/// Writes the status-timestamps object of a run.
inline void write_run_timestamps(json_writer& w, const run& r) {
  w.key("status-timestamps").begin_object();
  for (run_status s : all_run_statuses) {
    const auto ms = r.status_ms[static_cast<std::size_t>(s)];
    if (ms != run::no_time) detail::time_member(w, timestamp_key(s), from_unix_ms(ms));
  }
  w.end_object();
}

/// Writes a run resource object; `comment_ids` (oldest first) fill the comments and run-events relationships.
inline void write_run(json_writer& w, const run& r, const serialize_context& ctx,
                      const std::vector<resource_id>* comment_ids = nullptr) {
  // The hot path of GET /runs/:id and of run lists: no heap allocation for links and ids, and the
  // constant members written as one pre-serialized piece each.
  const detail::joined self_link("/api/v2/runs/", r.id.view());
  const std::string_view self = self_link.view();
  const std::string_view suffix = id_suffix(r.id.view(), "run-");
  const run_actions a = r.actions(ctx.now);
  w.begin_object().member("id", r.id.view()).member("type", "runs");
  w.key("attributes").begin_object();
  detail::write_attributes(w, r);
  w.key("actions").begin_object();
  w.member("is-cancelable", a.is_cancelable).member("is-confirmable", a.is_confirmable);
  w.member("is-discardable", a.is_discardable).member("is-force-cancelable", a.is_force_cancelable);
  w.end_object();
  std::int64_t canceled = r.status_ms[static_cast<std::size_t>(run_status::canceled)];
  if (canceled == run::no_time) canceled = r.status_ms[static_cast<std::size_t>(run_status::force_canceled)];
  detail::optional_time_member(w, "canceled-at", canceled);
  if (r.status == run_status::errored) w.member("error-text", std::string_view(r.error_text));
  else w.key("error-text").null_value();
  detail::optional_time_member(w, "force-cancel-available-at", r.force_cancel_available_at_ms);
  detail::raw_members(w, R"("metadata":{},"permissions":{"can-apply":true,"can-cancel":true,"can-comment":true,)"
                         R"("can-discard":true,"can-force-cancel":true,"can-force-execute":true,)"
                         R"("can-override-policy-check":true})");
  w.member("position-in-queue",
           static_cast<std::int64_t>(ctx.queue_position ? ctx.queue_position(ctx.queue_owner, r.id.view()) : 0));
  write_run_timestamps(w, r);
  w.member("trigger-reason", r.source == run_source::tfe_configuration_version ? "config_version" : "manual");
  w.end_object();  // attributes
  w.key("relationships").begin_object();
  detail::to_one_related(w, "workspace", "workspaces", r.workspace_id.view(),
                         detail::joined("/api/v2/workspaces/", r.workspace_id.view()).view());
  detail::to_one(w, "configuration-version", "configuration-versions", r.configuration_version_id.view());
  detail::to_one_related(w, "plan", "plans", detail::joined("plan-", suffix).view(),
                         detail::joined(self, "/plan").view());
  detail::to_one_related(w, "apply", "applies", detail::joined("apply-", suffix).view(),
                         detail::joined(self, "/apply").view());
  detail::to_one(w, "created-by", "users", r.created_by.view());
  detail::to_one(w, "confirmed-by", "users", r.confirmed_by.view());
  detail::to_one(w, "canceled-by", "users", r.canceled_by.view());
  detail::to_one(w, "input-state-version", "state-versions", r.input_state_version.view());
  if (r.cost_estimation) detail::to_one(w, "cost-estimate", "cost-estimates", detail::joined("ce-", suffix).view());
  else detail::raw_members(w, R"("cost-estimate":{"data":null})");
  detail::raw_members(w,
                      R"("policy-checks":{"data":[]},"task-stages":{"data":[]},"tf-policy-evaluations":{"data":[]})");
  // run events: one per status entered (ids as run_events_of makes them), and one per comment
  w.key("run-events").begin_object().key("data").begin_array();
  for (run_status st : all_run_statuses)
    if (r.status_ms[static_cast<std::size_t>(st)] != run::no_time) {
      char n[4];
      const int len = std::snprintf(n, sizeof n, "%d", static_cast<int>(st));
      w.begin_object()
          .member("id", detail::joined("re-", suffix,
                                       detail::joined("s", std::string_view(n, static_cast<std::size_t>(len))).view())
                            .view())
          .member("type", "run-events")
          .end_object();
    }
  if (comment_ids)
    for (std::size_t i = 0; i < comment_ids->size(); ++i)
      w.begin_object()
          .member("id", "re-" + std::string(suffix) + "c" + std::to_string(i))
          .member("type", "run-events")
          .end_object();
  w.end_array().end_object();
  w.key("comments").begin_object().key("data").begin_array();
  if (comment_ids)
    for (const auto& c : *comment_ids) w.begin_object().member("id", c.view()).member("type", "comments").end_object();
  w.end_array();
  w.key("links").begin_object().member("related", detail::joined(self, "/comments").view());
  w.end_object().end_object();
  w.end_object();
  w.key("links").begin_object().member("self", self).end_object();
  w.end_object();
}

namespace detail {
inline void write_phase_timestamps(json_writer& w, const run& r, bool plan_phase) {
  auto t = [&](run_status s) { return r.status_ms[static_cast<std::size_t>(s)]; };
  w.key("status-timestamps").begin_object();
  const phase_status ps = plan_phase ? r.plan_status() : r.apply_status();
  const std::int64_t queued = plan_phase ? t(run_status::plan_queued) : t(run_status::apply_queued);
  const std::int64_t started = plan_phase ? t(run_status::planning) : t(run_status::applying);
  if (queued != run::no_time) optional_time_member(w, "queued-at", queued);
  if (started != run::no_time) optional_time_member(w, "started-at", started);
  std::int64_t end = run::no_time;
  const char* key = nullptr;
  switch (ps) {
    case phase_status::finished:
      end = plan_phase ? t(run_status::planned) : t(run_status::applied);
      key = "finished-at";
      break;
    case phase_status::errored:
      end = t(run_status::errored);
      key = "errored-at";
      break;
    case phase_status::canceled:
      end = t(run_status::canceled) != run::no_time ? t(run_status::canceled) : t(run_status::force_canceled);
      key = t(run_status::force_canceled) != run::no_time ? "force-canceled-at" : "canceled-at";
      break;
    default:
      break;
  }
  if (key && end != run::no_time) optional_time_member(w, key, end);
  w.end_object();
}
}  // namespace detail

/// Writes the plan resource object of a run.
inline void write_plan(json_writer& w, const run& r, const serialize_context& ctx) {
  const std::string id = plan_id_of(r.id);
  w.begin_object().member("id", std::string_view(id)).member("type", "plans");
  w.key("attributes").begin_object();
  const phase_status ps = r.plan_status();
  const bool done = ps == phase_status::finished;
  w.member("has-changes", r.has_changes);
  w.member("generated-configuration", false);
  w.member("resource-additions", done ? r.plan_counts.additions : 0);
  w.member("resource-changes", done ? r.plan_counts.changes : 0);
  w.member("resource-destructions", done ? r.plan_counts.destructions : 0);
  w.member("resource-imports", done ? r.plan_counts.imports : 0);
  w.member("status", to_string(ps));
  detail::write_phase_timestamps(w, r, true);
  w.member("log-read-url", log_url(ctx, id));
  w.key("execution-details").begin_object().member("mode", "remote").end_object();
  w.member("structured-run-output-enabled", false);
  w.end_object();
  w.key("relationships").begin_object();
  detail::empty_to_many(w, "state-versions");
  detail::empty_to_many(w, "exports");
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/plans/" + id).end_object();
  w.end_object();
}

/// Writes the apply resource object of a run.
inline void write_apply(json_writer& w, const run& r, const serialize_context& ctx) {
  const std::string id = apply_id_of(r.id);
  w.begin_object().member("id", std::string_view(id)).member("type", "applies");
  w.key("attributes").begin_object();
  const phase_status as = r.apply_status();
  const bool done = as == phase_status::finished;
  w.member("resource-additions", done ? r.apply_counts.additions : 0);
  w.member("resource-changes", done ? r.apply_counts.changes : 0);
  w.member("resource-destructions", done ? r.apply_counts.destructions : 0);
  w.member("resource-imports", done ? r.apply_counts.imports : 0);
  w.member("status", to_string(as));
  detail::write_phase_timestamps(w, r, false);
  w.member("log-read-url", log_url(ctx, id));
  w.key("execution-details").begin_object().member("mode", "remote").end_object();
  w.end_object();
  w.key("relationships").begin_object();
  detail::empty_to_many(w, "state-versions");
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/applies/" + id).end_object();
  w.end_object();
}

/// Writes the cost-estimate resource object of a run.
inline void write_cost_estimate(json_writer& w, const run& r) {
  const std::string id = cost_estimate_id_of(r.id);
  const bool done = r.entered_at(run_status::cost_estimated).has_value();
  char delta[64];
  std::snprintf(delta, sizeof delta, "%.2f", r.cost_delta_monthly);
  w.begin_object().member("id", std::string_view(id)).member("type", "cost-estimates");
  w.key("attributes").begin_object();
  w.member("delta-monthly-cost", std::string_view(delta));
  w.member("prior-monthly-cost", "0.00");
  w.member("proposed-monthly-cost", std::string_view(delta));
  w.member("matched-resources-count", r.plan_counts.additions + r.plan_counts.changes);
  w.member("unmatched-resources-count", 0);
  w.member("resources-count", r.plan_counts.additions + r.plan_counts.changes);
  w.member("error-message", "");
  const bool started = r.entered_at(run_status::cost_estimating).has_value();
  w.member("status", done ? "finished" : started ? "queued" : is_final(r.status) ? "canceled" : "pending");
  w.key("status-timestamps").begin_object();
  if (auto t = r.entered_at(run_status::cost_estimating)) detail::time_member(w, "queued-at", *t);
  if (auto t = r.entered_at(run_status::cost_estimated)) detail::time_member(w, "finished-at", *t);
  w.end_object();
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/cost-estimates/" + id).end_object();
  w.end_object();
}

/// Writes a comment resource object.
inline void write_comment(json_writer& w, const run_comment& c) {
  w.begin_object().member("id", c.id.view()).member("type", "comments");
  w.key("attributes").begin_object();
  detail::write_attributes(w, c);
  w.end_object();
  w.key("relationships").begin_object();
  detail::to_one(w, "run", "runs", c.run_id.view());
  w.key("run-event").begin_object().key("data").null_value().end_object();
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/comments/" + c.id.str()).end_object();
  w.end_object();
}

/// Writes the acting user's resource object.
inline void write_user(json_writer& w, const serialize_context& ctx) {
  w.begin_object().member("id", std::string_view(ctx.user_id)).member("type", "users");
  w.key("attributes").begin_object();
  w.member("username", std::string_view(ctx.username));
  w.member("is-service-account", false);
  w.member("avatar-url", "");
  w.member("v2-only", false);
  w.member("email", std::string_view(ctx.username) == "" ? std::string_view("") : std::string_view("admin@tfe.local"));
  w.member("unconfirmed-email", "");
  detail::raw_members(w, R"("two-factor":{"enabled":false,"verified":false},"is-site-admin":true,"is-admin":true,)"
                         R"("is-sso-login":false)");
  w.key("permissions").begin_object().member("can-create-organizations", true).member("can-change-email", true);
  w.member("can-change-username", true).member("can-manage-user-tokens", true).end_object();
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/users/" + ctx.user_id).end_object();
  w.end_object();
}

}  // namespace tfe

#endif  // TFE_API_SERIALIZERS_HPP
