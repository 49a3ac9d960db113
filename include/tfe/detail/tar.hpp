// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// read_tar: the regular files of a ustar, GNU or POSIX (pax) tar archive held in memory, as Go's
// archive/tar (which TFE's slug unpacking uses) reads them: checksums checked, sizes validated.
#ifndef TFE_DETAIL_TAR_HPP
#define TFE_DETAIL_TAR_HPP

#include <tfe/result.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {
namespace detail {

/// One regular file of a tar archive: its path (without a leading "./") and its bytes.
struct tar_entry {
  std::string name;  ///< path inside the archive, e.g. "main.tf" or "modules/x/main.tf"
  std::string data;  ///< the file's contents
};

namespace tar_impl {

/// The value of an octal header field (leading and trailing spaces and NULs allowed; empty is 0).
inline std::optional<std::uint64_t> parse_octal(std::string_view f) noexcept {
  while (!f.empty() && (f.front() == ' ' || f.front() == '\0')) f.remove_prefix(1);
  while (!f.empty() && (f.back() == ' ' || f.back() == '\0')) f.remove_suffix(1);
  std::uint64_t v = 0;
  for (const char c : f) {
    if (c < '0' || c > '7') return std::nullopt;
    if (v >> 60) return std::nullopt;  // would pass 2^63
    v = v << 3 | static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

/// The value of a numeric header field: octal, or GNU base-256 (first byte 0x80); negative is refused.
inline std::optional<std::uint64_t> parse_numeric(std::string_view f) noexcept {
  if (f.empty() || !(static_cast<unsigned char>(f[0]) & 0x80u)) return parse_octal(f);
  if (static_cast<unsigned char>(f[0]) & 0x40u) return std::nullopt;  // negative
  std::uint64_t v = static_cast<unsigned char>(f[0]) & 0x3fu;
  for (std::size_t i = 1; i < f.size(); ++i) {
    if (v >> 55) return std::nullopt;  // would pass 2^63
    v = v << 8 | static_cast<unsigned char>(f[i]);
  }
  return v;
}

/// The text of a NUL-terminated field (all of it when it has no NUL).
inline std::string_view field_string(std::string_view f) noexcept {
  const std::size_t nul = f.find('\0');
  return nul == std::string_view::npos ? f : f.substr(0, nul);
}

/// Whether the 512-byte block at `b` is all zeros.
inline bool zero_block(const char* b) noexcept {
  for (std::size_t i = 0; i < 512; ++i)
    if (b[i]) return false;
  return true;
}

/// Whether the header's checksum field matches its bytes (summed unsigned or, as old tars did, signed).
inline bool checksum_ok(const char* b) noexcept {
  const auto stored = parse_octal(std::string_view(b + 148, 8));
  if (!stored) return false;
  std::uint64_t unsigned_sum = 0;
  std::int64_t signed_sum = 0;
  for (std::size_t i = 0; i < 512; ++i) {
    const bool in_field = i >= 148 && i < 156;
    unsigned_sum += in_field ? 32u : static_cast<unsigned char>(b[i]);
    signed_sum += in_field ? 32 : static_cast<signed char>(b[i]);
  }
  return *stored == unsigned_sum || static_cast<std::int64_t>(*stored) == signed_sum;
}

/// Reads the records of a pax extended header ("<length> <key>=<value>\n"), keeping `path` and `size`;
/// false when malformed.
inline bool parse_pax(std::string_view data, std::optional<std::string>& path, std::uint64_t& size, bool& has_size) {
  while (!data.empty()) {
    std::size_t i = 0, len = 0;
    while (i < data.size() && data[i] >= '0' && data[i] <= '9') {
      if (len > data.size()) return false;  // far too long already
      len = len * 10 + static_cast<std::size_t>(data[i] - '0');
      ++i;
    }
    if (i == 0 || i >= data.size() || data[i] != ' ' || len <= i + 1 || len > data.size()) return false;
    if (data[len - 1] != '\n') return false;
    const std::string_view record = data.substr(i + 1, len - i - 2);
    const std::size_t eq = record.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    const std::string_view key = record.substr(0, eq), value = record.substr(eq + 1);
    if (key == "path") {
      path = std::string(value);
    } else if (key == "size") {
      std::uint64_t v = 0;
      if (value.empty() || value.size() > 18) return false;
      for (const char c : value) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
      }
      size = v;
      has_size = true;
    }
    data.remove_prefix(len);
  }
  return true;
}

}  // namespace tar_impl

/// The regular files (typeflag '0' or NUL) of tar archive `in`, in archive order; directories, links and
/// other entries are skipped. GNU long names ('L') and pax `path=`/`size=` records apply to the next
/// entry; ustar prefixes are joined; a leading "./" is dropped. The archive ends at two zero blocks or at
/// the end of the input. errc::validation_failed for a malformed archive, errc::payload_too_large for
/// more than `max_entries` entries (of any type).
inline result<std::vector<tar_entry>> read_tar(std::string_view in, std::size_t max_entries = 10000) {
  using namespace tar_impl;
  const auto bad = [](std::string why) { return make_error(errc::validation_failed, "tar: " + why); };
  std::vector<tar_entry> out;
  std::size_t p = 0, entries = 0;
  std::optional<std::string> long_name, pax_path;
  std::uint64_t pax_size = 0;  // a pax `size=` for the next entry, when has_pax_size
  bool has_pax_size = false;
  const std::size_t n = in.size();
  while (p < n) {
    if (n - p < 512) {  // a cut end-of-archive block ends it too
      if (in.find_first_not_of('\0', p) == std::string_view::npos) break;
      return bad("truncated header");
    }
    const char* b = in.data() + p;
    if (zero_block(b)) {  // end of archive: a second zero block (or the end of the input) must follow
      p += 512;
      if (n - p < 512 || zero_block(in.data() + p)) break;
      return bad("a zero block followed by a header");
    }
    if (!checksum_ok(b)) return bad("header checksum mismatch");
    const auto header_size = parse_numeric(std::string_view(b + 124, 12));
    if (!header_size) return bad("invalid size field");
    const char type = b[156];
    std::uint64_t size = *header_size;
    const bool extension = type == 'L' || type == 'K' || type == 'x' || type == 'g';
    if (!extension && has_pax_size) size = pax_size;
    const bool header_only = type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
    if (header_only) size = 0;  // links, devices, directories and FIFOs have no data (as Go reads them)
    const std::size_t data_at = p + 512;
    if (size > n - data_at) return bad("entry size larger than the rest of the archive");
    const std::string_view data = in.substr(data_at, static_cast<std::size_t>(size));
    const std::size_t next = data_at + ((static_cast<std::size_t>(size) + 511) / 512) * 512;
    p = next < n ? next : n;  // missing padding at the very end is tolerated
    if (type == 'L') {
      long_name = std::string(field_string(data));
      continue;
    }
    if (type == 'x') {
      if (!parse_pax(data, pax_path, pax_size, has_pax_size)) return bad("malformed pax header");
      continue;
    }
    if (type == 'K' || type == 'g') continue;  // long link names and global pax headers do not name files
    if (++entries > max_entries)
      return make_error(errc::payload_too_large, "tar: more than " + std::to_string(max_entries) + " entries");
    std::string name;
    if (pax_path) {
      name = std::move(*pax_path);
    } else if (long_name) {
      name = std::move(*long_name);
    } else {
      name = std::string(field_string(std::string_view(b, 100)));
      const bool ustar = std::memcmp(b + 257, "ustar\0", 6) == 0;  // GNU ("ustar  ") has no prefix
      const std::string_view prefix = field_string(std::string_view(b + 345, 155));
      if (ustar && !prefix.empty()) name = std::string(prefix) + "/" + name;
    }
    long_name.reset();
    pax_path.reset();
    has_pax_size = false;
    if (type != '0' && type != '\0') continue;
    std::size_t strip = 0;
    while (name.compare(strip, 2, "./") == 0) strip += 2;
    name.erase(0, strip);
    if (name.empty()) return bad("a file without a name");
    out.push_back(tar_entry{std::move(name), std::string(data)});
  }
  if (long_name || pax_path || has_pax_size) return bad("an extended header without its entry");
  return out;
}

}  // namespace detail
}  // namespace tfe

#endif  // TFE_DETAIL_TAR_HPP
