// State versions over the API: TFE's create rules (lock, md5, serial, lineage, force), the upload-URL
// flow, outputs (sensitive values hidden only in the workspace's current outputs), downloads, the list
// filters, the state an apply writes, backing data and the processing delay.
#include "support/api_fixture.hpp"
#include "support/catch.hpp"

#include "support/internals.hpp"

#include <string>

using tfe_test::api_fixture;

namespace {

const std::string state_text = R"({
  "version": 4, "terraform_version": "1.9.8", "serial": 5, "lineage": "8094ef40-0000-4000-8000-000000000001",
  "outputs": {
    "greeting": {"value": "hello", "type": "string"},
    "secret": {"value": "s3cr3t", "type": "string", "sensitive": true},
    "count": {"value": 5, "type": "number"},
    "zones": {"value": ["a", "b"], "type": ["list", "string"]}
  },
  "resources": [
    {"mode": "managed", "type": "terraform_data", "name": "web",
     "provider": "provider[\"terraform.io/builtin/terraform\"]", "instances": [{"attributes": {}}]}
  ]
})";

std::string sv_body(long long serial, const std::string& extra = "", bool with_state = true,
                    const std::string& state = state_text) {
  std::string attrs = R"("serial":)" + std::to_string(serial) + R"(,"md5":")" + tfe::detail::md5_hex(state) + "\"";
  if (with_state) attrs += R"(,"state":")" + tfe::detail::base64_encode(state) + "\"";
  if (!extra.empty()) attrs += "," + extra;
  return R"({"data":{"type":"state-versions","attributes":{)" + attrs + "}}}";
}

std::string attr(const tfe::json& doc, const char* name) {
  auto s = doc["data"]["attributes"][name].as_string();
  return s ? std::string(*s) : std::string();
}

struct sv_fixture : api_fixture {
  std::string ws_path() const { return "/api/v2/workspaces/" + ws_id; }
  void lock() { REQUIRE(http.post(ws_path() + "/actions/lock", "{}").status == 200); }
  void unlock() { REQUIRE(http.post(ws_path() + "/actions/unlock", "").status == 200); }
  tfe::http_response create(const std::string& body) { return http.post(ws_path() + "/state-versions", body); }
};

}  // namespace

TEST_CASE("creating a state version needs the lock and a matching md5; outputs come from the state",
          "[api][state-versions]") {
  sv_fixture f;
  auto r = f.create(sv_body(1));
  INFO(r.body);
  CHECK(r.status == 409);  // not locked
  f.lock();
  std::string wrong = sv_body(1);
  wrong.replace(wrong.find("\"md5\":\"") + 7, 4, "0000");
  CHECK(f.create(wrong).status == 422);
  CHECK(f.create(R"({"data":{"type":"state-versions","attributes":{"md5":"x"}}})").status == 422);  // no serial
  r = f.create(sv_body(1));
  REQUIRE(r.status == 201);
  auto sv = api_fixture::body(r);
  const std::string id(*sv["data"]["id"].as_string());
  CHECK(id.rfind("sv-", 0) == 0);
  CHECK(sv["data"]["attributes"]["serial"].as_int() ==
        std::optional<std::int64_t>(1));  // the request's, not the file's
  CHECK(attr(sv, "status") == "finalized");
  const std::string download = attr(sv, "hosted-state-download-url");
  REQUIRE(!download.empty());
  f.unlock();

  // The current state version and its outputs: sensitive values are null only there.
  auto cur = api_fixture::body(f.http.get(f.ws_path() + "/current-state-version"));
  CHECK(cur["data"]["id"].as_string() == std::optional<std::string_view>(id));
  auto outs = api_fixture::body(f.http.get("/api/v2/state-versions/" + id + "/outputs"));
  REQUIRE(outs["data"].size() == 4);
  auto current = api_fixture::body(f.http.get(f.ws_path() + "/current-state-version-outputs"));
  REQUIRE(current["data"].size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& a = current["data"][i]["attributes"];
    const auto& full = outs["data"][i]["attributes"];
    CHECK(a["name"].as_string() == full["name"].as_string());
    if (a["name"].as_string() == std::optional<std::string_view>("secret")) {
      CHECK(a["sensitive"].as_bool() == std::optional<bool>(true));
      CHECK(a["value"].is_null());
      CHECK(full["value"].as_string() == std::optional<std::string_view>("s3cr3t"));
    }
    if (a["name"].as_string() == std::optional<std::string_view>("count"))
      CHECK(a["value"].as_int() == std::optional<std::int64_t>(5));
  }
  // One output by id; an unknown one is 404.
  const std::string out_id(*outs["data"][0]["id"].as_string());
  CHECK(f.http.get("/api/v2/state-version-outputs/" + out_id).status == 200);
  CHECK(f.http.get("/api/v2/state-version-outputs/wsout-J2zM24JPAAAAAAAA").status == 404);
  // The download gives back exactly the bytes uploaded.
  auto d = f.http.get(download.substr(download.find("/v1/")));
  CHECK(d.status == 200);
  CHECK(d.body == state_text);
  // The workspace shows its current state version and outputs; the resource count follows the state.
  auto ws = api_fixture::body(f.http.get(f.ws_path()));
  CHECK(ws["data"]["relationships"]["current-state-version"]["data"]["id"].as_string() ==
        std::optional<std::string_view>(id));
  CHECK(ws["data"]["relationships"]["outputs"]["data"].size() == 4);
  CHECK(ws["data"]["attributes"]["resource-count"].as_int() == std::optional<std::int64_t>(1));
}

TEST_CASE("serial and lineage rules, and force", "[api][state-versions]") {
  sv_fixture f;
  f.lock();
  REQUIRE(f.create(sv_body(3)).status == 201);
  CHECK(f.create(sv_body(3)).status == 201);  // the same serial of the same lineage: TFE accepts it
  CHECK(f.create(sv_body(2)).status == 409);  // going backwards
  const std::string other = R"("lineage":"821c4747-0000-4000-8000-000000000002")";
  CHECK(f.create(sv_body(4, other)).status == 409);                       // another lineage
  CHECK(f.create(sv_body(4, other + R"(,"force":true)")).status == 201);  // unless forced
  auto list = api_fixture::body(f.http.get(
      "/api/v2/state-versions?filter%5Bworkspace%5D%5Bname%5D=prod&filter%5Borganization%5D%5Bname%5D=acme"));
  CHECK(list["data"].size() == 3);
  CHECK(list["meta"]["pagination"]["total-count"].as_int() == std::optional<std::int64_t>(3));
  CHECK(f.http.get("/api/v2/state-versions").status == 400);  // the filters are required
}

TEST_CASE("the upload-URL flow: pending until the state arrives", "[api][state-versions]") {
  sv_fixture f;
  f.lock();
  auto r = f.create(sv_body(1, R"("lineage":"8094ef40-0000-4000-8000-000000000001")", false));
  REQUIRE(r.status == 201);
  auto sv = api_fixture::body(r);
  const std::string id(*sv["data"]["id"].as_string());
  CHECK(attr(sv, "status") == "pending");
  const std::string up = attr(sv, "hosted-state-upload-url");
  const std::string up_json = attr(sv, "hosted-json-state-upload-url");
  REQUIRE(!up.empty());
  REQUIRE(!up_json.empty());
  CHECK(f.http.get(f.ws_path() + "/current-state-version").status == 404);  // nothing final yet
  // A state whose md5 differs from the one announced is refused; the version stays pending.
  CHECK(f.http.put_bytes(up, state_text + " ").status == 422);
  CHECK(f.http.put_bytes(up, state_text).status == 200);
  CHECK(f.http.put_bytes(up_json, R"({"format_version":"1.0"})").status == 200);
  auto after = api_fixture::body(f.http.get("/api/v2/state-versions/" + id));
  CHECK(attr(after, "status") == "finalized");
  CHECK(!attr(after, "hosted-state-download-url").empty());
  CHECK(!attr(after, "hosted-json-state-download-url").empty());
  CHECK(f.http.put_bytes(up, state_text).status == 404);  // the capability is spent
  f.unlock();
}

TEST_CASE("an apply writes the workspace's next state version from what the executor reports",
          "[api][state-versions]") {
  sv_fixture f;
  f.uploaded_cv();
  tfe::run_script s;
  s.apply.outputs = std::vector<tfe::state_output>{{{}, "url", "string", "\"string\"", "\"https://x\"", false}};
  f.eng.executor().script_workspace(tfe::resource_id(f.ws_id), s);
  const std::string run = f.create_run();
  f.eng.run_until_idle();
  REQUIRE(f.http.post("/api/v2/runs/" + run + "/actions/apply", "{}").status == 202);
  f.eng.run_until_idle();
  REQUIRE(f.run_status(run) == "applied");
  auto cur = api_fixture::body(f.http.get(f.ws_path() + "/current-state-version?include=outputs"));
  CHECK(cur["data"]["attributes"]["serial"].as_int() == std::optional<std::int64_t>(1));
  CHECK(cur["data"]["relationships"]["run"]["data"]["id"].as_string() == std::optional<std::string_view>(run));
  REQUIRE(cur["included"].size() == 1);
  CHECK(cur["included"][0]["attributes"]["name"].as_string() == std::optional<std::string_view>("url"));
  // The next run records it as its input state.
  f.uploaded_cv();
  const std::string next = f.create_run();
  auto nr = api_fixture::body(f.http.get("/api/v2/runs/" + next));
  CHECK(nr["data"]["relationships"]["input-state-version"]["data"]["id"].as_string() == cur["data"]["id"].as_string());
}

TEST_CASE("an applied state is rendered when downloaded; without a configuration, resources do not pile up",
          "[api][state-versions]") {
  sv_fixture f;  // uploads hold no .tf file: each plan proposes "1 to add" (terraform_data.simulated_0)
  std::string last;
  for (int i = 0; i < 3; ++i) {
    f.uploaded_cv();
    last = f.create_run();
    f.eng.run_until_idle();
    REQUIRE(f.http.post("/api/v2/runs/" + last + "/actions/apply", "{}").status == 202);
    f.eng.run_until_idle();
    REQUIRE(f.run_status(last) == "applied");
  }
  auto cur = api_fixture::body(f.http.get(f.ws_path() + "/current-state-version"));
  CHECK(cur["data"]["attributes"]["serial"].as_int() == std::optional<std::int64_t>(3));
  const std::string dl = attr(cur, "hosted-state-download-url");
  REQUIRE(!dl.empty());
  auto d = f.http.get(dl.substr(dl.find("/v1/")));
  REQUIRE(d.status == 200);
  auto state = tfe::json::parse(d.body);
  REQUIRE(state);
  CHECK((*state)["serial"].as_int() == std::optional<std::int64_t>(3));
  REQUIRE((*state)["resources"].size() == 1);  // the same simulated resource, replaced each time
  CHECK((*state)["resources"][0]["name"].as_string() == std::optional<std::string_view>("simulated_0"));
  // The size shown is the size of what the download gives; the listing agrees with the state.
  CHECK(cur["data"]["attributes"]["size"].as_int() ==
        std::optional<std::int64_t>(static_cast<std::int64_t>(d.body.size())));
  auto ws = api_fixture::body(f.http.get(f.ws_path()));
  CHECK(ws["data"]["attributes"]["resource-count"].as_int() == std::optional<std::int64_t>(1));
  // A snapshot keeps it rendered (no stored copy); restored, it downloads byte for byte the same.
  const tfe::json snap = f.eng.snapshot();
  REQUIRE(f.eng.restore(snap));
  auto again = f.http.get(dl.substr(dl.find("/v1/")));
  CHECK(again.status == 200);
  CHECK(again.body == d.body);
}

TEST_CASE("backing data: soft delete, restore, permanent delete", "[api][state-versions]") {
  sv_fixture f;
  f.lock();
  auto first = api_fixture::body(f.create(sv_body(1)));
  REQUIRE(f.create(sv_body(2)).status == 201);
  f.unlock();
  const std::string id(*first["data"]["id"].as_string());
  const std::string dl = attr(first, "hosted-state-download-url");
  const std::string dl_path = dl.substr(dl.find("/v1/"));
  const std::string act = "/api/v2/state-versions/" + id + "/actions/";
  CHECK(f.http.post(act + "restore_backing_data", "").status == 422);  // nothing to restore
  CHECK(f.http.post(act + "soft_delete_backing_data", "").status == 204);
  CHECK(f.http.get(dl_path).status == 404);
  CHECK(f.http.post(act + "restore_backing_data", "").status == 204);
  CHECK(f.http.get(dl_path).status == 200);
  CHECK(f.http.post(act + "soft_delete_backing_data", "").status == 204);
  CHECK(f.http.post(act + "permanently_delete_backing_data", "").status == 204);
  auto r = f.http.post(act + "restore_backing_data", "");
  CHECK(r.status == 422);
  CHECK(r.body.find("transition not allowed") != std::string::npos);
  CHECK(f.http.get(dl_path).status == 404);
  // The current version's data cannot be soft deleted.
  auto cur = api_fixture::body(f.http.get(f.ws_path() + "/current-state-version"));
  CHECK(f.http
            .post("/api/v2/state-versions/" + std::string(*cur["data"]["id"].as_string()) +
                      "/actions/soft_delete_backing_data",
                  "")
            .status == 422);
  CHECK(f.http.post("/api/v2/state-versions/sv-nope/actions/soft_delete_backing_data", "").status == 404);
}

TEST_CASE("resources-processed turns true after the configured delay", "[api][state-versions]") {
  tfe::engine_options o;
  o.state_processing_delay = tfe::milliseconds(5000);
  tfe_test::api_engine eng(o);
  tfe_test::api_handler api(eng, api_fixture::options(tfe::token_auth::any()));
  tfe::in_process_transport<tfe_test::api_handler> http(api);
  REQUIRE(http.post("/api/v2/organizations",
                    R"({"data":{"type":"organizations","attributes":{"name":"acme","email":"a@acme.test"}}})")
              .status == 201);
  const std::string ws = api_fixture::id_of(http.post("/api/v2/organizations/acme/workspaces",
                                                      R"({"data":{"type":"workspaces","attributes":{"name":"w"}}})"));
  REQUIRE(http.post("/api/v2/workspaces/" + ws + "/actions/lock", "{}").status == 200);
  auto sv = api_fixture::body(http.post("/api/v2/workspaces/" + ws + "/state-versions", sv_body(1)));
  const std::string id(*sv["data"]["id"].as_string());
  CHECK(sv["data"]["attributes"]["resources-processed"].as_bool() == std::optional<bool>(false));
  eng.clock().advance(tfe::milliseconds(4999));
  CHECK(api_fixture::body(http.get("/api/v2/state-versions/" + id))["data"]["attributes"]["resources-processed"]
            .as_bool() == std::optional<bool>(false));
  eng.clock().advance(tfe::milliseconds(1));
  CHECK(api_fixture::body(http.get("/api/v2/state-versions/" + id))["data"]["attributes"]["resources-processed"]
            .as_bool() == std::optional<bool>(true));
}
