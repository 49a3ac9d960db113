// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// basic_engine<Policies>: organizations, workspaces, configuration versions and the run lifecycle.
#ifndef TFE_ENGINE_ENGINE_HPP
#define TFE_ENGINE_ENGINE_HPP

#include <tfe/config.hpp>
#include <tfe/engine/options.hpp>
#include <tfe/engine/pagination.hpp>
#include <tfe/engine/policy_set.hpp>
#include <tfe/lifecycle/run_state_machine.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/configuration_version.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/organization.hpp>
#include <tfe/model/planned_changes.hpp>
#include <tfe/model/project.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/model/tag.hpp>
#include <tfe/model/time.hpp>
#include <tfe/model/workspace.hpp>
#include <tfe/policies/terraform_log.hpp>
#include <tfe/result.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tfe {

namespace detail {
struct tf_config;  // detail/tf_scan.hpp: what a configuration's .tf files declare
}  // namespace detail

class json;
struct terraform_state;

/// Filters of a run list (GET /workspaces/:id/runs).
struct run_list_request {
  page_request page;                          ///< which page
  std::vector<run_status> statuses;           ///< filter[status]; empty = all
  std::vector<std::string> operations;        ///< filter[operation]; empty = all but plan_only
  std::vector<std::string> sources;           ///< filter[source]; empty = all
  std::string user;                           ///< search[user]: runs created by this username
  std::string commit;                         ///< search[commit]: runs of this commit (tfe runs carry none)
  std::string basic;                          ///< search[basic]: id, message or creator containing it
  std::vector<std::string> workspace_names;   ///< organization lists: filter[workspace_names]
  std::vector<std::string> agent_pool_names;  ///< organization lists: filter[agent_pool_names]
};

/// Filters and order of a workspace list (GET /organizations/:org/workspaces).
struct workspace_list_request {
  page_request page;                             ///< which page
  std::string search;                            ///< search[name]: names containing it
  std::string wildcard;                          ///< search[wildcard-name]: '*' matches any text
  std::vector<std::string> tags;                 ///< search[tags]: workspaces with every one of these
  std::vector<std::string> exclude_tags;         ///< search[exclude-tags]: workspaces with none of these
  std::vector<tag_binding> tagged;               ///< filter[tagged]: key/value bindings (empty value: any)
  std::string project_id;                        ///< filter[project][id]
  std::vector<run_status> current_run_statuses;  ///< filter[current-run][status]
  /// "name", "current-run.created-at" or "latest-change-at", "-" first for the reverse order; empty:
  /// "-latest-change-at" (the latest state version or creation first). Workspaces without a current run
  /// sort last by current-run.created-at.
  std::string sort;
};

/// An organization's tag (`tags`): a name some of its workspaces carry.
struct organization_tag {
  resource_id id;                  ///< tag_id_of(org, name)
  std::string name;                ///< the tag
  std::size_t instance_count = 0;  ///< workspaces carrying it
};

/// A tag binding of a workspace with where it comes from (`effective-tag-bindings`).
struct effective_tag_binding {
  tag_binding binding;         ///< key and value
  resource_id inherited_from;  ///< the project it comes from, or empty for the workspace's own
};

/// Opaque handle of an observer subscription.
using subscription_id = std::uint64_t;

/// The run engine: every TFE Runs operation as a C++ call, over a policy set (docs/engine.md).
///
/// Concurrency: workspaces are spread over `engine_options::shards` shards by a hash of their id.
/// Each shard has its own mutex, storage, timers and queue state, so calls on different workspaces
/// run in parallel. Organizations, names and capability tokens live in a small global section.
/// Every id carries its shard in the first character of its random part, so routing needs no table.
/// Lock order: one shard lock at a time, then any "leaf" lock (global section, ids, executor,
/// observers); nothing is acquired while a leaf lock is held. See docs/architecture.md#threads.
/// Policies must satisfy is_policy_set (checked by static_asserts naming what is missing).
template <class Policies>
class basic_engine {
  static_assert(detail::policy_set_checks<Policies>::value, "see the static_assert messages above");

 public:
  using policies = Policies;                                       ///< the policy set
  using storage_type = typename Policies::storage_type;            ///< storage policy
  using clock_type = typename Policies::clock_type;                ///< clock policy
  using id_generator_type = typename Policies::id_generator_type;  ///< id policy
  using executor_type = typename Policies::executor_type;          ///< executor policy
  using mutex_type = typename Policies::mutex_type;                ///< mutex policy
  using observer = std::function<void(const run_status_change&)>;  ///< observer callback

  /// An engine with the given settings.
  explicit basic_engine(engine_options options = {}) : options_(std::move(options)) {
    const std::size_t n = options_.shards == 0 ? 1 : std::min<std::size_t>(options_.shards, 62);
    shards_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      shards_.push_back(std::make_unique<shard>());
      shards_.back()->index = static_cast<std::uint32_t>(i);
    }
    global_.grants.resize(n);
    user_ = resource_id(options_.user_id);
  }
  basic_engine(const basic_engine&) = delete;
  basic_engine& operator=(const basic_engine&) = delete;

  // ---- policies --------------------------------------------------------------------------------

  /// The clock (e.g. manual_clock::advance()); shared by every shard.
  clock_type& clock() noexcept { return clock_; }
  /// The id generator of organizations and workspaces; each shard has its own for what lives in it.
  /// To make every id reproducible use seed_ids().
  id_generator_type& ids() noexcept { return ids_; }
  /// Seeds every id generator (when the policy has seed()): the same seed and the same calls give the
  /// same ids. Call before other threads use the engine.
  void seed_ids(std::uint64_t seed) {
    if constexpr (detail::has_seed<id_generator_type>::value) {
      ids_.seed(seed);
      for (auto& sp : shards_) sp->ids.seed(seed * 0x9E3779B97F4A7C15ull + sp->index + 1);
    } else {
      (void)seed;
    }
  }
  /// The executor; from a multi-threaded host use with_executor() instead.
  executor_type& executor() noexcept { return executor_; }
  /// Calls fn(executor) under the executor's lock (safe while other threads use the engine).
  template <class F>
  decltype(auto) with_executor(F&& fn) {
    executor_lock g(*this);
    return fn(executor_);
  }
  /// The settings.
  const engine_options& options() const noexcept { return options_; }
  /// The number of shards.
  std::size_t shard_count() const noexcept { return shards_.size(); }

  // ---- organizations ---------------------------------------------------------------------------

  /// Creates an organization (name and email required; 422 on invalid or duplicate name) with its
  /// "Default Project".
  result<organization> create_organization(const organization_options& o) {
    if (!o.name || !is_valid_organization_name(*o.name))
      return make_error(errc::validation_failed, "Name is invalid: use 1-40 letters, digits, '-' or '_'",
                        "/data/attributes/name");
    if (!o.email || o.email->empty() || o.email->find('@') == std::string::npos)
      return make_error(errc::validation_failed, "Email is invalid", "/data/attributes/email");
    organization org;
    org.name = *o.name;
    org.created_at = clock_.now();
    org.cost_estimation_enabled = options_.cost_estimation_default;
    if (auto e = apply_organization_options(org, o); !e) return e.error();
    std::lock_guard<mutex_type> g(global_.mutex);
    if (global_.storage.find(of<organization>, *o.name))
      return make_error(errc::validation_failed, "Name has already been taken", "/data/attributes/name");
    if (auto e = resolve_organization_agent_pool_locked(org, o); !e) return e.error();  // none exist yet
    org.external_id = next_id(id_kind::organization);
    project def;
    def.organization = org.name;
    def.name = std::string(default_project_name);
    def.created_at = org.created_at;
    def.id = default_project_id_for(org.external_id);
    while (def.id.empty() || global_.storage.find(of<project>, def.id)) def.id = next_id(id_kind::project);
    org.default_project_id = def.id;
    if (auto w = global_.storage.insert(organization(org)); !w) return w.error();
    if (auto w = global_.storage.insert(std::move(def)); !w) {
      (void)global_.storage.erase(of<organization>, org.name);
      return w.error();
    }
    commit_global();
    global_.version.fetch_add(1, std::memory_order_acq_rel);
    return org;
  }
  /// Reads an organization by name.
  result<organization> read_organization(std::string_view name) {
    std::lock_guard<mutex_type> g(global_.mutex);
    const organization* o = find_org(name);
    if (!o) return not_found("organization", name);
    return *o;
  }
  /// Updates an organization's settings; a new `name` renames it (its workspaces and projects follow).
  result<organization> update_organization(std::string_view name, const organization_options& o) {
    organization next;
    std::string old_name;
    bool renamed = false;
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      const organization* cur = find_org(name);
      if (!cur) return not_found("organization", name);
      if (o.name && *o.name != cur->name) {
        if (!is_valid_organization_name(*o.name))
          return make_error(errc::validation_failed, "Name is invalid: use 1-40 letters, digits, '-' or '_'",
                            "/data/attributes/name");
        if (find_org(*o.name))
          return make_error(errc::validation_failed, "Name has already been taken", "/data/attributes/name");
      }
      if (o.email && (o.email->empty() || o.email->find('@') == std::string::npos))
        return make_error(errc::validation_failed, "Email is invalid", "/data/attributes/email");
      next = *cur;
      if (auto e = apply_organization_options(next, o); !e) return e.error();
      if (auto e = resolve_organization_agent_pool_locked(next, o); !e) return e.error();
      old_name = cur->name;
      if (o.name && *o.name != cur->name) {
        // The organization and its projects take the new name; workspaces follow below, shard by shard
        // (a workspace of the old name that another call reads meanwhile says the old name).
        next.name = *o.name;
        if (auto w = global_.storage.insert(organization(next)); !w) return w.error();
        if (auto w = global_.storage.erase(of<organization>, old_name); !w) return w.error();
        for (const auto& id : owned_locked<project>(old_name))
          (void)global_.storage.update(of<project>, id, [&](project& p) { p.organization = next.name; });
        for (const auto& id : owned_locked<agent_pool>(old_name))
          (void)global_.storage.update(of<agent_pool>, id, [&](agent_pool& p) { p.organization = next.name; });
        std::vector<std::pair<std::string, resource_id>> names;
        for (auto& kv : global_.ws_org)
          if (kv.second == old_name) kv.second = next.name;
        for (const auto& kv : global_.ws_by_name)
          if (kv.first.compare(0, old_name.size() + 1, old_name + "/") == 0) names.emplace_back(kv.first, kv.second);
        for (const auto& [key, id] : names) {
          global_.ws_by_name.erase(key);
          global_.ws_by_name.emplace(name_key(next.name, std::string_view(key).substr(old_name.size() + 1)), id);
        }
        renamed = true;
      } else if (auto w = global_.storage.update(of<organization>, next.name, [&](organization& x) { x = next; }); !w) {
        return w.error();
      }
      commit_global();
      global_.version.fetch_add(1, std::memory_order_acq_rel);
    }
    if (renamed)
      for (auto& sp : shards_) {
        shard_guard sg(*this, *sp);
        std::vector<resource_id> wss;
        sp->storage.for_each(of<workspace>, [&](const workspace& w) {
          if (w.organization == old_name) wss.push_back(w.id);
        });
        for (const auto& id : wss)
          (void)sp->storage.update(of<workspace>, id, [&](workspace& w) { w.organization = next.name; });
      }
    return next;
  }
  /// Deletes an organization and everything it owns.
  result<void> delete_organization(std::string_view name) {
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      if (!find_org(name)) return not_found("organization", name);
      for (const auto& id : owned_locked<project>(name))
        if (auto r = global_.storage.erase(of<project>, id); !r) return r;
      for (const auto& id : owned_locked<agent_pool>(name))
        if (auto r = global_.storage.erase(of<agent_pool>, id); !r) return r;
      if (auto r = global_.storage.erase(of<organization>, std::string(name)); !r) return r;
      commit_global();
      global_.version.fetch_add(1, std::memory_order_acq_rel);
    }
    // Workspaces created concurrently re-check their organization after insertion (create_workspace).
    for (auto& sp : shards_) {
      shard_guard sg(*this, *sp);
      std::vector<resource_id> wss;
      sp->storage.for_each(of<workspace>, [&](const workspace& w) {
        if (w.organization == name) wss.push_back(w.id);
      });
      std::sort(wss.begin(), wss.end());
      for (const auto& id : wss)
        if (auto r = erase_workspace_locked(*sp, id); !r) return r;
    }
    return {};
  }
  /// Lists organizations sorted by name.
  result<page<organization>> list_organizations(page_request req = {}) {
    std::lock_guard<mutex_type> g(global_.mutex);
    std::vector<const organization*> all;
    global_.storage.for_each(of<organization>, [&](const organization& o) { all.push_back(&o); });
    std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->name < b->name; });
    return paginate(all, req);
  }

  // ---- workspaces ------------------------------------------------------------------------------

  /// Creates a workspace in organization `org` (422 on invalid or duplicate name).
  result<workspace> create_workspace(std::string_view org, const workspace_options& o) {
    if (!o.name || !is_valid_workspace_name(*o.name)) {
      std::lock_guard<mutex_type> g(global_.mutex);
      if (!find_org(org)) return not_found("organization", org);
      return make_error(errc::validation_failed, "Name is invalid: use 1-90 letters, digits, '-' or '_'",
                        "/data/attributes/name");
    }
    workspace w;
    w.organization = std::string(org);
    w.created_at = w.updated_at = w.latest_change_at = clock_.now();
    w.terraform_version = options_.terraform_version;
    if (auto e = apply_workspace_options(w, o); !e) {
      std::lock_guard<mutex_type> g(global_.mutex);
      if (!find_org(org)) return not_found("organization", org);
      return e.error();
    }
    const std::string key = name_key(org, w.name);
    shard& target = shard_for_new_workspace();
    {
      // Reserve the name under the global lock: exactly one creator wins.
      std::lock_guard<mutex_type> g(global_.mutex);
      if (!find_org(org)) return not_found("organization", org);
      if (global_.ws_by_name.count(key))
        return make_error(errc::validation_failed, "Name has already been taken", "/data/attributes/name");
      auto pid = project_of_locked(org, o.project_id);
      if (!pid) return pid.error();
      w.project_id = *pid;
      if (auto r = resolve_workspace_execution_locked(w, o, true); !r) return r.error();
      inherit_project_auto_destroy_locked(w, o);
      do {  // a restored fixture may already use the next id
        w.id = routed(next_id(id_kind::workspace), id_kind::workspace, target);
      } while (global_.ws_org.count(w.id));
      global_.ws_by_name.emplace(key, w.id);
      global_.ws_org.emplace(w.id, w.organization);
    }
    shard& s = target;
    shard_guard sg(*this, s);
    if (auto r = s.storage.insert(workspace(w)); !r) {
      std::lock_guard<mutex_type> g(global_.mutex);
      global_.ws_by_name.erase(key);
      global_.ws_org.erase(w.id);
      return r.error();
    }
    bool org_alive;
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      org_alive = find_org(org) != nullptr;
      if (!org_alive) {
        global_.ws_by_name.erase(key);
        global_.ws_org.erase(w.id);
      }
    }
    if (!org_alive) {  // deleted meanwhile
      (void)s.storage.erase(of<workspace>, w.id);
      return not_found("organization", org);
    }
    return w;
  }
  /// Reads a workspace by id.
  result<workspace> read_workspace(std::string_view id) {
    if (!is_valid_id_text(id)) return not_found("workspace", id);
    const resource_id wid(id);
    shard& s = shard_of_workspace(wid);
    shard_guard sg(*this, s);
    const workspace* w = s.storage.find(of<workspace>, wid);
    if (!w) return not_found("workspace", id);
    return handed_out(*w);
  }
  /// Reads a workspace by organization and name.
  result<workspace> read_workspace_by_name(std::string_view org, std::string_view name) {
    auto id = workspace_id_by_name(org, name);
    if (!id) return not_found("workspace", name);
    auto w = read_workspace(*id);
    if (!w || w->name != name || w->organization != org) return not_found("workspace", name);
    return w;
  }
  /// Updates a workspace's settings (rename allowed; 422 on invalid or duplicate name).
  result<workspace> update_workspace(std::string_view id, const workspace_options& o) {
    if (!is_valid_id_text(id)) return not_found("workspace", id);
    const resource_id wid(id);
    shard& s = shard_of_workspace(wid);
    shard_guard sg(*this, s);
    const workspace* cur = s.storage.find(of<workspace>, wid);
    if (!cur) return not_found("workspace", id);
    workspace next = handed_out(*cur);
    if (o.name && *o.name != cur->name && !is_valid_workspace_name(*o.name))
      return make_error(errc::validation_failed, "Name is invalid: use 1-90 letters, digits, '-' or '_'",
                        "/data/attributes/name");
    if (auto e = apply_workspace_options(next, o); !e) return e.error();
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      if (o.project_id) {
        auto pid = project_of_locked(next.organization, o.project_id);
        if (!pid) return pid.error();
        next.project_id = *pid;
      }
      if (auto r = resolve_workspace_execution_locked(next, o, false); !r) return r.error();
      inherit_project_auto_destroy_locked(next, o);
    }
    next.updated_at = clock_.now();
    const std::string old_key = name_key(cur->organization, cur->name);
    const std::string new_key = name_key(next.organization, next.name);
    if (old_key != new_key) {
      std::lock_guard<mutex_type> g(global_.mutex);
      if (global_.ws_by_name.count(new_key))
        return make_error(errc::validation_failed, "Name has already been taken", "/data/attributes/name");
      global_.ws_by_name.emplace(new_key, wid);
    }
    if (auto r = s.storage.update(of<workspace>, wid, [&](workspace& x) { static_cast<workspace_data&>(x) = next; });
        !r) {
      if (old_key != new_key) {
        std::lock_guard<mutex_type> g(global_.mutex);
        global_.ws_by_name.erase(new_key);
      }
      return r.error();
    }
    if (old_key != new_key) {
      std::lock_guard<mutex_type> g(global_.mutex);
      global_.ws_by_name.erase(old_key);
    }
    return next;
  }
  /// Deletes a workspace with its runs, configuration versions and comments.
  result<void> delete_workspace(std::string_view id) {
    if (!is_valid_id_text(id)) return not_found("workspace", id);
    const resource_id wid(id);
    shard& s = shard_of_workspace(wid);
    shard_guard sg(*this, s);
    if (!s.storage.find(of<workspace>, wid)) return not_found("workspace", id);
    return erase_workspace_locked(s, wid);
  }
  /// Lists an organization's workspaces, filtered and ordered as `req` says.
  result<page<workspace>> list_workspaces(std::string_view org, const workspace_list_request& req) {
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      if (!find_org(org)) return not_found("organization", org);
    }
    // Sorts light rows (name, sort keys, id) rather than the workspaces, and copies only the page: an
    // organization of 100k workspaces costs one walk and a selection, not 100k copies and a full sort.
    struct row {
      std::string name;
      time_point change_at;
      std::int64_t current_run_ms;  // created-at of the current run, or none
      resource_id id;
    };
    constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();
    std::vector<row> all;
    for (auto& sp : shards_) {
      shard_guard sg(*this, *sp);
      sp->storage.for_each(of<workspace>, [&](const workspace& w) {
        if (w.organization != org || !workspace_matches(w, req)) return;
        const run* cur = w.current_run.empty() ? nullptr : sp->storage.find(of<run>, w.current_run);
        if (!req.current_run_statuses.empty() &&
            (!cur || std::find(req.current_run_statuses.begin(), req.current_run_statuses.end(), cur->status) ==
                         req.current_run_statuses.end()))
          return;
        all.push_back(row{w.name, w.latest_change_at, cur ? to_unix_ms(cur->created_at) : none, w.id});
      });
    }
    std::string_view key = req.sort.empty() ? std::string_view("-latest-change-at") : std::string_view(req.sort);
    const bool reverse = !key.empty() && key.front() == '-';
    if (reverse) key.remove_prefix(1);
    enum class order { name, change_at, current_run } by = order::name;  // name is unique in an organization
    if (key == "current-run.created-at") by = order::current_run;
    if (key == "latest-change-at") by = order::change_at;
    auto less = [by, reverse](const row& a, const row& b) {
      if (by == order::current_run) {
        // workspaces without a current run come last either way
        if ((a.current_run_ms == none) != (b.current_run_ms == none)) return b.current_run_ms == none;
        if (a.current_run_ms != b.current_run_ms)
          return reverse ? a.current_run_ms > b.current_run_ms : a.current_run_ms < b.current_run_ms;
        return a.name < b.name;
      }
      if (by == order::change_at) {
        if (a.change_at != b.change_at) return reverse ? a.change_at > b.change_at : a.change_at < b.change_at;
        return a.name < b.name;
      }
      return reverse ? a.name > b.name : a.name < b.name;
    };
    const page_request pr = normalized(req.page);
    page<workspace> out;
    out.current_page = pr.number;
    out.page_size = pr.size;
    out.total_count = all.size();
    const std::size_t first =
        pr.number - 1 >= (all.size() + pr.size - 1) / pr.size ? all.size() : (pr.number - 1) * pr.size;
    const std::size_t last = std::min(all.size(), first + pr.size);
    if (first == last) return out;
    // only the page's rows need their order: select its first row, then sort the page's span
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(first), all.end(), less);
    std::partial_sort(all.begin() + static_cast<std::ptrdiff_t>(first), all.begin() + static_cast<std::ptrdiff_t>(last),
                      all.end(), less);
    for (std::size_t i = first; i < last; ++i) {
      shard& s = shard_of_workspace(all[i].id);
      shard_guard sg(*this, s);
      // a workspace deleted since the walk is left out of the page
      if (const workspace* w = s.storage.find(of<workspace>, all[i].id)) out.items.push_back(handed_out(*w));
    }
    return out;
  }
  /// Lists an organization's workspaces by name; `search` keeps names containing it.
  result<page<workspace>> list_workspaces(std::string_view org, page_request page = {}, std::string_view search = {}) {
    workspace_list_request req;
    req.page = page;
    req.search = std::string(search);
    req.sort = "name";
    return list_workspaces(org, req);
  }
  /// Locks a workspace manually (409 when already locked, by a user or a run).
  result<workspace> lock_workspace(std::string_view id, std::string reason = {}) {
    if (!is_valid_id_text(id)) return not_found("workspace", id);
    const resource_id wid(id);
    shard& s = shard_of_workspace(wid);
    shard_guard sg(*this, s);
    const workspace* w = s.storage.find(of<workspace>, wid);
    if (!w) return not_found("workspace", id);
    if (w->manually_locked) return make_error(errc::conflict, "Workspace is already locked");
    if (!w->active_run.empty())
      return make_error(errc::conflict, "Workspace is already locked by Run " + w->active_run.str());
    if (auto r = s.storage.update(of<workspace>, wid,
                                  [&](workspace& x) {
                                    x.manually_locked = true;
                                    x.locked_reason = std::move(reason);
                                    x.locked_by_user = user_;
                                  });
        !r)
      return r.error();
    return handed_out(*s.storage.find(of<workspace>, wid));
  }
  /// Unlocks a manually locked workspace (409 when not locked or locked by a run).
  result<workspace> unlock_workspace(std::string_view id) { return unlock_impl(id); }
  /// Force-unlocks a manually locked workspace (409 when not locked or locked by a run).
  result<workspace> force_unlock_workspace(std::string_view id) { return unlock_impl(id); }

  // ---- configuration versions ------------------------------------------------------------------

  /// Creates a configuration version awaiting upload; its upload_token is the upload capability.
  result<configuration_version> create_configuration_version(std::string_view ws_id,
                                                             const configuration_version_options& o = {}) {
    if (!is_valid_id_text(ws_id)) return not_found("workspace", ws_id);
    const resource_id wid(ws_id);
    shard& s = shard_of_workspace(wid);
    shard_guard sg(*this, s);
    if (!s.storage.find(of<workspace>, wid)) return not_found("workspace", ws_id);
    configuration_version cv;
    cv.id = next_id_in(id_kind::configuration_version, s);
    cv.workspace_id = wid;
    cv.auto_queue_runs = o.auto_queue_runs.value_or(true);
    cv.speculative = o.speculative.value_or(false);
    cv.provisional = o.provisional.value_or(false);
    cv.created_at = clock_.now();
    for (;;) {
      cv.upload_token = s.ids.token();
      std::lock_guard<mutex_type> g(global_.mutex);
      if (global_.upload_tokens.emplace(cv.upload_token, cv.id).second) break;
    }
    if (auto r = s.storage.insert(configuration_version(cv)); !r) {
      std::lock_guard<mutex_type> g(global_.mutex);
      global_.upload_tokens.erase(cv.upload_token);
      return r.error();
    }
    // A version that may become current is current from its creation (the workspace's latest configuration).
    const bool current = !cv.speculative && !cv.provisional;
    (void)s.storage.update(of<workspace>, wid, [&](workspace& x) {
      x.configuration_versions.push_back(cv.id);
      if (current) x.current_configuration_version = cv.id;
    });
    return cv;
  }
  /// Reads a configuration version.
  result<configuration_version> read_configuration_version(std::string_view id) {
    shard* s = shard_of_indexed(id);
    if (!s) return not_found("configuration version", id);
    shard_guard sg(*this, *s);
    const configuration_version* cv = s->storage.find(of<configuration_version>, resource_id(id));
    if (!cv) return not_found("configuration version", id);
    return *cv;
  }
  /// Lists a workspace's configuration versions, newest first.
  result<page<configuration_version>> list_configuration_versions(std::string_view ws_id, page_request req = {}) {
    if (!is_valid_id_text(ws_id)) return not_found("workspace", ws_id);
    const resource_id wid(ws_id);
    shard& s = shard_of_workspace(wid);
    shard_guard sg(*this, s);
    const workspace* w = s.storage.find(of<workspace>, wid);
    if (!w) return not_found("workspace", ws_id);
    std::vector<const configuration_version*> all;
    for (auto it = w->configuration_versions.rbegin(); it != w->configuration_versions.rend(); ++it)
      if (const auto* cv = s.storage.find(of<configuration_version>, *it)) all.push_back(cv);
    return paginate(all, req);
  }
  /// The configuration version an upload capability belongs to (404 when unknown or used).
  result<configuration_version> find_upload(std::string_view upload_token) {
    auto cv_id = upload_target(upload_token);
    if (!cv_id) return make_error(errc::not_found, "upload URL not found or already used");
    return read_configuration_version(*cv_id);
  }
  /// Uploads a tar.gz through the capability `upload_token` (single use). Not gzip -> the version errors.
  result<configuration_version> upload_configuration(std::string_view upload_token, std::string bytes) {
    auto target = upload_target(upload_token);
    if (!target) return make_error(errc::not_found, "upload URL not found");
    const resource_id cv_id = *target;
    shard* sp = shard_of_indexed(cv_id);
    if (!sp) return make_error(errc::not_found, "upload URL not found");
    shard& s = *sp;
    shard_guard sg(*this, s);
    const configuration_version* cv = s.storage.find(of<configuration_version>, cv_id);
    if (!cv || cv->upload_token != upload_token || cv->status == configuration_status::archived)
      return make_error(errc::not_found, "upload URL not found");
    const auto now = clock_.now();
    const bool gzip = bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
                      static_cast<unsigned char>(bytes[1]) == 0x8b;
    const std::uint64_t size = bytes.size();
    const bool again = cv->status != configuration_status::pending;  // the URL takes another upload (as TFE's)
    if (again && !gzip)
      return make_titled_error(errc::validation_failed, "invalid archive",
                               "The uploaded configuration is not a gzip-compressed tar archive");
    if (gzip) {
      if (auto r = s.storage.put_blob(blob_key(cv_id), std::move(bytes)); !r) return r.error();
      s.configs.erase(cv_id);
    }
    auto r = s.storage.update(of<configuration_version>, cv_id, [&](configuration_version& x) {
      x.size = size;
      if (gzip) {
        x.status = configuration_status::uploaded;
        x.uploaded_at = now;
        x.error.clear();
        x.error_message.clear();
        x.errored_at.reset();
      } else {
        x.status = configuration_status::errored;
        x.errored_at = now;
        x.error = "invalid_archive";
        x.error_message = "The uploaded configuration is not a gzip-compressed tar archive";
      }
    });
    if (!r) return r.error();
    const configuration_version result_cv = *s.storage.find(of<configuration_version>, cv_id);
    if (gzip && !again && result_cv.auto_queue_runs) {
      run_options ro;
      ro.workspace_id = result_cv.workspace_id;
      ro.configuration_version_id = cv_id;
      ro.source = run_source::tfe_configuration_version;
      ro.message = "Triggered via API";
      auto created = create_run_locked(s, ro, &result_cv);
      if (!created) return created.error();
      drain_locked(s, to_unix_ms(now));
    }
    return *s.storage.find(of<configuration_version>, cv_id);
  }
  /// Archives a configuration version: its uploaded bytes are dropped (422 while it is its workspace's
  /// current one, as TFE).
  result<configuration_version> archive_configuration_version(std::string_view id) {
    shard* sp = shard_of_indexed(id);
    if (!sp || id.substr(0, 3) != "cv-") return not_found("configuration version", id);
    shard& s = *sp;
    shard_guard sg(*this, s);
    const configuration_version* cv = s.storage.find(of<configuration_version>, resource_id(id));
    if (!cv) return not_found("configuration version", id);
    const workspace* w = s.storage.find(of<workspace>, cv->workspace_id);
    if (w && w->current_configuration_version == cv->id)
      return make_titled_error(errc::validation_failed, "transition not allowed",
                               "configuration could not be archived because it is current");
    if (cv->status == configuration_status::archived) return *cv;
    const resource_id cv_id = cv->id;
    const std::string token = cv->upload_token;
    if (auto r = s.storage.erase_blob(blob_key(cv_id)); !r) return r.error();
    s.configs.erase(cv_id);
    if (auto r = s.storage.update(of<configuration_version>, cv_id,
                                  [&](configuration_version& x) {
                                    x.status = configuration_status::archived;
                                    x.archived_at = clock_.now();
                                    x.upload_token.clear();
                                  });
        !r)
      return r.error();
    if (!token.empty()) {
      std::lock_guard<mutex_type> g(global_.mutex);
      global_.upload_tokens.erase(token);
    }
    return *s.storage.find(of<configuration_version>, cv_id);
  }
  /// The uploaded bytes of a configuration version (404 when none).
  result<std::string> download_configuration(std::string_view cv_id) {
    shard* s = shard_of_indexed(cv_id);
    if (!s) return not_found("configuration version", cv_id);
    shard_guard sg(*this, *s);
    const configuration_version* cv = s->storage.find(of<configuration_version>, resource_id(cv_id));
    if (!cv) return not_found("configuration version", cv_id);
    if (cv->backing != backing_data::present)
      return make_error(errc::not_found, "the configuration version's backing data is deleted");
    const std::string* b = s->storage.get_blob(blob_key(resource_id(cv_id)));
    if (!b) return make_error(errc::not_found, "configuration version has no uploaded configuration");
    return *b;
  }
  /// Soft deletes, restores or permanently deletes the bytes behind a configuration version ("cv-...")
  /// or a state version ("sv-..."); 422 "transition not allowed" for a move the lifecycle forbids (or
  /// a soft delete of the workspace's current one). Downloads answer 404 until the bytes are restored.
  result<void> manage_backing_data(std::string_view id, backing_data_action action);

  // ---- projects (engine/projects.hpp) ---------------------------------------------------------

  /// Creates a project in `org` (422 for an invalid or taken name; docs/http.md#projects).
  result<project> create_project(std::string_view org, const project_options& o);
  /// Reads a project.
  result<project> read_project(std::string_view id);
  /// Updates a project's settings.
  result<project> update_project(std::string_view id, const project_options& o);
  /// Adds or updates key/value tag bindings of a project (at most 10); its workspaces inherit them.
  result<project> add_project_tag_bindings(std::string_view id, const std::vector<tag_binding>& bindings);
  /// Deletes an empty project (409 while it holds workspaces; 422 for the default project).
  result<void> delete_project(std::string_view id);
  /// Lists `org`'s projects by name; `q` keeps names containing it (case-insensitive).
  result<page<project>> list_projects(std::string_view org, page_request req = {}, std::string_view q = {});

  // ---- agent pools (engine/agent_pools.hpp) ---------------------------------------------------

  /// Creates an agent pool in `org` (422 for a missing, invalid or taken name).
  result<agent_pool> create_agent_pool(std::string_view org, const agent_pool_options& o);
  /// Reads an agent pool.
  result<agent_pool> read_agent_pool(std::string_view id);
  /// Updates an agent pool's name, scope and allowed/excluded workspaces and projects.
  result<agent_pool> update_agent_pool(std::string_view id, const agent_pool_options& o);
  /// Deletes an agent pool (422 while a workspace, a project or the organization uses it).
  result<void> delete_agent_pool(std::string_view id);
  /// Lists `org`'s agent pools by name (`sort`: "name" or "created-at", "-" first to reverse; 400
  /// otherwise); `q` keeps names containing it.
  result<page<agent_pool>> list_agent_pools(std::string_view org, page_request req = {}, std::string_view q = {},
                                            std::string_view sort = {});
  /// The ids of the workspaces in `agent` execution mode on agent pool `id`, sorted.
  std::vector<resource_id> agent_pool_workspaces(std::string_view id);

  // ---- tags, tag bindings, remote-state consumers (engine/tags.hpp) ---------------------------

  /// Adds flat tags to a workspace (lower-cased; 422 for an invalid name); names it has stay once.
  result<workspace> add_workspace_tags(std::string_view ws_id, const std::vector<std::string>& names);
  /// Removes tags from a workspace by name (names it does not carry are ignored, as TFE).
  result<workspace> remove_workspace_tags(std::string_view ws_id, const std::vector<std::string>& names);
  /// The tags `org`'s workspaces carry, with how many carry each, by name; `q` keeps names containing it.
  result<std::vector<organization_tag>> organization_tags(std::string_view org, std::string_view q = {});
  /// The names of `org`'s tags `tag_ids` (404 for an unknown one).
  result<std::vector<std::string>> tag_names_of(std::string_view org, const std::vector<std::string>& tag_ids);
  /// Removes the tags `tag_ids` from every workspace of `org`.
  result<void> delete_organization_tags(std::string_view org, const std::vector<std::string>& tag_ids);
  /// Adds `org`'s tag `tag_id` to the workspaces `ws_ids` (404 for an unknown tag or workspace).
  result<void> tag_workspaces(std::string_view org, std::string_view tag_id, const std::vector<std::string>& ws_ids);
  /// Adds or updates key/value tag bindings of a workspace (at most 10).
  result<workspace> add_workspace_tag_bindings(std::string_view ws_id, const std::vector<tag_binding>& bindings);
  /// A workspace's bindings with its project's: the project's first, its own overriding the same key.
  result<std::vector<effective_tag_binding>> effective_tag_bindings(std::string_view ws_id);
  /// Adds workspaces (of the same organization) that may read `ws_id`'s state.
  result<void> add_remote_state_consumers(std::string_view ws_id, const std::vector<std::string>& ids) {
    return change_remote_state_consumers(ws_id, ids, 1);
  }
  /// Removes remote-state consumers of `ws_id` (ids it does not list are ignored).
  result<void> remove_remote_state_consumers(std::string_view ws_id, const std::vector<std::string>& ids) {
    return change_remote_state_consumers(ws_id, ids, -1);
  }
  /// Replaces the remote-state consumers of `ws_id`.
  result<void> replace_remote_state_consumers(std::string_view ws_id, const std::vector<std::string>& ids) {
    return change_remote_state_consumers(ws_id, ids, 0);
  }
  /// The workspaces that may read `ws_id`'s state, in the order they were added (with project-remote-state,
  /// only those in its project).
  result<page<workspace>> list_remote_state_consumers(std::string_view ws_id, page_request req = {});

  // ---- state versions (engine/state_versions.hpp) ---------------------------------------------

  /// Creates a state version of workspace `ws_id` (docs/http.md#state-versions). The workspace must be
  /// locked (409); `serial` and `md5` are required (422); with `state` (base64) the version is finalized
  /// at once and becomes current, else it waits for its upload. 409 when the serial goes backwards or the
  /// lineage changes, unless `force`.
  result<state_version> create_state_version(std::string_view ws_id, const state_version_options& o);
  /// Uploads the state (or, for a JSON-state token, the JSON state) of a pending version through its
  /// capability `token`: the version is finalized and becomes current (404 for an unknown token).
  result<state_version> upload_state(std::string_view token, std::string bytes);
  /// Reads a state version.
  result<state_version> read_state_version(std::string_view id);
  /// Lists the state versions of workspace `ws_name` of `org`, newest first.
  result<page<state_version>> list_state_versions(std::string_view org, std::string_view ws_name,
                                                  page_request req = {});
  /// The workspace's current state version (404 when it has none).
  result<state_version> current_state_version(std::string_view ws_id);
  /// The raw state (or the JSON state) of a finalized version (404 when there is none).
  result<std::string> download_state(std::string_view sv_id, bool json_state = false);
  /// A state version output by id ("wsout-...").
  result<state_output> read_state_output(std::string_view output_id);

  // ---- runs ------------------------------------------------------------------------------------

  /// Creates a run (pending); it starts when it reaches the head of its workspace's queue.
  result<run> create_run(const run_options& o) {
    if (o.workspace_id.empty())
      return make_error(errc::validation_failed, "Workspace is required", "/data/relationships/workspace");
    // A version from another workspace (promotion) may live in another shard: copy it first.
    std::optional<configuration_version> foreign;
    shard& s = shard_of_workspace(o.workspace_id);
    if (o.configuration_version_id && !o.configuration_version_id->empty()) {
      shard* cs = shard_of_indexed(*o.configuration_version_id);
      if (cs && cs != &s) {
        shard_guard cg(*this, *cs);
        if (const auto* cv = cs->storage.find(of<configuration_version>, *o.configuration_version_id)) foreign = *cv;
      }
    }
    shard_guard sg(*this, s);
    auto created = create_run_locked(s, o, foreign ? &*foreign : nullptr);
    // The response shows the run as created (pending, like TFE's 201); steps due now (queueing,
    // planning with a zero duration) then run at once, so no global poll() is needed for them.
    if (created) drain_locked(s, to_unix_ms(clock_.now()));
    return created;
  }
  /// Reads a run.
  result<run> read_run(std::string_view id) {
    shard* s = shard_of_indexed(id);
    if (!s) return not_found("run", id);
    shard_guard sg(*this, *s);
    const run* r = s->storage.find(of<run>, resource_id(id));
    if (!r) return not_found("run", id);
    return *r;
  }
  /// Lists a workspace's runs newest first; the page costs the same at any total size without filters.
  result<page<run>> list_runs(std::string_view ws_id, const run_list_request& req = {}) {
    if (!is_valid_id_text(ws_id)) return not_found("workspace", ws_id);
    const resource_id wid(ws_id);
    shard& s = shard_of_workspace(wid);
    shard_guard sg(*this, s);
    const workspace* w = s.storage.find(of<workspace>, wid);
    if (!w) return not_found("workspace", ws_id);
    const page_request pr = normalized(req.page);
    page<run> out;
    out.current_page = pr.number;
    out.page_size = pr.size;
    const bool unfiltered = req.statuses.empty() && req.sources.empty() && req.operations.empty() && req.user.empty() &&
                            req.commit.empty() && req.basic.empty();
    const std::size_t skip = (pr.number - 1) * pr.size;
    if (unfiltered && plan_only_count(s, *w) == 0) {
      // O(page): the index is in creation order.
      const std::size_t n = w->runs.size();
      out.total_count = n;
      for (std::size_t i = skip; i < n && out.items.size() < pr.size; ++i)
        if (const run* r = s.storage.find(of<run>, w->runs[n - 1 - i])) out.items.push_back(*r);
      return out;
    }
    // Filtered by status alone: the total comes from the per-status counts, and the walk from the
    // newest run stops once the page is full.
    const bool by_status_only = !req.statuses.empty() && req.sources.empty() && req.operations.empty() &&
                                req.user.empty() && req.commit.empty() && req.basic.empty();
    std::size_t matched = 0;
    for (auto it = w->runs.rbegin(); it != w->runs.rend(); ++it) {
      if (by_status_only && out.items.size() == pr.size) break;
      const run* r = s.storage.find(of<run>, *it);
      if (!r || !matches(*r, req)) continue;
      if (matched >= skip && out.items.size() < pr.size) out.items.push_back(*r);
      ++matched;
    }
    if (by_status_only) {
      matched = 0;
      if (auto c = s.status_counts.find(w->id); c != s.status_counts.end()) {
        std::array<bool, run_status_count> wanted{};
        for (run_status st : req.statuses) wanted[static_cast<std::size_t>(st)] = true;
        for (std::size_t k = 0; k < run_status_count; ++k)
          if (wanted[k]) matched += c->second[k];
      }
    }
    out.total_count = matched;
    return out;
  }
  /// Lists the runs of every workspace of `org` (or of `req.workspace_names`, or of the workspaces on
  /// `req.agent_pool_names`) newest first, with `req`'s filters.
  result<page<run>> list_organization_runs(std::string_view org, const run_list_request& req = {}) {
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      if (!find_org(org)) return not_found("organization", org);
    }
    std::vector<std::string> pool_ids;  // filter[agent_pool_names]: the workspaces on those pools
    if (!req.agent_pool_names.empty()) {
      std::lock_guard<mutex_type> g(global_.mutex);
      for (const auto& n : req.agent_pool_names)
        if (const agent_pool* p = agent_pool_named_locked(org, n)) pool_ids.push_back(p->id.str());
      if (pool_ids.empty()) return paginate(std::vector<const run*>{}, req.page);
    }
    std::vector<run> all;
    for (auto& sp : shards_) {
      shard_guard sg(*this, *sp);
      sp->storage.for_each(of<workspace>, [&](const workspace& w) {
        if (w.organization != org) return;
        if (!req.workspace_names.empty() &&
            std::find(req.workspace_names.begin(), req.workspace_names.end(), w.name) == req.workspace_names.end())
          return;
        if (!req.agent_pool_names.empty() &&
            std::find(pool_ids.begin(), pool_ids.end(), w.agent_pool_id) == pool_ids.end())
          return;
        for (const auto& rid : w.runs)
          if (const run* r = sp->storage.find(of<run>, rid); r && matches(*r, req)) all.push_back(*r);
      });
    }
    std::sort(all.begin(), all.end(), [](const run& a, const run& b) {
      return a.created_at != b.created_at ? a.created_at > b.created_at : b.id < a.id;
    });
    std::vector<const run*> ptrs;
    for (const auto& r : all) ptrs.push_back(&r);
    return paginate(ptrs, req.page);
  }
  /// How many of `org`'s runs wait (pending, or queued for a plan or an apply) and how many run (in a
  /// phase or a check stage): the organization's capacity figures.
  result<std::pair<std::size_t, std::size_t>> organization_run_counts(std::string_view org) {
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      if (!find_org(org)) return not_found("organization", org);
    }
    std::size_t waiting = 0, running = 0;
    const time_point now = clock_.now();
    for (auto& sp : shards_) {
      shard_guard sg(*this, *sp);
      sp->storage.for_each(of<workspace>, [&](const workspace& w) {
        if (w.organization != org) return;
        auto count = [&](const resource_id& rid) {
          const run* r = sp->storage.find(of<run>, rid);
          if (!r || is_final(r->status) || is_paused(r->status, r->context(now))) return;
          if (r->status == run_status::pending || r->status == run_status::plan_queued ||
              r->status == run_status::apply_queued)
            ++waiting;
          else ++running;
        };
        if (!w.active_run.empty()) count(w.active_run);
        for (const auto& q : w.queue) count(q);
      });
    }
    return std::make_pair(waiting, running);
  }
  /// A run's place in its organization's line for a phase slot (1 = next), or 0 when it does not
  /// wait for one (engine_options::organization_concurrency; always 0 without a limit).
  std::size_t queue_position(std::string_view run_id);
  /// Confirms a paused run so it applies (409 when not confirmable).
  result<void> apply_run(std::string_view id, std::string comment = {}) {
    return user_action(id, run_event::apply, std::move(comment));
  }
  /// Discards a pending or paused run (409 when not discardable).
  result<void> discard_run(std::string_view id, std::string comment = {}) {
    return user_action(id, run_event::discard, std::move(comment));
  }
  /// Cancels a run; planning/applying runs stop after the executor's cancel time (409 when not cancelable).
  result<void> cancel_run(std::string_view id, std::string comment = {}) {
    return user_action(id, run_event::cancel, std::move(comment));
  }
  /// Force-cancels a run whose cancel cool-off has elapsed (409 otherwise).
  result<void> force_cancel_run(std::string_view id, std::string comment = {}) {
    return user_action(id, run_event::force_cancel, std::move(comment));
  }
  /// Overrides a soft-mandatory policy failure (409 unless policy_override).
  result<void> override_policy(std::string_view id, std::string comment = {}) {
    return user_action(id, run_event::override_policy, std::move(comment));
  }
  /// Discards every run ahead of pending run `id` and starts it (403 / 409 as TFE).
  result<void> force_execute_run(std::string_view id) {
    shard* sp = shard_of_indexed(id);
    if (!sp) return not_found("run", id);
    shard& s = *sp;
    shard_guard sg(*this, s);
    const run* r = s.storage.find(of<run>, resource_id(id));
    if (!r) return not_found("run", id);
    if (r->status != run_status::pending) return make_error(errc::forbidden, "Run " + r->id.str() + " is not pending");
    if (r->plan_only) return make_error(errc::forbidden, "Plan-only runs are never queued behind other runs");
    const resource_id run_id = r->id;
    const workspace* w = s.storage.find(of<workspace>, r->workspace_id);
    if (!w || w->active_run.empty() || w->active_run == run_id)
      return make_error(errc::forbidden, "Workspace is not locked by another run");
    const run* holder = s.storage.find(of<run>, w->active_run);
    const auto now = clock_.now();
    if (!holder || !can_fire(holder->status, run_event::discard, holder->context(now)))
      return make_error(errc::conflict, "Run " + w->active_run.str() + " holding the workspace cannot be discarded");
    // Runs queued ahead of the target are discarded too.
    std::vector<resource_id> ahead;
    for (const auto& q : w->queue) {
      if (q == run_id) break;
      ahead.push_back(q);
    }
    const resource_id ws_id = w->id;
    const resource_id holder_id = w->active_run;
    (void)s.storage.update(of<workspace>, ws_id, [&](workspace& x) {
      x.queue.erase(std::remove(x.queue.begin(), x.queue.end(), run_id), x.queue.end());
    });
    s.promote_enabled = false;
    for (const auto& a : ahead) (void)fire(s, a, run_event::discard, now);
    (void)fire(s, holder_id, run_event::discard, now);
    s.promote_enabled = true;
    (void)s.storage.update(of<workspace>, ws_id, [&](workspace& x) {
      x.active_run = run_id;
      x.current_run = run_id;
    });
    auto res = fire(s, run_id, run_event::force_execute, now);
    drain_locked(s, to_unix_ms(now));
    return res;
  }

  // ---- plans, applies, logs, comments ----------------------------------------------------------

  /// The run a plan id ("plan-" + the run's suffix) belongs to.
  result<run> read_run_by_plan(std::string_view plan_id) { return read_by_phase(plan_id, "plan-"); }
  /// The run an apply id ("apply-" + the run's suffix) belongs to.
  result<run> read_run_by_apply(std::string_view apply_id) { return read_by_phase(apply_id, "apply-"); }
  /// The plan log of a run so far.
  result<phase_log> plan_log(std::string_view run_id) {
    return visit_run(run_id, [](const run& r) { return render_plan_log(r); });
  }
  /// The apply log of a run so far.
  result<phase_log> apply_log(std::string_view run_id) {
    return visit_run(run_id, [](const run& r) { return render_apply_log(r); });
  }
  /// Adds a comment to a run.
  result<run_comment> create_comment(std::string_view run_id, std::string body) {
    shard* s = shard_of_indexed(run_id);
    if (!s) return not_found("run", run_id);
    shard_guard sg(*this, *s);
    const run* r = s->storage.find(of<run>, resource_id(run_id));
    if (!r) return not_found("run", run_id);
    if (body.empty()) return make_error(errc::validation_failed, "Body can't be blank", "/data/attributes/body");
    return add_comment(*s, r->id, std::move(body), run_event::proceed);
  }
  /// Reads a comment.
  result<run_comment> read_comment(std::string_view id) {
    shard* s = shard_of_indexed(id);
    if (!s) return not_found("comment", id);
    shard_guard sg(*this, *s);
    const run_comment* c = s->storage.find(of<run_comment>, resource_id(id));
    if (!c) return not_found("comment", id);
    return *c;
  }
  /// Lists a run's comments, oldest first.
  result<std::vector<run_comment>> list_comments(std::string_view run_id) {
    shard* s = shard_of_indexed(run_id);
    if (!s) return not_found("run", run_id);
    shard_guard sg(*this, *s);
    const run* r = s->storage.find(of<run>, resource_id(run_id));
    if (!r) return not_found("run", run_id);
    std::vector<run_comment> out;
    auto it = s->comments_by_run.find(r->id);
    if (it != s->comments_by_run.end())
      for (const auto& cid : it->second)
        if (const auto* c = s->storage.find(of<run_comment>, cid)) out.push_back(*c);
    return out;
  }

  // ---- progress --------------------------------------------------------------------------------

  /// Performs every step that is due at the clock's current time; returns how many transitions fired.
  std::size_t poll() {
    const std::int64_t now_ms = to_unix_ms(clock_.now());
    std::size_t n = 0;
    // A step in one shard can make a step due now in another (organization_concurrency hands a slot
    // across shards): passes repeat while one fired something and something is still due.
    for (bool again = true; again;) {
      std::size_t fired = 0;
      for (auto& sp : shards_) {
        if (sp->next_due_ms.load(std::memory_order_acquire) > now_ms) continue;  // nothing due: no lock
        shard_guard sg(*this, *sp);
        fired += drain_locked(*sp, now_ms);
      }
      n += fired;
      again = false;
      if (fired && options_.organization_concurrency)
        for (auto& sp : shards_) again = again || sp->next_due_ms.load(std::memory_order_acquire) <= now_ms;
    }
    return n;
  }
  /// The time of the next scheduled step, if any.
  std::optional<time_point> next_due() {
    std::int64_t best = no_due;
    for (auto& sp : shards_) best = std::min(best, sp->next_due_ms.load(std::memory_order_acquire));
    if (best == no_due) return std::nullopt;
    return from_unix_ms(best);
  }
  /// Runs every scheduled step, moving a manual clock forward to each; returns transitions fired.
  /// With a clock that cannot be set it only performs what is due now (like poll()).
  std::size_t run_until_idle() {
    std::size_t n = poll();
    if constexpr (detail::is_settable_clock<clock_type>::value) {
      for (;;) {
        for (auto& sp : shards_) {  // timers of runs that moved on must not move the clock
          shard_guard sg(*this, *sp);
          purge_stale_locked(*sp);
        }
        auto due = next_due();
        if (!due) break;
        clock_.set(*due);
        if (clock_.now() < *due) break;  // the clock refused to move (e.g. not frozen)
        n += poll();
      }
    }
    return n;
  }

  // ---- observers -------------------------------------------------------------------------------

  /// Calls `fn` after every run status change (outside the engine's locks, in order per workspace).
  subscription_id subscribe(observer fn) {
    std::lock_guard<mutex_type> g(observers_mutex_);
    auto next = std::make_shared<observer_list>(observers_ ? *observers_ : observer_list{});
    next->emplace_back(++next_subscription_, std::move(fn));
    observers_ = std::move(next);
    has_observers_.store(true, std::memory_order_release);
    return next_subscription_;
  }
  /// Stops the subscription `id`.
  void unsubscribe(subscription_id id) {
    std::lock_guard<mutex_type> g(observers_mutex_);
    if (!observers_) return;
    auto next = std::make_shared<observer_list>(*observers_);
    next->erase(std::remove_if(next->begin(), next->end(), [&](auto& p) { return p.first == id; }), next->end());
    has_observers_.store(!next->empty(), std::memory_order_release);
    observers_ = std::move(next);
  }

  // ---- whole state -----------------------------------------------------------------------------

  /// Removes every organization, workspace, run and timer (observers stay). Id generators go on from
  /// where they are: call seed_ids() afterwards for the ids of a fresh, seeded engine.
  result<void> reset() {
    for (auto& sp : shards_) {
      shard_guard sg(*this, *sp);
      sp->timers = {};
      sp->next_due_ms.store(no_due, std::memory_order_release);
      sp->comments_by_run.clear();
      sp->plan_only_counts.clear();
      sp->status_counts.clear();
      sp->behaviours.clear();
      sp->output_owner.clear();
      sp->configs.clear();
      sp->grants_pending.store(false, std::memory_order_release);
      if (auto r = sp->storage.clear(); !r) return r;
    }
    std::lock_guard<mutex_type> g(global_.mutex);
    global_.capacity.clear();
    global_.slot_holders.clear();
    for (auto& grants : global_.grants) grants.clear();
    global_.ws_by_name.clear();
    global_.upload_tokens.clear();
    global_.state_upload_tokens.clear();
    global_.ws_org.clear();
    global_.aliases.clear();
    has_aliases_.store(false, std::memory_order_release);
    next_workspace_shard_.store(0, std::memory_order_relaxed);
    global_.version.fetch_add(1, std::memory_order_acq_rel);
    auto r = global_.storage.clear();
    commit_global();
    return r;
  }

  /// Calls fn(const run&) under the run's shard lock without copying; 404 when unknown.
  template <class F>
  auto visit_run(std::string_view id, F&& fn) -> result<decltype(fn(std::declval<const run&>()))> {
    shard* s = shard_of_indexed(id);
    if (!s) return not_found("run", id);
    shard_guard sg(*this, *s);
    const run* r = s->storage.find(of<run>, resource_id(id));
    if (!r) return not_found("run", id);
    if constexpr (std::is_void_v<decltype(fn(*r))>) {
      fn(*r);
      return {};
    } else {
      return fn(*r);
    }
  }

  /// The current time of the engine's clock.
  time_point now() { return clock_.now(); }

  // ---- durability ------------------------------------------------------------------------------

  /// Calls fn(storage, name) for every storage the engine owns, each under its lock: "global" (the
  /// organizations) and "shard-00", "shard-01", ... (docs/storage.md). Hosts attach journal sinks,
  /// sync and compact through it.
  template <class F>
  void for_each_storage(F&& fn) {
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      fn(global_.storage, std::string_view("global"));
      commit_global();  // like a shard's guard: whatever fn wrote is one transaction
    }
    for (auto& sp : shards_) {
      shard_guard sg(*this, *sp);
      char name[] = "shard-00";
      name[6] = static_cast<char>('0' + sp->index / 10);
      name[7] = static_cast<char>('0' + sp->index % 10);
      fn(sp->storage, std::string_view(name));
    }
  }

  /// Makes every storage's committed writes durable (storage policies with sync(); others: no-op).
  result<void> sync_storage() {
    result<void> out;
    if constexpr (detail::has_sync<storage_type>::value) {
      for_each_storage([&](storage_type& s, std::string_view) {
        if (auto r = s.sync(); !r && out) out = r;
      });
    }
    return out;
  }

  /// Rebuilds the engine from what its storages hold (after a journal replay, or a database behind the
  /// storage policy): the indexes, the queues and the runs' next steps, as restore() does. Entities whose
  /// owner is gone (an operation across shards cut short by a crash) are dropped. Runs that were in the
  /// middle of a phase start that phase again (docs/storage.md#after-a-crash). In engine/state_document.hpp.
  result<void> recover();

  // ---- whole state as a document (engine/state_document.hpp) ----------------------------------

  /// The whole state (organizations, workspaces, configuration versions with their uploaded bytes,
  /// runs, comments, scheduled steps, id generators, the time) as a JSON document restore() takes
  /// (docs/testing.md#snapshots). Executor scripts and observers are not part of it. Arrays are in
  /// creation order, so equal states give byte-identical documents.
  json snapshot();
  /// Replaces the whole state with `doc` (a snapshot() document or a hand-written fixture; see
  /// docs/testing.md#snapshots for the format). The document is checked completely first: on any
  /// error (errc::validation_failed with a JSON pointer) the engine is unchanged. Runs that were
  /// mid-step without a scheduled step get one. Observers are not called; a settable clock moves
  /// forward to the document's "now".
  result<void> restore(const json& doc);

  // ---- test controls (testing/stepping.hpp) ---------------------------------------------------

  /// Moves run `id` along legal transitions until it is in status `to` (docs/testing.md#stepping);
  /// 409 when `to` cannot be reached from where the run is.
  result<run> advance_to(std::string_view id, run_status to);

 private:
  static constexpr std::int64_t no_due = std::numeric_limits<std::int64_t>::max();

  // The state document (engine/state_document.hpp).
  struct restore_plan;
  void collect_entities_locked(json& doc, bool recovering);
  result<void> validate_restore(const json& doc, restore_plan& plan) const;
  result<void> install(restore_plan& plan);

  // A scheduled system event for a run; stale when the run's step moved on.
  struct timer {
    std::int64_t due_ms;
    std::uint64_t seq;
    resource_id run_id;
    std::uint32_t step;
    run_event event;
    bool operator>(const timer& o) const noexcept { return due_ms != o.due_ms ? due_ms > o.due_ms : seq > o.seq; }
  };
  // A min-heap of timers whose items can be read (snapshots, advance_to).
  struct timer_queue : std::priority_queue<timer, std::vector<timer>, std::greater<timer>> {
    const std::vector<timer>& items() const noexcept { return this->c; }
  };
  using observer_list = std::vector<std::pair<subscription_id, observer>>;
  // How the executor wants a run's running phase and policy stage to behave (a scripted soft-failing
  // policy, a cancel that takes time or never completes). Not part of the run: kept beside it from the
  // plan's start to the run's end, and carried by snapshots.
  struct phase_behaviour {
    policy_result policy = policy_result::pass;
    bool slow_cancel = false;
    std::int64_t cancel_duration_ms = 0;
    std::optional<std::vector<state_resource>> resources;  // what the apply leaves in the state
    std::optional<std::vector<state_output>> outputs;
    bool is_default() const noexcept {
      return policy == policy_result::pass && !slow_cancel && cancel_duration_ms == 0 && !resources && !outputs;
    }
  };
  struct org_facts {
    bool exists = false;
    bool cost_estimation = false;
    bool policy_checks = false;
  };

  // One partition of the workspaces, with everything that belongs to them.
  struct shard {
    mutable mutex_type mutex;
    storage_type storage;
    timer_queue timers;
    std::atomic<std::int64_t> next_due_ms{no_due};  // read without the lock by poll()
    std::uint64_t timer_seq = 0;
    std::unordered_map<resource_id, std::vector<resource_id>> comments_by_run;
    std::unordered_map<resource_id, std::size_t> plan_only_counts;
    // workspace -> how many of its runs (plan-only ones aside) are in each status: the total of a page
    // filtered by status without walking the history.
    std::unordered_map<resource_id, std::array<std::uint32_t, run_status_count>> status_counts;
    std::unordered_map<resource_id, phase_behaviour> behaviours;
    std::unordered_map<resource_id, resource_id> output_owner;  // state version output -> its state version
    // configuration version -> its .tf files as scanned by the first plan (null: the archive holds none);
    // engine/planning.hpp. Dropped with the version's archive.
    std::unordered_map<resource_id, std::shared_ptr<const detail::tf_config>> configs;
    std::atomic<bool> grants_pending{false};  // global_.grants[index] holds runs this shard may start
    std::vector<run_status_change> notes;
    bool promote_enabled = true;
    std::uint32_t index = 0;
    id_generator_type ids;                                 // ids and tokens of what lives in this shard
    std::unordered_map<std::string, org_facts> org_cache;  // organization flags, valid for org_cache_version
    std::uint64_t org_cache_version = ~std::uint64_t{0};
  };
  // A run waiting for a phase slot of its organization (engine/capacity.hpp).
  struct capacity_waiter {
    resource_id run;
    std::uint32_t shard = 0;
    run_event start = run_event::plan_start;  // plan_start or apply_start
  };
  struct org_capacity {
    std::size_t running = 0;              // holders of a slot
    std::deque<capacity_waiter> waiting;  // first come first served
  };
  // Organizations, workspace names and upload capabilities (leaf lock).
  struct global_section {
    mutable mutex_type mutex;
    storage_type storage;  // organizations only
    std::unordered_map<std::string, resource_id> ws_by_name;
    std::unordered_map<std::string, resource_id> upload_tokens;
    std::unordered_map<std::string, resource_id> state_upload_tokens;  // state (and "json:" + JSON state) uploads
    std::unordered_map<resource_id, std::string> ws_org;               // workspace id -> organization
    std::unordered_map<resource_id, std::uint32_t> aliases;            // restored ids living off their natural shard
    std::atomic<std::uint64_t> version{0};  // bumped on every organization change (shard caches)
    // organization_concurrency (engine/capacity.hpp): per organization, the runs in a phase and those
    // waiting for one; runs granted a slot for a shard other than the releasing one.
    std::unordered_map<std::string, org_capacity> capacity;
    std::unordered_map<resource_id, std::string> slot_holders;  // run -> its organization
    std::vector<std::vector<capacity_waiter>> grants;           // per shard index
  };
  // Locks a shard; on release delivers the observer notifications it collected, outside the lock.
  class shard_guard {
   public:
    shard_guard(basic_engine& e, shard& s) : e_(e), s_(s), lock_(s.mutex) {}
    ~shard_guard() {
      // One engine operation is one storage transaction (docs/storage.md). A failed commit leaves the
      // storage failed: its next write fails, and sync() reports it.
      if constexpr (detail::has_commit<storage_type>::value) (void)s_.storage.commit();
      if (s_.notes.empty()) return;
      std::vector<run_status_change> notes;
      notes.swap(s_.notes);
      lock_.unlock();
      e_.dispatch(notes);
    }
    shard_guard(const shard_guard&) = delete;
    shard_guard& operator=(const shard_guard&) = delete;

   private:
    basic_engine& e_;
    shard& s_;
    std::unique_lock<mutex_type> lock_;
  };

  // Serializes executor calls unless the executor declares itself thread-safe.
  class executor_lock {
   public:
    explicit executor_lock(basic_engine& e) : e_(e) {
      if constexpr (!detail::is_thread_safe_executor<executor_type>::value) e_.executor_mutex_.lock();
    }
    ~executor_lock() {
      if constexpr (!detail::is_thread_safe_executor<executor_type>::value) e_.executor_mutex_.unlock();
    }
    executor_lock(const executor_lock&) = delete;
    executor_lock& operator=(const executor_lock&) = delete;

   private:
    basic_engine& e_;
  };

  // The changes a run's configuration proposes (engine/planning.hpp).
  std::optional<planned_changes> planned_changes_locked(shard& s, const run& r);
  // State versions (engine/state_versions.hpp).
  result<state_version> finalize_state_locked(shard& s, resource_id sv_id, std::string raw,
                                              const terraform_state* parsed);
  void write_applied_state_locked(shard& s, const run& r, const std::optional<std::vector<state_resource>>& resources,
                                  const std::optional<std::vector<state_output>>& outputs);
  void erase_state_versions_locked(shard& s, const workspace& w);
  void index_outputs_locked(shard& s, const state_version& v);
  std::string new_lineage_locked(shard& s);

  // organization_concurrency (engine/capacity.hpp).
  bool take_slot(shard& s, const run& r, run_event start);
  void leave_capacity(shard& s, const run& r, time_point now);
  void take_grants_locked(shard& s, std::int64_t now_ms);
  void rebuild_capacity_locked();

  // The ids of the projects or agent pools (T) of organization `org`. Requires global_.mutex.
  template <class T>
  std::vector<resource_id> owned_locked(std::string_view org) const {
    std::vector<resource_id> ids;
    global_.storage.for_each(of<T>, [&](const T& x) {
      if (x.organization == org) ids.push_back(x.id);
    });
    return ids;
  }

  // Agent pools and execution modes (engine/agent_pools.hpp).
  const agent_pool* agent_pool_named_locked(std::string_view org, std::string_view name) const;
  result<resource_id> agent_pool_of_locked(std::string_view org, std::string_view id, std::string_view pointer) const;
  result<void> apply_agent_pool_options_locked(agent_pool& p, const agent_pool_options& o) const;
  result<void> resolve_organization_agent_pool_locked(organization& next, const organization_options& o) const;
  result<void> resolve_project_execution_locked(project& p, const project_options& o) const;
  result<void> resolve_workspace_execution_locked(workspace& w, const workspace_options& o, bool creating) const;
  std::pair<execution_mode, resource_id> inherited_execution_locked(std::string_view org,
                                                                    const resource_id& project_id) const;
  static result<void> check_agent_mode(execution_mode mode, const resource_id& pool, std::string_view what,
                                       std::string_view pointer, bool pool_given, resource_id& clear);

  // Projects and tags (engine/projects.hpp, engine/tags.hpp).
  static result<void> check_project_options(const project_options& o, bool creating);
  void inherit_project_auto_destroy_locked(workspace& w, const workspace_options& o) const;
  static void apply_project_options(project& p, const project_options& o);
  const project* project_named_locked(std::string_view org, std::string_view name) const;
  template <class F>
  result<workspace> change_workspace(std::string_view ws_id, F&& change);
  result<void> change_remote_state_consumers(std::string_view ws_id, const std::vector<std::string>& ids, int how);

  void dispatch(const std::vector<run_status_change>& notes) {
    std::shared_ptr<const observer_list> obs;
    {
      std::lock_guard<mutex_type> g(observers_mutex_);
      obs = observers_;
    }
    if (!obs) return;
    for (const auto& n : notes)
      for (const auto& o : *obs) o.second(n);
  }

  static unexpected not_found(std::string_view what, std::string_view id) {
    std::string m(what);
    m += " '";
    m.append(id.data(), std::min<std::size_t>(id.size(), 64));
    m += "' not found";
    return make_error(errc::not_found, std::move(m));
  }
  static std::string name_key(std::string_view org, std::string_view name) {
    std::string k(org);
    k += '/';
    k += name;
    return k;
  }
  static std::string blob_key(const resource_id& cv) { return "cv/" + cv.str(); }

  // ---- routing ---------------------------------------------------------------------------------
  // With more than one shard, the engine writes the shard into the first character of every id's
  // random part (base62 digit = shard index), so any id finds its shard without a lookup table.
  // Plan and apply ids share the run's suffix and so its shard. One shard leaves ids untouched.
  static int base62_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    if (c >= 'a' && c <= 'z') return c - 'a' + 36;
    return -1;
  }
  shard* shard_of_id(std::string_view id, std::string_view prefix) noexcept {
    if (shards_.size() == 1) return shards_.front().get();
    auto suffix = id_suffix(id, prefix);
    if (suffix.empty()) return nullptr;
    const int v = base62_value(suffix.front());
    if (v < 0) return nullptr;
    return shards_[static_cast<std::size_t>(v) % shards_.size()].get();
  }
  shard& shard_of_workspace(const resource_id& ws) noexcept {
    shard* s = shard_of_id(ws.view(), "ws-");
    return s ? *s : *shards_.front();
  }
  // The shard holding a run, configuration version or comment, or nullptr when the id cannot be ours.
  // Restored ids whose first character names another shard than their workspace's are aliased.
  shard* shard_of_indexed(std::string_view id) {
    if (!is_valid_id_text(id)) return nullptr;
    if (has_aliases_.load(std::memory_order_acquire)) {
      std::lock_guard<mutex_type> g(global_.mutex);
      auto it = global_.aliases.find(resource_id(id));
      if (it != global_.aliases.end()) return shards_[it->second].get();
    }
    for (std::string_view p : {"run-", "cv-", "wsc-", "sv-", "wsout-"})
      if (id.substr(0, p.size()) == p) return shard_of_id(id, p);
    return nullptr;
  }
  // A new id of kind `k` routed to shard `s` (locked), from the shard's own generator.
  resource_id next_id_in(id_kind k, shard& s) {
    for (;;) {  // a restored fixture may already use the next id
      resource_id id = routed(s.ids.next(k), k, s);
      const bool taken = k == id_kind::run ? s.storage.find(of<run>, id) != nullptr
                         : k == id_kind::configuration_version
                             ? s.storage.find(of<configuration_version>, id) != nullptr
                         : k == id_kind::comment              ? s.storage.find(of<run_comment>, id) != nullptr
                         : k == id_kind::state_version        ? s.storage.find(of<state_version>, id) != nullptr
                         : k == id_kind::state_version_output ? s.output_owner.count(id) != 0
                                                              : false;
      if (!taken && !is_alias(id)) return id;
    }
  }
  bool is_alias(const resource_id& id) {
    if (!has_aliases_.load(std::memory_order_acquire)) return false;
    std::lock_guard<mutex_type> g(global_.mutex);
    return global_.aliases.count(id) != 0;
  }
  resource_id routed(const resource_id& id, id_kind k, const shard& s) const {
    if (shards_.size() == 1) return id;
    std::string text = id.str();
    const std::size_t pos = id_prefix(k).size();
    if (pos < text.size()) text[pos] = detail::base62[s.index];
    return resource_id(text);
  }
  shard& shard_for_new_workspace() noexcept {
    return *shards_[next_workspace_shard_.fetch_add(1, std::memory_order_relaxed) % shards_.size()];
  }
  std::optional<resource_id> workspace_id_by_name(std::string_view org, std::string_view name) {
    std::lock_guard<mutex_type> g(global_.mutex);
    auto it = global_.ws_by_name.find(name_key(org, name));
    if (it == global_.ws_by_name.end()) return std::nullopt;
    return it->second;
  }
  std::optional<resource_id> upload_target(std::string_view token) {
    std::lock_guard<mutex_type> g(global_.mutex);
    auto it = global_.upload_tokens.find(std::string(token));
    if (it == global_.upload_tokens.end()) return std::nullopt;
    return it->second;
  }
  // Ends a transaction on the global storage (requires global_.mutex).
  void commit_global() {
    if constexpr (detail::has_commit<storage_type>::value) (void)global_.storage.commit();
  }
  resource_id next_id(id_kind k) {
    std::lock_guard<mutex_type> g(ids_mutex_);
    return ids_.next(k);
  }

  // Requires global_.mutex.
  const organization* find_org(std::string_view name) const {
    if (!is_valid_organization_name(name)) return nullptr;
    return global_.storage.find(of<organization>, std::string(name));
  }
  // The organization flags runs copy at creation, cached per shard until an organization changes.
  org_facts organization_facts(shard& s, const std::string& name) {
    const std::uint64_t v = global_.version.load(std::memory_order_acquire);
    if (v != s.org_cache_version) {
      s.org_cache.clear();
      s.org_cache_version = v;
    }
    if (auto it = s.org_cache.find(name); it != s.org_cache.end()) return it->second;
    org_facts f;
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      if (const organization* o = find_org(name)) {
        f.exists = true;
        f.cost_estimation = o->cost_estimation_enabled;
        f.policy_checks = o->policy_checks_enabled;
      }
    }
    s.org_cache.emplace(name, f);
    return f;
  }

  // The copy of a stored workspace the engine hands out: its data and run count, not its indexes.
  static workspace handed_out(const workspace& w) {
    workspace out;
    static_cast<workspace_data&>(out) = w;
    out.run_count = w.runs.size();
    return out;
  }

  template <class T>
  static page<T> paginate(const std::vector<const T*>& all, page_request req) {
    const page_request pr = normalized(req);
    page<T> out;
    out.current_page = pr.number;
    out.page_size = pr.size;
    out.total_count = all.size();
    for (std::size_t i = (pr.number - 1) * pr.size; i < all.size() && out.items.size() < pr.size; ++i)
      out.items.push_back(*all[i]);
    return out;
  }

  result<void> apply_organization_options(organization& org, const organization_options& o) {
    if (o.collaborator_auth_policy) {
      if (*o.collaborator_auth_policy != "password" && *o.collaborator_auth_policy != "two_factor_mandatory")
        return make_error(errc::validation_failed, "Collaborator auth policy must be password or two_factor_mandatory",
                          "/data/attributes/collaborator-auth-policy");
      org.collaborator_auth_policy = *o.collaborator_auth_policy;
    }
    if (o.default_execution_mode) {
      const auto m = execution_mode_from_string(*o.default_execution_mode);
      if (!m)
        return make_error(errc::validation_failed, "Default execution mode must be remote, local or agent",
                          "/data/attributes/default-execution-mode");
      org.default_execution_mode = *m;
    }
    for (const auto* t : {&o.session_timeout, &o.session_remember})
      if (*t && **t && ***t < 0) return make_error(errc::validation_failed, "Session times must not be negative");
    if (o.email) org.email = *o.email;
    if (o.session_timeout) org.session_timeout = *o.session_timeout;
    if (o.session_remember) org.session_remember = *o.session_remember;
    if (o.cost_estimation_enabled) org.cost_estimation_enabled = *o.cost_estimation_enabled;
    if (o.policy_checks_enabled) org.policy_checks_enabled = *o.policy_checks_enabled;
    if (o.owners_team_saml_role_id) org.owners_team_saml_role_id = *o.owners_team_saml_role_id;
    if (o.assessments_enforced) org.assessments_enforced = *o.assessments_enforced;
    if (o.allow_force_delete_workspaces) org.allow_force_delete_workspaces = *o.allow_force_delete_workspaces;
    if (o.stacks_enabled) org.stacks_enabled = *o.stacks_enabled;
    if (o.speculative_plan_management_enabled)
      org.speculative_plan_management_enabled = *o.speculative_plan_management_enabled;
    if (o.send_passing_statuses) org.send_passing_statuses = *o.send_passing_statuses;
    if (o.aggregated_commit_status_enabled) org.aggregated_commit_status_enabled = *o.aggregated_commit_status_enabled;
    return {};
  }

  static result<void> apply_workspace_options(workspace& w, const workspace_options& o) {
    std::optional<execution_mode> mode;
    if (o.execution_mode) {
      mode = execution_mode_from_string(*o.execution_mode);
      if (!mode)
        return make_error(errc::validation_failed, "Execution mode must be remote, local or agent",
                          "/data/attributes/execution-mode");
    }
    if (o.operations) {
      const execution_mode implied = *o.operations ? execution_mode::remote : execution_mode::local;
      if (mode && ((*mode == execution_mode::local) == *o.operations))
        return make_error(errc::validation_failed, "Operations conflicts with execution mode",
                          "/data/attributes/operations");
      if (!mode) mode = implied;
    }
    if (o.terraform_version && !is_valid_terraform_version(*o.terraform_version))
      return make_error(
          errc::validation_failed,
          "Terraform version '" + o.terraform_version->substr(0, 64) + "' is not a version or version constraint",
          "/data/attributes/terraform-version");
    if (o.working_directory && o.working_directory->find("..") != std::string::npos)
      return make_error(errc::validation_failed, "Working directory must not leave the configuration",
                        "/data/attributes/working-directory");
    if (o.tag_names)
      for (const auto& t : *o.tag_names)
        if (!is_valid_tag_name(lowercase(t)))
          return make_error(errc::validation_failed,
                            "Tag '" + t.substr(0, 64) +
                                "' is invalid: use letters, digits, ':', '-' and '_', starting with a letter or digit",
                            "/data/attributes/tag-names");
    if (o.tag_bindings)
      if (auto r = check_tag_bindings(*o.tag_bindings); !r) return r;
    if ((o.project_remote_state.value_or(w.project_remote_state)) &&
        o.global_remote_state.value_or(w.global_remote_state) && (o.project_remote_state || o.global_remote_state))
      return make_error(errc::validation_failed,
                        "Project remote state cannot be enabled when global remote state sharing is enabled",
                        "/data/attributes/project-remote-state");
    if (o.auto_destroy_activity_duration && !o.auto_destroy_activity_duration->empty() &&
        !is_valid_auto_destroy_duration(*o.auto_destroy_activity_duration))
      return make_error(errc::validation_failed,
                        "Auto destroy activity duration has an incorrect format, we expect up to 4 numeric digits and "
                        "1 unit ('d' or 'h')",
                        "/data/attributes/auto-destroy-activity-duration");
    if (o.name) w.name = *o.name;
    if (o.description) w.description = *o.description;
    if (o.auto_apply) w.auto_apply = *o.auto_apply;
    if (o.auto_apply_run_trigger) w.auto_apply_run_trigger = *o.auto_apply_run_trigger;
    if (o.queue_all_runs) w.queue_all_runs = *o.queue_all_runs;
    if (o.speculative_enabled) w.speculative_enabled = *o.speculative_enabled;
    if (o.allow_destroy_plan) w.allow_destroy_plan = *o.allow_destroy_plan;
    if (o.file_triggers_enabled) w.file_triggers_enabled = *o.file_triggers_enabled;
    if (o.global_remote_state) w.global_remote_state = *o.global_remote_state;
    if (o.structured_run_output_enabled) w.structured_run_output_enabled = *o.structured_run_output_enabled;
    if (o.assessments_enabled) w.assessments_enabled = *o.assessments_enabled;
    if (mode) w.execution_mode = *mode;
    if (o.terraform_version) w.terraform_version = *o.terraform_version;
    if (o.working_directory) w.working_directory = *o.working_directory;
    if (o.source_name) w.source_name = *o.source_name;
    if (o.source_url) w.source_url = *o.source_url;
    if (o.agent_pool_id) w.agent_pool_id = *o.agent_pool_id;
    if (o.trigger_prefixes) w.trigger_prefixes = *o.trigger_prefixes;
    if (o.trigger_patterns) w.trigger_patterns = *o.trigger_patterns;
    if (o.tag_names) {
      w.tag_names.clear();
      for (const auto& t : *o.tag_names) {
        std::string n = lowercase(t);
        if (std::find(w.tag_names.begin(), w.tag_names.end(), n) == w.tag_names.end()) w.tag_names.push_back(n);
      }
    }
    if (o.tag_bindings) w.tag_bindings = merged_bindings({}, *o.tag_bindings);
    if (o.project_remote_state) w.project_remote_state = *o.project_remote_state;
    if (o.auto_destroy_at) w.auto_destroy_at = *o.auto_destroy_at;
    if (o.auto_destroy_activity_duration) w.auto_destroy_activity_duration = *o.auto_destroy_activity_duration;
    if (mode) w.overwrites_execution_mode = true;
    if (o.overwrites_execution_mode) w.overwrites_execution_mode = *o.overwrites_execution_mode;
    if (o.overwrites_agent_pool) w.overwrites_agent_pool = *o.overwrites_agent_pool;
    return {};
  }

  static std::string lowercase(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  // "14d", "12h": up to four digits and a unit.
  static bool is_valid_auto_destroy_duration(std::string_view d) noexcept {
    if (d.size() < 2 || d.size() > 5 || (d.back() != 'd' && d.back() != 'h')) return false;
    for (std::size_t i = 0; i + 1 < d.size(); ++i)
      if (d[i] < '0' || d[i] > '9') return false;
    return true;
  }
  // Keys 1-128 characters, unique, at most 10 per resource (TFE's limit).
  static result<void> check_tag_bindings(const std::vector<tag_binding>& bindings) {
    if (bindings.size() > 10)
      return make_error(errc::validation_failed, "Tag bindings cannot exceed 10 bindings per resource",
                        "/data/relationships/tag-bindings");
    for (const auto& b : bindings)
      if (b.key.empty() || b.key.size() > 128 || b.value.size() > 256)
        return make_error(errc::validation_failed, "Tag binding keys are 1-128 characters, values at most 256",
                          "/data/relationships/tag-bindings");
    return {};
  }
  // `base` with `changes` applied: a key given again takes its new value, new keys come last.
  static std::vector<tag_binding> merged_bindings(std::vector<tag_binding> base,
                                                  const std::vector<tag_binding>& changes) {
    for (const auto& c : changes) {
      auto it = std::find_if(base.begin(), base.end(), [&](const tag_binding& b) { return b.key == c.key; });
      if (it != base.end()) it->value = c.value;
      else base.push_back(c);
    }
    return base;
  }
  // The project a workspace of `org` goes to: `id` when given (404 unless a project of `org`), else the
  // organization's default project. Requires global_.mutex.
  result<resource_id> project_of_locked(std::string_view org, const std::optional<std::string>& id) {
    const organization* o = find_org(org);
    if (!o) return not_found("organization", org);
    if (!id || id->empty()) return o->default_project_id;
    if (!is_valid_id_text(*id)) return not_found("project", *id);
    const project* p = global_.storage.find(of<project>, resource_id(*id));
    if (!p || p->organization != org) return not_found("project", *id);
    return p->id;
  }

  result<workspace> unlock_impl(std::string_view id) {
    if (!is_valid_id_text(id)) return not_found("workspace", id);
    const resource_id wid(id);
    shard& s = shard_of_workspace(wid);
    shard_guard sg(*this, s);
    const workspace* w = s.storage.find(of<workspace>, wid);
    if (!w) return not_found("workspace", id);
    if (!w->active_run.empty() && !w->manually_locked)
      return make_error(errc::conflict, "Workspace is locked by Run " + w->active_run.str());
    if (!w->manually_locked) return make_error(errc::conflict, "Workspace is not locked");
    // One admin user acts for every token, so unlock and force-unlock behave alike.
    if (auto r = s.storage.update(of<workspace>, wid,
                                  [&](workspace& x) {
                                    x.manually_locked = false;
                                    x.locked_reason.clear();
                                    x.locked_by_user = resource_id();
                                  });
        !r)
      return r.error();
    const auto now = clock_.now();
    promote_next(s, wid, now);
    drain_locked(s, to_unix_ms(now));
    return handed_out(*s.storage.find(of<workspace>, wid));
  }

  result<void> erase_workspace_locked(shard& s, const resource_id& ws_id) {
    const workspace* w = s.storage.find(of<workspace>, ws_id);
    if (!w) return {};
    const std::string key = name_key(w->organization, w->name);
    std::vector<resource_id> runs = w->runs;
    std::vector<resource_id> cvs = w->configuration_versions;
    std::vector<resource_id> comment_ids;
    for (const auto& r : runs) {
      if (auto it = s.comments_by_run.find(r); it != s.comments_by_run.end()) {
        for (const auto& c : it->second) {
          (void)s.storage.erase(of<run_comment>, c);
          comment_ids.push_back(c);
        }
        s.comments_by_run.erase(it);
      }
      if constexpr (detail::has_forget<executor_type>::value) {
        executor_lock g(*this);
        executor_.forget(r);
      }
      s.behaviours.erase(r);
      if (options_.organization_concurrency)  // its slot or its place in line goes to the next
        if (const run* x = s.storage.find(of<run>, r)) leave_capacity(s, *x, clock_.now());
      (void)s.storage.erase(of<run>, r);
    }
    for (const auto& c : cvs) {
      if (const auto* cv = s.storage.find(of<configuration_version>, c); cv && !cv->upload_token.empty()) {
        std::lock_guard<mutex_type> g(global_.mutex);
        global_.upload_tokens.erase(cv->upload_token);
      }
      (void)s.storage.erase_blob(blob_key(c));
      s.configs.erase(c);
      (void)s.storage.erase(of<configuration_version>, c);
    }
    if (const workspace* cur = s.storage.find(of<workspace>, ws_id)) erase_state_versions_locked(s, *cur);
    s.plan_only_counts.erase(ws_id);
    s.status_counts.erase(ws_id);
    {
      std::lock_guard<mutex_type> g(global_.mutex);
      auto it = global_.ws_by_name.find(key);
      if (it != global_.ws_by_name.end() && it->second == ws_id) global_.ws_by_name.erase(it);
      global_.ws_org.erase(ws_id);
      if (!global_.aliases.empty()) {
        for (const auto& r : runs) global_.aliases.erase(r);
        for (const auto& c : cvs) global_.aliases.erase(c);
        for (const auto& c : comment_ids) global_.aliases.erase(c);
        has_aliases_.store(!global_.aliases.empty(), std::memory_order_release);
      }
    }
    return s.storage.erase(of<workspace>, ws_id);
  }

  static phase_behaviour behaviour_of(const shard& s, const resource_id& run_id) {
    if (s.behaviours.empty()) return phase_behaviour{};
    auto it = s.behaviours.find(run_id);
    return it == s.behaviours.end() ? phase_behaviour{} : it->second;
  }
  static void set_behaviour(shard& s, const resource_id& run_id, const phase_behaviour& b) {
    if (!b.is_default()) s.behaviours[run_id] = b;
    else if (!s.behaviours.empty()) s.behaviours.erase(run_id);
  }

  static std::size_t plan_only_count(const shard& s, const workspace& w) {
    auto it = s.plan_only_counts.find(w.id);
    return it == s.plan_only_counts.end() ? 0 : it->second;
  }

  // The name, tag, binding and project filters of a workspace list.
  static bool workspace_matches(const workspace& w, const workspace_list_request& req) {
    if (!req.search.empty() && w.name.find(req.search) == std::string::npos) return false;
    if (!req.wildcard.empty() && !wildcard_match(req.wildcard, w.name)) return false;
    if (!req.project_id.empty() && w.project_id.view() != req.project_id) return false;
    auto has_tag = [&](const std::string& t) {
      return std::find(w.tag_names.begin(), w.tag_names.end(), lowercase(t)) != w.tag_names.end();
    };
    for (const auto& t : req.tags)
      if (!has_tag(t)) return false;
    for (const auto& t : req.exclude_tags)
      if (has_tag(t)) return false;
    for (const auto& b : req.tagged) {
      auto it = std::find_if(w.tag_bindings.begin(), w.tag_bindings.end(),
                             [&](const tag_binding& x) { return x.key == b.key; });
      if (it == w.tag_bindings.end() || (!b.value.empty() && it->value != b.value)) return false;
    }
    return true;
  }
  // '*' matches any run of characters (case-insensitive, as TFE's wildcard search).
  static bool wildcard_match(std::string_view pattern, std::string_view text) {
    const std::string p = lowercase(pattern), t = lowercase(text);
    std::size_t pi = 0, ti = 0, star = std::string::npos, mark = 0;
    while (ti < t.size()) {
      if (pi < p.size() && p[pi] == '*') {
        star = pi++;
        mark = ti;
      } else if (pi < p.size() && p[pi] == t[ti]) {
        ++pi;
        ++ti;
      } else if (star != std::string::npos) {
        pi = star + 1;
        ti = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
  }

  bool matches(const run& r, const run_list_request& req) const {
    if (!req.statuses.empty() && std::find(req.statuses.begin(), req.statuses.end(), r.status) == req.statuses.end())
      return false;
    if (!req.commit.empty()) return false;  // tfe's runs carry no commit
    if (!req.user.empty() && req.user != options_.username) return false;
    if (!req.basic.empty() && r.id.view().find(req.basic) == std::string_view::npos &&
        r.message.find(req.basic) == std::string::npos && options_.username.find(req.basic) == std::string::npos)
      return false;
    if (!req.sources.empty() &&
        std::find(req.sources.begin(), req.sources.end(), to_string(r.source)) == req.sources.end())
      return false;
    if (req.operations.empty()) return !r.plan_only;
    return std::find(req.operations.begin(), req.operations.end(), r.operation()) != req.operations.end();
  }

  // Creates a run in shard `s` (locked). `foreign_cv` is a copy of a version living in another shard.
  result<run> create_run_locked(shard& s, const run_options& o, const configuration_version* foreign_cv) {
    const workspace* w = s.storage.find(of<workspace>, o.workspace_id);
    if (!w) return not_found("workspace", o.workspace_id);
    if (w->execution_mode == execution_mode::local)
      return make_error(errc::validation_failed, "Workspace uses local execution: runs happen on the client",
                        "/data/relationships/workspace");
    const bool destroy = o.is_destroy.value_or(false);
    const bool refresh_only = o.refresh_only.value_or(false);
    if (destroy && refresh_only)
      return make_error(errc::validation_failed, "is-destroy and refresh-only cannot both be true",
                        "/data/attributes/refresh-only");
    if (destroy && !w->allow_destroy_plan)
      return make_error(errc::validation_failed, "Destroy plans are not allowed on this workspace",
                        "/data/attributes/is-destroy");
    // Configuration version: explicit (any workspace of the organization: promotion) or the current one.
    configuration_version cv;
    if (o.configuration_version_id && !o.configuration_version_id->empty()) {
      const configuration_version* found = s.storage.find(of<configuration_version>, *o.configuration_version_id);
      if (!found && foreign_cv && foreign_cv->id == *o.configuration_version_id) found = foreign_cv;
      if (!found) return not_found("configuration version", *o.configuration_version_id);
      const workspace* owner = s.storage.find(of<workspace>, found->workspace_id);
      // A version from another shard was checked for its organization below via the owner's name key.
      if (owner && owner->organization != w->organization)
        return not_found("configuration version", *o.configuration_version_id);
      if (!owner && !same_organization(found->workspace_id, w->organization))
        return not_found("configuration version", *o.configuration_version_id);
      if (found->status != configuration_status::uploaded)
        return make_error(errc::validation_failed,
                          "Configuration version " + found->id.str() + " is " + std::string(to_string(found->status)) +
                              ", not uploaded",
                          "/data/relationships/configuration-version");
      if (found->backing != backing_data::present)
        return make_error(errc::validation_failed,
                          "Configuration version " + found->id.str() + " has its backing data deleted",
                          "/data/relationships/configuration-version");
      cv = *found;
    } else {
      if (w->current_configuration_version.empty())
        return make_error(errc::validation_failed, "Workspace has no uploaded configuration version to run",
                          "/data/relationships/configuration-version");
      const configuration_version* cur = s.storage.find(of<configuration_version>, w->current_configuration_version);
      if (!cur)
        return make_error(errc::validation_failed, "Workspace has no uploaded configuration version to run",
                          "/data/relationships/configuration-version");
      cv = *cur;
    }
    const bool plan_only = o.plan_only.value_or(cv.speculative);
    if (o.terraform_version && !plan_only)
      return make_error(errc::validation_failed, "terraform-version can only be set on plan-only runs",
                        "/data/attributes/terraform-version");
    if (o.terraform_version && !is_valid_terraform_version(*o.terraform_version))
      return make_error(errc::validation_failed, "terraform-version is not a version",
                        "/data/attributes/terraform-version");
    const org_facts org = organization_facts(s, w->organization);
    const auto now = clock_.now();
    run r;
    r.id = next_id_in(id_kind::run, s);
    r.workspace_id = w->id;
    r.configuration_version_id = cv.id;
    r.created_by = user_;
    r.source = o.source;
    r.message = o.message.value_or("Queued manually via the Terraform Enterprise API");
    r.terraform_version = o.terraform_version.value_or(w->terraform_version);
    r.created_at = r.updated_at = now;
    r.is_destroy = destroy;
    r.refresh = o.refresh.value_or(true);
    r.refresh_only = refresh_only;
    r.plan_only = plan_only;
    r.auto_apply = o.auto_apply.value_or(w->auto_apply);
    r.allow_empty_apply = o.allow_empty_apply.value_or(false);
    r.allow_config_generation = o.allow_config_generation.value_or(false);
    r.save_plan = o.save_plan.value_or(false);
    r.debugging_mode = o.debugging_mode.value_or(false);
    if (o.target_addrs) r.target_addrs = *o.target_addrs;
    if (o.replace_addrs) r.replace_addrs = *o.replace_addrs;
    if (o.variables) r.variables = *o.variables;
    if (o.invoke_action_addrs) r.invoke_action_addrs = *o.invoke_action_addrs;
    if (o.policy_paths) r.policy_paths = *o.policy_paths;
    r.input_state_version = w->current_state_version;
    r.cost_estimation = org.cost_estimation && r.target_addrs.empty();
    r.policy_checks = org.policy_checks;
    r.status_ms[static_cast<std::size_t>(run_status::pending)] = to_unix_ms(now);
    const resource_id run_id = r.id;
    const resource_id ws_id = w->id;
    const resource_id cv_id = cv.id;
    const bool start_now = plan_only || (w->active_run.empty() && w->queue.empty() && !w->manually_locked);
    // promotion: a version from another workspace becomes this workspace's latest once used here
    const bool promote_cv = !cv.provisional && !cv.speculative && cv.workspace_id != ws_id;
    const std::uint32_t first_step = r.step;
    r.revision = next_revision();
    if (auto ins = s.storage.insert(std::move(r)); !ins) return ins.error();
    (void)s.storage.update(of<workspace>, ws_id, [&](workspace& x) {
      x.runs.push_back(run_id);
      if (promote_cv) x.current_configuration_version = cv_id;
      if (plan_only) return;
      if (start_now) {
        x.active_run = run_id;
        x.current_run = run_id;
      } else {
        if (x.active_run.empty() && x.queue.empty()) x.current_run = run_id;  // blocked only by a manual lock
        x.queue.push_back(run_id);
      }
    });
    if (plan_only) ++s.plan_only_counts[ws_id];
    else ++s.status_counts[ws_id][static_cast<std::size_t>(run_status::pending)];
    if (start_now) schedule(s, run_id, first_step, run_event::queue, now);
    return *s.storage.find(of<run>, run_id);
  }

  bool same_organization(const resource_id& ws_id, const std::string& org) {
    // The owner workspace lives in another shard; the global section knows its organization.
    std::lock_guard<mutex_type> g(global_.mutex);
    auto it = global_.ws_org.find(ws_id);
    if (it != global_.ws_org.end()) return it->second == org;
    return false;
  }

  result<void> user_action(std::string_view id, run_event e, std::string comment) {
    shard* sp = shard_of_indexed(id);
    if (!sp) return not_found("run", id);
    shard& s = *sp;
    shard_guard sg(*this, s);
    const run* r = s.storage.find(of<run>, resource_id(id));
    if (!r) return not_found("run", id);
    const auto now = clock_.now();
    const resource_id run_id = r->id;
    auto res = fire(s, *r, e, now);
    if (!res) return res;
    if (!comment.empty()) (void)add_comment(s, run_id, std::move(comment), e);
    drain_locked(s, to_unix_ms(now));
    return {};
  }

  result<run_comment> add_comment(shard& s, const resource_id& run_id, std::string body, run_event action) {
    run_comment c;
    c.id = next_id_in(id_kind::comment, s);
    c.run_id = run_id;
    c.body = std::move(body);
    c.action = action;
    c.created_at = clock_.now();
    if (auto r = s.storage.insert(run_comment(c)); !r) return r.error();
    s.comments_by_run[run_id].push_back(c.id);
    (void)s.storage.update(of<run>, run_id, [&](run& x) {
      ++x.comment_count;
      x.revision = next_revision();
    });
    return c;
  }

  result<run> read_by_phase(std::string_view phase_id, std::string_view prefix) {
    auto suffix = id_suffix(phase_id, prefix);
    const char* what = prefix == "plan-" ? "plan" : "apply";
    if (suffix.empty() || !is_valid_id_text(phase_id)) return not_found(what, phase_id);
    std::string rid = "run-";
    rid += suffix;
    auto r = read_run(rid);
    if (!r) return not_found(what, phase_id);
    return r;
  }

  void schedule(shard& s, const resource_id& run_id, std::uint32_t step, run_event e, time_point due) {
    const std::int64_t ms = to_unix_ms(due);
    s.timers.push(timer{ms, ++s.timer_seq, run_id, step, e});
    if (ms < s.next_due_ms.load(std::memory_order_relaxed)) s.next_due_ms.store(ms, std::memory_order_release);
  }

  // Fires `e` on run `id` at `now`: table lookup, state change, then side effects.
  result<void> fire(shard& s, const resource_id& id, run_event e, time_point now) {
    const run* r = s.storage.find(of<run>, id);
    if (!r) return not_found("run", id);
    return fire(s, *r, e, now);
  }
  result<void> fire(shard& s, const run& cur, run_event e, time_point now) {
    const transition* t = find_transition(cur.status, e, cur.context(now));
    if (!t) {
      std::string m = "Run " + cur.id.str() + " is " + std::string(to_string(cur.status)) + ": " +
                      std::string(to_string(e)) + " is not allowed";
      return make_error(errc::conflict, std::move(m));
    }
    if (options_.organization_concurrency && (e == run_event::plan_start || e == run_event::apply_start) &&
        !take_slot(s, cur, e))
      return make_error(errc::conflict, "Run " + cur.id.str() + " waits for its organization's capacity");
    const resource_id id = cur.id;
    const run_status from = cur.status;
    const run_status to = t->to;
    const std::int64_t now_ms = to_unix_ms(now);
    const run* after = nullptr;
    auto upd = s.storage.update(of<run>, id, [&](run& x) {
      x.revision = next_revision();
      x.updated_at = now;
      if (e == run_event::cancel) {
        x.force_cancel_available_at_ms = now_ms + options_.cancel_cooloff.count();
        x.canceled_by = user_;
      } else if (e == run_event::force_cancel) {
        x.canceled_by = user_;
      } else if (e == run_event::apply) {
        x.confirmed_by = user_;
      }
      ++x.step;
      if (to == from) {  // a cancel request while a phase runs
        x.cancel_requested = true;
        return;
      }
      if (is_final(to)) x.before_final = from;
      x.status = to;
      x.status_ms[static_cast<std::size_t>(to)] = now_ms;
      x.cancel_requested = false;
    });
    if (!upd) return upd;
    after = s.storage.find(of<run>, id);  // the stored run (update's fn may have worked on a copy)
    if (to != from && !after->plan_only) {
      auto& counts = s.status_counts[after->workspace_id];
      --counts[static_cast<std::size_t>(from)];
      ++counts[static_cast<std::size_t>(to)];
    }
    if (has_observers_.load(std::memory_order_acquire))
      s.notes.push_back(run_status_change{id, after->workspace_id, from, to, e, now});
    on_enter(s, *after, from, to, e, now);
    return {};
  }

  // Side effects of entering a status: schedule the next system step, release the workspace.
  // `r` is the run after the change (valid until the next storage write).
  void on_enter(shard& s, const run& r, run_status from, run_status to, run_event e, time_point now) {
    const resource_id& id = r.id;
    const std::uint32_t step = r.step;
    if (to == from) {  // cancel requested while planning/applying
      const phase_behaviour b = behaviour_of(s, id);
      if (!b.slow_cancel) schedule(s, id, step, run_event::cancel_completed, now + milliseconds(b.cancel_duration_ms));
      return;
    }
    if (options_.organization_concurrency && to != run_status::planning && to != run_status::applying &&
        (from == run_status::plan_queued || from == run_status::apply_queued || from == run_status::planning ||
         from == run_status::applying))
      leave_capacity(s, r, now);
    switch (to) {
      case run_status::pending:
        break;
      case run_status::plan_queued:
        schedule(s, id, step, run_event::plan_start, now);
        break;
      case run_status::planning:
        start_plan(s, r, now);
        break;
      case run_status::planned:
      case run_status::cost_estimated:
      case run_status::policy_checked:
      case run_status::confirmed:
        if (can_fire(to, run_event::proceed, r.context(now))) schedule(s, id, step, run_event::proceed, now);
        break;
      case run_status::cost_estimating:
        schedule(s, id, step, run_event::estimate_done, now);
        break;
      case run_status::policy_checking: {
        run_event next = run_event::policy_passed;
        const policy_result outcome = behaviour_of(s, id).policy;
        if (outcome == policy_result::soft_fail) next = run_event::policy_soft_failed;
        if (outcome == policy_result::hard_fail) next = run_event::policy_hard_failed;
        schedule(s, id, step, next, now);
        break;
      }
      case run_status::policy_override:
        break;
      case run_status::apply_queued:
        schedule(s, id, step, run_event::apply_start, now);
        break;
      case run_status::applying:
        start_apply(s, r, now);
        break;
      case run_status::applied:
      case run_status::planned_and_finished:
      case run_status::policy_soft_failed:
      case run_status::discarded:
      case run_status::errored:
      case run_status::canceled:
      case run_status::force_canceled:
        finish(s, r, to, e, now);
        break;
    }
  }

  void start_plan(shard& s, const run& cur, time_point now) {
    const resource_id id = cur.id;
    const workspace* w = s.storage.find(of<workspace>, cur.workspace_id);
    phase_outcome o;
    std::optional<policy_result> policy;
    std::optional<double> cost;
    const std::optional<planned_changes> changes = planned_changes_locked(s, cur);
    {
      executor_lock g(*this);
      if constexpr (detail::has_plan_with_changes<executor_type>::value)
        o = executor_.plan(cur, *w, changes ? &*changes : nullptr);
      else o = executor_.plan(cur, *w);
      if constexpr (detail::has_checks<executor_type>::value) {
        run_script sc = executor_.checks(cur, *w);
        policy = sc.policy;
        cost = sc.cost_delta;
      }
    }
    std::uint32_t step = 0;
    (void)s.storage.update(of<run>, id, [&](run& x) {
      x.revision = next_revision();
      step = x.step;
      x.plan_counts = o.counts.value_or(resource_counts{});
      x.has_changes = !o.errored && x.plan_counts.any();
      x.plan_errored = o.errored;
      if (o.errored) x.error_text = o.error_message.empty() ? "Error: terraform plan failed" : o.error_message;
      x.plan_log = std::move(o.log);
      x.planned = changes ? encode_planned_changes(*changes) : std::string();
      x.structured_log = w->structured_run_output_enabled;
      if (policy) x.policy_checks = true;
      if (cost) {
        x.cost_estimation = true;
        x.cost_delta_monthly = *cost;
      }
    });
    set_behaviour(s, id, {policy.value_or(policy_result::pass), o.slow_cancel, o.cancel_duration.count(), {}, {}});
    schedule(s, id, step, o.errored ? run_event::plan_failed : run_event::plan_succeeded, now + o.duration);
  }

  void start_apply(shard& s, const run& cur, time_point now) {
    const resource_id id = cur.id;
    const workspace* w = s.storage.find(of<workspace>, cur.workspace_id);
    phase_outcome o;
    {
      executor_lock g(*this);
      o = executor_.apply(cur, *w);
    }
    std::uint32_t step = 0;
    (void)s.storage.update(of<run>, id, [&](run& x) {
      x.revision = next_revision();
      step = x.step;
      x.apply_counts = o.counts.value_or(x.plan_counts);
      x.apply_errored = o.errored;
      if (o.errored) x.error_text = o.error_message.empty() ? "Error: terraform apply failed" : o.error_message;
      x.apply_log = std::move(o.log);
    });
    set_behaviour(s, id,
                  {behaviour_of(s, id).policy, o.slow_cancel, o.cancel_duration.count(), std::move(o.resources),
                   std::move(o.outputs)});
    schedule(s, id, step, o.errored ? run_event::apply_failed : run_event::apply_succeeded, now + o.duration);
  }

  // A run reached a final status: leave the queue, release the workspace, hand it on.
  void finish(shard& s, const run& r, run_status to, run_event, time_point now) {
    const resource_id id = r.id;
    const resource_id ws_id = r.workspace_id;
    const resource_id cv_id = r.configuration_version_id;
    if (to == run_status::applied) {  // the new state version (and with it the workspace's resource count)
      const run applied = r;
      const phase_behaviour b = behaviour_of(s, id);
      write_applied_state_locked(s, applied, b.resources, b.outputs);
    }
    if (!s.behaviours.empty()) s.behaviours.erase(id);
    bool released = false;
    (void)s.storage.update(of<workspace>, ws_id, [&](workspace& x) {
      if (x.active_run == id) {
        x.active_run = resource_id();
        released = true;
      } else {
        auto it = std::find(x.queue.begin(), x.queue.end(), id);
        if (it != x.queue.end()) x.queue.erase(it);
      }
    });
    if (to == run_status::applied) {
      const configuration_version* cv = s.storage.find(of<configuration_version>, cv_id);
      if (cv && cv->provisional) {
        const time_point created = cv->created_at;
        (void)s.storage.update(of<workspace>, ws_id, [&](workspace& x) {
          // a provisional version becomes current unless a newer one arrived meanwhile
          const configuration_version* cur = s.storage.find(of<configuration_version>, x.current_configuration_version);
          if (!cur || cur->created_at <= created) x.current_configuration_version = cv_id;
        });
      }
    }
    if constexpr (detail::has_forget<executor_type>::value) {
      executor_lock g(*this);
      executor_.forget(id);
    }
    if (released && s.promote_enabled) promote_next(s, ws_id, now);
  }

  // Gives a free workspace to the oldest pending run (current even while a manual lock blocks it).
  void promote_next(shard& s, const resource_id& ws_id, time_point now) {
    const workspace* w = s.storage.find(of<workspace>, ws_id);
    if (!w || !w->active_run.empty() || w->queue.empty()) return;
    const resource_id next = w->queue.front();
    const bool start = !w->manually_locked;
    (void)s.storage.update(of<workspace>, ws_id, [&](workspace& x) {
      x.current_run = next;
      if (start) {
        x.queue.pop_front();
        x.active_run = next;
      }
    });
    if (start)
      if (const run* r = s.storage.find(of<run>, next)) schedule(s, next, r->step, run_event::queue, now);
  }

  // Drops timers at the top of the heap whose run moved on or is gone.
  void purge_stale_locked(shard& s) {
    while (!s.timers.empty()) {
      const timer& t = s.timers.top();
      const run* r = s.storage.find(of<run>, t.run_id);
      if (r && r->step == t.step) break;
      s.timers.pop();
    }
    s.next_due_ms.store(s.timers.empty() ? no_due : s.timers.top().due_ms, std::memory_order_release);
  }

  // Fires every timer of shard `s` due at `now_ms` (steps may schedule more due steps).
  std::size_t drain_locked(shard& s, std::int64_t now_ms) {
    std::size_t fired = 0;
    if (s.grants_pending.load(std::memory_order_acquire)) take_grants_locked(s, now_ms);
    while (!s.timers.empty() && s.timers.top().due_ms <= now_ms) {
      timer t = s.timers.top();
      s.timers.pop();
      const run* r = s.storage.find(of<run>, t.run_id);
      if (!r || r->step != t.step) continue;  // deleted or moved on: stale
      if (fire(s, *r, t.event, from_unix_ms(t.due_ms))) ++fired;
    }
    s.next_due_ms.store(s.timers.empty() ? no_due : s.timers.top().due_ms, std::memory_order_release);
    return fired;
  }

  engine_options options_;
  resource_id user_;
  clock_type clock_;
  mutable mutex_type ids_mutex_;
  id_generator_type ids_;
  mutable mutex_type executor_mutex_;
  executor_type executor_;
  global_section global_;
  std::vector<std::unique_ptr<shard>> shards_;
  std::atomic<std::size_t> next_workspace_shard_{0};
  mutable mutex_type observers_mutex_;
  std::shared_ptr<const observer_list> observers_;
  std::atomic<bool> has_observers_{false};
  std::atomic<std::uint64_t> run_revisions_{0};  // the last run::revision stamped (never reset)
  // A run::revision no stored run of this engine has had.
  std::uint64_t next_revision() noexcept { return run_revisions_.fetch_add(1, std::memory_order_relaxed) + 1; }
  std::atomic<bool> has_aliases_{false};
  subscription_id next_subscription_ = 0;
};

/// The engine with the default policies: in-memory, system clock, random ids, simulated executor, std::mutex.
using engine = basic_engine<default_policies>;

}  // namespace tfe

// The rooms that define the declared members above.
#include <tfe/engine/agent_pools.hpp>
#include <tfe/engine/backing_data.hpp>
#include <tfe/engine/capacity.hpp>
#include <tfe/engine/planning.hpp>
#include <tfe/engine/projects.hpp>
#include <tfe/engine/state_document.hpp>
#include <tfe/engine/state_versions.hpp>
#include <tfe/engine/tags.hpp>
#include <tfe/testing/stepping.hpp>

#endif  // TFE_ENGINE_ENGINE_HPP
