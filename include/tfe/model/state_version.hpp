// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A state version: one Terraform state of a workspace, with the outputs and resources read from it.
#ifndef TFE_MODEL_STATE_VERSION_HPP
#define TFE_MODEL_STATE_VERSION_HPP

#include <tfe/detail/enum_names.hpp>
#include <tfe/model/backing_data.hpp>
#include <tfe/model/field.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/time.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// Status of a state version: created without its state and waiting for the upload, or complete.
enum class state_version_status : std::uint8_t {
  pending,    ///< created; the state arrives through hosted-state-upload-url
  finalized,  ///< the state is stored
  discarded,  ///< a pending version replaced by a newer one before its upload
};

namespace detail {
/// The wire names of state_version_status, in enumerator order.
template <>
struct enum_names<state_version_status> {
  static constexpr std::string_view value[] = {"pending", "finalized", "discarded"};
};
}  // namespace detail
static_assert(detail::enum_count<state_version_status> == static_cast<std::size_t>(state_version_status::discarded) + 1,
              "state_version_status: the name table must list every enumerator");

/// The wire string of a state version status.
constexpr std::string_view to_string(state_version_status s) noexcept { return detail::enum_name(s); }

/// An output of a state (`state-version-outputs`, "wsout-...").
struct state_output {
  resource_id id;             ///< "wsout-..."
  std::string name;           ///< the output's name
  std::string type;           ///< "string", "number", "boolean", "array", "object" or "null"
  std::string detailed_type;  ///< the state's type constraint as JSON text ("\"string\"", "[\"list\",\"string\"]")
  std::string value;          ///< the value as JSON text
  bool sensitive = false;     ///< hidden in the workspace's current outputs
  /// Equality of every field.
  friend bool operator==(const state_output& a, const state_output& b) noexcept {
    return a.id == b.id && a.name == b.name && a.type == b.type && a.detailed_type == b.detailed_type &&
           a.value == b.value && a.sensitive == b.sensitive;
  }
  /// Inequality of any field.
  friend bool operator!=(const state_output& a, const state_output& b) noexcept { return !(a == b); }
};

/// A resource of a state: one `resource` block with its number of instances.
struct state_resource {
  std::string address;     ///< "module.m.terraform_data.web" (data sources start with "data.")
  std::string module;      ///< "root" or "module.m"
  std::string mode;        ///< "managed" or "data"
  std::string type;        ///< "terraform_data"
  std::string name;        ///< "web"
  std::string provider;    ///< "provider[\"terraform.io/builtin/terraform\"]"
  std::int64_t count = 0;  ///< instances
  /// Equality of every field.
  friend bool operator==(const state_resource& a, const state_resource& b) noexcept {
    return a.address == b.address && a.module == b.module && a.mode == b.mode && a.type == b.type && a.name == b.name &&
           a.provider == b.provider && a.count == b.count;
  }
  /// Inequality of any field.
  friend bool operator!=(const state_resource& a, const state_resource& b) noexcept { return !(a == b); }
};

/// A state version (`state-versions`, "sv-...").
struct state_version {
  /// Sentinel for "no time".
  static constexpr std::int64_t no_time = std::numeric_limits<std::int64_t>::min();

  resource_id id;                                               ///< "sv-..."
  resource_id workspace_id;                                     ///< the workspace
  resource_id run_id;                                           ///< the run whose apply wrote it, or empty
  state_version_status status = state_version_status::pending;  ///< pending until the state arrived
  std::int64_t serial = 0;                                      ///< as given by the creator
  std::string lineage;                                          ///< as given (or read from the state)
  std::string md5;                                              ///< of the raw state, as given
  std::string terraform_version;                                ///< read from the state
  std::int64_t state_format = 4;                                ///< the state's "version" ("state-version")
  std::uint64_t size = 0;                                       ///< bytes of the raw state
  bool json_state = false;                                      ///< a JSON state (terraform show -json) is stored too
  std::string upload_token;                                     ///< capability of hosted-state-upload-url while pending
  tfe::backing_data backing = tfe::backing_data::present;       ///< soft or permanently deleted state
  std::string json_upload_token;           ///< capability of hosted-json-state-upload-url while it is not uploaded
  time_point created_at{};                 ///< creation
  std::int64_t processed_at_ms = no_time;  ///< when resources-processed becomes true (engine clock)
  std::string vcs_commit_sha;              ///< stored only
  std::string vcs_commit_url;              ///< stored only
  std::vector<state_output> outputs;       ///< read from the state
  std::vector<state_resource> resources;   ///< read from the state

  /// True once the state was read and processed at `now_ms` (resources-processed).
  bool processed(std::int64_t now_ms) const noexcept {
    return status == state_version_status::finalized && processed_at_ms != no_time && now_ms >= processed_at_ms;
  }
  /// Managed resource instances (a workspace's resource-count).
  std::int64_t managed_count() const noexcept {
    std::int64_t n = 0;
    for (const auto& r : resources)
      if (r.mode != "data") n += r.count;
    return n;
  }
};

/// What a state version create sends (POST /workspaces/:id/state-versions).
struct state_version_options {
  std::optional<std::int64_t> serial;             ///< required
  std::optional<std::string> md5;                 ///< required: of the raw state
  std::optional<std::string> lineage;             ///< must match the current version's unless `force`
  std::optional<std::string> state;               ///< base64 raw state (else: uploaded later)
  std::optional<std::string> json_state;          ///< base64 JSON state
  std::optional<std::string> json_state_outputs;  ///< base64 JSON outputs (accepted, not read)
  std::optional<bool> force;                      ///< replace even with another lineage or a lower serial
  std::optional<std::string> run_id;              ///< relationships.run
};

namespace detail {
/// The storage blob key of a state version's raw state.
inline std::string state_blob_key(const resource_id& sv) { return "sv/" + sv.str(); }
/// The storage blob key of a state version's JSON state.
inline std::string json_state_blob_key(const resource_id& sv) { return "svj/" + sv.str(); }
}  // namespace detail

/// The stored fields of a state version.
template <class F>
constexpr void visit_fields(entity_tag<state_version>, F&& f) {
  using v = state_version;
  constexpr auto s = field_use::stored;
  constexpr auto sa = field_use::stored | field_use::attribute;
  f(make_field("id", &v::id, s));
  f(make_field("workspace", &v::workspace_id, s));
  f(make_field("run", &v::run_id, s));
  f(make_field("status", &v::status, sa));
  f(make_field("serial", &v::serial, sa));
  f(make_field("lineage", &v::lineage, s));
  f(make_field("md5", &v::md5, s));
  f(make_field("terraform-version", &v::terraform_version, sa));
  f(make_field("state-version", &v::state_format, sa));
  f(make_field("size", &v::size, s));  // written by write_state_version (rendered states: on demand)
  f(make_field("json-state", &v::json_state, s));
  f(make_field("upload-token", &v::upload_token, s));
  f(make_field("json-upload-token", &v::json_upload_token, s));
  f(make_field("backing-data", &v::backing, s));
  f(make_field("created-at", &v::created_at, sa));
  f(make_field("processed-at-ms", &v::processed_at_ms, s));
  f(make_field("vcs-commit-sha", &v::vcs_commit_sha, sa));
  f(make_field("vcs-commit-url", &v::vcs_commit_url, sa));
  f(make_field("outputs", &v::outputs, s));
  f(make_field("resources", &v::resources, s));
}

}  // namespace tfe

#endif  // TFE_MODEL_STATE_VERSION_HPP
