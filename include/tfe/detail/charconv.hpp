// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Number <-> text conversion for the JSON layer: the only place that calls <charconv>.
#ifndef TFE_DETAIL_CHARCONV_HPP
#define TFE_DETAIL_CHARCONV_HPP

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <system_error>

namespace tfe {
namespace detail {

/// Outcome of parse_double().
enum class double_parse : std::uint8_t {
  ok,        ///< converted (underflow to zero or a subnormal counts as ok)
  overflow,  ///< the magnitude is too large for a double
  invalid,   ///< not a number at all (callers validate the grammar first, so a bug)
};

/// Converts an already validated JSON number literal [first, last) to a double.
/// Values too small for a double become signed zero; values too large report overflow.
inline double_parse parse_double(const char* first, const char* last, double& out) noexcept {
  double d = 0.0;
  const auto r = std::from_chars(first, last, d, std::chars_format::general);
  if (r.ec == std::errc() && r.ptr == last) {
    out = d;
    return double_parse::ok;
  }
  if (r.ec != std::errc::result_out_of_range) return double_parse::invalid;
  // from_chars reports both overflow and underflow as out of range: find the decimal
  // magnitude of the leading significant digit, plus the exponent, to tell them apart.
  const char* p = first;
  const bool negative = (*p == '-');
  if (negative) ++p;
  long long magnitude = 0;
  bool found = false;
  long long int_digits = 0;
  const char* q = p;
  while (q != last && *q >= '0' && *q <= '9') {
    if (*q != '0') found = true;
    if (found) ++int_digits;
    ++q;
  }
  if (found) magnitude = int_digits - 1;
  if (q != last && *q == '.') {
    ++q;
    long long pos = 0;
    while (q != last && *q >= '0' && *q <= '9') {
      ++pos;
      if (!found && *q != '0') {
        found = true;
        magnitude = -pos;
      }
      ++q;
    }
  }
  long long exponent = 0;
  if (q != last && (*q == 'e' || *q == 'E')) {
    ++q;
    bool eneg = false;
    if (q != last && (*q == '+' || *q == '-')) eneg = (*q++ == '-');
    while (q != last && *q >= '0' && *q <= '9') {
      if (exponent < 1000000000LL) exponent = exponent * 10 + (*q - '0');
      ++q;
    }
    if (eneg) exponent = -exponent;
  }
  if (!found) {  // all digits zero: from_chars should not have failed, but zero is right
    out = negative ? -0.0 : 0.0;
    return double_parse::ok;
  }
  if (magnitude + exponent >= 0) return double_parse::overflow;
  out = negative ? -0.0 : 0.0;
  return double_parse::ok;
}

/// Room needed by write_int64() and write_uint64().
inline constexpr std::size_t int_chars = 24;
/// Room needed by write_double() (shortest round-trip form plus a ".0" suffix).
inline constexpr std::size_t double_chars = 32;

/// Writes `v` in decimal at `buf` (int_chars bytes of room); returns the end.
inline char* write_int64(char* buf, std::int64_t v) noexcept { return std::to_chars(buf, buf + int_chars, v).ptr; }

/// Writes `v` in decimal at `buf` (int_chars bytes of room); returns the end.
inline char* write_uint64(char* buf, std::uint64_t v) noexcept { return std::to_chars(buf, buf + int_chars, v).ptr; }

/// Writes `v` as a JSON number that reads back as the same double and never looks like an
/// integer (1.0 -> "1.0"); NaN and infinities, which JSON cannot hold, become `null`.
inline char* write_double(char* buf, double v) noexcept {
  if (!std::isfinite(v)) {
    std::memcpy(buf, "null", 4);
    return buf + 4;
  }
  char* end = std::to_chars(buf, buf + double_chars - 2, v).ptr;
  for (const char* p = buf; p != end; ++p)
    if (*p == '.' || *p == 'e') return end;
  end[0] = '.';
  end[1] = '0';
  return end + 2;
}

}  // namespace detail
}  // namespace tfe

#endif  // TFE_DETAIL_CHARCONV_HPP
