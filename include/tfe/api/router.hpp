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

/// A route table compiled into a tree of path segments, for matching in a few comparisons per segment.
/// Built once from a constexpr table of rows (which must outlive it).
template <class Fn>
class route_index {
 public:
  /// Indexes `rows` (literal segments before placeholders when both could match).
  template <std::size_t N>
  explicit route_index(const route<Fn> (&rows)[N]) {
    nodes_.emplace_back();
    for (const auto& r : rows) {
      std::size_t at = 0;
      std::string_view p = r.pattern;
      while (!p.empty()) {
        p.remove_prefix(1);  // the '/'
        const std::size_t slash = p.find('/');
        const std::string_view seg = p.substr(0, slash);
        p = slash == std::string_view::npos ? std::string_view{} : p.substr(slash);
        if (seg.empty()) continue;
        at = child(at, seg);
      }
      nodes_[at].rows.push_back(&r);
    }
  }

  /// Matches `method` and the decoded `segments` of a path: the row serving them, or the methods the
  /// path allows (for a 405), or neither (404). A GET row also serves HEAD.
  route_match<Fn> match(std::string_view method, const std::vector<std::string>& segments) const {
    route_match<Fn> m;
    const node* end = walk(0, segments, 0, m.params);
    if (!end) return m;
    const std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
    for (const route<Fn>* r : end->rows)
      if (r->method == want) {
        m.found = r;
        return m;
      }
    m.params.clear();
    for (const route<Fn>* r : end->rows) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += r->method;
      if (r->method == "GET") m.allow += ", HEAD";
    }
    return m;
  }

 private:
  struct node {
    std::vector<std::pair<std::string_view, std::size_t>> literals;  // segment -> child
    std::size_t param = 0;                                           // placeholder child, 0: none
    std::vector<const route<Fn>*> rows;                              // rows ending here
  };
  std::size_t child(std::size_t at, std::string_view seg) {
    const bool placeholder = seg.front() == ':';
    if (placeholder && nodes_[at].param) return nodes_[at].param;
    if (!placeholder)
      for (const auto& l : nodes_[at].literals)
        if (l.first == seg) return l.second;
    const std::size_t made = nodes_.size();
    nodes_.emplace_back();
    if (placeholder) nodes_[at].param = made;
    else nodes_[at].literals.emplace_back(seg, made);
    return made;
  }
  // The node where `segments` end, literals tried before the placeholder; the placeholders' segments
  // are appended to `params`.
  const node* walk(std::size_t at, const std::vector<std::string>& segments, std::size_t i,
                   std::vector<std::string_view>& params) const {
    const node& n = nodes_[at];
    if (i == segments.size()) return n.rows.empty() ? nullptr : &n;
    const std::string& seg = segments[i];
    for (const auto& l : n.literals)
      if (l.first == seg)
        if (const node* found = walk(l.second, segments, i + 1, params)) return found;
    if (n.param && !seg.empty()) {
      params.emplace_back(seg);
      if (const node* found = walk(n.param, segments, i + 1, params)) return found;
      params.pop_back();
    }
    return nullptr;
  }
  std::vector<node> nodes_;
};

}  // namespace tfe

#endif  // TFE_API_ROUTER_HPP
