// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Executor policy: what a plan or apply produces and how long it takes (simulated by default).
#ifndef TFE_POLICIES_EXECUTOR_HPP
#define TFE_POLICIES_EXECUTOR_HPP

#include <tfe/config.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/planned_changes.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/model/time.hpp>
#include <tfe/model/workspace.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace tfe {

/// What one plan or apply does: success or error, counts, timing and log.
struct phase_outcome {
  bool errored = false;                   ///< the phase fails
  std::string error_message;              ///< why (appears in the log and error-text)
  std::optional<resource_counts> counts;  ///< resource counts; default: 1 add (destroy: 1 destroy)
  milliseconds duration{0};               ///< time from start to finish
  std::string log;                        ///< custom log text; empty renders Terraform's usual output
  bool slow_cancel = false;               ///< a cancel request never completes by itself (force-cancel needed)
  milliseconds cancel_duration{0};        ///< time from cancel request to canceled (when not slow)
  /// Apply: the resources the state holds afterwards (default: the previous state's, with the plan's
  /// additions and destructions applied).
  std::optional<std::vector<state_resource>> resources;
  /// Apply: the outputs afterwards (default: the previous state's).
  std::optional<std::vector<state_output>> outputs;
};

/// A scripted outcome for a run: plan, apply, and the check stages between them.
struct run_script {
  phase_outcome plan;                   ///< the plan phase
  phase_outcome apply;                  ///< the apply phase
  std::optional<policy_result> policy;  ///< forces policy checks with this result
  std::optional<double> cost_delta;     ///< forces cost estimation with this monthly delta
};

// Contract (docs/policies.md#executor):
//   | expression                      | type          | semantics                                         |
//   | x.plan(const run&, const workspace&)  | phase_outcome | decides the plan phase when it starts          |
//   | x.apply(const run&, const workspace&) | phase_outcome | decides the apply phase when it starts         |
//   | x.checks(const run&)            | run_script    | optional: policy/cost overrides (see has_checks) |
//   | X{}                             |               | default constructible                             |
// Called under a shard's lock: must not call back into the engine, must not block. The engine
// serializes calls with its own executor lock unless the executor declares
// `static constexpr bool thread_safe = true` (then calls from different shards run concurrently).
// The engine never sleeps: durations become timers driven by the clock policy.

namespace detail {
template <class T, class = void>
struct has_plan : std::false_type {};
template <class T>
struct has_plan<
    T, std::void_t<decltype(std::declval<T&>().plan(std::declval<const run&>(), std::declval<const workspace&>()))>>
    : std::is_convertible<decltype(std::declval<T&>().plan(std::declval<const run&>(),
                                                           std::declval<const workspace&>())),
                          phase_outcome> {};
template <class T, class = void>
struct has_apply : std::false_type {};
template <class T>
struct has_apply<
    T, std::void_t<decltype(std::declval<T&>().apply(std::declval<const run&>(), std::declval<const workspace&>()))>>
    : std::is_convertible<decltype(std::declval<T&>().apply(std::declval<const run&>(),
                                                            std::declval<const workspace&>())),
                          phase_outcome> {};
/// Whether the executor also takes the changes the configuration proposes: plan(run, workspace, changes*).
template <class T, class = void>
struct has_plan_with_changes : std::false_type {};
template <class T>
struct has_plan_with_changes<
    T, std::void_t<decltype(std::declval<T&>().plan(std::declval<const run&>(), std::declval<const workspace&>(),
                                                    std::declval<const planned_changes*>()))>> : std::true_type {};
}  // namespace detail

/// True when T satisfies the executor policy contract.
template <class T>
struct is_executor_policy : std::bool_constant<detail::has_plan<T>::value && detail::has_apply<T>::value &&
                                               std::is_default_constructible_v<T>> {};
/// True when T satisfies the executor policy contract.
template <class T>
inline constexpr bool is_executor_policy_v = is_executor_policy<T>::value;

#if TFE_HAS_CONCEPTS
/// An executor policy: `plan(run, workspace)` and `apply(run, workspace)` return phase_outcome.
template <class T>
concept executor_policy = is_executor_policy_v<T>;
#endif

/// The default executor: deterministic simulated plans and applies, scriptable per run, per workspace
/// or for the next runs. Internally synchronized: safe to script from any thread while the engine runs.
class simulated_executor {
 public:
  /// Calls from different shards may run concurrently (the executor locks itself).
  static constexpr bool thread_safe = true;

  std::atomic<milliseconds> plan_duration{milliseconds(0)};   ///< default plan time
  std::atomic<milliseconds> apply_duration{milliseconds(0)};  ///< default apply time

  /// Scripts the run `run_id` (overrides workspace and next-run scripts).
  void script_run(resource_id run_id, run_script s) {
    std::lock_guard<std::mutex> g(mutex_);
    by_run_[run_id] = std::move(s);
    scripted_.store(true, std::memory_order_release);
  }
  /// Scripts every later run of workspace `ws_id`.
  void script_workspace(resource_id ws_id, run_script s) {
    std::lock_guard<std::mutex> g(mutex_);
    by_workspace_[ws_id] = std::move(s);
    scripted_.store(true, std::memory_order_release);
  }
  /// Scripts the next run whose plan starts (FIFO: one script per run).
  void script_next(run_script s) {
    std::lock_guard<std::mutex> g(mutex_);
    next_.push_back(std::move(s));
    scripted_.store(true, std::memory_order_release);
  }
  /// Removes every script.
  void clear_scripts() {
    std::lock_guard<std::mutex> g(mutex_);
    by_run_.clear();
    by_workspace_.clear();
    next_.clear();
    bound_.clear();
    scripted_.store(false, std::memory_order_release);
  }

  /// Decides the plan phase of `r`.
  phase_outcome plan(const run& r, const workspace& ws) { return plan(r, ws, nullptr); }
  /// Decides the plan phase of `r` whose configuration proposes `changes` (null when the engine could
  /// not read it): unless a script sets the counts, they are those of the changes.
  phase_outcome plan(const run& r, const workspace& ws, const planned_changes* changes) {
    phase_outcome o;
    if (scripted_.load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> g(mutex_);
      if (const run_script* s = script_for(r, ws, true)) o = s->plan;
    }
    if (o.duration.count() == 0) o.duration = plan_duration.load(std::memory_order_relaxed);
    if (!o.counts && changes) o.counts = changes->counts();
    if (!o.counts) {
      resource_counts c;
      if (r.is_destroy) c.destructions = 1;
      else if (!r.refresh_only) c.additions = 1;
      o.counts = c;
    }
    return o;
  }
  /// Decides the apply phase of `r`.
  phase_outcome apply(const run& r, const workspace& ws) {
    phase_outcome o;
    if (scripted_.load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> g(mutex_);
      if (const run_script* s = script_for(r, ws, false)) o = s->apply;
    }
    if (o.duration.count() == 0) o.duration = apply_duration.load(std::memory_order_relaxed);
    if (!o.counts) o.counts = r.plan_counts;
    return o;
  }
  /// Policy and cost overrides scripted for `r` (empty when none).
  run_script checks(const run& r, const workspace& ws) {
    if (!scripted_.load(std::memory_order_acquire)) return run_script{};
    std::lock_guard<std::mutex> g(mutex_);
    const run_script* s = script_for(r, ws, false);
    return s ? *s : run_script{};
  }
  /// Forgets per-run bindings of a finished run (keeps memory bounded).
  void forget(const resource_id& run_id) {
    if (!scripted_.load(std::memory_order_acquire)) return;
    std::lock_guard<std::mutex> g(mutex_);
    if (!by_run_.empty()) by_run_.erase(run_id);
    if (!bound_.empty()) bound_.erase(run_id);
  }

 private:
  const run_script* script_for(const run& r, const workspace& ws, bool may_bind_next) {
    if (by_run_.empty() && bound_.empty() && next_.empty() && by_workspace_.empty()) return nullptr;
    if (auto it = by_run_.find(r.id); it != by_run_.end()) return &it->second;
    if (auto it = bound_.find(r.id); it != bound_.end()) return &it->second;
    if (may_bind_next && !next_.empty()) {
      auto& s = bound_[r.id] = std::move(next_.front());
      next_.pop_front();
      return &s;
    }
    if (auto it = by_workspace_.find(ws.id); it != by_workspace_.end()) return &it->second;
    return nullptr;
  }
  std::unordered_map<resource_id, run_script> by_run_;
  std::unordered_map<resource_id, run_script> by_workspace_;
  std::unordered_map<resource_id, run_script> bound_;
  std::deque<run_script> next_;
  std::mutex mutex_;
  std::atomic<bool> scripted_{false};
};

static_assert(is_executor_policy_v<simulated_executor>, "simulated_executor must satisfy the executor contract");

}  // namespace tfe

#endif  // TFE_POLICIES_EXECUTOR_HPP
