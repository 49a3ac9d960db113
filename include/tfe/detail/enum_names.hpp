// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// One name table per enumeration: to_string, parsing, counts and the list of enumerators all derive from it.
#ifndef TFE_DETAIL_ENUM_NAMES_HPP
#define TFE_DETAIL_ENUM_NAMES_HPP

#include <tfe/config.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tfe {
namespace detail {

/// Specialized beside each enumeration E whose enumerators are 0, 1, ... N-1:
/// `static constexpr std::string_view value[N]`, the names in enumerator order. A header that
/// specializes it also static_asserts that N is its last enumerator plus one.
template <class E>
struct enum_names;

/// True when E has a name table.
template <class E, class = void>
struct has_enum_names : std::false_type {};
/// True when E has a name table.
template <class E>
struct has_enum_names<E, std::void_t<decltype(enum_names<E>::value)>> : std::true_type {};

/// Number of enumerators of E (the size of its name table).
template <class E>
inline constexpr std::size_t enum_count = std::extent_v<decltype(enum_names<E>::value)>;

/// Shown for a value outside the table: a corrupted enum, never a plausible name.
inline constexpr std::string_view invalid_enum_name = "<invalid>";

/// The entry for `e` in a table indexed by enumerator value. A value outside the table is a
/// corrupted enum: TFE_ASSERT fires (and, should a custom TFE_ASSERT return, "<invalid>" is returned).
template <class E, std::size_t N>
constexpr std::string_view enum_lookup(const std::string_view (&table)[N], E e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  TFE_ASSERT(i < N);
  return i < N ? table[i] : invalid_enum_name;
}

/// The name of `e` from E's name table.
template <class E>
constexpr std::string_view enum_name(E e) noexcept {
  return enum_lookup(enum_names<E>::value, e);
}

/// The enumerator named `s`, or nullopt.
template <class E>
constexpr std::optional<E> enum_from_name(std::string_view s) noexcept {
  for (std::size_t i = 0; i < enum_count<E>; ++i)
    if (enum_names<E>::value[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

template <class E, std::size_t... I>
constexpr std::array<E, sizeof...(I)> enumerators_impl(std::index_sequence<I...>) noexcept {
  return {{static_cast<E>(I)...}};
}
/// Every enumerator of E in value order.
template <class E>
constexpr std::array<E, enum_count<E>> all_enumerators() noexcept {
  return enumerators_impl<E>(std::make_index_sequence<enum_count<E>>{});
}

}  // namespace detail
}  // namespace tfe

#endif  // TFE_DETAIL_ENUM_NAMES_HPP
