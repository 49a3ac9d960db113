// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The optional members a policy may offer, and the checks the engine and the admin API make for them.
#ifndef TFE_POLICIES_FEATURES_HPP
#define TFE_POLICIES_FEATURES_HPP

#include <tfe/model/ids.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/time.hpp>
#include <tfe/model/workspace.hpp>
#include <tfe/policies/executor.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tfe {
namespace detail {

// ---- clock ----------------------------------------------------------------------------------------
/// The clock can be set (`c.set(time_point)`): run_until_idle() and restore() move it.
template <class C, class = void>
struct is_settable_clock : std::false_type {};
template <class C>
struct is_settable_clock<C, std::void_t<decltype(std::declval<C&>().set(std::declval<time_point>()))>>
    : std::true_type {};
/// The clock can be moved forward (`c.advance(milliseconds)`): the admin API's clock control.
template <class C, class = void>
struct has_advance : std::false_type {};
template <class C>
struct has_advance<C, std::void_t<decltype(std::declval<C&>().advance(milliseconds{}))>> : std::true_type {};
/// The clock says whether it is stopped (`bool c.frozen() const`): a manual clock that may follow system time.
template <class C, class = void>
struct has_frozen : std::false_type {};
template <class C>
struct has_frozen<C, std::void_t<decltype(bool(std::declval<const C&>().frozen()))>> : std::true_type {};

// ---- id generator ---------------------------------------------------------------------------------
/// The generator can be reseeded (`g.seed(std::uint64_t)`): engine::seed_ids().
template <class G, class = void>
struct has_seed : std::false_type {};
template <class G>
struct has_seed<G, std::void_t<decltype(std::declval<G&>().seed(std::uint64_t{}))>> : std::true_type {};
/// The generator's position can be saved and restored (`state()`, `set_state()`): snapshots carry it.
template <class T, class = void>
struct has_id_state : std::false_type {};
template <class T>
struct has_id_state<T, std::void_t<decltype(std::string(std::declval<const T&>().state())),
                                   decltype(bool(std::declval<T&>().set_state(std::string_view{})))>> : std::true_type {
};

// ---- executor -------------------------------------------------------------------------------------
/// The executor forgets a finished run (`x.forget(const resource_id&)`), keeping its memory bounded.
template <class X, class = void>
struct has_forget : std::false_type {};
template <class X>
struct has_forget<X, std::void_t<decltype(std::declval<X&>().forget(std::declval<const resource_id&>()))>>
    : std::true_type {};
/// The executor decides the check stages (`run_script x.checks(const run&, const workspace&)`).
template <class X, class = void>
struct has_checks : std::false_type {};
template <class X>
struct has_checks<
    X, std::void_t<decltype(std::declval<X&>().checks(std::declval<const run&>(), std::declval<const workspace&>()))>>
    : std::is_convertible<decltype(std::declval<X&>().checks(std::declval<const run&>(),
                                                             std::declval<const workspace&>())),
                          run_script> {};
/// The executor locks itself (`static constexpr bool thread_safe = true`): calls from shards run concurrently.
template <class X, class = void>
struct is_thread_safe_executor : std::false_type {};
template <class X>
struct is_thread_safe_executor<X, std::enable_if_t<X::thread_safe>> : std::true_type {};
/// The executor can be scripted (script_run, script_workspace, script_next, clear_scripts): /_tfe/script.
template <class X, class = void>
struct has_scripts : std::false_type {};
template <class X>
struct has_scripts<X, std::void_t<decltype(std::declval<X&>().script_run(resource_id{}, run_script{})),
                                  decltype(std::declval<X&>().script_workspace(resource_id{}, run_script{})),
                                  decltype(std::declval<X&>().script_next(run_script{})),
                                  decltype(std::declval<X&>().clear_scripts())>> : std::true_type {};

// ---- storage --------------------------------------------------------------------------------------
/// The storage groups an operation's writes (`result<void> s.commit()`), called after every engine operation.
template <class S, class = void>
struct has_commit : std::false_type {};
template <class S>
struct has_commit<S, std::void_t<decltype(std::declval<S&>().commit())>> : std::true_type {};
/// The storage makes committed writes durable on request (`result<void> s.sync()`): engine::sync_storage().
template <class S, class = void>
struct has_sync : std::false_type {};
template <class S>
struct has_sync<S, std::void_t<decltype(std::declval<S&>().sync())>> : std::true_type {};

}  // namespace detail
}  // namespace tfe

#endif  // TFE_POLICIES_FEATURES_HPP
