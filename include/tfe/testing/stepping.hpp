// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Test stepping: basic_engine::advance_to moves a run along legal transitions to a chosen status
// (docs/testing.md#stepping), guided by the lifecycle table's distances.
#ifndef TFE_TESTING_STEPPING_HPP
#define TFE_TESTING_STEPPING_HPP

#include <tfe/engine/engine.hpp>
#include <tfe/lifecycle/run_state_machine.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace tfe {

/// Moves run `id` along legal transitions until it is in status `to` (docs/testing.md#stepping).
/// Scheduled system steps of the run fire at once (the clock does not move); where the run waits
/// for a user, the action that leads to `to` is taken (apply, discard, cancel, force-cancel,
/// override). 409 when `to` cannot be reached from where the run is, when its next scripted
/// step leads elsewhere (an errored plan cannot reach `applied`), or when it waits in the queue
/// behind another run; steps already taken stay taken. The run then continues as usual: a
/// transient status such as `planned` on an auto-apply run moves on at the next poll().
template <class Policies>
result<run> basic_engine<Policies>::advance_to(std::string_view id, run_status to) {
  shard* sp = shard_of_indexed(id);
  if (!sp || id.substr(0, 4) != "run-") return not_found("run", id);
  shard& s = *sp;
  shard_guard sg(*this, s);
  const resource_id rid(id);
  const run* r = s.storage.find(of<run>, rid);
  if (!r) return not_found("run", id);
  // distance of every status to `to`, from the lifecycle table with guards ignored
  constexpr int unreachable = unreachable_distance;
  const std::array<int, run_status_count> dist = run_distances(to, true);
  // (the guards decide the real path: distances only rule out actions that cannot lead to `to`)
  auto distance = [&](run_status st) { return dist[static_cast<std::size_t>(st)]; };
  auto refuse = [&](const run& cur, std::string why) {
    return make_error(errc::conflict, "Run " + cur.id.str() + " is " + std::string(to_string(cur.status)) +
                                          ": cannot advance to " + std::string(to_string(to)) + ": " + why);
  };
  for (int guard = 0; guard < 64; ++guard) {
    r = s.storage.find(of<run>, rid);
    if (r->status == to) return *r;
    if (distance(r->status) >= unreachable) return refuse(*r, "no transition leads there");
    const time_point now = clock_.now();
    const guard_context ctx = r->context(now);
    // 1. the run's scheduled system step, if it leads closer
    const timer* due = nullptr;
    for (const auto& t : s.timers.items())
      if (t.run_id == rid && t.step == r->step && (!due || *due > t)) due = &t;
    if (due) {
      const run_event e = due->event;
      const auto next = next_status(r->status, e, ctx);
      if (next && (*next == r->status || distance(*next) < unreachable)) {
        if (auto f = fire(s, *r, e, now); !f) return f.error();
        continue;
      }
      if (next && !(r->status == run_status::planning || r->status == run_status::applying))
        return refuse(*r,
                      "its next step (" + std::string(to_string(e)) + ") leads to " + std::string(to_string(*next)));
    }
    // 2. a user action: cancel first when the target is a cancellation, else the closest one
    std::optional<run_event> pick;
    const bool cancel_target = to == run_status::canceled || to == run_status::force_canceled;
    if (cancel_target && r->cancel_requested && to == run_status::force_canceled &&
        can_fire(r->status, run_event::force_cancel, ctx))
      pick = run_event::force_cancel;
    else if (cancel_target && !r->cancel_requested && can_fire(r->status, run_event::cancel, ctx) &&
             next_status(r->status, run_event::cancel, ctx) == r->status)
      pick = run_event::cancel;
    if (!pick) {
      int best = unreachable;
      for (run_event e : {run_event::apply, run_event::override_policy, run_event::discard, run_event::cancel,
                          run_event::force_cancel}) {
        const auto next = next_status(r->status, e, ctx);
        if (next && *next != r->status && distance(*next) < best) {
          best = distance(*next);
          pick = e;
        }
      }
    }
    if (pick) {
      if (auto f = fire(s, *r, *pick, now); !f) return f.error();
      continue;
    }
    if (due) {
      const auto next = next_status(r->status, due->event, ctx);
      return refuse(*r, "its next step (" + std::string(to_string(due->event)) + ") leads to " +
                            std::string(next ? to_string(*next) : "nowhere"));
    }
    if (r->status == run_status::pending) {
      const workspace* w = s.storage.find(of<workspace>, r->workspace_id);
      if (w && w->manually_locked) return refuse(*r, "the workspace is locked; unlock it first");
      if (w && !w->active_run.empty() && w->active_run != rid)
        return refuse(*r, "it waits in the queue behind " + w->active_run.str() + "; advance that run first");
    }
    if (r->cancel_requested) return refuse(*r, "its cancel takes until force-cancel is available");
    return refuse(*r, "no action leads there now");
  }
  return refuse(*s.storage.find(of<run>, rid), "too many steps");
}

}  // namespace tfe

#endif  // TFE_TESTING_STEPPING_HPP
