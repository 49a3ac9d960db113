// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Id generator policy: the random part of every resource id and capability token.
#ifndef TFE_POLICIES_ID_GENERATOR_HPP
#define TFE_POLICIES_ID_GENERATOR_HPP

#include <tfe/config.hpp>
#include <tfe/model/ids.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tfe {

// Contract (docs/policies.md#id-generator):
//   | expression        | type        | semantics                                                        |
//   | g.next(kind)      | resource_id | a new id: id_prefix(kind) + 16 chars of [A-Za-z0-9]; never repeats |
//   | g.token()         | std::string | an unguessable capability secret (>= 32 chars of [A-Za-z0-9])      |
//   | G{}               |             | default constructible                                            |
// Optional: `std::string g.state() const` and `bool g.set_state(std::string_view)` let snapshots
// carry the generator's position, so a restored engine goes on with the ids the original would have made.
// Called under the engine's mutex.

namespace detail {
template <class T, class = void>
struct has_next_id : std::false_type {};
template <class T>
struct has_next_id<T, std::void_t<decltype(std::declval<T&>().next(id_kind::run))>>
    : std::is_convertible<decltype(std::declval<T&>().next(id_kind::run)), resource_id> {};
template <class T, class = void>
struct has_token : std::false_type {};
template <class T>
struct has_token<T, std::void_t<decltype(std::declval<T&>().token())>>
    : std::is_convertible<decltype(std::declval<T&>().token()), std::string> {};

// Parses a decimal std::uint64_t covering all of `s`.
inline bool parse_u64(std::string_view s, std::uint64_t& out) noexcept {
  if (s.empty() || s.size() > 20) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (~std::uint64_t{0} - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace detail

/// True when T satisfies the id generator contract.
template <class T>
struct is_id_generator_policy : std::bool_constant<detail::has_next_id<T>::value && detail::has_token<T>::value &&
                                                   std::is_default_constructible_v<T>> {};
/// True when T satisfies the id generator contract.
template <class T>
inline constexpr bool is_id_generator_policy_v = is_id_generator_policy<T>::value;

#if TFE_HAS_CONCEPTS
/// An id generator policy: `next(kind)` and `token()`.
template <class T>
concept id_generator_policy = is_id_generator_policy_v<T>;
#endif

/// Random base62 ids; seeded from std::random_device, or from seed() for reproducible runs.
class random_ids {
 public:
  /// Seeds from std::random_device.
  random_ids() { seed((std::uint64_t(std::random_device{}()) << 32) ^ std::random_device{}()); }
  /// Reseeds: the same seed gives the same sequence of ids and tokens.
  void seed(std::uint64_t s) {
    seed_ = s;
    draws_ = 0;
    rng_.seed(s);
  }
  /// The generator's position as text ("<seed>:<draws>"), for snapshots.
  std::string state() const { return std::to_string(seed_) + ":" + std::to_string(draws_); }
  /// Moves to a position state() returned; false (and unchanged) when `s` is not one.
  bool set_state(std::string_view s) {
    const auto colon = s.find(':');
    std::uint64_t sd = 0, n = 0;
    if (colon == std::string_view::npos || !detail::parse_u64(s.substr(0, colon), sd) ||
        !detail::parse_u64(s.substr(colon + 1), n) ||
        n > (std::uint64_t{1} << 26))  // bounded: replay costs ~1 ns per draw
      return false;
    seed(sd);
    rng_.discard(n);
    draws_ = n;
    return true;
  }
  /// A new id of kind `k`.
  resource_id next(id_kind k) {
    char buf[resource_id::max_size];
    auto p = id_prefix(k);
    std::size_t n = p.size();
    for (std::size_t i = 0; i < n; ++i) buf[i] = p[i];
    fill(buf + n, id_suffix_length);
    return resource_id(std::string_view(buf, n + id_suffix_length));
  }
  /// A 40-character capability secret.
  std::string token() {
    std::string s(40, '0');
    fill(&s[0], s.size());
    return s;
  }

 private:
  void fill(char* out, std::size_t n) {
    std::uint64_t bits = 0;
    int left = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (;;) {
        if (left < 6) {
          bits = rng_();
          ++draws_;
          left = 64;
        }
        auto v = static_cast<unsigned>(bits & 63u);
        bits >>= 6;
        left -= 6;
        if (v < 62) {
          out[i] = detail::base62[v];
          break;
        }
      }
    }
  }
  std::mt19937_64 rng_;
  std::uint64_t seed_ = 0;
  std::uint64_t draws_ = 0;
};

/// Sequential ids for tests: "run-0000000000000001", "ws-0000000000000002", ... (one counter for all kinds).
class sequential_ids {
 public:
  /// A new id of kind `k`.
  resource_id next(id_kind k) {
    ++counter_;
    char buf[resource_id::max_size];
    auto p = id_prefix(k);
    std::size_t n = p.size();
    for (std::size_t i = 0; i < n; ++i) buf[i] = p[i];
    std::uint64_t v = counter_;
    for (std::size_t i = 0; i < id_suffix_length; ++i) {
      buf[n + id_suffix_length - 1 - i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    return resource_id(std::string_view(buf, n + id_suffix_length));
  }
  /// A predictable token "token-<n>" padded to 40 characters.
  std::string token() {
    auto id = next(id_kind::upload_token);
    return "tok" + std::string(21, '0') + id.str();
  }
  /// The counter as text, for snapshots.
  std::string state() const { return std::to_string(counter_); }
  /// Sets the counter from state(); false (and unchanged) when `s` is not a number.
  bool set_state(std::string_view s) { return detail::parse_u64(s, counter_); }

 private:
  std::uint64_t counter_ = 0;
};

static_assert(is_id_generator_policy_v<random_ids>, "random_ids must satisfy the id generator contract");
static_assert(is_id_generator_policy_v<sequential_ids>, "sequential_ids must satisfy the id generator contract");

}  // namespace tfe

#endif  // TFE_POLICIES_ID_GENERATOR_HPP
