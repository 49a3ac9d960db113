// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// basic_api<Engine>: the JSON:API layer. An http_request in, an http_response out, no I/O.
#ifndef TFE_API_HANDLER_HPP
#define TFE_API_HANDLER_HPP

#include <tfe/api/auth.hpp>
#include <tfe/api/document_cache.hpp>
#include <tfe/api/error_document.hpp>
#include <tfe/api/http_message.hpp>
#include <tfe/api/json_plan.hpp>
#include <tfe/api/project_serializers.hpp>
#include <tfe/api/query.hpp>
#include <tfe/api/request_document.hpp>
#include <tfe/api/router.hpp>
#include <tfe/api/run_events.hpp>
#include <tfe/api/serializers.hpp>
#include <tfe/api/state_serializers.hpp>
#include <tfe/detail/siphash.hpp>
#include <tfe/engine/engine.hpp>
#include <tfe/json.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/result.hpp>
#include <tfe/version.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe {

/// Settings of the API layer.
struct api_options {
  token_auth auth = token_auth::any();  ///< which bearer tokens are accepted
  std::string base_url;                 ///< absolute origin for upload/log URLs; empty: from the request
  /// Take the origin of absolute URLs from X-Forwarded-Proto / X-Forwarded-Host when present (a proxy or
  /// TLS terminator in front of tfe); false: from Host only.
  bool trust_forwarded_headers = true;
  /// The path this API is mounted under ("/t/acme"; empty: the root). Absolute URLs, pagination links and
  /// the discovery document carry it; requests reach handle() with it already removed.
  std::string path_prefix;
  std::size_t max_json_bytes = 4u << 20;      ///< largest JSON:API request document (413 above)
  std::size_t max_upload_bytes = 256u << 20;  ///< largest configuration upload (413 above)
  std::size_t max_json_depth = 64;            ///< deepest JSON:API request document (400 above)
  bool poll_engine = true;                    ///< call engine.poll() before each request (system-clock hosts)
  std::string tfe_version = "v202502-1";      ///< X-TFE-Version
  std::optional<std::uint64_t> url_key_seed;  ///< seeds the key that signs log URLs (random when unset)
  bool upload_url_on_read = false;            ///< reads and lists show a pending version's upload-url (TFE before 2022)
  /// GET /runs/:id documents kept for runs that have not changed since (docs/http.md#document-cache); 0: none.
  std::size_t run_document_cache = 256;
};

/// Turns HTTP-shaped requests into engine calls and JSON:API documents (docs/http.md). Every path it
/// serves is a row of its route table (routes()).
template <class Engine>
class basic_api {
 public:
  using engine_type = Engine;  ///< the engine served

  /// Serves `eng` (which must outlive the api).
  explicit basic_api(Engine& eng, api_options options = {}) : eng_(eng), opts_(std::move(options)) {
    std::mt19937_64 rng(opts_.url_key_seed ? *opts_.url_key_seed
                                           : std::random_device{}() ^ (std::uint64_t(std::random_device{}()) << 32));
    for (auto& k : key_) k = rng();
  }

  /// The cache of GET /runs/:id documents (api_options::run_document_cache).
  const document_cache& run_document_cache() const noexcept { return run_docs_; }

  /// Handles one request. Never throws for bad input: every failure is a JSON:API error document.
  /// (Defined below the class: not inline, so with TFE_EXTERN_TEMPLATES a caller compiles none of it.)
  http_response handle(const http_request& req);

  /// Adds the headers every answer carries (TFP-API-Version, X-TFE-Version, ...) to `res` and empties
  /// the body of a HEAD answer; layers in front of the API (basic_test_controls) use it for theirs.
  http_response finish(http_response res, const http_request& req) const {
    res.headers.reserve(res.headers.size() + 6);  // one allocation for the headers below
    res.set_header("TFP-API-Version", api_version);
    res.set_header("TFP-AppName", "Terraform Enterprise");
    res.set_header("X-TFE-Version", opts_.tfe_version);
    res.set_header("X-TFE-Current-Version", opts_.tfe_version);
    res.set_header("X-RateLimit-Limit", "30");
    if (res.header("Content-Type").empty() && !res.body.empty())
      res.set_header("Content-Type", std::string(jsonapi_media_type));
    if (req.method == "HEAD") res.body.clear();
    return res;
  }

  /// The engine served.
  Engine& engine() noexcept { return eng_; }
  /// The settings.
  const api_options& options() const noexcept { return opts_; }

  /// The capability path of a plan's or apply's log (the secret is in the path, never the query).
  std::string log_path_of(std::string_view phase_id) const { return log_path(key_, phase_id); }

  /// Method and path pattern of every route the API serves, in table order (docs/http.md lists them).
  static std::vector<std::pair<std::string_view, std::string_view>> routes() {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    for (const auto& r : table()) out.emplace_back(r.method, r.pattern);
    return out;
  }

 private:
  // ---------------------------------------------------------------------------------------------
  // plumbing
  // ---------------------------------------------------------------------------------------------
  struct request_ctx {
    const http_request& req;
    const std::vector<std::string>& seg;   // decoded path segments
    std::vector<std::string_view> params;  // what the route's placeholders matched
    query_params q;
    std::string base;  // absolute origin
    /// The i-th placeholder of the route as a string.
    std::string param(std::size_t i) const { return std::string(params[i]); }
  };
  using handler_fn = http_response (basic_api::*)(request_ctx&);

  // The route table. Paths under /api/v2/ need an accepted token and a JSON media type for bodies;
  // /.well-known/terraform.json and the capability URLs (/v1/...) need neither.
  // (a function: its body may name the members declared below)
  // The table compiled for matching, once.
  static const route_index<handler_fn>& index() {
    static const route_index<handler_fn> compiled(table());
    return compiled;
  }
  static const auto& table() {
    static constexpr route<handler_fn> rows[] = {
        {"GET", "/.well-known/terraform.json", &basic_api::discovery},
        {"PUT", "/v1/object/upload/:token", &basic_api::upload},
        {"PUT", "/v1/state/upload/:token", &basic_api::upload_state},
        {"PUT", "/v1/state/upload-json/:token", &basic_api::upload_json_state},
        {"GET", "/v1/state/:id/:mac", &basic_api::download_state},
        {"GET", "/v1/state-json/:id/:mac", &basic_api::download_json_state},
        {"GET", "/v1/logs/:id/:mac", &basic_api::logs},
        {"GET", "/api/v2/ping", &basic_api::ping},
        {"GET", "/api/v2/account/details", &basic_api::account_details},
        {"GET", "/api/v2/users/:id", &basic_api::read_user},
        {"GET", "/api/v2/organizations", &basic_api::list_organizations},
        {"POST", "/api/v2/organizations", &basic_api::create_organization},
        {"GET", "/api/v2/organizations/:org", &basic_api::read_organization},
        {"PATCH", "/api/v2/organizations/:org", &basic_api::update_organization},
        {"DELETE", "/api/v2/organizations/:org", &basic_api::delete_organization},
        {"GET", "/api/v2/organizations/:org/entitlement-set", &basic_api::entitlements},
        {"GET", "/api/v2/organizations/:org/capacity", &basic_api::capacity},
        {"GET", "/api/v2/organizations/:org/runs/queue", &basic_api::run_queue},
        {"GET", "/api/v2/organizations/:org/runs", &basic_api::list_organization_runs},
        {"GET", "/api/v2/organizations/:org/agent-pools", &basic_api::list_agent_pools},
        {"POST", "/api/v2/organizations/:org/agent-pools", &basic_api::create_agent_pool},
        {"GET", "/api/v2/agent-pools/:id", &basic_api::read_agent_pool},
        {"PATCH", "/api/v2/agent-pools/:id", &basic_api::update_agent_pool},
        {"DELETE", "/api/v2/agent-pools/:id", &basic_api::delete_agent_pool},
        {"GET", "/api/v2/organizations/:org/projects", &basic_api::list_projects},
        {"POST", "/api/v2/organizations/:org/projects", &basic_api::create_project},
        {"GET", "/api/v2/projects/:id", &basic_api::read_project},
        {"PATCH", "/api/v2/projects/:id", &basic_api::update_project},
        {"DELETE", "/api/v2/projects/:id", &basic_api::delete_project},
        {"GET", "/api/v2/projects/:id/tag-bindings", &basic_api::project_tag_bindings},
        {"PATCH", "/api/v2/projects/:id/tag-bindings", &basic_api::add_project_tag_bindings},
        {"GET", "/api/v2/projects/:id/effective-tag-bindings", &basic_api::project_tag_bindings},
        {"GET", "/api/v2/organizations/:org/tags", &basic_api::list_organization_tags},
        {"DELETE", "/api/v2/organizations/:org/tags", &basic_api::delete_organization_tags},
        {"POST", "/api/v2/tags/:id/relationships/workspaces", &basic_api::tag_workspaces},
        {"GET", "/api/v2/organizations/:org/workspaces", &basic_api::list_workspaces},
        {"POST", "/api/v2/organizations/:org/workspaces", &basic_api::create_workspace},
        {"GET", "/api/v2/organizations/:org/workspaces/:name", &basic_api::read_workspace_by_name},
        {"PATCH", "/api/v2/organizations/:org/workspaces/:name", &basic_api::update_workspace_by_name},
        {"DELETE", "/api/v2/organizations/:org/workspaces/:name", &basic_api::delete_workspace_by_name},
        {"POST", "/api/v2/organizations/:org/workspaces/:name/actions/lock", &basic_api::lock_by_name},
        {"POST", "/api/v2/organizations/:org/workspaces/:name/actions/unlock", &basic_api::unlock_by_name},
        {"POST", "/api/v2/organizations/:org/workspaces/:name/actions/force-unlock", &basic_api::force_unlock_by_name},
        {"POST", "/api/v2/organizations/:org/workspaces/:name/actions/safe-delete", &basic_api::safe_delete_by_name},
        {"GET", "/api/v2/workspaces/:id", &basic_api::read_workspace},
        {"PATCH", "/api/v2/workspaces/:id", &basic_api::update_workspace},
        {"DELETE", "/api/v2/workspaces/:id", &basic_api::delete_workspace},
        {"POST", "/api/v2/workspaces/:id/actions/lock", &basic_api::lock_workspace},
        {"POST", "/api/v2/workspaces/:id/actions/unlock", &basic_api::unlock_workspace},
        {"POST", "/api/v2/workspaces/:id/actions/force-unlock", &basic_api::force_unlock_workspace},
        {"POST", "/api/v2/workspaces/:id/actions/safe-delete", &basic_api::safe_delete_workspace},
        {"GET", "/api/v2/workspaces/:id/configuration-versions", &basic_api::list_configuration_versions},
        {"POST", "/api/v2/workspaces/:id/configuration-versions", &basic_api::create_configuration_version},
        {"GET", "/api/v2/workspaces/:id/runs", &basic_api::list_runs},
        {"GET", "/api/v2/workspaces/:id/relationships/tags", &basic_api::list_workspace_tags},
        {"POST", "/api/v2/workspaces/:id/relationships/tags", &basic_api::add_workspace_tags},
        {"DELETE", "/api/v2/workspaces/:id/relationships/tags", &basic_api::remove_workspace_tags},
        {"GET", "/api/v2/workspaces/:id/tag-bindings", &basic_api::workspace_tag_bindings},
        {"PATCH", "/api/v2/workspaces/:id/tag-bindings", &basic_api::add_workspace_tag_bindings},
        {"GET", "/api/v2/workspaces/:id/effective-tag-bindings", &basic_api::workspace_effective_tag_bindings},
        {"GET", "/api/v2/workspaces/:id/relationships/remote-state-consumers", &basic_api::list_remote_state_consumers},
        {"POST", "/api/v2/workspaces/:id/relationships/remote-state-consumers", &basic_api::add_remote_state_consumers},
        {"PATCH", "/api/v2/workspaces/:id/relationships/remote-state-consumers",
         &basic_api::replace_remote_state_consumers},
        {"DELETE", "/api/v2/workspaces/:id/relationships/remote-state-consumers",
         &basic_api::remove_remote_state_consumers},
        {"POST", "/api/v2/workspaces/:id/state-versions", &basic_api::create_state_version},
        {"GET", "/api/v2/workspaces/:id/current-state-version", &basic_api::current_state_version},
        {"GET", "/api/v2/workspaces/:id/current-state-version-outputs", &basic_api::current_state_version_outputs},
        {"GET", "/api/v2/state-versions", &basic_api::list_state_versions},
        {"GET", "/api/v2/state-versions/:id", &basic_api::read_state_version},
        {"GET", "/api/v2/state-versions/:id/outputs", &basic_api::state_version_outputs},
        {"GET", "/api/v2/state-version-outputs/:id", &basic_api::read_state_version_output},
        {"GET", "/api/v2/configuration-versions/:id", &basic_api::read_configuration_version},
        {"GET", "/api/v2/configuration-versions/:id/download", &basic_api::download_configuration_version},
        {"POST", "/api/v2/configuration-versions/:id/actions/archive", &basic_api::archive_configuration_version},
        {"POST", "/api/v2/configuration-versions/:id/actions/soft_delete_backing_data",
         &basic_api::manage_backing_data},
        {"POST", "/api/v2/configuration-versions/:id/actions/restore_backing_data", &basic_api::manage_backing_data},
        {"POST", "/api/v2/configuration-versions/:id/actions/permanently_delete_backing_data",
         &basic_api::manage_backing_data},
        {"POST", "/api/v2/state-versions/:id/actions/soft_delete_backing_data", &basic_api::manage_backing_data},
        {"POST", "/api/v2/state-versions/:id/actions/restore_backing_data", &basic_api::manage_backing_data},
        {"POST", "/api/v2/state-versions/:id/actions/permanently_delete_backing_data", &basic_api::manage_backing_data},
        {"POST", "/api/v2/runs", &basic_api::create_run},
        {"GET", "/api/v2/runs/:id", &basic_api::read_run},
        {"POST", "/api/v2/runs/:id/actions/apply", &basic_api::apply_run},
        {"POST", "/api/v2/runs/:id/actions/discard", &basic_api::discard_run},
        {"POST", "/api/v2/runs/:id/actions/cancel", &basic_api::cancel_run},
        {"POST", "/api/v2/runs/:id/actions/force-cancel", &basic_api::force_cancel_run},
        {"POST", "/api/v2/runs/:id/actions/force-execute", &basic_api::force_execute_run},
        {"POST", "/api/v2/runs/:id/actions/override-policy", &basic_api::override_policy},
        {"GET", "/api/v2/runs/:id/plan", &basic_api::run_plan},
        {"GET", "/api/v2/runs/:id/apply", &basic_api::run_apply},
        {"GET", "/api/v2/runs/:id/comments", &basic_api::list_comments},
        {"POST", "/api/v2/runs/:id/comments", &basic_api::create_comment},
        {"GET", "/api/v2/runs/:id/run-events", &basic_api::list_run_events},
        {"GET", "/api/v2/run-events/:id", &basic_api::read_run_event},
        {"GET", "/api/v2/runs/:id/policy-checks", &basic_api::empty_run_collection},
        {"GET", "/api/v2/runs/:id/task-stages", &basic_api::empty_run_collection},
        {"GET", "/api/v2/runs/:id/configuration-version/download", &basic_api::download_run_configuration},
        {"GET", "/api/v2/plans/:id", &basic_api::read_plan},
        {"GET", "/api/v2/plans/:id/json-output", &basic_api::plan_json_output},
        {"GET", "/api/v2/plans/:id/json-output-redacted", &basic_api::plan_json_output},
        {"GET", "/api/v2/runs/:id/plan/json-output", &basic_api::run_plan_json_output},
        {"GET", "/api/v2/runs/:id/plan/json-output-redacted", &basic_api::run_plan_json_output},
        {"GET", "/api/v2/applies/:id", &basic_api::read_apply},
        {"GET", "/api/v2/cost-estimates/:id", &basic_api::read_cost_estimate},
        {"GET", "/api/v2/comments/:id", &basic_api::read_comment},
        {"GET", "/api/v2/admin/feature-sets", &basic_api::admin_feature_sets},
        {"POST", "/api/v2/admin/organizations/:org/subscription", &basic_api::admin_subscription},
    };
    return rows;
  }

  static http_response error_response(const error& e) { return tfe::error_response(e); }
  static http_response error_response(errc c, std::string_view msg, std::string_view ptr = {}) {
    return tfe::error_response(c, msg, ptr);
  }
  static http_response not_found() { return error_response(errc::not_found, "The requested resource was not found"); }
  static http_response document(int status, std::string body) {
    http_response r;
    r.status = status;
    r.body = std::move(body);
    r.headers.reserve(7);  // this one and finish()'s
    r.set_header("Content-Type", std::string(jsonapi_media_type));
    return r;
  }
  static http_response empty(int status) {
    http_response r;
    r.status = status;
    return r;
  }
  // A document or an error: the document of `value` written by `fn`, or the error's response.
  template <class T, class F>
  static http_response answer(int status, const result<T>& value, F&& fn) {
    if (!value) return error_response(value.error());
    return document(status, single([&](json_writer& w) { fn(w, *value); }));
  }

  serialize_context sctx(const request_ctx& c) const {
    serialize_context s;
    s.now = eng_.now();
    s.base_url = c.base;
    s.user_id = eng_.options().user_id;
    s.username = eng_.options().username;
    s.url_key = key_;
    if (eng_.options().organization_concurrency) {
      s.queue_position = [](void* e, std::string_view id) { return static_cast<Engine*>(e)->queue_position(id); };
      s.queue_owner = &eng_;
    }
    return s;
  }

  // The origin of absolute URLs: api_options::base_url, else the request's X-Forwarded-Proto and
  // X-Forwarded-Host (a proxy or TLS terminator in front), else "http://" + Host.
  std::string origin(const http_request& req) const {
    std::string o = host_origin(req);
    o += opts_.path_prefix;
    return o;
  }
  std::string host_origin(const http_request& req) const {
    if (!opts_.base_url.empty()) return opts_.base_url;
    const auto host_ok = [](std::string_view host) {
      if (host.empty() || host.size() >= 256) return false;
      for (char ch : host)
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '-' || ch == ':' || ch == '[' || ch == ']'))
          return false;
      return true;
    };
    std::string_view scheme = "http";
    std::string_view host = req.header("Host");
    if (opts_.trust_forwarded_headers) {
      std::string_view proto = req.header("X-Forwarded-Proto");
      proto = proto.substr(0, proto.find(','));  // the first hop's
      while (!proto.empty() && proto.back() == ' ') proto.remove_suffix(1);
      if (detail::iequals(proto, "https")) scheme = "https";
      std::string_view fwd = req.header("X-Forwarded-Host");
      fwd = fwd.substr(0, fwd.find(','));
      while (!fwd.empty() && fwd.back() == ' ') fwd.remove_suffix(1);
      if (host_ok(fwd)) host = fwd;
    }
    if (!host_ok(host)) host = "localhost";
    std::string out;
    out.reserve(scheme.size() + 3 + host.size() + opts_.path_prefix.size());  // room for origin()'s prefix
    out.append(scheme).append("://").append(host);
    return out;
  }

  // Writes {"data": <resource>} using `fn(writer)` for the resource.
  template <class F>
  static std::string single(F&& fn) {
    std::string b;
    b.reserve(2048);
    json_writer w(b);
    w.begin_object().key("data");
    fn(w);
    w.end_object();
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // routing
  // ---------------------------------------------------------------------------------------------
  http_response dispatch(const http_request& req) {
    auto segs = path_segments(req.path());
    if (!segs) return error_response(errc::bad_request, "Malformed request path");
    const auto& s = *segs;
    request_ctx c{req, s, {}, {}, {}};
    if (s.size() >= 2 && s[0] == "api" && s[1] == "v2") {
      if (!c.q.parse(req.query())) return error_response(errc::bad_request, "Malformed query string");
      if (!opts_.auth.allows(req)) return error_response(errc::unauthorized, "A valid API token is required");
      if ((req.method == "POST" || req.method == "PATCH" || req.method == "PUT" || req.method == "DELETE") &&
          !req.body.empty() && !json_content_type(req.header("Content-Type")))
        return error_response(errc::unsupported_media_type, "Content-Type must be application/vnd.api+json");
    }
    auto m = index().match(req.method, s);
    if (m.found) {
      c.params = std::move(m.params);
      c.base = origin(req);
      return (this->*(m.found->fn))(c);
    }
    if (!m.allow.empty()) {
      http_response r = error_response(errc::method_not_allowed, "This method is not supported on this path");
      r.set_header("Allow", std::move(m.allow));
      return r;
    }
    return not_found();
  }

  static bool json_content_type(std::string_view ct) {
    auto semi = ct.find(';');
    ct = ct.substr(0, semi);
    while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
    return detail::iequals(ct, jsonapi_media_type) || detail::iequals(ct, "application/json");
  }

  // ---------------------------------------------------------------------------------------------
  // endpoints defined in api/handler_projects.hpp, api/handler_agent_pools.hpp and
  // api/handler_state_versions.hpp
  // ---------------------------------------------------------------------------------------------
  http_response list_agent_pools(request_ctx& c);
  http_response create_agent_pool(request_ctx& c);
  http_response read_agent_pool(request_ctx& c);
  http_response update_agent_pool(request_ctx& c);
  http_response delete_agent_pool(request_ctx& c);
  http_response list_projects(request_ctx& c);
  http_response create_project(request_ctx& c);
  http_response read_project(request_ctx& c);
  http_response update_project(request_ctx& c);
  http_response delete_project(request_ctx& c);
  http_response project_tag_bindings(request_ctx& c);
  http_response add_project_tag_bindings(request_ctx& c);
  http_response list_organization_tags(request_ctx& c);
  http_response delete_organization_tags(request_ctx& c);
  http_response tag_workspaces(request_ctx& c);
  http_response list_workspace_tags(request_ctx& c);
  http_response add_workspace_tags(request_ctx& c);
  http_response remove_workspace_tags(request_ctx& c);
  http_response workspace_tag_bindings(request_ctx& c);
  http_response add_workspace_tag_bindings(request_ctx& c);
  http_response workspace_effective_tag_bindings(request_ctx& c);
  http_response list_remote_state_consumers(request_ctx& c);
  http_response add_remote_state_consumers(request_ctx& c);
  http_response replace_remote_state_consumers(request_ctx& c);
  http_response remove_remote_state_consumers(request_ctx& c);
  http_response create_state_version(request_ctx& c);
  http_response current_state_version(request_ctx& c);
  http_response current_state_version_outputs(request_ctx& c);
  http_response list_state_versions(request_ctx& c);
  http_response read_state_version(request_ctx& c);
  http_response state_version_outputs(request_ctx& c);
  http_response read_state_version_output(request_ctx& c);
  http_response upload_state(request_ctx& c);
  http_response upload_json_state(request_ctx& c);
  http_response download_state(request_ctx& c);
  http_response download_json_state(request_ctx& c);
  // helpers they share
  result<std::vector<std::string>> workspace_ids_of(const request_ctx& c);
  result<std::vector<std::string>> tag_names_in(const request_ctx& c, std::string_view org);
  std::string state_version_document(const request_ctx& c, const state_version& v, const std::vector<std::string>& inc);
  template <class T, class F>
  http_response list_document(const request_ctx& c, const std::vector<T>& all, F&& write_item);

  // ---------------------------------------------------------------------------------------------
  // service
  // ---------------------------------------------------------------------------------------------
  http_response discovery(request_ctx&) {
    http_response r;
    r.status = 200;
    std::string api = opts_.path_prefix + "/api/v2/";
    json_writer w(r.body);
    w.begin_object().member("tfe.v2", api).member("tfe.v2.1", api).member("tfe.v2.2", api);
    w.member("modules.v1", opts_.path_prefix + "/api/registry/v1/modules/");
    w.member("motd.v1", opts_.path_prefix + "/api/terraform/motd").member("state.v2", api);
    w.member("versions.v1", "https://checkpoint-api.hashicorp.com/v1/versions/").end_object();
    r.set_header("Content-Type", "application/json");
    return r;
  }
  http_response ping(request_ctx&) { return empty(204); }
  http_response account_details(request_ctx& c) {
    auto sc = sctx(c);
    return document(200, single([&](json_writer& w) { write_user(w, sc); }));
  }
  http_response read_user(request_ctx& c) {
    if (c.params[0] != eng_.options().user_id) return not_found();
    return account_details(c);
  }

  // ---------------------------------------------------------------------------------------------
  // request documents
  // ---------------------------------------------------------------------------------------------
  result<json> parse_body(const request_ctx& c, bool allow_empty) const {
    request_limits limits;
    limits.max_bytes = opts_.max_json_bytes;
    limits.max_depth = opts_.max_json_depth;
    return parse_request_body(c.req.body, limits, allow_empty);
  }
  // The attributes of entity E's request document of type `type` (a create or update body).
  template <class E, class Options>
  result<Options> read_body(const request_ctx& c, std::string_view type) const {
    auto doc = parse_body(c, false);
    if (!doc) return doc.error();
    auto data = data_object(*doc, type, false);
    if (!data) return data.error();
    Options o;
    if (auto r = read_attributes<E>(*data, o); !r) return r.error();
    return o;
  }

  // ---------------------------------------------------------------------------------------------
  // query parameters
  // ---------------------------------------------------------------------------------------------
  static result<page_request> page_of(const request_ctx& c) {
    page_request p;
    auto num = [&](std::string_view key, std::size_t& out) -> result<void> {
      auto v = c.q.get(key);
      if (!v || v->empty()) return {};
      std::size_t x = 0;
      auto r = std::from_chars(v->data(), v->data() + v->size(), x);
      if (r.ec != std::errc() || r.ptr != v->data() + v->size() || x == 0 || x > 1000000000)
        return make_error(errc::bad_request, "Invalid " + std::string(key) + " parameter: must be a positive integer");
      out = x;
      return {};
    };
    if (auto r = num("page[number]", p.number); !r) return r.error();
    if (auto r = num("page[size]", p.size); !r) return r.error();
    return normalized(p);
  }

  // The `include` values each resource accepts (reference 1.5); others are 400 "include parameter".
  // The `include` values each resource accepts: every value current clients send (go-tfe v1's include
  // options, the terraform CLI's), each adding what tfe has behind it; others are 400 "include parameter".
  static constexpr std::string_view workspace_includes[] = {"organization",
                                                            "current_configuration_version",
                                                            "current_configuration_version.ingress_attributes",
                                                            "current_run",
                                                            "current_run.plan",
                                                            "current_run.configuration_version",
                                                            "current_run.configuration_version.ingress_attributes",
                                                            "locked_by",
                                                            "outputs",
                                                            "project",
                                                            "readme",
                                                            "effective_tag_bindings",
                                                            "current-state-version",
                                                            "current_state_version",
                                                            "tag_bindings"};
  static constexpr std::string_view run_includes[] = {"plan",
                                                      "apply",
                                                      "created_by",
                                                      "cost_estimate",
                                                      "configuration_version",
                                                      "configuration_version.ingress_attributes",
                                                      "workspace",
                                                      "task_stages",
                                                      "tf_policy_evaluations",
                                                      "policy_checks",
                                                      "run_events"};
  static constexpr std::string_view configuration_version_includes[] = {"ingress_attributes", "run"};
  static constexpr std::string_view state_version_includes[] = {"outputs", "run", "created_by", "run.created_by",
                                                                "run.configuration_version"};
  static constexpr std::string_view run_event_includes[] = {"actor", "comment"};
  static constexpr std::string_view project_includes[] = {"effective_tag_bindings", "organization"};
  static constexpr std::string_view organization_includes[] = {"default-project", "default_project"};

  template <std::size_t N>
  static result<std::vector<std::string>> includes(const request_ctx& c, const std::string_view (&allowed)[N]) {
    auto inc = c.q.joined("include");
    std::vector<std::string> out;
    if (!inc) return out;
    for (auto& item : split_list(*inc)) {
      if (std::find(std::begin(allowed), std::end(allowed), item) == std::end(allowed))
        return make_error(errc::bad_request,
                          "Invalid include parameter: '" + item.substr(0, 64) + "' is not supported");
      out.push_back(std::move(item));
    }
    return out;
  }
  static bool has(const std::vector<std::string>& v, std::string_view x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }

  template <class T, class F>
  static std::string collection(const request_ctx& c, const page<T>& pg, F&& write_item,
                                const std::vector<std::function<void(json_writer&)>>& included = {}) {
    std::string b;
    b.reserve(256 + pg.items.size() * 2048);
    json_writer w(b);
    w.begin_object().key("data").begin_array();
    for (const auto& item : pg.items) write_item(w, item);
    w.end_array();
    if (!included.empty()) {
      w.key("included").begin_array();
      for (const auto& f : included) f(w);
      w.end_array();
    }
    const std::size_t total_pages = pg.total_pages();
    auto link = [&](std::size_t number) {
      std::string u = c.base;
      for (const auto& sgm : c.seg) {
        u += '/';
        append_query_escaped(u, sgm);
      }
      u += "?page%5Bnumber%5D=" + std::to_string(number) + "&page%5Bsize%5D=" + std::to_string(pg.page_size);
      for (const auto& kv : c.q.all()) {
        if (kv.first == "page[number]" || kv.first == "page[size]") continue;
        u += '&';
        append_query_escaped(u, kv.first);
        u += '=';
        append_query_escaped(u, kv.second);
      }
      return u;
    };
    w.key("links").begin_object();
    w.member("self", link(pg.current_page)).member("first", link(1));
    if (pg.current_page > 1 && pg.current_page <= total_pages) w.member("prev", link(pg.current_page - 1));
    else w.key("prev").null_value();
    if (pg.current_page < total_pages) w.member("next", link(pg.current_page + 1));
    else w.key("next").null_value();
    w.member("last", link(total_pages));
    w.end_object();
    w.key("meta").begin_object().key("pagination").begin_object();
    w.member("current-page", static_cast<std::int64_t>(pg.current_page));
    w.member("page-size", static_cast<std::int64_t>(pg.page_size));
    if (pg.current_page > 1 && pg.current_page <= total_pages)
      w.member("prev-page", static_cast<std::int64_t>(pg.current_page - 1));
    else w.key("prev-page").null_value();
    if (pg.current_page < total_pages) w.member("next-page", static_cast<std::int64_t>(pg.current_page + 1));
    else w.key("next-page").null_value();
    w.member("total-pages", static_cast<std::int64_t>(total_pages));
    w.member("total-count", static_cast<std::int64_t>(pg.total_count));
    w.end_object().end_object();
    w.end_object();
    return b;
  }

  // An empty collection with the request's page parameters (endpoints with nothing behind them yet).
  http_response empty_page(const request_ctx& c) {
    auto p = page_of(c);
    if (!p) return error_response(p.error());
    page<run> none;
    none.current_page = p->number;
    none.page_size = p->size;
    return document(200, collection(c, none, [](json_writer&, const run&) {}));
  }

  static http_response delete_result(const result<void>& r) {
    if (!r) return error_response(r.error());
    return empty(204);
  }

  // ---------------------------------------------------------------------------------------------
  // organizations
  // ---------------------------------------------------------------------------------------------
  // The attributes of an organization create or update, with relationships.default-agent-pool.
  result<organization_options> organization_body(const request_ctx& c) const {
    auto doc = parse_body(c, false);
    if (!doc) return doc.error();
    auto data = data_object(*doc, "organizations", false);
    if (!data) return data.error();
    organization_options o;
    if (auto r = read_attributes<organization>(*data, o); !r) return r.error();
    if ((**data)["relationships"].find("default-agent-pool")) {  // null: none
      auto id = relationship_id(**data, "default-agent-pool", "agent-pools");
      if (!id) return id.error();
      o.default_agent_pool_id = std::move(*id);
    }
    return o;
  }
  http_response list_organizations(request_ctx& c) {
    auto p = page_of(c);
    if (!p) return error_response(p.error());
    // q (name or email), q[name], q[email]: substring filters applied before paging.
    std::string q_any, q_name, q_email;
    if (auto v = c.q.get("q")) q_any = std::string(*v);
    if (auto v = c.q.get("q[name]")) q_name = std::string(*v);
    if (auto v = c.q.get("q[email]")) q_email = std::string(*v);
    page_request everything;
    everything.size = page_request::max_size;
    std::vector<organization> all;
    for (std::size_t n = 1;; ++n) {
      everything.number = n;
      auto pg = eng_.list_organizations(everything);
      if (!pg) return error_response(pg.error());
      for (auto& o : pg->items) {
        const bool any_ok =
            q_any.empty() || o.name.find(q_any) != std::string::npos || o.email.find(q_any) != std::string::npos;
        if (any_ok && (q_name.empty() || o.name.find(q_name) != std::string::npos) &&
            (q_email.empty() || o.email.find(q_email) != std::string::npos))
          all.push_back(std::move(o));
      }
      if (n >= pg->total_pages()) break;
    }
    page<organization> out;
    out.current_page = p->number;
    out.page_size = p->size;
    out.total_count = all.size();
    for (std::size_t i = (p->number - 1) * p->size; i < all.size() && out.items.size() < p->size; ++i)
      out.items.push_back(all[i]);
    return document(200, collection(c, out, [](json_writer& w, const organization& o) { write_organization(w, o); }));
  }
  http_response create_organization(request_ctx& c) {
    auto o = organization_body(c);
    if (!o) return error_response(o.error());
    auto org = eng_.create_organization(*o);
    if (!org) return error_response(org.error());
    return document(201, single([&](json_writer& w) { write_organization(w, *org); }));
  }
  http_response read_organization(request_ctx& c) {
    auto inc = includes(c, organization_includes);
    if (!inc) return error_response(inc.error());
    auto o = eng_.read_organization(c.params[0]);
    if (!o) return error_response(o.error());
    std::string b;
    json_writer w(b);
    w.begin_object().key("data");
    write_organization(w, *o);
    if (has(*inc, "default-project") || has(*inc, "default_project")) {
      w.key("included").begin_array();
      if (auto p = eng_.read_project(o->default_project_id.view())) project_writer (*p)(w);
      w.end_array();
    }
    w.end_object();
    return document(200, std::move(b));
  }
  http_response update_organization(request_ctx& c) {
    auto o = organization_body(c);
    if (!o) return error_response(o.error());
    auto org = eng_.update_organization(c.params[0], *o);
    if (!org) return error_response(org.error());
    return document(200, single([&](json_writer& w) { write_organization(w, *org); }));
  }
  http_response delete_organization(request_ctx& c) { return delete_result(eng_.delete_organization(c.params[0])); }
  http_response capacity(request_ctx& c) {
    auto counts = eng_.organization_run_counts(c.params[0]);
    if (!counts) return error_response(counts.error());
    return document(200, single([&](json_writer& w) {
                      w.begin_object().member("id", c.params[0]).member("type", "organization-capacity");
                      w.key("attributes").begin_object();
                      w.member("pending", static_cast<std::int64_t>(counts->first));
                      w.member("running", static_cast<std::int64_t>(counts->second));
                      w.end_object().end_object();
                    }));
  }
  // The organization's runs that are not finished and not waiting for a user, oldest first.
  http_response run_queue(request_ctx& c) {
    run_list_request req;
    req.operations = {"plan_and_apply", "destroy", "refresh_only", "save_plan", "empty_apply"};
    req.page.size = page_request::max_size;
    std::vector<run> active;
    for (std::size_t n = 1;; ++n) {
      req.page.number = n;
      auto pg = eng_.list_organization_runs(c.params[0], req);
      if (!pg) return error_response(pg.error());
      const time_point now = eng_.now();
      for (auto& r : pg->items)
        if (!is_final(r.status) && !is_paused(r.status, r.context(now))) active.push_back(std::move(r));
      if (n >= pg->total_pages()) break;
    }
    std::reverse(active.begin(), active.end());
    auto sc = sctx(c);
    return list_document(c, active, [&](json_writer& w, const run& r) { write_run(w, r, sc); });
  }
  http_response entitlements(request_ctx& c) {
    auto o = eng_.read_organization(c.params[0]);
    if (!o) return error_response(o.error());
    std::string b;
    json_writer w(b);
    w.begin_object().key("data").begin_object().member("id", o->external_id.view()).member("type", "entitlement-sets");
    w.key("attributes").begin_object();
    // What HCP Terraform's Standard plan answers (go-tfe's TestOrganizationsReadEntitlements)
    for (const char* k : {"operations", "state-storage", "private-module-registry", "cost-estimation", "sentinel",
                          "teams", "vcs-integrations", "audit-logging", "agents", "sso", "run-tasks",
                          "global-run-tasks", "private-run-tasks", "waypoint-templates-and-addons", "infragraph"})
      w.member(k, true);
    for (const char* k : {"waypoint-actions", "infragraph-with-nrtu"}) w.member(k, false);
    w.end_object().end_object().end_object();
    return document(200, std::move(b));
  }

  // ---------------------------------------------------------------------------------------------
  // workspaces
  // ---------------------------------------------------------------------------------------------
  // The attributes of a workspace create or update, with what TFE takes beside them: the project and tag
  // relationships, auto-destroy-at and setting-overwrites.
  result<workspace_options> workspace_body(const request_ctx& c) const {
    auto doc = parse_body(c, false);
    if (!doc) return doc.error();
    auto data = data_object(*doc, "workspaces", false);
    if (!data) return data.error();
    workspace_options o;
    if (auto r = read_attributes<workspace>(*data, o); !r) return r.error();
    const json& attrs = (**data)["attributes"];
    if (const json* d = attrs.find("auto-destroy-activity-duration"); d && d->is_null())
      o.auto_destroy_activity_duration = std::string();  // null clears it
    if (const json* at = attrs.find("auto-destroy-at")) {
      if (at->is_null()) {
        o.auto_destroy_at = std::optional<time_point>();
      } else {
        time_point t;
        auto text = at->as_string();
        if (!text || !parse_iso8601(*text, t))
          return make_error(errc::validation_failed, "auto-destroy-at must be an ISO 8601 time",
                            "/data/attributes/auto-destroy-at");
        o.auto_destroy_at = std::optional<time_point>(t);
      }
    }
    if (const json* so = attrs.find("setting-overwrites"); so && !so->is_null()) {
      if (!so->is_object())
        return make_error(errc::validation_failed, "setting-overwrites must be an object",
                          "/data/attributes/setting-overwrites");
      if (const json* v = so->find("execution-mode"); v && !v->is_null()) o.overwrites_execution_mode = v->as_bool();
      if (const json* v = so->find("agent-pool"); v && !v->is_null()) o.overwrites_agent_pool = v->as_bool();
    }
    auto project = relationship_id(**data, "project", "projects");
    if (!project) return project.error();
    if (!project->empty()) o.project_id = *project;
    const json& rels = (**data)["relationships"];
    if (const json* tags = rels["tags"].find("data"); tags && !tags->is_null()) {
      auto items = tags->as_array();
      if (!items) return make_error(errc::validation_failed, "tags must be an array", "/data/relationships/tags/data");
      std::vector<std::string> names = o.tag_names.value_or(std::vector<std::string>{});
      for (const auto& t : *items)
        if (auto n = t["attributes"]["name"].as_string()) names.emplace_back(*n);
      o.tag_names = std::move(names);
    }
    if (const json* tb = rels["tag-bindings"].find("data"); tb && !tb->is_null()) {
      auto bindings = read_tag_bindings(*tb, "/data/relationships/tag-bindings/data");
      if (!bindings) return bindings.error();
      o.tag_bindings = std::move(*bindings);
    }
    return o;
  }
  // The id of workspace :name of organization :org (the first two placeholders), or the error.
  result<std::string> workspace_by_name(const request_ctx& c) {
    auto ws = eng_.read_workspace_by_name(c.params[0], c.params[1]);
    if (!ws) return ws.error();
    return ws->id.str();
  }
  http_response read_workspace_id(const request_ctx& c, const std::string& id) {
    auto inc = includes(c, workspace_includes);
    if (!inc) return error_response(inc.error());
    auto ws = eng_.read_workspace(id);
    if (!ws) return error_response(ws.error());
    return document(200, workspace_document(c, *ws, *inc));
  }
  http_response update_workspace_id(const request_ctx& c, const std::string& id) {
    auto o = workspace_body(c);
    if (!o) return error_response(o.error());
    auto ws = eng_.update_workspace(id, *o);
    if (!ws) return error_response(ws.error());
    return document(200, workspace_document(c, *ws, {}));
  }
  http_response read_workspace(request_ctx& c) { return read_workspace_id(c, c.param(0)); }
  http_response update_workspace(request_ctx& c) { return update_workspace_id(c, c.param(0)); }
  http_response delete_workspace(request_ctx& c) { return delete_result(eng_.delete_workspace(c.params[0])); }
  // The same on a workspace named by organization and name.
  template <http_response (basic_api::*By_id)(const request_ctx&, const std::string&)>
  http_response by_name(request_ctx& c) {
    auto id = workspace_by_name(c);
    if (!id) return error_response(id.error());
    return (this->*By_id)(c, *id);
  }
  http_response read_workspace_by_name(request_ctx& c) { return by_name<&basic_api::read_workspace_id>(c); }
  http_response update_workspace_by_name(request_ctx& c) { return by_name<&basic_api::update_workspace_id>(c); }
  http_response delete_workspace_by_name(request_ctx& c) { return by_name<&basic_api::delete_workspace_id>(c); }
  http_response lock_by_name(request_ctx& c) { return by_name<&basic_api::lock_workspace_id>(c); }
  http_response unlock_by_name(request_ctx& c) { return by_name<&basic_api::unlock_workspace_id>(c); }
  http_response force_unlock_by_name(request_ctx& c) { return by_name<&basic_api::force_unlock_workspace_id>(c); }
  http_response safe_delete_by_name(request_ctx& c) { return by_name<&basic_api::safe_delete_workspace_id>(c); }
  http_response delete_workspace_id(const request_ctx&, const std::string& id) {
    return delete_result(eng_.delete_workspace(id));
  }
  // The outputs of a workspace's current state version (none without one).
  std::vector<state_output> current_outputs(const workspace& ws) {
    if (ws.current_state_version.empty()) return {};
    auto v = eng_.read_state_version(ws.current_state_version.view());
    return v ? std::move(v->outputs) : std::vector<state_output>{};
  }
  std::string workspace_document(const request_ctx& c, const workspace& ws, const std::vector<std::string>& inc) {
    std::string b;
    b.reserve(4096);
    json_writer w(b);
    w.begin_object().key("data");
    const std::vector<state_output> outputs = current_outputs(ws);
    write_workspace(w, ws, &outputs);
    std::vector<std::function<void(json_writer&)>> included;
    collect_workspace_includes(c, ws, inc, included);
    if (!included.empty()) {
      w.key("included").begin_array();
      for (const auto& f : included) f(w);
      w.end_array();
    }
    w.end_object();
    return b;
  }
  void collect_workspace_includes(const request_ctx& c, const workspace& ws, const std::vector<std::string>& inc,
                                  std::vector<std::function<void(json_writer&)>>& out) {
    if (has(inc, "organization"))
      if (auto o = eng_.read_organization(ws.organization))
        out.push_back([o = *o](json_writer& w) { write_organization(w, o); });
    if ((has(inc, "current_configuration_version") || has(inc, "current_configuration_version.ingress_attributes")) &&
        !ws.current_configuration_version.empty())
      if (auto cv = eng_.read_configuration_version(ws.current_configuration_version))
        out.push_back([cv = *cv](json_writer& w) { write_configuration_version(w, cv, {}); });
    const bool run_inc = has(inc, "current_run") || has(inc, "current_run.plan") ||
                         has(inc, "current_run.configuration_version") ||
                         has(inc, "current_run.configuration_version.ingress_attributes");
    if (run_inc && !ws.current_run.empty()) {
      if (auto r = eng_.read_run(ws.current_run)) {
        auto sc = sctx(c);
        auto cids = comment_ids_of(*r);
        out.push_back([r = *r, sc, cids](json_writer& w) { write_run(w, r, sc, &cids); });
        if (has(inc, "current_run.plan")) out.push_back([r = *r, sc](json_writer& w) { write_plan(w, r, sc); });
        if (has(inc, "current_run.configuration_version") ||
            has(inc, "current_run.configuration_version.ingress_attributes"))
          if (auto cv = eng_.read_configuration_version(r->configuration_version_id))
            out.push_back([cv = *cv](json_writer& w) { write_configuration_version(w, cv, {}); });
      }
    }
    if (has(inc, "locked_by") && ws.locked()) {
      if (ws.manually_locked) {
        auto sc = sctx(c);
        out.push_back([sc](json_writer& w) { write_user(w, sc); });
      } else if (auto r = eng_.read_run(ws.active_run)) {
        auto sc = sctx(c);
        out.push_back([r = *r, sc](json_writer& w) { write_run(w, r, sc); });
      }
    }
    if ((has(inc, "current-state-version") || has(inc, "current_state_version")) && !ws.current_state_version.empty())
      if (auto v = eng_.read_state_version(ws.current_state_version.view())) {
        auto sc = sctx(c);
        const std::int64_t now = to_unix_ms(sc.now);
        out.push_back([v = *v, sc, now](json_writer& w) { write_state_version(w, v, sc, now); });
      }
    if (has(inc, "outputs"))
      for (const auto& o : current_outputs(ws)) out.push_back([o](json_writer& w) { write_workspace_output(w, o); });
    if (has(inc, "project"))
      if (auto p = eng_.read_project(ws.project_id.view())) out.push_back(project_writer(*p));
    if (has(inc, "effective_tag_bindings"))
      if (auto bindings = eng_.effective_tag_bindings(ws.id.view()))
        for (const auto& b : *bindings)
          out.push_back([id = ws.id, b](json_writer& w) {
            write_tag_binding(w, id.view(), b.binding, "effective-tag-bindings", b.inherited_from.view());
          });
  }
  // Writes a project with its organization's default execution mode.
  std::function<void(json_writer&)> project_writer(const project& p) {
    std::string mode = "remote", pool;
    if (auto o = eng_.read_organization(p.organization)) {
      mode = std::string(to_string(o->default_execution_mode));
      pool = o->default_agent_pool_id.str();
    }
    return [p, mode, pool](json_writer& w) { write_project(w, p, mode, pool); };
  }
  http_response list_workspaces(request_ctx& c) {
    const std::string org = c.param(0);
    auto p = page_of(c);
    if (!p) return error_response(p.error());
    auto inc = includes(c, workspace_includes);
    if (!inc) return error_response(inc.error());
    workspace_list_request req;
    req.page = *p;
    if (auto v = c.q.get("search[name]")) req.search = std::string(*v);
    if (auto v = c.q.get("search[wildcard-name]")) req.wildcard = std::string(*v);
    if (auto v = c.q.joined("search[tags]")) req.tags = split_list(*v);
    if (auto v = c.q.joined("search[exclude-tags]")) req.exclude_tags = split_list(*v);
    if (auto v = c.q.get("filter[project][id]")) req.project_id = std::string(*v);
    if (auto v = c.q.get("sort")) {
      const std::string_view key = v->substr(v->front() == '-' ? 1 : 0);
      if (key != "name" && key != "current-run.created-at" && key != "latest-change-at")
        return error_response(errc::bad_request,
                              "Invalid sort parameter: use name, current-run.created-at or latest-change-at");
      req.sort = std::string(*v);
    }
    if (auto st = c.q.joined("filter[current-run][status]"))
      for (const auto& s : split_list(*st)) {
        auto rs = run_status_from_string(s);
        if (!rs)
          return error_response(errc::bad_request,
                                "Invalid filter[current-run][status] value '" + s.substr(0, 64) + "'");
        req.current_run_statuses.push_back(*rs);
      }
    for (std::size_t i = 0;; ++i) {  // filter[tagged][0][key]=k&filter[tagged][0][value]=v
      const std::string base = "filter[tagged][" + std::to_string(i) + "]";
      auto key = c.q.get(base + "[key]");
      if (!key) break;
      req.tagged.push_back(tag_binding{std::string(*key), std::string(c.q.get(base + "[value]").value_or(""))});
    }
    auto pg = eng_.list_workspaces(org, req);
    if (!pg) return error_response(pg.error());
    std::vector<std::function<void(json_writer&)>> included;
    for (const auto& ws : pg->items) collect_workspace_includes(c, ws, *inc, included);
    return document(200, collection(
                             c, *pg,
                             [this](json_writer& w, const workspace& ws) {
                               const std::vector<state_output> outputs = current_outputs(ws);
                               write_workspace(w, ws, &outputs);
                             },
                             included));
  }
  http_response create_workspace(request_ctx& c) {
    const std::string org = c.param(0);
    if (auto o = eng_.read_organization(org); !o) return error_response(o.error());
    auto o = workspace_body(c);
    if (!o) return error_response(o.error());
    auto ws = eng_.create_workspace(org, *o);
    if (!ws) return error_response(ws.error());
    return document(201, workspace_document(c, *ws, {}));
  }
  http_response workspace_answer(const request_ctx& c, const result<workspace>& ws) {
    if (!ws) return error_response(ws.error());
    return document(200, workspace_document(c, *ws, {}));
  }
  http_response lock_workspace_id(const request_ctx& c, const std::string& id) {
    auto doc = parse_body(c, true);
    if (!doc) return error_response(doc.error());
    // Accept {"reason": "..."} (docs, go-tfe 0.11) and {"data":{"attributes":{"reason":...}}} (newer go-tfe).
    std::string reason;
    if (auto r = (*doc)["reason"].as_string()) reason = std::string(*r);
    else if (auto r2 = (*doc)["data"]["attributes"]["reason"].as_string()) reason = std::string(*r2);
    else if (doc->is_object() && doc->contains("reason") && !(*doc)["reason"].is_null())
      return error_response(errc::validation_failed, "reason must be a string", "/reason");
    return workspace_answer(c, eng_.lock_workspace(id, std::move(reason)));
  }
  http_response unlock_workspace_id(const request_ctx& c, const std::string& id) {
    return workspace_answer(c, eng_.unlock_workspace(id));
  }
  http_response force_unlock_workspace_id(const request_ctx& c, const std::string& id) {
    return workspace_answer(c, eng_.force_unlock_workspace(id));
  }
  // TFE deletes a workspace safely only when it is unlocked and its state manages no resources.
  http_response safe_delete_workspace_id(const request_ctx&, const std::string& id) {
    auto cur = eng_.read_workspace(id);
    if (!cur) return error_response(cur.error());
    if (cur->locked()) return error_response(errc::conflict, "Workspace is locked and cannot be deleted");
    if (!cur->current_state_version.empty())
      if (auto v = eng_.read_state_version(cur->current_state_version.view())) {
        if (!v->processed(to_unix_ms(eng_.now())))
          return tfe::error_response(409, "conflict",
                                     "the workspace's latest state version is being processed; try again shortly");
        if (v->managed_count() > 0)
          return tfe::error_response(409, "conflict",
                                     "workspace cannot be safely deleted because it is still managing resources");
      }
    return delete_result(eng_.delete_workspace(id));
  }
  http_response lock_workspace(request_ctx& c) { return lock_workspace_id(c, c.param(0)); }
  http_response unlock_workspace(request_ctx& c) { return unlock_workspace_id(c, c.param(0)); }
  http_response force_unlock_workspace(request_ctx& c) { return force_unlock_workspace_id(c, c.param(0)); }
  http_response safe_delete_workspace(request_ctx& c) { return safe_delete_workspace_id(c, c.param(0)); }

  // ---------------------------------------------------------------------------------------------
  // configuration versions
  // ---------------------------------------------------------------------------------------------
  http_response create_configuration_version(request_ctx& c) {
    const std::string ws_id = c.param(0);
    if (auto ws = eng_.read_workspace(ws_id); !ws) return error_response(ws.error());
    auto doc = parse_body(c, true);
    if (!doc) return error_response(doc.error());
    configuration_version_options o;
    if (doc->contains("data")) {
      auto data = data_object(*doc, "configuration-versions", false);
      if (!data) return error_response(data.error());
      if (auto r = read_attributes<configuration_version>(*data, o); !r) return error_response(r.error());
    } else if (!doc->empty()) {
      return error_response(errc::validation_failed, "data is required", "/data");
    }
    auto cv = eng_.create_configuration_version(ws_id, o);
    if (!cv) return error_response(cv.error());
    const std::string url = upload_url(c, *cv);
    return document(201, single([&](json_writer& w) { write_configuration_version(w, *cv, url); }));
  }
  http_response read_configuration_version(request_ctx& c) {
    auto cv = eng_.read_configuration_version(c.params[0]);
    if (!cv) return error_response(cv.error());
    if (auto inc = includes(c, configuration_version_includes); !inc) return error_response(inc.error());
    // upload-url is in the create response only, as TFE today (go-tfe v1's tests read it empty);
    // upload_url_on_read restores the older behaviour (go-tfe 0.x's tests read it set)
    const std::string url = read_upload_url(c, *cv);
    return document(200, single([&](json_writer& w) { write_configuration_version(w, *cv, url); }));
  }
  http_response archive_configuration_version(request_ctx& c) {  // the body is not read
    if (auto cv = eng_.archive_configuration_version(c.params[0]); !cv) return error_response(cv.error());
    return empty(202);
  }
  // actions/{soft_delete,restore,permanently_delete}_backing_data of a configuration or state version
  // (the body is not read; Terraform Enterprise's data retention).
  http_response manage_backing_data(request_ctx& c) {
    const std::string_view act = c.seg.back();
    const backing_data_action a = act == "soft_delete_backing_data" ? backing_data_action::soft_delete
                                  : act == "restore_backing_data"   ? backing_data_action::restore
                                                                    : backing_data_action::permanently_delete;
    const std::string id = c.param(0);
    const bool cv_route = c.seg[2] == "configuration-versions";
    if (id.substr(0, 3) != (cv_route ? "cv-" : "sv-"))
      return error_response(errc::not_found, std::string(cv_route ? "configuration version" : "state version") + " '" +
                                                 id.substr(0, 64) + "' not found");
    if (auto r = eng_.manage_backing_data(id, a); !r) return error_response(r.error());
    return empty(204);
  }
  http_response download_configuration_version(request_ctx& c) { return download(c.param(0)); }
  http_response download_run_configuration(request_ctx& c) {
    auto r = eng_.read_run(c.params[0]);
    if (!r) return error_response(r.error());
    return download(r->configuration_version_id.str());
  }
  http_response list_configuration_versions(request_ctx& c) {
    const std::string ws_id = c.param(0);
    auto p = page_of(c);
    if (!p) return error_response(p.error());
    if (auto inc = includes(c, configuration_version_includes); !inc) return error_response(inc.error());
    auto pg = eng_.list_configuration_versions(ws_id, *p);
    if (!pg) return error_response(pg.error());
    return document(200, collection(c, *pg, [&](json_writer& w, const configuration_version& cv) {
                      write_configuration_version(w, cv, read_upload_url(c, cv));
                    }));
  }
  // The upload-url of a read or list: empty, unless upload_url_on_read and the version is pending.
  std::string read_upload_url(const request_ctx& c, const configuration_version& cv) const {
    if (!opts_.upload_url_on_read || cv.status != configuration_status::pending) return std::string();
    return upload_url(c, cv);
  }
  // The upload capability URL of a version (it takes uploads until the version is archived).
  static std::string upload_url(const request_ctx& c, const configuration_version& cv) {
    if (cv.upload_token.empty()) return std::string();
    return c.base + "/v1/object/upload/" + cv.upload_token;
  }
  http_response upload(request_ctx& c) {
    const http_request& req = c.req;
    if (req.body.size() > opts_.max_upload_bytes)
      return error_response(errc::payload_too_large,
                            "Upload exceeds " + std::to_string(opts_.max_upload_bytes) + " bytes");
    auto cv = eng_.upload_configuration(c.params[0], req.body);
    if (!cv) return error_response(cv.error());
    return empty(200);
  }
  http_response download(const std::string& cv_id) {
    auto bytes = eng_.download_configuration(cv_id);
    if (!bytes) return error_response(bytes.error());
    http_response r;
    r.status = 200;
    r.body = std::move(*bytes);
    r.set_header("Content-Type", "application/octet-stream");
    return r;
  }

  // ---------------------------------------------------------------------------------------------
  // runs
  // ---------------------------------------------------------------------------------------------
  // The ids of a run's comments, oldest first (its comments and run-events relationships).
  std::vector<resource_id> comment_ids_of(const run& r) {
    std::vector<resource_id> ids;
    if (r.comment_count == 0) return ids;
    if (auto cs = eng_.list_comments(r.id.view()))
      for (const auto& cm : *cs) ids.push_back(cm.id);
    return ids;
  }
  std::string run_document(const request_ctx& c, const run& r, const std::vector<std::string>& inc) {
    return run_document(r, inc, sctx(c));
  }
  std::string run_document(const run& r, const std::vector<std::string>& inc, const serialize_context& sc) {
    std::string b;
    b.reserve(4096);
    json_writer w(b);
    w.begin_object().key("data");
    const std::vector<resource_id> cids = comment_ids_of(r);
    write_run(w, r, sc, &cids);
    if (!inc.empty()) {
      w.key("included").begin_array();
      write_run_includes(w, r, inc, sc);
      w.end_array();
    }
    w.end_object();
    return b;
  }
  void write_run_includes(json_writer& w, const run& r, const std::vector<std::string>& inc,
                          const serialize_context& sc) {
    if (has(inc, "plan")) write_plan(w, r, sc);
    if (has(inc, "apply")) write_apply(w, r, sc);
    if (has(inc, "created_by")) write_user(w, sc);
    if (has(inc, "cost_estimate") && r.cost_estimation) write_cost_estimate(w, r);
    if (has(inc, "configuration_version") || has(inc, "configuration_version.ingress_attributes"))
      if (auto cv = eng_.read_configuration_version(r.configuration_version_id))
        write_configuration_version(w, *cv, {});
    if (has(inc, "workspace"))
      if (auto ws = eng_.read_workspace(r.workspace_id)) {
        const std::vector<state_output> outputs = current_outputs(*ws);
        write_workspace(w, *ws, &outputs);
      }
  }
  http_response read_run(request_ctx& c) {
    auto inc = includes(c, run_includes);
    if (!inc) return error_response(inc.error());
    if (!inc->empty() || !run_docs_.enabled()) {
      auto r = eng_.read_run(c.params[0]);
      if (!r) return error_response(r.error());
      return document(200, run_document(c, *r, *inc));
    }
    // The document of a run depends on the run (its revision), on whether force-cancel is available
    // yet (time) and on its position in the queue: those three pick the cached copy. A hit reads only
    // them from the engine; a miss copies the run and writes the document from the very same values.
    const time_point now = eng_.now();
    std::size_t position = eng_.options().organization_concurrency ? eng_.queue_position(c.params[0]) : 0;
    const auto version_of = [&](const run& r) {
      return document_version{r.revision,
                              (std::uint64_t(position) << 1) | (r.context(now).force_cancel_available ? 1u : 0u)};
    };
    auto seen = eng_.visit_run(c.params[0], version_of);
    if (!seen) return error_response(seen.error());
    std::string body;
    if (run_docs_.find(c.params[0], *seen, body)) return document(200, std::move(body));
    auto r = eng_.read_run(c.params[0]);
    if (!r) return error_response(r.error());
    serialize_context sc = sctx(c);
    sc.now = now;
    sc.queue_position = [](void* p, std::string_view) { return *static_cast<const std::size_t*>(p); };
    sc.queue_owner = &position;
    body = run_document(*r, {}, sc);
    run_docs_.store(r->id.view(), version_of(*r), body);
    return document(200, std::move(body));
  }
  // The filters of a run list (filter[status], [status_group], [operation], [source], [workspace_names],
  // [agent_pool_names], search[user], [commit], [basic]); false when nothing can match.
  result<bool> run_filters(const request_ctx& c, run_list_request& req) {
    if (auto st = c.q.joined("filter[status]")) {
      for (const auto& s : split_list(*st)) {
        auto rs = run_status_from_string(s);
        if (!rs) return make_error(errc::bad_request, "Invalid filter[status] value '" + s.substr(0, 64) + "'");
        req.statuses.push_back(*rs);
      }
    }
    if (auto ops = c.q.joined("filter[operation]")) req.operations = split_list(*ops);
    if (auto src = c.q.joined("filter[source]")) req.sources = split_list(*src);
    if (auto names = c.q.joined("filter[workspace_names]")) req.workspace_names = split_list(*names);
    if (auto names = c.q.joined("filter[agent_pool_names]")) req.agent_pool_names = split_list(*names);
    if (auto v = c.q.get("search[user]")) req.user = std::string(*v);
    if (auto v = c.q.get("search[commit]")) req.commit = std::string(*v);
    if (auto v = c.q.get("search[basic]")) req.basic = std::string(*v);
    if (auto grp = c.q.get("filter[status_group]")) {
      if (*grp != "final" && *grp != "non_final" && *grp != "discardable")
        return make_error(errc::bad_request, "Invalid filter[status_group] value");
      auto in_group = [&](run_status s) {
        if (*grp == "final") return is_final(s);
        if (*grp == "non_final") return !is_final(s);
        return s == run_status::planned || s == run_status::cost_estimated || s == run_status::policy_checked ||
               s == run_status::policy_override;
      };
      // Intersect with filter[status] when both are given.
      std::vector<run_status> kept;
      for (run_status s : req.statuses.empty()
                              ? std::vector<run_status>(std::begin(all_run_statuses), std::end(all_run_statuses))
                              : req.statuses)
        if (in_group(s)) kept.push_back(s);
      if (kept.empty()) return false;
      req.statuses = std::move(kept);
    }
    return true;
  }
  // A page of runs with their includes.
  http_response run_page(const request_ctx& c, const page<run>& pg, const std::vector<std::string>& inc) {
    auto sc = sctx(c);
    std::vector<std::function<void(json_writer&)>> included;
    if (!inc.empty())
      for (const auto& r : pg.items)
        included.push_back([this, &r, &inc, &sc](json_writer& w) { write_run_includes(w, r, inc, sc); });
    return document(200, collection(
                             c, pg,
                             [&](json_writer& w, const run& r) {
                               const std::vector<resource_id> cids = comment_ids_of(r);
                               write_run(w, r, sc, &cids);
                             },
                             included));
  }
  http_response list_runs(request_ctx& c) {
    const std::string ws_id = c.param(0);
    auto p = page_of(c);
    if (!p) return error_response(p.error());
    auto inc = includes(c, run_includes);
    if (!inc) return error_response(inc.error());
    run_list_request req;
    req.page = *p;
    auto any = run_filters(c, req);
    if (!any) return error_response(any.error());
    if (!*any) return empty_page(c);
    auto pg = eng_.list_runs(ws_id, req);
    if (!pg) return error_response(pg.error());
    return run_page(c, *pg, *inc);
  }
  http_response list_organization_runs(request_ctx& c) {
    auto p = page_of(c);
    if (!p) return error_response(p.error());
    auto inc = includes(c, run_includes);
    if (!inc) return error_response(inc.error());
    run_list_request req;
    req.page = *p;
    auto any = run_filters(c, req);
    if (!any) return error_response(any.error());
    if (!*any) return empty_page(c);
    auto pg = eng_.list_organization_runs(c.params[0], req);
    if (!pg) return error_response(pg.error());
    return run_page(c, *pg, *inc);
  }
  http_response create_run(request_ctx& c) {
    auto doc = parse_body(c, false);
    if (!doc) return error_response(doc.error());
    auto data = data_object(*doc, "runs", false);
    if (!data) return error_response(data.error());
    auto ws_id = relationship_id(**data, "workspace", "workspaces");
    if (!ws_id) return error_response(ws_id.error());
    if (ws_id->empty())
      return error_response(errc::validation_failed, "Workspace is required", "/data/relationships/workspace");
    auto cv_id = relationship_id(**data, "configuration-version", "configuration-versions");
    if (!cv_id) return error_response(cv_id.error());
    run_options o;
    if (auto attrs = read_attributes<run>(*data, o); !attrs) return error_response(attrs.error());
    if (o.message && o.message->empty()) o.message.reset();
    if (!is_valid_id_text(*ws_id))
      return error_response(errc::not_found, "workspace '" + ws_id->substr(0, 64) + "' not found");
    o.workspace_id = resource_id(*ws_id);
    // The terraform CLI's cloud backend says who it is; TFE records such runs as terraform+cloud.
    if (detail::iequals(c.req.header("X-Terraform-Integration"), "cloud")) o.source = run_source::terraform_cloud;
    if (!cv_id->empty()) {
      if (!is_valid_id_text(*cv_id))
        return error_response(errc::not_found, "configuration version '" + cv_id->substr(0, 64) + "' not found");
      o.configuration_version_id = resource_id(*cv_id);
    }
    auto r = eng_.create_run(o);
    if (!r) return error_response(r.error());
    return document(201, run_document(c, *r, {}));
  }
  // A run action with an optional {"comment": "..."} body: engine call `act(id, comment)`, 202.
  template <result<void> (Engine::*Act)(std::string_view, std::string)>
  http_response run_action(request_ctx& c) {
    auto doc = parse_body(c, true);
    if (!doc) return error_response(doc.error());
    if (!doc->is_object()) return error_response(errc::validation_failed, "Body must be a JSON object");
    std::string comment;
    const json& cm = (*doc)["comment"];
    if (!cm.is_null()) {
      auto s = cm.as_string();
      if (!s) return error_response(errc::validation_failed, "comment must be a string", "/comment");
      comment = std::string(*s);
    }
    if (auto r = (eng_.*Act)(c.params[0], std::move(comment)); !r) return error_response(r.error());
    return empty(202);
  }
  http_response apply_run(request_ctx& c) { return run_action<&Engine::apply_run>(c); }
  http_response discard_run(request_ctx& c) { return run_action<&Engine::discard_run>(c); }
  http_response cancel_run(request_ctx& c) { return run_action<&Engine::cancel_run>(c); }
  http_response force_cancel_run(request_ctx& c) { return run_action<&Engine::force_cancel_run>(c); }
  http_response override_policy(request_ctx& c) { return run_action<&Engine::override_policy>(c); }
  http_response force_execute_run(request_ctx& c) {  // the body is not read
    if (auto r = eng_.force_execute_run(c.params[0]); !r) return error_response(r.error());
    return empty(202);
  }
  http_response run_phase(request_ctx& c, bool plan) {
    auto r = eng_.read_run(c.params[0]);
    if (!r) return error_response(r.error());
    return phase_document(c, *r, plan);
  }
  http_response run_plan(request_ctx& c) { return run_phase(c, true); }
  http_response run_apply(request_ctx& c) { return run_phase(c, false); }
  http_response read_phase(request_ctx& c, bool plan) {
    auto r = plan ? eng_.read_run_by_plan(c.params[0]) : eng_.read_run_by_apply(c.params[0]);
    if (!r) return error_response(r.error());
    return phase_document(c, *r, plan);
  }
  http_response read_plan(request_ctx& c) { return read_phase(c, true); }
  http_response read_apply(request_ctx& c) { return read_phase(c, false); }
  http_response read_cost_estimate(request_ctx& c) {
    auto suffix = id_suffix(c.params[0], "ce-");
    auto r = suffix.empty() ? result<run>(make_error(errc::not_found, "cost estimate not found"))
                            : eng_.read_run("run-" + std::string(suffix));
    if (!r || !r->cost_estimation) return error_response(errc::not_found, "cost estimate not found");
    return document(200, single([&](json_writer& w) { write_cost_estimate(w, *r); }));
  }
  http_response empty_run_collection(request_ctx& c) {  // policy-checks, task-stages
    if (auto r = eng_.read_run(c.params[0]); !r) return error_response(r.error());
    return empty_page(c);
  }
  // A run event with its actor and comment relationships (and them included when asked).
  void write_run_event(json_writer& w, const run_event_record& e, const serialize_context& sc) {
    w.begin_object().member("id", std::string_view(e.id)).member("type", "run-events");
    w.key("attributes").begin_object().member("action", std::string_view(e.action));
    w.member("description", std::string_view(e.description));
    detail::time_member(w, "created-at", e.created_at);
    w.end_object();
    w.key("relationships").begin_object();
    detail::to_one(w, "actor", "users", sc.user_id);
    detail::to_one(w, "comment", "comments", e.comment_id.view());
    w.end_object();
    w.key("links").begin_object().member("self", "/api/v2/run-events/" + e.id).end_object();
    w.end_object();
  }
  result<std::vector<run_event_record>> events_of(std::string_view run_id) {
    auto r = eng_.read_run(run_id);
    if (!r) return r.error();
    auto comments = eng_.list_comments(run_id);
    if (!comments) return comments.error();
    return run_events_of(*r, *comments);
  }
  void write_run_event_includes(json_writer& w, const std::vector<run_event_record>& events,
                                const std::vector<std::string>& inc, const serialize_context& sc) {
    if (inc.empty()) return;
    w.key("included").begin_array();
    if (has(inc, "actor")) write_user(w, sc);
    if (has(inc, "comment"))
      for (const auto& e : events)
        if (!e.comment_id.empty())
          if (auto cm = eng_.read_comment(e.comment_id.view())) write_comment(w, *cm);
    w.end_array();
  }
  http_response list_run_events(request_ctx& c) {
    auto inc = includes(c, run_event_includes);
    if (!inc) return error_response(inc.error());
    auto p = page_of(c);
    if (!p) return error_response(p.error());
    auto events = events_of(c.params[0]);
    if (!events) return error_response(events.error());
    page<run_event_record> pg;
    pg.current_page = p->number;
    pg.page_size = p->size;
    pg.total_count = events->size();
    for (std::size_t i = (p->number - 1) * p->size; i < events->size() && pg.items.size() < p->size; ++i)
      pg.items.push_back((*events)[i]);
    auto sc = sctx(c);
    std::vector<std::function<void(json_writer&)>> included;
    if (has(*inc, "actor")) included.push_back([sc](json_writer& w) { write_user(w, sc); });
    if (has(*inc, "comment"))
      for (const auto& e : pg.items)
        if (!e.comment_id.empty())
          if (auto cm = eng_.read_comment(e.comment_id.view()))
            included.push_back([cm = *cm](json_writer& w) { write_comment(w, cm); });
    return document(
        200, collection(
                 c, pg, [&](json_writer& w, const run_event_record& e) { write_run_event(w, e, sc); }, included));
  }
  http_response read_run_event(request_ctx& c) {
    auto inc = includes(c, run_event_includes);
    if (!inc) return error_response(inc.error());
    auto run_id = run_of_event(c.params[0]);
    if (!run_id) return error_response(errc::not_found, "run event not found");
    auto events = events_of(*run_id);
    if (!events) return error_response(errc::not_found, "run event not found");
    for (const auto& e : *events)
      if (e.id == c.params[0]) {
        auto sc = sctx(c);
        std::string b;
        json_writer w(b);
        w.begin_object().key("data");
        write_run_event(w, e, sc);
        write_run_event_includes(w, {e}, *inc, sc);
        w.end_object();
        return document(200, std::move(b));
      }
    return error_response(errc::not_found, "run event not found");
  }
  // The JSON plan of a run (terraform show -json of its plan), once the plan finished.
  http_response json_plan_of(const run& r) {
    if (r.plan_status() != phase_status::finished)
      return error_response(errc::not_found, "the plan has no JSON output yet: it has not finished");
    std::vector<state_resource> prior;
    if (auto ws = eng_.read_workspace(r.workspace_id.view()); ws && !ws->current_state_version.empty())
      if (auto v = eng_.read_state_version(ws->current_state_version.view())) prior = v->resources;
    http_response res;
    res.status = 200;
    res.body = json_plan_document(r, prior);
    res.set_header("Content-Type", "application/json");
    return res;
  }
  http_response plan_json_output(request_ctx& c) {
    auto r = eng_.read_run_by_plan(c.params[0]);
    if (!r) return error_response(r.error());
    return json_plan_of(*r);
  }
  http_response run_plan_json_output(request_ctx& c) {
    auto r = eng_.read_run(c.params[0]);
    if (!r) return error_response(r.error());
    return json_plan_of(*r);
  }
  // Stand-ins for TFE's paid-tier admin API that go-tfe's test helpers call to upgrade an
  // organization: a fixed list of feature sets, and a subscription that is accepted and not kept.
  http_response admin_feature_sets(request_ctx& c) {
    static constexpr std::string_view names[] = {"Free", "Standard", "Plus", "Business", "Standard (entitlement)"};
    std::vector<std::string> matching;
    const std::string q(c.q.get("q").value_or(""));
    for (auto n : names)
      if (q.empty() || std::string(n).find(q) != std::string::npos) matching.emplace_back(n);
    return list_document(c, matching, [](json_writer& w, const std::string& n) {
      std::string id = "fs-";
      for (char ch : n) id += (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ? ch : 'x';
      w.begin_object().member("id", std::string_view(id)).member("type", "feature-sets");
      w.key("attributes").begin_object().member("name", std::string_view(n)).end_object().end_object();
    });
  }
  http_response admin_subscription(request_ctx& c) {
    if (auto o = eng_.read_organization(c.params[0]); !o) return error_response(o.error());
    auto doc = parse_body(c, true);
    if (!doc) return error_response(doc.error());
    return document(201, single([&](json_writer& w) {
                      w.begin_object().member("id", "sub-" + c.param(0)).member("type", "subscriptions");
                      w.key("attributes").begin_object().member("is-active", true).end_object().end_object();
                    }));
  }
  http_response phase_document(const request_ctx& c, const run& r, bool plan) {
    auto sc = sctx(c);
    return document(200, single([&](json_writer& w) {
                      if (plan) write_plan(w, r, sc);
                      else write_apply(w, r, sc);
                    }));
  }

  // ---------------------------------------------------------------------------------------------
  // comments and logs
  // ---------------------------------------------------------------------------------------------
  http_response read_comment(request_ctx& c) { return answer(200, eng_.read_comment(c.params[0]), write_comment); }
  http_response list_comments(request_ctx& c) {
    auto cs = eng_.list_comments(c.params[0]);
    if (!cs) return error_response(cs.error());
    std::string b;
    json_writer w(b);
    w.begin_object().key("data").begin_array();
    for (const auto& cm : *cs) write_comment(w, cm);
    w.end_array().end_object();
    return document(200, std::move(b));
  }
  http_response create_comment(request_ctx& c) {
    const std::string run_id = c.param(0);
    auto doc = parse_body(c, false);
    if (!doc) return error_response(doc.error());
    auto data = data_object(*doc, "comments", false);
    if (!data) return error_response(data.error());
    attribute_reader a(*data);
    auto body = a.string("body");
    if (a.failure()) return error_response(*a.failure());
    auto cm = eng_.create_comment(run_id, body.value_or(std::string()));
    if (!cm) return error_response(cm.error());
    return document(201, single([&](json_writer& w) { write_comment(w, *cm); }));
  }
  http_response logs(request_ctx& c) {
    const http_request& req = c.req;
    const std::string phase_id = c.param(0);
    const std::string_view mac = c.params[1];
    if (mac.size() != 32 || detail::mac_hex(key_, phase_id) != mac) return not_found();
    const bool plan = phase_id.rfind("plan-", 0) == 0;
    auto r = plan ? eng_.read_run_by_plan(phase_id) : eng_.read_run_by_apply(phase_id);
    if (!r) return not_found();
    auto lg = plan ? eng_.plan_log(r->id.view()) : eng_.apply_log(r->id.view());
    if (!lg) return not_found();
    // STX, the text, and ETX once the phase is final (go-tfe's log reader framing).
    std::string stream;
    const bool started = lg->complete || !lg->text.empty();
    if (started) stream.push_back('\x02');
    stream += lg->text;
    if (lg->complete) {
      if (!started) stream.push_back('\x02');
      stream.push_back('\x03');
    }
    query_params q;
    if (!q.parse(req.query())) return error_response(errc::bad_request, "Malformed query string");
    std::size_t offset = 0, limit = stream.size();
    auto num = [](std::optional<std::string_view> v, std::size_t& out) {
      if (!v || v->empty()) return true;
      std::size_t x = 0;
      auto res = std::from_chars(v->data(), v->data() + v->size(), x);
      if (res.ec != std::errc() || res.ptr != v->data() + v->size()) return false;
      out = x;
      return true;
    };
    if (!num(q.get("offset"), offset) || !num(q.get("limit"), limit))
      return error_response(errc::bad_request, "offset and limit must be non-negative integers");
    http_response res;
    res.status = 200;
    if (offset < stream.size()) res.body = stream.substr(offset, limit);
    res.set_header("Content-Type", "text/plain");
    return res;
  }

  Engine& eng_;
  api_options opts_;
  std::uint64_t key_[4] = {};
  document_cache run_docs_{opts_.run_document_cache};  // GET /runs/:id documents
};

template <class Engine>
http_response basic_api<Engine>::handle(const http_request& req) {
  if (opts_.poll_engine) eng_.poll();
  return finish(dispatch(req), req);
}

/// The API over the default engine.
using api = basic_api<engine>;

}  // namespace tfe

// The endpoints defined outside the class.
#include <tfe/api/handler_agent_pools.hpp>
#include <tfe/api/handler_projects.hpp>
#include <tfe/api/handler_state_versions.hpp>

#endif  // TFE_API_HANDLER_HPP
