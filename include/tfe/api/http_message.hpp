// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// HTTP-shaped request and response values: what every transport hands to the API layer.
#ifndef TFE_API_HTTP_MESSAGE_HPP
#define TFE_API_HTTP_MESSAGE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {

/// One header line: name as received (compared case-insensitively) and value.
using http_header = std::pair<std::string, std::string>;

namespace detail {
/// ASCII case-insensitive equality, as HTTP header names require.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}
}  // namespace detail

/// An HTTP request as the API layer sees it, independent of any transport.
struct http_request {
  std::string method;                ///< "GET", "POST", ... (case-sensitive, as HTTP says)
  std::string target;                ///< origin-form target: path plus optional "?query"
  std::vector<http_header> headers;  ///< header fields in arrival order
  std::string body;                  ///< the decoded body (chunked encoding already removed)
  std::string remote_address;        ///< peer address for logs; empty in-process

  /// The first value of header `name` (case-insensitive), or empty when absent.
  std::string_view header(std::string_view name) const noexcept {
    for (const auto& h : headers)
      if (detail::iequals(h.first, name)) return h.second;
    return {};
  }
  /// True when header `name` is present (case-insensitive).
  bool has_header(std::string_view name) const noexcept {
    for (const auto& h : headers)
      if (detail::iequals(h.first, name)) return true;
    return false;
  }
  /// The path part of the target (before '?').
  std::string_view path() const noexcept {
    std::string_view t = target;
    auto q = t.find('?');
    return q == std::string_view::npos ? t : t.substr(0, q);
  }
  /// The raw query part of the target (after '?'), still percent-encoded.
  std::string_view query() const noexcept {
    std::string_view t = target;
    auto q = t.find('?');
    return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
  }
};

/// An HTTP response produced by the API layer; the transport writes it out.
struct http_response {
  int status = 200;                  ///< status code
  std::vector<http_header> headers;  ///< header fields (Content-Length is the transport's job)
  std::string body;                  ///< the full body

  /// The first value of header `name` (case-insensitive), or empty when absent.
  std::string_view header(std::string_view name) const noexcept {
    for (const auto& h : headers)
      if (detail::iequals(h.first, name)) return h.second;
    return {};
  }
  /// Sets header `name` to `value`, replacing an earlier value.
  void set_header(std::string_view name, std::string value) {
    for (auto& h : headers)
      if (detail::iequals(h.first, name)) {
        h.second = std::move(value);
        return;
      }
    headers.emplace_back(std::string(name), std::move(value));
  }
};

/// The standard reason phrase for a status code ("OK", "Not Found"...), or "Unknown".
constexpr std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 302:
      return "Found";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

}  // namespace tfe

#endif  // TFE_API_HTTP_MESSAGE_HPP
