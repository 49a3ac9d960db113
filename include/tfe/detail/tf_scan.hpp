// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// scan_tf: a tolerant scanner of Terraform .tf files (HCL native syntax) that finds the resource, data and
// output blocks of a configuration and the literal values in them. Not an HCL parser: expressions are
// only read when they are literals, everything else is skipped by its brackets, and what cannot be read
// becomes a note instead of an error.
#ifndef TFE_DETAIL_TF_SCAN_HPP
#define TFE_DETAIL_TF_SCAN_HPP

#include <tfe/detail/charconv.hpp>
#include <tfe/detail/json_escape.hpp>
#include <tfe/detail/tar.hpp>
#include <tfe/detail/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {
namespace detail {

/// A `resource` or `data` block of a configuration.
struct tf_resource {
  std::string mode;  ///< "managed" (resource) or "data"
  std::string type;  ///< e.g. "terraform_data"
  std::string name;  ///< e.g. "web"
  /// Instances: a literal `count = N`, or the keys of a literal `for_each` map (or of `toset([...])`); 1
  /// when neither is set; -1 when they are not literals (unknown; the note says "counted as 1").
  std::int64_t count = 1;
  /// The top-level `name = <literal>` attributes of the body, values as JSON text, in source order;
  /// attributes whose value is not a literal, and the meta-arguments count, for_each, provider and
  /// depends_on, are left out.
  std::vector<std::pair<std::string, std::string>> attributes;
};

/// An `output` block of a configuration.
struct tf_output {
  std::string name;  ///< the output's name
  /// JSON text when `value =` is a literal (strings without interpolation, numbers, bools, null, lists
  /// and objects of literals); nothing otherwise.
  std::optional<std::string> value;
  /// When `value =` is a plain reference `type.name.attribute` (no index, no call): that text.
  std::string reference;
  bool sensitive = false;  ///< `sensitive = true`
};

/// What the scanner found in a configuration.
struct tf_config {
  std::vector<tf_resource> resources;  ///< resource and data blocks, first of each address only
  std::vector<tf_output> outputs;      ///< output blocks, first of each name only
  /// One line per thing not understood, e.g. `main.tf:12: module "x" is not expanded`.
  std::vector<std::string> notes;
};

namespace tf_scan_impl {

/// Kinds of token.
enum class tok : std::uint8_t { eof, newline, ident, number, string, heredoc, punct, open, close, other };

/// One token of a .tf file: where it is, and for strings and heredocs where their contents are.
struct token {
  tok kind = tok::eof;         ///< what it is
  bool literal = false;        ///< string or heredoc: terminated and without interpolation
  bool flush = false;          ///< heredoc: the `<<-` form (indentation removed)
  std::size_t begin = 0;       ///< first byte
  std::size_t end = 0;         ///< one past the last byte
  std::size_t body_begin = 0;  ///< string or heredoc: first byte of the contents
  std::size_t body_end = 0;    ///< string or heredoc: one past the contents
  std::size_t line = 1;        ///< 1-based line of the first byte
};

/// Addresses and output names already taken (across the files of one configuration).
struct seen_names {
  std::set<std::string> resources;  ///< "type.name" and "data.type.name"
  std::set<std::string> outputs;    ///< output names
};

/// Deepest nesting of brackets and templates that is interpreted.
inline constexpr std::size_t max_depth = 64;
/// Notes kept per file; the rest are summed up in one more.
inline constexpr std::size_t max_notes_per_file = 100;

/// `s` for a note: escaped as inside a JSON string (one line, valid UTF-8), at most 80 bytes of it.
inline std::string printable(std::string_view s) {
  std::string out;
  const bool cut = s.size() > 80;
  if (cut) s = s.substr(0, 80);
  json_append_escaped(out, s.data(), s.data() + s.size());
  if (cut) out += "...";
  return out;
}

/// The scanner of one file: a lexer with one token of lookahead and the block walker over it.
class file_scanner {
 public:
  /// Scans `text` (named `file` in notes) into `into`, with `seen` holding the names already taken.
  file_scanner(std::string_view file, std::string_view text, tf_config& into, seen_names& seen)
      : file_(printable(file)), text_(text), into_(into), seen_(seen) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // byte order mark
  }

  /// Reads every top-level block of the file.
  void run() {
    for (;;) {
      const token t = next();
      switch (t.kind) {
        case tok::eof:
          return;
        case tok::newline:
          continue;
        case tok::ident:
          top_level_item(t);
          continue;
        case tok::close:
          note(t.line, char_at(t) == '}' ? "unbalanced braces: unexpected '}'" : "unexpected " + describe(t));
          continue;
        default:
          note(t.line, "unexpected " + describe(t));
          if (!consume_item(nullptr, t.kind == tok::open ? char_at(t) : 0)) note(t.line, unbalanced_text);
          continue;
      }
    }
  }

 private:
  static constexpr const char* unbalanced_text = "unbalanced braces at end of file";

  // --- notes
  void note(std::size_t line, const std::string& what) {
    ++notes_;
    if (notes_ > max_notes_per_file + 1) return;
    if (notes_ == max_notes_per_file + 1) {
      into_.notes.push_back(file_ + ": more notes left out");
      return;
    }
    into_.notes.push_back(file_ + ":" + std::to_string(line) + ": " + what);
  }
  void note_deep(std::size_t line) {
    if (deep_noted_) return;
    deep_noted_ = true;
    note(line, "nesting deeper than " + std::to_string(max_depth) + " levels is not read");
  }

  // --- lexer
  std::string_view text_of(const token& t) const { return text_.substr(t.begin, t.end - t.begin); }
  char char_at(const token& t) const { return text_[t.begin]; }
  std::string describe(const token& t) const {
    if (t.kind == tok::other) {
      static constexpr char hex[] = "0123456789abcdef";
      const auto b = static_cast<unsigned char>(text_[t.begin]);
      return std::string("byte 0x") + hex[b >> 4] + hex[b & 15];
    }
    return "\"" + printable(text_of(t)) + "\"";
  }
  bool is_punct(const token& t, std::string_view p) const { return t.kind == tok::punct && text_of(t) == p; }
  bool is_open(const token& t, char c) const { return t.kind == tok::open && char_at(t) == c; }
  static bool ident_start(unsigned char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
  }
  static bool ident_char(unsigned char c) noexcept { return ident_start(c) || (c >= '0' && c <= '9') || c == '-'; }
  static bool digit(char c) noexcept { return c >= '0' && c <= '9'; }
  char at(std::size_t i) const noexcept { return i < text_.size() ? text_[i] : '\0'; }

  const token& peek() {
    if (!peeked_) {
      lookahead_ = lex();
      peeked_ = true;
    }
    return lookahead_;
  }
  token next() {
    if (peeked_) {
      peeked_ = false;
      return lookahead_;
    }
    return lex();
  }

  token lex() {
    const std::size_t n = text_.size();
    for (;;) {  // blanks and comments
      if (pos_ >= n) break;
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '#' || (c == '/' && at(pos_ + 1) == '/')) {
        const std::size_t nl = text_.find('\n', pos_);
        pos_ = nl == std::string_view::npos ? n : nl;
      } else if (c == '/' && at(pos_ + 1) == '*') {
        const std::size_t close = text_.find("*/", pos_ + 2);
        const std::size_t stop = close == std::string_view::npos ? n : close + 2;
        const std::size_t start_line = line_;
        count_lines(pos_, stop);
        pos_ = stop;
        if (close == std::string_view::npos) note(start_line, "unterminated comment");
      } else {
        break;
      }
    }
    token t;
    t.begin = pos_;
    t.line = line_;
    if (pos_ >= n) {
      t.end = pos_;
      return t;
    }
    const char c = text_[pos_];
    if (c == '\n') {
      t.kind = tok::newline;
      ++pos_;
      ++line_;
    } else if (ident_start(static_cast<unsigned char>(c))) {
      t.kind = tok::ident;
      while (pos_ < n && ident_char(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    } else if (digit(c)) {
      t.kind = tok::number;
      while (digit(at(pos_))) ++pos_;
      if (at(pos_) == '.' && digit(at(pos_ + 1))) {
        ++pos_;
        while (digit(at(pos_))) ++pos_;
      }
      if ((at(pos_) == 'e' || at(pos_) == 'E') &&
          (digit(at(pos_ + 1)) || ((at(pos_ + 1) == '+' || at(pos_ + 1) == '-') && digit(at(pos_ + 2))))) {
        pos_ += 2;
        while (digit(at(pos_))) ++pos_;
      }
    } else if (c == '"') {
      lex_string(t);
    } else if (c == '<' && at(pos_ + 1) == '<' && lex_heredoc(t)) {
      // done
    } else if (c == '{' || c == '[' || c == '(') {
      t.kind = tok::open;
      ++pos_;
    } else if (c == '}' || c == ']' || c == ')') {
      t.kind = tok::close;
      ++pos_;
    } else if (std::string_view("+-*/%=!<>&|?:.,;~$").find(c) != std::string_view::npos) {
      t.kind = tok::punct;
      static constexpr std::string_view two[] = {"==", "!=", "<=", ">=", "&&", "||", "=>"};
      std::size_t len = 1;
      if (text_.substr(pos_, 3) == "...") len = 3;
      for (const auto& op : two)
        if (text_.substr(pos_, 2) == op) len = 2;
      pos_ += len;
    } else {
      t.kind = tok::other;
      ++pos_;
    }
    t.end = pos_;
    return t;
  }

  void count_lines(std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) line_ += text_[i] == '\n';
  }

  // A quoted template: "..." with escapes and ${...} / %{...} sequences, which may hold further strings
  // and braces. A newline in quoted text (not inside an interpolation) ends it as unterminated.
  void lex_string(token& t) {
    const std::size_t n = text_.size();
    std::vector<char> stack{'"'};  // '"': quoted text; '$': interpolation; '{': braces inside one
    bool interpolated = false, closed = false, too_deep = false;
    std::size_t i = pos_ + 1;
    while (i < n) {
      const char c = text_[i];
      if (stack.back() == '"') {
        if (c == '\n') break;
        if (c == '\\') {
          i += at(i + 1) == '\n' ? 1 : 2;
          continue;
        }
        if (c == '"') {
          stack.pop_back();
          ++i;
          if (stack.empty()) {
            closed = true;
            break;
          }
          continue;
        }
        if ((c == '$' || c == '%') && at(i + 1) == c && at(i + 2) == '{') {  // $${ and %%{ are literal
          i += 3;
          continue;
        }
        if ((c == '$' || c == '%') && at(i + 1) == '{') {
          stack.push_back('$');
          interpolated = true;
          i += 2;
        } else {
          ++i;
        }
      } else {
        if (c == '"') stack.push_back('"');
        if (c == '{') stack.push_back('{');
        if (c == '}') stack.pop_back();
        ++i;
      }
      if (stack.size() > max_depth) {
        too_deep = true;
        break;
      }
    }
    if (i > n) i = n;
    t.kind = tok::string;
    t.body_begin = pos_ + 1;
    t.body_end = closed ? i - 1 : i;
    t.literal = closed && !interpolated;
    const std::size_t start_line = line_;
    count_lines(pos_, i);
    if (too_deep) {
      note_deep(start_line);
      const std::size_t nl = text_.find('\n', i);
      i = nl == std::string_view::npos ? n : nl;
      count_lines(t.body_end, i);
    } else if (!closed) {
      note(start_line, "unterminated string");
    }
    pos_ = i;
  }

  // `<<EOF` or `<<-EOF` then a newline: the lines up to one holding only the marker. False when the
  // text at pos_ is not a heredoc opener (then it is two '<').
  bool lex_heredoc(token& t) {
    const std::size_t n = text_.size();
    std::size_t i = pos_ + 2;
    const bool flush = at(i) == '-';
    if (flush) ++i;
    if (!ident_start(static_cast<unsigned char>(at(i))) || static_cast<unsigned char>(at(i)) >= 0x80) return false;
    const std::size_t marker_begin = i;
    while (i < n && ident_char(static_cast<unsigned char>(text_[i])) && static_cast<unsigned char>(text_[i]) < 0x80)
      ++i;
    const std::string_view marker = text_.substr(marker_begin, i - marker_begin);
    if (at(i) == '\r') ++i;
    if (at(i) != '\n') return false;
    const std::size_t body = i + 1;
    std::size_t line_begin = body, body_end = n, end = n;
    bool closed = false;
    while (line_begin < n) {
      std::size_t line_end = text_.find('\n', line_begin);
      if (line_end == std::string_view::npos) line_end = n;
      std::size_t a = line_begin, b = line_end;
      while (a < b && (text_[a] == ' ' || text_[a] == '\t')) ++a;
      while (b > a && (text_[b - 1] == ' ' || text_[b - 1] == '\t' || text_[b - 1] == '\r')) --b;
      if (text_.substr(a, b - a) == marker) {
        body_end = line_begin;
        end = line_end;
        closed = true;
        break;
      }
      line_begin = line_end + 1;
    }
    t.kind = tok::heredoc;
    t.flush = flush;
    t.body_begin = body;
    t.body_end = body_end;
    bool interpolated = false;
    for (std::size_t k = body; k < body_end; ++k) {
      const char c = text_[k];
      if ((c == '$' || c == '%') && at(k + 1) == c && at(k + 2) == '{') {
        k += 2;
      } else if ((c == '$' || c == '%') && at(k + 1) == '{') {
        interpolated = true;
        break;
      }
    }
    t.literal = closed && !interpolated;
    const std::size_t start_line = line_;
    count_lines(pos_, end);
    pos_ = end;
    if (!closed) note(start_line, "unterminated heredoc");
    return true;
  }

  // --- decoding literal strings
  std::optional<std::string> decode_string(const token& t) const {
    const std::string_view s = text_.substr(t.body_begin, t.body_end - t.body_begin);
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '\\') {
        if (i + 1 >= s.size()) return std::nullopt;
        const char e = s[++i];
        if (e == 'n') out += '\n';
        else if (e == 'r') out += '\r';
        else if (e == 't') out += '\t';
        else if (e == '"') out += '"';
        else if (e == '\\') out += '\\';
        else if (e == 'u' || e == 'U') {
          const std::size_t digits = e == 'u' ? 4 : 8;
          if (s.size() - i - 1 < digits) return std::nullopt;
          std::uint32_t cp = 0;
          for (std::size_t k = 1; k <= digits; ++k) {
            const char h = s[i + k];
            const int v = digit(h)                 ? h - '0'
                          : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                          : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                   : -1;
            if (v < 0) return std::nullopt;
            cp = cp << 4 | static_cast<std::uint32_t>(v);
          }
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
          char buf[4];
          out.append(buf, utf8_encode(cp, buf));
          i += digits;
        } else {
          return std::nullopt;
        }
      } else if ((c == '$' || c == '%') && i + 2 < s.size() && s[i + 1] == c && s[i + 2] == '{') {
        out += c;
        out += '{';
        i += 2;
      } else {
        out += c;
      }
    }
    return out;
  }

  std::string decode_heredoc(const token& t) const {
    const std::string_view s = text_.substr(t.body_begin, t.body_end - t.body_begin);
    std::size_t strip = 0;
    if (t.flush) {  // the least indentation of the lines with content
      strip = std::string_view::npos;
      for (std::size_t a = 0; a < s.size();) {
        std::size_t e = s.find('\n', a);
        if (e == std::string_view::npos) e = s.size();
        std::size_t k = a;
        while (k < e && (s[k] == ' ' || s[k] == '\t')) ++k;
        if (k < e && s[k] != '\r' && k - a < strip) strip = k - a;
        a = e + 1;
      }
      if (strip == std::string_view::npos) strip = 0;
    }
    std::string out;
    out.reserve(s.size());
    for (std::size_t a = 0; a < s.size();) {
      std::size_t e = s.find('\n', a);
      e = e == std::string_view::npos ? s.size() : e + 1;
      std::size_t k = a;
      while (k < e && k - a < strip && (s[k] == ' ' || s[k] == '\t')) ++k;
      for (std::size_t i = k; i < e; ++i) {
        const char c = s[i];
        if ((c == '$' || c == '%') && i + 2 < e && s[i + 1] == c && s[i + 2] == '{') ++i;  // $${ -> ${
        out += s[i];
      }
      a = e;
    }
    return out;
  }

  // --- literal values: tokens[i..] as JSON text
  bool number_json(std::string_view s, bool negative, std::string& out) const {
    std::size_t k = 0;
    while (k < s.size() && digit(s[k])) ++k;
    std::size_t z = 0;
    while (z + 1 < k && s[z] == '0') ++z;  // JSON has no leading zeros
    std::string text = negative ? "-" : "";
    text.append(s.substr(z));
    if (k == s.size()) {  // an integer: must fit a 64-bit signed integer, as tfe::json reads it
      const std::string_view d = s.substr(z, k - z);
      if (d.size() > 19) return false;
      std::uint64_t v = 0;
      for (const char c : d) v = v * 10 + static_cast<std::uint64_t>(c - '0');
      if (v > 9223372036854775807ULL + (negative ? 1u : 0u)) return false;
    } else {
      double d = 0;
      if (parse_double(text.data(), text.data() + text.size(), d) != double_parse::ok) return false;
    }
    out += text;
    return true;
  }

  void skip_newlines(const std::vector<token>& t, std::size_t& i) const {
    while (i < t.size() && t[i].kind == tok::newline) ++i;
  }

  // One literal at t[i]: appends its JSON to `out` and moves i past it. `elements` (when given) gets
  // the JSON of each element of a top-level list or the keys of a top-level object.
  bool literal(const std::vector<token>& t, std::size_t& i, std::string& out, std::size_t depth,
               std::vector<std::string>* elements) {
    if (depth >= max_depth) {  // depth 0 is the first level
      note_deep(t.empty() ? 0 : t[i < t.size() ? i : t.size() - 1].line);
      return false;
    }
    skip_newlines(t, i);
    if (i >= t.size()) return false;
    const token& k = t[i];
    switch (k.kind) {
      case tok::ident: {
        const std::string_view v = text_of(k);
        if (v != "true" && v != "false" && v != "null") return false;
        out += v;
        ++i;
        return true;
      }
      case tok::number:
        ++i;
        return number_json(text_of(k), false, out);
      case tok::punct:
        if (text_of(k) != "-" || i + 1 >= t.size() || t[i + 1].kind != tok::number) return false;
        i += 2;
        return number_json(text_of(t[i - 1]), true, out);
      case tok::string: {
        if (!k.literal) return false;
        const auto s = decode_string(k);
        if (!s) return false;
        json_append_string(out, *s);
        ++i;
        return true;
      }
      case tok::heredoc:
        if (!k.literal) return false;
        json_append_string(out, decode_heredoc(k));
        ++i;
        return true;
      case tok::open:
        if (char_at(k) == '[') return list_literal(t, i, out, depth, elements);
        if (char_at(k) == '{') return object_literal(t, i, out, depth, elements);
        return false;
      default:
        return false;
    }
  }

  bool list_literal(const std::vector<token>& t, std::size_t& i, std::string& out, std::size_t depth,
                    std::vector<std::string>* elements) {
    ++i;  // '['
    out += '[';
    bool first = true;
    for (;;) {
      skip_newlines(t, i);
      if (i >= t.size()) return false;
      if (t[i].kind == tok::close) {
        if (char_at(t[i]) != ']') return false;
        ++i;
        out += ']';
        return true;
      }
      std::string element;
      if (!literal(t, i, element, depth + 1, nullptr)) return false;
      if (!first) out += ',';
      first = false;
      out += element;
      if (elements) elements->push_back(std::move(element));
      skip_newlines(t, i);
      if (i < t.size() && is_punct(t[i], ",")) ++i;
      else if (i >= t.size() || t[i].kind != tok::close) return false;
    }
  }

  bool object_literal(const std::vector<token>& t, std::size_t& i, std::string& out, std::size_t depth,
                      std::vector<std::string>* keys) {
    ++i;                                                       // '{'
    std::vector<std::pair<std::string, std::string>> members;  // key JSON, value JSON; a repeated key's
    std::map<std::string, std::size_t> index;                  // value replaces the first (as HCL does)
    for (;;) {
      skip_newlines(t, i);
      if (i >= t.size()) return false;
      const token& k = t[i];
      if (k.kind == tok::close) {
        if (char_at(k) != '}') return false;
        ++i;
        break;
      }
      std::string key;
      if (k.kind == tok::ident || k.kind == tok::number) {
        json_append_string(key, text_of(k));
      } else if (k.kind == tok::string && k.literal) {
        const auto s = decode_string(k);
        if (!s) return false;
        json_append_string(key, *s);
      } else {
        return false;
      }
      ++i;
      if (i >= t.size() || !(is_punct(t[i], "=") || is_punct(t[i], ":"))) return false;
      ++i;
      std::string value;
      if (!literal(t, i, value, depth + 1, nullptr)) return false;
      const auto found = index.find(key);
      if (found != index.end()) {
        members[found->second].second = std::move(value);
      } else {
        index.emplace(key, members.size());
        members.emplace_back(std::move(key), std::move(value));
      }
      bool separated = false;
      if (i < t.size() && is_punct(t[i], ",")) {
        ++i;
        separated = true;
      }
      while (i < t.size() && t[i].kind == tok::newline) {
        ++i;
        separated = true;
      }
      if (!separated && !(i < t.size() && t[i].kind == tok::close)) return false;
    }
    out += '{';
    for (std::size_t m = 0; m < members.size(); ++m) {
      if (m) out += ',';
      out += members[m].first;
      out += ':';
      out += members[m].second;
      if (keys) keys->push_back(members[m].first);
    }
    out += '}';
    return true;
  }

  // The JSON of a whole expression when it is one literal.
  std::optional<std::string> literal_json(const std::vector<token>& expr, std::vector<std::string>* elements = nullptr,
                                          char* kind = nullptr) {
    std::size_t i = 0;
    std::string out;
    if (!literal(expr, i, out, 0, elements)) return std::nullopt;
    skip_newlines(expr, i);
    if (i != expr.size()) return std::nullopt;
    if (kind) *kind = out.empty() ? '?' : out[0];
    return out;
  }

  // --- structure
  // Consumes one item's tokens: up to a newline outside brackets (consumed), a '}' closing an enclosing
  // block (left), or the end of the file; `opened` is a bracket already consumed. `keep` gets the tokens.
  // False when the file ended inside brackets.
  bool consume_item(std::vector<token>* keep, char opened = 0) {
    std::vector<char> stack;
    if (opened) stack.push_back(opened);
    for (;;) {
      const token& t = peek();
      if (t.kind == tok::eof) return stack.empty();
      if (t.kind == tok::newline && stack.empty()) {
        next();
        return true;
      }
      if (t.kind == tok::close) {
        const char c = char_at(t);
        const char o = c == '}' ? '{' : c == ']' ? '[' : '(';
        std::size_t k = stack.size();
        while (k > 0 && stack[k - 1] != o) --k;
        if (k > 0) stack.resize(k - 1);
        else if (c == '}') return true;  // closes the enclosing block
      } else if (t.kind == tok::open) {
        stack.push_back(char_at(t));
        if (stack.size() > max_depth) note_deep(t.line);
      }
      const token taken = next();
      if (keep) keep->push_back(taken);
    }
  }

  // Skips a block's body after its '{' up to the matching '}'; false when the file ends first.
  bool skip_block() {
    std::vector<char> stack{'{'};
    for (;;) {
      const token t = next();
      if (t.kind == tok::eof) return false;
      if (t.kind == tok::open) {
        stack.push_back(char_at(t));
        if (stack.size() > max_depth) note_deep(t.line);
      } else if (t.kind == tok::close) {
        const char c = char_at(t);
        const char o = c == '}' ? '{' : c == ']' ? '[' : '(';
        std::size_t k = stack.size();
        while (k > 0 && stack[k - 1] != o) --k;
        if (k > 0) stack.resize(k - 1);
        if (stack.empty()) return true;
      }
    }
  }

  // Reads a block body after its '{': each `name = expr` goes to on_attribute(name token, expression
  // tokens); nested blocks are skipped. False when the file ends before the closing '}'.
  template <class F>
  bool read_body(F&& on_attribute) {
    for (;;) {
      const token t = next();
      switch (t.kind) {
        case tok::eof:
          return false;
        case tok::newline:
          continue;
        case tok::close:
          if (char_at(t) == '}') return true;
          note(t.line, "unexpected " + describe(t));
          continue;
        case tok::ident: {
          if (is_punct(peek(), "=")) {
            next();
            std::vector<token> expr;
            consume_item(&expr);
            on_attribute(t, expr);
            continue;
          }
          while (peek().kind == tok::ident || peek().kind == tok::string) next();
          if (is_open(peek(), '{')) {
            next();
            if (!skip_block()) return false;
            continue;
          }
          note(t.line, "unexpected " + describe(t));
          consume_item(nullptr);
          continue;
        }
        default:
          note(t.line, "unexpected " + describe(t));
          if (!consume_item(nullptr, t.kind == tok::open ? char_at(t) : 0)) return false;
          continue;
      }
    }
  }

  void skip_body(std::size_t line) {
    if (!skip_block()) note(line, unbalanced_text);
  }

  void top_level_item(const token& head) {
    const std::string_view type = text_of(head);
    std::vector<std::string> labels;
    bool plain_labels = true;
    for (;;) {
      const token& p = peek();
      if (p.kind == tok::ident) {
        labels.emplace_back(text_of(p));
      } else if (p.kind == tok::string) {
        auto s = p.literal ? decode_string(p) : std::nullopt;
        if (s) labels.push_back(std::move(*s));
        else plain_labels = false;
      } else {
        break;
      }
      next();
    }
    if (labels.empty() && plain_labels && is_punct(peek(), "=")) {
      next();
      note(head.line, "attribute \"" + printable(type) + "\" outside a block is ignored");
      if (!consume_item(nullptr)) note(head.line, unbalanced_text);
      return;
    }
    if (!is_open(peek(), '{')) {
      note(head.line, "unexpected " + describe(head));
      if (!consume_item(nullptr)) note(head.line, unbalanced_text);
      return;
    }
    next();
    if (!plain_labels) {
      note(head.line, "block \"" + printable(type) + "\" has a label that is not a plain string: skipped");
      skip_body(head.line);
      return;
    }
    if (type == "resource" || type == "data") {
      if (labels.size() == 2) return resource_block(type == "data", labels[0], labels[1], head.line);
      note(head.line, std::string(type) + " block with " + std::to_string(labels.size()) + " labels (not 2) skipped");
    } else if (type == "output") {
      if (labels.size() == 1) return output_block(labels[0], head.line);
      note(head.line, "output block with " + std::to_string(labels.size()) + " labels (not 1) skipped");
    } else if (type == "module") {
      note(head.line, "module \"" + printable(labels.empty() ? std::string() : labels[0]) + "\" is not expanded");
    } else if (type != "terraform" && type != "provider" && type != "variable" && type != "locals" && type != "moved" &&
               type != "import" && type != "check" && type != "removed") {
      note(head.line, "unknown block \"" + printable(type) + "\" skipped");
    }
    skip_body(head.line);
  }

  void resource_block(bool data, const std::string& type, const std::string& name, std::size_t line) {
    tf_resource r;
    r.mode = data ? "data" : "managed";
    r.type = type;
    r.name = name;
    const std::string address = (data ? "data." : "") + type + "." + name;
    const std::string shown = printable(address);
    std::set<std::string_view> names;
    std::optional<std::vector<token>> count_expr, for_each_expr;
    std::size_t count_line = line, for_each_line = line;
    const bool closed = read_body([&](const token& key, std::vector<token>& expr) {
      const std::string_view k = text_of(key);
      if (!names.insert(k).second) {
        note(key.line, "attribute \"" + printable(k) + "\" of " + shown + " set again: the first is kept");
        return;
      }
      if (k == "count") {
        count_expr = std::move(expr);
        count_line = key.line;
      } else if (k == "for_each") {
        for_each_expr = std::move(expr);
        for_each_line = key.line;
      } else if (k != "provider" && k != "depends_on") {
        if (auto v = literal_json(expr)) r.attributes.emplace_back(std::string(k), std::move(*v));
      }
    });
    if (count_expr && for_each_expr) {
      r.count = -1;
      note(count_line, "count and for_each both set on " + shown + ": counted as 1");
    } else if (count_expr) {
      r.count = literal_count(*count_expr);
      if (r.count < 0) note(count_line, "count on " + shown + ": counted as 1");
    } else if (for_each_expr) {
      r.count = literal_for_each(*for_each_expr);
      if (r.count < 0) note(for_each_line, "for_each on " + shown + ": counted as 1");
    }
    if (!closed) note(line, unbalanced_text);
    if (!seen_.resources.insert(address).second) {
      note(line, "duplicate resource " + shown + ": the first one is kept");
      return;
    }
    into_.resources.push_back(std::move(r));
  }

  // A literal whole non-negative number (or a string holding one, which Terraform converts); -1 otherwise.
  std::int64_t literal_count(const std::vector<token>& expr) {
    auto v = literal_json(expr);
    if (!v) return -1;
    std::string_view s = *v;
    if (s.size() >= 2 && s.front() == '"') s = s.substr(1, s.size() - 2);
    if (s.empty() || s.size() > 18) return -1;
    std::int64_t n = 0;
    for (const char c : s) {
      if (!digit(c)) return -1;
      n = n * 10 + (c - '0');
    }
    return n;
  }

  // The keys of a literal map, or the distinct strings of `toset([...])`; -1 otherwise.
  std::int64_t literal_for_each(const std::vector<token>& expr) {
    std::vector<std::string> items;
    char kind = 0;
    if (expr.size() >= 3 && expr[0].kind == tok::ident && text_of(expr[0]) == "toset" && is_open(expr[1], '(') &&
        expr.back().kind == tok::close && char_at(expr.back()) == ')') {
      const std::vector<token> inner(expr.begin() + 2, expr.end() - 1);
      if (!literal_json(inner, &items, &kind) || kind != '[') return -1;
      for (const auto& s : items)
        if (s.empty() || s[0] != '"') return -1;
      return static_cast<std::int64_t>(std::set<std::string>(items.begin(), items.end()).size());
    }
    if (!literal_json(expr, &items, &kind) || kind != '{') return -1;
    return static_cast<std::int64_t>(items.size());
  }

  void output_block(const std::string& name, std::size_t line) {
    tf_output o;
    o.name = name;
    const std::string shown = printable(name);
    std::set<std::string_view> names;
    const bool closed = read_body([&](const token& key, std::vector<token>& expr) {
      const std::string_view k = text_of(key);
      if (!names.insert(k).second) {
        note(key.line, "attribute \"" + printable(k) + "\" of output \"" + shown + "\" set again: the first is kept");
        return;
      }
      if (k == "value") {
        o.value = literal_json(expr);
        if (!o.value && expr.size() == 5 && expr[0].kind == tok::ident && expr[2].kind == tok::ident &&
            expr[4].kind == tok::ident && text_of(expr[1]) == "." && text_of(expr[3]) == ".")
          o.reference =
              std::string(text_of(expr[0])) + "." + std::string(text_of(expr[2])) + "." + std::string(text_of(expr[4]));
      } else if (k == "sensitive") {
        const auto v = literal_json(expr);
        if (v && (*v == "true" || *v == "false")) o.sensitive = *v == "true";
        else note(key.line, "sensitive on output \"" + shown + "\" is not true or false: taken as false");
      }
    });
    if (!closed) note(line, unbalanced_text);
    if (!seen_.outputs.insert(name).second) {
      note(line, "duplicate output \"" + shown + "\": the first one is kept");
      return;
    }
    into_.outputs.push_back(std::move(o));
  }

  std::string file_;
  std::string_view text_;
  tf_config& into_;
  seen_names& seen_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  token lookahead_;
  bool peeked_ = false;
  std::size_t notes_ = 0;
  bool deep_noted_ = false;
};

/// The names already in `config`, to find duplicates among the blocks added to it.
inline seen_names names_of(const tf_config& config) {
  seen_names seen;
  for (const auto& r : config.resources)
    seen.resources.insert((r.mode == "data" ? "data." : "") + r.type + "." + r.name);
  for (const auto& o : config.outputs) seen.outputs.insert(o.name);
  return seen;
}

/// Whether `s` ends with `suffix`.
inline bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace tf_scan_impl

/// Adds the blocks of one .tf file to `into` (file_name is used in notes). Never fails: what it cannot read
/// becomes a note.
inline void scan_tf(std::string_view file_name, std::string_view text, tf_config& into) {
  auto seen = tf_scan_impl::names_of(into);
  tf_scan_impl::file_scanner(file_name, text, into, seen).run();
}

/// Scans every regular file ending in ".tf" of a tar archive's entries, in name order (a later entry of
/// the same name replaces an earlier one). Paths under ".terraform/" are skipped; files in other
/// subdirectories, JSON (.tf.json) and override files are not read and get a note each.
inline tf_config scan_tf_files(const std::vector<tar_entry>& files) {
  using tf_scan_impl::ends_with;
  std::map<std::string_view, const tar_entry*> by_name;
  for (const auto& f : files) {
    const std::string_view name = f.name;
    if (name.substr(0, 11) == ".terraform/" || name.find("/.terraform/") != std::string_view::npos) continue;
    if (ends_with(name, ".tf") || ends_with(name, ".tf.json")) by_name[name] = &f;
  }
  tf_config config;
  tf_scan_impl::seen_names seen;
  for (const auto& [name, file] : by_name) {
    const std::string shown = tf_scan_impl::printable(name);
    if (name.find('/') != std::string_view::npos) {
      config.notes.push_back(shown + ": not in the root module");
    } else if (ends_with(name, ".tf.json")) {
      config.notes.push_back(shown + ": JSON configuration is not read");
    } else if (name == "override.tf" || ends_with(name, "_override.tf")) {
      config.notes.push_back(shown + ": override files are not merged");
    } else {
      tf_scan_impl::file_scanner(name, file->data, config, seen).run();
    }
  }
  return config;
}

}  // namespace detail
}  // namespace tfe

#endif  // TFE_DETAIL_TF_SCAN_HPP
