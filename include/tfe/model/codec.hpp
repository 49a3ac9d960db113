// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The JSON form of the model entities, as snapshots (and journals) store them.
#ifndef TFE_MODEL_CODEC_HPP
#define TFE_MODEL_CODEC_HPP

#include <tfe/detail/enum_names.hpp>
#include <tfe/json.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/lifecycle/run_state_machine.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/configuration_version.hpp>
#include <tfe/model/field.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/organization.hpp>
#include <tfe/model/project.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/state_version.hpp>
#include <tfe/model/tag.hpp>
#include <tfe/model/time.hpp>
#include <tfe/model/workspace.hpp>
#include <tfe/result.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tfe {

// Every entity names its fields once (visit_fields, next to the entity); the stored form is the
// fields marked `stored`, written and read by walking that list. A field missing from a document
// keeps its default, so a hand-written fixture names only what it needs; an unknown member is an
// error (typos show up). Engine-maintained indexes (a workspace's run and configuration version
// lists) are not fields: a snapshot rebuilds them from the order of its arrays.

namespace detail {

using status_times = std::array<std::int64_t, run_status_count>;

/// Builds a json DOM through json_writer's calls, so one set of write_value overloads gives both the
/// text of a journal record and the value of a snapshot.
class json_builder {
 public:
  json_builder& begin_object() { return open(true); }
  json_builder& begin_array() { return open(false); }
  json_builder& end_object() { return close(); }
  json_builder& end_array() { return close(); }
  json_builder& key(std::string_view k) {
    pending_.assign(k.data(), k.size());
    return *this;
  }
  json_builder& value(std::string_view s) { return add(json(s)); }
  json_builder& value(bool b) { return add(json(b)); }
  json_builder& value(std::int64_t v) { return add(json(v)); }
  json_builder& value(double v) { return add(json(v)); }
  json_builder& null_value() { return add(json()); }
  /// The value built (after the outermost container closed).
  json take() { return std::move(root_); }

 private:
  struct frame {
    bool object;
    std::string key;  // where this container goes in its parent (when the parent is an object)
    json::object_type members;
    json::array_type items;
  };
  json_builder& open(bool object) {
    stack_.push_back(frame{object, std::move(pending_), {}, {}});
    pending_.clear();
    return *this;
  }
  json_builder& close() {
    frame f = std::move(stack_.back());
    stack_.pop_back();
    pending_ = std::move(f.key);
    return add(f.object ? json(std::move(f.members)) : json(std::move(f.items)));
  }
  json_builder& add(json v) {
    if (stack_.empty()) root_ = std::move(v);
    else if (stack_.back().object) stack_.back().members.emplace_back(std::move(pending_), std::move(v));
    else stack_.back().items.push_back(std::move(v));
    pending_.clear();
    return *this;
  }
  std::vector<frame> stack_;
  std::string pending_;
  json root_;
};

// The stored form of each field type, written through a json_writer or a json_builder.
template <class W>
void write_value(W& w, const std::string& v) {
  w.value(std::string_view(v));
}
template <class W>
void write_value(W& w, bool v) {
  w.value(v);
}
template <class W, class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
void write_value(W& w, I v) {
  w.value(static_cast<std::int64_t>(v));
}
template <class W>
void write_value(W& w, double v) {
  w.value(v);
}
template <class W>
void write_value(W& w, const resource_id& v) {
  w.value(v.view());
}
template <class W>
void write_value(W& w, time_point v) {
  char buf[iso8601_length];
  format_iso8601(buf, v);
  w.value(std::string_view(buf, iso8601_length));
}
template <class W>
void write_value(W& w, const resource_counts& c) {
  w.begin_object();
  w.key("additions").value(c.additions).key("changes").value(c.changes);
  w.key("destructions").value(c.destructions).key("imports").value(c.imports);
  w.end_object();
}
template <class W>
void write_value(W& w, const run_variable& v) {
  w.begin_object().key("key").value(std::string_view(v.key)).key("value").value(std::string_view(v.value));
  w.end_object();
}
template <class W>
void write_value(W& w, const tag_binding& b) {
  w.begin_object().key("key").value(std::string_view(b.key)).key("value").value(std::string_view(b.value));
  w.end_object();
}
template <class W>
void write_value(W& w, const state_output& o) {
  w.begin_object();
  w.key("id");
  write_value(w, o.id);
  w.key("name").value(std::string_view(o.name)).key("type").value(std::string_view(o.type));
  w.key("detailed-type").value(std::string_view(o.detailed_type)).key("value").value(std::string_view(o.value));
  w.key("sensitive").value(o.sensitive);
  w.end_object();
}
template <class W>
void write_value(W& w, const state_resource& r) {
  w.begin_object();
  w.key("address").value(std::string_view(r.address)).key("module").value(std::string_view(r.module));
  w.key("mode").value(std::string_view(r.mode)).key("type").value(std::string_view(r.type));
  w.key("name").value(std::string_view(r.name)).key("provider").value(std::string_view(r.provider));
  w.key("count").value(r.count);
  w.end_object();
}
template <class W>
void write_value(W& w, const status_times& t) {
  w.begin_object();
  for (std::size_t i = 0; i < run_status_count; ++i)
    if (t[i] != run::no_time) {
      w.key(to_string(all_run_statuses[i]));
      write_value(w, from_unix_ms(t[i]));
    }
  w.end_object();
}
template <class W, class E, std::enable_if_t<has_enum_names<E>::value, int> = 0>
void write_value(W& w, E e) {
  w.value(to_string(e));
}
template <class W, class T>
void write_value(W& w, const std::optional<T>& v) {
  if (v) write_value(w, *v);
  else w.null_value();
}
template <class W, class C, class = typename C::value_type, std::enable_if_t<!std::is_same_v<C, std::string>, int> = 0>
void write_value(W& w, const C& items) {
  w.begin_array();
  for (const auto& x : items) write_value(w, x);
  w.end_array();
}

/// Writes the stored form of `value` (an object of its stored fields) through `w`.
template <class W, class T>
void write_stored(W& w, const T& value) {
  w.begin_object();
  visit_fields(of<T>, [&](const auto& f) {
    if constexpr (std::decay_t<decltype(f)>::has_member) {
      if (!f.is_stored()) return;
      w.key(f.name);
      write_value(w, value.*f.member);
    }
  });
  w.end_object();
}

inline bool decode_value(const json& j, std::string& out) {
  auto s = j.as_string();
  if (!s) return false;
  out = std::string(*s);
  return true;
}
inline bool decode_value(const json& j, bool& out) {
  auto b = j.as_bool();
  if (!b) return false;
  out = *b;
  return true;
}
template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
bool decode_value(const json& j, I& out) {
  auto i = j.as_int();
  if (!i) return false;
  if constexpr (std::is_unsigned_v<I>) {
    if (*i < 0 || static_cast<std::uint64_t>(*i) > std::numeric_limits<I>::max()) return false;
  } else {
    if (*i < std::numeric_limits<I>::min() || *i > std::numeric_limits<I>::max()) return false;
  }
  out = static_cast<I>(*i);
  return true;
}
inline bool decode_value(const json& j, double& out) {
  auto d = j.as_double();
  if (!d) return false;
  out = *d;
  return true;
}
inline bool decode_value(const json& j, resource_id& out) {
  auto s = j.as_string();
  if (!s || (!s->empty() && !is_valid_id_text(*s))) return false;
  out = resource_id(*s);
  return true;
}
inline bool decode_value(const json& j, time_point& out) {
  auto s = j.as_string();
  return s && parse_iso8601(*s, out);
}
inline bool decode_value(const json& j, resource_counts& c) {
  if (!j.is_object()) return false;
  for (const auto& m : *j.as_object()) {
    std::int64_t* f = m.first == "additions"      ? &c.additions
                      : m.first == "changes"      ? &c.changes
                      : m.first == "destructions" ? &c.destructions
                      : m.first == "imports"      ? &c.imports
                                                  : nullptr;
    if (!f || !decode_value(m.second, *f) || *f < 0) return false;
  }
  return true;
}
inline bool decode_value(const json& j, run_variable& v) {
  return j.is_object() && j.size() == 2 && decode_value(j["key"], v.key) && decode_value(j["value"], v.value);
}
inline bool decode_value(const json& j, tag_binding& b) {
  if (!j.is_object()) return false;
  for (const auto& m : *j.as_object()) {
    if (m.first == "key" ? !decode_value(m.second, b.key) : (m.first != "value" || !decode_value(m.second, b.value)))
      return false;
  }
  return true;
}
inline bool decode_value(const json& j, state_output& o) {
  if (!j.is_object()) return false;
  for (const auto& m : *j.as_object()) {
    const std::string& k = m.first;
    const bool ok = k == "id"              ? decode_value(m.second, o.id)
                    : k == "name"          ? decode_value(m.second, o.name)
                    : k == "type"          ? decode_value(m.second, o.type)
                    : k == "detailed-type" ? decode_value(m.second, o.detailed_type)
                    : k == "value"         ? decode_value(m.second, o.value)
                    : k == "sensitive"     ? decode_value(m.second, o.sensitive)
                                           : false;
    if (!ok) return false;
  }
  return true;
}
inline bool decode_value(const json& j, state_resource& r) {
  if (!j.is_object()) return false;
  for (const auto& m : *j.as_object()) {
    const std::string& k = m.first;
    const bool ok = k == "address"    ? decode_value(m.second, r.address)
                    : k == "module"   ? decode_value(m.second, r.module)
                    : k == "mode"     ? decode_value(m.second, r.mode)
                    : k == "type"     ? decode_value(m.second, r.type)
                    : k == "name"     ? decode_value(m.second, r.name)
                    : k == "provider" ? decode_value(m.second, r.provider)
                    : k == "count"    ? decode_value(m.second, r.count)
                                      : false;
    if (!ok) return false;
  }
  return true;
}
// Status timestamps merge: a status not named keeps its time, null clears one (a journal's patch
// records name only the statuses whose time changed). Decoded onto a new run, it is the whole map.
inline bool decode_value(const json& j, status_times& t) {
  if (!j.is_object()) return false;
  status_times next = t;
  for (const auto& m : *j.as_object()) {
    auto s = run_status_from_string(m.first);
    time_point tp;
    if (!s) return false;
    if (m.second.is_null()) next[static_cast<std::size_t>(*s)] = run::no_time;
    else if (decode_value(m.second, tp)) next[static_cast<std::size_t>(*s)] = to_unix_ms(tp);
    else return false;
  }
  t = next;
  return true;
}
template <class E, std::enable_if_t<has_enum_names<E>::value, int> = 0>
bool decode_value(const json& j, E& out) {
  auto s = j.as_string();
  if (!s) return false;
  auto e = enum_from_name<E>(*s);
  if (!e) return false;
  out = *e;
  return true;
}
template <class T>
bool decode_value(const json& j, std::optional<T>& out) {
  if (j.is_null()) {
    out.reset();
    return true;
  }
  T v{};
  if (!decode_value(j, v)) return false;
  out = std::move(v);
  return true;
}
template <class C, class = typename C::value_type, std::enable_if_t<!std::is_same_v<C, std::string>, int> = 0>
bool decode_value(const json& j, C& out) {
  const auto* a = j.as_array();
  if (!a) return false;
  C items;
  for (const auto& x : *a) {
    typename C::value_type v{};
    if (!decode_value(x, v)) return false;
    items.push_back(std::move(v));
  }
  out = std::move(items);
  return true;
}

}  // namespace detail

/// The JSON object of an entity's stored form (organization, workspace, configuration_version, run, run_comment).
template <class T>
json encode_entity(const T& value) {
  detail::json_builder b;
  detail::write_stored(b, value);
  return b.take();
}

/// Appends the JSON text of an entity's stored form to `out` (the same document as encode_entity(value).dump()).
template <class T>
void write_entity(std::string& out, const T& value) {
  json_writer w(out);
  detail::write_stored(w, value);
}

/// Fills `out` from the JSON object `doc`; members not given keep out's value (and a run's
/// `status-timestamps` merge: statuses not named keep their time, null clears one). Fails with
/// errc::validation_failed and a JSON pointer (`pointer` + member) on an unknown member or a bad value.
template <class T>
result<void> decode_entity(const json& doc, T& out, std::string_view pointer = {}) {
  const auto* members = doc.as_object();
  if (!members) return make_error(errc::validation_failed, "must be an object", std::string(pointer));
  const auto& m = *members;
  const std::size_t n = m.size();
  std::size_t cursor = 0, matched = 0;
  result<void> failure;
  // One pass over the fields; documents written by encode have their members in field order, so
  // the search from the cursor finds each at once.
  visit_fields(of<T>, [&](const auto& f) {
    if constexpr (std::decay_t<decltype(f)>::has_member) {
      if (!f.is_stored() || !failure || n == 0) return;
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = cursor + k < n ? cursor + k : cursor + k - n;
        if (m[i].first != f.name) continue;
        cursor = i + 1;
        ++matched;
        if (!detail::decode_value(m[i].second, out.*f.member)) {
          std::string where(pointer);
          where += '/';
          where += f.name;
          failure = make_error(errc::validation_failed,
                               "member '" + std::string(f.name) + "' has the wrong type or value", std::move(where));
        }
        return;
      }
    }
  });
  if (!failure) return failure;
  if (matched == n) return {};
  for (const auto& member : m) {  // some member named no field
    bool known = false;
    visit_fields(of<T>, [&](const auto& f) {
      if constexpr (std::decay_t<decltype(f)>::has_member) known = known || (f.is_stored() && f.name == member.first);
    });
    if (!known) {
      std::string where(pointer);
      where += '/';
      where += member.first.substr(0, 64);
      return make_error(errc::validation_failed, "unknown member '" + member.first.substr(0, 64) + "'", where);
    }
  }
  return {};
}

}  // namespace tfe

#endif  // TFE_MODEL_CODEC_HPP
