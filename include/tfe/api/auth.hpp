// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Authentication of API requests: accept any bearer token, a fixed set, or ask a host callback.
#ifndef TFE_API_AUTH_HPP
#define TFE_API_AUTH_HPP

#include <tfe/api/http_message.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tfe {

/// The token of an `Authorization: Bearer <token>` header value (scheme case-insensitive, trailing
/// blanks dropped), or empty: the one parser of bearer tokens (API and admin API).
inline std::string_view bearer_token(std::string_view header) noexcept {
  constexpr std::string_view prefix = "Bearer ";
  if (header.size() <= prefix.size() || !detail::iequals(header.substr(0, prefix.size()), prefix)) return {};
  auto t = header.substr(prefix.size());
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  return t;
}

/// Decides which bearer tokens the API accepts (401 otherwise). Capability URLs never need one.
class token_auth {
 public:
  /// Accepts every request, with or without a token (the default for a local fake).
  static token_auth any() { return token_auth(); }
  /// Accepts only `Authorization: Bearer <t>` for a token in `tokens`.
  static token_auth tokens(std::vector<std::string> tokens) {
    token_auth a;
    a.mode_ = mode::fixed;
    for (auto& t : tokens) a.tokens_.insert(std::move(t));
    return a;
  }
  /// Accepts a bearer token when `check(token)` returns true.
  static token_auth callback(std::function<bool(std::string_view)> check) {
    token_auth a;
    a.mode_ = mode::callback;
    a.check_ = std::move(check);
    return a;
  }

  /// True when the request may proceed.
  bool allows(const http_request& req) const {
    if (mode_ == mode::any) return true;
    auto token = tfe::bearer_token(req.header("Authorization"));
    if (token.empty()) return false;
    if (mode_ == mode::fixed) return tokens_.count(std::string(token)) != 0;
    return check_ && check_(token);
  }
  /// True when every request is accepted.
  bool accepts_any() const noexcept { return mode_ == mode::any; }

 private:
  enum class mode { any, fixed, callback };
  token_auth() = default;
  mode mode_ = mode::any;
  std::unordered_set<std::string> tokens_;
  std::function<bool(std::string_view)> check_;
};

}  // namespace tfe

#endif  // TFE_API_AUTH_HPP
