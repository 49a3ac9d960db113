// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Mutex policy: std::mutex makes every engine call thread-safe; null_mutex is for single-threaded hosts.
#ifndef TFE_POLICIES_MUTEX_HPP
#define TFE_POLICIES_MUTEX_HPP

#include <tfe/config.hpp>

#include <mutex>
#include <type_traits>
#include <utility>

namespace tfe {

// Contract (docs/policies.md#mutex): BasicLockable: m.lock(), m.unlock(); default constructible.

namespace detail {
template <class T, class = void>
struct is_basic_lockable : std::false_type {};
template <class T>
struct is_basic_lockable<T, std::void_t<decltype(std::declval<T&>().lock()), decltype(std::declval<T&>().unlock())>>
    : std::true_type {};
}  // namespace detail

/// True when T satisfies the mutex policy contract.
template <class T>
struct is_mutex_policy : std::bool_constant<detail::is_basic_lockable<T>::value && std::is_default_constructible_v<T>> {
};
/// True when T satisfies the mutex policy contract.
template <class T>
inline constexpr bool is_mutex_policy_v = is_mutex_policy<T>::value;

#if TFE_HAS_CONCEPTS
/// A mutex policy: BasicLockable and default constructible.
template <class T>
concept mutex_policy = is_mutex_policy_v<T>;
#endif

/// A mutex that does nothing, for hosts that call the engine from one thread only.
struct null_mutex {
  /// No-op.
  void lock() noexcept {}
  /// No-op.
  void unlock() noexcept {}
};

static_assert(is_mutex_policy_v<std::mutex>, "std::mutex must satisfy the mutex contract");
static_assert(is_mutex_policy_v<null_mutex>, "null_mutex must satisfy the mutex contract");

}  // namespace tfe

#endif  // TFE_POLICIES_MUTEX_HPP
