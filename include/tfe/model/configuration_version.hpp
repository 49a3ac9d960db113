// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A configuration version: an uploaded Terraform configuration that runs plan.
#ifndef TFE_MODEL_CONFIGURATION_VERSION_HPP
#define TFE_MODEL_CONFIGURATION_VERSION_HPP

#include <tfe/detail/enum_names.hpp>
#include <tfe/model/backing_data.hpp>
#include <tfe/model/field.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tfe {

/// Status of a configuration version (reference 4.2).
enum class configuration_status : std::uint8_t { pending, fetching, uploaded, archived, errored };

namespace detail {
/// The wire names of configuration_status, in enumerator order.
template <>
struct enum_names<configuration_status> {
  static constexpr std::string_view value[] = {"pending", "fetching", "uploaded", "archived", "errored"};
};
}  // namespace detail
static_assert(detail::enum_count<configuration_status> == static_cast<std::size_t>(configuration_status::errored) + 1,
              "configuration_status: the name table must list every enumerator");

/// The wire string of a configuration version status.
constexpr std::string_view to_string(configuration_status s) noexcept { return detail::enum_name(s); }

/// A configuration version (reference section 4).
struct configuration_version {
  resource_id id;                                               ///< "cv-..."
  resource_id workspace_id;                                     ///< owning workspace
  configuration_status status = configuration_status::pending;  ///< lifecycle status
  std::string source = "tfe-api";                               ///< tfe-api, terraform, github...
  bool auto_queue_runs = true;                                  ///< queue a run on upload
  bool speculative = false;                                     ///< runs using it are plan-only
  bool provisional = false;                                     ///< becomes current only when a run using it applies
  std::string upload_token;                                     ///< capability secret of the upload URL (single use)
  std::string error;                                            ///< machine error code when errored
  std::string error_message;                                    ///< human error text when errored
  time_point created_at{};                                      ///< creation time
  std::optional<time_point> uploaded_at;                        ///< when the bytes arrived
  std::optional<time_point> errored_at;                         ///< when processing failed
  std::optional<time_point> archived_at;                        ///< when archived
  std::uint64_t size = 0;                                       ///< uploaded bytes
  tfe::backing_data backing = tfe::backing_data::present;       ///< soft or permanently deleted bytes
};

/// Options of a configuration version create.
struct configuration_version_options {
  std::optional<bool> auto_queue_runs;  ///< default true
  std::optional<bool> speculative;      ///< default false
  std::optional<bool> provisional;      ///< default false
};

/// The fields of a configuration version: stored form, response attributes and what a create request sets.
template <class F>
constexpr void visit_fields(entity_tag<configuration_version>, F&& f) {
  using c = configuration_version;
  using opt = configuration_version_options;
  constexpr auto s = field_use::stored;
  constexpr auto sa = field_use::stored | field_use::attribute;
  f(make_field("id", &c::id, s));
  f(make_field("workspace", &c::workspace_id, s));
  f(make_field("status", &c::status, sa));
  f(make_field("source", &c::source, sa));
  f(make_field("auto-queue-runs", &c::auto_queue_runs, sa, &opt::auto_queue_runs));
  f(make_field("speculative", &c::speculative, sa, &opt::speculative));
  f(make_field("provisional", &c::provisional, sa, &opt::provisional));
  f(make_field("upload-token", &c::upload_token, s));
  f(make_field("error", &c::error, sa | field_use::null_if_empty));
  f(make_field("error-message", &c::error_message, sa | field_use::null_if_empty));
  f(make_field("created-at", &c::created_at, sa));
  f(make_field("uploaded-at", &c::uploaded_at, s));
  f(make_field("errored-at", &c::errored_at, s));
  f(make_field("archived-at", &c::archived_at, s));
  f(make_field("size", &c::size, s));
  f(make_field("backing-data", &c::backing, s));
}

}  // namespace tfe

#endif  // TFE_MODEL_CONFIGURATION_VERSION_HPP
