// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// in_process_transport: hands requests straight to the API layer and returns its responses (no sockets).
#ifndef TFE_TRANSPORT_IN_PROCESS_HPP
#define TFE_TRANSPORT_IN_PROCESS_HPP

#include <tfe/api/http_message.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tfe {

/// A client-side transport that calls `handler.handle(request)` directly, for tests and embedding.
/// Its calls answer what the handler answers (http_response, or faulted_response behind test controls).
template <class Handler>
class in_process_transport {
 public:
  /// What the handler answers.
  using response_type = decltype(std::declval<Handler&>().handle(std::declval<const http_request&>()));

  /// Sends to `handler` (which must outlive the transport), with `token` as the bearer token.
  explicit in_process_transport(Handler& handler, std::string token = "test-token")
      : handler_(handler), token_(std::move(token)) {}

  /// Sends a request as is.
  response_type send(const http_request& req) { return handler_.handle(req); }

  /// Sends `method target` with the headers go-tfe sends (Authorization, Accept, Content-Type) and `body`.
  response_type request(std::string method, std::string target, std::string body = {}) {
    http_request req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.headers.emplace_back("Host", "tfe.local");
    req.headers.emplace_back("Accept", "application/vnd.api+json");
    if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
    if (req.method != "GET" && req.method != "HEAD")
      req.headers.emplace_back("Content-Type", "application/vnd.api+json");
    req.body = std::move(body);
    return handler_.handle(req);
  }
  /// GET target.
  response_type get(std::string target) { return request("GET", std::move(target)); }
  /// POST target with a JSON body.
  response_type post(std::string target, std::string body = {}) {
    return request("POST", std::move(target), std::move(body));
  }
  /// PATCH target with a JSON body.
  response_type patch(std::string target, std::string body) {
    return request("PATCH", std::move(target), std::move(body));
  }
  /// DELETE target, with an optional JSON body (go-tfe's removals of tags and consumers send one).
  response_type del(std::string target, std::string body = {}) {
    return request("DELETE", std::move(target), std::move(body));
  }
  /// PUT raw bytes to an absolute or origin-form URL (the upload capability), as go-tfe does.
  response_type put_bytes(std::string_view url, std::string bytes) {
    http_request req;
    req.method = "PUT";
    req.target = std::string(origin_form(url));
    req.headers.emplace_back("Host", "tfe.local");
    req.headers.emplace_back("Content-Type", "application/octet-stream");
    req.body = std::move(bytes);
    return handler_.handle(req);
  }
  /// GET an absolute or origin-form URL without a token (log URLs).
  response_type get_url(std::string_view url) {
    http_request req;
    req.method = "GET";
    req.target = std::string(origin_form(url));
    req.headers.emplace_back("Host", "tfe.local");
    return handler_.handle(req);
  }

  /// The path-and-query part of an absolute URL ("http://h:1/x?y" -> "/x?y").
  static std::string_view origin_form(std::string_view url) noexcept {
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return url;
    auto slash = url.find('/', scheme + 3);
    return slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  }

 private:
  Handler& handler_;
  std::string token_;
};

}  // namespace tfe

#endif  // TFE_TRANSPORT_IN_PROCESS_HPP
