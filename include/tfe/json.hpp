// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// tfe::json: an insertion-ordered JSON value with a strict parser and a compact serializer.
#ifndef TFE_JSON_HPP
#define TFE_JSON_HPP

#include <tfe/config.hpp>
#include <tfe/detail/charconv.hpp>
#include <tfe/detail/json_escape.hpp>
#include <tfe/detail/json_parser.hpp>
#include <tfe/result.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace tfe {

/// Limits applied by json::parse(); see docs/json.md#limits.
struct json_parse_options {
  std::size_t max_depth = 512;       ///< deepest accepted nesting of arrays and objects
  std::size_t max_size = 64u << 20;  ///< largest accepted input in bytes (errc::payload_too_large)
};

namespace detail {
class json_dom_builder;
}  // namespace detail

/// A JSON value: null, boolean, 64-bit integer, double, string, array or insertion-ordered
/// object. Never throws for bad input (parse() returns a result); see docs/json.md.
class json {
 public:
  /// The kind of value held; `integer` is std::int64_t and `number` is double.
  enum class kind : std::uint8_t { null, boolean, integer, number, string, array, object };
  /// Elements of an array.
  using array_type = std::vector<json>;
  /// Members of an object, in insertion order; keys are unique when built through parse() and set().
  using object_type = std::vector<std::pair<std::string, json>>;

  /// A null value.
  json() noexcept : kind_(kind::null), int_(0) {}
  /// A null value.
  json(std::nullptr_t) noexcept : json() {}  // NOLINT: implicit by design
  /// A boolean.
  json(bool b) noexcept : kind_(kind::boolean), bool_(b) {}  // NOLINT
  /// An integer; unsigned values above INT64_MAX become the nearest double (kind::number).
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  json(T v) noexcept {  // NOLINT
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max())) {
        kind_ = kind::number;
        dbl_ = static_cast<double>(v);
        return;
      }
    }
    kind_ = kind::integer;
    int_ = static_cast<std::int64_t>(v);
  }
  /// A double (kind::number); NaN and infinities are stored but dump as null.
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  json(T v) noexcept : kind_(kind::number), dbl_(static_cast<double>(v)) {}  // NOLINT
  /// A string (any bytes; invalid UTF-8 is replaced by U+FFFD on output).
  json(std::string s) noexcept : kind_(kind::string) {  // NOLINT
    if (s.size() <= small_capacity) {
      init_small(s.data(), s.size());
    } else {
      slen_ = heap_string;
      ::new (static_cast<void*>(&str_)) std::string(std::move(s));
    }
  }
  /// A string copied from `s`.
  json(std::string_view s) : kind_(kind::string) { init_string(s); }  // NOLINT
  /// A string copied from the NUL-terminated `s` (precondition: s != nullptr).
  json(const char* s) : kind_(kind::string) {  // NOLINT
    TFE_ASSERT(s != nullptr);
    init_string(std::string_view(s));
  }
  /// An array holding `a`.
  json(array_type a) noexcept : kind_(kind::array) {  // NOLINT
    ::new (static_cast<void*>(&arr_)) array_type(std::move(a));
  }
  /// An object holding `o` (duplicate keys in `o` are kept as given).
  json(object_type o) noexcept : kind_(kind::object) {  // NOLINT
    ::new (static_cast<void*>(&obj_)) object_type(std::move(o));
  }
  /// Pointers other than const char* would silently become booleans: not allowed.
  json(const void*) = delete;

  /// A deep copy; iterative, so any depth is safe.
  json(const json& other) : kind_(kind::null), int_(0) {
    json tmp;
    tmp.copy_from(other);
    steal(tmp);
  }
  /// Takes the value of `other`, which becomes null.
  json(json&& other) noexcept : kind_(kind::null), int_(0) { steal(other); }
  /// Deep copy-assignment (safe when `other` is part of *this).
  json& operator=(const json& other) {
    if (this != &other) {
      json tmp(other);
      release();
      steal(tmp);
    }
    return *this;
  }
  /// Move-assignment; `other` becomes null (safe when `other` is part of *this).
  json& operator=(json&& other) noexcept {
    if (this != &other) {
      json tmp(std::move(other));
      release();
      steal(tmp);
    }
    return *this;
  }
  /// Destroys the value; iterative for deep nesting, so any depth is safe.
  ~json() {
    if (kind_ >= kind::string) release();
  }

  /// An empty array.
  static json array() { return json(array_type()); }
  /// An array of the given elements: json::array({1, "two", nullptr}).
  static json array(std::initializer_list<json> elements) { return json(array_type(elements)); }
  /// An empty object.
  static json object() { return json(object_type()); }
  /// An object of the given members: json::object({{"id", "run-1"}, {"n", 2}}); a repeated
  /// key keeps its first position and its last value, as in parse().
  static json object(std::initializer_list<object_type::value_type> members) {
    json o = object();
    for (const auto& m : members) o.set(m.first, m.second);
    return o;
  }

  /// Parses `text` as strict RFC 8259 JSON; errc::parse_error (with position) or
  /// errc::payload_too_large on failure. See docs/json.md#strictness.
  static result<json> parse(std::string_view text, const json_parse_options& options = {});

  /// The kind of value held.
  kind type() const noexcept { return kind_; }
  /// True for null.
  bool is_null() const noexcept { return kind_ == kind::null; }
  /// True for true/false.
  bool is_bool() const noexcept { return kind_ == kind::boolean; }
  /// True for an integer (std::int64_t).
  bool is_int() const noexcept { return kind_ == kind::integer; }
  /// True for a double.
  bool is_double() const noexcept { return kind_ == kind::number; }
  /// True for an integer or a double.
  bool is_number() const noexcept { return kind_ == kind::integer || kind_ == kind::number; }
  /// True for a string.
  bool is_string() const noexcept { return kind_ == kind::string; }
  /// True for an array.
  bool is_array() const noexcept { return kind_ == kind::array; }
  /// True for an object.
  bool is_object() const noexcept { return kind_ == kind::object; }

  /// The boolean, or nothing for any other kind.
  std::optional<bool> as_bool() const noexcept {
    if (kind_ == kind::boolean) return bool_;
    return std::nullopt;
  }
  /// The integer, or nothing for any other kind (doubles are not converted).
  std::optional<std::int64_t> as_int() const noexcept {
    if (kind_ == kind::integer) return int_;
    return std::nullopt;
  }
  /// The number as a double (integers convert), or nothing for any other kind.
  std::optional<double> as_double() const noexcept {
    if (kind_ == kind::number) return dbl_;
    if (kind_ == kind::integer) return static_cast<double>(int_);
    return std::nullopt;
  }
  /// A view of the string, or nothing for any other kind; valid while the value is unchanged.
  std::optional<std::string_view> as_string() const noexcept {
    if (kind_ == kind::string) return string_view_unchecked();
    return std::nullopt;
  }
  /// The elements, or nullptr when not an array.
  const array_type* as_array() const noexcept { return kind_ == kind::array ? &arr_ : nullptr; }
  /// The elements, or nullptr when not an array.
  array_type* as_array() noexcept { return kind_ == kind::array ? &arr_ : nullptr; }
  /// The members, or nullptr when not an object.
  const object_type* as_object() const noexcept { return kind_ == kind::object ? &obj_ : nullptr; }
  /// The members, or nullptr when not an object.
  object_type* as_object() noexcept { return kind_ == kind::object ? &obj_ : nullptr; }

  /// The value of member `key` (the first, if repeated), or nullptr when missing or not an object.
  const json* find(std::string_view key) const noexcept {
    if (kind_ != kind::object) return nullptr;
    for (const auto& m : obj_)
      if (m.first == key) return &m.second;
    return nullptr;
  }
  /// The value of member `key`, or nullptr when missing or not an object.
  json* find(std::string_view key) noexcept { return const_cast<json*>(static_cast<const json&>(*this).find(key)); }
  /// True when this is an object with member `key`.
  bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }

  /// Member `key`, or a shared null when missing or not an object: doc["a"]["b"] is always safe.
  const json& operator[](std::string_view key) const noexcept {
    const json* v = find(key);
    return v ? *v : null_ref();
  }
  /// Element `index`, or a shared null when out of range or not an array.
  const json& operator[](std::size_t index) const noexcept {
    if (kind_ == kind::array && index < arr_.size()) return arr_[index];
    return null_ref();
  }
  /// Member `key` for writing: a null becomes an object and a missing member is added as null.
  /// Precondition: is_null() || is_object(). (Indexing a non-const value by number reads, like
  /// the const overload; write elements through as_array().)
  template <class K,
            std::enable_if_t<std::is_convertible_v<const K&, std::string_view> && !std::is_integral_v<K>, int> = 0>
  json& operator[](const K& key) {
    const std::string_view k(key);
    if (kind_ == kind::null) *this = object();
    TFE_ASSERT(kind_ == kind::object);
    if (json* v = find(k)) return *v;
    obj_.emplace_back(std::string(k), json());
    return obj_.back().second;
  }

  /// Number of elements or members; 0 for scalars.
  std::size_t size() const noexcept {
    if (kind_ == kind::array) return arr_.size();
    if (kind_ == kind::object) return obj_.size();
    return 0;
  }
  /// True when size() == 0 (always for scalars).
  bool empty() const noexcept { return size() == 0; }

  /// Appends `v`; a null becomes an empty array first. Precondition: is_null() || is_array().
  void push_back(json v) {
    if (kind_ == kind::null) *this = array();
    TFE_ASSERT(kind_ == kind::array);
    arr_.push_back(std::move(v));
  }
  /// Sets member `key` to `v`: replaces the value in place when present (keeping its position),
  /// appends otherwise; a null becomes an object first. Precondition: is_null() || is_object().
  json& set(std::string_view key, json v) {
    if (kind_ == kind::null) *this = object();
    TFE_ASSERT(kind_ == kind::object);
    if (json* existing = find(key)) {
      *existing = std::move(v);
      return *existing;
    }
    obj_.emplace_back(std::string(key), std::move(v));
    return obj_.back().second;
  }
  /// Removes every member named `key`; true when one was removed (false for non-objects).
  bool erase(std::string_view key) {
    if (kind_ != kind::object) return false;
    const auto it =
        std::remove_if(obj_.begin(), obj_.end(), [&](const object_type::value_type& m) { return m.first == key; });
    if (it == obj_.end()) return false;
    obj_.erase(it, obj_.end());
    return true;
  }

  /// Compact, deterministic JSON text (members in insertion order); see dump_to().
  std::string dump() const {
    std::string out;
    dump_to(out);
    return out;
  }
  /// Appends the compact JSON text to `out`. Doubles print in shortest round-trip form and
  /// always with '.' or 'e'; NaN/infinity print as null; invalid UTF-8 becomes U+FFFD.
  void dump_to(std::string& out) const;

  /// Deep equality: same kinds (1 != 1.0), IEEE == for doubles, objects equal when they
  /// have the same keys with equal values in any order. Iterative, so any depth is safe.
  friend bool operator==(const json& a, const json& b) noexcept { return equal(a, b); }
  /// Negation of ==.
  friend bool operator!=(const json& a, const json& b) noexcept { return !equal(a, b); }

 private:
  friend class detail::json_dom_builder;

  static const json& null_ref() noexcept {
    static const json null_value;
    return null_value;
  }

  static bool is_nonempty_container(const json& v) noexcept {
    return (v.kind_ == kind::array && !v.arr_.empty()) || (v.kind_ == kind::object && !v.obj_.empty());
  }

  // Moves the value of `o` into *this (which holds nothing that needs destroying); `o` becomes null.
  void steal(json& o) noexcept {
    switch (o.kind_) {
      case kind::null:
        break;
      case kind::boolean:
        bool_ = o.bool_;
        break;
      case kind::integer:
        int_ = o.int_;
        break;
      case kind::number:
        dbl_ = o.dbl_;
        break;
      case kind::string:
        slen_ = o.slen_;
        if (o.slen_ != heap_string) {
          std::memcpy(small_, o.small_, small_capacity);
        } else {
          ::new (static_cast<void*>(&str_)) std::string(std::move(o.str_));
          o.str_.~basic_string();
        }
        break;
      case kind::array:
        ::new (static_cast<void*>(&arr_)) array_type(std::move(o.arr_));
        o.arr_.~array_type();
        break;
      case kind::object:
        ::new (static_cast<void*>(&obj_)) object_type(std::move(o.obj_));
        o.obj_.~object_type();
        break;
    }
    kind_ = o.kind_;
    o.kind_ = kind::null;
    o.int_ = 0;
  }

  // Destroys the held value and leaves null. Children nested up to a small depth are destroyed
  // by bounded recursion; anything deeper is flattened onto a heap work list.
  void release(unsigned depth = 0) noexcept {
    switch (kind_) {
      case kind::string:
        if (slen_ == heap_string) str_.~basic_string();
        break;
      case kind::array:
        if (depth < recursion_limit) {
          for (json& c : arr_)
            if (c.kind_ >= kind::array) c.release(depth + 1);
        } else {
          teardown();
        }
        arr_.~array_type();
        break;
      case kind::object:
        if (depth < recursion_limit) {
          for (auto& m : obj_)
            if (m.second.kind_ >= kind::array) m.second.release(depth + 1);
        } else {
          teardown();
        }
        obj_.~object_type();
        break;
      default:
        break;
    }
    kind_ = kind::null;
    int_ = 0;
  }

  static constexpr unsigned recursion_limit = 48;

  // Moves every non-empty container child of `node` onto `work` (leaving nulls behind).
  static void harvest(json& node, std::vector<json>& work) {
    if (node.kind_ == kind::array) {
      for (json& c : node.arr_)
        if (is_nonempty_container(c)) work.push_back(std::move(c));
    } else if (node.kind_ == kind::object) {
      for (auto& m : node.obj_)
        if (is_nonempty_container(m.second)) work.push_back(std::move(m.second));
    }
  }

  // Leaves this container's children flat (no nested non-empty containers) without recursing.
  void teardown() noexcept {
    std::vector<json> work;
    harvest(*this, work);
    while (!work.empty()) {
      json t(std::move(work.back()));
      work.pop_back();
      harvest(t, work);
    }  // each t has only flat children here, so its destructor does not recurse
  }

  // Deep copy of `o` into *this (which is null); uses an explicit stack.
  void copy_from(const json& o) {
    struct task {
      const json* src;
      json* dst;
    };
    detail::small_stack<task, 32> stack;
    stack.push(task{&o, this});
    while (!stack.empty()) {
      const task t = stack.top();
      stack.pop();
      const json& s = *t.src;
      json& d = *t.dst;
      switch (s.kind_) {
        case kind::null:
        case kind::boolean:
        case kind::integer:
        case kind::number:
        case kind::string:
          d.copy_scalar(s);
          continue;
        case kind::array:
          ::new (static_cast<void*>(&d.arr_)) array_type(s.arr_.size());
          d.kind_ = kind::array;
          for (std::size_t i = 0; i < s.arr_.size(); ++i) {
            if (s.arr_[i].kind_ >= kind::array) stack.push(task{&s.arr_[i], &d.arr_[i]});
            else d.arr_[i].copy_scalar(s.arr_[i]);
          }
          continue;
        case kind::object:
          ::new (static_cast<void*>(&d.obj_)) object_type();
          d.kind_ = kind::object;
          d.obj_.reserve(s.obj_.size());
          for (const auto& m : s.obj_) d.obj_.emplace_back(m.first, json());
          for (std::size_t i = 0; i < s.obj_.size(); ++i) {
            if (s.obj_[i].second.kind_ >= kind::array) stack.push(task{&s.obj_[i].second, &d.obj_[i].second});
            else d.obj_[i].second.copy_scalar(s.obj_[i].second);
          }
          continue;
      }
    }
  }

  // Copies a non-container `s` into *this (which is null).
  void copy_scalar(const json& s) {
    switch (s.kind_) {
      case kind::boolean:
        bool_ = s.bool_;
        break;
      case kind::integer:
        int_ = s.int_;
        break;
      case kind::number:
        dbl_ = s.dbl_;
        break;
      case kind::string:
        init_string(s.string_view_unchecked());
        break;
      default:
        break;
    }
    kind_ = s.kind_;
  }

  static bool equal(const json& a, const json& b) noexcept;
  static bool scalar_equal(const json& x, const json& y) noexcept;

  // Strings up to small_capacity bytes live inline in small_ (no allocation); longer ones in
  // str_. slen_ is the inline length, or heap_string.
  static constexpr std::size_t small_capacity = sizeof(std::string);
  static constexpr std::uint8_t heap_string = 0xFF;
  static_assert(small_capacity < heap_string, "inline length must fit in a byte");

  void init_small(const char* data, std::size_t n) noexcept {
    slen_ = static_cast<std::uint8_t>(n);
    if (n != 0) std::memcpy(small_, data, n);
  }
  // Sets the string storage of a value whose kind_ is (or becomes) string.
  void init_string(std::string_view s) {
    if (s.size() <= small_capacity) {
      init_small(s.data(), s.size());
    } else {
      ::new (static_cast<void*>(&str_)) std::string(s);
      slen_ = heap_string;
    }
  }
  std::string_view string_view_unchecked() const noexcept {
    return slen_ != heap_string ? std::string_view(small_, slen_) : std::string_view(str_);
  }

  kind kind_;
  std::uint8_t slen_ = 0;
  union {
    bool bool_;
    std::int64_t int_;
    double dbl_;
    char small_[small_capacity];
    std::string str_;
    array_type arr_;
    object_type obj_;
  };
};

/// The kind's name as used in messages ("null", "boolean", "integer", "number", ...).
constexpr std::string_view to_string(json::kind k) noexcept {
  switch (k) {
    case json::kind::null:
      return "null";
    case json::kind::boolean:
      return "boolean";
    case json::kind::integer:
      return "integer";
    case json::kind::number:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "null";
}

inline bool json::scalar_equal(const json& x, const json& y) noexcept {
  switch (x.kind_) {
    case kind::null:
      return true;
    case kind::boolean:
      return x.bool_ == y.bool_;
    case kind::integer:
      return x.int_ == y.int_;
    case kind::number:
      return x.dbl_ == y.dbl_;
    case kind::string:
      return x.string_view_unchecked() == y.string_view_unchecked();
    default:
      return true;  // containers are compared by equal()
  }
}

inline bool json::equal(const json& a, const json& b) noexcept {
  struct task {
    const json* x;
    const json* y;
  };
  // Only container pairs go on the stack; it allocates only past 32 pending pairs. If that
  // allocation fails the program terminates (noexcept), as for any std container.
  detail::small_stack<task, 32> stack;
  auto visit = [&stack](const json& x, const json& y) -> bool {
    if (x.kind_ != y.kind_) return false;
    if (x.kind_ >= kind::array) stack.push(task{&x, &y});
    else if (!scalar_equal(x, y)) return false;
    return true;
  };
  if (!visit(a, b)) return false;
  while (!stack.empty()) {
    const task t = stack.top();
    stack.pop();
    const json& x = *t.x;
    const json& y = *t.y;
    if (x.kind_ == kind::array) {
      if (x.arr_.size() != y.arr_.size()) return false;
      for (std::size_t i = 0; i < x.arr_.size(); ++i)
        if (!visit(x.arr_[i], y.arr_[i])) return false;
      continue;
    }
    const std::size_t n = x.obj_.size();
    if (n != y.obj_.size()) return false;
    std::size_t i = 0;
    for (; i < n && x.obj_[i].first == y.obj_[i].first; ++i)
      if (!visit(x.obj_[i].second, y.obj_[i].second)) return false;
    if (i == n) continue;
    // Different order: match the remaining members by key, both ways.
    for (std::size_t j = i; j < n; ++j) {
      const json* yv = y.find(x.obj_[j].first);
      if (yv == nullptr || !visit(x.obj_[j].second, *yv)) return false;
    }
    for (std::size_t j = i; j < n; ++j)
      if (x.find(y.obj_[j].first) == nullptr) return false;
  }
  return true;
}

inline void json::dump_to(std::string& out) const {
  struct frame {
    const json* node;
    std::size_t index;
  };
  detail::small_stack<frame, 32> stack;
  const json* v = this;
  char buf[detail::double_chars];
  for (;;) {
    switch (v->kind_) {
      case kind::null:
        out.append("null", 4);
        break;
      case kind::boolean:
        if (v->bool_) out.append("true", 4);
        else out.append("false", 5);
        break;
      case kind::integer:
        out.append(buf, static_cast<std::size_t>(detail::write_int64(buf, v->int_) - buf));
        break;
      case kind::number:
        out.append(buf, static_cast<std::size_t>(detail::write_double(buf, v->dbl_) - buf));
        break;
      case kind::string:
        detail::json_append_quoted(out, '\0', v->string_view_unchecked(), '\0');
        break;
      case kind::array:
        if (v->arr_.empty()) {
          out.append("[]", 2);
          break;
        }
        out.push_back('[');
        stack.push(frame{v, 0});
        v = &v->arr_[0];
        continue;
      case kind::object:
        if (v->obj_.empty()) {
          out.append("{}", 2);
          break;
        }
        stack.push(frame{v, 0});
        detail::json_append_quoted(out, '{', v->obj_[0].first, ':');
        v = &v->obj_[0].second;
        continue;
    }
    // The value at v is complete: close finished containers, then move to the next sibling.
    for (;;) {
      if (stack.empty()) return;
      frame& f = stack.top();
      ++f.index;
      if (f.node->kind_ == kind::array) {
        if (f.index < f.node->arr_.size()) {
          out.push_back(',');
          v = &f.node->arr_[f.index];
          break;
        }
        out.push_back(']');
      } else {
        if (f.index < f.node->obj_.size()) {
          detail::json_append_quoted(out, ',', f.node->obj_[f.index].first, ':');
          v = &f.node->obj_[f.index].second;
          break;
        }
        out.push_back('}');
      }
      stack.pop();
    }
  }
}

namespace detail {

/// The parser handler that builds a json tree. Values (array elements, member values and the
/// root) go on one flat stack and member keys on another, as references into the input (or
/// into a side buffer for keys that had escapes); each closing bracket moves its children into
/// one exactly-sized vector, constructing each key string once, in place.
class json_dom_builder {
 public:
  /// A builder for a parse of `input` (views into it stay valid for the whole parse).
  explicit json_dom_builder(std::string_view input) : input_(input) {
    values_.reserve(32);
    keys_.reserve(32);
  }
  /// Handler event: null.
  void null_value() { values_.emplace_back(); }
  /// Handler event: true/false.
  void bool_value(bool b) {
    json& v = values_.emplace_back();
    v.bool_ = b;
    v.kind_ = json::kind::boolean;
  }
  /// Handler event: an integer.
  void int_value(std::int64_t i) {
    json& v = values_.emplace_back();
    v.int_ = i;
    v.kind_ = json::kind::integer;
  }
  /// Handler event: a double.
  void double_value(double d) {
    json& v = values_.emplace_back();
    v.dbl_ = d;
    v.kind_ = json::kind::number;
  }
  /// Handler event: a string (copied).
  void string_value(std::string_view s) {
    json& v = values_.emplace_back();
    v.init_string(s);
    v.kind_ = json::kind::string;
  }
  /// Handler event: an object key; the next value is its member's value.
  void key(std::string_view k) {
    key_ref r;
    r.size = k.size();
    if (k.data() >= input_.data() && k.data() + k.size() <= input_.data() + input_.size()) {
      r.input = true;  // unescaped: a view of the input, valid for the whole parse
      r.offset = static_cast<std::size_t>(k.data() - input_.data());
    } else {
      r.input = false;  // decoded from escapes: the parser reuses its buffer, so keep a copy
      r.offset = escaped_keys_.size();
      escaped_keys_.append(k.data(), k.size());
    }
    r.signature = key_signature(k);
    keys_.push_back(r);
  }
  /// Handler event: '['.
  void begin_array() noexcept {}
  /// Handler event: '{'.
  void begin_object() noexcept {}
  /// Handler event: ']' closing `n` elements.
  void end_array(std::size_t n) {
    const auto first = values_.end() - static_cast<std::ptrdiff_t>(n);
    json::array_type a(std::make_move_iterator(first), std::make_move_iterator(values_.end()));
    values_.erase(first, values_.end());
    json& v = values_.emplace_back();
    ::new (static_cast<void*>(&v.arr_)) json::array_type(std::move(a));
    v.kind_ = json::kind::array;
  }
  /// Handler event: '}' closing `n` members; a repeated key keeps its first position and
  /// takes the last value.
  void end_object(std::size_t n) {
    const std::size_t k0 = keys_.size() - n;
    const auto first = values_.end() - static_cast<std::ptrdiff_t>(n);
    json::object_type o;
    o.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const key_ref& r = keys_[k0 + i];
      const char* data = (r.input ? input_.data() : escaped_keys_.data()) + r.offset;
      o.emplace_back(std::piecewise_construct, std::forward_as_tuple(data, r.size),
                     std::forward_as_tuple(std::move(first[static_cast<std::ptrdiff_t>(i)])));
    }
    if (n > 1 && has_duplicate_keys(o, keys_.data() + k0)) remove_duplicate_keys(o);
    keys_.resize(k0);
    if (keys_.empty()) escaped_keys_.clear();
    values_.erase(first, values_.end());
    json& v = values_.emplace_back();
    ::new (static_cast<void*>(&v.obj_)) json::object_type(std::move(o));
    v.kind_ = json::kind::object;
  }
  /// The finished root value.
  json take() { return std::move(values_.back()); }

 private:
  struct key_ref {
    std::size_t offset;  // into the input, or into escaped_keys_
    std::size_t size;
    std::uint32_t signature;  // cheap hash for duplicate detection
    bool input;               // true: offset is into the input
  };

  static std::uint32_t key_signature(std::string_view k) noexcept {
    const std::size_t n = k.size();
    if (n == 0) return 0;
    return (static_cast<std::uint32_t>(n) * 0x9E3779B1u) ^ static_cast<unsigned char>(k[0]) ^
           (static_cast<std::uint32_t>(static_cast<unsigned char>(k[n / 2])) << 8) ^
           (static_cast<std::uint32_t>(static_cast<unsigned char>(k[n - 1])) << 16);
  }

  // Small objects: an open-addressing table of member indexes keyed by signature; only equal
  // signatures compare the keys. Large objects: sort (O(n log n) even for hostile input).
  bool has_duplicate_keys(const json::object_type& o, const key_ref* keys) {
    const std::size_t n = o.size();
    if (n <= 32) {
      unsigned char table[64] = {};
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t sig = keys[i].signature;
        std::uint32_t h = (sig * 0x9E3779B1u) >> 26;
        while (table[h] != 0) {
          const std::size_t j = table[h] - 1u;
          if (keys[j].signature == sig && o[j].first == o[i].first) return true;
          h = (h + 1) & 63u;
        }
        table[h] = static_cast<unsigned char>(i + 1);
      }
      return false;
    }
    order_.resize(n);
    for (std::size_t i = 0; i < n; ++i) order_[i] = i;
    std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return o[a].first < o[b].first; });
    for (std::size_t i = 1; i < n; ++i)
      if (o[order_[i]].first == o[order_[i - 1]].first) return true;
    return false;
  }

  // O(n log n): group equal keys; the first member of each group takes the last value.
  void remove_duplicate_keys(json::object_type& o) {
    const std::size_t n = o.size();
    order_.resize(n);
    for (std::size_t i = 0; i < n; ++i) order_[i] = i;
    std::stable_sort(order_.begin(), order_.end(),
                     [&](std::size_t a, std::size_t b) { return o[a].first < o[b].first; });
    std::vector<bool> drop(n, false);
    for (std::size_t i = 0; i < n;) {
      std::size_t j = i + 1;
      while (j < n && o[order_[j]].first == o[order_[i]].first) ++j;
      if (j - i > 1) {
        o[order_[i]].second = std::move(o[order_[j - 1]].second);
        for (std::size_t k = i + 1; k < j; ++k) drop[order_[k]] = true;
      }
      i = j;
    }
    std::size_t w = 0;
    for (std::size_t r = 0; r < n; ++r) {
      if (drop[r]) continue;
      if (w != r) o[w] = std::move(o[r]);
      ++w;
    }
    o.erase(o.begin() + static_cast<std::ptrdiff_t>(w), o.end());
  }

  std::string_view input_;
  std::vector<json> values_;   // completed values waiting for their container
  std::vector<key_ref> keys_;  // keys of the members of all open objects
  std::string escaped_keys_;   // decoded keys that had escapes
  std::vector<std::size_t> order_;
};

}  // namespace detail

inline result<json> json::parse(std::string_view text, const json_parse_options& options) {
  if (text.size() > options.max_size) {
    return make_error(errc::payload_too_large, "JSON input of " + std::to_string(text.size()) +
                                                   " bytes exceeds the limit of " + std::to_string(options.max_size) +
                                                   " bytes");
  }
  detail::json_dom_builder builder(text);
  result<void> r = detail::json_parse(text, options.max_depth, builder);
  if (!r) return std::move(r).error();
  return builder.take();
}

}  // namespace tfe

#endif  // TFE_JSON_HPP
