// The API-driven run workflow over the JSON:API layer, with the reference's sample payloads.
#include "support/api_fixture.hpp"
#include "support/catch.hpp"

#include <string>

using tfe_test::api_fixture;

TEST_CASE("the runs workflow through the JSON:API layer", "[api][workflow]") {
  api_fixture f;
  auto cv_res = f.http.post("/api/v2/workspaces/" + f.ws_id + "/configuration-versions",
                            R"({"data":{"type":"configuration-versions"}})");
  REQUIRE(cv_res.status == 201);
  CHECK(cv_res.header("Content-Type") == "application/vnd.api+json");
  auto cv = api_fixture::body(cv_res);
  CHECK(cv["data"]["attributes"]["status"].as_string() == std::optional<std::string_view>("pending"));
  std::string upload_url(*cv["data"]["attributes"]["upload-url"].as_string());
  CHECK(upload_url.rfind("http://tfe.local/v1/object/upload/", 0) == 0);
  const std::string cv_id(*cv["data"]["id"].as_string());

  // The upload URL needs no token; the read no longer shows it.
  REQUIRE(f.http.put_bytes(upload_url, std::string("\x1f\x8b\x08\x00tar", 7)).status == 200);
  auto read_cv = api_fixture::body(f.http.get("/api/v2/configuration-versions/" + cv_id));
  CHECK(read_cv["data"]["attributes"]["status"].as_string() == std::optional<std::string_view>("uploaded"));
  CHECK(read_cv["data"]["attributes"]["upload-url"].is_null());

  // The upload queued a run; the manual clock moves it to planned.
  f.eng.run_until_idle();
  auto list = api_fixture::body(f.http.get("/api/v2/workspaces/" + f.ws_id + "/runs"));
  REQUIRE(list["data"].size() == 1);
  const auto& run = list["data"][0];
  const std::string run_id(*run["id"].as_string());
  CHECK(run["type"].as_string() == std::optional<std::string_view>("runs"));
  CHECK(run["attributes"]["status"].as_string() == std::optional<std::string_view>("planned"));
  CHECK(run["attributes"]["source"].as_string() == std::optional<std::string_view>("tfe-configuration-version"));
  CHECK(run["attributes"]["has-changes"].as_bool() == true);
  CHECK(run["attributes"]["actions"]["is-confirmable"].as_bool() == true);
  CHECK(run["attributes"]["actions"]["is-discardable"].as_bool() == true);
  CHECK(run["attributes"]["status-timestamps"].contains("planned-at"));
  CHECK(run["attributes"]["permissions"]["can-force-execute"].as_bool() == true);
  CHECK(run["relationships"]["configuration-version"]["data"]["id"].as_string() ==
        std::optional<std::string_view>(cv_id));
  CHECK(run["links"]["self"].as_string() == std::optional<std::string_view>("/api/v2/runs/" + run_id));
  CHECK(list["meta"]["pagination"]["total-count"].as_int() == 1);

  // Apply: an action, 202 with no body.
  auto ap = f.http.post("/api/v2/runs/" + run_id + "/actions/apply", R"({"comment": "Looks good to me"})");
  CHECK(ap.status == 202);
  CHECK(ap.body.empty());
  f.eng.run_until_idle();
  CHECK(f.run_status(run_id) == "applied");
  auto comments = api_fixture::body(f.http.get("/api/v2/runs/" + run_id + "/comments"));
  REQUIRE(comments["data"].size() == 1);
  CHECK(comments["data"][0]["attributes"]["body"].as_string() == std::optional<std::string_view>("Looks good to me"));

  // Create a run explicitly with the sample payload, then discard it with a comment.
  auto created = f.http.post(
      "/api/v2/runs",
      R"({"data": {"attributes": {"is-destroy": false}, "type": "runs", "relationships": {"workspace": {"data": {"type": "workspaces", "id": ")" +
          f.ws_id + R"("}}, "configuration-version": {"data": {"type": "configuration-versions", "id": ")" + cv_id +
          R"("}}}}})");
  REQUIRE(created.status == 201);
  auto c = api_fixture::body(created);
  CHECK(c["data"]["attributes"]["status"].as_string() == std::optional<std::string_view>("pending"));
  CHECK(c["data"]["attributes"]["message"].as_string() ==
        std::optional<std::string_view>("Queued manually via the Terraform Enterprise API"));
  CHECK(c["data"]["attributes"]["status-timestamps"].contains("plan-queueable-at"));
  CHECK(c["data"]["attributes"]["actions"]["is-cancelable"].as_bool() == true);
  const std::string second(*c["data"]["id"].as_string());
  f.eng.run_until_idle();
  auto d = f.http.post("/api/v2/runs/" + second + "/actions/discard", R"({"comment": "This run was discarded"})");
  CHECK(d.status == 202);
  CHECK(f.run_status(second) == "discarded");

  // Promotion: the staging version runs in a second workspace.
  auto ws2 = f.http.post("/api/v2/organizations/acme/workspaces",
                         R"({"data":{"type":"workspaces","attributes":{"name":"production"}}})");
  const std::string ws2_id = api_fixture::id_of(ws2);
  auto promoted = f.http.post(
      "/api/v2/runs", R"({"data":{"type":"runs","relationships":{"workspace":{"data":{"type":"workspaces","id":")" +
                          ws2_id + R"("}},"configuration-version":{"data":{"type":"configuration-versions","id":")" +
                          cv_id + R"("}}}}})");
  REQUIRE(promoted.status == 201);
  CHECK(api_fixture::body(promoted)["data"]["relationships"]["configuration-version"]["data"]["id"].as_string() ==
        std::optional<std::string_view>(cv_id));
}

TEST_CASE("plans and applies, their logs and the STX/ETX framing", "[api][logs]") {
  api_fixture f;
  f.uploaded_cv();
  const std::string run_id = f.create_run();
  auto plan_id = "plan-" + run_id.substr(4);
  // Before the plan starts: an empty stream, not final.
  auto plan = api_fixture::body(f.http.get("/api/v2/plans/" + plan_id));
  std::string url(*plan["data"]["attributes"]["log-read-url"].as_string());
  CHECK(url.find("/v1/logs/" + plan_id + "/") != std::string::npos);
  f.eng.run_until_idle();
  auto log = f.http.get_url(url);
  REQUIRE(log.status == 200);
  REQUIRE(log.body.size() > 2);
  CHECK(log.body.front() == '\x02');
  CHECK(log.body.back() == '\x03');
  CHECK(log.body.find("Plan: 1 to add, 0 to change, 0 to destroy.") != std::string::npos);
  // offset and limit, as go-tfe's reader sends them (the URL's own query is replaced).
  auto part = f.http.get_url(url + "?limit=5&offset=1");
  CHECK(part.body == log.body.substr(1, 5));
  CHECK(f.http.get_url(url + "?offset=100000").body.empty());
  // A tampered capability is 404.
  std::string bad = url;
  bad.back() = bad.back() == 'a' ? 'b' : 'a';
  CHECK(f.http.get_url(bad).status == 404);
  CHECK(f.http.get_url(url + "?offset=abc").status == 400);
  // The apply has not run: its stream is final and empty once the run ends without applying.
  auto apply = api_fixture::body(f.http.get("/api/v2/runs/" + run_id + "/apply"));
  CHECK(apply["data"]["attributes"]["status"].as_string() == std::optional<std::string_view>("pending"));
  REQUIRE(f.http.post("/api/v2/runs/" + run_id + "/actions/discard").status == 202);
  apply = api_fixture::body(f.http.get("/api/v2/applies/apply-" + run_id.substr(4)));
  CHECK(apply["data"]["attributes"]["status"].as_string() == std::optional<std::string_view>("unreachable"));
  std::string aurl(*apply["data"]["attributes"]["log-read-url"].as_string());
  CHECK(f.http.get_url(aurl).body == std::string("\x02\x03"));
}

TEST_CASE("ping, discovery and the headers clients read", "[api]") {
  api_fixture f;
  auto p = f.http.get("/api/v2/ping");
  CHECK(p.status == 204);
  CHECK(p.header("TFP-API-Version") == "2.5");
  CHECK(p.header("X-RateLimit-Limit") == "30");
  CHECK_FALSE(p.header("X-TFE-Version").empty());
  auto d = f.http.get("/.well-known/terraform.json");
  CHECK(d.status == 200);
  CHECK(api_fixture::body(d)["tfe.v2"].as_string() == std::optional<std::string_view>("/api/v2/"));
  CHECK(f.http.get("/api/v2/organizations/acme/entitlement-set").status == 200);
  CHECK(f.http.get("/api/v2/organizations/acme/capacity").status == 200);
  CHECK(f.http.get("/api/v2/organizations/acme/runs/queue").status == 200);
}

TEST_CASE("workspace locks over HTTP: documented 409 cases and texts", "[api][lock]") {
  api_fixture f;
  auto lock = f.http.post("/api/v2/workspaces/" + f.ws_id + "/actions/lock", R"({"reason":"maintenance"})");
  REQUIRE(lock.status == 200);
  CHECK(api_fixture::body(lock)["data"]["attributes"]["locked"].as_bool() == true);
  CHECK(f.http.post("/api/v2/workspaces/" + f.ws_id + "/actions/lock", "{}").status == 409);
  REQUIRE(f.http.post("/api/v2/workspaces/" + f.ws_id + "/actions/unlock").status == 200);
  CHECK(f.http.post("/api/v2/workspaces/" + f.ws_id + "/actions/unlock").status == 409);
  // The newer go-tfe lock body shape.
  REQUIRE(f.http
              .post("/api/v2/workspaces/" + f.ws_id + "/actions/lock",
                    R"({"data":{"type":"","attributes":{"reason":"x"}}})")
              .status == 200);
  REQUIRE(f.http.post("/api/v2/workspaces/" + f.ws_id + "/actions/force-unlock").status == 200);
  f.uploaded_cv();
  const std::string run_id = f.create_run();
  auto un = f.http.post("/api/v2/workspaces/" + f.ws_id + "/actions/unlock");
  CHECK(un.status == 409);
  CHECK(un.body.find("is locked by Run " + run_id) != std::string::npos);
  auto ws = api_fixture::body(f.http.get("/api/v2/workspaces/" + f.ws_id + "?include=locked_by,current_run"));
  CHECK(ws["data"]["relationships"]["locked-by"]["data"]["type"].as_string() ==
        std::optional<std::string_view>("runs"));
  CHECK(ws["data"]["relationships"]["current-run"]["data"]["id"].as_string() ==
        std::optional<std::string_view>(run_id));
  CHECK(ws["included"].size() == 2);
  // By name too.
  CHECK(f.http.get("/api/v2/organizations/acme/workspaces/prod").status == 200);
}

TEST_CASE("pagination meta and links", "[api][pagination]") {
  api_fixture f;
  for (int i = 0; i < 3; ++i)
    REQUIRE(f.http
                .post("/api/v2/organizations/acme/workspaces",
                      R"({"data":{"type":"workspaces","attributes":{"name":"w)" + std::to_string(i) + R"("}}})")
                .status == 201);
  auto p = api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces?page%5Bsize%5D=2&include="));
  CHECK(p["data"].size() == 2);
  const auto& m = p["meta"]["pagination"];
  CHECK(m["current-page"].as_int() == 1);
  CHECK(m["total-count"].as_int() == 4);
  CHECK(m["total-pages"].as_int() == 2);
  CHECK(m["next-page"].as_int() == 2);
  CHECK(m["prev-page"].is_null());
  CHECK(std::string(*p["links"]["next"].as_string()).find("page%5Bnumber%5D=2") != std::string::npos);
  auto far = api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces?page[number]=999&page[size]=100"));
  CHECK(far["data"].size() == 0);
  CHECK(far["meta"]["pagination"]["current-page"].as_int() == 999);
  CHECK(far["meta"]["pagination"]["total-count"].as_int() == 4);
  auto search = api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces?search%5Bname%5D=w1"));
  CHECK(search["data"].size() == 1);
}

TEST_CASE("organization search filters before paging", "[api][pagination]") {
  api_fixture f;
  for (const char* n : {"alpha", "beta", "gamma"})
    REQUIRE(
        f.http
            .post("/api/v2/organizations", std::string(R"({"data":{"type":"organizations","attributes":{"name":")") +
                                               n + R"(","email":"x@)" + n + R"(.test"}}})")
            .status == 201);
  auto all = api_fixture::body(f.http.get("/api/v2/organizations?page%5Bsize%5D=1"));
  CHECK(all["meta"]["pagination"]["total-count"].as_int() == 4);
  auto q = api_fixture::body(f.http.get("/api/v2/organizations?q=mm&page%5Bsize%5D=1"));
  REQUIRE(q["data"].size() == 1);
  CHECK(q["data"][0]["id"].as_string() == std::optional<std::string_view>("gamma"));
  CHECK(q["meta"]["pagination"]["total-count"].as_int() == 1);
  auto byname = api_fixture::body(f.http.get("/api/v2/organizations?q%5Bname%5D=a"));
  CHECK(byname["meta"]["pagination"]["total-count"].as_int() == 4);
  auto byemail = api_fixture::body(f.http.get("/api/v2/organizations?q%5Bemail%5D=beta"));
  CHECK(byemail["meta"]["pagination"]["total-count"].as_int() == 1);
}

TEST_CASE("run lists filter by status group, alone and with filter[status]", "[api][pagination]") {
  api_fixture f;
  f.uploaded_cv();
  const std::string first = f.create_run();   // planned (paused)
  const std::string second = f.create_run();  // pending behind it
  const std::string runs = "/api/v2/workspaces/" + f.ws_id + "/runs";
  auto count = [&](const std::string& q) {
    auto r = f.http.get(runs + q);
    REQUIRE(r.status == 200);
    return *api_fixture::body(r)["meta"]["pagination"]["total-count"].as_int();
  };
  CHECK(count("?filter%5Bstatus_group%5D=non_final") == 2);
  CHECK(count("?filter%5Bstatus_group%5D=final") == 0);
  CHECK(count("?filter%5Bstatus_group%5D=discardable") == 1);
  CHECK(count("?filter%5Bstatus_group%5D=non_final&filter%5Bstatus%5D=pending") == 1);
  CHECK(count("?filter%5Bstatus_group%5D=final&filter%5Bstatus%5D=pending") == 0);
  CHECK(f.http.get(runs + "?filter%5Bstatus_group%5D=bogus").status == 400);
  (void)first;
  (void)second;
}
