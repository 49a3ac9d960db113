// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Reading JSON:API request documents: the body, `data`, typed attributes (by the entity's field list)
// and relationships, each failure an error with the status TFE uses and a JSON pointer.
#ifndef TFE_API_REQUEST_DOCUMENT_HPP
#define TFE_API_REQUEST_DOCUMENT_HPP

#include <tfe/json.hpp>
#include <tfe/model/field.hpp>
#include <tfe/model/run.hpp>
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

/// The `data` object of a JSON:API request document, checking `type` when given (409 when it names
/// another type, 422 for a wrong shape).
inline result<const json*> data_object(const json& doc, std::string_view type, bool type_required) {
  if (!doc.is_object()) return make_error(errc::validation_failed, "Document must be a JSON object", "");
  const json* data = doc.find("data");
  if (!data || !data->is_object()) return make_error(errc::validation_failed, "data must be an object", "/data");
  const json* t = data->find("type");
  if (t && !t->is_null()) {
    auto ts = t->as_string();
    if (!ts) return make_error(errc::validation_failed, "type must be a string", "/data/type");
    if (*ts != type && !ts->empty())
      return make_error(errc::conflict, "type must be " + std::string(type), "/data/type");
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
  if (t && !t->empty() && *t != type)
    return make_error(errc::validation_failed, std::string(name) + " type must be " + std::string(type),
                      ptr + "/data/type");
  return std::string(*id);
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
