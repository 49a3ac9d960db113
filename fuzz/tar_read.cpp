// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Fuzz target: read_tar with a limit of 64 entries. A failure is validation_failed or payload_too_large
// with a message; the files read have names without a leading "./" and no more bytes than the input;
// written back as a tar (pax path records, base-256 sizes never needed) they read back the same. The
// files then go through scan_tf_files, whose values must be JSON.
#include <tfe/tfe.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_tar_read: %s\n%s\n", what, detail.c_str());
  std::abort();
}

std::string octal(std::uint64_t v, std::size_t width) {
  std::string s(width - 1, '0');
  for (std::size_t i = width - 1; i-- > 0; v >>= 3) s[i] = static_cast<char>('0' + (v & 7));
  return s + '\0';
}

std::string header(std::string_view name, std::uint64_t size, char type) {
  std::string b(512, '\0');
  b.replace(0, name.size(), name);
  b.replace(100, 8, "0000644", 8);
  b.replace(124, 12, octal(size, 12));
  b[156] = type;
  b.replace(257, 8,
            "ustar\0"
            "00",
            8);
  b.replace(148, 8, "        ");
  unsigned sum = 0;
  for (const char c : b) sum += static_cast<unsigned char>(c);
  b.replace(148, 7, octal(sum, 7));
  return b;
}

void append_padded(std::string& out, std::string_view data) {
  out.append(data);
  out.append((512 - data.size() % 512) % 512, '\0');
}

// Each entry as a pax header with its path, then a regular file.
std::string write_tar(const std::vector<tfe::detail::tar_entry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    const std::string body = " path=" + e.name + "\n";
    std::size_t len = body.size() + 1;
    while (std::to_string(len).size() + body.size() != len) ++len;
    const std::string record = std::to_string(len) + body;
    out += header("PaxHeader", record.size(), 'x');
    append_padded(out, record);
    out += header("f", e.data.size(), '0');
    append_padded(out, e.data);
  }
  out.append(1024, '\0');
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto r = tfe::detail::read_tar(in, 64);
  if (!r) {
    const tfe::error& e = r.error();
    if (e.code != tfe::errc::validation_failed && e.code != tfe::errc::payload_too_large)
      fail("unexpected error code", e.message);
    if (e.message.empty()) fail("empty error message", "");
    return 0;
  }
  if (r->size() > 64) fail("more entries than the limit", std::to_string(r->size()));
  std::size_t total = 0;
  for (const auto& e : *r) {
    if (e.name.empty() || e.name.compare(0, 2, "./") == 0) fail("bad name", e.name);
    total += e.data.size();
  }
  if (total > size) fail("more data than input", std::to_string(total));
  const auto again = tfe::detail::read_tar(write_tar(*r), 64);
  if (!again) fail("the archive written back does not read", again.error().message);
  if (again->size() != r->size()) fail("written back: another number of entries", "");
  for (std::size_t i = 0; i < r->size(); ++i)
    if ((*again)[i].name != (*r)[i].name || (*again)[i].data != (*r)[i].data)
      fail("written back: another entry", (*r)[i].name);
  const auto config = tfe::detail::scan_tf_files(*r);
  for (const auto& res : config.resources)
    for (const auto& a : res.attributes)
      if (!tfe::json::parse(a.second)) fail("attribute value is not JSON", a.second);
  return 0;
}
