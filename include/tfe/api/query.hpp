// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Percent-decoding, path segments and query parameters of request targets.
#ifndef TFE_API_QUERY_HPP
#define TFE_API_QUERY_HPP

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {

/// Decodes %XX escapes (and '+' as space when `plus_is_space`); nullopt on a malformed escape or a NUL byte.
inline std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

/// Appends `s` percent-encoded for a query value (unreserved characters stay).
inline void append_query_escaped(std::string& out, std::string_view s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  for (char c : s) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(digits[u >> 4]);
      out.push_back(digits[u & 15]);
    }
  }
}

/// The decoded query parameters of a request, in order (repeated keys kept).
class query_params {
 public:
  /// Parses a raw query string; false when an escape is malformed.
  bool parse(std::string_view q) {
    params_.clear();
    while (!q.empty()) {
      auto amp = q.find('&');
      std::string_view part = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
      if (part.empty()) continue;
      auto eq = part.find('=');
      auto k = percent_decode(part.substr(0, eq), true);
      auto v = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), true);
      if (!k || !v) return false;
      params_.emplace_back(std::move(*k), std::move(*v));
    }
    return true;
  }
  /// The first value of `key`, or nullopt.
  std::optional<std::string_view> get(std::string_view key) const {
    for (const auto& p : params_)
      if (p.first == key) return std::string_view(p.second);
    return std::nullopt;
  }
  /// Every value of `key` joined with commas (clients repeat keys or use comma lists).
  std::optional<std::string> joined(std::string_view key) const {
    std::optional<std::string> out;
    for (const auto& p : params_) {
      if (p.first != key) continue;
      if (!out) out.emplace();
      else if (!p.second.empty()) out->push_back(',');
      out->append(p.second);
    }
    return out;
  }
  /// All parameters.
  const std::vector<std::pair<std::string, std::string>>& all() const noexcept { return params_; }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

/// Splits a comma-separated list, dropping empty items.
inline std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto c = s.find(',');
    auto item = s.substr(0, c);
    if (!item.empty()) out.emplace_back(item);
    if (c == std::string_view::npos) break;
    s = s.substr(c + 1);
  }
  return out;
}

/// Splits a path into decoded segments; nullopt when an escape is malformed or decodes to '/' or NUL.
inline std::optional<std::vector<std::string>> path_segments(std::string_view path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  path.remove_prefix(1);
  std::size_t count = 1;
  for (char ch : path) count += ch == '/';
  std::vector<std::string> out;
  out.reserve(count);
  while (true) {
    auto slash = path.find('/');
    auto seg = path.substr(0, slash);
    bool plain = true;  // nothing to decode or reject: taken as it is
    for (char ch : seg) plain = plain && ch != '%' && ch != '\0';
    if (plain) {
      out.emplace_back(seg);
    } else {
      auto d = percent_decode(seg, false);
      if (!d || d->find('/') != std::string::npos) return std::nullopt;
      out.push_back(std::move(*d));
    }
    if (slash == std::string_view::npos) break;
    path = path.substr(slash + 1);
  }
  if (!out.empty() && out.back().empty()) out.pop_back();  // tolerate one trailing slash
  return out;
}

}  // namespace tfe

#endif  // TFE_API_QUERY_HPP
