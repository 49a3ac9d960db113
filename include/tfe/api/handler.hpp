// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// basic_api<Engine>: the JSON:API layer. An http_request in, an http_response out, no I/O.
#ifndef TFE_API_HANDLER_HPP
#define TFE_API_HANDLER_HPP

#include <tfe/api/auth.hpp>
#include <tfe/api/error_document.hpp>
#include <tfe/api/http_message.hpp>
#include <tfe/api/query.hpp>
#include <tfe/api/request_document.hpp>
#include <tfe/api/router.hpp>
#include <tfe/api/serializers.hpp>
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
  token_auth auth = token_auth::any();        ///< which bearer tokens are accepted
  std::string base_url;                       ///< absolute origin for upload/log URLs; empty: "http://" + Host header
  std::size_t max_json_bytes = 4u << 20;      ///< largest JSON:API request document (413 above)
  std::size_t max_upload_bytes = 256u << 20;  ///< largest configuration upload (413 above)
  std::size_t max_json_depth = 64;            ///< deepest JSON:API request document (400 above)
  bool poll_engine = true;                    ///< call engine.poll() before each request (system-clock hosts)
  std::string tfe_version = "v202502-1";      ///< X-TFE-Version
  std::optional<std::uint64_t> url_key_seed;  ///< seeds the key that signs log URLs (random when unset)
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

  /// Handles one request. Never throws for bad input: every failure is a JSON:API error document.
  /// (Defined below the class: not inline, so with TFE_EXTERN_TEMPLATES a caller compiles none of it.)
  http_response handle(const http_request& req);

  /// Adds the headers every answer carries (TFP-API-Version, X-TFE-Version, ...) to `res` and empties
  /// the body of a HEAD answer; layers in front of the API (basic_test_controls) use it for theirs.
  http_response finish(http_response res, const http_request& req) const {
    res.headers.reserve(res.headers.size() + 5);  // one allocation for the headers below
    res.set_header("TFP-API-Version", api_version);
    res.set_header("TFP-AppName", "Terraform Enterprise");
    res.set_header("X-TFE-Version", opts_.tfe_version);
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
        {"GET", "/api/v2/configuration-versions/:id", &basic_api::read_configuration_version},
        {"GET", "/api/v2/configuration-versions/:id/download", &basic_api::download_configuration_version},
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
        {"GET", "/api/v2/runs/:id/run-events", &basic_api::empty_run_collection},
        {"GET", "/api/v2/runs/:id/policy-checks", &basic_api::empty_run_collection},
        {"GET", "/api/v2/runs/:id/task-stages", &basic_api::empty_run_collection},
        {"GET", "/api/v2/runs/:id/configuration-version/download", &basic_api::download_run_configuration},
        {"GET", "/api/v2/plans/:id", &basic_api::read_plan},
        {"GET", "/api/v2/applies/:id", &basic_api::read_apply},
        {"GET", "/api/v2/cost-estimates/:id", &basic_api::read_cost_estimate},
        {"GET", "/api/v2/comments/:id", &basic_api::read_comment},
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
    return s;
  }

  std::string origin(const http_request& req) const {
    if (!opts_.base_url.empty()) return opts_.base_url;
    std::string_view host = req.header("Host");
    bool ok = !host.empty() && host.size() < 256;
    for (char ch : host)
      if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
            ch == '-' || ch == ':' || ch == '[' || ch == ']'))
        ok = false;
    return ok ? "http://" + std::string(host) : std::string("http://localhost");
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
  // service
  // ---------------------------------------------------------------------------------------------
  http_response discovery(request_ctx&) {
    http_response r;
    r.status = 200;
    r.body =
        R"({"tfe.v2":"/api/v2/","tfe.v2.1":"/api/v2/","tfe.v2.2":"/api/v2/","modules.v1":"/api/registry/v1/modules/","motd.v1":"/api/terraform/motd","state.v2":"/api/v2/","versions.v1":"https://checkpoint-api.hashicorp.com/v1/versions/"})";
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
                                                            "effective_tag_bindings"};
  static constexpr std::string_view run_includes[] = {"plan",
                                                      "apply",
                                                      "created_by",
                                                      "cost_estimate",
                                                      "configuration_version",
                                                      "configuration_version.ingress_attributes",
                                                      "workspace",
                                                      "task_stages"};
  static constexpr std::string_view configuration_version_includes[] = {"ingress_attributes", "run"};

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
  result<organization_options> organization_body(const request_ctx& c) const {
    return read_body<organization, organization_options>(c, "organizations");
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
    return answer(200, eng_.read_organization(c.params[0]), write_organization);
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
    const std::string org = c.param(0);
    if (auto o = eng_.read_organization(org); !o) return error_response(o.error());
    return document(200, "{\"data\":{\"id\":\"" + org +
                             "\",\"type\":\"organization-capacity\",\"attributes\":{\"pending\":0,\"running\":0}}}");
  }
  http_response run_queue(request_ctx& c) {
    if (auto o = eng_.read_organization(c.params[0]); !o) return error_response(o.error());
    return empty_page(c);
  }
  http_response entitlements(request_ctx& c) {
    auto o = eng_.read_organization(c.params[0]);
    if (!o) return error_response(o.error());
    std::string b;
    json_writer w(b);
    w.begin_object().key("data").begin_object().member("id", o->external_id.view()).member("type", "entitlement-sets");
    w.key("attributes").begin_object();
    for (const char* k : {"operations", "state-storage", "private-module-registry", "cost-estimation", "sentinel",
                          "teams", "vcs-integrations", "audit-logging", "agents", "sso", "run-tasks"})
      w.member(k, true);
    w.end_object().end_object().end_object();
    return document(200, std::move(b));
  }

  // ---------------------------------------------------------------------------------------------
  // workspaces
  // ---------------------------------------------------------------------------------------------
  result<workspace_options> workspace_body(const request_ctx& c) const {
    return read_body<workspace, workspace_options>(c, "workspaces");
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
  std::string workspace_document(const request_ctx& c, const workspace& ws, const std::vector<std::string>& inc) {
    std::string b;
    b.reserve(4096);
    json_writer w(b);
    w.begin_object().key("data");
    write_workspace(w, ws);
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
        out.push_back([r = *r, sc](json_writer& w) { write_run(w, r, sc); });
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
  }
  http_response list_workspaces(request_ctx& c) {
    const std::string org = c.param(0);
    auto p = page_of(c);
    if (!p) return error_response(p.error());
    auto inc = includes(c, workspace_includes);
    if (!inc) return error_response(inc.error());
    std::string search;
    if (auto s = c.q.get("search[name]")) search = std::string(*s);
    else if (auto s2 = c.q.get("search[wildcard-name]")) {
      search = std::string(*s2);
      search.erase(std::remove(search.begin(), search.end(), '*'), search.end());
    }
    auto pg = eng_.list_workspaces(org, *p, search);
    if (!pg) return error_response(pg.error());
    std::vector<std::function<void(json_writer&)>> included;
    for (const auto& ws : pg->items) collect_workspace_includes(c, ws, *inc, included);
    return document(200, collection(
                             c, *pg, [](json_writer& w, const workspace& ws) { write_workspace(w, ws); }, included));
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
  http_response safe_delete_workspace_id(const request_ctx&, const std::string& id) {
    auto cur = eng_.read_workspace(id);
    if (!cur) return error_response(cur.error());
    if (cur->locked()) return error_response(errc::conflict, "Workspace is locked and cannot be deleted");
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
    const std::string url = upload_url(c, *cv);
    return document(200, single([&](json_writer& w) { write_configuration_version(w, *cv, url); }));
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
                      write_configuration_version(w, cv, upload_url(c, cv));
                    }));
  }
  // The upload capability URL while the version still waits for its (single) upload, else empty.
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
  std::string run_document(const request_ctx& c, const run& r, const std::vector<std::string>& inc) {
    std::string b;
    b.reserve(4096);
    json_writer w(b);
    auto sc = sctx(c);
    w.begin_object().key("data");
    write_run(w, r, sc);
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
    if (has(inc, "cost_estimate") && r.cost_estimation && r.entered_at(run_status::cost_estimating))
      write_cost_estimate(w, r);
    if (has(inc, "configuration_version") || has(inc, "configuration_version.ingress_attributes"))
      if (auto cv = eng_.read_configuration_version(r.configuration_version_id))
        write_configuration_version(w, *cv, {});
    if (has(inc, "workspace"))
      if (auto ws = eng_.read_workspace(r.workspace_id)) write_workspace(w, *ws);
  }
  http_response read_run(request_ctx& c) {
    auto inc = includes(c, run_includes);
    if (!inc) return error_response(inc.error());
    auto r = eng_.read_run(c.params[0]);
    if (!r) return error_response(r.error());
    return document(200, run_document(c, *r, *inc));
  }
  http_response list_runs(request_ctx& c) {
    const std::string ws_id = c.param(0);
    auto p = page_of(c);
    if (!p) return error_response(p.error());
    auto inc = includes(c, run_includes);
    if (!inc) return error_response(inc.error());
    run_list_request req;
    req.page = *p;
    if (auto st = c.q.joined("filter[status]")) {
      for (const auto& s : split_list(*st)) {
        auto rs = run_status_from_string(s);
        if (!rs) return error_response(errc::bad_request, "Invalid filter[status] value '" + s.substr(0, 64) + "'");
        req.statuses.push_back(*rs);
      }
    }
    if (auto ops = c.q.joined("filter[operation]")) req.operations = split_list(*ops);
    if (auto src = c.q.joined("filter[source]")) req.sources = split_list(*src);
    if (auto grp = c.q.get("filter[status_group]")) {
      if (*grp != "final" && *grp != "non_final" && *grp != "discardable")
        return error_response(errc::bad_request, "Invalid filter[status_group] value");
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
      if (kept.empty()) return empty_page(c);  // nothing can match
      req.statuses = std::move(kept);
    }
    auto pg = eng_.list_runs(ws_id, req);
    if (!pg) return error_response(pg.error());
    auto sc = sctx(c);
    std::vector<std::function<void(json_writer&)>> included;
    if (!inc->empty())
      for (const auto& r : pg->items)
        included.push_back([this, &r, &inc, &sc](json_writer& w) { write_run_includes(w, r, *inc, sc); });
    return document(200, collection(
                             c, *pg, [&sc](json_writer& w, const run& r) { write_run(w, r, sc); }, included));
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
    if (!r || !r->cost_estimation || !r->entered_at(run_status::cost_estimating))
      return error_response(errc::not_found, "cost estimate not found");
    return document(200, single([&](json_writer& w) { write_cost_estimate(w, *r); }));
  }
  http_response empty_run_collection(request_ctx& c) {  // run-events, policy-checks, task-stages
    if (auto r = eng_.read_run(c.params[0]); !r) return error_response(r.error());
    return empty_page(c);
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
};

template <class Engine>
http_response basic_api<Engine>::handle(const http_request& req) {
  if (opts_.poll_engine) eng_.poll();
  return finish(dispatch(req), req);
}

/// The API over the default engine.
using api = basic_api<engine>;

}  // namespace tfe

#endif  // TFE_API_HANDLER_HPP
