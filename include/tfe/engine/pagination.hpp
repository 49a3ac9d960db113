// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Page requests and pages of results (JSON:API pagination, reference 1.7).
#ifndef TFE_ENGINE_PAGINATION_HPP
#define TFE_ENGINE_PAGINATION_HPP

#include <cstddef>
#include <vector>

namespace tfe {

/// Which page to return: 1-based number and size (default 20, at most 100).
struct page_request {
  std::size_t number = 1;  ///< 1-based page number
  std::size_t size = 20;   ///< items per page, clamped to [1, max_size]
  /// The largest page size TFE serves.
  static constexpr std::size_t max_size = 100;
};

/// One page of a collection plus the figures for meta.pagination.
template <class T>
struct page {
  std::vector<T> items;          ///< the items on this page
  std::size_t current_page = 1;  ///< echoes the request (even past the end)
  std::size_t page_size = 20;    ///< effective page size
  std::size_t total_count = 0;   ///< items in the whole collection
  /// Pages in the collection (at least 1, so clients' loops stop on empty collections).
  std::size_t total_pages() const noexcept { return total_count == 0 ? 1 : (total_count + page_size - 1) / page_size; }
};

/// Clamps a request to valid values: number >= 1, 1 <= size <= 100.
constexpr page_request normalized(page_request r) noexcept {
  if (r.number == 0) r.number = 1;
  if (r.size == 0) r.size = 20;
  if (r.size > page_request::max_size) r.size = page_request::max_size;
  return r;
}

}  // namespace tfe

#endif  // TFE_ENGINE_PAGINATION_HPP
