// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// tfe::json_writer: streams compact JSON straight into a caller-owned std::string (the hot path).
#ifndef TFE_JSON_WRITER_HPP
#define TFE_JSON_WRITER_HPP

#include <tfe/config.hpp>
#include <tfe/detail/charconv.hpp>
#include <tfe/detail/json_escape.hpp>
#include <tfe/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace tfe {

/// Appends compact JSON to a caller-owned string, inserting commas itself. Output is byte for
/// byte what json::dump() gives for the same value. The caller keeps calls well nested
/// (keys only directly inside objects, each followed by one value); see docs/json.md#writer.
///
///     std::string out; out.reserve(2048);
///     tfe::json_writer w(out);
///     w.begin_object().member("id", run.id).member("is-destroy", false).end_object();
class json_writer {
 public:
  /// Writes into `out` (appending to what it already holds); `out` must outlive the writer.
  explicit json_writer(std::string& out) noexcept : out_(&out) {}

  /// Opens an object ('{').
  json_writer& begin_object() { return open('{'); }
  /// Closes the innermost object ('}').
  json_writer& end_object() { return close('}'); }
  /// Opens an array ('[').
  json_writer& begin_array() { return open('['); }
  /// Closes the innermost array (']').
  json_writer& end_array() { return close(']'); }

  /// Writes an object key; the next call must write its value.
  json_writer& key(std::string_view k) {
    write_string(k, ':');
    comma_ = false;
    return *this;
  }

  /// Writes a string value (escaped; invalid UTF-8 becomes U+FFFD).
  json_writer& value(std::string_view s) {
    write_string(s, 0);
    comma_ = true;
    return *this;
  }
  /// Writes a string value from a std::string.
  json_writer& value(const std::string& s) { return value(std::string_view(s)); }
  /// Writes a string value from a NUL-terminated string (precondition: s != nullptr).
  json_writer& value(const char* s) {
    TFE_ASSERT(s != nullptr);
    return value(std::string_view(s));
  }
  /// Writes true or false.
  json_writer& value(bool b) {
    static constexpr char text[] = ",false,true";
    const std::size_t off = b ? 6 : 0;
    const std::size_t len = b ? 5 : 6;
    out_->append(text + off + (comma_ ? 0 : 1), comma_ ? len : len - 1);
    comma_ = true;
    return *this;
  }
  /// Writes an integer (any integral type except bool; uint64 values print exactly).
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  json_writer& value(T v) {
    char buf[1 + detail::int_chars];
    char* w = buf;
    if (comma_) *w++ = ',';
    if constexpr (std::is_signed_v<T>) w = detail::write_int64(w, static_cast<std::int64_t>(v));
    else w = detail::write_uint64(w, static_cast<std::uint64_t>(v));
    out_->append(buf, static_cast<std::size_t>(w - buf));
    comma_ = true;
    return *this;
  }
  /// Writes a double in shortest round-trip form, always with '.' or 'e' (1.0 -> 1.0);
  /// NaN and infinities become null.
  json_writer& value(double d) {
    char buf[1 + detail::double_chars];
    char* w = buf;
    if (comma_) *w++ = ',';
    w = detail::write_double(w, d);
    out_->append(buf, static_cast<std::size_t>(w - buf));
    comma_ = true;
    return *this;
  }
  /// Writes a float or long double as a double.
  template <class T, std::enable_if_t<std::is_floating_point_v<T> && !std::is_same_v<T, double>, int> = 0>
  json_writer& value(T d) {
    return value(static_cast<double>(d));
  }
  /// Writes null.
  json_writer& value(std::nullptr_t) { return null_value(); }
  /// Writes a whole json value (as json::dump_to()).
  json_writer& value(const json& v) {
    if (comma_) out_->push_back(',');
    v.dump_to(*out_);
    comma_ = true;
    return *this;
  }
  /// Writes null.
  json_writer& null_value() {
    if (comma_) out_->append(",null", 5);
    else out_->append("null", 4);
    comma_ = true;
    return *this;
  }
  /// Writes pre-serialized JSON as one value, unchecked: the caller guarantees it is valid.
  json_writer& raw_value(std::string_view json_text) {
    if (comma_) out_->push_back(',');
    out_->append(json_text.data(), json_text.size());
    comma_ = true;
    return *this;
  }

  /// Writes `"k":v` in one call: member("status", "planned").
  template <class T>
  json_writer& member(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  /// Writes `"k":"s"` in one call, with a single append when neither needs escaping.
  json_writer& member(std::string_view k, std::string_view s) {
    constexpr std::size_t fast_limit = 200;
    const char* ke = k.data() + k.size();
    const char* se = s.data() + s.size();
    if (k.size() + s.size() <= fast_limit && detail::json_find_special(k.data(), ke) == ke &&
        detail::json_find_special(s.data(), se) == se) {
      char buf[fast_limit + 8];
      char* w = buf;
      *w = ',';
      w += comma_ ? 1 : 0;
      *w++ = '"';
      if (!k.empty()) std::memcpy(w, k.data(), k.size());
      w += k.size();
      *w++ = '"';
      *w++ = ':';
      *w++ = '"';
      if (!s.empty()) std::memcpy(w, s.data(), s.size());
      w += s.size();
      *w++ = '"';
      out_->append(buf, static_cast<std::size_t>(w - buf));
      comma_ = true;
      return *this;
    }
    key(k);
    return value(s);
  }
  /// Writes `"k":"s"` from a std::string.
  json_writer& member(std::string_view k, const std::string& s) { return member(k, std::string_view(s)); }
  /// Writes `"k":"s"` from a NUL-terminated string.
  json_writer& member(std::string_view k, const char* s) {
    TFE_ASSERT(s != nullptr);
    return member(k, std::string_view(s));
  }

  /// Number of currently open arrays and objects.
  std::size_t depth() const noexcept { return depth_; }
  /// The string being written to.
  std::string& output() noexcept { return *out_; }

 private:
  json_writer& open(char c) {
    if (comma_) {
      const char s[2] = {',', c};
      out_->append(s, 2);
    } else {
      out_->push_back(c);
    }
    comma_ = false;
    ++depth_;
    return *this;
  }
  json_writer& close(char c) {
    TFE_ASSERT(depth_ > 0);
    --depth_;
    out_->push_back(c);
    comma_ = true;
    return *this;
  }
  // Writes [,]"s"[suffix]; one append when `s` is short and needs no escaping.
  void write_string(std::string_view s, char suffix) {
    detail::json_append_quoted(*out_, comma_ ? ',' : '\0', s, suffix);
  }

  std::string* out_;
  std::size_t depth_ = 0;
  bool comma_ = false;  // a value was just completed: the next key or value needs a ','
};

}  // namespace tfe

#endif  // TFE_JSON_WRITER_HPP
