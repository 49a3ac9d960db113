// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// document_cache: serialized JSON:API documents kept by resource id and the version they were written from.
#ifndef TFE_API_DOCUMENT_CACHE_HPP
#define TFE_API_DOCUMENT_CACHE_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// What a cached document was written from: an entry answers only a lookup with the same version.
struct document_version {
  std::uint64_t revision = 0;  ///< the entity's revision (run::revision); 0 is never cached
  std::uint64_t variant = 0;   ///< everything else the document depends on (time-derived flags, queue position)
  /// True when both describe the same document.
  friend bool operator==(const document_version& a, const document_version& b) noexcept {
    return a.revision == b.revision && a.variant == b.variant;
  }
};

/// A bounded, thread-safe, direct-mapped cache of documents (docs/http.md#document-cache): each id has
/// one slot, a newer document replaces whatever held it. Capacity 0 keeps nothing.
class document_cache {
 public:
  /// A cache of `slots` entries (0: disabled).
  explicit document_cache(std::size_t slots = 0) : slots_(slots) {}

  /// True when the cache keeps anything.
  bool enabled() const noexcept { return !slots_.empty(); }

  /// Copies the document of `id` written from `v` into `out`; false (out untouched) when it is not held.
  bool find(std::string_view id, const document_version& v, std::string& out) const {
    if (slots_.empty() || v.revision == 0) return false;
    const entry& e = slots_[index(id)];
    std::lock_guard<std::mutex> g(mutex_);
    if (!(e.version == v) || e.id != id) return false;
    out = e.body;
    ++hits_;
    return true;
  }

  /// Keeps `body` as the document of `id` written from `v` (nothing when `v.revision` is 0).
  void store(std::string_view id, const document_version& v, const std::string& body) {
    if (slots_.empty() || v.revision == 0) return;
    entry& e = slots_[index(id)];
    std::lock_guard<std::mutex> g(mutex_);
    e.id.assign(id.data(), id.size());
    e.version = v;
    e.body = body;
  }

  /// Drops every entry.
  void clear() {
    std::lock_guard<std::mutex> g(mutex_);
    for (auto& e : slots_) e = entry{};
  }

  /// Lookups answered from the cache so far.
  std::uint64_t hits() const {
    std::lock_guard<std::mutex> g(mutex_);
    return hits_;
  }

 private:
  struct entry {
    std::string id;
    document_version version;
    std::string body;
  };
  std::size_t index(std::string_view id) const noexcept { return std::hash<std::string_view>{}(id) % slots_.size(); }

  std::vector<entry> slots_;
  mutable std::mutex mutex_;
  mutable std::uint64_t hits_ = 0;
};

}  // namespace tfe

#endif  // TFE_API_DOCUMENT_CACHE_HPP
