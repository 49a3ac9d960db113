// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The engine's state as one JSON document: snapshot(), restore() and recover() of basic_engine, with the
// checks a document passes before it replaces the state (docs/testing.md#snapshots, docs/storage.md).
#ifndef TFE_ENGINE_STATE_DOCUMENT_HPP
#define TFE_ENGINE_STATE_DOCUMENT_HPP

#include <tfe/detail/base64.hpp>
#include <tfe/detail/md5.hpp>
#include <tfe/engine/engine.hpp>
#include <tfe/engine/state_versions.hpp>
#include <tfe/json.hpp>
#include <tfe/model/codec.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tfe {

namespace detail {
/// A restore error at `pointer`.
inline unexpected invalid(std::string pointer, std::string why) {
  return make_error(errc::validation_failed, std::move(why), std::move(pointer));
}
/// True when `id` is `prefix` followed by something.
inline bool has_suffix_id(const resource_id& id, std::string_view prefix) {
  return !id_suffix(id.view(), prefix).empty();
}
}  // namespace detail

/// The whole state (organizations, workspaces, configuration versions with their uploaded bytes,
/// runs, comments, scheduled steps, id generators, the time) as a JSON document restore() takes
/// (docs/testing.md#snapshots). Executor scripts and observers are not part of it. Arrays are in
/// creation order, so equal states give byte-identical documents.
template <class Policies>
json basic_engine<Policies>::snapshot() {
  std::vector<std::unique_lock<mutex_type>> locks;
  for (auto& sp : shards_) locks.emplace_back(sp->mutex);
  std::lock_guard<mutex_type> g(global_.mutex);
  json doc = json::object();
  doc.set("tfe-snapshot", json(1));
  doc.set("now", json(to_iso8601(clock_.now())));
  collect_entities_locked(doc, false);
  json a_timers = json::array();
  for (auto& sp : shards_) {
    std::vector<timer> ts = sp->timers.items();
    std::sort(ts.begin(), ts.end(), [](const timer& a, const timer& b) { return b > a; });
    for (const auto& t : ts) {
      const run* r = sp->storage.find(of<run>, t.run_id);
      if (!r || r->step != t.step) continue;  // stale
      a_timers.push_back(json::object({{"run", json(t.run_id.view())},
                                       {"step", json(static_cast<std::int64_t>(t.step))},
                                       {"event", json(to_string(t.event))},
                                       {"due", json(to_iso8601(from_unix_ms(t.due_ms)))}}));
    }
  }
  doc.set("timers", std::move(a_timers));
  if constexpr (detail::has_id_state<id_generator_type>::value) {
    json ids = json::object();
    {
      std::lock_guard<mutex_type> ig(ids_mutex_);
      ids.set("engine", json(ids_.state()));
    }
    json per = json::array();
    for (auto& sp : shards_) per.push_back(json(sp->ids.state()));
    ids.set("shards", std::move(per));
    ids.set("next-shard", json(static_cast<std::int64_t>(next_workspace_shard_.load() % shards_.size())));
    doc.set("ids", std::move(ids));
  }
  return doc;
}

/// Replaces the whole state with `doc` (a snapshot() document or a hand-written fixture; see
/// docs/testing.md#snapshots for the format). The document is checked completely first: on any
/// error (errc::validation_failed with a JSON pointer) the engine is unchanged. Runs that were
/// mid-step without a scheduled step get one. Observers are not called; a settable clock moves
/// forward to the document's "now".
template <class Policies>
result<void> basic_engine<Policies>::restore(const json& doc) {
  restore_plan plan;
  if (auto v = validate_restore(doc, plan); !v) return v;
  std::vector<std::unique_lock<mutex_type>> locks;
  for (auto& sp : shards_) locks.emplace_back(sp->mutex);
  if constexpr (detail::is_settable_clock<clock_type>::value) {
    if (plan.now) clock_.set(*plan.now);
  }
  auto r = install(plan);
  if (!r) {  // storage failure midway: leave a consistent, empty engine
    locks.clear();
    (void)reset();
  }
  return r;
}

/// Rebuilds the engine from what its storages hold (after a journal replay, or a database behind the
/// storage policy): the indexes, the queues and the runs' next steps, as restore() does. Entities whose
/// owner is gone (an operation across shards cut short by a crash) are dropped. Runs that were in the
/// middle of a phase start that phase again (docs/storage.md#after-a-crash).
template <class Policies>
result<void> basic_engine<Policies>::recover() {
  json doc = json::object();
  {
    std::vector<std::unique_lock<mutex_type>> locks;
    for (auto& sp : shards_) locks.emplace_back(sp->mutex);
    std::lock_guard<mutex_type> g(global_.mutex);
    collect_entities_locked(doc, true);
  }
  return restore(doc);
}

// Sets "organizations", "workspaces", "configuration-versions" (with uploaded bytes), "runs" and
// "comments" of a state document (snapshot() and recover()), each in creation order so equal states
// give equal documents. Every shard lock and the global lock are held by the caller. `recovering`:
// the storages were just loaded, so entities whose owner is gone (an operation across shards cut
// short) are left out, and comments are read from storage (comments_by_run is not built yet).
template <class Policies>
void basic_engine<Policies>::collect_entities_locked(json& doc, bool recovering) {
  std::vector<const organization*> orgs;
  global_.storage.for_each(of<organization>, [&](const organization& o) { orgs.push_back(&o); });
  std::sort(orgs.begin(), orgs.end(), [](auto* a, auto* b) {
    return a->created_at != b->created_at ? a->created_at < b->created_at : a->name < b->name;
  });
  std::unordered_set<std::string_view> org_names;
  json a_orgs = json::array();
  for (const auto* o : orgs) {
    a_orgs.push_back(encode_entity(*o));
    if (recovering) org_names.insert(o->name);
  }
  std::vector<const project*> projects;
  global_.storage.for_each(of<project>, [&](const project& p) {
    if (!recovering || org_names.count(p.organization)) projects.push_back(&p);
  });
  std::sort(projects.begin(), projects.end(), [](auto* a, auto* b) {
    return a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id;
  });
  json a_projects = json::array();
  for (const auto* p : projects) a_projects.push_back(encode_entity(*p));
  std::vector<const agent_pool*> pools;
  global_.storage.for_each(of<agent_pool>, [&](const agent_pool& p) {
    if (!recovering || org_names.count(p.organization)) pools.push_back(&p);
  });
  std::sort(pools.begin(), pools.end(), [](auto* a, auto* b) {
    return a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id;
  });
  json a_pools = json::array();
  for (const auto* p : pools) a_pools.push_back(encode_entity(*p));
  std::vector<std::pair<const workspace*, shard*>> wss;
  for (auto& sp : shards_)
    sp->storage.for_each(of<workspace>, [&](const workspace& w) {
      if (!recovering || org_names.count(w.organization)) wss.emplace_back(&w, sp.get());
    });
  std::sort(wss.begin(), wss.end(), [](const auto& a, const auto& b) {
    return a.first->created_at != b.first->created_at ? a.first->created_at < b.first->created_at
                                                      : a.first->id < b.first->id;
  });
  std::unordered_map<resource_id, std::vector<const run_comment*>> stored_comments;
  if (recovering)
    for (auto& sp : shards_)
      sp->storage.for_each(of<run_comment>, [&](const run_comment& c) { stored_comments[c.run_id].push_back(&c); });
  json a_ws = json::array(), a_cvs = json::array(), a_runs = json::array(), a_comments = json::array(),
       a_svs = json::array();
  for (const auto& [w, sp] : wss) {
    a_ws.push_back(encode_entity(*w));
    for (const auto& cid : w->configuration_versions) {
      const configuration_version* cv = sp->storage.find(of<configuration_version>, cid);
      if (!cv || (recovering && cv->workspace_id != w->id)) continue;
      json j = encode_entity(*cv);
      if (const std::string* bytes = sp->storage.get_blob(blob_key(cid)))
        j.set("content-base64", json(detail::base64_encode(*bytes)));
      a_cvs.push_back(std::move(j));
    }
    for (const auto& vid : w->state_versions) {
      const state_version* v = sp->storage.find(of<state_version>, vid);
      if (!v || (recovering && v->workspace_id != w->id)) continue;
      json j = encode_entity(*v);
      if (const std::string* bytes = sp->storage.get_blob(detail::state_blob_key(vid)))
        j.set("state-base64", json(detail::base64_encode(*bytes)));
      if (const std::string* bytes = sp->storage.get_blob(detail::json_state_blob_key(vid)))
        j.set("json-state-base64", json(detail::base64_encode(*bytes)));
      a_svs.push_back(std::move(j));
    }
    std::vector<const run_comment*> cs;  // recovering: this workspace's comments, by creation
    for (const auto& rid : w->runs) {
      const run* r = sp->storage.find(of<run>, rid);
      if (!r || (recovering && r->workspace_id != w->id)) continue;
      json jr = encode_entity(*r);
      if (!recovering)
        if (auto b = sp->behaviours.find(rid); b != sp->behaviours.end()) {  // what the executor asked for
          jr.set("policy-outcome", json(to_string(b->second.policy)));
          jr.set("slow-cancel", json(b->second.slow_cancel));
          jr.set("cancel-duration-ms", json(b->second.cancel_duration_ms));
        }
      a_runs.push_back(std::move(jr));
      if (recovering) {
        if (auto it = stored_comments.find(rid); it != stored_comments.end())
          cs.insert(cs.end(), it->second.begin(), it->second.end());
      } else if (auto it = sp->comments_by_run.find(rid); it != sp->comments_by_run.end()) {
        for (const auto& c : it->second)
          if (const run_comment* cm = sp->storage.find(of<run_comment>, c)) a_comments.push_back(encode_entity(*cm));
      }
    }
    std::sort(cs.begin(), cs.end(), [](auto* a, auto* b) {
      return a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id;
    });
    for (const auto* c : cs) a_comments.push_back(encode_entity(*c));
  }
  doc.set("organizations", std::move(a_orgs));
  doc.set("projects", std::move(a_projects));
  doc.set("agent-pools", std::move(a_pools));
  doc.set("workspaces", std::move(a_ws));
  doc.set("configuration-versions", std::move(a_cvs));
  doc.set("runs", std::move(a_runs));
  doc.set("comments", std::move(a_comments));
  doc.set("state-versions", std::move(a_svs));
}

// A checked snapshot, ready to install.
template <class Policies>
struct basic_engine<Policies>::restore_plan {
  std::optional<time_point> now;
  std::vector<organization> orgs;
  std::vector<project> projects;
  std::vector<agent_pool> pools;
  std::vector<workspace> workspaces;
  std::vector<std::pair<configuration_version, std::optional<std::string>>> cvs;  // with uploaded bytes
  std::vector<run> runs;
  std::vector<phase_behaviour> behaviours;  // one per run
  std::vector<run_comment> comments;
  // state versions with their raw and JSON state
  std::vector<std::tuple<state_version, std::optional<std::string>, std::optional<std::string>>> svs;
  std::vector<timer> timers;
  std::optional<std::string> engine_ids;
  std::vector<std::string> shard_ids;
  std::optional<std::size_t> next_shard;  // where the next workspace goes
};

template <class Policies>
result<void> basic_engine<Policies>::validate_restore(const json& doc, restore_plan& plan) const {
  using detail::has_suffix_id;
  using detail::invalid;
  const auto* top = doc.as_object();
  if (!top) return invalid("", "a snapshot must be a JSON object");
  static constexpr std::string_view known[] = {
      "tfe-snapshot",           "now",  "organizations", "projects",       "agent-pools", "workspaces",
      "configuration-versions", "runs", "comments",      "state-versions", "timers",      "ids"};
  for (const auto& m : *top)
    if (std::find(std::begin(known), std::end(known), m.first) == std::end(known))
      return invalid("/" + m.first.substr(0, 64), "unknown member '" + m.first.substr(0, 64) + "'");
  if (const json* v = doc.find("tfe-snapshot"); v && v->as_int() != std::optional<std::int64_t>(1))
    return invalid("/tfe-snapshot", "unsupported snapshot format (this engine reads format 1)");
  if (const json* v = doc.find("now")) {
    time_point t;
    if (!detail::decode_value(*v, t)) return invalid("/now", "now must be an ISO 8601 UTC time");
    plan.now = t;
  }
  static const json::array_type none;
  auto array_of = [&](std::string_view key, const json::array_type*& out) -> result<void> {
    const json* v = doc.find(key);
    out = &none;
    if (!v) return {};
    if (!v->is_array()) return invalid("/" + std::string(key), std::string(key) + " must be an array");
    out = v->as_array();
    return {};
  };
  auto at = [](std::string_view key, std::size_t i) { return "/" + std::string(key) + "/" + std::to_string(i); };
  const json::array_type *orgs, *projects, *pools, *wss, *cvs, *runs, *comments, *svs, *timers;
  for (auto [k, p] : {std::pair<std::string_view, const json::array_type**>{"organizations", &orgs},
                      {"projects", &projects},
                      {"agent-pools", &pools},
                      {"state-versions", &svs},
                      {"workspaces", &wss},
                      {"configuration-versions", &cvs},
                      {"runs", &runs},
                      {"comments", &comments},
                      {"timers", &timers}})
    if (auto r = array_of(k, *p); !r) return r;

  std::unordered_map<std::string, std::size_t> org_index;
  for (std::size_t i = 0; i < orgs->size(); ++i) {
    organization o;
    if (auto r = decode_entity((*orgs)[i], o, at("organizations", i)); !r) return r;
    if (!is_valid_organization_name(o.name))
      return invalid(at("organizations", i) + "/name", "invalid organization name");
    if (!org_index.emplace(o.name, i).second)
      return invalid(at("organizations", i) + "/name", "duplicate organization " + o.name);
    plan.orgs.push_back(std::move(o));
  }
  // Projects: every organization has a default one; a document without (older snapshots, fixtures)
  // gets one per organization at install.
  std::unordered_map<resource_id, std::size_t> project_index;
  std::set<std::string> project_names;
  for (std::size_t i = 0; i < projects->size(); ++i) {
    project pr;
    const std::string p = at("projects", i);
    if (auto r = decode_entity((*projects)[i], pr, p); !r) return r;
    if (!has_suffix_id(pr.id, "prj-")) return invalid(p + "/id", "a project id looks like prj-<letters and digits>");
    if (!org_index.count(pr.organization))
      return invalid(p + "/organization", "unknown organization '" + pr.organization + "'");
    if (pr.name.empty() || pr.name.size() > 90) return invalid(p + "/name", "invalid project name");
    if (!project_names.insert(pr.organization + "/" + lowercase(pr.name)).second)
      return invalid(p + "/name", "duplicate project name " + pr.name);
    if (!project_index.emplace(pr.id, i).second) return invalid(p + "/id", "duplicate id " + pr.id.str());
    plan.projects.push_back(std::move(pr));
  }
  // Agent pools: an organization's, project's or workspace's pool must be one of its organization.
  std::unordered_map<resource_id, std::string> pool_org;
  std::set<std::string> pool_names;
  for (std::size_t i = 0; i < pools->size(); ++i) {
    agent_pool ap;
    const std::string p = at("agent-pools", i);
    if (auto r = decode_entity((*pools)[i], ap, p); !r) return r;
    if (!has_suffix_id(ap.id, "apool-"))
      return invalid(p + "/id", "an agent pool id looks like apool-<letters and digits>");
    if (!org_index.count(ap.organization))
      return invalid(p + "/organization", "unknown organization '" + ap.organization + "'");
    if (!is_valid_agent_pool_name(ap.name)) return invalid(p + "/name", "invalid agent pool name");
    if (!pool_names.insert(ap.organization + "/" + ap.name).second)
      return invalid(p + "/name", "duplicate agent pool name " + ap.name);
    if (!pool_org.emplace(ap.id, ap.organization).second) return invalid(p + "/id", "duplicate id " + ap.id.str());
    plan.pools.push_back(std::move(ap));
  }
  const auto pool_of = [&](const resource_id& id, const std::string& org) {
    auto it = pool_org.find(id);
    return id.empty() || (it != pool_org.end() && it->second == org);
  };
  for (std::size_t i = 0; i < plan.projects.size(); ++i)
    if (!pool_of(plan.projects[i].default_agent_pool_id, plan.projects[i].organization))
      return invalid(at("projects", i) + "/default-agent-pool-id",
                     "unknown agent pool '" + plan.projects[i].default_agent_pool_id.str() + "'");
  for (std::size_t i = 0; i < plan.orgs.size(); ++i) {
    const organization& o = plan.orgs[i];
    if (!pool_of(o.default_agent_pool_id, o.name))
      return invalid(at("organizations", i) + "/default-agent-pool",
                     "unknown agent pool '" + o.default_agent_pool_id.str() + "'");
    if (o.default_project_id.empty()) continue;
    auto pi = project_index.find(o.default_project_id);
    if (pi == project_index.end() || plan.projects[pi->second].organization != o.name)
      return invalid(at("organizations", i) + "/default-project",
                     "unknown project '" + o.default_project_id.str() + "'");
  }
  std::unordered_map<resource_id, std::size_t> ws_index;
  std::set<std::string> names;
  for (std::size_t i = 0; i < wss->size(); ++i) {
    workspace w;
    const std::string p = at("workspaces", i);
    if (auto r = decode_entity((*wss)[i], w, p); !r) return r;
    if (!has_suffix_id(w.id, "ws-")) return invalid(p + "/id", "a workspace id looks like ws-<letters and digits>");
    if (!org_index.count(w.organization))
      return invalid(p + "/organization", "unknown organization '" + w.organization + "'");
    if (!is_valid_workspace_name(w.name)) return invalid(p + "/name", "invalid workspace name");
    if (!w.agent_pool_id.empty() && !pool_of(resource_id(w.agent_pool_id), w.organization))
      return invalid(p + "/agent-pool-id", "unknown agent pool '" + w.agent_pool_id + "'");
    if (!names.insert(name_key(w.organization, w.name)).second)
      return invalid(p + "/name", "duplicate workspace name " + w.name);
    if (!ws_index.emplace(w.id, i).second) return invalid(p + "/id", "duplicate id " + w.id.str());
    if (!w.project_id.empty()) {
      auto pi = project_index.find(w.project_id);
      if (pi == project_index.end() || plan.projects[pi->second].organization != w.organization)
        return invalid(p + "/project", "unknown project '" + w.project_id.str() + "'");
    }
    plan.workspaces.push_back(std::move(w));
  }
  std::unordered_map<resource_id, std::size_t> cv_index;
  std::set<std::string> tokens;
  for (std::size_t i = 0; i < cvs->size(); ++i) {
    const std::string p = at("configuration-versions", i);
    json copy = (*cvs)[i];
    std::optional<std::string> bytes;
    if (const json* b = copy.find("content-base64")) {
      auto text = b->as_string();
      if (text) bytes = detail::base64_decode(*text);
      if (!bytes) return invalid(p + "/content-base64", "content-base64 must be base64 text");
      copy.erase("content-base64");
    }
    configuration_version cv;
    if (auto r = decode_entity(copy, cv, p); !r) return r;
    if (!has_suffix_id(cv.id, "cv-"))
      return invalid(p + "/id", "a configuration version id looks like cv-<letters and digits>");
    auto wi = ws_index.find(cv.workspace_id);
    if (wi == ws_index.end()) return invalid(p + "/workspace", "unknown workspace '" + cv.workspace_id.str() + "'");
    if (!cv_index.emplace(cv.id, i).second) return invalid(p + "/id", "duplicate id " + cv.id.str());
    if (cv.status != configuration_status::archived && !cv.upload_token.empty() &&
        !tokens.insert(cv.upload_token).second)
      return invalid(p + "/upload-token", "duplicate upload token");
    plan.workspaces[wi->second].configuration_versions.push_back(cv.id);
    plan.cvs.emplace_back(std::move(cv), std::move(bytes));
  }
  std::unordered_map<resource_id, std::size_t> run_index;
  for (std::size_t i = 0; i < runs->size(); ++i) {
    const std::string p = at("runs", i);
    run r;
    // The executor's phase behaviour travels in the run's object but is not part of the run.
    phase_behaviour b;
    const json* doc_run = &(*runs)[i];
    json stripped;
    if (doc_run->is_object() && (doc_run->contains("policy-outcome") || doc_run->contains("slow-cancel") ||
                                 doc_run->contains("cancel-duration-ms"))) {
      stripped = *doc_run;
      if (const json* v = stripped.find("policy-outcome"))
        if (!detail::decode_value(*v, b.policy))
          return invalid(p + "/policy-outcome", "policy-outcome must be pass, soft-fail or hard-fail");
      if (const json* v = stripped.find("slow-cancel"))
        if (!detail::decode_value(*v, b.slow_cancel))
          return invalid(p + "/slow-cancel", "slow-cancel must be true or false");
      if (const json* v = stripped.find("cancel-duration-ms"))
        if (!detail::decode_value(*v, b.cancel_duration_ms) || b.cancel_duration_ms < 0 ||
            b.cancel_duration_ms > std::int64_t{365} * 86400000)
          return invalid(p + "/cancel-duration-ms", "cancel-duration-ms must be from 0 to a year");
      for (const char* k : {"policy-outcome", "slow-cancel", "cancel-duration-ms"}) stripped.erase(k);
      doc_run = &stripped;
    }
    if (auto e = decode_entity(*doc_run, r, p); !e) return e;
    if (!has_suffix_id(r.id, "run-")) return invalid(p + "/id", "a run id looks like run-<letters and digits>");
    if (id_suffix(r.id.view(), "run-").size() + 6 > resource_id::max_size)
      return invalid(p + "/id", "run id too long for its apply id");
    auto wi = ws_index.find(r.workspace_id);
    if (wi == ws_index.end()) return invalid(p + "/workspace", "unknown workspace '" + r.workspace_id.str() + "'");
    // A run may outlive its configuration version (promoted from a workspace deleted since).
    if (r.configuration_version_id.empty())
      return invalid(p + "/configuration-version", "a run needs a configuration version");
    if (auto ci = cv_index.find(r.configuration_version_id); ci != cv_index.end()) {
      const workspace& owner = plan.workspaces[ws_index.at(plan.cvs[ci->second].first.workspace_id)];
      if (owner.organization != plan.workspaces[wi->second].organization)
        return invalid(p + "/configuration-version", "the configuration version belongs to another organization");
    }
    if (!run_index.emplace(r.id, i).second) return invalid(p + "/id", "duplicate id " + r.id.str());
    if (r.status_ms[static_cast<std::size_t>(run_status::pending)] == run::no_time)
      r.status_ms[static_cast<std::size_t>(run_status::pending)] = to_unix_ms(r.created_at);
    plan.workspaces[wi->second].runs.push_back(r.id);
    plan.runs.push_back(std::move(r));
    plan.behaviours.push_back(b);
  }
  std::unordered_map<resource_id, std::size_t> comment_index;
  for (std::size_t i = 0; i < comments->size(); ++i) {
    const std::string p = at("comments", i);
    run_comment c;
    if (auto e = decode_entity((*comments)[i], c, p); !e) return e;
    if (!has_suffix_id(c.id, "wsc-")) return invalid(p + "/id", "a comment id looks like wsc-<letters and digits>");
    if (!run_index.count(c.run_id)) return invalid(p + "/run", "unknown run '" + c.run_id.str() + "'");
    if (!comment_index.emplace(c.id, i).second) return invalid(p + "/id", "duplicate id " + c.id.str());
    plan.comments.push_back(std::move(c));
  }
  std::unordered_map<resource_id, std::size_t> sv_index;
  std::set<resource_id> output_ids;
  std::set<std::string> state_tokens;
  for (std::size_t i = 0; i < svs->size(); ++i) {
    const std::string p = at("state-versions", i);
    json copy = (*svs)[i];
    std::optional<std::string> raw, json_state;
    for (auto [key, out] : {std::pair<const char*, std::optional<std::string>*>{"state-base64", &raw},
                            {"json-state-base64", &json_state}})
      if (const json* b = copy.find(key)) {
        auto text = b->as_string();
        if (text) *out = detail::base64_decode(*text);
        if (!*out) return invalid(p + "/" + key, std::string(key) + " must be base64 text");
        copy.erase(key);
      }
    state_version v;
    if (auto r = decode_entity(copy, v, p); !r) return r;
    if (!has_suffix_id(v.id, "sv-")) return invalid(p + "/id", "a state version id looks like sv-<letters and digits>");
    auto wi = ws_index.find(v.workspace_id);
    if (wi == ws_index.end()) return invalid(p + "/workspace", "unknown workspace '" + v.workspace_id.str() + "'");
    if (!v.run_id.empty() && !run_index.count(v.run_id))
      return invalid(p + "/run", "unknown run '" + v.run_id.str() + "'");
    if (!sv_index.emplace(v.id, i).second) return invalid(p + "/id", "duplicate id " + v.id.str());
    // A finalized version without an md5 is one an apply wrote: its state is rendered from its fields
    // (rendered_state). A state given without an md5 is stored, with the md5 it has.
    if (raw && v.md5.empty()) v.md5 = detail::md5_hex(*raw);
    if (v.status == state_version_status::finalized && !raw && !v.md5.empty())
      return invalid(p + "/state-base64", "a finalized state version with an md5 needs its state");
    for (const auto& out : v.outputs)
      if (!has_suffix_id(out.id, "wsout-") || !output_ids.insert(out.id).second)
        return invalid(p + "/outputs", "output ids look like wsout-<letters and digits> and are unique");
    for (const auto& t : {v.upload_token, "json:" + v.json_upload_token})
      if (t != "json:" && !t.empty() && !state_tokens.insert(t).second)
        return invalid(p + "/upload-token", "duplicate upload token");
    plan.workspaces[wi->second].state_versions.push_back(v.id);
    plan.svs.emplace_back(std::move(v), std::move(raw), std::move(json_state));
  }
  // queue and lock consistency, per workspace
  for (std::size_t i = 0; i < plan.workspaces.size(); ++i) {
    const workspace& w = plan.workspaces[i];
    const std::string p = at("workspaces", i);
    if (!w.current_state_version.empty()) {
      auto vi = sv_index.find(w.current_state_version);
      if (vi == sv_index.end() || std::get<0>(plan.svs[vi->second]).workspace_id != w.id ||
          std::get<0>(plan.svs[vi->second]).status != state_version_status::finalized)
        return invalid(p + "/current-state-version",
                       "the current state version must be a finalized version of the workspace");
    }
    for (const auto& c : w.remote_state_consumers) {
      auto ci = ws_index.find(c);
      if (ci == ws_index.end() || plan.workspaces[ci->second].organization != w.organization)
        return invalid(p + "/remote-state-consumers", "unknown workspace '" + c.str() + "'");
    }
    auto own_run = [&](const resource_id& id) -> const run* {
      auto it = run_index.find(id);
      if (it == run_index.end() || plan.runs[it->second].workspace_id != w.id) return nullptr;
      return &plan.runs[it->second];
    };
    if (!w.active_run.empty()) {
      const run* a = own_run(w.active_run);
      if (!a || is_final(a->status) || a->plan_only)
        return invalid(p + "/active-run", "the active run must be an unfinished, non-speculative run of the workspace");
    }
    if (!w.current_run.empty() && !own_run(w.current_run))
      return invalid(p + "/current-run", "the current run must be a run of the workspace");
    if (!w.current_configuration_version.empty()) {
      auto ci = cv_index.find(w.current_configuration_version);
      if (ci == cv_index.end() ||
          plan.workspaces[ws_index.at(plan.cvs[ci->second].first.workspace_id)].organization != w.organization)
        return invalid(p + "/current-configuration-version", "unknown configuration version");
    }
    std::set<resource_id> queued;
    for (const auto& q : w.queue) {
      const run* a = own_run(q);
      if (!a || a->status != run_status::pending || a->plan_only || q == w.active_run || !queued.insert(q).second)
        return invalid(p + "/queue", "the queue holds pending, non-speculative runs of the workspace, once each");
    }
    for (const auto& rid : w.runs) {
      const run& r = plan.runs[run_index.at(rid)];
      if (is_final(r.status) || r.plan_only || rid == w.active_run) continue;
      if (r.status != run_status::pending || !queued.count(rid))
        return invalid(at("runs", run_index.at(rid)) + "/status",
                       "an unfinished run must be its workspace's active run or wait in its queue");
    }
  }
  for (std::size_t i = 0; i < timers->size(); ++i) {
    const std::string p = at("timers", i);
    const json& t = (*timers)[i];
    if (!t.is_object() || t.size() != 4) return invalid(p, "a timer is {run, step, event, due}");
    timer tm{};
    std::optional<run_event> e;
    time_point due;
    if (auto ev = t["event"].as_string()) e = detail::enum_from_name<run_event>(*ev);
    if (!detail::decode_value(t["run"], tm.run_id) || !run_index.count(tm.run_id))
      return invalid(p + "/run", "unknown run");
    if (!detail::decode_value(t["step"], tm.step)) return invalid(p + "/step", "step must be a non-negative integer");
    if (!e) return invalid(p + "/event", "unknown event");
    if (!detail::decode_value(t["due"], due)) return invalid(p + "/due", "due must be an ISO 8601 UTC time");
    tm.event = *e;
    tm.due_ms = to_unix_ms(due);
    plan.timers.push_back(tm);
  }
  if (const json* ids = doc.find("ids")) {
    if (!ids->is_object()) return invalid("/ids", "ids must be an object");
    if constexpr (detail::has_id_state<id_generator_type>::value) {
      for (const auto& m : *ids->as_object()) {
        if (m.first == "engine") {
          auto st = m.second.as_string();
          id_generator_type probe;
          if (!st || !probe.set_state(*st)) return invalid("/ids/engine", "not an id generator state");
          plan.engine_ids = std::string(*st);
        } else if (m.first == "next-shard") {
          auto v = m.second.as_int();
          if (!v || *v < 0) return invalid("/ids/next-shard", "next-shard must be a non-negative integer");
          plan.next_shard = static_cast<std::size_t>(*v);
        } else if (m.first == "shards") {
          const auto* a = m.second.as_array();
          if (!a) return invalid("/ids/shards", "shards must be an array");
          for (std::size_t i = 0; i < a->size(); ++i) {
            auto st = (*a)[i].as_string();
            id_generator_type probe;
            if (!st || !probe.set_state(*st))
              return invalid("/ids/shards/" + std::to_string(i), "not an id generator state");
            plan.shard_ids.emplace_back(*st);
          }
        } else {
          return invalid("/ids/" + m.first.substr(0, 64), "unknown member");
        }
      }
    }
  }
  return {};
}

// Installs a checked plan; every shard lock is held.
template <class Policies>
result<void> basic_engine<Policies>::install(restore_plan& plan) {
  for (auto& sp : shards_) {
    sp->timers = {};
    sp->next_due_ms.store(no_due, std::memory_order_release);
    sp->comments_by_run.clear();
    sp->plan_only_counts.clear();
    sp->status_counts.clear();
    sp->behaviours.clear();
    sp->output_owner.clear();
    sp->configs.clear();
    sp->notes.clear();
    if (auto r = sp->storage.clear(); !r) return r;
  }
  for (auto& o : plan.orgs)
    if (o.external_id.empty()) o.external_id = next_id(id_kind::organization);
  // Every organization gets its default project (documents from before projects, hand-written fixtures),
  // and every workspace a project.
  std::unordered_map<std::string, resource_id> default_project;
  for (auto& o : plan.orgs) {
    if (o.default_project_id.empty()) {
      for (const auto& pr : plan.projects)
        if (pr.organization == o.name && pr.name == default_project_name) o.default_project_id = pr.id;
    }
    if (o.default_project_id.empty()) {
      project pr;
      pr.organization = o.name;
      pr.name = std::string(default_project_name);
      pr.created_at = o.created_at;
      pr.id = default_project_id_for(o.external_id);
      const auto taken = [&] {
        if (pr.id.empty()) return true;
        for (const auto& other : plan.projects)
          if (other.id == pr.id) return true;
        return false;
      };
      while (taken()) pr.id = next_id(id_kind::project);
      o.default_project_id = pr.id;
      plan.projects.push_back(std::move(pr));
    }
    default_project.emplace(o.name, o.default_project_id);
  }
  for (auto& w : plan.workspaces)
    if (w.project_id.empty()) w.project_id = default_project.at(w.organization);
  std::unordered_map<resource_id, shard*> home;  // workspace -> shard
  std::unordered_map<resource_id, std::uint32_t> aliases;
  auto place = [&](const resource_id& id, std::string_view prefix, shard& s) {
    if (shard_of_id(id.view(), prefix) != &s) aliases.emplace(id, s.index);
  };
  {
    std::lock_guard<mutex_type> g(global_.mutex);
    if (auto r = global_.storage.clear(); !r) return r;
    global_.ws_by_name.clear();
    global_.upload_tokens.clear();
    global_.state_upload_tokens.clear();
    global_.ws_org.clear();
    global_.aliases.clear();
    global_.version.fetch_add(1, std::memory_order_acq_rel);
    for (auto& o : plan.orgs)
      if (auto r = global_.storage.insert(std::move(o)); !r) return r;
    for (auto& pr : plan.projects)
      if (auto r = global_.storage.insert(std::move(pr)); !r) return r;
    for (auto& ap : plan.pools)
      if (auto r = global_.storage.insert(std::move(ap)); !r) return r;
    for (const auto& sv : plan.svs) {
      const state_version& v = std::get<0>(sv);
      if (!v.upload_token.empty()) global_.state_upload_tokens.emplace(v.upload_token, v.id);
      if (!v.json_upload_token.empty()) global_.state_upload_tokens.emplace("json:" + v.json_upload_token, v.id);
    }
    for (const auto& w : plan.workspaces) {
      global_.ws_by_name.emplace(name_key(w.organization, w.name), w.id);
      global_.ws_org.emplace(w.id, w.organization);
    }
    for (const auto& cv : plan.cvs)
      if (cv.first.status != configuration_status::archived && !cv.first.upload_token.empty())
        global_.upload_tokens.emplace(cv.first.upload_token, cv.first.id);
  }
  for (auto& w : plan.workspaces) {
    shard& s = shard_of_workspace(w.id);
    home.emplace(w.id, &s);
    if (auto r = s.storage.insert(std::move(w)); !r) return r;
  }
  for (auto& [cv, bytes] : plan.cvs) {
    shard& s = *home.at(cv.workspace_id);
    place(cv.id, "cv-", s);
    if (bytes)
      if (auto r = s.storage.put_blob(blob_key(cv.id), std::move(*bytes)); !r) return r;
    if (auto r = s.storage.insert(std::move(cv)); !r) return r;
  }
  for (auto& [v, raw, json_state] : plan.svs) {
    shard& s = *home.at(v.workspace_id);
    place(v.id, "sv-", s);
    for (const auto& out : v.outputs) place(out.id, "wsout-", s);
    if (raw)
      if (auto r = s.storage.put_blob(detail::state_blob_key(v.id), std::move(*raw)); !r) return r;
    if (json_state)
      if (auto r = s.storage.put_blob(detail::json_state_blob_key(v.id), std::move(*json_state)); !r) return r;
    index_outputs_locked(s, v);
    if (auto r = s.storage.insert(std::move(v)); !r) return r;
  }
  std::vector<std::pair<resource_id, shard*>> run_homes;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    run& r = plan.runs[i];
    shard& s = *home.at(r.workspace_id);
    place(r.id, "run-", s);
    if (!is_final(r.status)) set_behaviour(s, r.id, plan.behaviours[i]);
    if (r.plan_only) ++s.plan_only_counts[r.workspace_id];
    else ++s.status_counts[r.workspace_id][static_cast<std::size_t>(r.status)];
    run_homes.emplace_back(r.id, &s);
    r.revision = next_revision();
    if (auto e = s.storage.insert(std::move(r)); !e) return e;
  }
  std::unordered_map<resource_id, shard*> run_home(run_homes.begin(), run_homes.end());
  for (auto& c : plan.comments) {
    shard& s = *run_home.at(c.run_id);
    place(c.id, "wsc-", s);
    s.comments_by_run[c.run_id].push_back(c.id);
    if (auto e = s.storage.insert(std::move(c)); !e) return e;
  }
  {
    std::lock_guard<mutex_type> g(global_.mutex);
    global_.aliases = std::move(aliases);
    has_aliases_.store(!global_.aliases.empty(), std::memory_order_release);
  }
  if constexpr (detail::has_id_state<id_generator_type>::value) {
    if (plan.engine_ids) {
      std::lock_guard<mutex_type> ig(ids_mutex_);
      ids_.set_state(*plan.engine_ids);
    }
    if (plan.shard_ids.size() == shards_.size())  // taken with another shard count: keep ours
      for (std::size_t i = 0; i < shards_.size(); ++i) shards_[i]->ids.set_state(plan.shard_ids[i]);
    if (plan.next_shard) next_workspace_shard_.store(*plan.next_shard % shards_.size(), std::memory_order_relaxed);
  }
  std::set<std::pair<resource_id, std::uint32_t>> timed;
  for (const auto& t : plan.timers) {
    shard& s = *run_home.at(t.run_id);
    schedule(s, t.run_id, t.step, t.event, from_unix_ms(t.due_ms));
    timed.emplace(t.run_id, t.step);
  }
  // Unfinished runs without a scheduled step (hand-written fixtures) pick up where they are.
  const time_point now = clock_.now();
  for (const auto& [rid, sp] : run_homes) {
    shard& s = *sp;
    const run* r = s.storage.find(of<run>, rid);
    if (!r || is_final(r->status) || timed.count({rid, r->step})) continue;
    const run cur = *r;
    if (cur.status == run_status::pending) {
      const workspace* w = s.storage.find(of<workspace>, cur.workspace_id);
      if ((w && w->active_run == rid) || cur.plan_only) schedule(s, rid, cur.step, run_event::queue, now);
    } else if (cur.cancel_requested && (cur.status == run_status::planning || cur.status == run_status::applying)) {
      const phase_behaviour b = behaviour_of(s, rid);
      if (!b.slow_cancel)
        schedule(s, rid, cur.step, run_event::cancel_completed, now + milliseconds(b.cancel_duration_ms));
    } else {
      on_enter(s, cur, run_status::pending, cur.status, run_event::proceed, now);
    }
  }
  rebuild_capacity_locked();
  for (const auto& [id, sp] : home) promote_next(*sp, id, now);
  if constexpr (detail::has_commit<storage_type>::value) {
    for (auto& sp : shards_)
      if (auto r = sp->storage.commit(); !r) return r;
    std::lock_guard<mutex_type> g(global_.mutex);
    if (auto r = global_.storage.commit(); !r) return r;
  }
  return {};
}

}  // namespace tfe

#endif  // TFE_ENGINE_STATE_DOCUMENT_HPP
