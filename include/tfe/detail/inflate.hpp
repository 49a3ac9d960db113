// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// gunzip: an RFC 1951 inflater (stored, fixed and dynamic Huffman blocks) behind an RFC 1952 gzip member
// reader, for configuration version uploads (.tar.gz). The output limit refuses archive bombs: decoding
// stops as soon as the output would pass it, and the buffer never grows beyond it.
#ifndef TFE_DETAIL_INFLATE_HPP
#define TFE_DETAIL_INFLATE_HPP

#include <tfe/detail/crc32.hpp>
#include <tfe/result.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

namespace tfe {
namespace detail {
namespace inflate_impl {

/// Base match lengths of length symbols 257..285 (RFC 1951 3.2.5).
inline constexpr std::uint16_t length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                                  31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
/// Extra bits of length symbols 257..285.
inline constexpr std::uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
/// Base distances of distance symbols 0..29.
inline constexpr std::uint16_t distance_base[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                                    33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
/// Extra bits of distance symbols 0..29.
inline constexpr std::uint8_t distance_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/// The order in which a dynamic block sends the code lengths of the code length alphabet.
inline constexpr std::uint8_t code_length_order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                       11, 4,  12, 3, 13, 2, 14, 1, 15};

/// A canonical Huffman code: a table of every 10-bit prefix for codes up to 10 bits, and the counts
/// and symbols by code for the rare longer codes (decoded one bit at a time, as zlib's puff does).
struct huffman {
  static constexpr unsigned fast_bits = 10;  ///< bits looked up at once
  std::uint16_t fast[1u << fast_bits];       ///< by the next 10 input bits: symbol | length << 9; 0: longer code
  std::uint16_t count[16];                   ///< number of codes of each length
  std::uint16_t symbol[288];                 ///< symbols ordered by code

  /// Builds the code of `n` lengths; false when they over-subscribe the code or leave it incomplete
  /// (unless `single_ok` and it is one code of one bit, which zlib allows for literal and distance codes).
  bool build(const std::uint8_t* lengths, unsigned n, bool single_ok) noexcept {
    std::memset(count, 0, sizeof count);
    for (unsigned s = 0; s < n; ++s) ++count[lengths[s]];
    count[0] = 0;
    int left = 1;
    unsigned longest = 0;
    for (unsigned len = 1; len < 16; ++len) {
      left = left * 2 - count[len];
      if (left < 0) return false;  // over-subscribed
      if (count[len]) longest = len;
    }
    if (left > 0 && longest > 0 && !(single_ok && longest == 1)) return false;  // incomplete
    std::uint16_t offset[16];
    offset[1] = 0;
    for (unsigned len = 1; len < 15; ++len) offset[len + 1] = static_cast<std::uint16_t>(offset[len] + count[len]);
    std::uint16_t next_code[16];
    unsigned code = 0;
    for (unsigned len = 1; len < 16; ++len) {
      code = (code + count[len - 1]) << 1;
      next_code[len] = static_cast<std::uint16_t>(code);
    }
    std::memset(fast, 0, sizeof fast);
    for (unsigned s = 0; s < n; ++s) {
      const unsigned len = lengths[s];
      if (len == 0) continue;
      symbol[offset[len]++] = static_cast<std::uint16_t>(s);
      const unsigned c = next_code[len]++;
      if (len > fast_bits) continue;
      unsigned reversed = 0;  // codes are sent most significant bit first into an LSB-first stream
      for (unsigned b = 0; b < len; ++b) reversed |= ((c >> b) & 1u) << (len - 1 - b);
      const auto entry = static_cast<std::uint16_t>(s | len << 9);
      for (unsigned k = reversed; k < (1u << fast_bits); k += 1u << len) fast[k] = entry;
    }
    return true;
  }

  /// Decodes the code at the bottom of `bits`: symbol | length << 16, or -1 for a code not in the table.
  int decode_long(std::uint64_t bits) const noexcept {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len < 16; ++len) {
      code |= static_cast<int>((bits >> (len - 1)) & 1u);
      const int n = count[len];
      if (code - n < first) return symbol[index + (code - first)] | len << 16;
      index += n;
      first = (first + n) << 1;
      code <<= 1;
    }
    return -1;
  }
};

/// The fixed literal/length and distance codes of RFC 1951 3.2.6, built once.
struct fixed_codes {
  huffman literal;   ///< literal/length code
  huffman distance;  ///< distance code (32 five-bit codes; 30 and 31 are invalid when used)
  fixed_codes() noexcept {
    std::uint8_t lengths[288];
    for (unsigned s = 0; s < 288; ++s) lengths[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    literal.build(lengths, 288, false);
    for (unsigned s = 0; s < 32; ++s) lengths[s] = 5;
    distance.build(lengths, 32, false);
  }
};

/// The fixed codes, built on first use.
inline const fixed_codes& fixed() noexcept {
  static const fixed_codes codes;
  return codes;
}

/// Reads the gzip members of one input into one output; the state of a single gunzip() call.
class gzip_reader {
 public:
  /// A reader of `in` whose output may not exceed `max_output` bytes.
  gzip_reader(std::string_view in, std::size_t max_output) noexcept
      : in_(reinterpret_cast<const unsigned char*>(in.data())), n_(in.size()), max_(max_output) {}

  /// The concatenated output of every member, or the first problem.
  result<std::string> run() {
    if (n_ < 2 || in_[0] != 0x1f || in_[1] != 0x8b) return make_error(errc::validation_failed, "not a gzip file");
    std::size_t p = 0;
    while (p < n_) {
      if (!member(p)) {
        if (too_large_)
          return make_error(errc::payload_too_large, "archive expands beyond " + std::to_string(max_) + " bytes");
        return make_error(errc::validation_failed, std::string("gzip: ") + why_);
      }
    }
    out_.resize(w_);
    return std::move(out_);
  }

 private:
  bool fail(const char* why) noexcept {
    why_ = why;
    return false;
  }

  // One member starting at p; p moves past its trailer.
  bool member(std::size_t& p) {
    if (n_ - p < 2 || in_[p] != 0x1f || in_[p + 1] != 0x8b) return fail("data after the last member is not a member");
    if (n_ - p < 10) return fail("truncated header");
    if (in_[p + 2] != 8) return fail("unknown compression method");
    const unsigned flags = in_[p + 3];
    if (flags & 0xe0u) return fail("reserved header flags set");
    std::size_t q = p + 10;
    if (flags & 4u) {  // FEXTRA
      if (n_ - q < 2) return fail("truncated header");
      const std::size_t xlen = in_[q] | std::size_t(in_[q + 1]) << 8;
      q += 2;
      if (n_ - q < xlen) return fail("truncated header");
      q += xlen;
    }
    for (unsigned flag : {8u, 16u}) {  // FNAME, FCOMMENT: zero-terminated
      if (!(flags & flag)) continue;
      const void* nul = std::memchr(in_ + q, 0, n_ - q);
      if (!nul) return fail("truncated header");
      q = static_cast<std::size_t>(static_cast<const unsigned char*>(nul) - in_) + 1;
    }
    if (flags & 2u) {  // FHCRC: the low 16 bits of the CRC-32 of the header so far
      if (n_ - q < 2) return fail("truncated header");
      const std::uint32_t crc = crc32(std::string_view(reinterpret_cast<const char*>(in_ + p), q - p)) & 0xffffu;
      if (crc != (in_[q] | std::uint32_t(in_[q + 1]) << 8)) return fail("header CRC mismatch");
      q += 2;
    }
    seek(q);
    member_start_ = w_;
    bool last = false;
    while (!last) {
      if (!block(last)) return false;
    }
    q = tell();
    if (q > n_ || n_ - q < 8) return fail("truncated trailer");
    const auto le32 = [&](std::size_t at) {
      return std::uint32_t(in_[at]) | std::uint32_t(in_[at + 1]) << 8 | std::uint32_t(in_[at + 2]) << 16 |
             std::uint32_t(in_[at + 3]) << 24;
    };
    const std::size_t size = w_ - member_start_;
    if (crc32(std::string_view(out_.data() + member_start_, size)) != le32(q)) return fail("CRC-32 mismatch");
    if (std::uint32_t(size) != le32(q + 4)) return fail("ISIZE mismatch");
    p = q + 8;
    return true;
  }

  // --- bits: LSB first; past the end of the input the reader supplies zero bytes, and overran()
  // says whether any of them were used.
  void refill() noexcept {
    if (pos_ + 8 <= n_) {
      std::uint64_t v = 0;
      for (int b = 7; b >= 0; --b) v = v << 8 | in_[pos_ + static_cast<std::size_t>(b)];
      bitbuf_ |= v << bitcnt_;  // bits above bitcnt_ are the next bytes: OR-ing them again is harmless
      pos_ += (63 - bitcnt_) >> 3;
      bitcnt_ |= 56;
    } else {
      while (bitcnt_ <= 56) {
        bitbuf_ |= std::uint64_t(pos_ < n_ ? in_[pos_] : 0) << bitcnt_;
        bitcnt_ += 8;
        ++pos_;
      }
    }
  }
  bool overran() const noexcept { return pos_ > n_ && (pos_ - n_) * 8 > bitcnt_; }
  void drop(unsigned k) noexcept {
    bitbuf_ >>= k;
    bitcnt_ -= k;
  }
  unsigned take(unsigned k) noexcept {  // k <= 32; the caller has refilled enough
    const auto v = static_cast<unsigned>(bitbuf_ & ((std::uint64_t(1) << k) - 1));
    drop(k);
    return v;
  }
  unsigned bits(unsigned k) noexcept {  // refills as needed
    if (bitcnt_ < k) refill();
    return take(k);
  }
  // The byte position after dropping to a byte boundary (beyond n_ when padding was used).
  std::size_t tell() noexcept {
    drop(bitcnt_ & 7u);
    return pos_ - bitcnt_ / 8;
  }
  void seek(std::size_t p) noexcept {
    pos_ = p;
    bitbuf_ = 0;
    bitcnt_ = 0;
  }
  int decode(const huffman& h) noexcept {  // needs 15 bits in the buffer
    const unsigned e = h.fast[bitbuf_ & ((1u << huffman::fast_bits) - 1)];
    if (e) {
      drop(e >> 9);
      return static_cast<int>(e & 511u);
    }
    const int r = h.decode_long(bitbuf_);
    if (r < 0) return -1;
    drop(static_cast<unsigned>(r >> 16));
    return r & 0xffff;
  }

  // --- output
  bool reserve(std::size_t k) {
    if (k <= out_.size() - w_) return true;
    if (k > max_ - w_) {
      too_large_ = true;
      return false;
    }
    std::size_t cap = std::max<std::size_t>(out_.size() * 2, std::size_t(1) << 16);
    cap = std::min(std::max(cap, w_ + k), max_);
    out_.resize(cap);
    return true;
  }

  // --- blocks
  bool block(bool& last) {
    refill();
    if (overran()) return fail("truncated deflate stream");
    last = take(1) != 0;
    switch (take(2)) {
      case 0:
        return stored();
      case 1:
        return codes(fixed().literal, fixed().distance);
      case 2:
        return dynamic();
      default:
        return fail("invalid block type");
    }
  }

  bool stored() {
    std::size_t p = tell();
    if (p > n_ || n_ - p < 4) return fail("truncated stored block");
    const std::size_t len = in_[p] | std::size_t(in_[p + 1]) << 8;
    const std::size_t nlen = in_[p + 2] | std::size_t(in_[p + 3]) << 8;
    if (len != (~nlen & 0xffffu)) return fail("stored block length does not match its complement");
    p += 4;
    if (n_ - p < len) return fail("truncated stored block");
    if (!reserve(len)) return false;
    if (len) std::memcpy(&out_[w_], in_ + p, len);
    w_ += len;
    seek(p + len);
    return true;
  }

  bool dynamic() {
    refill();
    const unsigned nlen = take(5) + 257, ndist = take(5) + 1, ncode = take(4) + 4;
    if (nlen > 286 || ndist > 30) return fail("too many length or distance symbols");
    std::uint8_t lengths[320] = {};
    for (unsigned i = 0; i < ncode; ++i) lengths[code_length_order[i]] = static_cast<std::uint8_t>(bits(3));
    huffman& lencode = tables_[0];
    if (!lencode.build(lengths, 19, false)) return fail("invalid code lengths code");
    std::memset(lengths, 0, 19);
    unsigned index = 0;
    while (index < nlen + ndist) {
      refill();
      if (overran()) return fail("truncated deflate stream");
      const int sym = decode(lencode);
      if (sym < 0) return fail("invalid code length");
      if (sym < 16) {
        lengths[index++] = static_cast<std::uint8_t>(sym);
        continue;
      }
      std::uint8_t repeated = 0;
      unsigned times;
      if (sym == 16) {
        if (index == 0) return fail("repeated code length without a first one");
        repeated = lengths[index - 1];
        times = 3 + take(2);
      } else if (sym == 17) {
        times = 3 + take(3);
      } else {
        times = 11 + take(7);
      }
      if (times > nlen + ndist - index) return fail("too many code lengths");
      while (times--) lengths[index++] = repeated;
    }
    if (lengths[256] == 0) return fail("no end-of-block code");
    if (!tables_[0].build(lengths, nlen, true)) return fail("invalid literal/length code lengths");
    if (!tables_[1].build(lengths + nlen, ndist, true)) return fail("invalid distance code lengths");
    return codes(tables_[0], tables_[1]);
  }

  bool codes(const huffman& literal, const huffman& distance) {
    for (;;) {
      refill();  // 56 bits: enough for a length code, its extra bits, a distance code and its extra bits
      if (overran()) return fail("truncated deflate stream");
      int sym = decode(literal);
      if (sym < 256) {
        if (sym < 0) return fail("invalid literal/length code");
        if (w_ == out_.size() && !reserve(1)) return false;
        out_[w_++] = static_cast<char>(sym);
        continue;
      }
      if (sym == 256) return overran() ? fail("truncated deflate stream") : true;
      sym -= 257;
      if (sym >= 29) return fail("invalid literal/length code");
      const std::size_t len = length_base[sym] + take(length_extra[sym]);
      const int dsym = decode(distance);
      if (dsym < 0 || dsym >= 30) return fail("invalid distance code");
      const std::size_t dist = distance_base[dsym] + take(distance_extra[dsym]);
      if (dist > w_ - member_start_) return fail("distance too far back");
      if (!reserve(len)) return false;
      char* o = &out_[w_];
      const char* from = o - dist;
      if (dist >= len) {
        std::memcpy(o, from, len);
      } else {
        for (std::size_t i = 0; i < len; ++i) o[i] = from[i];
      }
      w_ += len;
    }
  }

  const unsigned char* in_;
  std::size_t n_;
  std::size_t max_;
  std::size_t pos_ = 0;  // next input byte to load into bitbuf_ (beyond n_ after padding)
  std::uint64_t bitbuf_ = 0;
  unsigned bitcnt_ = 0;
  std::string out_;
  std::size_t w_ = 0;  // bytes of out_ written
  std::size_t member_start_ = 0;
  const char* why_ = "";
  bool too_large_ = false;
  huffman tables_[2];  // a dynamic block's codes
};

}  // namespace inflate_impl

/// The bytes of gzip data `in` (one or more RFC 1952 members): errc::payload_too_large when they would
/// exceed `max_output` bytes (decoding stops there), errc::validation_failed for malformed input.
inline result<std::string> gunzip(std::string_view in, std::size_t max_output) {
  return inflate_impl::gzip_reader(in, max_output).run();
}

}  // namespace detail
}  // namespace tfe

#endif  // TFE_DETAIL_INFLATE_HPP
