// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Per-test tenants of tfe-server: POST/GET/DELETE /_tfe/tenants, and the instance that serves each
// request (a tenant under /t/NAME/, else the default instance). docs/testing.md#tenants.
#ifndef TFE_TOOLS_TENANTS_HPP
#define TFE_TOOLS_TENANTS_HPP

#include "server_instance.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe_server {

/// Limits of the tenant registry.
struct tenant_limits {
  std::size_t max_tenants = 256;     ///< tenants alive at once (429 above)
  std::size_t tenant_journal = 200;  ///< requests each tenant keeps for GET /_tfe/requests
};

/// The tenants of one tfe-server, by name; thread-safe.
class tenant_registry {
 public:
  /// A registry whose tenants share `settings` (tokens, durations, limits of the API).
  tenant_registry(instance_settings settings, tenant_limits limits) : settings_(std::move(settings)), limits_(limits) {}

  /// The tenant called `name`, or null.
  std::shared_ptr<server_instance> find(std::string_view name) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = tenants_.find(name);
    return it == tenants_.end() ? nullptr : it->second;
  }

  /// Every tenant, in name order (a copy: the registry may change meanwhile).
  std::vector<std::shared_ptr<server_instance>> all() const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<std::shared_ptr<server_instance>> out;
    out.reserve(tenants_.size());
    for (const auto& kv : tenants_) out.push_back(kv.second);
    return out;
  }

  /// Answers /_tfe/tenants and /_tfe/tenants/NAME (the caller checked the admin access rules).
  /// `origin` is the server's own absolute origin ("http://127.0.0.1:8080").
  tfe::http_response handle(const tfe::http_request& req, const std::string& origin) {
    const std::string_view path = req.path();
    constexpr std::string_view base = "/_tfe/tenants";
    std::string_view rest = path.substr(base.size());
    if (rest.empty() || rest == "/") {
      if (req.method == "GET" || req.method == "HEAD") return list(origin);
      if (req.method == "POST") return create(req, origin);
      return not_allowed("GET, HEAD, POST");
    }
    rest.remove_prefix(1);
    if (rest.find('/') != std::string_view::npos)
      return tfe::error_response(tfe::errc::not_found, "No such admin endpoint (GET /_tfe/ lists them)");
    if (req.method == "DELETE") return remove(rest);
    if (req.method == "GET" || req.method == "HEAD") {
      auto t = find(rest);
      if (!t) return no_such_tenant(rest);
      return json_answer(200, [&](tfe::json_writer& w) { describe(w, rest, origin); });
    }
    return not_allowed("DELETE, GET, HEAD");
  }

  /// True for names a tenant may have: 1-63 characters of a-z, 0-9, '-' and '_'.
  static bool valid_name(std::string_view n) noexcept {
    if (n.empty() || n.size() > 63) return false;
    for (char ch : n)
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) return false;
    return true;
  }

 private:
  template <class F>
  static tfe::http_response json_answer(int status, F&& fn) {
    tfe::http_response r;
    r.status = status;
    tfe::json_writer w(r.body);
    fn(w);
    r.set_header("Content-Type", "application/json");
    return r;
  }
  static tfe::http_response not_allowed(std::string allow) {
    tfe::http_response r =
        tfe::error_response(tfe::errc::method_not_allowed, "This method is not supported on this admin path");
    r.set_header("Allow", std::move(allow));
    return r;
  }
  static tfe::http_response no_such_tenant(std::string_view name) {
    return tfe::error_response(tfe::errc::not_found, "No tenant named '" + std::string(name) + "'");
  }
  static void describe(tfe::json_writer& w, std::string_view name, const std::string& origin) {
    const std::string base = origin + "/t/" + std::string(name) + "/";
    w.begin_object().member("name", name).member("base-url", base).member("api-url", base + "api/v2/");
    w.member("base-path", "/t/" + std::string(name) + "/api/v2/").member("admin-url", base + "_tfe/").end_object();
  }

  tfe::http_response list(const std::string& origin) const {
    std::vector<std::string> names;
    {
      std::lock_guard<std::mutex> g(mu_);
      for (const auto& kv : tenants_) names.push_back(kv.first);
    }
    return json_answer(200, [&](tfe::json_writer& w) {
      w.begin_object().key("tenants").begin_array();
      for (const auto& n : names) describe(w, n, origin);
      w.end_array().member("max-tenants", static_cast<std::int64_t>(limits_.max_tenants)).end_object();
    });
  }

  tfe::http_response create(const tfe::http_request& req, const std::string& origin) {
    if (req.body.size() > 4096)
      return tfe::error_response(tfe::errc::payload_too_large, "tenant request body too large");
    tfe::json_parse_options po;
    po.max_size = 4096;
    po.max_depth = 4;
    auto doc = tfe::json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), po);
    if (!doc)
      return tfe::error_response(tfe::errc::bad_request, "The request body is not valid JSON: " + doc.error().message);
    if (!doc->is_object()) return unprocessable("The request body must be a JSON object", "");
    instance_config c;
    std::string name;
    for (const auto& [key, value] : *doc->as_object()) {
      if (key == "name") {
        auto s = value.as_string();
        if (!s || !valid_name(*s))
          return unprocessable("name must be 1-63 characters of a-z, 0-9, '-' and '_'", "/name");
        name = std::string(*s);
      } else if (key == "seed") {
        auto v = value.as_int();
        if (!v || *v < 0) return unprocessable("seed must be a non-negative integer", "/seed");
        c.seed = static_cast<std::uint64_t>(*v);
      } else if (key == "manual-clock") {
        auto v = value.as_bool();
        if (!v) return unprocessable("manual-clock must be true or false", "/manual-clock");
        c.manual_clock = *v;
      } else {
        return unprocessable("Unknown member '" + key + "' (name, seed, manual-clock)", "/" + key);
      }
    }
    c.journal = limits_.tenant_journal;
    std::lock_guard<std::mutex> g(mu_);
    if (tenants_.size() >= limits_.max_tenants)
      return tfe::error_response(tfe::errc::rate_limited,
                                 "All " + std::to_string(limits_.max_tenants) +
                                     " tenants are in use: DELETE /_tfe/tenants/NAME one, or start tfe-server "
                                     "with a larger --max-tenants");
    if (name.empty()) {
      do name = "t" + std::to_string(++generated_);
      while (tenants_.count(name));
    } else if (tenants_.count(name)) {
      return tfe::error_response(tfe::errc::conflict, "A tenant named '" + name + "' exists already");
    }
    c.prefix = "/t/" + name;
    tenants_.emplace(name, std::make_shared<server_instance>(settings_, c));
    return json_answer(201, [&](tfe::json_writer& w) { describe(w, name, origin); });
  }

  tfe::http_response remove(std::string_view name) {
    std::shared_ptr<server_instance> gone;  // destroyed outside the lock (after in-flight requests end)
    {
      std::lock_guard<std::mutex> g(mu_);
      auto it = tenants_.find(name);
      if (it == tenants_.end()) return no_such_tenant(name);
      gone = std::move(it->second);
      tenants_.erase(it);
    }
    tfe::http_response r;
    r.status = 204;
    return r;
  }

  static tfe::http_response unprocessable(const std::string& message, const std::string& pointer) {
    return tfe::error_response(tfe::errc::validation_failed, message, pointer);
  }

  instance_settings settings_;
  tenant_limits limits_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<server_instance>, std::less<>> tenants_;
  std::uint64_t generated_ = 0;
};

/// Splits "/t/NAME/rest?query" into NAME and "/rest?query"; false for targets outside /t/.
inline bool split_tenant_target(std::string_view target, std::string_view& name, std::string& rest) {
  if (target.size() < 4 || target.substr(0, 3) != "/t/") return false;
  target.remove_prefix(3);
  const std::size_t end = target.find_first_of("/?");
  name = target.substr(0, end);
  if (end == std::string_view::npos) rest = "/";
  else if (target[end] == '?') rest = "/" + std::string(target.substr(end));
  else rest = std::string(target.substr(end));
  return true;
}

}  // namespace tfe_server

#endif  // TFE_TOOLS_TENANTS_HPP
