// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The strict RFC 8259 JSON parser: non-recursive, depth-limited, emits SAX-like events to a handler.
#ifndef TFE_DETAIL_JSON_PARSER_HPP
#define TFE_DETAIL_JSON_PARSER_HPP

#include <tfe/detail/charconv.hpp>
#include <tfe/detail/json_escape.hpp>
#include <tfe/detail/utf8.hpp>
#include <tfe/result.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tfe {
namespace detail {

// A handler receives, in document order:
//   null_value(), bool_value(bool), int_value(std::int64_t), double_value(double),
//   string_value(std::string_view), key(std::string_view),
//   begin_array(), end_array(std::size_t count), begin_object(), end_object(std::size_t count).
// Views passed to string_value() and key() are valid only during the call.

/// True for the four JSON whitespace bytes (space, tab, line feed, carriage return).
inline constexpr bool json_is_ws(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

/// True for '0'..'9'.
inline constexpr bool json_is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// The value of one hex digit, or -1.
inline constexpr int json_hex_value(char c) noexcept {
  return (c >= '0' && c <= '9')   ? c - '0'
         : (c >= 'a' && c <= 'f') ? c - 'a' + 10
         : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                  : -1;
}

/// Builds the error for byte `offset` of `text`, with 1-based line and column (in bytes).
inline error json_make_error(std::string_view text, std::size_t offset, std::string message,
                             errc code = errc::parse_error) {
  error e(code, std::move(message));
  e.position.offset = offset;
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  e.position.line = line;
  e.position.column = offset - line_start + 1;
  return e;
}

/// Names a byte for a message: 'x' when printable ASCII, else "byte 0xNN".
inline std::string json_describe_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) return std::string("'") + c + "'";
  static constexpr char hex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + hex[u >> 4] + hex[u & 0xF];
}

/// True when the token just before `p` is the number literal 0 or -0 (for the hex hint).
inline bool json_after_zero(const char* begin, const char* p) noexcept {
  if (p == begin || p[-1] != '0') return false;
  const char* q = p - 1;
  if (q != begin && q[-1] == '-') --q;
  return q == begin || !(json_is_digit(q[-1]) || q[-1] == '.' || q[-1] == 'e' || q[-1] == 'E' || q[-1] == '+');
}

/// The message for a byte that cannot start a value, with hints for common non-JSON forms.
inline std::string json_value_error(const char* p, const char* end) {
  const auto rest = std::string_view(p, static_cast<std::size_t>(end - p));
  switch (*p) {
    case '\'':
      return "strings must use double quotes, not single quotes";
    case '/':
      return "comments are not allowed";
    case '+':
      return "a number may not start with '+'";
    case '.':
      return "a number may not start with '.'";
    default:
      break;
  }
  if (rest.substr(0, 3) == "NaN") return "NaN is not allowed";
  if (rest.substr(0, 8) == "Infinity") return "Infinity is not allowed";
  return "expected a value, found " + json_describe_byte(*p);
}

/// The message for an unescaped control character in a string.
inline std::string json_control_error(unsigned char c) {
  static constexpr char hex[] = "0123456789ABCDEF";
  return std::string("control character U+00") + hex[c >> 4] + hex[c & 0xF] + " must be escaped in a string";
}

/// A stack that keeps its first N entries inline and spills to the heap only when deeper.
template <class T, std::size_t N>
class small_stack {
  static_assert(std::is_trivially_copyable_v<T>, "small_stack holds plain records");

 public:
  /// True when no entries are held.
  bool empty() const noexcept { return size_ == 0; }
  /// Number of entries held.
  std::size_t size() const noexcept { return size_; }
  /// Pushes a copy of `v`.
  void push(const T& v) {
    if (size_ < N) inline_[size_] = v;
    else heap_.push_back(v);
    ++size_;
  }
  /// The newest entry (precondition: !empty()).
  T& top() noexcept { return size_ <= N ? inline_[size_ - 1] : heap_.back(); }
  /// Removes the newest entry (precondition: !empty()).
  void pop() noexcept {
    if (size_ > N) heap_.pop_back();
    --size_;
  }

 private:
  T inline_[N];
  std::vector<T> heap_;
  std::size_t size_ = 0;
};

/// Strict RFC 8259 parser over one input, reporting to a Handler (see the list above).
/// Nesting is tracked on a heap stack, never by recursion.
template <class Handler>
class json_parser {
 public:
  /// Parses `text` with at most `max_depth` nested arrays/objects, reporting to `h`.
  json_parser(std::string_view text, std::size_t max_depth, Handler& h) noexcept
      : text_(text), begin_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth), h_(h) {}

  /// Runs the parse; on failure the error carries the byte offset, line and column.
  result<void> run();

 private:
  struct frame {
    std::size_t count;  // elements or members finished so far
    bool object;        // object (true) or array (false)
  };

  result<void> fail(const char* at, std::string message) const {
    return json_make_error(text_, static_cast<std::size_t>(at - begin_), std::move(message));
  }
  const char* skip_ws(const char* p) const noexcept {
    while (p != end_ && json_is_ws(*p)) ++p;
    return p;
  }
  // Parses the string whose opening quote is at p[-1]; on success sets sv_ and returns the
  // position after the closing quote, on failure sets err_at_/err_msg_ and returns nullptr.
  const char* parse_string(const char* p) {
    const char* start = p;
    for (;;) {
      p = json_find_special(p, end_);
      if (p == end_) return string_error(end_, "unterminated string");
      const auto c = static_cast<unsigned char>(*p);
      if (c == '"') {
        sv_ = std::string_view(start, static_cast<std::size_t>(p - start));
        return p + 1;
      }
      if (c == '\\') return parse_string_escaped(start, p);
      if (c < 0x20) return string_error(p, json_control_error(c));
      p = check_utf8(p);
      if (p == nullptr) return nullptr;
    }
  }
  const char* check_utf8(const char* p) {
    const auto* up = reinterpret_cast<const unsigned char*>(p);
    const auto* uend = reinterpret_cast<const unsigned char*>(end_);
    const utf8_check_result r = utf8_check(up, uend);
    if (!r.valid) return string_error(p, utf8_error_message(up, uend));
    return p + r.length;
  }
  const char* string_error(const char* at, std::string message) {
    err_at_ = at;
    err_msg_ = std::move(message);
    return nullptr;
  }
  const char* parse_string_escaped(const char* start, const char* p);
  const char* parse_number(const char* p);

  std::string_view text_;
  const char* begin_;
  const char* end_;
  std::size_t max_depth_;
  Handler& h_;
  small_stack<frame, 32> stack_;
  std::string scratch_;  // decoded text of strings that contain escapes
  std::string_view sv_;  // the string or key just parsed
  const char* err_at_ = nullptr;
  std::string err_msg_;
};

template <class Handler>
const char* json_parser<Handler>::parse_string_escaped(const char* start, const char* p) {
  scratch_.assign(start, static_cast<std::size_t>(p - start));
  for (;;) {
    const char* q = json_find_special(p, end_);
    scratch_.append(p, static_cast<std::size_t>(q - p));
    p = q;
    if (p == end_) return string_error(end_, "unterminated string");
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') {
      sv_ = scratch_;
      return p + 1;
    }
    if (c < 0x20) return string_error(p, json_control_error(c));
    if (c >= 0x80) {
      q = check_utf8(p);
      if (q == nullptr) return nullptr;
      scratch_.append(p, static_cast<std::size_t>(q - p));
      p = q;
      continue;
    }
    // c == '\\'
    const char* esc = p++;
    if (p == end_) return string_error(end_, "unterminated string");
    char out = 0;
    switch (*p) {
      case '"':
        out = '"';
        break;
      case '\\':
        out = '\\';
        break;
      case '/':
        out = '/';
        break;
      case 'b':
        out = '\b';
        break;
      case 'f':
        out = '\f';
        break;
      case 'n':
        out = '\n';
        break;
      case 'r':
        out = '\r';
        break;
      case 't':
        out = '\t';
        break;
      case 'u': {
        auto hex4 = [this](const char* at, std::uint32_t& v) -> bool {
          if (end_ - at < 4) return false;
          v = 0;
          for (int i = 0; i < 4; ++i) {
            const int d = json_hex_value(at[i]);
            if (d < 0) return false;
            v = (v << 4) | static_cast<std::uint32_t>(d);
          }
          return true;
        };
        std::uint32_t cp = 0;
        if (!hex4(p + 1, cp)) return string_error(esc, "expected 4 hex digits after \\u");
        p += 5;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
          return string_error(
              esc, "unexpected low surrogate \\u" + std::string(esc + 2, 4) + " without a preceding high surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t lo = 0;
          if (end_ - p < 2 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, lo) || lo < 0xDC00 || lo > 0xDFFF)
            return string_error(esc,
                                "high surrogate \\u" + std::string(esc + 2, 4) + " is not followed by a low surrogate");
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        char buf[4];
        scratch_.append(buf, utf8_encode(cp, buf));
        continue;
      }
      default: {
        const auto e = static_cast<unsigned char>(*p);
        std::string what = (e >= 0x20 && e < 0x7F)
                               ? std::string("invalid escape sequence '\\") + *p + "'"
                               : "invalid escape sequence: " + json_describe_byte(*p) + " after '\\'";
        return string_error(esc, what + " (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      }
    }
    scratch_.push_back(out);
    ++p;
  }
}

template <class Handler>
const char* json_parser<Handler>::parse_number(const char* p) {
  const char* s = p;
  const bool negative = (*p == '-');
  if (negative) {
    ++p;
    if (p == end_ || !json_is_digit(*p)) {
      if (std::string_view(p, static_cast<std::size_t>(end_ - p)).substr(0, 8) == "Infinity")
        return string_error(s, "Infinity is not allowed");
      return string_error(p, "expected a digit after '-'");
    }
  }
  std::uint64_t acc = 0;
  std::size_t digits = 1;
  if (*p == '0') {
    ++p;
    if (p != end_ && json_is_digit(*p)) return string_error(s, "leading zeros are not allowed");
  } else {
    const char* d0 = p;
    do {
      acc = acc * 10 + static_cast<std::uint64_t>(*p - '0');
      ++p;
    } while (p != end_ && json_is_digit(*p));
    digits = static_cast<std::size_t>(p - d0);
  }
  bool is_double = false;
  if (p != end_ && *p == '.') {
    ++p;
    if (p == end_ || !json_is_digit(*p)) return string_error(p, "expected a digit after the decimal point");
    do ++p;
    while (p != end_ && json_is_digit(*p));
    is_double = true;
  }
  if (p != end_ && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p != end_ && (*p == '+' || *p == '-')) ++p;
    if (p == end_ || !json_is_digit(*p)) return string_error(p, "expected a digit in the exponent");
    do ++p;
    while (p != end_ && json_is_digit(*p));
    is_double = true;
  }
  if (!is_double) {
    // Up to 19 digits always fit in a uint64_t; 20 or more never fit in an int64_t.
    constexpr std::uint64_t max_positive = 9223372036854775807ULL;
    if (digits > 19 || acc > max_positive + (negative ? 1 : 0))
      return string_error(s,
                          "integer out of range for a 64-bit signed integer "
                          "(add a fraction or exponent to read it as a double)");
    h_.int_value(negative ? static_cast<std::int64_t>(0 - acc) : static_cast<std::int64_t>(acc));
    return p;
  }
  double d = 0.0;
  switch (parse_double(s, p, d)) {
    case double_parse::ok:
      break;
    case double_parse::overflow:
      return string_error(s, "number out of range for a double");
    case double_parse::invalid:
      return string_error(s, "invalid number");
  }
  h_.double_value(d);
  return p;
}

template <class Handler>
result<void> json_parser<Handler>::run() {
  const char* const end = end_;
  const char* p = begin_;
  const char* q = nullptr;

  if (end - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0)
    return fail(p, "a UTF-8 byte order mark (U+FEFF) is not allowed");
  p = skip_ws(p);
  if (p == end) return fail(p, text_.empty() ? "empty input" : "expected a value, found only whitespace");

value:
  // Precondition: p != end and *p is not whitespace.
  switch (*p) {
    case '{':
      if (stack_.size() >= max_depth_)
        return fail(p, "nesting depth exceeds the limit of " + std::to_string(max_depth_));
      stack_.push(frame{0, true});
      h_.begin_object();
      ++p;
      if (p != end && json_is_ws(*p)) p = skip_ws(p);
      if (p != end && *p == '}') {
        ++p;
        stack_.pop();
        h_.end_object(0);
        goto after_value;
      }
      goto key;
    case '[':
      if (stack_.size() >= max_depth_)
        return fail(p, "nesting depth exceeds the limit of " + std::to_string(max_depth_));
      stack_.push(frame{0, false});
      h_.begin_array();
      ++p;
      if (p != end && json_is_ws(*p)) p = skip_ws(p);
      if (p == end) return fail(p, "expected a value or ']'");
      if (*p == ']') {
        ++p;
        stack_.pop();
        h_.end_array(0);
        goto after_value;
      }
      goto value;
    case '"':
      q = parse_string(p + 1);
      if (q == nullptr) return fail(err_at_, std::move(err_msg_));
      p = q;
      h_.string_value(sv_);
      goto after_value;
    case 't':
      if (end - p >= 4 && std::memcmp(p, "true", 4) == 0) {
        p += 4;
        h_.bool_value(true);
        goto after_value;
      }
      return fail(p, "invalid literal (expected 'true')");
    case 'f':
      if (end - p >= 5 && std::memcmp(p, "false", 5) == 0) {
        p += 5;
        h_.bool_value(false);
        goto after_value;
      }
      return fail(p, "invalid literal (expected 'false')");
    case 'n':
      if (end - p >= 4 && std::memcmp(p, "null", 4) == 0) {
        p += 4;
        h_.null_value();
        goto after_value;
      }
      return fail(p, "invalid literal (expected 'null')");
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      q = parse_number(p);
      if (q == nullptr) return fail(err_at_, std::move(err_msg_));
      p = q;
      goto after_value;
    default:
      return fail(p, json_value_error(p, end));
  }

key:
  // After '{' or ',' inside an object, whitespace skipped.
  if (p == end) return fail(p, "expected a string key");
  if (*p != '"') {
    if (*p == '\'') return fail(p, "strings must use double quotes, not single quotes");
    if (*p == '/') return fail(p, "comments are not allowed");
    return fail(p, "expected a string key, found " + json_describe_byte(*p));
  }
  q = parse_string(p + 1);
  if (q == nullptr) return fail(err_at_, std::move(err_msg_));
  p = q;
  h_.key(sv_);
  if (p != end && json_is_ws(*p)) p = skip_ws(p);
  if (p == end) return fail(p, "expected ':' after object key");
  if (*p != ':') return fail(p, "expected ':' after object key, found " + json_describe_byte(*p));
  ++p;
  if (p != end && json_is_ws(*p)) p = skip_ws(p);
  if (p == end) return fail(p, "expected a value");
  goto value;

after_value:
  if (p != end && json_is_ws(*p)) p = skip_ws(p);
  if (stack_.empty()) {
    if (p == end) return {};
    if ((*p == 'x' || *p == 'X') && json_after_zero(begin_, p)) return fail(p, "hexadecimal numbers are not allowed");
    if (*p == '/') return fail(p, "comments are not allowed");
    return fail(p, "unexpected " + json_describe_byte(*p) + " after the value");
  }
  {
    frame& f = stack_.top();
    ++f.count;
    if (p != end && *p == ',') {
      ++p;
      if (p != end && json_is_ws(*p)) p = skip_ws(p);
      if (f.object) {
        if (p != end && *p == '}') return fail(p, "trailing comma before '}'");
        goto key;
      }
      if (p == end) return fail(p, "expected a value");
      if (*p == ']') return fail(p, "trailing comma before ']'");
      goto value;
    }
    if (p != end && *p == (f.object ? '}' : ']')) {
      ++p;
      const std::size_t n = f.count;
      const bool object = f.object;
      stack_.pop();
      if (object) h_.end_object(n);
      else h_.end_array(n);
      goto after_value;
    }
    if (p != end && (*p == 'x' || *p == 'X') && json_after_zero(begin_, p))
      return fail(p, "hexadecimal numbers are not allowed");
    if (p != end && *p == '/') return fail(p, "comments are not allowed");
    std::string msg = f.object ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element";
    if (p != end) msg += ", found " + json_describe_byte(*p);
    return fail(p, std::move(msg));
  }
}

/// Parses `text` (strict RFC 8259) and reports it to `h`; at most `max_depth` nested arrays/objects.
template <class Handler>
result<void> json_parse(std::string_view text, std::size_t max_depth, Handler& h) {
  json_parser<Handler> parser(text, max_depth, h);
  return parser.run();
}

}  // namespace detail
}  // namespace tfe

#endif  // TFE_DETAIL_JSON_PARSER_HPP
