// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// tfe's time type (UTC, millisecond precision) and its ISO 8601 "Z" form.
#ifndef TFE_MODEL_TIME_HPP
#define TFE_MODEL_TIME_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tfe {

/// Milliseconds, the resolution of every tfe timestamp.
using milliseconds = std::chrono::milliseconds;
/// A UTC instant with millisecond precision.
using time_point = std::chrono::time_point<std::chrono::system_clock, milliseconds>;

/// Milliseconds since the Unix epoch.
constexpr std::int64_t to_unix_ms(time_point t) noexcept { return t.time_since_epoch().count(); }
/// The instant `ms` milliseconds after the Unix epoch.
constexpr time_point from_unix_ms(std::int64_t ms) noexcept { return time_point(milliseconds(ms)); }

namespace detail {
// Howard Hinnant's civil_from_days: days since 1970-01-01 -> (y, m, d).
constexpr void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}
// days_from_civil, the inverse.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
inline void put2(char* p, unsigned v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}
}  // namespace detail

/// Length of the text format_iso8601 writes.
inline constexpr std::size_t iso8601_length = 24;

/// Writes `t` as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC) into buf[0..24), the form go-tfe parses.
inline void format_iso8601(char* buf, time_point t) noexcept {
  std::int64_t ms = to_unix_ms(t);
  std::int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  auto rem = static_cast<std::uint64_t>(ms - days * 86400000);
  std::int64_t y;
  unsigned mo, d;
  detail::civil_from_days(days, y, mo, d);
  if (y < 0) y = 0;
  if (y > 9999) y = 9999;
  auto yy = static_cast<unsigned>(y);
  buf[0] = static_cast<char>('0' + yy / 1000);
  buf[1] = static_cast<char>('0' + yy / 100 % 10);
  buf[2] = static_cast<char>('0' + yy / 10 % 10);
  buf[3] = static_cast<char>('0' + yy % 10);
  buf[4] = '-';
  detail::put2(buf + 5, mo);
  buf[7] = '-';
  detail::put2(buf + 8, d);
  buf[10] = 'T';
  auto secs = static_cast<unsigned>(rem / 1000);
  detail::put2(buf + 11, secs / 3600);
  buf[13] = ':';
  detail::put2(buf + 14, secs / 60 % 60);
  buf[16] = ':';
  detail::put2(buf + 17, secs % 60);
  buf[19] = '.';
  auto milli = static_cast<unsigned>(rem % 1000);
  buf[20] = static_cast<char>('0' + milli / 100);
  buf[21] = static_cast<char>('0' + milli / 10 % 10);
  buf[22] = static_cast<char>('0' + milli % 10);
  buf[23] = 'Z';
}

/// Appends `t` as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC).
inline void append_iso8601(std::string& out, time_point t) {
  char buf[iso8601_length];
  format_iso8601(buf, t);
  out.append(buf, iso8601_length);
}

/// `t` as "YYYY-MM-DDTHH:MM:SS.mmmZ".
inline std::string to_iso8601(time_point t) {
  std::string s;
  append_iso8601(s, t);
  return s;
}

/// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (UTC only); false when malformed.
inline bool parse_iso8601(std::string_view s, time_point& out) noexcept {
  auto digits = [&](std::size_t pos, std::size_t n, unsigned& v) {
    if (pos + n > s.size()) return false;
    v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return true;
  };
  unsigned y, mo, d, h, mi, se, ms = 0;
  if (s.size() < 20 || !digits(0, 4, y) || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
      s[10] != 'T' || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' || !digits(17, 2, se))
    return false;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    unsigned scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 3) ms += static_cast<unsigned>(s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return false;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  std::int64_t days = detail::days_from_civil(y, mo, d);
  out = from_unix_ms(days * 86400000 + static_cast<std::int64_t>(h) * 3600000 + static_cast<std::int64_t>(mi) * 60000 +
                     static_cast<std::int64_t>(se) * 1000 + ms);
  return true;
}

}  // namespace tfe

#endif  // TFE_MODEL_TIME_HPP
