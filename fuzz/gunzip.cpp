// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Fuzz target: gunzip with a 1 MiB limit. A failure is validation_failed or payload_too_large with a
// message; an output respects the limit, decodes again under a limit of exactly its size and fails one
// byte below it, and comes back unchanged through a gzip of stored blocks. The input itself, wrapped
// the same way, must come back unchanged too.
#include <tfe/tfe.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

constexpr std::size_t limit = std::size_t(1) << 20;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_gunzip: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// `data` as one gzip member of stored blocks.
std::string stored_gzip(std::string_view data) {
  std::string s("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  std::size_t i = 0;
  do {
    const std::size_t len = std::min<std::size_t>(65535, data.size() - i);
    s += static_cast<char>(i + len == data.size() ? 1 : 0);
    s += static_cast<char>(len & 0xff);
    s += static_cast<char>(len >> 8);
    s += static_cast<char>(~len & 0xff);
    s += static_cast<char>((~len >> 8) & 0xff);
    s.append(data.substr(i, len));
    i += len;
  } while (i < data.size());
  const std::uint32_t crc = tfe::detail::crc32(data), size = static_cast<std::uint32_t>(data.size());
  for (int k = 0; k < 4; ++k) s += static_cast<char>((crc >> (8 * k)) & 0xff);
  for (int k = 0; k < 4; ++k) s += static_cast<char>((size >> (8 * k)) & 0xff);
  return s;
}

void round_trip(std::string_view data) {
  const auto back = tfe::detail::gunzip(stored_gzip(data), data.size());
  if (!back) fail("a stored-block gzip does not decode", back.error().message);
  if (*back != data) fail("a stored-block gzip decodes to other bytes", *back);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto r = tfe::detail::gunzip(in, limit);
  if (!r) {
    const tfe::error& e = r.error();
    if (e.code != tfe::errc::validation_failed && e.code != tfe::errc::payload_too_large)
      fail("unexpected error code", e.message);
    if (e.message.empty()) fail("empty error message", "");
  } else {
    if (r->size() > limit) fail("output over the limit", std::to_string(r->size()));
    const auto exact = tfe::detail::gunzip(in, r->size());
    if (!exact || *exact != *r) fail("not the same output under a limit of its size", "");
    if (!r->empty()) {
      const auto below = tfe::detail::gunzip(in, r->size() - 1);
      if (below || below.error().code != tfe::errc::payload_too_large)
        fail("one byte below the output's size is not payload_too_large", "");
    }
    round_trip(*r);
  }
  round_trip(in);
  return 0;
}
