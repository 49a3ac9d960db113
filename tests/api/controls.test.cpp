// Test controls through the API layer: faults, the request journal, the admin API, determinism.
#include "support/api_fixture.hpp"
#include "support/catch.hpp"

#include <algorithm>
#include <string>
#include <vector>

using tfe_test::api_fixture;

namespace {

using admin_handler = tfe::basic_admin_api<tfe_test::api_handler>;

// The API fixture with a journal and the admin API in front.
struct admin_fixture : api_fixture {
  admin_handler admin;
  tfe::in_process_transport<admin_handler> ctl;

  explicit admin_fixture(tfe::admin_options o = {}) : admin(api, std::move(o)), ctl(admin, "") {
    api.journal().set_capacity(1000);
  }
  tfe::http_response post(const std::string& path, const std::string& body) { return ctl.post(path, body); }
};

}  // namespace

TEST_CASE("glob patterns match paths", "[api][faults]") {
  CHECK(tfe::glob_match("*", "/api/v2/runs"));
  CHECK(tfe::glob_match("/api/v2/runs/*/actions/apply", "/api/v2/runs/run-1/actions/apply"));
  CHECK_FALSE(tfe::glob_match("/api/v2/runs/*/actions/apply", "/api/v2/runs/run-1/actions/discard"));
  CHECK(tfe::glob_match("/api/v2/runs*", "/api/v2/runs"));
  CHECK(tfe::glob_match("*/plan", "/api/v2/runs/run-1/plan"));
  CHECK_FALSE(tfe::glob_match("/api/v2/runs", "/api/v2/runs/x"));
  CHECK(tfe::glob_match("a*b*c", "aXXbYYc"));
  CHECK_FALSE(tfe::glob_match("a*b*c", "aXXbYY"));
}

TEST_CASE("a 429 fault answers like TFE's rate limiter, then the request goes through", "[api][faults]") {
  api_fixture f;
  tfe::fault_rule r;
  r.method = "GET";
  r.path = "/api/v2/runs/*";
  r.status = 429;
  r.retry_after = 0.25;
  r.count = 2;
  f.api.faults().add(r);
  f.uploaded_cv();
  const std::string id = f.create_run();  // POST: not matched
  for (int i = 0; i < 2; ++i) {
    auto res = f.http.get("/api/v2/runs/" + id);
    CHECK(res.status == 429);
    CHECK(res.header("Retry-After") == "1");
    CHECK(res.header("X-RateLimit-Reset") == "0.250");
    CHECK(res.header("X-RateLimit-Remaining") == "0");
    auto doc = api_fixture::body(res);
    CHECK(doc["errors"][0]["status"].as_string() == std::optional<std::string_view>("429"));
  }
  CHECK(f.http.get("/api/v2/runs/" + id).status == 200);  // the count is used up
  CHECK(f.api.faults().rules().empty());
}

TEST_CASE("fault rules: status without effects, latency and transport faults as response fields", "[api][faults]") {
  api_fixture f;
  f.uploaded_cv();
  const std::string before = f.observable_state();
  tfe::fault_rule fail;
  fail.method = "POST";
  fail.path = "/api/v2/runs";
  fail.status = 503;
  fail.count = 1;
  f.api.faults().add(fail);
  auto res = f.http.post("/api/v2/runs",
                         R"({"data":{"type":"runs","relationships":{"workspace":{"data":{"type":"workspaces","id":")" +
                             f.ws_id + R"("}}}}})");
  CHECK(res.status == 503);
  CHECK(res.header("Retry-After") == "1");
  CHECK(f.observable_state() == before);  // a status fault never reaches the engine

  tfe::fault_rule slow;
  slow.path = "/api/v2/ping";
  slow.latency = std::chrono::milliseconds(1500);
  slow.transport = tfe::transport_fault::truncate_body;
  f.api.faults().add(slow);
  auto ping = f.http.get("/api/v2/ping");
  CHECK(ping.status == 204);                             // served normally...
  CHECK(ping.delay == std::chrono::milliseconds(1500));  // ...the transport adds the latency
  CHECK(ping.fault == tfe::transport_fault::truncate_body);
  CHECK(f.api.faults().rules().at(0).fired == 1);
}

TEST_CASE("probabilistic faults follow the seed", "[api][faults]") {
  auto pattern = [](std::uint64_t seed) {
    api_fixture f;
    tfe::fault_rule r;
    r.status = 500;
    r.path = "/api/v2/ping";
    r.probability = 0.5;
    f.api.faults().seed(seed);
    f.api.faults().add(r);
    std::string out;
    for (int i = 0; i < 64; ++i) out += f.http.get("/api/v2/ping").status == 500 ? '1' : '0';
    return out;
  };
  const auto a = pattern(1);
  CHECK(a == pattern(1));
  CHECK(a != pattern(2));
  CHECK(a.find('0') != std::string::npos);
  CHECK(a.find('1') != std::string::npos);
}

TEST_CASE("fault rules are validated", "[api][faults]") {
  const char* bad[][2] = {
      {R"([])", ""},
      {R"({"path": "/x"})", ""},
      {R"({"status": 42})", "/status"},
      {R"({"status": 500, "probability": 2})", "/probability"},
      {R"({"status": 500, "count": 0})", "/count"},
      {R"({"transport": "explode"})", "/transport"},
      {R"({"latency-ms": -1})", "/latency-ms"},
      {R"({"status": 500, "colour": "red"})", "/colour"},
  };
  for (const auto& b : bad) {
    INFO(b[0]);
    auto j = tfe::json::parse(b[0]);
    REQUIRE(j);
    auto r = tfe::fault_rule_from_json(*j);
    REQUIRE_FALSE(r);
    CHECK(r.error().pointer == b[1]);
  }
  auto ok = tfe::json::parse(R"({"method":"GET","path":"/api/v2/*","status":429,"retry-after":2,"count":3})");
  REQUIRE(ok);
  auto r = tfe::fault_rule_from_json(*ok);
  REQUIRE(r);
  CHECK(tfe::fault_rule_to_json(*r)["count"].as_int() == std::optional<std::int64_t>(3));
}

TEST_CASE("route templates hide ids, names and secrets", "[api][journal]") {
  CHECK(tfe::route_of("POST", "/api/v2/runs") == "POST /api/v2/runs");
  CHECK(tfe::route_of("POST", "/api/v2/runs/run-abc/actions/apply") == "POST /api/v2/runs/:id/actions/apply");
  CHECK(tfe::route_of("GET", "/api/v2/organizations/acme/workspaces/prod?x=1") ==
        "GET /api/v2/organizations/:organization/workspaces/:name");
  CHECK(tfe::route_of("GET", "/api/v2/workspaces/ws-1/runs") == "GET /api/v2/workspaces/:id/runs");
  CHECK(tfe::route_of("PUT", "/v1/object/upload/secret") == "PUT /v1/object/upload/:token");
  CHECK(tfe::route_of("GET", "/v1/logs/plan-1/mac") == "GET /v1/logs/:id/:token");
  CHECK(tfe::route_of("GET", "/") == "GET /");
}

TEST_CASE("the journal records requests, bounded, queryable by route and run", "[api][journal]") {
  api_fixture f;
  f.api.journal().set_capacity(8);
  f.uploaded_cv();
  const std::string id = f.create_run();
  REQUIRE(f.http.post("/api/v2/runs/" + id + "/actions/apply", "").status == 202);
  f.http.get("/api/v2/runs/" + id + "/plan");
  auto& j = f.api.journal();
  CHECK(j.count("POST /api/v2/runs") == 1);
  auto last = j.last("POST /api/v2/runs/:id/actions/apply");
  REQUIRE(last);
  CHECK(last->status == 202);
  auto of_run = j.for_run(id);
  REQUIRE(of_run.size() == 3);  // create (from the response), apply, plan
  CHECK(of_run[0].route == "POST /api/v2/runs");
  CHECK(of_run[0].request_body.find("\"workspaces\"") != std::string::npos);
  for (int i = 0; i < 20; ++i) f.http.get("/api/v2/ping");
  CHECK(j.entries().size() == 8);
  CHECK(j.dropped() > 0);
  CHECK(j.entries().back().seq > 20);
}

TEST_CASE("admin API: advance, script, faults, requests, snapshot, restore, reset", "[api][admin]") {
  admin_fixture f;
  f.uploaded_cv();
  const std::string id = f.create_run();

  auto adv = f.post("/_tfe/runs/" + id + "/advance", R"({"to":"applied"})");
  INFO(adv.body);
  REQUIRE(adv.status == 200);
  CHECK(f.run_status(id) == "applied");
  CHECK(f.post("/_tfe/runs/" + id + "/advance", R"({"to":"planned"})").status == 409);
  CHECK(f.post("/_tfe/runs/" + id + "/advance", R"({"to":"nowhere"})").status == 422);
  CHECK(f.post("/_tfe/runs/run-missing/advance", R"({"to":"applied"})").status == 404);

  // an errored plan, scripted for the workspace
  auto sc = f.post("/_tfe/script",
                   R"({"workspace":")" + f.ws_id + R"(","plan":{"errored":true,"error-message":"Error: boom"}})");
  REQUIRE(sc.status == 204);
  const std::string bad_run = f.create_run();
  f.eng.run_until_idle();
  CHECK(f.run_status(bad_run) == "errored");
  CHECK(f.ctl.del("/_tfe/script").status == 204);
  CHECK(f.post("/_tfe/script", R"({"plan":{}})").status == 422);
  CHECK(f.post("/_tfe/script", R"({"next":true,"policy":"maybe"})").status == 422);

  // faults over HTTP
  auto fr = f.post("/_tfe/faults", R"([{"method":"GET","path":"/api/v2/runs/*","status":429,"count":1}])");
  REQUIRE(fr.status == 201);
  CHECK(f.http.get("/api/v2/runs/" + id).status == 429);
  CHECK(f.http.get("/api/v2/runs/" + id).status == 200);
  CHECK(f.post("/_tfe/faults", R"([{"status":1}])").status == 422);
  CHECK(f.ctl.del("/_tfe/faults").status == 204);

  // the journal
  auto rq = f.ctl.get("/_tfe/requests?run=" + id + "&route=GET%20/api/v2/runs/:id");
  REQUIRE(rq.status == 200);
  auto doc = api_fixture::body(rq);
  CHECK(doc["data"].size() >= 2);
  int faulted = 0;
  for (const auto& e : *doc["data"].as_array())
    if (e["faulted"].as_bool() == std::optional<bool>(true)) {
      ++faulted;
      CHECK(e["status"].as_int() == std::optional<std::int64_t>(429));
    }
  CHECK(faulted == 1);
  CHECK(doc["meta"]["routes"]["POST /api/v2/runs/:id/actions/apply"].is_null());  // advance is not a request
  CHECK(f.ctl.get("/_tfe/requests?limit=1").status == 200);
  CHECK(api_fixture::body(f.ctl.get("/_tfe/requests?limit=1"))["data"].size() == 1);

  // snapshot -> reset -> restore
  auto snap = f.ctl.get("/_tfe/snapshot");
  REQUIRE(snap.status == 200);
  const std::string state = f.observable_state();
  REQUIRE(f.post("/_tfe/reset", "").status == 204);
  CHECK(f.http.get("/api/v2/organizations").body.find("acme") == std::string::npos);
  CHECK(f.api.journal().entries().size() == 1);  // only the GET just made
  CHECK(f.post("/_tfe/restore", "{not json").status == 400);
  CHECK(f.post("/_tfe/restore", R"({"runs":[{"id":"run-x"}]})").status == 422);
  REQUIRE(f.post("/_tfe/restore", snap.body).status == 204);
  CHECK(f.observable_state() == state);

  // misc
  CHECK(f.ctl.get("/_tfe/").status == 200);
  CHECK(f.ctl.get("/_tfe/nope").status == 404);
  CHECK(f.ctl.get("/_tfe/reset").status == 405);
  CHECK(f.ctl.get("/_tfe/reset").header("Allow") == "POST");
  // the endpoint list comes from the route table
  auto listed = api_fixture::body(f.ctl.get("/_tfe/"));
  std::vector<std::string> endpoints;
  for (const auto& e : *listed["endpoints"].as_array()) endpoints.emplace_back(*e.as_string());
  CHECK(std::find(endpoints.begin(), endpoints.end(), "GET|POST|DELETE /_tfe/faults") != endpoints.end());
  CHECK(std::find(endpoints.begin(), endpoints.end(), "POST /_tfe/runs/{id}/advance") != endpoints.end());
  CHECK(endpoints.size() == tfe::basic_admin_api<tfe_test::api_handler>::routes().size() - 4);  // one line a path
  auto clk = f.post("/_tfe/clock/advance", R"({"seconds":30})");
  CHECK(clk.status == 200);  // test_policies use manual_clock
  CHECK(f.post("/_tfe/clock/advance", R"({"minutes":1})").status == 422);
}

TEST_CASE("admin API access: token, loopback", "[api][admin]") {
  SECTION("with a token") {
    tfe::admin_options o;
    o.token = "s3cret";
    admin_fixture f(o);
    CHECK(f.ctl.get("/_tfe/snapshot").status == 401);
    tfe::in_process_transport<admin_handler> with(f.admin, "s3cret");
    CHECK(with.get("/_tfe/snapshot").status == 200);
  }
  SECTION("without a token, loopback peers only") {
    admin_fixture f;
    tfe::http_request req;
    req.method = "GET";
    req.target = "/_tfe/snapshot";
    for (const char* peer : {"127.0.0.1:5000", "[::1]:5000", "[::ffff:127.0.0.1]:1", ""}) {
      req.remote_address = peer;
      CHECK(f.admin.handle(req).status == 200);
    }
    for (const char* peer : {"10.0.0.1:5000", "[2001:db8::1]:5000", "128.0.0.1:1"}) {
      req.remote_address = peer;
      CHECK(f.admin.handle(req).status == 403);
    }
  }
  SECTION("other paths reach the API unchanged") {
    admin_fixture f;
    CHECK(f.ctl.get("/api/v2/ping").status == 401 - 197);  // 204
    CHECK(f.ctl.get("/_tfex").status == 404);
  }
}

TEST_CASE("the same seed and requests give byte-identical responses", "[api][determinism]") {
  auto transcript = [] {
    tfe::basic_engine<tfe::test_policies> eng;
    tfe::api_options o;
    o.url_key_seed = 99;
    tfe::basic_api<tfe::basic_engine<tfe::test_policies>> api(eng, o);
    tfe::in_process_transport<decltype(api)> http(api);
    std::string out;
    auto keep = [&](const tfe::http_response& r) {
      out += std::to_string(r.status) + "\n" + r.body + "\n";
      return r;
    };
    keep(http.post("/api/v2/organizations",
                   R"({"data":{"type":"organizations","attributes":{"name":"acme","email":"a@b.test"}}})"));
    auto ws = keep(http.post("/api/v2/organizations/acme/workspaces",
                             R"({"data":{"type":"workspaces","attributes":{"name":"w"}}})"));
    const std::string ws_id(*api_fixture::body(ws)["data"]["id"].as_string());
    auto cv = keep(http.post("/api/v2/workspaces/" + ws_id + "/configuration-versions",
                             R"({"data":{"type":"configuration-versions"}})"));
    const std::string url(*api_fixture::body(cv)["data"]["attributes"]["upload-url"].as_string());
    keep(http.put_bytes(url, std::string("\x1f\x8b\x08\x00tar", 7)));
    eng.clock().advance(tfe::milliseconds(1234));
    auto runs = keep(http.get("/api/v2/workspaces/" + ws_id + "/runs"));
    const std::string run_id(*api_fixture::body(runs)["data"][0]["id"].as_string());
    keep(http.post("/api/v2/runs/" + run_id + "/actions/apply", R"({"comment":"go"})"));
    eng.run_until_idle();
    keep(http.get("/api/v2/runs/" + run_id + "?include=plan,apply"));
    keep(http.get("/api/v2/runs/" + run_id + "/comments"));
    return out;
  };
  const std::string a = transcript();
  CHECK(a.find("upload") != std::string::npos);
  CHECK(a == transcript());
}
