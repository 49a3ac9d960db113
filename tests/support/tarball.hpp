// tfe tests: configuration archives made in the test (ustar inside gzip with stored deflate blocks), so
// no binary fixture is committed.
#ifndef TFE_TESTS_SUPPORT_TARBALL_HPP
#define TFE_TESTS_SUPPORT_TARBALL_HPP

#include "support/internals.hpp"

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace tfe_test {

/// A ustar archive of `files` (name, content), regular files only.
inline std::string make_tar(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [name, data] : files) {
    std::string h(512, '\0');
    h.replace(0, name.size(), name);
    auto octal = [&](std::size_t at, std::size_t width, std::uint64_t v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(v));
      h.replace(at, width - 1, buf);
    };
    octal(100, 8, 0644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, data.size());
    octal(136, 12, 0);
    h[156] = '0';
    h.replace(257, 6, std::string("ustar\0", 6));
    h.replace(263, 2, "00");
    h.replace(148, 8, "        ");
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    char cs[8];
    std::snprintf(cs, sizeof cs, "%06o", sum);
    h.replace(148, 7, std::string(cs, 6) + '\0');
    out += h;
    out += data;
    out.append((512 - data.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  return out;
}

/// `data` as a gzip member of stored deflate blocks.
inline std::string make_gzip(const std::string& data) {
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  std::size_t at = 0;
  do {
    const std::size_t n = std::min<std::size_t>(65535, data.size() - at);
    const bool last = at + n == data.size();
    out += static_cast<char>(last ? 1 : 0);
    out += static_cast<char>(n & 0xff);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(~n & 0xff);
    out += static_cast<char>((~n >> 8) & 0xff);
    out.append(data, at, n);
    at += n;
  } while (at < data.size());
  auto le32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  le32(tfe::detail::crc32(data));
  le32(static_cast<std::uint32_t>(data.size()));
  return out;
}

/// A configuration version archive: the files as a .tar.gz.
inline std::string make_tar_gz(const std::vector<std::pair<std::string, std::string>>& files) {
  return make_gzip(make_tar(files));
}

}  // namespace tfe_test

#endif  // TFE_TESTS_SUPPORT_TARBALL_HPP
