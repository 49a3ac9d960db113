// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// basic_api<Engine>: the JSON:API layer. An http_request in, an http_response out, no I/O.
#ifndef TFE_API_HANDLER_HPP
#define TFE_API_HANDLER_HPP

#include <tfe/api/auth.hpp>
#include <tfe/api/faults.hpp>
#include <tfe/api/http_message.hpp>
#include <tfe/api/journal.hpp>
#include <tfe/api/query.hpp>
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
  token_auth auth = token_auth::any();   ///< which bearer tokens are accepted
  std::string base_url;                  ///< absolute origin for upload/log URLs; empty: "http://" + Host header
  std::size_t max_json_bytes = 4u << 20; ///< largest JSON:API request document (413 above)
  std::size_t max_upload_bytes = 256u << 20;  ///< largest configuration upload (413 above)
  std::size_t max_json_depth = 64;       ///< deepest JSON:API request document (400 above)
  bool poll_engine = true;               ///< call engine.poll() before each request (system-clock hosts)
  std::string tfe_version = "v202502-1"; ///< X-TFE-Version
  std::optional<std::uint64_t> url_key_seed;  ///< seeds the key that signs log URLs (random when unset)
  std::size_t journal_capacity = 0;      ///< requests the journal keeps (0: no journal; docs/testing.md#journal)
  std::size_t journal_max_body = 16 * 1024;  ///< bodies longer than this are cut in the journal
};

/// The JSON:API media type.
inline constexpr std::string_view jsonapi_media_type = "application/vnd.api+json";

/// Turns HTTP-shaped requests into engine calls and JSON:API documents (docs/http.md).
template <class Engine>
class basic_api {
 public:
  using engine_type = Engine;  ///< the engine served

  /// Serves `eng` (which must outlive the api).
  explicit basic_api(Engine& eng, api_options options = {})
      : eng_(eng), opts_(std::move(options)), journal_(opts_.journal_capacity, opts_.journal_max_body) {
    std::mt19937_64 rng(opts_.url_key_seed ? *opts_.url_key_seed : std::random_device{}() ^
                                                                          (std::uint64_t(std::random_device{}()) << 32));
    for (auto& k : key_) k = rng();
  }

  /// Handles one request. Never throws for bad input: every failure is a JSON:API error document.
  http_response handle(const http_request& req) {
    if (opts_.poll_engine) eng_.poll();
    std::optional<fault_rule> fault;
    if (faults_.active()) fault = faults_.match(req.method, req.path());
    http_response res = fault && fault->status ? fault_response(*fault) : route(req);
    if (fault) {
      res.delay = fault->latency;
      res.fault = fault->transport;
    }
    finish_headers(res);
    if (req.method == "HEAD") res.body.clear();
    if (journal_.enabled()) journal_.record(req, res, eng_.now(), fault.has_value());
    return res;
  }

  /// The fault rules consulted for every request (docs/testing.md#faults).
  fault_injector& faults() noexcept { return faults_; }
  /// The record of served requests; empty unless api_options::journal_capacity > 0 or set_capacity().
  request_journal& journal() noexcept { return journal_; }

  /// The engine served.
  Engine& engine() noexcept { return eng_; }
  /// The settings.
  const api_options& options() const noexcept { return opts_; }

  /// The capability path of a plan's or apply's log (the secret is in the path, never the query).
  std::string log_path_of(std::string_view phase_id) const { return log_path(key_, phase_id); }

 private:
  // ---------------------------------------------------------------------------------------------
  // plumbing
  // ---------------------------------------------------------------------------------------------
  struct request_ctx {
    const http_request& req;
    std::vector<std::string> seg;  // path segments after /api/v2
    query_params q;
    std::string base;              // absolute origin
  };

  static http_response error_response(const error& e) {
    http_response r;
    r.status = http_status(e.code);
    std::string& b = r.body;
    json_writer w(b);
    w.begin_object().key("errors").begin_array().begin_object();
    char st[8];
    auto st_end = std::to_chars(st, st + sizeof st, r.status).ptr;
    w.member("status", std::string_view(st, static_cast<std::size_t>(st_end - st)));
    w.member("title", default_title(e.code));
    if (!e.message.empty()) w.member("detail", std::string_view(e.message));
    if (!e.pointer.empty()) w.key("source").begin_object().member("pointer", std::string_view(e.pointer)).end_object();
    w.end_object().end_array().end_object();
    r.set_header("Content-Type", std::string(jsonapi_media_type));
    return r;
  }
  static http_response error_response(errc c, std::string msg, std::string ptr = {}) {
    return error_response(error{c, std::move(msg), std::move(ptr)});
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

  void finish_headers(http_response& r) const {
    r.headers.reserve(r.headers.size() + 5);  // one allocation for the headers below
    r.set_header("TFP-API-Version", api_version);
    r.set_header("TFP-AppName", "Terraform Enterprise");
    r.set_header("X-TFE-Version", opts_.tfe_version);
    r.set_header("X-RateLimit-Limit", "30");
    if (r.header("Content-Type").empty() && !r.body.empty()) r.set_header("Content-Type", std::string(jsonapi_media_type));
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

  // Writes {"data": <resource>, "included": [...]} using `fn(writer)` for the resource.
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
  http_response route(const http_request& req) {
    auto segs = path_segments(req.path());
    if (!segs) return error_response(errc::bad_request, "Malformed request path");
    auto& s = *segs;
    if (s.size() >= 2 && s[0] == "api" && s[1] == "v2") {
      request_ctx c{req,
                    std::vector<std::string>(std::make_move_iterator(s.begin() + 2), std::make_move_iterator(s.end())),
                    {}, origin(req)};
      if (!c.q.parse(req.query())) return error_response(errc::bad_request, "Malformed query string");
      if (!opts_.auth.allows(req)) return error_response(errc::unauthorized, "A valid API token is required");
      if ((req.method == "POST" || req.method == "PATCH" || req.method == "PUT" || req.method == "DELETE") &&
          !req.body.empty() && !json_content_type(req.header("Content-Type")))
        return error_response(errc::unsupported_media_type,
                              "Content-Type must be application/vnd.api+json");
      return api_route(c);
    }
    if (s.size() == 2 && s[0] == ".well-known" && s[1] == "terraform.json") {
      if (req.method != "GET" && req.method != "HEAD") return method_not_allowed();
      http_response r;
      r.status = 200;
      r.body = R"({"tfe.v2":"/api/v2/","tfe.v2.1":"/api/v2/","tfe.v2.2":"/api/v2/","modules.v1":"/api/registry/v1/modules/","motd.v1":"/api/terraform/motd","state.v2":"/api/v2/","versions.v1":"https://checkpoint-api.hashicorp.com/v1/versions/"})";
      r.set_header("Content-Type", "application/json");
      return r;
    }
    if (s.size() == 4 && s[0] == "v1" && s[1] == "object" && s[2] == "upload") return upload(req, s[3]);
    if (s.size() == 4 && s[0] == "v1" && s[1] == "logs") return logs(req, s[2], s[3]);
    return not_found();
  }

  static bool json_content_type(std::string_view ct) {
    auto semi = ct.find(';');
    ct = ct.substr(0, semi);
    while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
    return detail::iequals(ct, jsonapi_media_type) || detail::iequals(ct, "application/json");
  }

  static http_response method_not_allowed() {
    return error_response(errc::method_not_allowed, "This method is not supported on this path");
  }

  http_response api_route(request_ctx& c) {
    const auto& s = c.seg;
    const std::string& m = c.req.method;
    const bool get = m == "GET" || m == "HEAD";
    const std::size_t n = s.size();
    if (n == 0) return not_found();
    const std::string& root = s[0];
    if (root == "ping" && n == 1) {
      if (!get) return method_not_allowed();
      return empty(204);
    }
    if (root == "organizations") {
      if (n == 1) {
        if (get) return list_organizations(c);
        if (m == "POST") return create_organization(c);
        return method_not_allowed();
      }
      const std::string& org = s[1];
      if (n == 2) {
        if (get) return read_organization(org);
        if (m == "PATCH") return update_organization(c, org);
        if (m == "DELETE") return delete_result(eng_.delete_organization(org));
        return method_not_allowed();
      }
      if (s[2] == "workspaces") {
        if (n == 3) {
          if (get) return list_workspaces(c, org);
          if (m == "POST") return create_workspace(c, org);
          return method_not_allowed();
        }
        if (n == 4) {
          auto ws = eng_.read_workspace_by_name(org, s[3]);
          if (!ws) return error_response(ws.error());
          return workspace_resource(c, ws->id.str(), m, get);
        }
        if (n == 6 && s[4] == "actions") {
          auto ws = eng_.read_workspace_by_name(org, s[3]);
          if (!ws) return error_response(ws.error());
          return workspace_action(c, ws->id.str(), s[5]);
        }
        return not_found();
      }
      if (n == 3 && s[2] == "entitlement-set") {
        if (!get) return method_not_allowed();
        return entitlements(org);
      }
      if (n == 3 && s[2] == "capacity") {
        if (!get) return method_not_allowed();
        if (auto o = eng_.read_organization(org); !o) return error_response(o.error());
        return document(200, "{\"data\":{\"id\":\"" + org +
                                 "\",\"type\":\"organization-capacity\",\"attributes\":{\"pending\":0,\"running\":0}}}");
      }
      if (n == 4 && s[2] == "runs" && s[3] == "queue") {
        if (!get) return method_not_allowed();
        if (auto o = eng_.read_organization(org); !o) return error_response(o.error());
        return document(200, R"({"data":[],"links":{},"meta":{"pagination":{"current-page":1,"page-size":20,"prev-page":null,"next-page":null,"total-pages":1,"total-count":0}}})");
      }
      return not_found();
    }
    if (root == "workspaces" && n >= 2) {
      const std::string& id = s[1];
      if (n == 2) return workspace_resource(c, id, m, get);
      if (n == 4 && s[2] == "actions") return workspace_action(c, id, s[3]);
      if (n == 3 && s[2] == "configuration-versions") {
        if (get) return list_configuration_versions(c, id);
        if (m == "POST") return create_configuration_version(c, id);
        return method_not_allowed();
      }
      if (n == 3 && s[2] == "runs") {
        if (!get) return method_not_allowed();
        return list_runs(c, id);
      }
      return not_found();
    }
    if (root == "configuration-versions" && n >= 2) {
      if (n == 2) {
        if (!get) return method_not_allowed();
        auto cv = eng_.read_configuration_version(s[1]);
        if (!cv) return error_response(cv.error());
        if (auto inc = includes(c, configuration_version_includes); !inc) return error_response(inc.error());
        const std::string url = upload_url(c, *cv);
        return document(200, single([&](json_writer& w) { write_configuration_version(w, *cv, url); }));
      }
      if (n == 3 && s[2] == "download") {
        if (!get) return method_not_allowed();
        return download(s[1]);
      }
      return not_found();
    }
    if (root == "runs") {
      if (n == 1) {
        if (m == "POST") return create_run(c);
        return method_not_allowed();
      }
      const std::string& id = s[1];
      if (n == 2) {
        if (!get) return method_not_allowed();
        return read_run(c, id);
      }
      if (n == 4 && s[2] == "actions") {
        if (m != "POST") return method_not_allowed();
        return run_action(c, id, s[3]);
      }
      if (n == 3 && (s[2] == "plan" || s[2] == "apply")) {
        if (!get) return method_not_allowed();
        auto r = eng_.read_run(id);
        if (!r) return error_response(r.error());
        return phase_document(c, *r, s[2] == "plan");
      }
      if (n == 3 && s[2] == "comments") {
        if (get) return list_comments(id);
        if (m == "POST") return create_comment(c, id);
        return method_not_allowed();
      }
      if (n == 3 && (s[2] == "run-events" || s[2] == "policy-checks" || s[2] == "task-stages")) {
        if (!get) return method_not_allowed();
        if (auto r = eng_.read_run(id); !r) return error_response(r.error());
        return document(200, R"({"data":[],"links":{},"meta":{"pagination":{"current-page":1,"page-size":20,"prev-page":null,"next-page":null,"total-pages":1,"total-count":0}}})");
      }
      if (n == 4 && s[2] == "configuration-version" && s[3] == "download") {
        if (!get) return method_not_allowed();
        auto r = eng_.read_run(id);
        if (!r) return error_response(r.error());
        return download(r->configuration_version_id.str());
      }
      return not_found();
    }
    if ((root == "plans" || root == "applies") && n == 2) {
      if (!get) return method_not_allowed();
      const bool plan = root == "plans";
      auto r = plan ? eng_.read_run_by_plan(s[1]) : eng_.read_run_by_apply(s[1]);
      if (!r) return error_response(r.error());
      return phase_document(c, *r, plan);
    }
    if (root == "cost-estimates" && n == 2) {
      if (!get) return method_not_allowed();
      auto suffix = id_suffix(s[1], "ce-");
      auto r = suffix.empty() ? result<run>(make_error(errc::not_found, "cost estimate not found"))
                              : eng_.read_run("run-" + std::string(suffix));
      if (!r || !r->cost_estimation || !r->entered_at(run_status::cost_estimating))
        return error_response(errc::not_found, "cost estimate not found");
      return document(200, single([&](json_writer& w) { write_cost_estimate(w, *r); }));
    }
    if (root == "comments" && n == 2) {
      if (!get) return method_not_allowed();
      auto cm = eng_.read_comment(s[1]);
      if (!cm) return error_response(cm.error());
      return document(200, single([&](json_writer& w) { write_comment(w, *cm); }));
    }
    if (root == "account" && n == 2 && s[1] == "details") {
      if (!get) return method_not_allowed();
      auto sc = sctx(c);
      return document(200, single([&](json_writer& w) { write_user(w, sc); }));
    }
    if (root == "users" && n == 2) {
      if (!get) return method_not_allowed();
      if (s[1] != eng_.options().user_id) return not_found();
      auto sc = sctx(c);
      return document(200, single([&](json_writer& w) { write_user(w, sc); }));
    }
    return not_found();
  }

  // ---------------------------------------------------------------------------------------------
  // request documents
  // ---------------------------------------------------------------------------------------------

  // Parses the body as a JSON document (400 malformed, 413 too large).
  result<json> parse_body(const request_ctx& c, bool allow_empty) const {
    const std::string& body = c.req.body;
    if (body.empty() || body.find_first_not_of(" \t\r\n") == std::string::npos) {
      if (allow_empty) return json::object();
      return make_error(errc::parse_error, "Request body is empty: a JSON:API document is required");
    }
    if (body.size() > opts_.max_json_bytes)
      return make_error(errc::payload_too_large, "Request document exceeds " + std::to_string(opts_.max_json_bytes) + " bytes");
    json_parse_options po;
    po.max_size = opts_.max_json_bytes;
    po.max_depth = opts_.max_json_depth;
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

  // The data object of a JSON:API request document, checking `type` when given.
  static result<const json*> data_object(const json& doc, std::string_view type, bool type_required) {
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

  // Typed readers for attributes: absent or null -> nullopt; wrong type -> 422 with a pointer.
  class attr_reader {
   public:
    explicit attr_reader(const json* data) : attrs_(data ? data->find("attributes") : nullptr) {}
    std::optional<bool> boolean(std::string_view key) { return get<bool>(key, "a boolean", [](const json& v) { return v.as_bool(); }); }
    std::optional<std::string> string(std::string_view key) {
      auto v = get<std::string_view>(key, "a string", [](const json& x) { return x.as_string(); });
      if (!v) return std::nullopt;
      return std::string(*v);
    }
    std::optional<std::optional<std::int64_t>> nullable_int(std::string_view key) {
      const json* v = find(key);
      if (!v) return std::nullopt;
      if (v->is_null()) return std::optional<std::int64_t>();
      auto i = v->as_int();
      if (!i) return fail(key, "an integer"), std::nullopt;
      return std::optional<std::int64_t>(*i);
    }
    std::optional<std::vector<std::string>> strings(std::string_view key) {
      const json* v = find(key);
      if (!v || v->is_null()) return std::nullopt;
      const auto* arr = v->as_array();
      if (!arr) return fail(key, "an array of strings"), std::nullopt;
      std::vector<std::string> out;
      for (const auto& e : *arr) {
        auto sv = e.as_string();
        if (!sv) return fail(key, "an array of strings"), std::nullopt;
        out.emplace_back(*sv);
      }
      return out;
    }
    std::optional<std::vector<run_variable>> variables(std::string_view key) {
      const json* v = find(key);
      if (!v || v->is_null()) return std::nullopt;
      const auto* arr = v->as_array();
      if (!arr) return fail(key, "an array of {key, value} objects"), std::nullopt;
      std::vector<run_variable> out;
      for (const auto& e : *arr) {
        auto k = e["key"].as_string();
        auto val = e["value"].as_string();
        if (!k || !val) return fail(key, "an array of {key, value} objects"), std::nullopt;
        out.push_back(run_variable{std::string(*k), std::string(*val)});
      }
      return out;
    }
    const std::optional<error>& failure() const noexcept { return err_; }

   private:
    const json* find(std::string_view key) const {
      if (!attrs_ || !attrs_->is_object()) return nullptr;
      return attrs_->find(key);
    }
    template <class T, class F>
    std::optional<T> get(std::string_view key, const char* what, F&& conv) {
      const json* v = find(key);
      if (!v || v->is_null()) return std::nullopt;
      auto x = conv(*v);
      if (!x) {
        fail(key, what);
        return std::nullopt;
      }
      return T(*x);
    }
    void fail(std::string_view key, const char* what) {
      if (!err_)
        err_ = error{errc::validation_failed, std::string(key) + " must be " + what,
                     "/data/attributes/" + std::string(key)};
    }
    const json* attrs_;
    std::optional<error> err_;
  };

  // The id of a to-one relationship: absent or null data -> empty; malformed -> 422.
  static result<std::string> relationship_id(const json& data, std::string_view name, std::string_view type) {
    const json* rels = data.find("relationships");
    if (!rels || rels->is_null()) return std::string();
    if (!rels->is_object()) return make_error(errc::validation_failed, "relationships must be an object", "/data/relationships");
    const json* rel = rels->find(name);
    const std::string ptr = "/data/relationships/" + std::string(name);
    if (!rel || rel->is_null()) return std::string();
    if (!rel->is_object()) return make_error(errc::validation_failed, std::string(name) + " must be an object", ptr);
    const json* d = rel->find("data");
    if (!d || d->is_null()) return std::string();
    if (!d->is_object()) return make_error(errc::validation_failed, std::string(name) + " data must be an object", ptr + "/data");
    auto id = (*d)["id"].as_string();
    if (!id || id->empty()) return make_error(errc::validation_failed, std::string(name) + " id is required", ptr + "/data/id");
    auto t = (*d)["type"].as_string();
    if (t && !t->empty() && *t != type)
      return make_error(errc::validation_failed, std::string(name) + " type must be " + std::string(type), ptr + "/data/type");
    return std::string(*id);
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
  static constexpr std::string_view workspace_includes[] = {
      "organization", "current_configuration_version", "current_configuration_version.ingress_attributes",
      "current_run", "current_run.plan", "current_run.configuration_version",
      "current_run.configuration_version.ingress_attributes", "locked_by", "outputs", "project", "readme",
      "effective_tag_bindings"};
  static constexpr std::string_view run_includes[] = {
      "plan", "apply", "created_by", "cost_estimate", "configuration_version",
      "configuration_version.ingress_attributes", "workspace", "task_stages"};
  static constexpr std::string_view configuration_version_includes[] = {"ingress_attributes", "run"};

  template <std::size_t N>
  static result<std::vector<std::string>> includes(const request_ctx& c, const std::string_view (&allowed)[N]) {
    auto inc = c.q.joined("include");
    std::vector<std::string> out;
    if (!inc) return out;
    for (auto& item : split_list(*inc)) {
      if (std::find(std::begin(allowed), std::end(allowed), item) == std::end(allowed))
        return make_error(errc::bad_request, "Invalid include parameter: '" + item.substr(0, 64) + "' is not supported");
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
      std::string u = c.base + "/api/v2";
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
    if (pg.current_page > 1 && pg.current_page <= total_pages) w.member("prev-page", static_cast<std::int64_t>(pg.current_page - 1));
    else w.key("prev-page").null_value();
    if (pg.current_page < total_pages) w.member("next-page", static_cast<std::int64_t>(pg.current_page + 1));
    else w.key("next-page").null_value();
    w.member("total-pages", static_cast<std::int64_t>(total_pages));
    w.member("total-count", static_cast<std::int64_t>(pg.total_count));
    w.end_object().end_object();
    w.end_object();
    return b;
  }

  static http_response delete_result(const result<void>& r) {
    if (!r) return error_response(r.error());
    return empty(204);
  }

  // ---------------------------------------------------------------------------------------------
  // organizations
  // ---------------------------------------------------------------------------------------------
  result<organization_options> organization_body(const request_ctx& c) const {
    auto doc = parse_body(c, false);
    if (!doc) return doc.error();
    auto data = data_object(*doc, "organizations", false);
    if (!data) return data.error();
    attr_reader a(*data);
    organization_options o;
    o.name = a.string("name");
    o.email = a.string("email");
    o.session_timeout = a.nullable_int("session-timeout");
    o.session_remember = a.nullable_int("session-remember");
    o.collaborator_auth_policy = a.string("collaborator-auth-policy");
    o.cost_estimation_enabled = a.boolean("cost-estimation-enabled");
    o.policy_checks_enabled = a.boolean("policy-checks-enabled");
    o.owners_team_saml_role_id = a.string("owners-team-saml-role-id");
    o.default_execution_mode = a.string("default-execution-mode");
    o.assessments_enforced = a.boolean("assessments-enforced");
    if (a.failure()) return *a.failure();
    return o;
  }
  http_response list_organizations(const request_ctx& c) {
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
        const bool any_ok = q_any.empty() || o.name.find(q_any) != std::string::npos ||
                            o.email.find(q_any) != std::string::npos;
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
  http_response create_organization(const request_ctx& c) {
    auto o = organization_body(c);
    if (!o) return error_response(o.error());
    auto org = eng_.create_organization(*o);
    if (!org) return error_response(org.error());
    return document(201, single([&](json_writer& w) { write_organization(w, *org); }));
  }
  http_response read_organization(const std::string& name) {
    auto org = eng_.read_organization(name);
    if (!org) return error_response(org.error());
    return document(200, single([&](json_writer& w) { write_organization(w, *org); }));
  }
  http_response update_organization(const request_ctx& c, const std::string& name) {
    auto o = organization_body(c);
    if (!o) return error_response(o.error());
    auto org = eng_.update_organization(name, *o);
    if (!org) return error_response(org.error());
    return document(200, single([&](json_writer& w) { write_organization(w, *org); }));
  }
  http_response entitlements(const std::string& org) {
    auto o = eng_.read_organization(org);
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
    auto doc = parse_body(c, false);
    if (!doc) return doc.error();
    auto data = data_object(*doc, "workspaces", false);
    if (!data) return data.error();
    attr_reader a(*data);
    workspace_options o;
    o.name = a.string("name");
    o.description = a.string("description");
    o.auto_apply = a.boolean("auto-apply");
    o.auto_apply_run_trigger = a.boolean("auto-apply-run-trigger");
    o.queue_all_runs = a.boolean("queue-all-runs");
    o.speculative_enabled = a.boolean("speculative-enabled");
    o.allow_destroy_plan = a.boolean("allow-destroy-plan");
    o.file_triggers_enabled = a.boolean("file-triggers-enabled");
    o.global_remote_state = a.boolean("global-remote-state");
    o.structured_run_output_enabled = a.boolean("structured-run-output-enabled");
    o.assessments_enabled = a.boolean("assessments-enabled");
    o.execution_mode = a.string("execution-mode");
    o.operations = a.boolean("operations");
    o.terraform_version = a.string("terraform-version");
    o.working_directory = a.string("working-directory");
    o.source_name = a.string("source-name");
    o.source_url = a.string("source-url");
    o.agent_pool_id = a.string("agent-pool-id");
    o.trigger_prefixes = a.strings("trigger-prefixes");
    o.trigger_patterns = a.strings("trigger-patterns");
    o.tag_names = a.strings("tag-names");
    if (a.failure()) return *a.failure();
    return o;
  }
  http_response workspace_resource(const request_ctx& c, const std::string& id, const std::string& m, bool get) {
    if (get) {
      auto inc = includes(c, workspace_includes);
      if (!inc) return error_response(inc.error());
      auto ws = eng_.read_workspace(id);
      if (!ws) return error_response(ws.error());
      return document(200, workspace_document(c, *ws, *inc));
    }
    if (m == "PATCH") {
      auto o = workspace_body(c);
      if (!o) return error_response(o.error());
      auto ws = eng_.update_workspace(id, *o);
      if (!ws) return error_response(ws.error());
      return document(200, workspace_document(c, *ws, {}));
    }
    if (m == "DELETE") return delete_result(eng_.delete_workspace(id));
    return method_not_allowed();
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
    if ((has(inc, "current_configuration_version") ||
         has(inc, "current_configuration_version.ingress_attributes")) &&
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
  http_response list_workspaces(const request_ctx& c, const std::string& org) {
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
    return document(200, collection(c, *pg, [](json_writer& w, const workspace& ws) { write_workspace(w, ws); }, included));
  }
  http_response create_workspace(const request_ctx& c, const std::string& org) {
    if (auto o = eng_.read_organization(org); !o) return error_response(o.error());
    auto o = workspace_body(c);
    if (!o) return error_response(o.error());
    auto ws = eng_.create_workspace(org, *o);
    if (!ws) return error_response(ws.error());
    return document(201, workspace_document(c, *ws, {}));
  }
  http_response workspace_action(const request_ctx& c, const std::string& id, const std::string& action) {
    if (c.req.method != "POST") return method_not_allowed();
    result<workspace> ws = make_error(errc::not_found, "unknown workspace action");
    if (action == "lock") {
      auto doc = parse_body(c, true);
      if (!doc) return error_response(doc.error());
      // Accept {"reason": "..."} (docs, go-tfe 0.11) and {"data":{"attributes":{"reason":...}}} (newer go-tfe).
      std::string reason;
      if (auto r = (*doc)["reason"].as_string()) reason = std::string(*r);
      else if (auto r2 = (*doc)["data"]["attributes"]["reason"].as_string()) reason = std::string(*r2);
      else if (doc->is_object() && doc->contains("reason") && !(*doc)["reason"].is_null())
        return error_response(errc::validation_failed, "reason must be a string", "/reason");
      ws = eng_.lock_workspace(id, std::move(reason));
    } else if (action == "unlock") {
      ws = eng_.unlock_workspace(id);
    } else if (action == "force-unlock") {
      ws = eng_.force_unlock_workspace(id);
    } else if (action == "safe-delete") {
      auto cur = eng_.read_workspace(id);
      if (!cur) return error_response(cur.error());
      if (cur->locked()) return error_response(errc::conflict, "Workspace is locked and cannot be deleted");
      return delete_result(eng_.delete_workspace(id));
    } else {
      return not_found();
    }
    if (!ws) return error_response(ws.error());
    return document(200, workspace_document(c, *ws, {}));
  }

  // ---------------------------------------------------------------------------------------------
  // configuration versions
  // ---------------------------------------------------------------------------------------------
  http_response create_configuration_version(const request_ctx& c, const std::string& ws_id) {
    if (auto ws = eng_.read_workspace(ws_id); !ws) return error_response(ws.error());
    auto doc = parse_body(c, true);
    if (!doc) return error_response(doc.error());
    configuration_version_options o;
    if (doc->contains("data")) {
      auto data = data_object(*doc, "configuration-versions", false);
      if (!data) return error_response(data.error());
      attr_reader a(*data);
      o.auto_queue_runs = a.boolean("auto-queue-runs");
      o.speculative = a.boolean("speculative");
      o.provisional = a.boolean("provisional");
      if (a.failure()) return error_response(*a.failure());
    } else if (!doc->empty()) {
      return error_response(errc::validation_failed, "data is required", "/data");
    }
    auto cv = eng_.create_configuration_version(ws_id, o);
    if (!cv) return error_response(cv.error());
    const std::string url = upload_url(c, *cv);
    return document(201, single([&](json_writer& w) { write_configuration_version(w, *cv, url); }));
  }
  http_response list_configuration_versions(const request_ctx& c, const std::string& ws_id) {
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
  http_response upload(const http_request& req, const std::string& token) {
    if (req.method != "PUT") return method_not_allowed();
    if (req.body.size() > opts_.max_upload_bytes)
      return error_response(errc::payload_too_large, "Upload exceeds " + std::to_string(opts_.max_upload_bytes) + " bytes");
    auto cv = eng_.upload_configuration(token, req.body);
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
  void write_run_includes(json_writer& w, const run& r, const std::vector<std::string>& inc, const serialize_context& sc) {
    if (has(inc, "plan")) write_plan(w, r, sc);
    if (has(inc, "apply")) write_apply(w, r, sc);
    if (has(inc, "created_by")) write_user(w, sc);
    if (has(inc, "cost_estimate") && r.cost_estimation && r.entered_at(run_status::cost_estimating))
      write_cost_estimate(w, r);
    if (has(inc, "configuration_version") || has(inc, "configuration_version.ingress_attributes"))
      if (auto cv = eng_.read_configuration_version(r.configuration_version_id)) write_configuration_version(w, *cv, {});
    if (has(inc, "workspace"))
      if (auto ws = eng_.read_workspace(r.workspace_id)) write_workspace(w, *ws);
  }
  http_response read_run(const request_ctx& c, const std::string& id) {
    auto inc = includes(c, run_includes);
    if (!inc) return error_response(inc.error());
    auto r = eng_.read_run(id);
    if (!r) return error_response(r.error());
    return document(200, run_document(c, *r, *inc));
  }
  http_response list_runs(const request_ctx& c, const std::string& ws_id) {
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
      for (run_status s : req.statuses.empty() ? std::vector<run_status>(std::begin(all_run_statuses),
                                                                          std::end(all_run_statuses))
                                               : req.statuses)
        if (in_group(s)) kept.push_back(s);
      if (kept.empty()) {  // nothing can match: an empty page
        page<run> none;
        none.current_page = p->number;
        none.page_size = p->size;
        return document(200, collection(c, none, [](json_writer&, const run&) {}));
      }
      req.statuses = std::move(kept);
    }
    auto pg = eng_.list_runs(ws_id, req);
    if (!pg) return error_response(pg.error());
    auto sc = sctx(c);
    std::vector<std::function<void(json_writer&)>> included;
    if (!inc->empty())
      for (const auto& r : pg->items)
        included.push_back([this, &r, &inc, &sc](json_writer& w) { write_run_includes(w, r, *inc, sc); });
    return document(200, collection(c, *pg, [&sc](json_writer& w, const run& r) { write_run(w, r, sc); }, included));
  }
  http_response create_run(const request_ctx& c) {
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
    attr_reader a(*data);
    run_options o;
    o.message = a.string("message");
    o.is_destroy = a.boolean("is-destroy");
    o.refresh = a.boolean("refresh");
    o.refresh_only = a.boolean("refresh-only");
    o.plan_only = a.boolean("plan-only");
    o.auto_apply = a.boolean("auto-apply");
    o.allow_empty_apply = a.boolean("allow-empty-apply");
    o.allow_config_generation = a.boolean("allow-config-generation");
    o.save_plan = a.boolean("save-plan");
    o.debugging_mode = a.boolean("debugging-mode");
    o.terraform_version = a.string("terraform-version");
    o.target_addrs = a.strings("target-addrs");
    o.replace_addrs = a.strings("replace-addrs");
    o.variables = a.variables("variables");
    if (a.failure()) return error_response(*a.failure());
    if (o.message && o.message->empty()) o.message.reset();
    if (!is_valid_id_text(*ws_id)) return error_response(errc::not_found, "workspace '" + ws_id->substr(0, 64) + "' not found");
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
  http_response run_action(const request_ctx& c, const std::string& id, const std::string& action) {
    std::string comment;
    if (action != "force-execute") {
      auto doc = parse_body(c, true);
      if (!doc) return error_response(doc.error());
      if (!doc->is_object()) return error_response(errc::validation_failed, "Body must be a JSON object");
      const json& cm = (*doc)["comment"];
      if (!cm.is_null()) {
        auto s = cm.as_string();
        if (!s) return error_response(errc::validation_failed, "comment must be a string", "/comment");
        comment = std::string(*s);
      }
    }
    result<void> r = make_error(errc::not_found, "unknown run action");
    if (action == "apply") r = eng_.apply_run(id, std::move(comment));
    else if (action == "discard") r = eng_.discard_run(id, std::move(comment));
    else if (action == "cancel") r = eng_.cancel_run(id, std::move(comment));
    else if (action == "force-cancel") r = eng_.force_cancel_run(id, std::move(comment));
    else if (action == "force-execute") r = eng_.force_execute_run(id);
    else if (action == "override-policy") r = eng_.override_policy(id, std::move(comment));
    else return not_found();
    if (!r) return error_response(r.error());
    return empty(202);
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
  http_response list_comments(const std::string& run_id) {
    auto cs = eng_.list_comments(run_id);
    if (!cs) return error_response(cs.error());
    std::string b;
    json_writer w(b);
    w.begin_object().key("data").begin_array();
    for (const auto& cm : *cs) write_comment(w, cm);
    w.end_array().end_object();
    return document(200, std::move(b));
  }
  http_response create_comment(const request_ctx& c, const std::string& run_id) {
    auto doc = parse_body(c, false);
    if (!doc) return error_response(doc.error());
    auto data = data_object(*doc, "comments", false);
    if (!data) return error_response(data.error());
    attr_reader a(*data);
    auto body = a.string("body");
    if (a.failure()) return error_response(*a.failure());
    auto cm = eng_.create_comment(run_id, body.value_or(std::string()));
    if (!cm) return error_response(cm.error());
    return document(201, single([&](json_writer& w) { write_comment(w, *cm); }));
  }
  http_response logs(const http_request& req, const std::string& phase_id, const std::string& mac) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed();
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
  fault_injector faults_;
  request_journal journal_;
  std::uint64_t key_[4] = {};
};

/// The API over the default engine.
using api = basic_api<engine>;

}  // namespace tfe

#endif  // TFE_API_HANDLER_HPP
