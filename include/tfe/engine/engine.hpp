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
#include <tfe/model/run.hpp>
#include <tfe/model/time.hpp>
#include <tfe/model/workspace.hpp>
#include <tfe/result.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tfe {

/// Filters of a run list (GET /workspaces/:id/runs).
struct run_list_request {
  page_request page;                       ///< which page
  std::vector<run_status> statuses;        ///< filter[status]; empty = all
  std::vector<std::string> operations;     ///< filter[operation]; empty = all but plan_only
  std::vector<std::string> sources;        ///< filter[source]; empty = all
};

/// The text of a plan or apply log and whether the phase is over.
struct phase_log {
  std::string text;       ///< the log (no STX/ETX framing)
  bool complete = false;  ///< the phase reached a final status: no more text will come
};

/// Opaque handle of an observer subscription.
using subscription_id = std::uint64_t;

/// The run engine: every TFE Runs operation as a C++ call, over a policy set (docs/engine.md).
/// Policies must satisfy is_policy_set (checked by static_asserts naming what is missing).
template <class Policies>
class basic_engine {
  static_assert(detail::policy_set_checks<Policies>::value, "see the static_assert messages above");

 public:
  using policies = Policies;                                           ///< the policy set
  using storage_type = typename Policies::storage_type;                ///< storage policy
  using clock_type = typename Policies::clock_type;                    ///< clock policy
  using id_generator_type = typename Policies::id_generator_type;      ///< id policy
  using executor_type = typename Policies::executor_type;              ///< executor policy
  using mutex_type = typename Policies::mutex_type;                    ///< mutex policy
  using observer = std::function<void(const run_status_change&)>;      ///< observer callback

  /// An engine with the given settings.
  explicit basic_engine(engine_options options = {}) : options_(std::move(options)) {}
  basic_engine(const basic_engine&) = delete;
  basic_engine& operator=(const basic_engine&) = delete;

  // ---- policies --------------------------------------------------------------------------------

  /// The clock (e.g. manual_clock::advance()).
  clock_type& clock() noexcept { return clock_; }
  /// The id generator (e.g. random_ids::seed()).
  id_generator_type& ids() noexcept { return ids_; }
  /// The executor; lock() first when other threads use the engine.
  executor_type& executor() noexcept { return executor_; }
  /// The storage; lock() first when other threads use the engine.
  storage_type& storage() noexcept { return storage_; }
  /// The settings.
  const engine_options& options() const noexcept { return options_; }
  /// Locks the engine for direct access to executor() or storage() from a multi-threaded host.
  std::unique_lock<mutex_type> lock() { return std::unique_lock<mutex_type>(mutex_); }

  // ---- organizations ---------------------------------------------------------------------------

  /// Creates an organization (name and email required; 422 on invalid or duplicate name).
  result<organization> create_organization(const organization_options& o) {
    auto g = lock_call();
    if (!o.name || !is_valid_organization_name(*o.name))
      return make_error(errc::validation_failed, "Name is invalid: use 1-40 letters, digits, '-' or '_'",
                        "/data/attributes/name");
    if (storage_.find(of<organization>, *o.name))
      return make_error(errc::validation_failed, "Name has already been taken", "/data/attributes/name");
    if (!o.email || o.email->empty() || o.email->find('@') == std::string::npos)
      return make_error(errc::validation_failed, "Email is invalid", "/data/attributes/email");
    organization org;
    org.name = *o.name;
    org.external_id = ids_.next(id_kind::organization);
    org.created_at = clock_.now();
    org.cost_estimation_enabled = options_.cost_estimation_default;
    if (auto e = apply_organization_options(org, o); !e) return e.error();
    if (auto w = storage_.insert(organization(org)); !w) return w.error();
    return org;
  }
  /// Reads an organization by name.
  result<organization> read_organization(std::string_view name) {
    auto g = lock_call();
    const organization* o = find_org(name);
    if (!o) return not_found("organization", name);
    return *o;
  }
  /// Updates an organization's settings (a rename is not supported: 422).
  result<organization> update_organization(std::string_view name, const organization_options& o) {
    auto g = lock_call();
    const organization* cur = find_org(name);
    if (!cur) return not_found("organization", name);
    if (o.name && *o.name != cur->name)
      return make_error(errc::validation_failed, "Renaming an organization is not supported", "/data/attributes/name");
    if (o.email && (o.email->empty() || o.email->find('@') == std::string::npos))
      return make_error(errc::validation_failed, "Email is invalid", "/data/attributes/email");
    organization next = *cur;
    if (auto e = apply_organization_options(next, o); !e) return e.error();
    if (auto w = storage_.update(of<organization>, next.name, [&](organization& x) { x = next; }); !w)
      return w.error();
    return next;
  }
  /// Deletes an organization and everything it owns.
  result<void> delete_organization(std::string_view name) {
    auto g = lock_call();
    const organization* o = find_org(name);
    if (!o) return not_found("organization", name);
    std::vector<resource_id> wss;
    storage_.for_each(of<workspace>, [&](const workspace& w) {
      if (w.organization == name) wss.push_back(w.id);
    });
    std::sort(wss.begin(), wss.end());
    for (const auto& id : wss)
      if (auto r = erase_workspace_locked(id); !r) return r;
    return storage_.erase(of<organization>, std::string(name));
  }
  /// Lists organizations sorted by name.
  result<page<organization>> list_organizations(page_request req = {}) {
    auto g = lock_call();
    std::vector<const organization*> all;
    storage_.for_each(of<organization>, [&](const organization& o) { all.push_back(&o); });
    std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->name < b->name; });
    return paginate(all, req);
  }

  // ---- workspaces ------------------------------------------------------------------------------

  /// Creates a workspace in organization `org` (422 on invalid or duplicate name).
  result<workspace> create_workspace(std::string_view org, const workspace_options& o) {
    auto g = lock_call();
    if (!find_org(org)) return not_found("organization", org);
    if (!o.name || !is_valid_workspace_name(*o.name))
      return make_error(errc::validation_failed, "Name is invalid: use 1-90 letters, digits, '-' or '_'",
                        "/data/attributes/name");
    if (find_workspace_by_name(org, *o.name))
      return make_error(errc::validation_failed, "Name has already been taken", "/data/attributes/name");
    workspace w;
    w.id = ids_.next(id_kind::workspace);
    w.organization = std::string(org);
    w.created_at = w.updated_at = clock_.now();
    w.terraform_version = options_.terraform_version;
    if (auto e = apply_workspace_options(w, o); !e) return e.error();
    ws_by_name_[name_key(org, w.name)] = w.id;
    if (auto r = storage_.insert(workspace(w)); !r) {
      ws_by_name_.erase(name_key(org, w.name));
      return r.error();
    }
    return w;
  }
  /// Reads a workspace by id.
  result<workspace> read_workspace(std::string_view id) {
    auto g = lock_call();
    const workspace* w = find_ws(id);
    if (!w) return not_found("workspace", id);
    return *w;
  }
  /// Reads a workspace by organization and name.
  result<workspace> read_workspace_by_name(std::string_view org, std::string_view name) {
    auto g = lock_call();
    const workspace* w = find_workspace_by_name(org, name);
    if (!w) return not_found("workspace", name);
    return *w;
  }
  /// Updates a workspace's settings (rename allowed; 422 on invalid or duplicate name).
  result<workspace> update_workspace(std::string_view id, const workspace_options& o) {
    auto g = lock_call();
    const workspace* cur = find_ws(id);
    if (!cur) return not_found("workspace", id);
    workspace next = *cur;
    if (o.name && *o.name != cur->name) {
      if (!is_valid_workspace_name(*o.name))
        return make_error(errc::validation_failed, "Name is invalid: use 1-90 letters, digits, '-' or '_'",
                          "/data/attributes/name");
      if (find_workspace_by_name(cur->organization, *o.name))
        return make_error(errc::validation_failed, "Name has already been taken", "/data/attributes/name");
    }
    if (auto e = apply_workspace_options(next, o); !e) return e.error();
    next.updated_at = clock_.now();
    const std::string old_key = name_key(cur->organization, cur->name);
    const std::string new_key = name_key(next.organization, next.name);
    if (auto r = storage_.update(of<workspace>, next.id, [&](workspace& x) { x = next; }); !r) return r.error();
    if (old_key != new_key) {
      ws_by_name_.erase(old_key);
      ws_by_name_[new_key] = next.id;
    }
    return next;
  }
  /// Deletes a workspace with its runs, configuration versions and comments.
  result<void> delete_workspace(std::string_view id) {
    auto g = lock_call();
    if (!find_ws(id)) return not_found("workspace", id);
    return erase_workspace_locked(resource_id(id));
  }
  /// Lists an organization's workspaces sorted by name; `search` keeps names containing it.
  result<page<workspace>> list_workspaces(std::string_view org, page_request req = {}, std::string_view search = {}) {
    auto g = lock_call();
    if (!find_org(org)) return not_found("organization", org);
    std::vector<const workspace*> all;
    storage_.for_each(of<workspace>, [&](const workspace& w) {
      if (w.organization == org && (search.empty() || w.name.find(search) != std::string::npos)) all.push_back(&w);
    });
    std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->name < b->name; });
    return paginate(all, req);
  }
  /// Locks a workspace manually (409 when already locked, by a user or a run).
  result<workspace> lock_workspace(std::string_view id, std::string reason = {}) {
    auto g = lock_call();
    const workspace* w = find_ws(id);
    if (!w) return not_found("workspace", id);
    if (w->manually_locked) return make_error(errc::conflict, "Workspace is already locked");
    if (!w->active_run.empty())
      return make_error(errc::conflict, "Workspace is already locked by Run " + w->active_run.str());
    if (auto r = storage_.update(of<workspace>, w->id, [&](workspace& x) {
          x.manually_locked = true;
          x.locked_reason = std::move(reason);
          x.locked_by_user = resource_id(options_.user_id);
        });
        !r)
      return r.error();
    return *find_ws(id);
  }
  /// Unlocks a manually locked workspace (409 when not locked or locked by a run).
  result<workspace> unlock_workspace(std::string_view id) { return unlock_impl(id, false); }
  /// Force-unlocks a manually locked workspace (409 when not locked or locked by a run).
  result<workspace> force_unlock_workspace(std::string_view id) { return unlock_impl(id, true); }

  // ---- configuration versions ------------------------------------------------------------------

  /// Creates a configuration version awaiting upload; its upload_token is the upload capability.
  result<configuration_version> create_configuration_version(std::string_view ws_id,
                                                             const configuration_version_options& o = {}) {
    auto g = lock_call();
    const workspace* w = find_ws(ws_id);
    if (!w) return not_found("workspace", ws_id);
    configuration_version cv;
    cv.id = ids_.next(id_kind::configuration_version);
    cv.workspace_id = w->id;
    cv.auto_queue_runs = o.auto_queue_runs.value_or(true);
    cv.speculative = o.speculative.value_or(false);
    cv.provisional = o.provisional.value_or(false);
    cv.upload_token = ids_.token();
    cv.created_at = clock_.now();
    upload_tokens_[cv.upload_token] = cv.id;
    if (auto r = storage_.insert(configuration_version(cv)); !r) {
      upload_tokens_.erase(cv.upload_token);
      return r.error();
    }
    (void)storage_.update(of<workspace>, w->id, [&](workspace& x) { x.configuration_versions.push_back(cv.id); });
    return cv;
  }
  /// Reads a configuration version.
  result<configuration_version> read_configuration_version(std::string_view id) {
    auto g = lock_call();
    const configuration_version* cv = find_cv(id);
    if (!cv) return not_found("configuration version", id);
    return *cv;
  }
  /// Lists a workspace's configuration versions, newest first.
  result<page<configuration_version>> list_configuration_versions(std::string_view ws_id, page_request req = {}) {
    auto g = lock_call();
    const workspace* w = find_ws(ws_id);
    if (!w) return not_found("workspace", ws_id);
    std::vector<const configuration_version*> all;
    for (auto it = w->configuration_versions.rbegin(); it != w->configuration_versions.rend(); ++it)
      if (const auto* cv = storage_.find(of<configuration_version>, *it)) all.push_back(cv);
    return paginate(all, req);
  }
  /// The configuration version an upload capability belongs to (404 when unknown or used).
  result<configuration_version> find_upload(std::string_view upload_token) {
    auto g = lock_call();
    auto it = upload_tokens_.find(std::string(upload_token));
    if (it == upload_tokens_.end()) return make_error(errc::not_found, "upload URL not found or already used");
    return *find_cv(it->second);
  }
  /// Uploads a tar.gz through the capability `upload_token` (single use). Not gzip -> the version errors.
  result<configuration_version> upload_configuration(std::string_view upload_token, std::string bytes) {
    auto g = lock_call();
    auto it = upload_tokens_.find(std::string(upload_token));
    if (it == upload_tokens_.end()) return make_error(errc::not_found, "upload URL not found or already used");
    const resource_id cv_id = it->second;
    const configuration_version* cv = find_cv(cv_id);
    const auto now = clock_.now();
    const bool gzip = bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
                      static_cast<unsigned char>(bytes[1]) == 0x8b;
    const std::uint64_t size = bytes.size();
    if (gzip) {
      if (auto r = storage_.put_blob(blob_key(cv_id), std::move(bytes)); !r) return r.error();
    }
    upload_tokens_.erase(it);
    auto r = storage_.update(of<configuration_version>, cv_id, [&](configuration_version& x) {
      x.upload_token.clear();
      x.size = size;
      if (gzip) {
        x.status = configuration_status::uploaded;
        x.uploaded_at = now;
      } else {
        x.status = configuration_status::errored;
        x.errored_at = now;
        x.error = "invalid_archive";
        x.error_message = "The uploaded configuration is not a gzip-compressed tar archive";
      }
    });
    if (!r) return r.error();
    cv = find_cv(cv_id);
    if (gzip && !cv->speculative && !cv->provisional)
      (void)storage_.update(of<workspace>, cv->workspace_id,
                            [&](workspace& x) { x.current_configuration_version = cv_id; });
    if (gzip && cv->auto_queue_runs) {
      run_options ro;
      ro.workspace_id = cv->workspace_id;
      ro.configuration_version_id = cv_id;
      ro.source = run_source::tfe_configuration_version;
      ro.message = "Triggered via API";
      auto created = create_run_locked(ro);
      if (!created) return created.error();
    }
    return *find_cv(cv_id);
  }
  /// The uploaded bytes of a configuration version (404 when none).
  result<std::string> download_configuration(std::string_view cv_id) {
    auto g = lock_call();
    if (!find_cv(cv_id)) return not_found("configuration version", cv_id);
    const std::string* b = storage_.get_blob(blob_key(resource_id(cv_id)));
    if (!b) return make_error(errc::not_found, "configuration version has no uploaded configuration");
    return *b;
  }

  // ---- runs ------------------------------------------------------------------------------------

  /// Creates a run (pending); it starts when it reaches the head of its workspace's queue.
  result<run> create_run(const run_options& o) {
    auto g = lock_call();
    return create_run_locked(o);
  }
  /// Reads a run.
  result<run> read_run(std::string_view id) {
    auto g = lock_call();
    const run* r = find_run(id);
    if (!r) return not_found("run", id);
    return *r;
  }
  /// Lists a workspace's runs newest first; the page costs the same at any total size without filters.
  result<page<run>> list_runs(std::string_view ws_id, const run_list_request& req = {}) {
    auto g = lock_call();
    const workspace* w = find_ws(ws_id);
    if (!w) return not_found("workspace", ws_id);
    const page_request pr = normalized(req.page);
    page<run> out;
    out.current_page = pr.number;
    out.page_size = pr.size;
    const bool unfiltered = req.statuses.empty() && req.sources.empty() && req.operations.empty();
    const std::size_t skip = (pr.number - 1) * pr.size;
    if (unfiltered && plan_only_count(*w) == 0) {
      // O(page): the index is in creation order.
      const std::size_t n = w->runs.size();
      out.total_count = n;
      for (std::size_t i = skip; i < n && out.items.size() < pr.size; ++i)
        if (const run* r = find_run_id(w->runs[n - 1 - i])) out.items.push_back(*r);
      return out;
    }
    std::size_t matched = 0;
    for (auto it = w->runs.rbegin(); it != w->runs.rend(); ++it) {
      const run* r = find_run_id(*it);
      if (!r || !matches(*r, req)) continue;
      if (matched >= skip && out.items.size() < pr.size) out.items.push_back(*r);
      ++matched;
    }
    out.total_count = matched;
    return out;
  }
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
    auto g = lock_call();
    const run* r = find_run(id);
    if (!r) return not_found("run", id);
    if (r->status != run_status::pending)
      return make_error(errc::forbidden, "Run " + r->id.str() + " is not pending");
    if (r->plan_only) return make_error(errc::forbidden, "Plan-only runs are never queued behind other runs");
    const resource_id run_id = r->id;
    const workspace* w = find_ws_id(r->workspace_id);
    if (w->active_run.empty() || w->active_run == run_id)
      return make_error(errc::forbidden, "Workspace is not locked by another run");
    const run* holder = find_run_id(w->active_run);
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
    (void)storage_.update(of<workspace>, ws_id, [&](workspace& x) {
      x.queue.erase(std::remove(x.queue.begin(), x.queue.end(), run_id), x.queue.end());
    });
    promote_enabled_ = false;
    for (const auto& a : ahead) (void)fire(a, run_event::discard, now);
    (void)fire(holder_id, run_event::discard, now);
    promote_enabled_ = true;
    (void)storage_.update(of<workspace>, ws_id, [&](workspace& x) {
      x.active_run = run_id;
      x.current_run = run_id;
    });
    auto res = fire(run_id, run_event::force_execute, now);
    drain_locked();
    return res;
  }

  // ---- plans, applies, logs, comments ----------------------------------------------------------

  /// The run a plan id ("plan-" + the run's suffix) belongs to.
  result<run> read_run_by_plan(std::string_view plan_id) { return read_by_phase(plan_id, "plan-"); }
  /// The run an apply id ("apply-" + the run's suffix) belongs to.
  result<run> read_run_by_apply(std::string_view apply_id) { return read_by_phase(apply_id, "apply-"); }
  /// The plan log of a run so far.
  result<phase_log> plan_log(std::string_view run_id) {
    auto g = lock_call();
    const run* r = find_run(run_id);
    if (!r) return not_found("run", run_id);
    return render_plan_log(*r);
  }
  /// The apply log of a run so far.
  result<phase_log> apply_log(std::string_view run_id) {
    auto g = lock_call();
    const run* r = find_run(run_id);
    if (!r) return not_found("run", run_id);
    return render_apply_log(*r);
  }
  /// Adds a comment to a run.
  result<run_comment> create_comment(std::string_view run_id, std::string body) {
    auto g = lock_call();
    const run* r = find_run(run_id);
    if (!r) return not_found("run", run_id);
    if (body.empty()) return make_error(errc::validation_failed, "Body can't be blank", "/data/attributes/body");
    return add_comment(r->id, std::move(body), run_event::proceed);
  }
  /// Reads a comment.
  result<run_comment> read_comment(std::string_view id) {
    auto g = lock_call();
    const run_comment* c = storage_.find(of<run_comment>, resource_id(id));
    if (!is_valid_id_text(id) || !c) return not_found("comment", id);
    return *c;
  }
  /// Lists a run's comments, oldest first.
  result<std::vector<run_comment>> list_comments(std::string_view run_id) {
    auto g = lock_call();
    const run* r = find_run(run_id);
    if (!r) return not_found("run", run_id);
    std::vector<run_comment> out;
    auto it = comments_by_run_.find(r->id);
    if (it != comments_by_run_.end())
      for (const auto& cid : it->second)
        if (const auto* c = storage_.find(of<run_comment>, cid)) out.push_back(*c);
    return out;
  }

  // ---- progress --------------------------------------------------------------------------------

  /// Performs every step that is due at the clock's current time; returns how many transitions fired.
  std::size_t poll() {
    auto g = lock_call();
    return drain_locked();
  }
  /// The time of the next scheduled step, if any.
  std::optional<time_point> next_due() {
    auto g = lock_call();
    if (timers_.empty()) return std::nullopt;
    return from_unix_ms(timers_.top().due_ms);
  }
  /// Runs every scheduled step, moving a manual clock forward to each; returns transitions fired.
  /// With a clock that cannot be set it only performs what is due now (like poll()).
  std::size_t run_until_idle() {
    auto g = lock_call();
    std::size_t n = drain_locked();
    if constexpr (detail::is_settable_clock<clock_type>::value) {
      while (!timers_.empty()) {
        clock_.set(from_unix_ms(timers_.top().due_ms));
        n += drain_locked();
      }
    }
    return n;
  }

  // ---- observers -------------------------------------------------------------------------------

  /// Calls `fn` after every run status change (outside the engine lock, in order).
  subscription_id subscribe(observer fn) {
    auto g = lock_call();
    observers_.emplace_back(++next_subscription_, std::move(fn));
    return next_subscription_;
  }
  /// Stops the subscription `id`.
  void unsubscribe(subscription_id id) {
    auto g = lock_call();
    observers_.erase(std::remove_if(observers_.begin(), observers_.end(), [&](auto& p) { return p.first == id; }),
                     observers_.end());
  }

  // ---- whole state -----------------------------------------------------------------------------

  /// Removes every organization, workspace, run and timer (observers stay).
  result<void> reset() {
    auto g = lock_call();
    timers_ = {};
    ws_by_name_.clear();
    upload_tokens_.clear();
    comments_by_run_.clear();
    plan_only_counts_.clear();
    return storage_.clear();
  }

  /// Calls fn(const run&) under the lock without copying; 404 when unknown.
  template <class F>
  auto visit_run(std::string_view id, F&& fn) -> result<decltype(fn(std::declval<const run&>()))> {
    auto g = lock_call();
    const run* r = find_run(id);
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

 private:
  // A scheduled system event for a run; stale when the run's step moved on.
  struct timer {
    std::int64_t due_ms;
    std::uint64_t seq;
    resource_id run_id;
    std::uint32_t step;
    run_event event;
    bool operator>(const timer& o) const noexcept { return due_ms != o.due_ms ? due_ms > o.due_ms : seq > o.seq; }
  };

  // RAII: locks the engine, and on release delivers observer notifications outside the lock.
  class call_guard {
   public:
    explicit call_guard(basic_engine& e) : e_(e), lock_(e.mutex_) { ++e_.depth_; }
    ~call_guard() {
      if (--e_.depth_ == 0 && !e_.notes_.empty() && !e_.observers_.empty()) {
        auto notes = std::move(e_.notes_);
        e_.notes_.clear();
        auto obs = e_.observers_;
        lock_.unlock();
        for (const auto& n : notes)
          for (const auto& o : obs) o.second(n);
      } else if (e_.depth_ == 0) {
        e_.notes_.clear();
      }
    }
    call_guard(const call_guard&) = delete;
    call_guard& operator=(const call_guard&) = delete;

   private:
    basic_engine& e_;
    std::unique_lock<mutex_type> lock_;
  };
  call_guard lock_call() { return call_guard(*this); }

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

  const organization* find_org(std::string_view name) const {
    if (!is_valid_organization_name(name)) return nullptr;
    return storage_.find(of<organization>, std::string(name));
  }
  const workspace* find_ws(std::string_view id) const {
    if (!is_valid_id_text(id)) return nullptr;
    return storage_.find(of<workspace>, resource_id(id));
  }
  const workspace* find_ws_id(const resource_id& id) const { return storage_.find(of<workspace>, id); }
  const workspace* find_workspace_by_name(std::string_view org, std::string_view name) const {
    auto it = ws_by_name_.find(name_key(org, name));
    return it == ws_by_name_.end() ? nullptr : find_ws_id(it->second);
  }
  const configuration_version* find_cv(std::string_view id) const {
    if (!is_valid_id_text(id)) return nullptr;
    return storage_.find(of<configuration_version>, resource_id(id));
  }
  const run* find_run(std::string_view id) const {
    if (!is_valid_id_text(id)) return nullptr;
    return storage_.find(of<run>, resource_id(id));
  }
  const run* find_run_id(const resource_id& id) const { return storage_.find(of<run>, id); }

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
      const auto& m = *o.default_execution_mode;
      if (m != "remote" && m != "local" && m != "agent")
        return make_error(errc::validation_failed, "Default execution mode must be remote, local or agent",
                          "/data/attributes/default-execution-mode");
      org.default_execution_mode = m;
    }
    for (const auto* t : {&o.session_timeout, &o.session_remember})
      if (*t && **t && ***t < 0)
        return make_error(errc::validation_failed, "Session times must not be negative");
    if (o.email) org.email = *o.email;
    if (o.session_timeout) org.session_timeout = *o.session_timeout;
    if (o.session_remember) org.session_remember = *o.session_remember;
    if (o.cost_estimation_enabled) org.cost_estimation_enabled = *o.cost_estimation_enabled;
    if (o.policy_checks_enabled) org.policy_checks_enabled = *o.policy_checks_enabled;
    if (o.owners_team_saml_role_id) org.owners_team_saml_role_id = *o.owners_team_saml_role_id;
    if (o.assessments_enforced) org.assessments_enforced = *o.assessments_enforced;
    return {};
  }

  static result<void> apply_workspace_options(workspace& w, const workspace_options& o) {
    std::optional<std::string> mode = o.execution_mode;
    if (mode && *mode != "remote" && *mode != "local" && *mode != "agent")
      return make_error(errc::validation_failed, "Execution mode must be remote, local or agent",
                        "/data/attributes/execution-mode");
    if (o.operations) {
      const std::string implied = *o.operations ? "remote" : "local";
      if (mode && ((*mode == "local") == *o.operations))
        return make_error(errc::validation_failed, "Operations conflicts with execution mode",
                          "/data/attributes/operations");
      if (!mode) mode = implied;
    }
    if (mode && *mode == "agent" && !(o.agent_pool_id ? !o.agent_pool_id->empty() : !w.agent_pool_id.empty()))
      return make_error(errc::validation_failed, "Agent pool is required in agent execution mode",
                        "/data/attributes/agent-pool-id");
    if (o.terraform_version && !is_valid_terraform_version(*o.terraform_version))
      return make_error(errc::validation_failed, "Terraform version '" + o.terraform_version->substr(0, 64) +
                        "' is not a version or version constraint", "/data/attributes/terraform-version");
    if (o.working_directory && o.working_directory->find("..") != std::string::npos)
      return make_error(errc::validation_failed, "Working directory must not leave the configuration",
                        "/data/attributes/working-directory");
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
    if (o.tag_names) w.tag_names = *o.tag_names;
    return {};
  }

  result<workspace> unlock_impl(std::string_view id, bool force) {
    auto g = lock_call();
    const workspace* w = find_ws(id);
    if (!w) return not_found("workspace", id);
    if (!w->active_run.empty() && !w->manually_locked)
      return make_error(errc::conflict, "Workspace is locked by Run " + w->active_run.str());
    if (!w->manually_locked) return make_error(errc::conflict, "Workspace is not locked");
    (void)force;  // one admin user: the locker is always the caller
    const resource_id ws_id = w->id;
    if (auto r = storage_.update(of<workspace>, ws_id, [&](workspace& x) {
          x.manually_locked = false;
          x.locked_reason.clear();
          x.locked_by_user = resource_id();
        });
        !r)
      return r.error();
    promote_next(ws_id, clock_.now());
    drain_locked();
    return *find_ws_id(ws_id);
  }

  result<void> erase_workspace_locked(const resource_id& ws_id) {
    const workspace* w = find_ws_id(ws_id);
    if (!w) return {};
    const std::string key = name_key(w->organization, w->name);
    std::vector<resource_id> runs = w->runs;
    std::vector<resource_id> cvs = w->configuration_versions;
    for (const auto& r : runs) {
      if (auto it = comments_by_run_.find(r); it != comments_by_run_.end()) {
        for (const auto& c : it->second) (void)storage_.erase(of<run_comment>, c);
        comments_by_run_.erase(it);
      }
      if constexpr (detail::has_forget<executor_type>::value) executor_.forget(r);
      (void)storage_.erase(of<run>, r);
    }
    for (const auto& c : cvs) {
      if (const auto* cv = find_cv(c); cv && !cv->upload_token.empty()) upload_tokens_.erase(cv->upload_token);
      (void)storage_.erase_blob(blob_key(c));
      (void)storage_.erase(of<configuration_version>, c);
    }
    plan_only_counts_.erase(ws_id);
    ws_by_name_.erase(key);
    return storage_.erase(of<workspace>, ws_id);
  }

  std::size_t plan_only_count(const workspace& w) const {
    auto it = plan_only_counts_.find(w.id);
    return it == plan_only_counts_.end() ? 0 : it->second;
  }

  static bool matches(const run& r, const run_list_request& req) {
    if (!req.statuses.empty() && std::find(req.statuses.begin(), req.statuses.end(), r.status) == req.statuses.end())
      return false;
    if (!req.sources.empty() &&
        std::find(req.sources.begin(), req.sources.end(), to_string(r.source)) == req.sources.end())
      return false;
    if (req.operations.empty()) return !r.plan_only;
    return std::find(req.operations.begin(), req.operations.end(), r.operation()) != req.operations.end();
  }

  result<run> create_run_locked(const run_options& o) {
    const workspace* w = find_ws_id(o.workspace_id);
    if (o.workspace_id.empty()) return make_error(errc::validation_failed, "Workspace is required", "/data/relationships/workspace");
    if (!w) return not_found("workspace", o.workspace_id);
    if (w->execution_mode == "local")
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
    resource_id cv_id;
    if (o.configuration_version_id && !o.configuration_version_id->empty()) {
      const configuration_version* cv = find_cv(*o.configuration_version_id);
      const workspace* owner = cv ? find_ws_id(cv->workspace_id) : nullptr;
      if (!cv || !owner || owner->organization != w->organization)
        return not_found("configuration version", *o.configuration_version_id);
      if (cv->status != configuration_status::uploaded)
        return make_error(errc::validation_failed,
                          "Configuration version " + cv->id.str() + " is " + std::string(to_string(cv->status)) +
                              ", not uploaded",
                          "/data/relationships/configuration-version");
      cv_id = cv->id;
    } else {
      cv_id = w->current_configuration_version;
      if (cv_id.empty())
        return make_error(errc::validation_failed, "Workspace has no uploaded configuration version to run",
                          "/data/relationships/configuration-version");
    }
    const configuration_version* cv = find_cv(cv_id);
    const bool plan_only = o.plan_only.value_or(cv->speculative);
    if (o.terraform_version && !plan_only)
      return make_error(errc::validation_failed, "terraform-version can only be set on plan-only runs",
                        "/data/attributes/terraform-version");
    const auto now = clock_.now();
    run r;
    r.id = ids_.next(id_kind::run);
    r.workspace_id = w->id;
    r.configuration_version_id = cv_id;
    r.created_by = resource_id(options_.user_id);
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
    if (const organization* org = find_org(w->organization)) {
      r.cost_estimation = org->cost_estimation_enabled && r.target_addrs.empty();
      r.policy_checks = org->policy_checks_enabled;
    }
    r.status_ms[static_cast<std::size_t>(run_status::pending)] = to_unix_ms(now);
    const resource_id run_id = r.id;
    const resource_id ws_id = w->id;
    const bool start_now = plan_only || (w->active_run.empty() && w->queue.empty() && !w->manually_locked);
    // promotion: a version from another workspace becomes this workspace's latest once used here
    const bool promote_cv = !cv->provisional && !cv->speculative && cv->workspace_id != ws_id;
    const std::uint32_t first_step = r.step;
    if (auto ins = storage_.insert(std::move(r)); !ins) return ins.error();
    (void)storage_.update(of<workspace>, ws_id, [&](workspace& x) {
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
    if (plan_only) ++plan_only_counts_[ws_id];
    if (start_now) schedule(run_id, first_step, run_event::queue, now);
    return *find_run_id(run_id);
  }

  result<void> user_action(std::string_view id, run_event e, std::string comment) {
    auto g = lock_call();
    const run* r = find_run(id);
    if (!r) return not_found("run", id);
    const auto now = clock_.now();
    const resource_id run_id = r->id;
    auto res = fire(run_id, e, now);
    if (!res) return res;
    if (!comment.empty()) (void)add_comment(run_id, std::move(comment), e);
    drain_locked();
    return {};
  }

  result<run_comment> add_comment(const resource_id& run_id, std::string body, run_event action) {
    run_comment c;
    c.id = ids_.next(id_kind::comment);
    c.run_id = run_id;
    c.body = std::move(body);
    c.action = action;
    c.created_at = clock_.now();
    if (auto r = storage_.insert(run_comment(c)); !r) return r.error();
    comments_by_run_[run_id].push_back(c.id);
    (void)storage_.update(of<run>, run_id, [](run& x) { ++x.comment_count; });
    return c;
  }

  result<run> read_by_phase(std::string_view phase_id, std::string_view prefix) {
    auto g = lock_call();
    auto suffix = id_suffix(phase_id, prefix);
    if (suffix.empty() || !is_valid_id_text(phase_id)) return not_found(prefix == "plan-" ? "plan" : "apply", phase_id);
    std::string rid = "run-";
    rid += suffix;
    const run* r = find_run(rid);
    if (!r) return not_found(prefix == "plan-" ? "plan" : "apply", phase_id);
    return *r;
  }

  void schedule(const resource_id& run_id, std::uint32_t step, run_event e, time_point due) {
    timers_.push(timer{to_unix_ms(due), ++timer_seq_, run_id, step, e});
  }

  // Fires `e` on run `id` at `now`: table lookup, state change, then side effects.
  result<void> fire(const resource_id& id, run_event e, time_point now) {
    const run* r = find_run_id(id);
    if (!r) return not_found("run", id);
    return fire(*r, e, now);
  }
  result<void> fire(const run& cur, run_event e, time_point now) {
    const transition* t = find_transition(cur.status, e, cur.context(now));
    if (!t) {
      std::string m = "Run " + cur.id.str() + " is " + std::string(to_string(cur.status)) + ": " +
                      std::string(to_string(e)) + " is not allowed";
      return make_error(errc::conflict, std::move(m));
    }
    const resource_id id = cur.id;
    const run_status from = cur.status;
    const run_status to = t->to;
    const std::int64_t now_ms = to_unix_ms(now);
    const run* after = nullptr;
    auto upd = storage_.update(of<run>, id, [&](run& x) {
      x.updated_at = now;
      if (e == run_event::cancel) {
        x.force_cancel_available_at_ms = now_ms + options_.cancel_cooloff.count();
        x.canceled_by = resource_id(options_.user_id);
      } else if (e == run_event::force_cancel) {
        x.canceled_by = resource_id(options_.user_id);
      } else if (e == run_event::apply) {
        x.confirmed_by = resource_id(options_.user_id);
      }
      ++x.step;
      after = &x;
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
    if (!observers_.empty()) notes_.push_back(run_status_change{id, after->workspace_id, from, to, e, now});
    on_enter(*after, from, to, e, now);
    return {};
  }

  // Side effects of entering a status: schedule the next system step, release the workspace.
  // `r` is the run after the change (valid until the next storage write).
  void on_enter(const run& r, run_status from, run_status to, run_event e, time_point now) {
    const resource_id& id = r.id;
    const std::uint32_t step = r.step;
    if (to == from) {  // cancel requested while planning/applying
      if (!r.slow_cancel) schedule(id, step, run_event::cancel_completed, now + milliseconds(r.cancel_duration_ms));
      return;
    }
    switch (to) {
      case run_status::pending: break;
      case run_status::plan_queued: schedule(id, step, run_event::plan_start, now); break;
      case run_status::planning: start_plan(r, now); break;
      case run_status::planned:
      case run_status::cost_estimated:
      case run_status::policy_checked:
      case run_status::confirmed:
        if (can_fire(to, run_event::proceed, r.context(now))) schedule(id, step, run_event::proceed, now);
        break;
      case run_status::cost_estimating: schedule(id, step, run_event::estimate_done, now); break;
      case run_status::policy_checking: {
        run_event next = run_event::policy_passed;
        if (r.policy_outcome == policy_result::soft_fail) next = run_event::policy_soft_failed;
        if (r.policy_outcome == policy_result::hard_fail) next = run_event::policy_hard_failed;
        schedule(id, step, next, now);
        break;
      }
      case run_status::policy_override: break;
      case run_status::apply_queued: schedule(id, step, run_event::apply_start, now); break;
      case run_status::applying: start_apply(r, now); break;
      case run_status::applied:
      case run_status::planned_and_finished:
      case run_status::policy_soft_failed:
      case run_status::discarded:
      case run_status::errored:
      case run_status::canceled:
      case run_status::force_canceled: finish(r, to, e, now); break;
    }
  }

  void start_plan(const run& cur, time_point now) {
    const resource_id id = cur.id;
    const workspace* w = find_ws_id(cur.workspace_id);
    phase_outcome o = executor_.plan(cur, *w);
    std::optional<policy_result> policy;
    std::optional<double> cost;
    if constexpr (detail::has_checks<executor_type>::value) {
      run_script s = executor_.checks(cur, *w);
      policy = s.policy;
      cost = s.cost_delta;
    }
    std::uint32_t step = 0;
    (void)storage_.update(of<run>, id, [&](run& x) {
      step = x.step;
      x.plan_counts = o.counts.value_or(resource_counts{});
      x.has_changes = !o.errored && x.plan_counts.any();
      x.plan_errored = o.errored;
      if (o.errored) x.error_text = o.error_message.empty() ? "Error: terraform plan failed" : o.error_message;
      x.plan_log = std::move(o.log);
      x.slow_cancel = o.slow_cancel;
      x.cancel_duration_ms = o.cancel_duration.count();
      if (policy) {
        x.policy_checks = true;
        x.policy_outcome = *policy;
      }
      if (cost) {
        x.cost_estimation = true;
        x.cost_delta_monthly = *cost;
      }
    });
    schedule(id, step, o.errored ? run_event::plan_failed : run_event::plan_succeeded, now + o.duration);
  }

  void start_apply(const run& cur, time_point now) {
    const resource_id id = cur.id;
    const workspace* w = find_ws_id(cur.workspace_id);
    phase_outcome o = executor_.apply(cur, *w);
    std::uint32_t step = 0;
    (void)storage_.update(of<run>, id, [&](run& x) {
      step = x.step;
      x.apply_counts = o.counts.value_or(x.plan_counts);
      x.apply_errored = o.errored;
      if (o.errored) x.error_text = o.error_message.empty() ? "Error: terraform apply failed" : o.error_message;
      x.apply_log = std::move(o.log);
      x.slow_cancel = o.slow_cancel;
      x.cancel_duration_ms = o.cancel_duration.count();
    });
    schedule(id, step, o.errored ? run_event::apply_failed : run_event::apply_succeeded, now + o.duration);
  }

  // A run reached a final status: leave the queue, release the workspace, hand it on.
  void finish(const run& r, run_status to, run_event, time_point now) {
    const resource_id id = r.id;
    const resource_id ws_id = r.workspace_id;
    const resource_id cv_id = r.configuration_version_id;
    const resource_counts counts = r.apply_counts;
    const bool destroy = r.is_destroy;
    bool released = false;
    (void)storage_.update(of<workspace>, ws_id, [&](workspace& x) {
      if (x.active_run == id) {
        x.active_run = resource_id();
        released = true;
      } else {
        auto it = std::find(x.queue.begin(), x.queue.end(), id);
        if (it != x.queue.end()) x.queue.erase(it);
      }
      if (to == run_status::applied) {
        x.resource_count = destroy ? 0 : std::max<std::int64_t>(0, x.resource_count + counts.additions - counts.destructions);
      }
    });
    if (to == run_status::applied) {
      const configuration_version* cv = find_cv_id(cv_id);
      if (cv && cv->provisional) {
        (void)storage_.update(of<workspace>, ws_id, [&](workspace& x) {
          // a provisional version becomes current unless a newer one arrived meanwhile
          const configuration_version* cur = find_cv_id(x.current_configuration_version);
          if (!cur || cur->created_at <= cv->created_at) x.current_configuration_version = cv_id;
        });
      }
    }
    if constexpr (detail::has_forget<executor_type>::value) executor_.forget(id);
    if (released && promote_enabled_) promote_next(ws_id, now);
  }

  const configuration_version* find_cv_id(const resource_id& id) const {
    return storage_.find(of<configuration_version>, id);
  }

  // Gives a free workspace to the oldest pending run (current even while a manual lock blocks it).
  void promote_next(const resource_id& ws_id, time_point now) {
    const workspace* w = find_ws_id(ws_id);
    if (!w || !w->active_run.empty() || w->queue.empty()) return;
    const resource_id next = w->queue.front();
    const bool start = !w->manually_locked;
    (void)storage_.update(of<workspace>, ws_id, [&](workspace& x) {
      x.current_run = next;
      if (start) {
        x.queue.pop_front();
        x.active_run = next;
      }
    });
    if (start) {
      const run* r = find_run_id(next);
      schedule(next, r->step, run_event::queue, now);
    }
  }

  // Fires every timer due at the clock's current time (steps may schedule more due steps).
  std::size_t drain_locked() {
    std::size_t fired = 0;
    const std::int64_t now_ms = to_unix_ms(clock_.now());
    while (!timers_.empty() && timers_.top().due_ms <= now_ms) {
      timer t = timers_.top();
      timers_.pop();
      const run* r = find_run_id(t.run_id);
      if (!r || r->step != t.step) continue;  // deleted or moved on: stale
      if (fire(*r, t.event, from_unix_ms(t.due_ms))) ++fired;
    }
    return fired;
  }

  phase_log render_plan_log(const run& r) const {
    phase_log out;
    const phase_status ps = r.plan_status();
    out.complete = is_final(ps);
    if (ps == phase_status::pending || ps == phase_status::queued || ps == phase_status::unreachable) return out;
    if (!r.plan_log.empty() && ps != phase_status::running) {
      out.text = r.plan_log;
      return out;
    }
    out.text = "Terraform v" + r.terraform_version + "\non linux_amd64\nInitializing plugins and modules...\n";
    if (ps == phase_status::running) return out;
    if (ps == phase_status::canceled) {
      out.text += "\nInterrupt received.\nPlease wait for Terraform to exit or data loss may occur.\n";
      return out;
    }
    if (r.plan_errored) {
      out.text += "\nError: " + r.error_text + "\n";
      return out;
    }
    const auto& c = r.plan_counts;
    if (!c.any()) {
      out.text += "\nNo changes. Your infrastructure matches the configuration.\n";
      return out;
    }
    out.text += "\nTerraform used the selected providers to generate the following execution\nplan. ";
    out.text += "Resource actions are indicated with the following symbols:\n";
    if (c.additions) out.text += "  + create\n";
    if (c.changes) out.text += "  ~ update in-place\n";
    if (c.destructions) out.text += "  - destroy\n";
    out.text += "\nPlan: " + std::to_string(c.additions) + " to add, " + std::to_string(c.changes) + " to change, " +
                std::to_string(c.destructions) + " to destroy.\n";
    return out;
  }

  phase_log render_apply_log(const run& r) const {
    phase_log out;
    const phase_status as = r.apply_status();
    out.complete = is_final(as);
    if (as == phase_status::pending || as == phase_status::queued || as == phase_status::unreachable) return out;
    if (!r.apply_log.empty() && as != phase_status::running) {
      out.text = r.apply_log;
      return out;
    }
    out.text = "Terraform v" + r.terraform_version + "\non linux_amd64\n";
    if (as == phase_status::running) return out;
    if (as == phase_status::canceled) {
      out.text += "\nInterrupt received.\nPlease wait for Terraform to exit or data loss may occur.\n";
      return out;
    }
    if (r.apply_errored) {
      out.text += "\nError: " + r.error_text + "\n";
      return out;
    }
    const auto& c = r.apply_counts;
    if (r.is_destroy)
      out.text += "\nDestroy complete! Resources: " + std::to_string(c.destructions) + " destroyed.\n";
    else
      out.text += "\nApply complete! Resources: " + std::to_string(c.additions) + " added, " +
                  std::to_string(c.changes) + " changed, " + std::to_string(c.destructions) + " destroyed.\n";
    return out;
  }

  engine_options options_;
  mutable mutex_type mutex_;
  storage_type storage_;
  clock_type clock_;
  id_generator_type ids_;
  executor_type executor_;
  std::priority_queue<timer, std::vector<timer>, std::greater<timer>> timers_;
  std::uint64_t timer_seq_ = 0;
  std::unordered_map<std::string, resource_id> ws_by_name_;
  std::unordered_map<std::string, resource_id> upload_tokens_;
  std::unordered_map<resource_id, std::vector<resource_id>> comments_by_run_;
  std::unordered_map<resource_id, std::size_t> plan_only_counts_;
  std::vector<std::pair<subscription_id, observer>> observers_;
  std::vector<run_status_change> notes_;
  subscription_id next_subscription_ = 0;
  int depth_ = 0;
  bool promote_enabled_ = true;
};

/// The engine with the default policies: in-memory, system clock, random ids, simulated executor, std::mutex.
using engine = basic_engine<default_policies>;

}  // namespace tfe

#endif  // TFE_ENGINE_ENGINE_HPP
