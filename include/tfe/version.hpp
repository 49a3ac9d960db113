// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The library's version, as macros and as constants.
#ifndef TFE_VERSION_HPP
#define TFE_VERSION_HPP

#define TFE_VERSION_MAJOR 0
#define TFE_VERSION_MINOR 1
#define TFE_VERSION_PATCH 0

namespace tfe {
/// The library version as "major.minor.patch".
inline constexpr const char* version_string = "0.1.0";
/// The TFE API version tfe speaks (sent as the TFP-API-Version header).
inline constexpr const char* api_version = "2.5";
}  // namespace tfe

#endif  // TFE_VERSION_HPP
