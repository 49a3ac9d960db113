// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Field descriptions: each entity names its fields once (wire name, member, options member, uses); the
// snapshot codec, request reading and response writing all walk that one list.
#ifndef TFE_MODEL_FIELD_HPP
#define TFE_MODEL_FIELD_HPP

#include <cstdint>
#include <string_view>
#include <type_traits>

namespace tfe {

/// Selects an entity type in storage and field calls: `s.find(of<run>, id)`, `visit_fields(of<run>, v)`.
template <class T>
struct entity_tag {};
/// The tag value for entity type T.
template <class T>
inline constexpr entity_tag<T> of{};

/// Where a field is used; a field description combines these bits.
enum field_use : std::uint8_t {
  stored = 1,         ///< part of the entity's stored form (snapshots, journals, databases)
  attribute = 2,      ///< written as a JSON:API attribute of the same name in responses
  null_if_empty = 4,  ///< as an attribute: an empty string or array is written as null
};

/// Marks a field without an entity member (request-only) or without an options member (not writable).
struct no_member {};

/// One field of entity E: its kebab-case name, the entity member (or no_member), the options member
/// that a create or update request sets (or no_member) and its uses.
template <class E, class Member, class Option>
struct field {
  std::string_view name;  ///< wire and stored name ("auto-apply")
  Member member;          ///< pointer to the entity's member, or no_member{}
  Option option;          ///< pointer to the options struct's member, or no_member{}
  std::uint8_t uses;      ///< field_use bits

  /// True when the field is part of the stored form.
  constexpr bool is_stored() const noexcept { return (uses & field_use::stored) != 0; }
  /// True when the field is written as a response attribute.
  constexpr bool is_attribute() const noexcept { return (uses & field_use::attribute) != 0; }
  /// True when an empty value is written as null in responses.
  constexpr bool empty_is_null() const noexcept { return (uses & field_use::null_if_empty) != 0; }
  /// True when the field has an entity member.
  static constexpr bool has_member = !std::is_same_v<Member, no_member>;
  /// True when a request can set the field.
  static constexpr bool has_option = !std::is_same_v<Option, no_member>;
};

/// A field of E stored in member `m` (and readable from requests through options member `o`).
template <class E, class M, class Option = no_member>
constexpr field<E, M E::*, Option> make_field(std::string_view name, M E::*m, std::uint8_t uses,
                                              Option o = {}) noexcept {
  return {name, m, o, uses};
}
/// A request-only field of E: an options member without an entity member (e.g. `operations`).
template <class E, class Option>
constexpr field<E, no_member, Option> request_field(std::string_view name, Option o) noexcept {
  return {name, no_member{}, o, 0};
}

/// Calls fn(field) for every field of an entity, in the order of its description. Each entity header
/// defines `template <class F> constexpr void visit_fields(entity_tag<E>, F&& fn)`.
template <class E, class F>
constexpr void for_each_field(F&& fn) {
  visit_fields(of<E>, fn);
}

}  // namespace tfe

#endif  // TFE_MODEL_FIELD_HPP
