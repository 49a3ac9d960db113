// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Tags: a workspace's flat tags (names) and key/value tag bindings, and the stable ids both have.
#ifndef TFE_MODEL_TAG_HPP
#define TFE_MODEL_TAG_HPP

#include <tfe/detail/siphash.hpp>
#include <tfe/model/ids.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tfe {

/// A key/value tag binding of a workspace or a project (`tag-bindings`).
struct tag_binding {
  std::string key;    ///< 1-128 characters
  std::string value;  ///< may be empty
};

/// Equality of key and value.
inline bool operator==(const tag_binding& a, const tag_binding& b) noexcept {
  return a.key == b.key && a.value == b.value;
}

namespace detail {
/// 16 base62 characters derived from `text` (stable across runs and restarts).
inline std::string stable_suffix(std::string_view text) {
  std::uint64_t h1 = siphash24(0x7466652d74616773ull, 0x0123456789abcdefull, text);
  std::uint64_t h2 = siphash24(0x5eed5eed5eed5eedull, 0x2026120400000000ull, text);
  std::string out(16, '0');
  for (std::size_t i = 0; i < 16; ++i) {
    std::uint64_t& h = i < 8 ? h1 : h2;
    out[i] = base62[h % 62];
    h /= 62;
  }
  return out;
}
}  // namespace detail

/// The id of the organization tag `name` of `org` ("tag-" + 16 characters). A tag exists while a
/// workspace carries it; the same name always has the same id.
inline resource_id tag_id_of(std::string_view org, std::string_view name) {
  std::string text(org);
  text += '\n';
  text += name;
  return resource_id("tag-" + detail::stable_suffix(text));
}

/// The id of a tag binding `key` on the workspace or project `owner` ("tb-" + 16 characters).
inline resource_id tag_binding_id_of(std::string_view owner, std::string_view key) {
  std::string text(owner);
  text += '\n';
  text += key;
  return resource_id("tb-" + detail::stable_suffix(text));
}

/// True for a valid flat tag name: 1-255 of lower-case letters, digits, ':', '-' and '_', starting
/// with a letter or digit (TFE's rule; names are lower-cased before the check).
constexpr bool is_valid_tag_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 255) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!(alnum || (i > 0 && (c == ':' || c == '-' || c == '_')))) return false;
  }
  return true;
}

}  // namespace tfe

#endif  // TFE_MODEL_TAG_HPP
