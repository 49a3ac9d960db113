// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The organization queue of basic_engine: with engine_options::organization_concurrency, at most that
// many runs of an organization are in a phase (planning or applying) at once; the others wait in
// plan_queued or apply_queued, first come first served, whatever their workspace or shard.
#ifndef TFE_ENGINE_CAPACITY_HPP
#define TFE_ENGINE_CAPACITY_HPP

#include <tfe/engine/engine.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace tfe {

// Whether run `r` (in plan_queued or apply_queued) may start its phase now: it holds a slot, or takes a
// free one when nobody waits before it. Otherwise it joins its organization's waiting line (once).
template <class Policies>
bool basic_engine<Policies>::take_slot(shard& s, const run& r, run_event start) {
  const workspace* w = s.storage.find(of<workspace>, r.workspace_id);
  const std::string org = w ? w->organization : std::string();
  std::lock_guard<mutex_type> g(global_.mutex);
  if (global_.slot_holders.count(r.id)) return true;
  org_capacity& cap = global_.capacity[org];
  auto waiting =
      std::find_if(cap.waiting.begin(), cap.waiting.end(), [&](const capacity_waiter& x) { return x.run == r.id; });
  if (waiting == cap.waiting.end() && cap.running < options_.organization_concurrency && cap.waiting.empty()) {
    ++cap.running;
    global_.slot_holders.emplace(r.id, org);
    return true;
  }
  if (waiting == cap.waiting.end()) cap.waiting.push_back(capacity_waiter{r.id, s.index, start});
  return false;
}

// Run `r` left a phase, or left the line before starting one (canceled, discarded, deleted): its slot
// goes to the first runs waiting, each started at `now` on its own shard (this one directly, the
// others through global_.grants, picked up by their next drain).
template <class Policies>
void basic_engine<Policies>::leave_capacity(shard& s, const run& r, time_point now) {
  std::vector<capacity_waiter> here;
  {
    std::lock_guard<mutex_type> g(global_.mutex);
    std::string org;
    if (auto h = global_.slot_holders.find(r.id); h != global_.slot_holders.end()) {
      org = h->second;
      global_.slot_holders.erase(h);
      auto c = global_.capacity.find(org);
      if (c != global_.capacity.end() && c->second.running) --c->second.running;
    } else {
      const workspace* w = s.storage.find(of<workspace>, r.workspace_id);
      org = w ? w->organization : std::string();
      auto c = global_.capacity.find(org);
      if (c == global_.capacity.end()) return;
      auto& line = c->second.waiting;
      line.erase(std::remove_if(line.begin(), line.end(), [&](const capacity_waiter& x) { return x.run == r.id; }),
                 line.end());
    }
    auto c = global_.capacity.find(org);
    if (c == global_.capacity.end()) return;
    org_capacity& cap = c->second;
    const std::int64_t now_ms = to_unix_ms(now);
    while (cap.running < options_.organization_concurrency && !cap.waiting.empty()) {
      capacity_waiter next = cap.waiting.front();
      cap.waiting.pop_front();
      ++cap.running;
      global_.slot_holders.emplace(next.run, org);
      if (next.shard == s.index) {
        here.push_back(next);
      } else {
        shard& other = *shards_[next.shard];
        global_.grants[next.shard].push_back(next);
        other.grants_pending.store(true, std::memory_order_release);
        std::int64_t due = other.next_due_ms.load(std::memory_order_acquire);
        while (due > now_ms && !other.next_due_ms.compare_exchange_weak(due, now_ms, std::memory_order_acq_rel)) {}
      }
    }
    if (cap.running == 0 && cap.waiting.empty()) global_.capacity.erase(c);
  }
  for (const auto& g : here)
    if (const run* x = s.storage.find(of<run>, g.run)) schedule(s, g.run, x->step, g.start, now);
}

// Starts the runs another shard granted a slot to (requires s's lock).
template <class Policies>
void basic_engine<Policies>::take_grants_locked(shard& s, std::int64_t now_ms) {
  std::vector<capacity_waiter> mine;
  {
    std::lock_guard<mutex_type> g(global_.mutex);
    mine.swap(global_.grants[s.index]);
    s.grants_pending.store(false, std::memory_order_release);
  }
  for (const auto& g : mine)
    if (const run* x = s.storage.find(of<run>, g.run))  // gone or moved on: its leave released the slot
      if (x->status == run_status::plan_queued || x->status == run_status::apply_queued)
        schedule(s, g.run, x->step, g.start, from_unix_ms(now_ms));
}

// After a restore: the runs in a phase hold their organization's slots (even past the limit); the
// queued ones line up again as their start steps fire. Requires every shard lock.
template <class Policies>
void basic_engine<Policies>::rebuild_capacity_locked() {
  std::lock_guard<mutex_type> g(global_.mutex);
  global_.capacity.clear();
  global_.slot_holders.clear();
  for (auto& grants : global_.grants) grants.clear();
  if (!options_.organization_concurrency) return;
  for (auto& sp : shards_) {
    sp->grants_pending.store(false, std::memory_order_release);
    sp->storage.for_each(of<run>, [&](const run& r) {
      if (r.status != run_status::planning && r.status != run_status::applying) return;
      auto o = global_.ws_org.find(r.workspace_id);
      if (o == global_.ws_org.end()) return;
      ++global_.capacity[o->second].running;
      global_.slot_holders.emplace(r.id, o->second);
    });
  }
}

template <class Policies>
std::size_t basic_engine<Policies>::queue_position(std::string_view run_id) {
  if (!options_.organization_concurrency) return 0;
  std::lock_guard<mutex_type> g(global_.mutex);
  for (const auto& [org, cap] : global_.capacity)
    for (std::size_t i = 0; i < cap.waiting.size(); ++i)
      if (cap.waiting[i].run.view() == run_id) return i + 1;
  return 0;
}

}  // namespace tfe

#endif  // TFE_ENGINE_CAPACITY_HPP
