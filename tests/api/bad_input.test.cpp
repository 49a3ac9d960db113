// Every class of bad input gets the status real TFE uses, a JSON:API error, and changes nothing.
#include "support/api_fixture.hpp"
#include "support/catch.hpp"

#include <string>

using tfe_test::api_fixture;

namespace {

void check_error_document(const tfe::http_response& r, int status) {
  INFO(r.body);
  CHECK(r.status == status);
  auto j = tfe::json::parse(r.body);
  REQUIRE(j);
  const auto& e = (*j)["errors"][0];
  REQUIRE(e.is_object());
  CHECK(e["status"].as_string() == std::optional<std::string_view>(std::to_string(status)));  // a string, not a number
  CHECK(e["title"].is_string());
  CHECK(r.header("Content-Type") == "application/vnd.api+json");
}

struct case_t {
  const char* name;
  const char* method;
  std::string target;
  std::string body;
  int status;
};

}  // namespace

TEST_CASE("bad requests are rejected with TFE's status and leave the state unchanged", "[api][errors]") {
  api_fixture f;
  f.uploaded_cv();
  const std::string run = f.create_run();
  f.eng.run_until_idle();  // the run is planned and waits
  const std::string ws = "/api/v2/workspaces/" + f.ws_id;
  const std::string runs_body_prefix =
      R"({"data":{"type":"runs","relationships":{"workspace":{"data":{"type":"workspaces","id":")";
  const case_t cases[] = {
      // 400: malformed documents and query parameters
      {"truncated JSON", "POST", "/api/v2/runs", R"({"data":{"type":"runs")", 400},
      {"trailing comma", "POST", "/api/v2/organizations", R"({"data":{"type":"organizations",}})", 400},
      {"not JSON", "POST", "/api/v2/organizations", "name=acme", 400},
      {"empty body where a document is needed", "POST", "/api/v2/runs", "", 400},
      {"deeply nested document", "POST", "/api/v2/runs", std::string(10000, '[') + std::string(10000, ']'), 400},
      {"page size not a number", "GET", ws + "/runs?page%5Bsize%5D=abc", "", 400},
      {"negative page number", "GET", ws + "/runs?page[number]=-1", "", 400},
      {"unknown include", "GET", "/api/v2/runs/" + run + "?include=bogus", "", 400},
      {"unknown status filter", "GET", ws + "/runs?filter%5Bstatus%5D=exploded", "", 400},
      {"malformed escape", "GET", ws + "/runs?page%5Gsize%5D=1", "", 400},
      {"malformed path escape", "GET", "/api/v2/runs/run-%zz", "", 400},
      // 404: unknown ids, traversal, encoded slashes and NULs
      {"unknown run", "GET", "/api/v2/runs/run-doesnotexist0000", "", 404},
      {"unknown workspace", "GET", "/api/v2/workspaces/ws-nope/runs", "", 404},
      {"action on unknown run", "POST", "/api/v2/runs/run-nope/actions/apply", "", 404},
      {"encoded slash in an id", "GET", "/api/v2/runs/run-a%2F..%2Fb", "", 400},
      {"NUL in an id", "GET", "/api/v2/runs/run-a%00b", "", 400},
      {"traversal", "GET", "/api/v2/runs/../organizations", "", 404},
      {"unknown route", "GET", "/api/v2/nothing-here", "", 404},
      {"unknown organization", "GET", "/api/v2/organizations/ghost/workspaces", "", 404},
      {"run on unknown workspace", "POST", "/api/v2/runs", runs_body_prefix + R"(ws-nope"}}}}})", 404},
      {"tampered upload URL", "PUT", "/v1/object/upload/not-a-token", "\x1f\x8b", 404},
      // 405: known path, wrong method
      {"DELETE on runs", "DELETE", "/api/v2/runs/" + run, "", 405},
      // 409: refused transitions and type conflicts
      {"cancel a planned run", "POST", "/api/v2/runs/" + run + "/actions/cancel", "{}", 409},
      {"force-cancel without cancel", "POST", "/api/v2/runs/" + run + "/actions/force-cancel", "{}", 409},
      {"lock a workspace a run holds", "POST", ws + "/actions/lock", "{}", 409},
      {"unlock a run-held workspace", "POST", ws + "/actions/unlock", "", 409},
      {"wrong resource type", "POST", "/api/v2/organizations",
       R"({"data":{"type":"runs","attributes":{"name":"x","email":"a@b.c"}}})", 409},
      // 403: force-execute preconditions
      {"force-execute a planned run", "POST", "/api/v2/runs/" + run + "/actions/force-execute", "", 403},
      // 422: wrong types, missing or invalid attributes
      {"is-destroy as a string", "POST", "/api/v2/runs",
       R"({"data":{"type":"runs","attributes":{"is-destroy":"yes"},"relationships":{"workspace":{"data":{"type":"workspaces","id":")" +
           f.ws_id + R"("}}}}})",
       422},
      {"missing workspace relationship", "POST", "/api/v2/runs", R"({"data":{"type":"runs","attributes":{}}})", 422},
      {"destroy and refresh-only", "POST", "/api/v2/runs",
       R"({"data":{"type":"runs","attributes":{"is-destroy":true,"refresh-only":true},"relationships":{"workspace":{"data":{"type":"workspaces","id":")" +
           f.ws_id + R"("}}}}})",
       422},
      {"duplicate workspace name", "POST", "/api/v2/organizations/acme/workspaces",
       R"({"data":{"type":"workspaces","attributes":{"name":"prod"}}})", 422},
      {"invalid workspace name", "POST", "/api/v2/organizations/acme/workspaces",
       R"({"data":{"type":"workspaces","attributes":{"name":"a b"}}})", 422},
      {"organization without email", "POST", "/api/v2/organizations",
       R"({"data":{"type":"organizations","attributes":{"name":"other"}}})", 422},
      {"data is an array", "POST", "/api/v2/organizations", R"({"data":[]})", 422},
      {"target-addrs not strings", "POST", "/api/v2/runs",
       R"({"data":{"type":"runs","attributes":{"target-addrs":[1]},"relationships":{"workspace":{"data":{"type":"workspaces","id":")" +
           f.ws_id + R"("}}}}})",
       422},
      {"comment not a string", "POST", "/api/v2/runs/" + run + "/actions/apply", R"({"comment":5})", 422},
  };
  const std::string before = f.observable_state();
  for (const auto& c : cases) {
    INFO(c.name);
    auto r = f.http.request(c.method, c.target, c.body);
    check_error_document(r, c.status);
    CHECK(f.observable_state() == before);
  }
}

TEST_CASE("a known path with another method is 405 with the methods it allows", "[api][errors]") {
  api_fixture f;
  auto r = f.http.request("PUT", "/api/v2/workspaces/" + f.ws_id, "{}");
  check_error_document(r, 405);
  CHECK(r.header("Allow") == "GET, HEAD, PATCH, DELETE");
  r = f.http.request("DELETE", "/api/v2/runs", "");
  check_error_document(r, 405);
  CHECK(r.header("Allow") == "POST");
  r = f.http.request("GET", "/api/v2/runs/run-1/actions/bogus", "");
  check_error_document(r, 404);  // no such action: not a known path
  CHECK(r.header("Allow").empty());
}

TEST_CASE("a document over the size limit is 413 and a wrong media type is 415", "[api][errors]") {
  api_fixture f;
  const std::string before = f.observable_state();
  std::string big =
      R"({"data":{"type":"organizations","attributes":{"name":"x","email":")" + std::string(5u << 20, 'a') + R"("}}})";
  check_error_document(f.http.post("/api/v2/organizations", big), 413);
  tfe::http_request req;
  req.method = "POST";
  req.target = "/api/v2/organizations";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "name=x";
  check_error_document(f.api.handle(req), 415);
  CHECK(f.observable_state() == before);
}

TEST_CASE("token auth: 401 without an accepted bearer token; capability URLs need none", "[api][auth]") {
  api_fixture f(tfe::token_auth::tokens({"test-token"}));
  tfe::http_request req;
  req.method = "GET";
  req.target = "/api/v2/organizations";
  check_error_document(f.api.handle(req), 401);
  req.headers = {{"Authorization", "Bearer wrong"}};
  check_error_document(f.api.handle(req), 401);
  req.headers = {{"authorization", "bearer test-token"}};
  CHECK(f.api.handle(req).status == 200);
  // The upload capability works without a token (and tolerates one).
  auto cv = api_fixture::body(f.http.post("/api/v2/workspaces/" + f.ws_id + "/configuration-versions", "{}"));
  std::string url(*cv["data"]["attributes"]["upload-url"].as_string());
  CHECK(f.http.put_bytes(url, std::string("\x1f\x8b", 2)).status == 200);
  CHECK(f.http.put_bytes(url, std::string("\x1f\x8b", 2)).status == 200);  // TFE's URL takes another upload
  CHECK(f.http.put_bytes(url + "x", std::string("\x1f\x8b", 2)).status == 404);
  tfe_test::api_engine e2;
  tfe::api_options o;
  o.auth = tfe::token_auth::callback([](std::string_view t) { return t == "cb"; });
  tfe_test::api_handler h2(e2, o);
  req.headers = {{"Authorization", "Bearer cb"}};
  CHECK(h2.handle(req).status == 200);
  req.headers = {{"Authorization", "Bearer nope"}};
  CHECK(h2.handle(req).status == 401);
}
