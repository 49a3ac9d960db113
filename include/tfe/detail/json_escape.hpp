// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Fast scanning for bytes that need attention in JSON strings, and string escaping for output.
#ifndef TFE_DETAIL_JSON_ESCAPE_HPP
#define TFE_DETAIL_JSON_ESCAPE_HPP

#include <tfe/detail/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tfe {
namespace detail {

/// Per byte: 0 when it is copied as is inside a JSON string; otherwise how to write it:
/// the letter after the backslash ('"', '\\', 'b', 'f', 'n', 'r', 't'), 'u' for \u00XX,
/// or 0x80 for a non-ASCII byte that must be checked as UTF-8.
inline constexpr unsigned char json_escape_table[256] = {
    // 0x00 - 0x1F: control characters
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'b',
    't',
    'n',
    'u',
    'f',
    'r',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    'u',
    // 0x20 - 0x7F: only '"' (0x22) and '\\' (0x5C)
    0,
    0,
    '"',
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    '\\',
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    // 0x80 - 0xFF: UTF-8 lead and continuation bytes
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
};

#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TFE_DETAIL_JSON_SWAR 1
#else
#define TFE_DETAIL_JSON_SWAR 0
#endif

/// The first byte in [p, end) that is '"', '\\', a control character or non-ASCII; `end` if none.
/// Checks eight bytes per step (SWAR) on little-endian GCC/Clang, one byte otherwise.
inline const char* json_find_special(const char* p, const char* end) noexcept {
#if TFE_DETAIL_JSON_SWAR
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  while (end - p >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    const std::uint64_t q = v ^ (ones * '"');
    const std::uint64_t b = v ^ (ones * '\\');
    // For each test the lowest flagged byte is exact (borrows only run upwards), and bytes
    // >= 0x80 are flagged by their own high bit, so the lowest flagged byte overall is exact.
    const std::uint64_t hit = (((q - ones) & ~q) | ((b - ones) & ~b) | ((v - ones * 0x20) & ~v) | v) & highs;
    if (hit != 0) return p + (__builtin_ctzll(hit) >> 3);
    p += 8;
  }
#endif
  while (p != end && json_escape_table[static_cast<unsigned char>(*p)] == 0) ++p;
  return p;
}

/// Appends the escaped body of `s` (no quotes): '"', '\\' and control characters escaped,
/// valid UTF-8 copied, each ill-formed UTF-8 subpart replaced by U+FFFD.
inline void json_append_escaped(std::string& out, const char* p, const char* end) {
  static constexpr char hex[] = "0123456789abcdef";
  for (;;) {
    const char* q = json_find_special(p, end);
    out.append(p, static_cast<std::size_t>(q - p));
    if (q == end) return;
    const auto c = static_cast<unsigned char>(*q);
    const unsigned char e = json_escape_table[c];
    if (e == 0x80) {
      const utf8_check_result r =
          utf8_check(reinterpret_cast<const unsigned char*>(q), reinterpret_cast<const unsigned char*>(end));
      if (r.valid) out.append(q, r.length);
      else out.append("\xEF\xBF\xBD", 3);
      p = q + r.length;
      continue;
    }
    if (e == 'u') {
      const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
      out.append(u, 6);
    } else {
      const char s[2] = {'\\', static_cast<char>(e)};
      out.append(s, 2);
    }
    p = q + 1;
  }
}

/// Appends `s` as a quoted JSON string (see json_append_escaped()).
inline void json_append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  json_append_escaped(out, s.data(), s.data() + s.size());
  out.push_back('"');
}

/// Appends `prefix` (unless 0), `s` as a quoted JSON string, then `suffix` (unless 0). Short
/// strings that need no escaping (the common case) take a single append.
inline void json_append_quoted(std::string& out, char prefix, std::string_view s, char suffix) {
  constexpr std::size_t fast_limit = 120;
  const char* e = s.data() + s.size();
  if (s.size() <= fast_limit && json_find_special(s.data(), e) == e) {
    char buf[fast_limit + 4];
    char* w = buf;
    *w = prefix;
    w += prefix != 0 ? 1 : 0;
    *w++ = '"';
    if (!s.empty()) std::memcpy(w, s.data(), s.size());
    w += s.size();
    *w = '"';
    w[1] = suffix;
    w += suffix != 0 ? 2 : 1;
    out.append(buf, static_cast<std::size_t>(w - buf));
    return;
  }
  if (prefix != 0) out.push_back(prefix);
  json_append_string(out, s);
  if (suffix != 0) out.push_back(suffix);
}

}  // namespace detail
}  // namespace tfe

#undef TFE_DETAIL_JSON_SWAR

#endif  // TFE_DETAIL_JSON_ESCAPE_HPP
