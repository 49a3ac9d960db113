// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A configuration version: an uploaded Terraform configuration that runs plan.
#ifndef TFE_MODEL_CONFIGURATION_VERSION_HPP
#define TFE_MODEL_CONFIGURATION_VERSION_HPP

#include <tfe/model/ids.hpp>
#include <tfe/model/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tfe {

/// Status of a configuration version (reference 4.2).
enum class configuration_status : std::uint8_t { pending, fetching, uploaded, archived, errored };

/// The wire string of a configuration version status.
constexpr std::string_view to_string(configuration_status s) noexcept {
  switch (s) {
    case configuration_status::pending: return "pending";
    case configuration_status::fetching: return "fetching";
    case configuration_status::uploaded: return "uploaded";
    case configuration_status::archived: return "archived";
    case configuration_status::errored: return "errored";
  }
  return "errored";
}

/// A configuration version (reference section 4).
struct configuration_version {
  resource_id id;                                    ///< "cv-..."
  resource_id workspace_id;                          ///< owning workspace
  configuration_status status = configuration_status::pending;  ///< lifecycle status
  std::string source = "tfe-api";                    ///< tfe-api, terraform, github...
  bool auto_queue_runs = true;                       ///< queue a run on upload
  bool speculative = false;                          ///< runs using it are plan-only
  bool provisional = false;                          ///< becomes current only when a run using it applies
  std::string upload_token;                          ///< capability secret of the upload URL (single use)
  std::string error;                                 ///< machine error code when errored
  std::string error_message;                         ///< human error text when errored
  time_point created_at{};                           ///< creation time
  std::optional<time_point> uploaded_at;             ///< when the bytes arrived
  std::optional<time_point> errored_at;              ///< when processing failed
  std::optional<time_point> archived_at;             ///< when archived
  std::uint64_t size = 0;                            ///< uploaded bytes
};

/// Options of a configuration version create.
struct configuration_version_options {
  std::optional<bool> auto_queue_runs;  ///< default true
  std::optional<bool> speculative;      ///< default false
  std::optional<bool> provisional;      ///< default false
};

}  // namespace tfe

#endif  // TFE_MODEL_CONFIGURATION_VERSION_HPP
