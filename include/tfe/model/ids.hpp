// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Resource ids in the TFE form (prefix + 16 characters), stored inline without allocation.
#ifndef TFE_MODEL_IDS_HPP
#define TFE_MODEL_IDS_HPP

#include <tfe/detail/enum_names.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace tfe {

/// The kinds of resource that get generated ids.
enum class id_kind : std::uint8_t {
  organization,           ///< "org-" (the organization's external-id; its name is its API id)
  workspace,              ///< "ws-"
  configuration_version,  ///< "cv-"
  run,                    ///< "run-"
  plan,                   ///< "plan-"
  apply,                  ///< "apply-"
  comment,                ///< "wsc-"
  user,                   ///< "user-"
  cost_estimate,          ///< "ce-"
  policy_check,           ///< "polchk-"
  upload_token,           ///< "" (capability secret for upload and log URLs)
  state_version,          ///< "sv-"
  state_version_output,   ///< "wsout-"
  project,                ///< "prj-"
  agent_pool,             ///< "apool-"
};

namespace detail {
/// The id prefix of each id_kind, including the dash, in enumerator order.
template <>
struct enum_names<id_kind> {
  static constexpr std::string_view value[] = {"org-", "ws-",     "cv-", "run-", "plan-",  "apply-", "wsc-",  "user-",
                                               "ce-",  "polchk-", "",    "sv-",  "wsout-", "prj-",   "apool-"};
};
}  // namespace detail
static_assert(detail::enum_count<id_kind> == static_cast<std::size_t>(id_kind::agent_pool) + 1,
              "id_kind: the prefix table must list every enumerator");

/// The id prefix of a kind, including the dash ("ws-").
constexpr std::string_view id_prefix(id_kind k) noexcept { return detail::enum_name(k); }

namespace detail {
/// The 62 characters of the random part of ids, in order (a digit per shard, base62 text).
inline constexpr char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
}  // namespace detail

/// Length of the random part of a TFE id.
inline constexpr std::size_t id_suffix_length = 16;

/// A resource id of up to 31 bytes stored inline (no heap allocation); compares and hashes as its text.
class resource_id {
 public:
  /// Maximum length in bytes (TFE ids are at most "polchk-" + 16).
  static constexpr std::size_t max_size = 31;

  /// The empty id.
  constexpr resource_id() noexcept = default;
  /// An id holding `s`, truncated to max_size (callers validate lengths first).
  explicit resource_id(std::string_view s) noexcept { assign(s); }

  /// Replaces the text with `s` (truncated to max_size).
  void assign(std::string_view s) noexcept {
    len_ = static_cast<std::uint8_t>(s.size() > max_size ? max_size : s.size());
    std::memset(buf_, 0, sizeof buf_);
    if (len_) std::memcpy(buf_, s.data(), len_);
  }
  /// A 64-bit hash of the text, a word at a time (bytes past the end are zero).
  std::uint64_t hash() const noexcept {
    std::uint64_t h = 0x243F6A8885A308D3ull ^ len_;
    for (std::size_t i = 0; i < len_; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, buf_ + i, 8);
      h = (h ^ w) * 0x9E3779B97F4A7C15ull;
      h ^= h >> 29;
    }
    return h;
  }
  /// The id's text.
  std::string_view view() const noexcept { return std::string_view(buf_, len_); }
  /// The id's text as a std::string.
  std::string str() const { return std::string(buf_, len_); }
  /// True when no id is held.
  bool empty() const noexcept { return len_ == 0; }
  /// Length in bytes.
  std::size_t size() const noexcept { return len_; }
  /// Implicit view, so ids work wherever text is expected.
  operator std::string_view() const noexcept { return view(); }  // NOLINT

  /// Equality by text.
  friend bool operator==(const resource_id& a, const resource_id& b) noexcept {
    return a.len_ == b.len_ && std::memcmp(a.buf_, b.buf_, a.len_) == 0;
  }
  /// Inequality by text.
  friend bool operator!=(const resource_id& a, const resource_id& b) noexcept { return !(a == b); }
  /// Ordering by text.
  friend bool operator<(const resource_id& a, const resource_id& b) noexcept { return a.view() < b.view(); }

 private:
  char buf_[32] = {};  // zero-filled past len_ so hash() can read whole words
  std::uint8_t len_ = 0;
};

/// True when `s` has the TFE id shape: letters, digits, '.', '_', '-' only (what clients validate), 1..max_size bytes.
constexpr bool is_valid_id_text(std::string_view s) noexcept {
  if (s.empty() || s.size() > resource_id::max_size) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// The part of `id` after `prefix`, or empty when `id` does not start with it.
constexpr std::string_view id_suffix(std::string_view id, std::string_view prefix) noexcept {
  if (id.size() <= prefix.size() || id.substr(0, prefix.size()) != prefix) return {};
  return id.substr(prefix.size());
}

}  // namespace tfe

/// Hash of a resource_id (its text).
template <>
struct std::hash<tfe::resource_id> {
  /// The id's word-at-a-time hash.
  std::size_t operator()(const tfe::resource_id& id) const noexcept { return static_cast<std::size_t>(id.hash()); }
};

#endif  // TFE_MODEL_IDS_HPP
