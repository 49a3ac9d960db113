// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Reading JSON:API request documents: the body, `data`, typed attributes (by the entity's field list)
// and relationships, each failure an error with the status TFE uses and a JSON pointer.
#ifndef TFE_API_REQUEST_DOCUMENT_HPP
#define TFE_API_REQUEST_DOCUMENT_HPP

#include <tfe/json.hpp>
#include <tfe/model/field.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/tag.hpp>
#include <tfe/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tfe {

/// Limits of request documents.
struct request_limits {
  std::size_t max_bytes = 4u << 20;  ///< largest document (413 above)
  std::size_t max_depth = 64;        ///< deepest nesting (400 above)
};

/// Parses a request body as a JSON document: 400 when malformed or (unless `allow_empty`) empty, 413
/// when over the limit. An empty body gives {} when allowed.
inline result<json> parse_request_body(std::string_view body, const request_limits& limits, bool allow_empty) {
  if (body.empty() || body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    if (allow_empty) return json::object();
    return make_error(errc::parse_error, "Request body is empty: a JSON:API document is required");
  }
  if (body.size() > limits.max_bytes)
    return make_error(errc::payload_too_large,
                      "Request document exceeds " + std::to_string(limits.max_bytes) + " bytes");
  json_parse_options po;
  po.max_size = limits.max_bytes;
  po.max_depth = limits.max_depth;
  auto doc = json::parse(body, po);
  if (!doc) {
    error e = doc.error();
    if (e.code != errc::payload_too_large) e.code = errc::parse_error;
    e.message = "Malformed JSON at line " + std::to_string(e.position.line) + ", column " +
                std::to_string(e.position.column) + ": " + e.message;
    return e;
  }
  return doc;
}

/// True when `given` names the resource type `type`: the type itself, its singular (TFE accepts
/// "configuration-version" for "configuration-versions", "run" for "runs"), or empty.
inline bool names_type(std::string_view given, std::string_view type) noexcept {
  if (given.empty() || given == type) return true;
  if (type.size() > 3 && type.substr(type.size() - 3) == "ies")  // policies -> policy
    return given.size() == type.size() - 2 && given.substr(0, given.size() - 1) == type.substr(0, type.size() - 3) &&
           given.back() == 'y';
  return type.size() > 1 && type.back() == 's' && given == type.substr(0, type.size() - 1);
}

/// The `data` object of a JSON:API request document, checking `type` when given (409 "wrong resource
/// type" when it names another type, 422 for a wrong shape).
inline result<const json*> data_object(const json& doc, std::string_view type, bool type_required) {
  if (!doc.is_object()) return make_error(errc::validation_failed, "Document must be a JSON object", "");
  const json* data = doc.find("data");
  if (!data || !data->is_object()) return make_error(errc::validation_failed, "data must be an object", "/data");
  const json* t = data->find("type");
  if (t && !t->is_null()) {
    auto ts = t->as_string();
    if (!ts) return make_error(errc::validation_failed, "type must be a string", "/data/type");
    if (!names_type(*ts, type))
      return make_titled_error(
          errc::conflict, "wrong resource type",
          "data.type is '" + std::string(ts->substr(0, 64)) + "', this endpoint takes '" + std::string(type) + "'",
          "/data/type");
  } else if (type_required) {
    return make_error(errc::validation_failed, "type is required", "/data/type");
  }
  const json* attrs = data->find("attributes");
  if (attrs && !attrs->is_null() && !attrs->is_object())
    return make_error(errc::validation_failed, "attributes must be an object", "/data/attributes");
  return data;
}

/// The id of a to-one relationship `name` of `data`: empty when absent or null; 422 when malformed
/// or of another `type`.
inline result<std::string> relationship_id(const json& data, std::string_view name, std::string_view type) {
  const json* rels = data.find("relationships");
  if (!rels || rels->is_null()) return std::string();
  if (!rels->is_object())
    return make_error(errc::validation_failed, "relationships must be an object", "/data/relationships");
  const json* rel = rels->find(name);
  const std::string ptr = "/data/relationships/" + std::string(name);
  if (!rel || rel->is_null()) return std::string();
  if (!rel->is_object()) return make_error(errc::validation_failed, std::string(name) + " must be an object", ptr);
  const json* d = rel->find("data");
  if (!d || d->is_null()) return std::string();
  if (!d->is_object())
    return make_error(errc::validation_failed, std::string(name) + " data must be an object", ptr + "/data");
  auto id = (*d)["id"].as_string();
  if (!id || id->empty())
    return make_error(errc::validation_failed, std::string(name) + " id is required", ptr + "/data/id");
  auto t = (*d)["type"].as_string();
  if (t && !names_type(*t, type))
    return make_error(errc::validation_failed, std::string(name) + " type must be " + std::string(type),
                      ptr + "/data/type");
  return std::string(*id);
}

/// The ids of a to-many relationship `name` of `data`: nullopt when absent, the ids of its `data` array
/// otherwise (null counts as empty); 422 when malformed or of another `type`.
inline result<std::optional<std::vector<std::string>>> relationship_ids(const json& data, std::string_view name,
                                                                        std::string_view type) {
  const json* rels = data.find("relationships");
  if (!rels || rels->is_null()) return std::optional<std::vector<std::string>>();
  const std::string ptr = "/data/relationships/" + std::string(name) + "/data";
  if (!rels->is_object())
    return make_error(errc::validation_failed, "relationships must be an object", "/data/relationships");
  const json* rel = rels->find(name);
  if (!rel) return std::optional<std::vector<std::string>>();
  const json* d = rel->is_object() ? rel->find("data") : nullptr;
  if (!rel->is_null() && (!d || (!d->is_null() && !d->is_array())))
    return make_error(errc::validation_failed, std::string(name) + " data must be an array", ptr);
  std::vector<std::string> ids;
  if (d && d->is_array())
    for (std::size_t i = 0; i < d->size(); ++i) {
      const json& e = (*d)[i];
      const std::string at = ptr + "/" + std::to_string(i);
      auto id = e["id"].as_string();
      if (!e.is_object() || !id || id->empty())
        return make_error(errc::validation_failed, "each item of " + std::string(name) + " has an id", at);
      if (auto t = e["type"].as_string(); t && !names_type(*t, type))
        return make_error(errc::validation_failed,
                          "items of " + std::string(name) + " are of type " + std::string(type), at + "/type");
      ids.emplace_back(*id);
    }
  return std::optional<std::vector<std::string>>(std::move(ids));
}

/// The members of a top-level `data` array ({"data":[{...}, ...]}), each checked to be an object whose
/// `type` names `type`; 422 otherwise.
inline result<std::vector<const json*>> data_array(const json& doc, std::string_view type) {
  if (!doc.is_object()) return make_error(errc::validation_failed, "Document must be a JSON object", "");
  const json* data = doc.find("data");
  if (!data || !data->is_array()) return make_error(errc::validation_failed, "data must be an array", "/data");
  std::vector<const json*> out;
  for (std::size_t i = 0; i < data->size(); ++i) {
    const json& e = (*data)[i];
    const std::string at = "/data/" + std::to_string(i);
    if (!e.is_object()) return make_error(errc::validation_failed, "each item of data must be an object", at);
    if (auto t = e["type"].as_string(); t && !names_type(*t, type))
      return make_titled_error(errc::conflict, "wrong resource type",
                               "items of data must be of type " + std::string(type), at + "/type");
    out.push_back(&e);
  }
  return out;
}

/// The key/value bindings of a `tag-bindings` list (items {"type":"tag-bindings","attributes":{"key","value"}});
/// 422 for an item without a string key.
inline result<std::vector<tag_binding>> read_tag_bindings(const json& list, const std::string& pointer) {
  std::vector<tag_binding> out;
  const auto* items = list.as_array();
  if (!items) return make_error(errc::validation_failed, "tag bindings must be an array", pointer);
  for (std::size_t i = 0; i < items->size(); ++i) {
    const json& a = (*items)[i]["attributes"];
    auto key = a["key"].as_string();
    auto value = a["value"].as_string();
    if (!key || (!a["value"].is_null() && !value))
      return make_error(errc::validation_failed, "a tag binding has a string key and value",
                        pointer + "/" + std::to_string(i) + "/attributes");
    out.push_back(tag_binding{std::string(*key), std::string(value.value_or(""))});
  }
  return out;
}

/// Typed reads of `data.attributes`: absent or null leaves the option unset; a wrong type records the
/// first failure (422 with a pointer to the attribute).
class attribute_reader {
 public:
  /// Reads from the `attributes` of `data` (null: nothing is set).
  explicit attribute_reader(const json* data) : attrs_(data ? data->find("attributes") : nullptr) {}

  /// Reads attribute `key` into `out`: bool, string, array of strings, nullable integer or run variables.
  template <class T>
  void read(std::string_view key, std::optional<T>& out) {
    const json* v = find(key);
    if (!v || err_) return;
    if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
      if (v->is_null()) return void(out = T());
      if (auto i = v->as_int()) return void(out = T(*i));
      return fail(key, "an integer");
    } else {
      if (v->is_null()) return;
      if constexpr (std::is_same_v<T, bool>) {
        if (auto b = v->as_bool()) return void(out = *b);
        fail(key, "a boolean");
      } else if constexpr (std::is_same_v<T, std::string>) {
        if (auto s = v->as_string()) return void(out = std::string(*s));
        fail(key, "a string");
      } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        T items;
        if (const auto* arr = v->as_array()) {
          for (const auto& e : *arr) {
            auto sv = e.as_string();
            if (!sv) return fail(key, "an array of strings");
            items.emplace_back(*sv);
          }
          return void(out = std::move(items));
        }
        fail(key, "an array of strings");
      } else {
        static_assert(std::is_same_v<T, std::vector<run_variable>>, "no reader for this attribute type");
        T items;
        if (const auto* arr = v->as_array()) {
          for (const auto& e : *arr) {
            auto k = e["key"].as_string();
            auto val = e["value"].as_string();
            if (!k || !val) return fail(key, "an array of {key, value} objects");
            items.push_back(run_variable{std::string(*k), std::string(*val)});
          }
          return void(out = std::move(items));
        }
        fail(key, "an array of {key, value} objects");
      }
    }
  }
  /// The string attribute `key`, if present (a wrong type records a failure).
  std::optional<std::string> string(std::string_view key) {
    std::optional<std::string> out;
    read(key, out);
    return out;
  }
  /// The first failure, if any.
  const std::optional<error>& failure() const noexcept { return err_; }

 private:
  const json* find(std::string_view key) const {
    if (!attrs_ || !attrs_->is_object()) return nullptr;
    return attrs_->find(key);
  }
  void fail(std::string_view key, const char* what) {
    if (!err_)
      err_ =
          error{errc::validation_failed, std::string(key) + " must be " + what, "/data/attributes/" + std::string(key)};
  }
  const json* attrs_;
  std::optional<error> err_;
};

/// Reads every attribute entity E's field list marks as settable by a request into `out` (a
/// create/update options struct); 422 for the first attribute of the wrong type.
template <class E, class Options>
result<void> read_attributes(const json* data, Options& out) {
  attribute_reader a(data);
  visit_fields(of<E>, [&](const auto& f) {
    if constexpr (std::decay_t<decltype(f)>::has_option) a.read(f.name, out.*f.option);
  });
  if (a.failure()) return *a.failure();
  return {};
}

}  // namespace tfe

#endif  // TFE_API_REQUEST_DOCUMENT_HPP
