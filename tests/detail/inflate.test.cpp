// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// gunzip (detail/inflate.hpp): gzip made by Python's gzip module (fixed and dynamic Huffman, two members),
// stored and fixed-Huffman streams written here, header flags, and every kind of corruption, truncation
// and archive bomb.
#include "support/catch.hpp"

#include "support/internals.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace inflate_test {

using tfe::detail::gunzip;

// Made with: python3 -c "import gzip; gzip.compress(DATA, LEVEL, mtime=0)"
//   gz_fixed:       b"hello, hello, hello world\n" (one fixed-Huffman block)
//   gz_dynamic:     dynamic_text() at level 9 (one dynamic-Huffman block)
//   gz_two_members: gzip.compress(b"first member\n") + gzip.compress(b"second member\n")
// clang-format off
constexpr unsigned char gz_fixed[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0xc8, 0x40, 0xa2, 0x14, 0xca, 0xf3, 0x8b, 0x72, 0x52, 0xb8, 0x00, 0x87, 0x5d, 0x46, 0x2b, 0x1a, 0x00, 0x00, 0x00};
constexpr unsigned char gz_dynamic[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x85, 0xd2, 0x4b, 0x0a, 0x02, 0x31, 0x10, 0x45, 0xd1, 0x79, 0x56, 0x51, 0xd4, 0x0a, 0x3a, 0xe9, 0x7c, 0xba, 0x07, 0xae, 0x45, 0x82, 0x46, 0x10, 0xd4, 0x96, 0x32, 0x71, 0x22, 0xee, 0x5d, 0x70, 0xfc, 0xf4, 0x2d, 0xe0, 0x8c, 0xee, 0xb5, 0xf6, 0xd8, 0x86, 0x1d, 0x9a, 0x68, 0x6f, 0x66, 0xf5, 0xb4, 0xd9, 0x75, 0x7f, 0xac, 0xbd, 0xaa, 0xa8, 0x4d, 0x2a, 0x2f, 0x27, 0x72, 0xbe, 0xdd, 0x47, 0x97, 0x9d, 0xe8, 0xb3, 0x5e, 0x46, 0x93, 0x49, 0xdd, 0xdb, 0xd9, 0x1f, 0xe6, 0x21, 0x2b, 0x8c, 0x05, 0xc8, 0x7c, 0x64, 0x6e, 0x86, 0x2e, 0x78, 0xe6, 0x22, 0x76, 0x0b, 0x73, 0x09, 0xba, 0x39, 0x31, 0x97, 0xa1, 0x8b, 0x81, 0xb9, 0x82, 0xdd, 0xca, 0xdc, 0x02, 0x5d, 0xca, 0xcc, 0xad, 0xd0, 0xe5, 0x99, 0x66, 0xc7, 0xbb, 0x14, 0xfe, 0xcb, 0x8f, 0x61, 0xbe, 0xc7, 0x7c, 0x00, 0xed, 0x86, 0x70, 0x78, 0xa0, 0x02, 0x00, 0x00};
constexpr unsigned char gz_two_members[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x4b, 0xcb, 0x2c, 0x2a, 0x2e, 0x51, 0xc8, 0x4d, 0xcd, 0x4d, 0x4a, 0x2d, 0xe2, 0x02, 0x00, 0xa7, 0xf4, 0x85, 0x0a, 0x0d, 0x00, 0x00, 0x00, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x2b, 0x4e, 0x4d, 0xce, 0xcf, 0x4b, 0x51, 0xc8, 0x4d, 0xcd, 0x4d, 0x4a, 0x2d, 0xe2, 0x02, 0x00, 0x36, 0x18, 0x4b, 0x0e, 0x0e, 0x00, 0x00, 0x00};
// clang-format on

template <std::size_t N>
std::string bytes(const unsigned char (&a)[N]) {
  return std::string(reinterpret_cast<const char*>(a), N);
}

// The text gz_dynamic holds.
std::string dynamic_text() {
  std::string s;
  for (int i = 0; i < 12; ++i)
    s += "resource \"terraform_data\" \"r" + std::to_string(i) + "\" {\n  input = \"value " + std::to_string(i * 7) +
         "\"\n}\n";
  return s;
}

// Writes an LSB-first bit stream; Huffman codes go most significant bit first.
struct bit_writer {
  std::string out;
  std::uint64_t acc = 0;
  unsigned n = 0;
  void put(std::uint32_t v, unsigned bits) {
    acc |= std::uint64_t(v) << n;
    n += bits;
    while (n >= 8) {
      out += static_cast<char>(acc & 0xff);
      acc >>= 8;
      n -= 8;
    }
  }
  void code(std::uint32_t c, unsigned len) {
    std::uint32_t r = 0;
    for (unsigned i = 0; i < len; ++i) r |= ((c >> i) & 1u) << (len - 1 - i);
    put(r, len);
  }
  // A symbol of the fixed literal/length code.
  void fixed(unsigned sym) {
    if (sym < 144) code(0x30 + sym, 8);
    else if (sym < 256) code(0x190 + sym - 144, 9);
    else if (sym < 280) code(sym - 256, 7);
    else code(0xc0 + sym - 280, 8);
  }
  std::string finish() {
    if (n) put(0, 8 - n);
    return out;
  }
};

void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A gzip header with no flags.
const std::string plain_header("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);

// A gzip member around raw deflate data, with the trailer of `data`.
std::string member(const std::string& deflate, std::string_view data) {
  std::string s = plain_header + deflate;
  put32(s, tfe::detail::crc32(data));
  put32(s, static_cast<std::uint32_t>(data.size()));
  return s;
}

// `data` as stored blocks of at most `block` bytes.
std::string stored(std::string_view data, std::size_t block = 65535) {
  std::string d;
  std::size_t i = 0;
  do {
    const std::size_t len = std::min(block, data.size() - i);
    d += static_cast<char>(i + len == data.size() ? 1 : 0);
    d += static_cast<char>(len & 0xff);
    d += static_cast<char>(len >> 8);
    d += static_cast<char>(~len & 0xff);
    d += static_cast<char>((~len >> 8) & 0xff);
    d.append(data.substr(i, len));
    i += len;
  } while (i < data.size());
  return d;
}

std::string pseudo_random(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return s;
}

// The error message of a gunzip that must fail with `code`.
std::string failure(const std::string& in, tfe::errc code = tfe::errc::validation_failed, std::size_t max = 1 << 20) {
  const auto r = gunzip(in, max);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == code);
  return r.error().message;
}

TEST_CASE("gunzip: Python's gzip output (fixed, dynamic, two members)", "[detail][inflate]") {
  CHECK(gunzip(bytes(gz_fixed), 1 << 20).value() == "hello, hello, hello world\n");
  CHECK(gunzip(bytes(gz_dynamic), 1 << 20).value() == dynamic_text());
  CHECK(gunzip(bytes(gz_two_members), 1 << 20).value() == "first member\nsecond member\n");
  CHECK((bytes(gz_fixed)[10] & 6) == 2);    // the vectors are what they claim: BTYPE 01
  CHECK((bytes(gz_dynamic)[10] & 6) == 4);  // BTYPE 10
}

TEST_CASE("gunzip: stored blocks, empty members and large outputs", "[detail][inflate]") {
  CHECK(gunzip(member(stored(""), ""), 0).value().empty());
  const std::string data = pseudo_random(300000, 7);
  CHECK(gunzip(member(stored(data), data), data.size()).value() == data);
  CHECK(gunzip(member(stored(data, 1000), data), 1 << 20).value() == data);
  // Many members, each its own stream.
  std::string many, expect;
  for (int i = 0; i < 50; ++i) {
    const std::string part = pseudo_random(static_cast<std::size_t>(i) * 37, static_cast<std::uint32_t>(i));
    many += member(stored(part), part);
    expect += part;
  }
  CHECK(gunzip(many, 1 << 20).value() == expect);
}

TEST_CASE("gunzip: fixed-Huffman matches, overlapping and at full distance", "[detail][inflate]") {
  bit_writer w;
  w.put(1, 1);  // BFINAL
  w.put(1, 2);  // fixed
  for (const char c : std::string("abc")) w.fixed(static_cast<unsigned char>(c));
  w.fixed(265);  // length 11 + 1 extra bit: 12
  w.put(1, 1);
  w.code(2, 5);  // distance 3
  w.fixed(256);
  const std::string expect = "abcabcabcabcabc";
  CHECK(gunzip(member(w.finish(), expect), 100).value() == expect);
}

TEST_CASE("gunzip: header flags FEXTRA, FNAME, FCOMMENT and FHCRC", "[detail][inflate]") {
  const std::string plain = bytes(gz_fixed);
  const std::string body = plain.substr(10);
  std::string h("\x1f\x8b\x08\x1e\x00\x00\x00\x00\x00\x03", 10);  // FHCRC|FEXTRA|FNAME|FCOMMENT
  h += std::string(
      "\x04\x00"
      "ab\x00\x01",
      6);  // XLEN 4
  h += std::string("main.tf\0", 8);
  h += std::string("a comment\0", 10);
  const std::uint32_t hcrc = tfe::detail::crc32(h) & 0xffff;
  std::string good = h;
  good += static_cast<char>(hcrc & 0xff);
  good += static_cast<char>(hcrc >> 8);
  CHECK(gunzip(good + body, 1 << 20).value() == "hello, hello, hello world\n");
  std::string bad = h;
  bad += static_cast<char>((hcrc & 0xff) ^ 1);
  bad += static_cast<char>(hcrc >> 8);
  CHECK(failure(bad + body) == "gzip: header CRC mismatch");
  // A name without its terminating NUL runs off the end.
  CHECK(failure(std::string("\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\x03main.tf", 17)) == "gzip: truncated header");
}

TEST_CASE("gunzip: malformed headers and trailers", "[detail][inflate]") {
  const std::string good = bytes(gz_fixed);
  CHECK(failure("") == "not a gzip file");
  CHECK(failure("PK\x03\x04 a zip") == "not a gzip file");
  std::string s = good;
  s[2] = 7;
  CHECK(failure(s) == "gzip: unknown compression method");
  s = good;
  s[3] = '\x20';
  CHECK(failure(s) == "gzip: reserved header flags set");
  s = good;
  s[s.size() - 8] ^= 1;
  CHECK(failure(s) == "gzip: CRC-32 mismatch");
  s = good;
  s[s.size() - 1] ^= 1;
  CHECK(failure(s) == "gzip: ISIZE mismatch");
  CHECK(failure(good + "garbage!") == "gzip: data after the last member is not a member");
  CHECK(failure(good + std::string(10, '\0')) == "gzip: data after the last member is not a member");
}

TEST_CASE("gunzip: malformed deflate streams", "[detail][inflate]") {
  CHECK(failure(member(std::string(1, '\x07'), "")) == "gzip: invalid block type");
  // Stored block whose NLEN is not the complement of LEN.
  CHECK(failure(member(std::string("\x01\x05\x00\xfa\xfe"
                                   "abcde",
                                   10),
                       "abcde")) == "gzip: stored block length does not match its complement");
  // A stored block longer than the input (no trailer either).
  CHECK(failure(plain_header + std::string("\x01\x05\x00\xfa\xff"
                                           "ab",
                                           7)) == "gzip: truncated stored block");
  {  // A match before any output.
    bit_writer w;
    w.put(3, 3);
    w.fixed(257);
    w.put(0, 5);
    w.fixed(256);
    CHECK(failure(member(w.finish(), "")) == "gzip: distance too far back");
  }
  {  // A match reaching one byte before the output.
    bit_writer w;
    w.put(3, 3);
    w.fixed('a');
    w.fixed('b');
    w.fixed(257);
    w.code(2, 5);  // distance 3 with 2 bytes written
    w.fixed(256);
    CHECK(failure(member(w.finish(), "")) == "gzip: distance too far back");
  }
  {  // A second member cannot reach into the first.
    bit_writer w;
    w.put(3, 3);
    w.fixed(257);
    w.put(0, 5);
    w.fixed(256);
    CHECK(failure(bytes(gz_fixed) + member(w.finish(), "")) == "gzip: distance too far back");
  }
  {  // Fixed distance codes 30 and 31 and length codes 286 and 287 exist but are invalid.
    bit_writer w;
    w.put(3, 3);
    w.fixed('a');
    w.fixed(257);
    w.code(30, 5);
    CHECK(failure(member(w.finish(), "")) == "gzip: invalid distance code");
    bit_writer v;
    v.put(3, 3);
    v.fixed(286);
    CHECK(failure(member(v.finish(), "")) == "gzip: invalid literal/length code");
  }
  {  // Dynamic block: HLIT of 287 symbols.
    bit_writer w;
    w.put(5, 3);
    w.put(30, 5);
    w.put(0, 5);
    w.put(0, 4);
    CHECK(failure(member(w.finish() + std::string(20, '\0'), "")) == "gzip: too many length or distance symbols");
  }
  {  // Dynamic block whose code length code is over-subscribed (all 19 lengths 1).
    bit_writer w;
    w.put(5, 3);
    w.put(0, 5);
    w.put(0, 5);
    w.put(15, 4);
    for (int i = 0; i < 19; ++i) w.put(1, 3);
    CHECK(failure(member(w.finish() + std::string(20, '\0'), "")) == "gzip: invalid code lengths code");
  }
  // A deflate stream with no final block runs off the end.
  CHECK(failure(plain_header + std::string("\x00\x00\x00\xff\xff", 5)) == "gzip: truncated stored block");
  CHECK(failure(bytes(gz_fixed).substr(0, 14)) == "gzip: truncated deflate stream");
}

TEST_CASE("gunzip: truncated at every byte", "[detail][inflate]") {
  const std::string first = bytes(gz_two_members).substr(0, 33);  // the first member alone
  CHECK(gunzip(first, 100).value() == "first member\n");
  for (const std::string& gz : {bytes(gz_fixed), bytes(gz_dynamic), bytes(gz_two_members)}) {
    for (std::size_t n = 0; n < gz.size(); ++n) {
      const auto r = gunzip(gz.substr(0, n), 1 << 20);
      if (n == first.size() && gz == bytes(gz_two_members)) {
        CHECK(r);
        continue;
      }
      INFO("prefix of " << n << " of " << gz.size() << " bytes");
      REQUIRE_FALSE(r);
      CHECK(r.error().code == tfe::errc::validation_failed);
      CHECK_FALSE(r.error().message.empty());
    }
  }
}

TEST_CASE("gunzip: every single-bit flip fails or decodes the same", "[detail][inflate]") {
  for (const std::string& gz : {bytes(gz_fixed), bytes(gz_dynamic), bytes(gz_two_members)}) {
    const std::string expect = gunzip(gz, 1 << 20).value();
    for (std::size_t i = 0; i < gz.size() * 8; ++i) {
      std::string s = gz;
      s[i / 8] = static_cast<char>(s[i / 8] ^ (1 << (i % 8)));
      const auto r = gunzip(s, 1 << 20);
      INFO("bit " << i);
      if (r) CHECK(*r == expect);  // MTIME, XFL and OS do not matter
      else CHECK(r.error().code != tfe::errc::internal);
    }
  }
}

TEST_CASE("gunzip: output limit", "[detail][inflate]") {
  const std::string text = dynamic_text();
  CHECK(gunzip(bytes(gz_dynamic), text.size()).value() == text);  // exactly at the limit
  CHECK(failure(bytes(gz_dynamic), tfe::errc::payload_too_large, text.size() - 1) ==
        "archive expands beyond " + std::to_string(text.size() - 1) + " bytes");
  CHECK(failure(bytes(gz_two_members), tfe::errc::payload_too_large, 20) == "archive expands beyond 20 bytes");
  const std::string data = pseudo_random(70000, 3);
  CHECK(failure(member(stored(data), data), tfe::errc::payload_too_large, 69999) ==
        "archive expands beyond 69999 bytes");
  CHECK(failure(bytes(gz_fixed), tfe::errc::payload_too_large, 0) == "archive expands beyond 0 bytes");
}

TEST_CASE("gunzip: a 1 GB bomb stops at the limit", "[detail][inflate]") {
  // One fixed-Huffman block: a zero byte, then matches of 258 bytes at distance 1 up to 1 GiB
  // (13 bits each, about 6.5 MB of input).
  bit_writer w;
  w.put(3, 3);
  w.fixed(0);
  const std::size_t matches = ((std::size_t(1) << 30) - 1) / 258;
  for (std::size_t i = 0; i < matches; ++i) w.put(0xa3, 13);  // 285 is 11000101 (0xa3 reversed), then distance code 0
  w.fixed(256);
  std::string bomb = member(w.finish(), "");
  CHECK(bomb.size() < (std::size_t(7) << 20));
  CHECK(failure(bomb, tfe::errc::payload_too_large, 1 << 20) == "archive expands beyond 1048576 bytes");
}

}  // namespace inflate_test
