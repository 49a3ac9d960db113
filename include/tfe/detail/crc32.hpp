// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// CRC-32 (IEEE 802.3, reflected, as zlib computes it): the checksum of journal records.
#ifndef TFE_DETAIL_CRC32_HPP
#define TFE_DETAIL_CRC32_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tfe {
namespace detail {

inline constexpr std::array<std::uint32_t, 256> crc32_table = [] {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}();

/// CRC-32 of `data`, continuing from `crc` (0 to start).
inline std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0) noexcept {
  crc = ~crc;
  for (char ch : data) crc = crc32_table[(crc ^ static_cast<std::uint8_t>(ch)) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

}  // namespace detail
}  // namespace tfe

#endif  // TFE_DETAIL_CRC32_HPP
