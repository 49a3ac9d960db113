// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// An incremental HTTP/1.1 request parser with no sockets: bytes in, tfe::http_request out.
#ifndef TFE_TRANSPORT_HTTP_PARSER_HPP
#define TFE_TRANSPORT_HTTP_PARSER_HPP

#include <tfe/api/http_message.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

namespace tfe {

/// Size limits enforced by http_parser; each names the status it answers with (docs/http-server.md).
struct http_parser_limits {
  std::size_t max_request_line = 8 * 1024;   ///< request line with its CRLF: over it -> 414
  std::size_t max_header_bytes = 32 * 1024;  ///< header section (and the trailer section): over it -> 431
  std::size_t max_header_count = 128;        ///< header field lines (and trailer lines): over it -> 431
  std::size_t max_body_bytes = 64u << 20;    ///< decoded body: over it -> 413
};

/// Where an http_parser stands: still reading, one request complete, or failed with a status.
enum class http_parse_state : std::uint8_t {
  incomplete,  ///< more bytes are needed
  complete,    ///< request() holds a whole request; call reset() for the next one
  failed,      ///< error_status() says what to answer; the connection must be closed
};

namespace detail {

/// Character classes of HTTP/1.1 (RFC 9110 5.6.2, 5.5; RFC 9112 7.1).
enum http_char_class : std::uint8_t {
  http_tchar = 1,       ///< token character (methods, field names)
  http_target = 2,      ///< request-target character (VCHAR)
  http_field_char = 4,  ///< field-value character: VCHAR, SP, HTAB, obs-text
  http_hex = 8,         ///< hexadecimal digit
};

constexpr std::array<std::uint8_t, 256> make_http_char_table() noexcept {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t f = 0;
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (alpha || digit) f |= http_tchar;
    switch (c) {
      case '!':
      case '#':
      case '$':
      case '%':
      case '&':
      case '\'':
      case '*':
      case '+':
      case '-':
      case '.':
      case '^':
      case '_':
      case '`':
      case '|':
      case '~':
        f |= http_tchar;
        break;
      default:
        break;
    }
    if (c >= 0x21 && c <= 0x7e) f |= http_target | http_field_char;
    if (c == ' ' || c == '\t' || c >= 0x80) f |= http_field_char;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= http_hex;
    t[static_cast<std::size_t>(c)] = f;
  }
  return t;
}

inline constexpr std::array<std::uint8_t, 256> http_char_table = make_http_char_table();

/// True when `c` is in every class of `mask`.
constexpr bool http_is(char c, std::uint8_t mask) noexcept {
  return (http_char_table[static_cast<unsigned char>(c)] & mask) == mask;
}

/// Length of the prefix of `s` whose characters are all in class `mask`.
inline std::size_t http_span(std::string_view s, std::uint8_t mask) noexcept {
  std::size_t i = 0;
  while (i < s.size() && http_is(s[i], mask)) ++i;
  return i;
}

/// `s` without leading and trailing SP / HTAB (HTTP's OWS).
inline std::string_view http_trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Calls `f(element)` for each OWS-trimmed element of a comma-separated field value.
template <class F>
void http_for_each_list_element(std::string_view value, F&& f) {
  for (;;) {
    const auto comma = value.find(',');
    f(http_trim(value.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace detail

/// An incremental HTTP/1.1 request parser: feed() bytes, then read request() or error_status().
/// It never touches sockets, so it can be unit-tested and fuzzed; see docs/http-server.md.
class http_parser {
 public:
  /// A parser with the given limits, ready for the first request.
  explicit http_parser(http_parser_limits limits = {}) noexcept : limits_(limits) {}

  /// Consumes bytes of the current request from `data` and returns how many it used. It stops
  /// at the end of a request, so bytes of a pipelined next request are left to the caller.
  inline std::size_t feed(std::string_view data);

  /// incomplete, complete or failed.
  http_parse_state state() const noexcept {
    return phase_ == phase::done    ? http_parse_state::complete
           : phase_ == phase::error ? http_parse_state::failed
                                    : http_parse_state::incomplete;
  }
  /// True when request() holds a whole request.
  bool is_complete() const noexcept { return phase_ == phase::done; }
  /// True when the input was rejected; error_status() tells the answer.
  bool has_failed() const noexcept { return phase_ == phase::error; }
  /// True when no byte of the current request has arrived yet (between requests).
  bool is_idle() const noexcept { return phase_ == phase::request_start && !started_; }
  /// True once the header section is complete (the body may still be arriving).
  bool headers_complete() const noexcept { return headers_done_; }
  /// True while the body is being read (after the headers, before the end of the request).
  bool in_body() const noexcept { return headers_done_ && phase_ != phase::done && phase_ != phase::error; }
  /// True when the request carries `Expect: 100-continue` (HTTP/1.1 only); valid after the headers.
  bool expects_continue() const noexcept { return expect_continue_; }
  /// Whether the connection may stay open after this request (version default and Connection).
  bool keep_alive() const noexcept { return keep_alive_; }
  /// The minor version of HTTP/1.x (0 or 1; higher 1.x minors are read as 1).
  int version_minor() const noexcept { return minor_; }
  /// The HTTP status to answer a failed request with (400, 413, 414, 417, 431, 501, 505); 0 otherwise.
  int error_status() const noexcept { return error_status_; }
  /// A short human-readable reason for the failure; empty otherwise.
  std::string_view error_message() const noexcept { return error_message_; }
  /// The request being built; whole once is_complete().
  http_request& request() noexcept { return req_; }
  /// The request being built; whole once is_complete().
  const http_request& request() const noexcept { return req_; }
  /// The limits in force.
  const http_parser_limits& limits() const noexcept { return limits_; }

  /// Forgets the current request and gets ready for the next; keeps buffer capacity where cheap.
  void reset() noexcept {
    req_.method.clear();
    req_.target.clear();
    req_.headers.clear();
    if (req_.body.capacity() > (256u << 10)) std::string().swap(req_.body);
    else req_.body.clear();
    phase_ = phase::request_start;
    started_ = false;
    headers_done_ = false;
    in_trailers_ = false;
    expect_continue_ = false;
    keep_alive_ = false;
    close_token_ = false;
    keep_alive_token_ = false;
    has_content_length_ = false;
    has_transfer_encoding_ = false;
    te_malformed_ = false;
    te_chunked_last_ = false;
    te_other_ = false;
    expect_bad_ = false;
    host_count_ = 0;
    te_chunked_count_ = 0;
    minor_ = 1;
    error_status_ = 0;
    error_message_ = {};
    line_bytes_ = 0;
    section_bytes_ = 0;
    field_count_ = 0;
    content_length_ = 0;
    remaining_ = 0;
    chunk_digits_ = 0;
    version_len_ = 0;
    trailer_name_.clear();
    trailer_value_.clear();
  }

 private:
  enum class phase : std::uint8_t {
    request_start,
    request_start_lf,
    method,
    target,
    version,
    request_line_lf,
    field_start,
    field_name,
    field_ows,
    field_value,
    field_lf,
    section_end_lf,
    body_length,
    chunk_size,
    chunk_ws,
    chunk_ext,
    chunk_size_lf,
    chunk_data,
    chunk_data_cr,
    chunk_data_lf,
    done,
    error,
  };

  static constexpr std::size_t max_chunk_line = 4096;
  static constexpr std::size_t max_version = 16;

  std::size_t fail(int status, std::string_view message, std::size_t consumed) noexcept {
    phase_ = phase::error;
    error_status_ = status;
    error_message_ = message;
    return consumed;
  }

  std::string& field_name_ref() noexcept { return in_trailers_ ? trailer_name_ : req_.headers.back().first; }
  std::string& field_value_ref() noexcept { return in_trailers_ ? trailer_value_ : req_.headers.back().second; }

  inline bool finish_request_line() noexcept;
  inline void finish_field() noexcept;
  inline bool finish_headers() noexcept;

  http_parser_limits limits_;
  http_request req_;
  std::string trailer_name_;
  std::string trailer_value_;
  std::string_view error_message_;
  std::size_t line_bytes_ = 0;
  std::size_t section_bytes_ = 0;
  std::size_t field_count_ = 0;
  std::uint64_t content_length_ = 0;
  std::uint64_t remaining_ = 0;
  std::size_t chunk_digits_ = 0;
  int error_status_ = 0;
  int minor_ = 1;
  int host_count_ = 0;
  int te_chunked_count_ = 0;
  std::size_t version_len_ = 0;
  char version_[max_version] = {};
  phase phase_ = phase::request_start;
  bool started_ = false;
  bool headers_done_ = false;
  bool in_trailers_ = false;
  bool expect_continue_ = false;
  bool keep_alive_ = false;
  bool close_token_ = false;
  bool keep_alive_token_ = false;
  bool has_content_length_ = false;
  bool has_transfer_encoding_ = false;
  bool te_malformed_ = false;
  bool te_chunked_last_ = false;
  bool te_other_ = false;
  bool expect_bad_ = false;
};

// ---------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------

inline std::size_t http_parser::feed(std::string_view data) {
  using detail::http_is;
  using detail::http_span;
  const std::size_t n = data.size();
  std::size_t i = 0;
  if (n > 0 && phase_ != phase::done && phase_ != phase::error) started_ = true;
  while (i < n) {
    const std::string_view rest = data.substr(i);
    const char c = data[i];
    switch (phase_) {
      case phase::done:
      case phase::error:
        return i;

      // --- request line: METHOD SP request-target SP HTTP-version CRLF ------------
      case phase::request_start:
        // RFC 9112 2.2: a server SHOULD ignore empty lines before the request line.
        if (++line_bytes_ > limits_.max_request_line) return fail(414, "request line too long", i);
        if (c == '\r') {
          phase_ = phase::request_start_lf;
          ++i;
          break;
        }
        if (!http_is(c, detail::http_tchar)) return fail(400, "malformed request line", i);
        --line_bytes_;
        phase_ = phase::method;
        break;
      case phase::request_start_lf:
        if (c != '\n') return fail(400, "malformed request line", i);
        ++line_bytes_;  // ignored empty lines still count toward the request line limit
        phase_ = phase::request_start;
        ++i;
        break;
      case phase::method: {
        const std::size_t k = http_span(rest, detail::http_tchar);
        if (line_bytes_ + k + 1 > limits_.max_request_line) return fail(414, "request line too long", i);
        req_.method.append(rest.data(), k);
        line_bytes_ += k;
        i += k;
        if (i == n) break;
        if (data[i] != ' ' || req_.method.empty()) return fail(400, "malformed request method", i);
        ++line_bytes_;
        ++i;
        phase_ = phase::target;
        break;
      }
      case phase::target: {
        const std::size_t k = http_span(rest, detail::http_target);
        if (line_bytes_ + k + 1 > limits_.max_request_line) return fail(414, "request line too long", i);
        req_.target.append(rest.data(), k);
        line_bytes_ += k;
        i += k;
        if (i == n) break;
        if (data[i] != ' ' || req_.target.empty()) return fail(400, "malformed request target", i);
        ++line_bytes_;
        ++i;
        phase_ = phase::version;
        break;
      }
      case phase::version:
        if (++line_bytes_ > limits_.max_request_line) return fail(414, "request line too long", i);
        ++i;
        if (c == '\r') {
          phase_ = phase::request_line_lf;
          break;
        }
        if (version_len_ == max_version || !http_is(c, detail::http_target))
          return fail(400, "malformed HTTP version", i - 1);
        version_[version_len_++] = c;
        break;
      case phase::request_line_lf:
        if (c != '\n') return fail(400, "malformed request line", i);
        if (++line_bytes_ > limits_.max_request_line) return fail(414, "request line too long", i);
        ++i;
        if (!finish_request_line()) return i;
        phase_ = phase::field_start;
        break;

      // --- header (or trailer) section: *( field-line CRLF ) CRLF -------------------
      case phase::field_start:
        if (++section_bytes_ > limits_.max_header_bytes) return fail(431, "request header fields too large", i);
        if (c == '\r') {
          phase_ = phase::section_end_lf;
          ++i;
          break;
        }
        if (c == ' ' || c == '\t') return fail(400, "obsolete line folding is not accepted", i);
        if (!http_is(c, detail::http_tchar)) return fail(400, "malformed header field name", i);
        --section_bytes_;
        if (++field_count_ > limits_.max_header_count) return fail(431, "too many header fields", i);
        if (in_trailers_) {
          trailer_name_.clear();
          trailer_value_.clear();
        } else {
          req_.headers.emplace_back();
        }
        phase_ = phase::field_name;
        break;
      case phase::field_name: {
        const std::size_t k = http_span(rest, detail::http_tchar);
        if (section_bytes_ + k > limits_.max_header_bytes) return fail(431, "request header fields too large", i);
        field_name_ref().append(rest.data(), k);
        section_bytes_ += k;
        i += k;
        if (i == n) break;
        if (data[i] == ' ' || data[i] == '\t') return fail(400, "whitespace before the colon of a header field", i);
        if (data[i] != ':') return fail(400, "malformed header field name", i);
        ++section_bytes_;
        ++i;
        phase_ = phase::field_ows;
        break;
      }
      case phase::field_ows:
        if (c == ' ' || c == '\t') {
          if (++section_bytes_ > limits_.max_header_bytes) return fail(431, "request header fields too large", i);
          ++i;
          break;
        }
        phase_ = phase::field_value;
        break;
      case phase::field_value: {
        const std::size_t k = http_span(rest, detail::http_field_char);
        if (section_bytes_ + k > limits_.max_header_bytes) return fail(431, "request header fields too large", i);
        field_value_ref().append(rest.data(), k);
        section_bytes_ += k;
        i += k;
        if (i == n) break;
        if (data[i] != '\r') return fail(400, "invalid character in header field value", i);
        ++section_bytes_;
        ++i;
        phase_ = phase::field_lf;
        break;
      }
      case phase::field_lf:
        if (c != '\n') return fail(400, "header line not terminated by CRLF", i);
        if (++section_bytes_ > limits_.max_header_bytes) return fail(431, "request header fields too large", i);
        ++i;
        finish_field();
        phase_ = phase::field_start;
        break;
      case phase::section_end_lf:
        if (c != '\n') return fail(400, "header section not terminated by CRLF", i);
        if (++section_bytes_ > limits_.max_header_bytes) return fail(431, "request header fields too large", i);
        ++i;
        if (in_trailers_) {
          phase_ = phase::done;
          return i;
        }
        if (!finish_headers()) return i;
        if (phase_ == phase::done) return i;
        break;

      // --- body: Content-Length bytes ---------------------------------------------
      case phase::body_length: {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n - i));
        req_.body.append(data.data() + i, k);
        i += k;
        remaining_ -= k;
        if (remaining_ == 0) {
          phase_ = phase::done;
          return i;
        }
        break;
      }

      // --- body: chunked (RFC 9112 7.1) ---------------------------------------------
      case phase::chunk_size: {
        const std::size_t k = http_span(rest, detail::http_hex);
        for (std::size_t j = 0; j < k; ++j) {
          if (remaining_ > (std::numeric_limits<std::uint64_t>::max() >> 4))
            return fail(400, "chunk size overflows", i + j);
          const char h = rest[j];
          const unsigned d = h <= '9' ? static_cast<unsigned>(h - '0') : static_cast<unsigned>((h | 0x20) - 'a' + 10);
          remaining_ = (remaining_ << 4) | d;
        }
        chunk_digits_ += k;
        line_bytes_ += k;
        i += k;
        if (line_bytes_ > max_chunk_line) return fail(400, "chunk size line too long", i);
        if (i == n) break;
        if (chunk_digits_ == 0) return fail(400, "malformed chunk size", i);
        const char d = data[i];
        ++line_bytes_;
        ++i;
        if (d == '\r') phase_ = phase::chunk_size_lf;
        else if (d == ';') phase_ = phase::chunk_ext;
        else if (d == ' ' || d == '\t') phase_ = phase::chunk_ws;
        else return fail(400, "malformed chunk size", i - 1);
        break;
      }
      case phase::chunk_ws:  // BWS is allowed only before a chunk extension
        if (++line_bytes_ > max_chunk_line) return fail(400, "chunk size line too long", i);
        ++i;
        if (c == ';') phase_ = phase::chunk_ext;
        else if (c != ' ' && c != '\t') return fail(400, "malformed chunk size", i - 1);
        break;
      case phase::chunk_ext: {  // extensions are read and ignored, as RFC 9112 7.1.1 allows
        const std::size_t k = http_span(rest, detail::http_field_char);
        line_bytes_ += k;
        i += k;
        if (line_bytes_ > max_chunk_line) return fail(400, "chunk extension too long", i);
        if (i == n) break;
        if (data[i] != '\r') return fail(400, "invalid character in chunk extension", i);
        ++line_bytes_;
        ++i;
        phase_ = phase::chunk_size_lf;
        break;
      }
      case phase::chunk_size_lf:
        if (c != '\n') return fail(400, "chunk size line not terminated by CRLF", i);
        ++i;
        line_bytes_ = 0;
        chunk_digits_ = 0;
        if (remaining_ == 0) {  // last-chunk: the trailer section follows
          in_trailers_ = true;
          section_bytes_ = 0;
          field_count_ = 0;
          phase_ = phase::field_start;
        } else if (remaining_ > limits_.max_body_bytes - req_.body.size()) {
          return fail(413, "request body too large", i);
        } else {
          phase_ = phase::chunk_data;
        }
        break;
      case phase::chunk_data: {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n - i));
        req_.body.append(data.data() + i, k);
        i += k;
        remaining_ -= k;
        if (remaining_ == 0) phase_ = phase::chunk_data_cr;
        break;
      }
      case phase::chunk_data_cr:
        if (c != '\r') return fail(400, "chunk data not followed by CRLF", i);
        ++i;
        phase_ = phase::chunk_data_lf;
        break;
      case phase::chunk_data_lf:
        if (c != '\n') return fail(400, "chunk data not followed by CRLF", i);
        ++i;
        phase_ = phase::chunk_size;
        break;
    }
  }
  return i;
}

inline bool http_parser::finish_request_line() noexcept {
  // HTTP-version = "HTTP/" DIGIT "." DIGIT; any other major version is answered 505.
  const std::string_view v(version_, version_len_);
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' ||
      v[7] > '9') {
    fail(400, "malformed HTTP version", 0);
    return false;
  }
  if (v[5] != '1') {
    fail(505, "HTTP version not supported", 0);
    return false;
  }
  minor_ = v[7] == '0' ? 0 : 1;

  // request-target: origin-form ("/path?query"), asterisk-form for OPTIONS only, or
  // absolute-form ("http://host/path"), which is rewritten to origin-form.
  std::string& t = req_.target;
  if (t[0] == '/') return true;
  if (t == "*") {
    if (req_.method == "OPTIONS") return true;
    fail(400, "asterisk-form target is only allowed with OPTIONS", 0);
    return false;
  }
  std::size_t scheme_len = 0;
  if (t.size() > 7 && detail::iequals(std::string_view(t).substr(0, 7), "http://")) scheme_len = 7;
  else if (t.size() > 8 && detail::iequals(std::string_view(t).substr(0, 8), "https://")) scheme_len = 8;
  if (scheme_len == 0) {
    fail(400, "malformed request target", 0);
    return false;
  }
  const std::size_t path = t.find_first_of("/?#", scheme_len);
  if (path == scheme_len) {
    fail(400, "absolute-form target without a host", 0);
    return false;
  }
  if (path == std::string::npos) {
    t = "/";
  } else {
    t.erase(0, path);
    if (t[0] != '/') t.insert(t.begin(), '/');
  }
  return true;
}

inline void http_parser::finish_field() noexcept {
  std::string& value = field_value_ref();
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  if (in_trailers_) return;  // trailer fields are validated, then dropped
  const std::string& name = req_.headers.back().first;
  switch (name.size()) {
    case 4:
      if (detail::iequals(name, "host")) ++host_count_;
      break;
    case 6:
      if (detail::iequals(name, "expect")) {
        if (detail::iequals(value, "100-continue")) expect_continue_ = true;
        else expect_bad_ = true;
      }
      break;
    case 10:
      if (detail::iequals(name, "connection")) {
        detail::http_for_each_list_element(value, [this](std::string_view e) {
          if (detail::iequals(e, "close")) close_token_ = true;
          else if (detail::iequals(e, "keep-alive")) keep_alive_token_ = true;
        });
      }
      break;
    case 14:
      if (detail::iequals(name, "content-length")) {
        // Content-Length = 1*DIGIT; repeated lines must agree (RFC 9110 8.6).
        std::uint64_t v = 0;
        bool ok = !value.empty();
        for (char ch : value) {
          if (ch < '0' || ch > '9' || v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) {
            ok = false;
            break;
          }
          v = v * 10 + static_cast<unsigned>(ch - '0');
        }
        if (!ok) {
          if (error_status_ == 0) {
            error_status_ = 400;
            error_message_ = "malformed Content-Length";
          }
        } else if (has_content_length_ && v != content_length_) {
          if (error_status_ == 0) {
            error_status_ = 400;
            error_message_ = "conflicting Content-Length values";
          }
        }
        has_content_length_ = true;
        content_length_ = v;
      }
      break;
    case 17:
      if (detail::iequals(name, "transfer-encoding")) {
        has_transfer_encoding_ = true;
        detail::http_for_each_list_element(value, [this](std::string_view e) {
          if (e.empty()) {
            te_malformed_ = true;
          } else if (detail::iequals(e, "chunked")) {
            ++te_chunked_count_;
            te_chunked_last_ = true;
          } else {
            te_other_ = true;
            te_chunked_last_ = false;
          }
        });
      }
      break;
    default:
      break;
  }
}

inline bool http_parser::finish_headers() noexcept {
  headers_done_ = true;
  // Errors found while reading the fields (bad Content-Length) were parked in error_status_.
  if (error_status_ != 0) {
    phase_ = phase::error;
    return false;
  }
  auto reject = [this](int status, std::string_view message) {
    fail(status, message, 0);
    return false;
  };
  if (minor_ >= 1 && host_count_ == 0) return reject(400, "missing Host header");
  if (host_count_ > 1) return reject(400, "more than one Host header");
  if (has_transfer_encoding_) {
    // Request smuggling shapes (RFC 9112 6.1, 6.3): both framings, chunked not last or
    // repeated, and Transfer-Encoding in HTTP/1.0 are all refused.
    if (has_content_length_) return reject(400, "both Content-Length and Transfer-Encoding");
    if (minor_ == 0) return reject(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (te_malformed_) return reject(400, "malformed Transfer-Encoding");
    if (!te_chunked_last_) return reject(400, "Transfer-Encoding does not end in chunked");
    if (te_chunked_count_ > 1) return reject(400, "chunked applied more than once");
    if (te_other_) return reject(501, "unsupported transfer coding");
  }
  if (expect_bad_) return reject(417, "unsupported expectation");
  if (minor_ == 0) expect_continue_ = false;  // RFC 9110 10.1.1: ignored in HTTP/1.0
  keep_alive_ = !close_token_ && (minor_ >= 1 || keep_alive_token_);

  if (has_transfer_encoding_) {
    remaining_ = 0;
    chunk_digits_ = 0;
    line_bytes_ = 0;
    phase_ = phase::chunk_size;
  } else if (has_content_length_ && content_length_ > 0) {
    if (content_length_ > limits_.max_body_bytes) return reject(413, "request body too large");
    remaining_ = content_length_;
    // Reserve what is announced, within reason: a client may announce much and send nothing.
    req_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(content_length_, 1u << 20)));
    phase_ = phase::body_length;
  } else {
    expect_continue_ = false;  // nothing to wait for
    phase_ = phase::done;
  }
  return true;
}

}  // namespace tfe

#endif  // TFE_TRANSPORT_HTTP_PARSER_HPP
