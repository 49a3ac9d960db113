// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// SipHash-2-4: a keyed hash that signs capability URLs (log URLs) so they cannot be guessed or forged.
#ifndef TFE_DETAIL_SIPHASH_HPP
#define TFE_DETAIL_SIPHASH_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tfe {
namespace detail {

inline std::uint64_t rotl(std::uint64_t x, int b) noexcept { return (x << b) | (x >> (64 - b)); }

/// SipHash-2-4 of `data` under the 128-bit key (k0, k1).
inline std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data) noexcept {
  std::uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
  std::uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
  auto round = [&] {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  };
  const std::size_t n = data.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t m = 0;
    for (int j = 7; j >= 0; --j) m = (m << 8) | static_cast<unsigned char>(data[i + static_cast<std::size_t>(j)]);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  std::uint64_t b = static_cast<std::uint64_t>(n) << 56;
  for (std::size_t j = 0; i + j < n; ++j)
    b |= static_cast<std::uint64_t>(static_cast<unsigned char>(data[i + j])) << (8 * j);
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/// 32 lowercase hex characters: two SipHash-2-4 values of `data` under two keys.
inline std::string mac_hex(const std::uint64_t key[4], std::string_view data) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(32, '0');
  const std::uint64_t h[2] = {siphash24(key[0], key[1], data), siphash24(key[2], key[3], data)};
  for (int w = 0; w < 2; ++w)
    for (int j = 0; j < 16; ++j) out[static_cast<std::size_t>(w * 16 + j)] = hex[(h[w] >> (60 - 4 * j)) & 15u];
  return out;
}

}  // namespace detail
}  // namespace tfe

#endif  // TFE_DETAIL_SIPHASH_HPP
