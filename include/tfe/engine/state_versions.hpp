// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// State versions of basic_engine: creation (with TFE's checks), uploads, reads, the state an apply writes.
#ifndef TFE_ENGINE_STATE_VERSIONS_HPP
#define TFE_ENGINE_STATE_VERSIONS_HPP

#include <tfe/detail/base64.hpp>
#include <tfe/detail/md5.hpp>
#include <tfe/engine/configuration_diff.hpp>
#include <tfe/engine/engine.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/model/terraform_state.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {

template <class Policies>
result<state_version> basic_engine<Policies>::create_state_version(std::string_view ws_id,
                                                                   const state_version_options& o) {
  if (!is_valid_id_text(ws_id)) return not_found("workspace", ws_id);
  const resource_id wid(ws_id);
  shard& s = shard_of_workspace(wid);
  shard_guard sg(*this, s);
  const workspace* w = s.storage.find(of<workspace>, wid);
  if (!w) return not_found("workspace", ws_id);
  if (!o.serial)
    return make_titled_error(errc::validation_failed, "invalid attribute", "Serial can't be blank",
                             "/data/attributes/serial");
  if (*o.serial < 0)
    return make_titled_error(errc::validation_failed, "invalid attribute", "Serial must be a non-negative integer",
                             "/data/attributes/serial");
  if (!o.md5 || o.md5->empty())
    return make_titled_error(errc::validation_failed, "invalid attribute", "MD5 can't be blank",
                             "/data/attributes/md5");
  if (!w->locked())
    return make_titled_error(errc::conflict, "workspace not locked",
                             "The workspace must be locked by the current user to create a state version");
  std::optional<std::string> raw, json_state;
  if (o.state) {
    raw = detail::base64_decode(*o.state);
    if (!raw)
      return make_titled_error(errc::validation_failed, "invalid attribute", "State is not valid base64",
                               "/data/attributes/state");
    if (detail::md5_hex(*raw) != *o.md5)
      return make_titled_error(errc::validation_failed, "invalid attribute",
                               "MD5 does not match the state: the state was corrupted in transit",
                               "/data/attributes/md5");
  }
  if (o.json_state) {
    json_state = detail::base64_decode(*o.json_state);
    if (!json_state)
      return make_titled_error(errc::validation_failed, "invalid attribute", "JSON state is not valid base64",
                               "/data/attributes/json-state");
  }
  std::optional<terraform_state> parsed;
  if (raw) {
    auto st = parse_terraform_state(*raw);
    if (!st) return st.error();
    parsed = std::move(*st);
  }
  const std::string lineage = o.lineage ? *o.lineage : parsed ? parsed->lineage : std::string();
  // TFE's checks against the current version: the serial may not go backwards, the lineage may not
  // change (a duplicate serial of the same lineage is accepted, as TFE does); `force` skips both.
  if (!o.force.value_or(false) && !w->current_state_version.empty())
    if (const state_version* cur = s.storage.find(of<state_version>, w->current_state_version)) {
      if (*o.serial < cur->serial)
        return make_titled_error(errc::conflict, "serial conflict",
                                 "serial " + std::to_string(*o.serial) + " is lower than the current state's serial " +
                                     std::to_string(cur->serial),
                                 "/data/attributes/serial");
      if (!lineage.empty() && !cur->lineage.empty() && lineage != cur->lineage)
        return make_titled_error(
            errc::conflict, "lineage conflict",
            "lineage " + lineage.substr(0, 64) + " differs from the current state's lineage " + cur->lineage,
            "/data/attributes/lineage");
    }
  resource_id run_id;
  if (o.run_id && !o.run_id->empty()) {
    if (!is_valid_id_text(*o.run_id)) return not_found("run", *o.run_id);
    const run* r = s.storage.find(of<run>, resource_id(*o.run_id));
    if (!r || r->workspace_id != wid) return not_found("run", *o.run_id);
    run_id = r->id;
  }
  state_version v;
  v.id = next_id_in(id_kind::state_version, s);
  v.workspace_id = wid;
  v.run_id = run_id;
  v.serial = *o.serial;
  v.lineage = lineage;
  v.md5 = *o.md5;
  v.created_at = clock_.now();
  v.status = state_version_status::pending;
  if (!raw) {
    for (;;) {
      v.upload_token = s.ids.token();
      std::lock_guard<mutex_type> g(global_.mutex);
      if (global_.state_upload_tokens.emplace(v.upload_token, v.id).second) break;
    }
  }
  if (!json_state) {
    for (;;) {
      v.json_upload_token = s.ids.token();
      std::lock_guard<mutex_type> g(global_.mutex);
      if (global_.state_upload_tokens.emplace("json:" + v.json_upload_token, v.id).second) break;
    }
  }
  if (json_state) v.json_state = true;
  auto drop_tokens = [&] {
    std::lock_guard<mutex_type> g(global_.mutex);
    if (!v.upload_token.empty()) global_.state_upload_tokens.erase(v.upload_token);
    if (!v.json_upload_token.empty()) global_.state_upload_tokens.erase("json:" + v.json_upload_token);
  };
  if (json_state)
    if (auto r = s.storage.put_blob(detail::json_state_blob_key(v.id), std::move(*json_state)); !r) {
      drop_tokens();
      return r.error();
    }
  const resource_id sv_id = v.id;
  if (auto r = s.storage.insert(state_version(v)); !r) {
    drop_tokens();
    return r.error();
  }
  (void)s.storage.update(of<workspace>, wid, [&](workspace& x) { x.state_versions.push_back(sv_id); });
  if (raw) return finalize_state_locked(s, sv_id, std::move(*raw), &*parsed);
  return *s.storage.find(of<state_version>, sv_id);
}

template <class Policies>
result<state_version> basic_engine<Policies>::upload_state(std::string_view token, std::string bytes) {
  const bool json_upload = token.substr(0, 5) == "json:";
  resource_id sv_id;
  {
    std::lock_guard<mutex_type> g(global_.mutex);
    auto it = global_.state_upload_tokens.find(std::string(token));
    if (it == global_.state_upload_tokens.end()) return make_error(errc::not_found, "upload URL not found");
    sv_id = it->second;
  }
  shard* sp = shard_of_indexed(sv_id.view());
  if (!sp) return make_error(errc::not_found, "upload URL not found");
  shard& s = *sp;
  shard_guard sg(*this, s);
  const state_version* v = s.storage.find(of<state_version>, sv_id);
  if (!v) return make_error(errc::not_found, "upload URL not found");
  if (json_upload) {
    if (auto r = s.storage.put_blob(detail::json_state_blob_key(sv_id), std::move(bytes)); !r) return r.error();
    const std::string jt = v->json_upload_token;
    (void)s.storage.update(of<state_version>, sv_id, [&](state_version& x) {
      x.json_state = true;
      x.json_upload_token.clear();
    });
    std::lock_guard<mutex_type> g(global_.mutex);
    global_.state_upload_tokens.erase("json:" + jt);
    return *s.storage.find(of<state_version>, sv_id);
  }
  if (v->status != state_version_status::pending) return make_error(errc::not_found, "upload URL not found");
  if (detail::md5_hex(bytes) != v->md5)
    return make_titled_error(errc::validation_failed, "invalid attribute",
                             "MD5 of the uploaded state does not match the state version's md5");
  auto parsed = parse_terraform_state(bytes);
  if (!parsed) return parsed.error();
  return finalize_state_locked(s, sv_id, std::move(bytes), &*parsed);
}

// Stores the raw state of version `sv_id`, reads its outputs and resources and makes it current (shard
// locked). `parsed` is `raw` read as a state.
template <class Policies>
result<state_version> basic_engine<Policies>::finalize_state_locked(shard& s, resource_id sv_id, std::string raw,
                                                                    const terraform_state* parsed) {
  const state_version* cur = s.storage.find(of<state_version>, sv_id);
  if (!cur) return not_found("state version", sv_id.view());
  const std::string token = cur->upload_token;
  const std::uint64_t size = raw.size();
  if (auto r = s.storage.put_blob(detail::state_blob_key(sv_id), std::move(raw)); !r) return r.error();
  std::vector<state_output> outputs = parsed->outputs;
  for (auto& out : outputs) out.id = next_id_in(id_kind::state_version_output, s);
  const std::int64_t processed_at = to_unix_ms(clock_.now()) + options_.state_processing_delay.count();
  (void)s.storage.update(of<state_version>, sv_id, [&](state_version& x) {
    x.status = state_version_status::finalized;
    x.upload_token.clear();
    x.size = size;
    x.terraform_version = parsed->terraform_version;
    x.state_format = parsed->version;
    if (x.lineage.empty()) x.lineage = parsed->lineage;
    x.outputs = std::move(outputs);
    x.resources = parsed->resources;
    x.processed_at_ms = processed_at;
  });
  const state_version& done = *s.storage.find(of<state_version>, sv_id);
  index_outputs_locked(s, done);
  const std::int64_t resources = done.managed_count();
  const time_point created = done.created_at;
  // The newest finalized version is current; an older one finishing late does not replace it.
  (void)s.storage.update(of<workspace>, done.workspace_id, [&](workspace& x) {
    const state_version* prev =
        x.current_state_version.empty() ? nullptr : s.storage.find(of<state_version>, x.current_state_version);
    if (!prev || prev->created_at <= created) {
      x.current_state_version = sv_id;
      x.resource_count = resources;
      if (x.latest_change_at < created) x.latest_change_at = created;
    }
  });
  if (!token.empty()) {
    std::lock_guard<mutex_type> g(global_.mutex);
    global_.state_upload_tokens.erase(token);
  }
  return *s.storage.find(of<state_version>, sv_id);
}

template <class Policies>
void basic_engine<Policies>::index_outputs_locked(shard& s, const state_version& v) {
  for (const auto& out : v.outputs) s.output_owner[out.id] = v.id;
}

// A lineage for a workspace's first state: a UUID-shaped text from the shard's id generator.
template <class Policies>
std::string basic_engine<Policies>::new_lineage_locked(shard& s) {
  static constexpr char hex[] = "0123456789abcdef";
  const std::string t = s.ids.token();
  std::string out;
  std::size_t i = 0;
  for (std::size_t group : {8u, 4u, 4u, 4u, 12u}) {
    if (!out.empty()) out += '-';
    for (std::size_t k = 0; k < group; ++k, ++i) out += hex[static_cast<unsigned char>(t[i % t.size()]) % 16];
  }
  return out;
}

// The state an applied run leaves: the executor's resources and outputs when it reported them, else the
// previous state's, with the plan's additions appended and its destructions removed (a destroy run
// leaves none). Serial: the previous one plus one.
template <class Policies>
void basic_engine<Policies>::write_applied_state_locked(shard& s, const run& r,
                                                        const std::optional<std::vector<state_resource>>& resources,
                                                        const std::optional<std::vector<state_output>>& outputs) {
  const workspace* w = s.storage.find(of<workspace>, r.workspace_id);
  if (!w) return;
  const state_version* prev =
      w->current_state_version.empty() ? nullptr : s.storage.find(of<state_version>, w->current_state_version);
  terraform_state st;
  st.terraform_version = r.terraform_version;
  st.serial = prev ? prev->serial + 1 : 1;
  st.lineage = prev && !prev->lineage.empty() ? prev->lineage : new_lineage_locked(s);
  std::optional<planned_changes> planned;
  if (!r.planned.empty())
    if (auto p = decode_planned_changes(r.planned); p && detail::same_plan_counts(p->counts(), r.apply_counts))
      planned = std::move(p);
  if (resources) {
    st.resources = *resources;
  } else if (planned) {
    static const std::vector<state_resource> none;
    auto next = apply_planned_changes(*planned, prev ? prev->resources : none);
    st.resources = std::move(next.first);
    if (!outputs) st.outputs = std::move(next.second);
  } else if (!r.is_destroy) {
    // No configuration to go by: the run's counts, over resources terraform_data.simulated_0 .. N-1.
    // An addition replaces a simulated resource of the same name, so a workspace that applies "1 to
    // add" again and again keeps one resource (its state stays small).
    if (prev) st.resources = prev->resources;
    for (std::int64_t d = 0; d < r.apply_counts.destructions && !st.resources.empty(); ++d) st.resources.pop_back();
    for (std::int64_t a = 0; a < r.apply_counts.additions; ++a) {
      std::string name = "simulated_" + std::to_string(a);
      const std::string_view type = "terraform_data";
      auto same = std::find_if(st.resources.begin(), st.resources.end(), [&](const state_resource& x) {
        return x.module == "root" && x.mode == "managed" && x.type == type && x.name == name;
      });
      if (same != st.resources.end()) {
        same->count = 1;  // replaced: the same resource again
        continue;
      }
      state_resource res;
      res.module = "root";
      res.mode = "managed";
      res.type = std::string(type);
      res.address = res.type + "." + name;
      res.name = std::move(name);
      res.provider = "provider[\"terraform.io/builtin/terraform\"]";
      res.count = 1;
      st.resources.push_back(std::move(res));
    }
  }
  if (outputs) st.outputs = *outputs;
  else if (!planned && prev && !r.is_destroy) st.outputs = prev->outputs;
  // Stored as its fields only: the raw state is rendered when downloaded (rendered_state) and its size
  // when shown, so an apply neither renders, keeps nor hashes the text.
  state_version v;
  v.id = next_id_in(id_kind::state_version, s);
  v.workspace_id = w->id;
  v.run_id = r.id;
  v.serial = st.serial;
  v.lineage = st.lineage;
  v.status = state_version_status::finalized;
  v.terraform_version = st.terraform_version;
  v.state_format = st.version;
  v.created_at = clock_.now();
  v.processed_at_ms = to_unix_ms(v.created_at) + options_.state_processing_delay.count();
  v.outputs = std::move(st.outputs);
  for (auto& out : v.outputs) out.id = next_id_in(id_kind::state_version_output, s);
  v.resources = std::move(st.resources);
  const resource_id sv_id = v.id;
  const std::int64_t resource_count = v.managed_count();
  const time_point created = v.created_at;
  if (!s.storage.insert(std::move(v))) return;
  index_outputs_locked(s, *s.storage.find(of<state_version>, sv_id));
  (void)s.storage.update(of<workspace>, w->id, [&](workspace& x) {
    x.state_versions.push_back(sv_id);
    const state_version* cur =
        x.current_state_version.empty() ? nullptr : s.storage.find(of<state_version>, x.current_state_version);
    if (!cur || cur->created_at <= created) {  // as finalize_state_locked: the newest is current
      x.current_state_version = sv_id;
      x.resource_count = resource_count;
      if (x.latest_change_at < created) x.latest_change_at = created;
    }
  });
}

template <class Policies>
void basic_engine<Policies>::erase_state_versions_locked(shard& s, const workspace& w) {
  std::vector<std::string> tokens;
  for (const auto& id : w.state_versions) {
    if (const state_version* v = s.storage.find(of<state_version>, id)) {
      if (!v->upload_token.empty()) tokens.push_back(v->upload_token);
      if (!v->json_upload_token.empty()) tokens.push_back("json:" + v->json_upload_token);
      for (const auto& out : v->outputs) s.output_owner.erase(out.id);
    }
    (void)s.storage.erase_blob(detail::state_blob_key(id));
    (void)s.storage.erase_blob(detail::json_state_blob_key(id));
    (void)s.storage.erase(of<state_version>, id);
  }
  if (tokens.empty()) return;
  std::lock_guard<mutex_type> g(global_.mutex);
  for (const auto& t : tokens) global_.state_upload_tokens.erase(t);
}

template <class Policies>
result<state_version> basic_engine<Policies>::read_state_version(std::string_view id) {
  shard* s = shard_of_indexed(id);
  if (!s || id.substr(0, 3) != "sv-") return not_found("state version", id);
  shard_guard sg(*this, *s);
  const state_version* v = s->storage.find(of<state_version>, resource_id(id));
  if (!v) return not_found("state version", id);
  return *v;
}

template <class Policies>
result<page<state_version>> basic_engine<Policies>::list_state_versions(std::string_view org, std::string_view ws_name,
                                                                        page_request req) {
  auto id = workspace_id_by_name(org, ws_name);
  if (!id) return not_found("workspace", ws_name);
  shard& s = shard_of_workspace(*id);
  shard_guard sg(*this, s);
  const workspace* w = s.storage.find(of<workspace>, *id);
  if (!w || w->organization != org) return not_found("workspace", ws_name);
  std::vector<const state_version*> all;
  for (auto it = w->state_versions.rbegin(); it != w->state_versions.rend(); ++it)
    if (const auto* v = s.storage.find(of<state_version>, *it)) all.push_back(v);
  return paginate(all, req);
}

template <class Policies>
result<state_version> basic_engine<Policies>::current_state_version(std::string_view ws_id) {
  if (!is_valid_id_text(ws_id)) return not_found("workspace", ws_id);
  const resource_id wid(ws_id);
  shard& s = shard_of_workspace(wid);
  shard_guard sg(*this, s);
  const workspace* w = s.storage.find(of<workspace>, wid);
  if (!w) return not_found("workspace", ws_id);
  const state_version* v =
      w->current_state_version.empty() ? nullptr : s.storage.find(of<state_version>, w->current_state_version);
  if (!v) return make_error(errc::not_found, "workspace " + w->id.str() + " has no state yet");
  return *v;
}

template <class Policies>
result<std::string> basic_engine<Policies>::download_state(std::string_view sv_id, bool json_state) {
  shard* s = shard_of_indexed(sv_id);
  if (!s || sv_id.substr(0, 3) != "sv-") return not_found("state version", sv_id);
  shard_guard sg(*this, *s);
  const resource_id id(sv_id);
  const state_version* v = s->storage.find(of<state_version>, id);
  if (!v) return not_found("state version", sv_id);
  if (v->backing != backing_data::present) return make_error(errc::not_found, "the state version's data is deleted");
  if (!json_state && rendered_state(*v)) return render_raw_state(*v);
  const std::string* b = s->storage.get_blob(json_state ? detail::json_state_blob_key(id) : detail::state_blob_key(id));
  if (!b) return make_error(errc::not_found, "the state version has no stored state");
  return *b;
}

template <class Policies>
result<state_output> basic_engine<Policies>::read_state_output(std::string_view output_id) {
  shard* s = shard_of_indexed(output_id);
  if (!s || output_id.substr(0, 6) != "wsout-") return not_found("state version output", output_id);
  shard_guard sg(*this, *s);
  auto it = s->output_owner.find(resource_id(output_id));
  if (it == s->output_owner.end()) return not_found("state version output", output_id);
  const state_version* v = s->storage.find(of<state_version>, it->second);
  if (v)
    for (const auto& out : v->outputs)
      if (out.id.view() == output_id) return out;
  return not_found("state version output", output_id);
}

}  // namespace tfe

#endif  // TFE_ENGINE_STATE_VERSIONS_HPP
