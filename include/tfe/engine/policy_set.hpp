// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The policy set: one struct naming the five policies basic_engine is built from, and its checks.
#ifndef TFE_ENGINE_POLICY_SET_HPP
#define TFE_ENGINE_POLICY_SET_HPP

#include <tfe/config.hpp>
#include <tfe/policies/clock.hpp>
#include <tfe/policies/executor.hpp>
#include <tfe/policies/features.hpp>
#include <tfe/policies/id_generator.hpp>
#include <tfe/policies/mutex.hpp>
#include <tfe/policies/storage.hpp>

#include <cstdint>
#include <mutex>
#include <type_traits>
#include <utility>

namespace tfe {

/// The default policies: in-memory storage, system clock, random ids, simulated executor, std::mutex.
struct default_policies {
  using storage_type = memory_storage;       ///< where entities live
  using clock_type = system_clock_policy;    ///< where "now" comes from
  using id_generator_type = random_ids;      ///< how ids are made
  using executor_type = simulated_executor;  ///< what plans and applies do
  using mutex_type = std::mutex;             ///< how calls are serialized
};

/// Policies for deterministic tests: manual clock and sequential ids; inherit and override one alias to vary.
struct test_policies : default_policies {
  using clock_type = manual_clock;           ///< moves only when told
  using id_generator_type = sequential_ids;  ///< run-0000000000000001, ...
};

namespace detail {
template <class P, class = void>
struct has_storage_type : std::false_type {};
template <class P>
struct has_storage_type<P, std::void_t<typename P::storage_type>> : std::true_type {};
template <class P, class = void>
struct has_clock_type : std::false_type {};
template <class P>
struct has_clock_type<P, std::void_t<typename P::clock_type>> : std::true_type {};
template <class P, class = void>
struct has_id_generator_type : std::false_type {};
template <class P>
struct has_id_generator_type<P, std::void_t<typename P::id_generator_type>> : std::true_type {};
template <class P, class = void>
struct has_executor_type : std::false_type {};
template <class P>
struct has_executor_type<P, std::void_t<typename P::executor_type>> : std::true_type {};
template <class P, class = void>
struct has_mutex_type : std::false_type {};
template <class P>
struct has_mutex_type<P, std::void_t<typename P::mutex_type>> : std::true_type {};

template <class P, bool = has_storage_type<P>::value>
struct storage_ok : std::false_type {};
template <class P>
struct storage_ok<P, true> : is_storage_policy<typename P::storage_type> {};
template <class P, bool = has_clock_type<P>::value>
struct clock_ok : std::false_type {};
template <class P>
struct clock_ok<P, true> : is_clock_policy<typename P::clock_type> {};
template <class P, bool = has_id_generator_type<P>::value>
struct ids_ok : std::false_type {};
template <class P>
struct ids_ok<P, true> : is_id_generator_policy<typename P::id_generator_type> {};
template <class P, bool = has_executor_type<P>::value>
struct executor_ok : std::false_type {};
template <class P>
struct executor_ok<P, true> : is_executor_policy<typename P::executor_type> {};
template <class P, bool = has_mutex_type<P>::value>
struct mutex_ok : std::false_type {};
template <class P>
struct mutex_ok<P, true> : is_mutex_policy<typename P::mutex_type> {};

/// Emits one readable static_assert per broken requirement, then reports overall success.
template <class P>
struct policy_set_checks {
  static_assert(storage_ok<P>::value,
                "Policies::storage_type must name a storage policy (find/insert/update/erase/size/for_each per entity, "
                "put_blob/get_blob/erase_blob/clear); see docs/policies.md#storage");
  static_assert(clock_ok<P>::value,
                "Policies::clock_type must name a clock policy providing now() -> tfe::time_point; "
                "see docs/policies.md#clock");
  static_assert(ids_ok<P>::value,
                "Policies::id_generator_type must name an id policy providing next(id_kind) -> resource_id and "
                "token() -> std::string; see docs/policies.md#id-generator");
  static_assert(executor_ok<P>::value,
                "Policies::executor_type must name an executor policy providing plan(run, workspace) and "
                "apply(run, workspace) -> phase_outcome; see docs/policies.md#executor");
  static_assert(mutex_ok<P>::value,
                "Policies::mutex_type must be BasicLockable (lock(), unlock()); see docs/policies.md#mutex");
  static constexpr bool value =
      storage_ok<P>::value && clock_ok<P>::value && ids_ok<P>::value && executor_ok<P>::value && mutex_ok<P>::value;
};

}  // namespace detail

/// True when P names five valid policies (storage, clock, id generator, executor, mutex).
template <class P>
struct is_policy_set
    : std::bool_constant<detail::storage_ok<P>::value && detail::clock_ok<P>::value && detail::ids_ok<P>::value &&
                         detail::executor_ok<P>::value && detail::mutex_ok<P>::value> {};
/// True when P names five valid policies.
template <class P>
inline constexpr bool is_policy_set_v = is_policy_set<P>::value;

#if TFE_HAS_CONCEPTS
/// A policy set: storage_type, clock_type, id_generator_type, executor_type, mutex_type.
template <class P>
concept policy_set = is_policy_set_v<P>;
#endif

static_assert(is_policy_set_v<default_policies>, "default_policies must be a valid policy set");
static_assert(is_policy_set_v<test_policies>, "test_policies must be a valid policy set");

}  // namespace tfe

#endif  // TFE_ENGINE_POLICY_SET_HPP
