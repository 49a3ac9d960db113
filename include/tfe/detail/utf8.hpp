// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF) and encoding.
#ifndef TFE_DETAIL_UTF8_HPP
#define TFE_DETAIL_UTF8_HPP

#include <cstddef>
#include <cstdint>

namespace tfe {
namespace detail {

/// The result of checking one UTF-8 sequence: its length when valid, else the length of the
/// maximal ill-formed subpart (Unicode's "maximal subpart" rule) that one U+FFFD replaces.
struct utf8_check_result {
  std::size_t length;  ///< bytes consumed: the sequence, or the ill-formed subpart (>= 1)
  bool valid;          ///< true when the bytes form one well-formed code point
};

/// Checks the multi-byte sequence starting at `p` (precondition: p < end and *p >= 0x80).
inline utf8_check_result utf8_check(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = p[0];
  std::size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;       // no overlong 3-byte forms
    else if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;       // no overlong 4-byte forms
    else if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};  // continuation byte, overlong lead C0/C1, or F5..FF
  }
  const std::size_t avail = static_cast<std::size_t>(end - p) - 1;
  if (avail == 0 || p[1] < lo || p[1] > hi) return {1, false};
  for (std::size_t i = 2; i <= need; ++i) {
    if (i > avail || p[i] < 0x80 || p[i] > 0xBF) return {i, false};
  }
  return {need + 1, true};
}

/// Why the sequence at `p` is not valid UTF-8, for error messages (precondition: it is invalid).
inline const char* utf8_error_message(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = p[0];
  if (c >= 0x80 && c <= 0xBF) return "invalid UTF-8: unexpected continuation byte";
  if (c == 0xC0 || c == 0xC1) return "invalid UTF-8: overlong encoding";
  if (c >= 0xF8) return "invalid UTF-8: byte that never appears in UTF-8";
  if (c >= 0xF5) return "invalid UTF-8: code point above U+10FFFF";
  const bool has_second = end - p > 1;
  const unsigned char c1 = has_second ? p[1] : 0;
  if (has_second && c1 >= 0x80 && c1 <= 0xBF) {
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xF0 && c1 < 0x90)) return "invalid UTF-8: overlong encoding";
    if (c == 0xED && c1 >= 0xA0) return "invalid UTF-8: encoded UTF-16 surrogate";
    if (c == 0xF4 && c1 >= 0x90) return "invalid UTF-8: code point above U+10FFFF";
  }
  return "invalid UTF-8: truncated sequence";
}

/// Writes code point `cp` (<= U+10FFFF, not a surrogate) as UTF-8 at `out`; returns the length.
inline std::size_t utf8_encode(std::uint32_t cp, char* out) noexcept {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

/// True when all of [data, data + size) is well-formed UTF-8.
inline bool utf8_valid(const char* data, std::size_t size) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  const auto* end = p + size;
  while (p != end) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const utf8_check_result r = utf8_check(p, end);
    if (!r.valid) return false;
    p += r.length;
  }
  return true;
}

}  // namespace detail
}  // namespace tfe

#endif  // TFE_DETAIL_UTF8_HPP
