// Every class of bad input gets the status real TFE uses, a JSON:API error, and changes nothing.
#include "support/api_fixture.hpp"
#include "support/catch.hpp"

#include "support/internals.hpp"

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

TEST_CASE("bad requests to the state, project, tag and agent pool endpoints change nothing", "[api][errors]") {
  api_fixture f;
  const std::string ws = "/api/v2/workspaces/" + f.ws_id;
  const std::string cv = f.uploaded_cv();  // the current configuration version
  // A locked workspace with one state version (serial 3), a project holding a workspace, an agent pool.
  REQUIRE(f.http.post(ws + "/actions/lock", "{}").status == 200);
  const std::string state = R"({"version":4,"serial":3,"lineage":"l-1","outputs":{},"resources":[]})";
  const auto sv_body = [&](const std::string& serial, const std::string& md5, const std::string& b64) {
    return R"({"data":{"type":"state-versions","attributes":{"serial":)" + serial + R"(,"md5":")" + md5 +
           R"(","state":")" + b64 + R"("}}})";
  };
  const std::string md5 = tfe::detail::md5_hex(state), b64 = tfe::detail::base64_encode(state);
  auto sv = f.http.post(ws + "/state-versions", sv_body("3", md5, b64));
  REQUIRE(sv.status == 201);
  const std::string sv_id = api_fixture::id_of(sv);
  auto pr = f.http.post("/api/v2/organizations/acme/projects",
                        R"({"data":{"type":"projects","attributes":{"name":"proj-one"}}})");
  REQUIRE(pr.status == 201);
  const std::string prj = api_fixture::id_of(pr);
  REQUIRE(
      f.http
          .post(
              "/api/v2/organizations/acme/workspaces",
              R"({"data":{"type":"workspaces","attributes":{"name":"inp"},"relationships":{"project":{"data":{"type":"projects","id":")" +
                  prj + R"("}}}}})")
          .status == 201);
  auto pool = f.http.post("/api/v2/organizations/acme/agent-pools",
                          R"({"data":{"type":"agent-pools","attributes":{"name":"pool"}}})");
  REQUIRE(pool.status == 201);
  const std::string apool = api_fixture::id_of(pool);
  const std::string tb11 = [] {
    std::string s = R"({"data":[)";
    for (int i = 0; i < 11; ++i)
      s += std::string(i ? "," : "") + R"({"type":"tag-bindings","attributes":{"key":"k)" + std::to_string(i) +
           R"(","value":"v"}})";
    return s + "]}";
  }();
  const case_t cases[] = {
      // 400
      {"state version list without its filters", "GET", "/api/v2/state-versions", "", 400},
      {"unknown state version include", "GET", "/api/v2/state-versions/" + sv_id + "?include=bogus", "", 400},
      {"agent pool list with an unknown sort", "GET", "/api/v2/organizations/acme/agent-pools?sort=size", "", 400},
      {"workspace list with an unknown sort", "GET", "/api/v2/organizations/acme/workspaces?sort=size", "", 400},
      {"malformed state version document", "POST", ws + "/state-versions", R"({"data":)", 400},
      // 404
      {"unknown project", "GET", "/api/v2/projects/prj-nope", "", 404},
      {"update an unknown project", "PATCH", "/api/v2/projects/prj-nope",
       R"({"data":{"type":"projects","attributes":{"name":"xyz"}}})", 404},
      {"delete an unknown project", "DELETE", "/api/v2/projects/prj-nope", "", 404},
      {"projects of an unknown organization", "POST", "/api/v2/organizations/ghost/projects",
       R"({"data":{"type":"projects","attributes":{"name":"xyz"}}})", 404},
      {"unknown agent pool", "GET", "/api/v2/agent-pools/apool-nope", "", 404},
      {"unknown state version", "GET", "/api/v2/state-versions/sv-nope", "", 404},
      {"outputs of an unknown state version", "GET", "/api/v2/state-versions/sv-nope/outputs", "", 404},
      {"unknown output", "GET", "/api/v2/state-version-outputs/wsout-J2zM24JPAAAAAAAA", "", 404},
      {"state versions of an unknown workspace", "POST", "/api/v2/workspaces/ws-nope/state-versions",
       sv_body("4", md5, b64), 404},
      {"the current state of a workspace without one", "GET",
       "/api/v2/workspaces/" +
           std::string(
               *api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces/inp"))["data"]["id"].as_string()) +
           "/current-state-version",
       "", 404},
      {"tag an unknown tag's workspaces", "POST", "/api/v2/tags/tag-nope/relationships/workspaces",
       R"({"data":[{"type":"workspaces","id":")" + f.ws_id + R"("}]})", 404},
      {"an unknown consumer", "POST", ws + "/relationships/remote-state-consumers",
       R"({"data":[{"type":"workspaces","id":"ws-nope"}]})", 404},
      {"backing data of an unknown version", "POST", "/api/v2/state-versions/sv-nope/actions/soft_delete_backing_data",
       "", 404},
      {"a spent or forged state upload URL", "PUT", "/v1/state/upload/not-a-token", state, 404},
      {"a forged state download URL", "GET", "/v1/state/" + sv_id + "/0000", "", 404},
      {"an unknown project's bindings", "GET", "/api/v2/projects/prj-nope/tag-bindings", "", 404},
      // 405
      {"PUT on a project", "PUT", "/api/v2/projects/" + prj, "{}", 405},
      {"DELETE on the state version list", "DELETE", "/api/v2/state-versions", "", 405},
      // 409
      {"a project named as a run", "POST", "/api/v2/organizations/acme/projects",
       R"({"data":{"type":"runs","attributes":{"name":"xyz"}}})", 409},
      {"a project that holds workspaces", "DELETE", "/api/v2/projects/" + prj, "", 409},
      {"a serial that goes backwards", "POST", ws + "/state-versions", sv_body("2", md5, b64), 409},
      {"state versions of an unlocked workspace", "POST",
       "/api/v2/workspaces/" +
           std::string(
               *api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces/inp"))["data"]["id"].as_string()) +
           "/state-versions",
       sv_body("1", md5, b64), 409},
      // 422
      {"an invalid project name", "POST", "/api/v2/organizations/acme/projects",
       R"({"data":{"type":"projects","attributes":{"name":"! / nope"}}})", 422},
      {"a taken project name", "PATCH", "/api/v2/projects/" + prj,
       R"({"data":{"type":"projects","attributes":{"name":"Default Project"}}})", 422},
      {"deleting the default project", "DELETE",
       "/api/v2/projects/" +
           std::string(*api_fixture::body(f.http.get(
               "/api/v2/organizations/acme"))["data"]["relationships"]["default-project"]["data"]["id"]
                            .as_string()),
       "", 422},
      {"an md5 that does not match", "POST", ws + "/state-versions", sv_body("4", "0123", b64), 422},
      {"state that is not base64", "POST", ws + "/state-versions", sv_body("4", md5, "!!!"), 422},
      {"a serial as a string", "POST", ws + "/state-versions", sv_body("\"4\"", md5, b64), 422},
      {"an invalid tag name", "POST", ws + "/relationships/tags",
       R"({"data":[{"type":"tags","attributes":{"name":"no spaces"}}]})", 422},
      {"eleven tag bindings", "PATCH", ws + "/tag-bindings", tb11, 422},
      {"tag bindings that are not a list", "PATCH", ws + "/tag-bindings", R"({"data":{"key":"k"}})", 422},
      {"consumers that are not a list", "POST", ws + "/relationships/remote-state-consumers",
       R"({"data":{"type":"workspaces"}})", 422},
      {"project and global remote state", "PATCH", ws,
       R"({"data":{"type":"workspaces","attributes":{"global-remote-state":true,"project-remote-state":true}}})", 422},
      {"an auto-destroy duration TFE does not parse", "PATCH", ws,
       R"({"data":{"type":"workspaces","attributes":{"auto-destroy-activity-duration":"20m"}}})", 422},
      {"an agent pool without a name", "POST", "/api/v2/organizations/acme/agent-pools",
       R"({"data":{"type":"agent-pools","attributes":{}}})", 422},
      {"a taken agent pool name", "POST", "/api/v2/organizations/acme/agent-pools",
       R"({"data":{"type":"agent-pools","attributes":{"name":"pool"}}})", 422},
      {"an agent pool for an unknown workspace", "PATCH", "/api/v2/agent-pools/" + apool,
       R"({"data":{"type":"agent-pools","relationships":{"allowed-workspaces":{"data":[{"type":"workspaces","id":"ws-nope"}]}}}})",
       422},
      {"the agent mode without a pool", "PATCH", ws,
       R"({"data":{"type":"workspaces","attributes":{"execution-mode":"agent"}}})", 422},
      {"a pool without the agent mode", "PATCH", ws,
       R"({"data":{"type":"workspaces","attributes":{"agent-pool-id":")" + apool + R"("}}})", 422},
      {"an unknown default agent pool", "PATCH", "/api/v2/organizations/acme",
       R"({"data":{"type":"organizations","attributes":{"default-execution-mode":"agent"},"relationships":{"default-agent-pool":{"data":{"type":"agent-pools","id":"apool-nope"}}}}})",
       422},
      {"restoring data that is present", "POST", "/api/v2/state-versions/" + sv_id + "/actions/restore_backing_data",
       "", 422},
      {"soft deleting the current state", "POST",
       "/api/v2/state-versions/" + sv_id + "/actions/soft_delete_backing_data", "", 422},
      {"archiving the current configuration version", "POST",
       "/api/v2/configuration-versions/" + cv + "/actions/archive", "", 422},
  };
  const std::string before = f.eng.snapshot().dump();
  for (const auto& c : cases) {
    INFO(c.name);
    auto r = f.http.request(c.method, c.target, c.body);
    check_error_document(r, c.status);
    CHECK(f.eng.snapshot().dump() == before);
  }
}
