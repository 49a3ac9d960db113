// An API handler over a deterministic engine, driven through the in-process transport.
#ifndef TFE_TESTS_SUPPORT_API_FIXTURE_HPP
#define TFE_TESTS_SUPPORT_API_FIXTURE_HPP

#include "support/catch.hpp"
#include "support/policies_under_test.hpp"

#include <string>

namespace tfe_test {

using api_engine = tfe::basic_engine<fixture_policies>;
// The API with the test controls (faults, journal) in front, as tfe-server serves it.
using api_handler = tfe::basic_test_controls<tfe::basic_api<api_engine>>;

struct api_fixture {
  api_engine eng;
  api_handler api;
  tfe::in_process_transport<api_handler> http;
  std::string ws_id;

  static tfe::api_options options(tfe::token_auth auth) {
    tfe::api_options o;
    o.auth = std::move(auth);
    o.url_key_seed = 7;
    return o;
  }

  explicit api_fixture(tfe::token_auth auth = tfe::token_auth::any()) : api(eng, options(std::move(auth))), http(api) {
    auto r = http.post(
        "/api/v2/organizations",
        R"({"data":{"type":"organizations","attributes":{"name":"acme","email":"ops@acme.test","cost-estimation-enabled":false}}})");
    REQUIRE(r.status == 201);
    r = http.post("/api/v2/organizations/acme/workspaces",
                  R"({"data":{"type":"workspaces","attributes":{"name":"prod"}}})");
    REQUIRE(r.status == 201);
    ws_id = id_of(r);
  }

  static tfe::json body(const tfe::http_response& r) {
    auto j = tfe::json::parse(r.body);
    REQUIRE(j);
    return *j;
  }
  static std::string id_of(const tfe::http_response& r) {
    auto j = body(r);
    auto id = j["data"]["id"].as_string();
    REQUIRE(id);
    return std::string(*id);
  }

  /// Creates and uploads a configuration version; returns its id.
  std::string uploaded_cv(bool auto_queue = false) {
    auto r = http.post("/api/v2/workspaces/" + ws_id + "/configuration-versions",
                       std::string(R"({"data":{"type":"configuration-versions","attributes":{"auto-queue-runs":)") +
                           (auto_queue ? "true" : "false") + "}}}");
    REQUIRE(r.status == 201);
    auto j = body(r);
    std::string url(*j["data"]["attributes"]["upload-url"].as_string());
    REQUIRE(http.put_bytes(url, std::string("\x1f\x8b\x08\x00tar", 7)).status == 200);
    return std::string(*j["data"]["id"].as_string());
  }

  /// Creates a run on the fixture workspace; returns its id.
  std::string create_run(const std::string& extra_attributes = "") {
    auto r = http.post("/api/v2/runs", R"({"data":{"type":"runs","attributes":{)" + extra_attributes +
                                           R"(},"relationships":{"workspace":{"data":{"type":"workspaces","id":")" +
                                           ws_id + R"("}}}}})");
    INFO(r.body);
    REQUIRE(r.status == 201);
    return id_of(r);
  }

  std::string run_status(const std::string& id) {
    auto r = http.get("/api/v2/runs/" + id);
    REQUIRE(r.status == 200);
    return std::string(*body(r)["data"]["attributes"]["status"].as_string());
  }

  /// Everything a client could observe, to prove a rejected request changed nothing.
  std::string observable_state() {
    std::string s = http.get("/api/v2/organizations").body;
    s += http.get("/api/v2/organizations/acme/workspaces").body;
    s += http.get("/api/v2/workspaces/" + ws_id + "/runs?filter%5Boperation%5D=plan_and_apply,plan_only,destroy").body;
    s += http.get("/api/v2/workspaces/" + ws_id + "/configuration-versions").body;
    return s;
  }
};

}  // namespace tfe_test

#endif  // TFE_TESTS_SUPPORT_API_FIXTURE_HPP
