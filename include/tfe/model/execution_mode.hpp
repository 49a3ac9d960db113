// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Where a workspace's runs execute: remote (tfe runs them), local (the client runs them) or agent.
#ifndef TFE_MODEL_EXECUTION_MODE_HPP
#define TFE_MODEL_EXECUTION_MODE_HPP

#include <tfe/detail/enum_names.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tfe {

/// A workspace's (or an organization's default) execution mode.
enum class execution_mode : std::uint8_t {
  remote,  ///< runs plan and apply in tfe (the default)
  local,   ///< runs happen on the client; tfe only stores state (POST /runs is refused)
  agent,   ///< runs execute on an agent pool (agent-pool-id required)
};

namespace detail {
/// The wire names of execution_mode, in enumerator order.
template <>
struct enum_names<execution_mode> {
  static constexpr std::string_view value[] = {"remote", "local", "agent"};
};
}  // namespace detail
static_assert(detail::enum_count<execution_mode> == static_cast<std::size_t>(execution_mode::agent) + 1,
              "execution_mode: the name table must list every enumerator");

/// The wire string of an execution mode ("remote").
constexpr std::string_view to_string(execution_mode m) noexcept { return detail::enum_name(m); }

/// Parses "remote", "local" or "agent"; nullopt otherwise.
constexpr std::optional<execution_mode> execution_mode_from_string(std::string_view s) noexcept {
  return detail::enum_from_name<execution_mode>(s);
}

}  // namespace tfe

#endif  // TFE_MODEL_EXECUTION_MODE_HPP
