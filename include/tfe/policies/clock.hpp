// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Clock policy: where the engine's "now" comes from (system time, or a manual clock tests drive).
#ifndef TFE_POLICIES_CLOCK_HPP
#define TFE_POLICIES_CLOCK_HPP

#include <tfe/config.hpp>
#include <tfe/model/time.hpp>

#include <atomic>
#include <chrono>
#include <type_traits>
#include <utility>

namespace tfe {

// Contract (docs/policies.md#clock):
//   | expression          | type        | semantics                                    |
//   | c.now()             | time_point  | current UTC time; never goes backwards        |
//   | C{}                 |             | default constructible                          |
// now() is called under the engine's mutex, may be called often, must not block.

namespace detail {
template <class T, class = void>
struct has_now : std::false_type {};
template <class T>
struct has_now<T, std::void_t<decltype(std::declval<T&>().now())>>
    : std::is_convertible<decltype(std::declval<T&>().now()), time_point> {};
}  // namespace detail

/// True when T satisfies the clock policy contract.
template <class T>
struct is_clock_policy : std::bool_constant<detail::has_now<T>::value && std::is_default_constructible_v<T>> {};
/// True when T satisfies the clock policy contract.
template <class T>
inline constexpr bool is_clock_policy_v = is_clock_policy<T>::value;

#if TFE_HAS_CONCEPTS
/// A clock policy: `now()` returns a tfe::time_point.
template <class T>
concept clock_policy = is_clock_policy_v<T>;
#endif

/// The system clock, truncated to milliseconds.
struct system_clock_policy {
  /// The current UTC time.
  time_point now() const noexcept {
    return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  }
};

/// A clock that moves only when told: deterministic tests drive it with advance().
class manual_clock {
 public:
  /// Starts at 2026-01-01T00:00:00Z.
  manual_clock() noexcept : ms_(1767225600000) {}
  /// The current manual time.
  time_point now() const noexcept { return from_unix_ms(ms_.load(std::memory_order_acquire)); }
  /// Moves time forward by `d` (negative durations are ignored).
  void advance(milliseconds d) noexcept {
    if (d.count() > 0) ms_.fetch_add(d.count(), std::memory_order_acq_rel);
  }
  /// Sets the time to `t` when it is later than now.
  void set(time_point t) noexcept {
    auto cur = ms_.load(std::memory_order_acquire);
    while (to_unix_ms(t) > cur && !ms_.compare_exchange_weak(cur, to_unix_ms(t))) {}
  }

 private:
  std::atomic<std::int64_t> ms_;
};

/// System time until freeze(); from then on a manual clock moved by advance() (tfe-server --manual-clock).
class switchable_clock {
 public:
  /// The current time: the system's, or the frozen time.
  time_point now() const noexcept {
    if (!frozen_.load(std::memory_order_acquire)) return system_clock_policy{}.now();
    return from_unix_ms(ms_.load(std::memory_order_acquire));
  }
  /// Stops following the system clock at its current time.
  void freeze() noexcept {
    if (frozen_.load(std::memory_order_acquire)) return;
    ms_.store(to_unix_ms(system_clock_policy{}.now()), std::memory_order_release);
    frozen_.store(true, std::memory_order_release);
  }
  /// True once freeze() was called.
  bool frozen() const noexcept { return frozen_.load(std::memory_order_acquire); }
  /// Moves frozen time forward by `d` (ignored while following the system clock, or when negative).
  void advance(milliseconds d) noexcept {
    if (frozen() && d.count() > 0) ms_.fetch_add(d.count(), std::memory_order_acq_rel);
  }
  /// Sets frozen time to `t` when it is later (ignored while following the system clock).
  void set(time_point t) noexcept {
    if (!frozen()) return;
    auto cur = ms_.load(std::memory_order_acquire);
    while (to_unix_ms(t) > cur && !ms_.compare_exchange_weak(cur, to_unix_ms(t))) {}
  }

 private:
  std::atomic<bool> frozen_{false};
  std::atomic<std::int64_t> ms_{0};
};

static_assert(is_clock_policy_v<system_clock_policy>, "system_clock_policy must satisfy the clock contract");
static_assert(is_clock_policy_v<manual_clock>, "manual_clock must satisfy the clock contract");
static_assert(is_clock_policy_v<switchable_clock>, "switchable_clock must satisfy the clock contract");

}  // namespace tfe

#endif  // TFE_POLICIES_CLOCK_HPP
