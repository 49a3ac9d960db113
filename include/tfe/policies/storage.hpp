// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Storage policy: where entities and blobs (configuration tarballs) live; in-memory by default.
#ifndef TFE_POLICIES_STORAGE_HPP
#define TFE_POLICIES_STORAGE_HPP

#include <tfe/config.hpp>
#include <tfe/model/agent_pool.hpp>
#include <tfe/model/configuration_version.hpp>
#include <tfe/model/field.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/organization.hpp>
#include <tfe/model/project.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/model/workspace.hpp>
#include <tfe/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace tfe {

/// The key type of an entity: organizations are keyed by name, everything else by resource_id.
template <class T>
using entity_key_t = std::conditional_t<std::is_same_v<T, organization>, std::string, resource_id>;

/// The key of an entity value.
inline const std::string& key_of(const organization& o) noexcept { return o.name; }
/// The key of an entity value.
inline const resource_id& key_of(const workspace& w) noexcept { return w.id; }
/// The key of an entity value.
inline const resource_id& key_of(const configuration_version& c) noexcept { return c.id; }
/// The key of an entity value.
inline const resource_id& key_of(const run& r) noexcept { return r.id; }
/// The key of an entity value.
inline const resource_id& key_of(const run_comment& c) noexcept { return c.id; }
/// The key of an entity value.
inline const resource_id& key_of(const project& p) noexcept { return p.id; }
/// The key of an entity value.
inline const resource_id& key_of(const state_version& v) noexcept { return v.id; }
/// The key of an entity value.
inline const resource_id& key_of(const agent_pool& p) noexcept { return p.id; }

// clang-format off
// Contract (docs/policies.md#storage), for each entity T in {organization, workspace,
// configuration_version, run, run_comment, project, state_version, agent_pool} and K = entity_key_t<T>:
//   | expression                   | type               | semantics                                                    |
//   | s.find(of<T>, key)           | const T* / nullptr | read; the pointer stays valid until the next mutating call   |
//   | s.insert(T&&)                | result<void>       | add; the key is new                                          |
//   | s.update(of<T>, key, fn)     | result<void>       | fn(T&) makes the change (maybe on a copy); durable on success |
//   | s.erase(of<T>, key)          | result<void>       | remove (no-op when absent)                                   |
//   | s.size(of<T>)                | std::size_t        | count                                                        |
//   | s.for_each(of<T>, fn)        | void               | fn(const T&) for every entity, any order                     |
//   | s.put_blob(key, bytes)       | result<void>       | store opaque bytes (uploaded configuration, states)          |
//   | s.get_blob(key)              | const std::string* | read bytes or nullptr                                        |
//   | s.erase_blob(key)            | result<void>       | remove bytes                                                 |
//   | s.clear()                    | result<void>       | remove everything                                            |
//   | s.commit()  (optional)       | result<void>       | end of one engine operation: its writes form one unit        |
//   | s.sync()    (optional)       | result<void>       | make committed writes durable (hosts call it; storage.md)   |
// clang-format on
// Calls happen under the engine's mutex. A failing write returns errc::storage_failure and must
// leave the stored entity as it was; the engine then reports the failure and changes nothing else.

namespace detail {
template <class S, class T, class = void>
struct has_entity_ops : std::false_type {};
template <class S, class T>
struct has_entity_ops<
    S, T,
    std::void_t<decltype(std::declval<const S&>().find(of<T>, std::declval<const entity_key_t<T>&>())),
                decltype(std::declval<S&>().insert(std::declval<T&&>())),
                decltype(std::declval<S&>().update(of<T>, std::declval<const entity_key_t<T>&>(),
                                                   std::declval<void (*)(T&)>())),
                decltype(std::declval<S&>().erase(of<T>, std::declval<const entity_key_t<T>&>())),
                decltype(std::declval<const S&>().size(of<T>)),
                decltype(std::declval<const S&>().for_each(of<T>, std::declval<void (*)(const T&)>()))>>
    : std::bool_constant<
          std::is_convertible_v<decltype(std::declval<const S&>().find(of<T>, std::declval<const entity_key_t<T>&>())),
                                const T*> &&
          std::is_same_v<decltype(std::declval<S&>().insert(std::declval<T&&>())), result<void>>> {};
template <class S, class = void>
struct has_blob_ops : std::false_type {};
template <class S>
struct has_blob_ops<
    S, std::void_t<decltype(std::declval<S&>().put_blob(std::string_view{}, std::string{})),
                   decltype(std::declval<const S&>().get_blob(std::string_view{})),
                   decltype(std::declval<S&>().erase_blob(std::string_view{})), decltype(std::declval<S&>().clear())>>
    : std::true_type {};
}  // namespace detail

/// True when S satisfies the storage policy contract.
template <class S>
struct is_storage_policy
    : std::bool_constant<
          detail::has_entity_ops<S, organization>::value && detail::has_entity_ops<S, workspace>::value &&
          detail::has_entity_ops<S, configuration_version>::value && detail::has_entity_ops<S, run>::value &&
          detail::has_entity_ops<S, run_comment>::value && detail::has_entity_ops<S, project>::value &&
          detail::has_entity_ops<S, state_version>::value && detail::has_entity_ops<S, agent_pool>::value &&
          detail::has_blob_ops<S>::value && std::is_default_constructible_v<S>> {};
/// True when S satisfies the storage policy contract.
template <class S>
inline constexpr bool is_storage_policy_v = is_storage_policy<S>::value;

#if TFE_HAS_CONCEPTS
/// A storage policy: typed find/insert/update/erase per entity plus blobs.
template <class S>
concept storage_policy = is_storage_policy_v<S>;
#endif

/// The default storage: hash maps in memory. Reads are O(1) expected.
class memory_storage {
  template <class T>
  using map = std::unordered_map<entity_key_t<T>, T>;

 public:
  /// Finds an entity by key.
  template <class T>
  const T* find(entity_tag<T>, const entity_key_t<T>& key) const noexcept {
    return const_cast<memory_storage*>(this)->lookup<T>(key);
  }
  /// Inserts a new entity.
  template <class T>
  result<void> insert(T&& value) {
    using U = std::decay_t<T>;
    auto& m = table<U>();
    entity_key_t<U> k = key_of(value);
    m.insert_or_assign(std::move(k), std::forward<T>(value));
    return {};
  }
  /// Mutates an entity in place.
  template <class T, class F>
  result<void> update(entity_tag<T>, const entity_key_t<T>& key, F&& fn) {
    T* v = lookup<T>(key);
    if (!v) return make_error(errc::not_found, "no such entity");
    fn(*v);
    return {};
  }
  /// Removes an entity.
  template <class T>
  result<void> erase(entity_tag<T>, const entity_key_t<T>& key) {
    if constexpr (std::is_same_v<T, run>) last_run_ = nullptr;
    table<T>().erase(key);
    return {};
  }
  /// Number of entities of type T.
  template <class T>
  std::size_t size(entity_tag<T>) const noexcept {
    return table<T>().size();
  }
  /// Calls fn(const T&) for each entity of type T.
  template <class T, class F>
  void for_each(entity_tag<T>, F&& fn) const {
    for (const auto& kv : table<T>()) fn(kv.second);
  }
  /// Reserves room for `n` entities of type T.
  template <class T>
  void reserve(entity_tag<T>, std::size_t n) {
    table<T>().reserve(n);
  }

  /// Stores bytes under `key`.
  result<void> put_blob(std::string_view key, std::string bytes) {
    blobs_.insert_or_assign(std::string(key), std::move(bytes));
    return {};
  }
  /// The bytes under `key`, or nullptr.
  const std::string* get_blob(std::string_view key) const noexcept {
    auto it = blobs_.find(std::string(key));
    return it == blobs_.end() ? nullptr : &it->second;
  }
  /// Removes the bytes under `key`.
  result<void> erase_blob(std::string_view key) {
    blobs_.erase(std::string(key));
    return {};
  }
  /// Removes everything.
  result<void> clear() {
    last_run_ = nullptr;
    orgs_.clear();
    workspaces_.clear();
    cvs_.clear();
    runs_.clear();
    comments_.clear();
    projects_.clear();
    state_versions_.clear();
    agent_pools_.clear();
    blobs_.clear();
    return {};
  }

 private:
  // The engine reads and writes one run several times in a row; remembering the last one saves
  // the hash-table walks (cache misses) on a table of millions of runs.
  template <class T>
  T* lookup(const entity_key_t<T>& key) noexcept {
    if constexpr (std::is_same_v<T, run>) {
      if (last_run_ && last_run_->id == key) return last_run_;
      auto it = runs_.find(key);
      if (it == runs_.end()) return nullptr;
      last_run_ = &it->second;
      return last_run_;
    } else {
      auto& m = table<T>();
      auto it = m.find(key);
      return it == m.end() ? nullptr : &it->second;
    }
  }
  template <class T>
  map<T>& table() noexcept {
    return const_cast<map<T>&>(static_cast<const memory_storage*>(this)->table<T>());
  }
  template <class T>
  const map<T>& table() const noexcept {
    if constexpr (std::is_same_v<T, organization>) return orgs_;
    else if constexpr (std::is_same_v<T, workspace>) return workspaces_;
    else if constexpr (std::is_same_v<T, configuration_version>) return cvs_;
    else if constexpr (std::is_same_v<T, run>) return runs_;
    else if constexpr (std::is_same_v<T, run_comment>) return comments_;
    else if constexpr (std::is_same_v<T, project>) return projects_;
    else if constexpr (std::is_same_v<T, agent_pool>) return agent_pools_;
    else return state_versions_;
  }

  map<organization> orgs_;
  map<workspace> workspaces_;
  map<configuration_version> cvs_;
  map<run> runs_;
  map<run_comment> comments_;
  map<project> projects_;
  map<state_version> state_versions_;
  map<agent_pool> agent_pools_;
  std::unordered_map<std::string, std::string> blobs_;
  run* last_run_ = nullptr;
};

static_assert(is_storage_policy_v<memory_storage>, "memory_storage must satisfy the storage contract");

}  // namespace tfe

#endif  // TFE_POLICIES_STORAGE_HPP
