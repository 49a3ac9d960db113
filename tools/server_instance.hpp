// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// One tfe-server instance (the default one at "/" or a tenant at "/t/NAME/"): an engine, the API with
// its test controls, the admin API and the dashboard, answering requests whose tenant prefix is already
// removed.
#ifndef TFE_TOOLS_SERVER_INSTANCE_HPP
#define TFE_TOOLS_SERVER_INSTANCE_HPP

#include <tfe/tfe.hpp>
#include <tfe/transport/posix_http_server.hpp>

#include "dashboard.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace tfe_server {

/// The engine of tfe-server: the default policies with a clock --manual-clock can freeze, and the
/// journal storage (in memory only unless --data-dir attaches journal files).
struct server_policies : tfe::default_policies {
  using clock_type = tfe::switchable_clock;
  using storage_type = tfe::journal_storage;
};
using server_engine = tfe::basic_engine<server_policies>;                    ///< one instance's engine
using server_api = tfe::basic_test_controls<tfe::basic_api<server_engine>>;  ///< with faults and journal
using server_admin = tfe::basic_admin_api<server_api>;                       ///< /_tfe/ in front of it
using server_dashboard = basic_dashboard<server_api, server_admin>;          ///< /_tfe/ui/ and /_tfe/events

/// What every instance of one tfe-server shares (the command line's settings).
struct instance_settings {
  tfe::engine_options engine;           ///< cancel cool-off, organization concurrency, ...
  tfe::api_options api;                 ///< tokens, base URL, upload-url-on-read
  std::string admin_token;              ///< the admin API's token (empty: loopback only)
  std::string api_token;                ///< a token api.auth accepts, for the dashboard's reads (empty: any)
  tfe::milliseconds plan_duration{0};   ///< how long each plan takes
  tfe::milliseconds apply_duration{0};  ///< how long each apply takes
  std::size_t journal = 2000;           ///< requests kept for GET /_tfe/requests
};

/// What one instance has of its own.
struct instance_config {
  std::string prefix;                  ///< the path it is mounted under ("" or "/t/NAME")
  std::optional<std::uint64_t> seed;   ///< deterministic ids, capability URLs and fault draws
  bool manual_clock = false;           ///< time stands still until POST /_tfe/clock/advance
  std::optional<std::size_t> journal;  ///< overrides instance_settings::journal
};

/// An engine with its API, test controls and admin API: a whole tfe-server behind one path prefix.
class server_instance {
 public:
  /// Builds the instance; `s` and `c` are read only here.
  server_instance(const instance_settings& s, const instance_config& c)
      : prefix_(c.prefix),
        eng_(s.engine),
        api_(eng_, api_options_of(s, c)),
        admin_(api_, admin_options_of(s, c)),
        dashboard_(api_, admin_, c.prefix, s.api_token) {
    if (c.seed) eng_.seed_ids(*c.seed);
    if (c.manual_clock) eng_.clock().freeze();
    eng_.executor().plan_duration = s.plan_duration;  // before a load: resumed runs take these durations
    eng_.executor().apply_duration = s.apply_duration;
    api_.journal().set_capacity(c.journal.value_or(s.journal));
    if (c.seed) api_.faults().seed(*c.seed);
  }
  server_instance(const server_instance&) = delete;             ///< the API refers to the engine
  server_instance& operator=(const server_instance&) = delete;  ///< the API refers to the engine

  /// Answers one request; its target no longer holds the instance's prefix. The dashboard's paths may
  /// answer an event stream; every other answer is also told to the dashboard (its live views).
  tfe::http_server_response handle(tfe::http_request& req) {
    if (server_dashboard::owns(req.path())) return dashboard_.handle(req);
    tfe::faulted_response res = admin_.handle(req);
    dashboard_.served(req, res);
    return tfe::http_server_response(std::move(res));  // moved: `return res` would copy it (C++17)
  }

  /// The path prefix ("" for the default instance, "/t/NAME" for a tenant).
  const std::string& prefix() const noexcept { return prefix_; }
  /// The instance's engine.
  server_engine& engine() noexcept { return eng_; }
  /// The API with its test controls (faults, request journal).
  server_api& api() noexcept { return api_; }
  /// The admin API in front of the API.
  server_admin& admin() noexcept { return admin_; }
  /// The dashboard (docs/dashboard.md).
  server_dashboard& dashboard() noexcept { return dashboard_; }

 private:
  static tfe::api_options api_options_of(const instance_settings& s, const instance_config& c) {
    tfe::api_options o = s.api;
    if (c.seed) o.url_key_seed = *c.seed;
    o.path_prefix = c.prefix;
    return o;
  }
  static tfe::admin_options admin_options_of(const instance_settings& s, const instance_config& c) {
    tfe::admin_options o;
    o.token = s.admin_token;
    o.seed = c.seed;
    return o;
  }

  std::string prefix_;
  server_engine eng_;
  server_api api_;
  server_admin admin_;
  server_dashboard dashboard_;  // last: destroyed first, it observes the engine
};

}  // namespace tfe_server

#endif  // TFE_TOOLS_SERVER_INSTANCE_HPP
