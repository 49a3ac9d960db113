// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The request journal: every request and response an API served, bounded, queryable by route and run.
#ifndef TFE_TESTING_JOURNAL_HPP
#define TFE_TESTING_JOURNAL_HPP

#include <tfe/api/http_message.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/time.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// One served request and its response.
struct journal_entry {
  std::uint64_t seq = 0;          ///< 1, 2, ... in arrival order (kept across evictions)
  time_point at{};                ///< engine time when it was served
  std::string method;             ///< request method
  std::string target;             ///< path and query as received
  std::string route;              ///< "POST /api/v2/runs/:id/actions/apply" (see route_of)
  std::string request_body;       ///< request body (cut at the journal's body limit)
  int status = 0;                 ///< response status
  std::string response_body;      ///< response body (cut at the journal's body limit)
  std::vector<std::string> runs;  ///< ids of the runs the request concerned (path, or the run it created)
  bool faulted = false;           ///< a fault rule fired on it
};

/// Appends the route template of a request to `out`: method, then the path with ids, names and secrets
/// as placeholders (":id", ":organization", ":name", ":token"), without the query.
inline void append_route(std::string& out, std::string_view method, std::string_view target) {
  out += method;
  out += ' ';
  std::string_view path = target.substr(0, target.find('?'));
  static constexpr std::string_view id_prefixes[] = {"ws-",  "run-", "cv-",     "plan-", "apply-",
                                                     "wsc-", "ce-",  "polchk-", "org-",  "user-"};
  std::string_view few[16];  // the segments; paths with more go to the heap
  std::vector<std::string_view> many;
  std::size_t n = 0;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    const std::string_view seg = path.substr(0, slash);
    if (n < 16) {
      few[n] = seg;
    } else {
      if (many.empty()) many.assign(few, few + 16);
      many.push_back(seg);
    }
    ++n;
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  const std::string_view* segs = many.empty() ? few : many.data();
  const bool uploads = n >= 3 && segs[0] == "v1" && segs[1] == "object" && segs[2] == "upload";
  const bool logs = n >= 2 && segs[0] == "v1" && segs[1] == "logs";
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view s = segs[i];
    std::string_view shown = s;
    bool id = false;
    for (auto p : id_prefixes)
      if (s.size() > p.size() && s.substr(0, p.size()) == p) id = true;
    if ((uploads && i == 3) || (logs && i == 3)) shown = ":token";
    else if (id || (logs && i == 2)) shown = ":id";
    else if (i > 0 && segs[i - 1] == "organizations" && i >= 3 && segs[i - 3] == "api") shown = ":organization";
    else if (i >= 2 && segs[i - 1] == "workspaces" && segs[i - 2] != "v2" && !id) shown = ":name";
    out += '/';
    out += shown;
  }
  if (n == 0) out += '/';
}

/// The route template of a request: method, then the path with ids, names and secrets as placeholders
/// (":id", ":organization", ":name", ":token"), without the query.
inline std::string route_of(std::string_view method, std::string_view target) {
  std::string out;
  append_route(out, method, target);
  return out;
}

/// A bounded, thread-safe record of served requests (capacity 0: records nothing).
class request_journal {
 public:
  /// A journal keeping the last `capacity` entries with bodies cut at `max_body` bytes.
  explicit request_journal(std::size_t capacity = 0, std::size_t max_body = 16 * 1024)
      : capacity_(capacity), max_body_(max_body) {}

  /// Changes how many entries are kept (the oldest go first).
  void set_capacity(std::size_t n) {
    std::lock_guard<std::mutex> g(mutex_);
    capacity_.store(n, std::memory_order_release);
    while (entries_.size() > n) evict();
  }
  /// Changes the length at which request and response bodies are cut.
  void set_max_body(std::size_t n) {
    std::lock_guard<std::mutex> g(mutex_);
    max_body_ = n;
  }
  /// How many entries are kept at most.
  std::size_t capacity() const noexcept { return capacity_.load(std::memory_order_acquire); }
  /// True when entries are being recorded.
  bool enabled() const noexcept { return capacity_.load(std::memory_order_acquire) > 0; }
  /// Records a served request.
  void record(const http_request& req, const http_response& res, time_point at, bool faulted) {
    std::lock_guard<std::mutex> g(mutex_);
    const std::size_t cap = capacity_.load(std::memory_order_acquire);
    if (cap == 0) return;
    // A full journal writes the new entry over the oldest one's strings: no allocation once they are
    // as long as what a client sends.
    journal_entry e;
    while (entries_.size() >= cap) {
      e = std::move(entries_.front());
      evict();
    }
    e.seq = ++seq_;
    e.at = at;
    e.method.assign(req.method, 0, 32);
    e.target.assign(req.target, 0, 4096);
    e.route.clear();  // derived from method and target when an entry is read (with_route)
    e.request_body.assign(req.body, 0, max_body_);
    e.status = res.status;
    e.response_body.assign(res.body, 0, max_body_);
    e.faulted = faulted;
    e.runs.clear();
    runs_of(req.path(), res, e.runs);
    entries_.push_back(std::move(e));
  }
  /// Every kept entry, oldest first.
  std::vector<journal_entry> entries() const {
    std::lock_guard<std::mutex> g(mutex_);
    std::vector<journal_entry> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(with_route(e));
    return out;
  }
  /// How many kept entries have route `route` ("POST /api/v2/runs").
  std::size_t count(std::string_view route) const {
    std::lock_guard<std::mutex> g(mutex_);
    std::size_t n = 0;
    std::string scratch;
    for (const auto& e : entries_) n += route_is(e, route, scratch);
    return n;
  }
  /// The latest entry with route `route`, if any.
  std::optional<journal_entry> last(std::string_view route) const {
    std::lock_guard<std::mutex> g(mutex_);
    std::string scratch;
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
      if (route_is(*it, route, scratch)) return with_route(*it);
    return std::nullopt;
  }
  /// Every kept entry that concerned run `run_id`, oldest first.
  std::vector<journal_entry> for_run(std::string_view run_id) const {
    std::lock_guard<std::mutex> g(mutex_);
    std::vector<journal_entry> out;
    for (const auto& e : entries_)
      for (const auto& r : e.runs)
        if (r == run_id) {
          out.push_back(with_route(e));
          break;
        }
    return out;
  }
  /// How many entries were evicted to respect the capacity.
  std::uint64_t dropped() const {
    std::lock_guard<std::mutex> g(mutex_);
    return dropped_;
  }
  /// Forgets every entry (sequence numbers go on).
  void clear() {
    std::lock_guard<std::mutex> g(mutex_);
    entries_.clear();
    dropped_ = 0;
  }

 private:
  // Routes are derived when an entry is read, not on every request served.
  static journal_entry with_route(const journal_entry& e) {
    journal_entry copy = e;
    append_route(copy.route, copy.method, copy.target);
    return copy;
  }
  static bool route_is(const journal_entry& e, std::string_view route, std::string& scratch) {
    scratch.clear();
    append_route(scratch, e.method, e.target);
    return scratch == route;
  }
  void evict() {
    entries_.pop_front();
    ++dropped_;
  }
  // Runs named in the path (run-, plan-, apply- ids share the suffix) or created by the request.
  static void runs_of(std::string_view path, const http_response& res, std::vector<std::string>& out) {
    auto add = [&](std::string_view suffix) {
      if (suffix.empty() || suffix.size() > 26) return;
      std::string id = "run-";
      id += suffix;
      for (const auto& x : out)
        if (x == id) return;
      out.push_back(std::move(id));
    };
    while (!path.empty()) {
      const auto slash = path.find('/');
      std::string_view s = path.substr(0, slash);
      path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
      for (std::string_view p : {"run-", "plan-", "apply-"})
        if (s.size() > p.size() && s.substr(0, p.size()) == p) add(s.substr(p.size()));
    }
    constexpr std::string_view created = "{\"data\":{\"id\":\"run-";
    if (res.body.compare(0, created.size(), created) == 0) {
      const auto end = res.body.find('"', created.size());
      if (end != std::string::npos) add(std::string_view(res.body).substr(created.size(), end - created.size()));
    }
  }

  mutable std::mutex mutex_;
  std::deque<journal_entry> entries_;
  std::atomic<std::size_t> capacity_;  // read without the lock on every request (enabled())
  std::size_t max_body_;
  std::uint64_t seq_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace tfe

#endif  // TFE_TESTING_JOURNAL_HPP
