// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Fault injection at the API layer: rules that answer with an error, add latency or break the connection.
#ifndef TFE_TESTING_FAULTS_HPP
#define TFE_TESTING_FAULTS_HPP

#include <tfe/api/error_document.hpp>
#include <tfe/api/http_message.hpp>
#include <tfe/json.hpp>
#include <tfe/result.hpp>
#include <tfe/testing/faulted_response.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// One fault rule (docs/testing.md#faults): which requests it hits and what happens to them.
struct fault_rule {
  std::string method;                  ///< request method ("GET", "POST", ...); empty matches any
  std::string path = "*";              ///< glob over the path (no query): '*' matches any characters, '/' included
  std::optional<std::uint64_t> count;  ///< fires this many times, then retires; unset: until cleared
  double probability = 1.0;            ///< chance to fire on a matching request (from the injector's seeded generator)
  int status = 0;                      ///< answer with this status instead of serving (0: serve normally)
  double retry_after = 1.0;            ///< 429/503: seconds sent as Retry-After (rounded up) and X-RateLimit-Reset
  std::chrono::milliseconds latency{0};               ///< wait this long before the response is written (transport)
  transport_fault transport = transport_fault::none;  ///< break the connection (HTTP transport)
  std::string body;                                   ///< custom response body for `status` (default: a JSON:API error)
  std::uint64_t fired = 0;                            ///< how often it fired (reported by fault_injector::rules())
};

/// True when `path` matches the glob `pattern` ('*' matches any run of characters).
inline bool glob_match(std::string_view pattern, std::string_view path) noexcept {
  std::size_t p = 0, s = 0, star = std::string_view::npos, mark = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

/// The ordered list of fault rules an API consults for every request; thread-safe, seeded.
class fault_injector {
 public:
  /// Appends a rule (rules are tried in order; the first that fires wins).
  void add(fault_rule r) {
    std::lock_guard<std::mutex> g(mutex_);
    rules_.push_back(std::move(r));
    active_.store(true, std::memory_order_release);
  }
  /// Removes every rule.
  void clear() {
    std::lock_guard<std::mutex> g(mutex_);
    rules_.clear();
    active_.store(false, std::memory_order_release);
  }
  /// The rules still in force, with their remaining counts and how often each fired.
  std::vector<fault_rule> rules() const {
    std::lock_guard<std::mutex> g(mutex_);
    return rules_;
  }
  /// Reseeds the generator that decides probabilistic rules.
  void seed(std::uint64_t s) {
    std::lock_guard<std::mutex> g(mutex_);
    state_ = s;
  }
  /// True when any rule is in force (a cheap check for the request path).
  bool active() const noexcept { return active_.load(std::memory_order_acquire); }
  /// The rule that fires for `method path`, if one does; consumes one of its count.
  std::optional<fault_rule> match(std::string_view method, std::string_view path) {
    if (!active()) return std::nullopt;
    std::lock_guard<std::mutex> g(mutex_);
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      fault_rule& r = rules_[i];
      if (!r.method.empty() && r.method != method) continue;
      if (!glob_match(r.path, path)) continue;
      if (r.probability < 1.0 && !(uniform() < r.probability)) continue;
      ++r.fired;
      fault_rule hit = r;
      if (r.count && --*r.count == 0) rules_.erase(rules_.begin() + static_cast<std::ptrdiff_t>(i));
      active_.store(!rules_.empty(), std::memory_order_release);
      return hit;
    }
    return std::nullopt;
  }

 private:
  double uniform() noexcept {  // splitmix64 -> [0, 1)
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
  }
  mutable std::mutex mutex_;
  std::vector<fault_rule> rules_;
  std::uint64_t state_ = 0x5EED;
  std::atomic<bool> active_{false};
};

/// The response a fault with a status gives: a JSON:API error (or the rule's body) with the
/// headers TFE sends with it (429: Retry-After, X-RateLimit-Remaining 0, X-RateLimit-Reset).
inline http_response fault_response(const fault_rule& r) {
  http_response res = error_response(r.status, reason_phrase(r.status),
                                     r.status == 429 ? std::string_view("You have exceeded the API's rate limit.")
                                                     : std::string_view("Injected fault (tfe test control)"));
  if (!r.body.empty()) res.body = r.body;
  if (r.status == 429 || r.status == 503) {
    const double secs = r.retry_after > 0 ? r.retry_after : 0;
    res.set_header("Retry-After", std::to_string(static_cast<long long>(std::ceil(secs))));
    if (r.status == 429) {
      char buf[32];
      const long long ms = std::llround(secs * 1000);
      std::snprintf(buf, sizeof buf, "%lld.%03lld", ms / 1000, ms % 1000);
      res.set_header("X-RateLimit-Remaining", "0");
      res.set_header("X-RateLimit-Reset", buf);
    }
  }
  return res;
}

/// A rule from its JSON form (docs/testing.md#faults): {"method", "path", "count", "probability",
/// "status", "retry-after", "latency-ms", "transport": "drop"|"truncate", "body"}.
inline result<fault_rule> fault_rule_from_json(const json& j, std::string_view pointer = {}) {
  const std::string at(pointer);
  if (!j.is_object()) return make_error(errc::validation_failed, "a fault rule must be an object", at);
  fault_rule r;
  for (const auto& m : *j.as_object()) {
    const std::string& k = m.first;
    const json& v = m.second;
    const std::string where = at + "/" + k.substr(0, 64);
    auto bad = [&](const char* why) {
      return make_error(errc::validation_failed, k.substr(0, 64) + ": " + why, where);
    };
    if (k == "method") {
      auto s = v.as_string();
      if (!s || s->size() > 16) return bad("must be an HTTP method");
      r.method = std::string(*s);
    } else if (k == "path") {
      auto s = v.as_string();
      if (!s || s->empty() || s->size() > 1024) return bad("must be a path glob");
      r.path = std::string(*s);
    } else if (k == "count") {
      auto n = v.as_int();
      if (!n || *n < 1) return bad("must be a positive integer");
      r.count = static_cast<std::uint64_t>(*n);
    } else if (k == "probability") {
      auto d = v.as_double();
      if (!d || !(*d >= 0.0 && *d <= 1.0)) return bad("must be a number from 0 to 1");
      r.probability = *d;
    } else if (k == "status") {
      auto n = v.as_int();
      if (!n || *n < 100 || *n > 599) return bad("must be an HTTP status (100-599)");
      r.status = static_cast<int>(*n);
    } else if (k == "retry-after") {
      auto d = v.as_double();
      if (!d || !(*d >= 0.0 && *d <= 86400.0)) return bad("must be seconds from 0 to 86400");
      r.retry_after = *d;
    } else if (k == "latency-ms") {
      auto n = v.as_int();
      if (!n || *n < 0 || *n > 600000) return bad("must be milliseconds from 0 to 600000");
      r.latency = std::chrono::milliseconds(*n);
    } else if (k == "transport") {
      auto s = v.as_string();
      if (s && *s == "drop") r.transport = transport_fault::drop_connection;
      else if (s && *s == "truncate") r.transport = transport_fault::truncate_body;
      else if (s && *s == "none") r.transport = transport_fault::none;
      else return bad("must be drop, truncate or none");
    } else if (k == "body") {
      auto s = v.as_string();
      if (!s) return bad("must be a string");
      r.body = std::string(*s);
    } else {
      return make_error(errc::validation_failed, "unknown member '" + k.substr(0, 64) + "'", where);
    }
  }
  if (r.status == 0 && r.latency.count() == 0 && r.transport == transport_fault::none)
    return make_error(errc::validation_failed, "a fault needs a status, a latency-ms or a transport", at);
  return r;
}

/// The JSON form of a rule, with its remaining count and how often it fired.
inline json fault_rule_to_json(const fault_rule& r) {
  json j = json::object();
  if (!r.method.empty()) j.set("method", json(r.method));
  j.set("path", json(r.path));
  j.set("count", r.count ? json(static_cast<std::int64_t>(*r.count)) : json());
  j.set("probability", json(r.probability));
  if (r.status) j.set("status", json(r.status));
  if (r.status == 429 || r.status == 503) j.set("retry-after", json(r.retry_after));
  if (r.latency.count()) j.set("latency-ms", json(static_cast<std::int64_t>(r.latency.count())));
  if (r.transport != transport_fault::none)
    j.set("transport", json(r.transport == transport_fault::drop_connection ? "drop" : "truncate"));
  if (!r.body.empty()) j.set("body", json(r.body));
  j.set("fired", json(static_cast<std::int64_t>(r.fired)));
  return j;
}

}  // namespace tfe

#endif  // TFE_TESTING_FAULTS_HPP
