// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The one writer of JSON:API error documents, for the API, the admin API, fault injection and transports.
#ifndef TFE_API_ERROR_DOCUMENT_HPP
#define TFE_API_ERROR_DOCUMENT_HPP

#include <tfe/api/http_message.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/result.hpp>

#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>

namespace tfe {

/// The JSON:API media type.
inline constexpr std::string_view jsonapi_media_type = "application/vnd.api+json";

/// Appends {"errors":[{"status":"<status>","title":…,"detail":…,"source":{"pointer":…}}]} to `out`;
/// `status` is a string as TFE sends it, empty `detail` and `pointer` are left out. Text is escaped
/// (invalid UTF-8 becomes U+FFFD).
inline void write_error_document(std::string& out, int status, std::string_view title, std::string_view detail = {},
                                 std::string_view pointer = {}) {
  json_writer w(out);
  w.begin_object().key("errors").begin_array().begin_object();
  char st[12];
  const auto end = std::to_chars(st, st + sizeof st, status).ptr;
  w.member("status", std::string_view(st, static_cast<std::size_t>(end - st)));
  w.member("title", title);
  if (!detail.empty()) w.member("detail", detail);
  if (!pointer.empty()) w.key("source").begin_object().member("pointer", pointer).end_object();
  w.end_object().end_array().end_object();
}

/// A response with status `status` and its JSON:API error document.
inline http_response error_response(int status, std::string_view title, std::string_view detail = {},
                                    std::string_view pointer = {}) {
  http_response r;
  r.status = status;
  write_error_document(r.body, status, title, detail, pointer);
  r.set_header("Content-Type", std::string(jsonapi_media_type));
  return r;
}

/// The response of a tfe::error: its code's HTTP status and title, its message as detail, its pointer.
inline http_response error_response(const error& e) {
  return error_response(http_status(e.code), e.title.empty() ? default_title(e.code) : std::string_view(e.title),
                        e.message, e.pointer);
}

/// The response of an error made of a code, a message and an optional JSON pointer.
inline http_response error_response(errc code, std::string_view message, std::string_view pointer = {}) {
  return error_response(http_status(code), default_title(code), message, pointer);
}

}  // namespace tfe

#endif  // TFE_API_ERROR_DOCUMENT_HPP
