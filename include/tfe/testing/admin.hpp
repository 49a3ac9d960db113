// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The admin API under /_tfe/: reset, snapshots, faults, the request journal, stepping, scripts, the clock.
#ifndef TFE_TESTING_ADMIN_HPP
#define TFE_TESTING_ADMIN_HPP

#include <tfe/api/auth.hpp>
#include <tfe/api/error_document.hpp>
#include <tfe/api/http_message.hpp>
#include <tfe/api/query.hpp>
#include <tfe/api/router.hpp>
#include <tfe/json.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/codec.hpp>
#include <tfe/model/time.hpp>
#include <tfe/policies/executor.hpp>
#include <tfe/policies/features.hpp>
#include <tfe/policies/id_generator.hpp>
#include <tfe/result.hpp>
#include <tfe/testing/controls.hpp>
#include <tfe/testing/faults.hpp>
#include <tfe/testing/journal.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tfe {

/// Who may use the admin API.
struct admin_options {
  std::string token;          ///< when set, every admin request needs "Authorization: Bearer <token>"
  bool loopback_only = true;  ///< without a token, only in-process and loopback peers are served (else 403)
  std::size_t max_body_bytes = 64u << 20;  ///< largest admin request body, e.g. a snapshot to restore (413 above)
  std::optional<std::uint64_t> seed;       ///< reset reseeds the ids and the fault generator with it
};

namespace detail {
/// True for in-process requests (no address) and loopback peers (127.0.0.0/8, ::1, ::ffff:127.x).
inline bool is_loopback_peer(std::string_view addr) noexcept {
  if (addr.empty()) return true;
  if (addr.front() == '[') addr.remove_prefix(1);
  auto starts = [&](std::string_view p) { return addr.substr(0, p.size()) == p; };
  return starts("127.") || starts("::ffff:127.") || addr == "::1" || starts("::1]");
}

/// Decodes {"errored", "error-message", "counts", "no-changes", "duration-ms", "log", "slow-cancel",
/// "cancel-duration-ms"} into a phase outcome.
inline result<phase_outcome> phase_from_json(const json& j, const std::string& at) {
  if (!j.is_object()) return make_error(errc::validation_failed, "a phase outcome must be an object", at);
  phase_outcome o;
  for (const auto& m : *j.as_object()) {
    const std::string& k = m.first;
    const json& v = m.second;
    const std::string where = at + "/" + k.substr(0, 64);
    auto bad = [&](const char* why) {
      return make_error(errc::validation_failed, k.substr(0, 64) + ": " + why, where);
    };
    auto ms = [&](milliseconds& out) {
      auto n = v.as_int();
      if (!n || *n < 0 || *n > std::int64_t{86400000} * 365) return false;
      out = milliseconds(*n);
      return true;
    };
    if (k == "errored") {
      auto b = v.as_bool();
      if (!b) return bad("must be true or false");
      o.errored = *b;
    } else if (k == "error-message" || k == "log") {
      auto s = v.as_string();
      if (!s) return bad("must be a string");
      (k == "log" ? o.log : o.error_message) = std::string(*s);
    } else if (k == "counts") {
      resource_counts c;
      if (!decode_value(v, c)) return bad("must be {additions, changes, destructions, imports} (non-negative)");
      o.counts = c;
    } else if (k == "no-changes") {
      auto b = v.as_bool();
      if (!b) return bad("must be true or false");
      if (*b) o.counts = resource_counts{};
    } else if (k == "duration-ms") {
      if (!ms(o.duration)) return bad("must be milliseconds (0 to a year)");
    } else if (k == "cancel-duration-ms") {
      if (!ms(o.cancel_duration)) return bad("must be milliseconds (0 to a year)");
    } else if (k == "slow-cancel") {
      auto b = v.as_bool();
      if (!b) return bad("must be true or false");
      o.slow_cancel = *b;
    } else {
      return make_error(errc::validation_failed, "unknown member '" + k.substr(0, 64) + "'", where);
    }
  }
  return o;
}
}  // namespace detail

/// Serves the admin API under /_tfe/ (docs/testing.md) and hands every other request to `Api`, a
/// basic_test_controls (the fault and journal endpoints use its controls). Admin requests are never
/// faulted nor journaled.
template <class Api>
class basic_admin_api {
 public:
  using engine_type = typename Api::engine_type;  ///< the engine behind the API
  /// What handle() answers: the wrapped layer's response type (faulted_response for basic_test_controls).
  using response_type = decltype(std::declval<Api&>().handle(std::declval<const http_request&>()));

  /// Wraps `api` (which must outlive this object).
  explicit basic_admin_api(Api& wrapped, admin_options options = {}) : api_(wrapped), opts_(std::move(options)) {}

  /// Handles one request: /_tfe/... here, anything else through the wrapped API.
  response_type handle(const http_request& req) {
    const std::string_view path = req.path();
    if (path != "/_tfe" && path.substr(0, 6) != "/_tfe/") return api_.handle(req);
    http_response res = admin(req);
    res.set_header("Cache-Control", "no-store");
    if (res.header("Content-Type").empty() && !res.body.empty()) res.set_header("Content-Type", "application/json");
    if (req.method == "HEAD") res.body.clear();
    return res;
  }

  /// The wrapped API.
  Api& api() noexcept { return api_; }

  /// True when `req` may use the admin API (the admin token, or a loopback peer without one); else
  /// `refusal` holds the 401 or 403 answer. Hosts serving more under /_tfe/ apply the same rule.
  bool authorized(const http_request& req, http_response& refusal) const {
    if (!opts_.token.empty()) {
      const std::string_view token = bearer_token(req.header("Authorization"));
      if (!token.empty() && token == opts_.token) return true;
      refusal = error(errc::unauthorized, "The admin API needs the admin token (tfe-server --admin-token)");
      return false;
    }
    if (!opts_.loopback_only || detail::is_loopback_peer(req.remote_address)) return true;
    refusal = error(errc::forbidden, "The admin API is served to loopback clients only unless --admin-token is set");
    return false;
  }

  /// The admin routes: method and path pattern of every endpoint (docs/testing.md#the-admin-api).
  static std::vector<std::pair<std::string_view, std::string_view>> routes() {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    for (const auto& r : table()) out.emplace_back(r.method, r.pattern);
    return out;
  }

 private:
  using handler_fn = http_response (basic_admin_api::*)(const http_request&, const std::vector<std::string_view>&);
  using params = std::vector<std::string_view>;

  // (a function: its body may name the members declared below)
  // The table compiled for matching, once.
  static const route_index<handler_fn>& index() {
    static const route_index<handler_fn> compiled(table());
    return compiled;
  }
  static const auto& table() {
    static constexpr route<handler_fn> rows[] = {
        {"GET", "/_tfe", &basic_admin_api::endpoints},
        {"POST", "/_tfe/reset", &basic_admin_api::reset},
        {"GET", "/_tfe/snapshot", &basic_admin_api::snapshot},
        {"POST", "/_tfe/restore", &basic_admin_api::restore},
        {"GET", "/_tfe/faults", &basic_admin_api::list_faults},
        {"POST", "/_tfe/faults", &basic_admin_api::add_faults},
        {"DELETE", "/_tfe/faults", &basic_admin_api::clear_faults},
        {"GET", "/_tfe/requests", &basic_admin_api::requests},
        {"DELETE", "/_tfe/requests", &basic_admin_api::clear_requests},
        {"POST", "/_tfe/runs/:id/advance", &basic_admin_api::advance},
        {"POST", "/_tfe/script", &basic_admin_api::script},
        {"DELETE", "/_tfe/script", &basic_admin_api::clear_script},
        {"GET", "/_tfe/clock", &basic_admin_api::clock},
        {"POST", "/_tfe/clock/advance", &basic_admin_api::advance_clock},
    };
    return rows;
  }

  static http_response error(errc c, std::string_view message, std::string_view pointer = {}) {
    return error_response(c, message, pointer);
  }
  static http_response error(const tfe::error& e) { return error_response(e); }
  static http_response json_response(int status, const json& doc) {
    http_response r;
    r.status = status;
    r.body = doc.dump();
    r.set_header("Content-Type", "application/json");
    return r;
  }
  static http_response no_content() {
    http_response r;
    r.status = 204;
    return r;
  }

  result<json> body_json(const http_request& req) const {
    if (req.body.size() > opts_.max_body_bytes)
      return make_error(errc::payload_too_large, "admin request body too large");
    json_parse_options po;
    po.max_size = opts_.max_body_bytes;
    po.max_depth = 64;
    auto doc = json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), po);
    if (!doc) return make_error(errc::bad_request, "The request body is not valid JSON: " + doc.error().message);
    return doc;
  }

  http_response admin(const http_request& req) {
    http_response refusal;
    if (!authorized(req, refusal)) return refusal;
    auto segs = path_segments(req.path());
    if (!segs) return error(errc::bad_request, "Malformed request path");
    auto m = index().match(req.method, *segs);
    if (m.found) return (this->*(m.found->fn))(req, m.params);
    if (!m.allow.empty()) {
      http_response r = error(errc::method_not_allowed, "This method is not supported on this admin path");
      r.set_header("Allow", m.allow);
      return r;
    }
    return error(errc::not_found, "No such admin endpoint (GET /_tfe/ lists them)");
  }

  http_response endpoints(const http_request&, const params&) {
    // "GET|POST|DELETE /_tfe/faults", in table order, placeholders as {id}
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& r : table()) {
      std::string path;
      for (std::size_t i = 0; i < r.pattern.size(); ++i) {
        if (r.pattern[i] == ':') {
          const std::size_t end = r.pattern.find('/', i);
          path += '{';
          path += r.pattern.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1);
          path += '}';
          if (end == std::string_view::npos) break;
          i = end - 1;
        } else {
          path += r.pattern[i];
        }
      }
      if (path == "/_tfe") path = "/_tfe/";
      auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& x) { return x.second == path; });
      if (it == rows.end()) rows.emplace_back(std::string(r.method), path);
      else it->first += "|" + std::string(r.method);
    }
    json list = json::array();
    for (const auto& row : rows) list.push_back(json(row.first + " " + row.second));
    return json_response(200, json::object({{"endpoints", std::move(list)}}));
  }

  http_response reset(const http_request&, const params&) {
    if (auto r = api_.engine().reset(); !r) return error(r.error());
    api_.faults().clear();
    api_.journal().clear();
    clear_scripts();
    if (opts_.seed) {  // the same requests after a reset give the same ids again
      api_.engine().seed_ids(*opts_.seed);
      api_.faults().seed(*opts_.seed);
    }
    return no_content();
  }
  http_response snapshot(const http_request&, const params&) { return json_response(200, api_.engine().snapshot()); }
  http_response restore(const http_request& req, const params&) {
    auto doc = body_json(req);
    if (!doc) return error(doc.error());
    if (auto r = api_.engine().restore(*doc); !r) return error(r.error());
    return no_content();
  }
  http_response list_faults(const http_request&, const params&) { return faults_document(200); }
  http_response clear_faults(const http_request&, const params&) {
    api_.faults().clear();
    return no_content();
  }
  http_response clear_requests(const http_request&, const params&) {
    api_.journal().clear();
    return no_content();
  }
  http_response advance(const http_request& req, const params& p) {
    auto doc = body_json(req);
    if (!doc) return error(doc.error());
    auto to = (*doc)["to"].as_string();
    std::optional<run_status> st;
    if (to) st = run_status_from_string(*to);
    if (!st) return error(errc::validation_failed, "\"to\" must be a run status such as \"applied\"", "/to");
    auto r = api_.engine().advance_to(p[0], *st);
    if (!r) return error(r.error());
    return json_response(200, json::object({{"id", json(r->id.view())}, {"status", json(to_string(r->status))}}));
  }
  http_response clear_script(const http_request&, const params&) {
    clear_scripts();
    return no_content();
  }
  http_response clock(const http_request&, const params&) { return clock_document(); }

  http_response faults_document(int status) {
    json rules = json::array();
    for (const auto& r : api_.faults().rules()) rules.push_back(fault_rule_to_json(r));
    return json_response(status, json::object({{"rules", std::move(rules)}}));
  }

  // Body: [rule, ...] or {"rules": [rule, ...], "seed": n}. All rules are checked before any is added.
  http_response add_faults(const http_request& req, const params&) {
    auto doc = body_json(req);
    if (!doc) return error(doc.error());
    const json* list = &*doc;
    std::string at;
    std::optional<std::uint64_t> seed;
    if (doc->is_object()) {
      for (const auto& m : *doc->as_object())
        if (m.first != "rules" && m.first != "seed")
          return error(errc::validation_failed, "unknown member '" + m.first.substr(0, 64) + "'",
                       "/" + m.first.substr(0, 64));
      list = &(*doc)["rules"];
      at = "/rules";
      if (const json* sd = doc->find("seed")) {
        auto v = sd->as_int();
        if (!v || *v < 0) return error(errc::validation_failed, "seed must be a non-negative integer", "/seed");
        seed = static_cast<std::uint64_t>(*v);
      }
    }
    if (!list->is_array()) return error(errc::validation_failed, "expected a list of fault rules", at);
    std::vector<fault_rule> rules;
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto r = fault_rule_from_json((*list)[i], at + "/" + std::to_string(i));
      if (!r) return error(r.error());
      rules.push_back(std::move(*r));
    }
    if (seed) api_.faults().seed(*seed);
    for (auto& r : rules) api_.faults().add(std::move(r));
    return faults_document(201);
  }

  http_response requests(const http_request& req, const params&) {
    query_params q;
    if (!q.parse(req.query())) return error(errc::bad_request, "Malformed query string");
    const auto route = q.get("route");
    const auto run_id = q.get("run");
    std::size_t limit = std::numeric_limits<std::size_t>::max();
    if (auto l = q.get("limit")) {
      std::uint64_t v = 0;
      if (!detail::parse_u64(*l, v)) return error(errc::bad_request, "limit must be a number");
      limit = static_cast<std::size_t>(v);
    }
    const request_journal& j = api_.journal();
    std::vector<journal_entry> all = run_id ? j.for_run(*run_id) : j.entries();
    json routes = json::object();
    json data = json::array();
    std::vector<const journal_entry*> picked;
    for (const auto& e : all) {
      if (json* c = routes.find(e.route)) *c = json(*c->as_int() + 1);
      else routes.set(e.route, json(1));
      if (!route || e.route == *route) picked.push_back(&e);
    }
    const std::size_t skip = picked.size() > limit ? picked.size() - limit : 0;  // the latest `limit`
    for (std::size_t i = skip; i < picked.size(); ++i) {
      const journal_entry& e = *picked[i];
      json runs = json::array();
      for (const auto& r : e.runs) runs.push_back(json(r));
      data.push_back(json::object({{"seq", json(static_cast<std::int64_t>(e.seq))},
                                   {"at", json(to_iso8601(e.at))},
                                   {"method", json(e.method)},
                                   {"target", json(e.target)},
                                   {"route", json(e.route)},
                                   {"status", json(e.status)},
                                   {"faulted", json(e.faulted)},
                                   {"runs", std::move(runs)},
                                   {"request-body", json(e.request_body)},
                                   {"response-body", json(e.response_body)}}));
    }
    json meta = json::object({{"count", json(static_cast<std::int64_t>(picked.size()))},
                              {"capacity", json(static_cast<std::int64_t>(j.capacity()))},
                              {"dropped", json(static_cast<std::int64_t>(j.dropped()))},
                              {"routes", std::move(routes)}});
    return json_response(200, json::object({{"data", std::move(data)}, {"meta", std::move(meta)}}));
  }

  void clear_scripts() {
    if constexpr (detail::has_scripts<typename engine_type::executor_type>::value)
      api_.engine().with_executor([](auto& x) { x.clear_scripts(); });
  }

  // Body: {"run"|"workspace": id, or "next": true; "plan", "apply": phase outcomes; "policy"; "cost-delta"}.
  http_response script(const http_request& req, const params&) {
    if constexpr (!detail::has_scripts<typename engine_type::executor_type>::value) {
      (void)req;
      return error(errc::conflict, "This engine's executor cannot be scripted");
    } else {
      auto doc = body_json(req);
      if (!doc) return error(doc.error());
      if (!doc->is_object()) return error(errc::validation_failed, "a script must be an object", "");
      run_script sc;
      std::optional<resource_id> run_id, ws_id;
      bool next = false;
      for (const auto& m : *doc->as_object()) {
        const std::string& k = m.first;
        const json& v = m.second;
        const std::string at = "/" + k.substr(0, 64);
        if (k == "run" || k == "workspace") {
          auto id = v.as_string();
          if (!id || !is_valid_id_text(*id)) return error(errc::validation_failed, k + " must be an id", at);
          (k == "run" ? run_id : ws_id) = resource_id(*id);
        } else if (k == "next") {
          auto b = v.as_bool();
          if (!b) return error(errc::validation_failed, "next must be true or false", at);
          next = *b;
        } else if (k == "plan" || k == "apply") {
          auto o = detail::phase_from_json(v, at);
          if (!o) return error(o.error());
          (k == "plan" ? sc.plan : sc.apply) = std::move(*o);
        } else if (k == "policy") {
          std::optional<policy_result> p;
          if (auto t = v.as_string()) p = detail::enum_from_name<policy_result>(*t);
          if (!p) return error(errc::validation_failed, "policy must be pass, soft-fail or hard-fail", at);
          sc.policy = *p;
        } else if (k == "cost-delta") {
          auto d = v.as_double();
          if (!d) return error(errc::validation_failed, "cost-delta must be a number", at);
          sc.cost_delta = *d;
        } else {
          return error(errc::validation_failed, "unknown member '" + k.substr(0, 64) + "'", at);
        }
      }
      if (int(run_id.has_value()) + int(ws_id.has_value()) + int(next) != 1)
        return error(errc::validation_failed, "give exactly one of run, workspace or \"next\": true", "");
      auto& eng = api_.engine();
      if (run_id) {
        if (auto r = eng.read_run(run_id->view()); !r) return error(r.error());
        eng.with_executor([&](auto& x) { x.script_run(*run_id, sc); });
      } else if (ws_id) {
        if (auto w = eng.read_workspace(ws_id->view()); !w) return error(w.error());
        eng.with_executor([&](auto& x) { x.script_workspace(*ws_id, sc); });
      } else {
        eng.with_executor([&](auto& x) { x.script_next(sc); });
      }
      return no_content();
    }
  }

  bool manual_clock() {
    using clock_type = typename engine_type::clock_type;
    if constexpr (!detail::has_advance<clock_type>::value) return false;
    else if constexpr (detail::has_frozen<clock_type>::value) return api_.engine().clock().frozen();
    else return true;
  }

  http_response clock_document() {
    return json_response(
        200, json::object({{"now", json(to_iso8601(api_.engine().now()))}, {"manual", json(manual_clock())}}));
  }

  // Body: {"seconds": n} or {"ms": n}; moves the manual clock and performs every step now due.
  http_response advance_clock(const http_request& req, const params&) {
    if (!manual_clock())
      return error(errc::conflict, "The clock follows the system time; start tfe-server with --manual-clock");
    auto doc = body_json(req);
    if (!doc) return error(doc.error());
    std::optional<double> secs;
    if (!doc->is_object()) return error(errc::validation_failed, "expected {\"seconds\": n} or {\"ms\": n}", "");
    for (const auto& m : *doc->as_object()) {
      auto d = m.second.as_double();
      if (m.first == "seconds" && d) secs = *d;
      else if (m.first == "ms" && d) secs = *d / 1000.0;
      else
        return error(errc::validation_failed, "expected {\"seconds\": n} or {\"ms\": n}", "/" + m.first.substr(0, 64));
    }
    if (!secs || !(*secs >= 0 && *secs <= 86400.0 * 3650))
      return error(errc::validation_failed, "the time to advance must be from 0 to ten years", "");
    if constexpr (detail::has_advance<typename engine_type::clock_type>::value) {
      // Step by step: each due step fires at its own time, so timestamps come out as they would live.
      auto& eng = api_.engine();
      const time_point target = eng.now() + milliseconds(static_cast<std::int64_t>(*secs * 1000.0 + 0.5));
      for (;;) {
        auto due = eng.next_due();
        if (!due || *due > target) break;
        if (*due > eng.now()) eng.clock().advance(*due - eng.now());
        if (eng.poll() == 0 && eng.next_due() == due) break;  // only stale steps left at this time
      }
      if (target > eng.now()) eng.clock().advance(target - eng.now());
      eng.poll();
    }
    return clock_document();
  }

  Api& api_;
  admin_options opts_;
};

}  // namespace tfe

#endif  // TFE_TESTING_ADMIN_HPP
