// Projects, tags, tag bindings, remote-state consumers and agent pools over the API, and the workspace
// list's filters and order.
#include "support/api_fixture.hpp"
#include "support/catch.hpp"

#include <set>
#include <string>
#include <vector>

using tfe_test::api_fixture;

namespace {

std::string sattr(const tfe::json& obj, const char* name) {
  auto s = obj["attributes"][name].as_string();
  return s ? std::string(*s) : std::string();
}
std::string rel_id(const tfe::json& obj, const char* name) {
  auto s = obj["relationships"][name]["data"]["id"].as_string();
  return s ? std::string(*s) : std::string();
}
std::set<std::string> names_of(const tfe::json& doc) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < doc["data"].size(); ++i) out.insert(sattr(doc["data"][i], "name"));
  return out;
}
// A workspace named `name`, with more attributes (`attrs`, ",..." inside attributes) and members of
// data (`extra`, ",..." after attributes).
std::string new_workspace(api_fixture& f, const std::string& name, const std::string& extra = "",
                          const std::string& attrs = "") {
  auto r =
      f.http.post("/api/v2/organizations/acme/workspaces",
                  R"({"data":{"type":"workspaces","attributes":{"name":")" + name + "\"" + attrs + "}" + extra + "}}");
  INFO(r.body);
  REQUIRE(r.status == 201);
  return api_fixture::id_of(r);
}

}  // namespace

TEST_CASE("every organization has a default project; projects hold workspaces", "[api][projects]") {
  api_fixture f;
  auto org = api_fixture::body(f.http.get("/api/v2/organizations/acme?include=default-project"));
  const std::string def = rel_id(org["data"], "default-project");
  REQUIRE(def.rfind("prj-", 0) == 0);
  CHECK(sattr(org["included"][0], "name") == "Default Project");
  auto ws = api_fixture::body(f.http.get("/api/v2/workspaces/" + f.ws_id));
  CHECK(rel_id(ws["data"], "project") == def);

  auto p = f.http.post("/api/v2/organizations/acme/projects",
                       R"({"data":{"type":"projects","attributes":{"name":"payments","description":"money"}}})");
  REQUIRE(p.status == 201);
  const std::string pid = api_fixture::id_of(p);
  CHECK(f.http
            .post("/api/v2/organizations/acme/projects",
                  R"({"data":{"type":"projects","attributes":{"name":"payments"}}})")
            .status == 422);  // taken
  auto bad = f.http.post("/api/v2/organizations/acme/projects",
                         R"({"data":{"type":"projects","attributes":{"name":"! / nope"}}})");
  CHECK(bad.status == 422);
  CHECK(bad.body.find("Name may only contain") != std::string::npos);
  CHECK(bad.body.find("invalid attribute") != std::string::npos);

  // A workspace created in it, one moved to it; the project filter of the list.
  const std::string w2 =
      new_workspace(f, "api", R"(,"relationships":{"project":{"data":{"type":"projects","id":")" + pid + R"("}}})");
  REQUIRE(f.http
              .patch("/api/v2/workspaces/" + f.ws_id,
                     R"({"data":{"type":"workspaces","relationships":{"project":{"data":{"type":"projects","id":")" +
                         pid + R"("}}}}})")
              .status == 200);
  auto in = api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces?filter%5Bproject%5D%5Bid%5D=" + pid));
  CHECK(names_of(in) == std::set<std::string>{"api", "prod"});
  CHECK(new_workspace(f, "elsewhere").size() > 0);
  CHECK(
      f.http
          .post(
              "/api/v2/organizations/acme/workspaces",
              R"({"data":{"type":"workspaces","attributes":{"name":"x"},"relationships":{"project":{"data":{"type":"projects","id":"prj-nope"}}}}})")
          .status == 404);

  // A project with workspaces cannot go; the default project never.
  CHECK(f.http.del("/api/v2/projects/" + pid).status == 409);
  CHECK(f.http.del("/api/v2/projects/" + def).status == 422);
  REQUIRE(f.http.del("/api/v2/workspaces/" + w2).status == 204);
  REQUIRE(f.http.del("/api/v2/workspaces/" + f.ws_id).status == 204);
  CHECK(f.http.del("/api/v2/projects/" + pid).status == 204);
  CHECK(f.http.get("/api/v2/projects/" + pid).status == 404);
  CHECK(f.http.del("/api/v2/projects/" + pid).status == 404);
  auto list = api_fixture::body(f.http.get("/api/v2/organizations/acme/projects?q=Default"));
  CHECK(list["data"].size() == 1);
}

TEST_CASE("tags: names on workspaces, organization tags with stable ids, search and exclusion", "[api][tags]") {
  api_fixture f;
  const std::string other = new_workspace(f, "staging", "", R"(,"tag-names":["Web","db","web"])");
  auto ws = api_fixture::body(f.http.get("/api/v2/workspaces/" + other));
  auto tags = ws["data"]["attributes"]["tag-names"];
  REQUIRE(tags.size() == 2);  // lower-cased, each once, in order
  CHECK(tags[0].as_string() == std::optional<std::string_view>("web"));
  CHECK(tags[1].as_string() == std::optional<std::string_view>("db"));
  const std::string rel = "/api/v2/workspaces/" + f.ws_id + "/relationships/tags";
  REQUIRE(f.http.post(rel, R"({"data":[{"type":"tags","attributes":{"name":"web"}}]})").status == 204);
  auto mine = api_fixture::body(f.http.get(rel));
  REQUIRE(mine["data"].size() == 1);
  auto theirs = api_fixture::body(f.http.get("/api/v2/workspaces/" + other + "/relationships/tags"));
  CHECK(mine["data"][0]["id"].as_string() == theirs["data"][0]["id"].as_string());  // one tag, one id
  auto search = api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces?search%5Btags%5D=db"));
  CHECK(names_of(search) == std::set<std::string>{"staging"});
  auto excl = api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces?search%5Bexclude-tags%5D=db"));
  CHECK(names_of(excl) == std::set<std::string>{"prod"});
  auto org_tags = api_fixture::body(f.http.get("/api/v2/organizations/acme/tags"));
  CHECK(org_tags["data"].size() == 2);
  // Removing a tag the workspace does not carry is no error; an invalid name is.
  CHECK(f.http.del(rel, R"({"data":[{"type":"tags","attributes":{"name":"nothere"}}]})").status == 204);
  CHECK(f.http.post(rel, R"({"data":[{"type":"tags","attributes":{"name":"bad tag!"}}]})").status == 422);
  REQUIRE(f.http.del(rel, R"({"data":[{"type":"tags","attributes":{"name":"web"}}]})").status == 204);
  CHECK(api_fixture::body(f.http.get(rel))["data"].size() == 0);
}

TEST_CASE("tag bindings: a workspace's own and those its project hands down", "[api][tags]") {
  api_fixture f;
  auto p = f.http.post(
      "/api/v2/organizations/acme/projects",
      R"({"data":{"type":"projects","attributes":{"name":"tagged"},"relationships":{"tag-bindings":{"data":[{"type":"tag-bindings","attributes":{"key":"team","value":"core"}}]}}}})");
  REQUIRE(p.status == 201);
  const std::string pid = api_fixture::id_of(p);
  const std::string ws =
      new_workspace(f, "bound", R"(,"relationships":{"project":{"data":{"type":"projects","id":")" + pid + R"("}}})");
  const std::string tb = "/api/v2/workspaces/" + ws + "/tag-bindings";
  REQUIRE(f.http.patch(tb, R"({"data":[{"type":"tag-bindings","attributes":{"key":"env","value":"prod"}}]})").status ==
          200);
  CHECK(api_fixture::body(f.http.get(tb))["data"].size() == 1);
  auto eff = api_fixture::body(f.http.get("/api/v2/workspaces/" + ws + "/effective-tag-bindings"));
  REQUIRE(eff["data"].size() == 2);
  int inherited = 0;
  for (std::size_t i = 0; i < eff["data"].size(); ++i)
    if (eff["data"][i]["links"]["inherited-from"].is_string()) ++inherited;
  CHECK(inherited == 1);
  auto filtered = api_fixture::body(
      f.http.get("/api/v2/organizations/acme/"
                 "workspaces?filter%5Btagged%5D%5B0%5D%5Bkey%5D=env&filter%5Btagged%5D%5B0%5D%5Bvalue%5D=prod"));
  CHECK(names_of(filtered) == std::set<std::string>{"bound"});
  // At most 10 bindings.
  std::string many = R"({"data":[)";
  for (int i = 0; i < 11; ++i)
    many += std::string(i ? "," : "") + R"({"type":"tag-bindings","attributes":{"key":"k)" + std::to_string(i) +
            R"(","value":"v"}})";
  many += "]}";
  CHECK(f.http.patch(tb, many).status == 422);
  CHECK(api_fixture::body(f.http.get(tb))["data"].size() == 1);
  // The project's own, and its update.
  REQUIRE(f.http
              .patch("/api/v2/projects/" + pid + "/tag-bindings",
                     R"({"data":[{"type":"tag-bindings","attributes":{"key":"cost","value":"42"}}]})")
              .status == 200);
  CHECK(api_fixture::body(f.http.get("/api/v2/projects/" + pid + "/tag-bindings"))["data"].size() == 2);
}

TEST_CASE("remote-state consumers: add, replace, remove; project-remote-state narrows them", "[api][workspaces]") {
  api_fixture f;
  const std::string a = new_workspace(f, "a");
  const std::string b = new_workspace(f, "b");
  const std::string rel = "/api/v2/workspaces/" + f.ws_id + "/relationships/remote-state-consumers";
  const auto items = [](const std::string& id) { return R"({"data":[{"type":"workspaces","id":")" + id + R"("}]})"; };
  REQUIRE(f.http.post(rel, items(a)).status == 204);
  REQUIRE(f.http.post(rel, items(b)).status == 204);
  CHECK(names_of(api_fixture::body(f.http.get(rel))) == std::set<std::string>{"a", "b"});
  REQUIRE(f.http.patch(rel, items(b)).status == 204);
  CHECK(names_of(api_fixture::body(f.http.get(rel))) == std::set<std::string>{"b"});
  REQUIRE(f.http.del(rel, items(b)).status == 204);
  CHECK(api_fixture::body(f.http.get(rel))["data"].size() == 0);
  CHECK(f.http.post(rel, items("ws-nope")).status == 404);
  // project-remote-state with global-remote-state is refused with TFE's words.
  auto r = f.http.patch(
      "/api/v2/workspaces/" + f.ws_id,
      R"({"data":{"type":"workspaces","attributes":{"global-remote-state":true,"project-remote-state":true}}})");
  CHECK(r.status == 422);
  CHECK(r.body.find("Project remote state cannot be enabled when global remote state sharing is enabled") !=
        std::string::npos);
}

TEST_CASE("agent pools and the agent execution mode", "[api][agent-pools]") {
  api_fixture f;
  auto p = f.http.post("/api/v2/organizations/acme/agent-pools",
                       R"({"data":{"type":"agent-pools","attributes":{"name":"runners"}}})");
  REQUIRE(p.status == 201);
  const std::string pool = api_fixture::id_of(p);
  CHECK(pool.rfind("apool-", 0) == 0);
  CHECK(f.http
            .post("/api/v2/organizations/acme/agent-pools",
                  R"({"data":{"type":"agent-pools","attributes":{"name":"runners"}}})")
            .status == 422);
  // The agent mode needs a pool; a pool needs the agent mode.
  auto r = f.http.patch("/api/v2/workspaces/" + f.ws_id,
                        R"({"data":{"type":"workspaces","attributes":{"execution-mode":"agent"}}})");
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(r.body.find("must be specified when using 'agent' execution mode") != std::string::npos);
  r = f.http.patch("/api/v2/workspaces/" + f.ws_id,
                   R"({"data":{"type":"workspaces","attributes":{"agent-pool-id":")" + pool + R"("}}})");
  CHECK(r.status == 422);
  CHECK(r.body.find("must not be specified unless using 'agent' execution mode") != std::string::npos);
  r = f.http.patch(
      "/api/v2/workspaces/" + f.ws_id,
      R"({"data":{"type":"workspaces","attributes":{"execution-mode":"agent","agent-pool-id":")" + pool + R"("}}})");
  REQUIRE(r.status == 200);
  CHECK(rel_id(api_fixture::body(r)["data"], "agent-pool") == pool);
  // A pool in use cannot go.
  CHECK(f.http.del("/api/v2/agent-pools/" + pool).status == 422);
  // The organization's default: a new workspace inherits it.
  REQUIRE(
      f.http
          .patch(
              "/api/v2/organizations/acme",
              R"({"data":{"type":"organizations","attributes":{"default-execution-mode":"agent"},"relationships":{"default-agent-pool":{"data":{"type":"agent-pools","id":")" +
                  pool + R"("}}}}})")
          .status == 200);
  const std::string inh = new_workspace(f, "inherits");
  auto w = api_fixture::body(f.http.get("/api/v2/workspaces/" + inh));
  CHECK(sattr(w["data"], "execution-mode") == "agent");
  CHECK(w["data"]["attributes"]["setting-overwrites"]["execution-mode"].as_bool() == std::optional<bool>(false));
  // Runs of agent workspaces are found by the pool's name.
  f.uploaded_cv();
  const std::string run = f.create_run();
  auto runs = api_fixture::body(f.http.get("/api/v2/organizations/acme/runs?filter%5Bagent_pool_names%5D=runners"));
  REQUIRE(runs["data"].size() == 1);
  CHECK(runs["data"][0]["id"].as_string() == std::optional<std::string_view>(run));
  CHECK(api_fixture::body(f.http.get("/api/v2/organizations/acme/runs?filter%5Bagent_pool_names%5D=other"))["data"]
            .size() == 0);
  // Back to remote: the organization's pool goes with it.
  auto o = api_fixture::body(
      f.http.patch("/api/v2/organizations/acme",
                   R"({"data":{"type":"organizations","attributes":{"default-execution-mode":"remote"}}})"));
  CHECK(o["data"]["relationships"]["default-agent-pool"]["data"].is_null());
  auto list = api_fixture::body(f.http.get("/api/v2/organizations/acme/agent-pools"));
  REQUIRE(list["data"].size() == 1);
  CHECK(list["data"][0]["relationships"]["workspaces"]["data"].size() == 2);
}

TEST_CASE("workspace list: wildcard search and the default order (latest change first)", "[api][workspaces]") {
  api_fixture f;
  new_workspace(f, "hashicorp-prod");
  new_workspace(f, "hashicorp-staging");
  auto wild = api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces?search%5Bwildcard-name%5D=*-prod"));
  CHECK(names_of(wild) == std::set<std::string>{"hashicorp-prod"});
  auto none = api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces?search%5Bwildcard-name%5D=*-dev"));
  CHECK(none["data"].size() == 0);
  auto by_name = api_fixture::body(f.http.get("/api/v2/organizations/acme/workspaces?sort=name"));
  REQUIRE(by_name["data"].size() == 3);
  CHECK(sattr(by_name["data"][0], "name") == "hashicorp-prod");
  CHECK(f.http.get("/api/v2/organizations/acme/workspaces?sort=bogus").status == 400);
}
