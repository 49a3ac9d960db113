// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Route tables: (method, path pattern, handler) rows matched against a request's decoded path segments;
// 404 and 405 (with the Allow header) come from the table.
#ifndef TFE_API_ROUTER_HPP
#define TFE_API_ROUTER_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

namespace detail {
/// Number of segments of a pattern ("/a/b" -> 2; "/" -> 0).
constexpr std::size_t pattern_segments(std::string_view p) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i] == '/' && i + 1 < p.size() && p[i + 1] != '/') ++n;
  return n;
}
}  // namespace detail

/// One row of a route table: a method, a path pattern and what serves it. The pattern is a path of
/// literal segments and ":name" placeholders ("/api/v2/runs/:id/actions/apply"); a GET row also serves
/// HEAD.
template <class Fn>
struct route {
  std::string_view method;   ///< "GET", "POST", "PATCH", "PUT" or "DELETE"
  std::string_view pattern;  ///< "/api/v2/runs/:id"
  Fn fn;                     ///< what serves it
  std::size_t segments;      ///< segments in the pattern (computed)

  /// A row; the segment count is computed at compile time for constexpr tables.
  constexpr route(std::string_view m, std::string_view p, Fn f) noexcept
      : method(m), pattern(p), fn(f), segments(detail::pattern_segments(p)) {}
};

/// What matching a request against a route table found.
template <class Fn>
struct route_match {
  const route<Fn>* found = nullptr;      ///< the row that serves the request, or nullptr
  std::vector<std::string_view> params;  ///< the segments the row's placeholders matched, in order
  std::string allow;                     ///< no row for the method but the path is known: "GET, HEAD, PATCH"
};

namespace detail {
/// True when `segments` match `pattern`; the placeholders' segments are appended to `params`.
inline bool pattern_matches(std::string_view pattern, const std::vector<std::string>& segments,
                            std::vector<std::string_view>& params) {
  const std::size_t mark = params.size();
  std::size_t i = 0;
  for (std::size_t pos = 0; pos < pattern.size();) {
    const std::size_t start = pos + 1;
    std::size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    const std::string_view seg = pattern.substr(start, end - start);
    pos = end;
    if (seg.empty()) continue;
    if (i >= segments.size() || (seg.front() != ':' && seg != segments[i])) {
      params.resize(mark);
      return false;
    }
    if (seg.front() == ':') params.emplace_back(segments[i]);
    ++i;
  }
  if (i == segments.size()) return true;
  params.resize(mark);
  return false;
}
}  // namespace detail

/// Matches `method` and the decoded `segments` of a path against `table`: the row serving them, or
/// the methods the path allows (for a 405), or neither (404).
template <class Fn, std::size_t N>
route_match<Fn> match_route(const route<Fn> (&table)[N], std::string_view method,
                            const std::vector<std::string>& segments) {
  route_match<Fn> m;
  const std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
  std::vector<std::string_view> scratch;
  for (const auto& r : table) {
    if (r.segments != segments.size()) continue;
    scratch.clear();
    if (!detail::pattern_matches(r.pattern, segments, scratch)) continue;
    if (r.method == want) {
      m.found = &r;
      m.params = std::move(scratch);
      m.allow.clear();
      return m;
    }
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += r.method;
    if (r.method == "GET") m.allow += ", HEAD";
  }
  return m;
}

}  // namespace tfe

#endif  // TFE_API_ROUTER_HPP
