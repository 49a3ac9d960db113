// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The lifecycle of the bytes behind a configuration version or a state version (Terraform Enterprise's
// soft delete, restore and permanent delete of backing data).
#ifndef TFE_MODEL_BACKING_DATA_HPP
#define TFE_MODEL_BACKING_DATA_HPP

#include <tfe/detail/enum_names.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tfe {

/// Where the uploaded bytes of a configuration or state version are.
enum class backing_data : std::uint8_t {
  present,              ///< stored and downloadable
  soft_deleted,         ///< hidden: downloads answer 404 until restored
  permanently_deleted,  ///< gone for good
};

namespace detail {
/// The stored names of backing_data, in enumerator order.
template <>
struct enum_names<backing_data> {
  static constexpr std::string_view value[] = {"present", "soft-deleted", "permanently-deleted"};
};
}  // namespace detail
static_assert(detail::enum_count<backing_data> == static_cast<std::size_t>(backing_data::permanently_deleted) + 1,
              "backing_data: the name table must list every enumerator");

/// The stored string of a backing_data state.
constexpr std::string_view to_string(backing_data b) noexcept { return detail::enum_name(b); }

/// What a backing-data action asks for (`actions/soft_delete_backing_data` and its two siblings).
enum class backing_data_action : std::uint8_t {
  soft_delete,         ///< present -> soft_deleted
  restore,             ///< soft_deleted -> present
  permanently_delete,  ///< soft_deleted -> permanently_deleted
};

/// The state `action` leads to from `from`, or false (TFE: 422 "transition not allowed").
constexpr bool backing_data_transition(backing_data from, backing_data_action action, backing_data& to) noexcept {
  switch (action) {
    case backing_data_action::soft_delete:
      to = backing_data::soft_deleted;
      return from == backing_data::present;
    case backing_data_action::restore:
      to = backing_data::present;
      return from == backing_data::soft_deleted;
    case backing_data_action::permanently_delete:
      to = backing_data::permanently_deleted;
      return from == backing_data::soft_deleted;
  }
  return false;
}

}  // namespace tfe

#endif  // TFE_MODEL_BACKING_DATA_HPP
