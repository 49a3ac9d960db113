// The GET /runs/:id document cache (api_options::run_document_cache): at every step of runs' lives a
// cached answer is byte for byte the answer of an API without the cache over the same engine.
#include "support/catch.hpp"
#include "support/policies_under_test.hpp"

#include <tfe/tfe.hpp>

#include <string>
#include <vector>

// A named namespace, not an anonymous one: the unity builds put this file in one translation unit
// with the other engine and API suites (tests/CMakeLists.txt), whose helpers have the same names.
namespace document_cache_test {

// Seeded random ids: a reset and the same calls give the same ids again, as tfe-server's reset does.
struct seeded_policies : tfe_test::fixture_policies {
  using id_generator_type = tfe::random_ids;
};
using engine_type = tfe::basic_engine<seeded_policies>;
using api_type = tfe::basic_api<engine_type>;

tfe::api_options api_options(std::size_t slots) {
  tfe::api_options o;
  o.url_key_seed = 7;
  o.run_document_cache = slots;
  return o;
}

tfe::engine_options limited() {
  tfe::engine_options o;
  o.organization_concurrency = 1;  // runs wait in plan_queued with a position that moves without them
  o.cancel_cooloff = tfe::milliseconds(10000);
  return o;
}

struct cached_and_plain {
  engine_type eng{limited()};
  api_type cached{eng, api_options(3)};  // few slots: ids share them and replace each other
  api_type plain{eng, api_options(0)};
  tfe::in_process_transport<api_type> c{cached};
  tfe::in_process_transport<api_type> p{plain};
  std::vector<std::string> runs;

  std::string post(const std::string& target, const std::string& body) {
    auto r = p.post(target, body);
    REQUIRE(r.status / 100 == 2);
    if (r.body.empty()) return {};
    auto j = tfe::json::parse(r.body);
    REQUIRE(j);
    return std::string((*j)["data"]["id"].as_string().value_or(""));
  }
  std::string workspace(const std::string& name) {
    const std::string ws =
        post("/api/v2/organizations/acme/workspaces",
             R"({"data":{"type":"workspaces","attributes":{"name":")" + name + R"(","auto-apply":false}}})");
    auto cv = p.post("/api/v2/workspaces/" + ws + "/configuration-versions",
                     R"({"data":{"type":"configuration-versions","attributes":{"auto-queue-runs":false}}})");
    auto j = tfe::json::parse(cv.body);
    REQUIRE(j);
    REQUIRE(p.put_bytes(std::string(*(*j)["data"]["attributes"]["upload-url"].as_string()),
                        std::string("\x1f\x8b\x08\x00tar", 7))
                .status == 200);
    return ws;
  }
  std::string run(const std::string& ws) {
    runs.push_back(post("/api/v2/runs", R"({"data":{"type":"runs","relationships":{"workspace":{"data":)"
                                        R"({"type":"workspaces","id":")" +
                                            ws + R"("}}}}})"));
    return runs.back();
  }
  // Every run read twice through the cached API (the second from the cache when nothing changed) and
  // once through the plain one: the three answers are the same bytes.
  void same_documents() {
    for (const auto& id : runs) {
      const auto first = c.get("/api/v2/runs/" + id);
      const auto again = c.get("/api/v2/runs/" + id);
      const auto fresh = p.get("/api/v2/runs/" + id);
      INFO(id);
      REQUIRE(fresh.status == 200);
      CHECK(first.status == 200);
      CHECK(again.status == 200);
      CHECK(first.body == fresh.body);
      CHECK(again.body == fresh.body);
      CHECK(first.headers == fresh.headers);
    }
  }
  void advance(long long ms) {
    eng.clock().advance(tfe::milliseconds(ms));
    eng.poll();
  }
};

TEST_CASE("a cached run document is the document of the run as it is now", "[api][document_cache]") {
  cached_and_plain f;
  const auto start = [&f] {  // an organization with three workspaces, ids from seed 42
    f.eng.seed_ids(42);
    f.post("/api/v2/organizations",
           R"({"data":{"type":"organizations","attributes":{"name":"acme","email":"ops@acme.test"}}})");
    f.eng.executor().plan_duration = tfe::milliseconds(5000);
    f.eng.executor().apply_duration = tfe::milliseconds(5000);
    return std::vector<std::string>{f.workspace("a"), f.workspace("b"), f.workspace("c")};
  };
  const auto ws = start();
  const std::string &a = ws[0], &b = ws[1], &c = ws[2];

  const std::string a1 = f.run(a);
  const std::string b1 = f.run(b);  // waits for the organization's one slot: position 1
  const std::string c1 = f.run(c);  // position 2
  f.same_documents();
  const std::string a2 = f.run(a);  // pending behind a1 in its workspace
  f.same_documents();

  // Time moves, plans finish, queue positions move up without the waiting runs changing.
  for (int i = 0; i < 4; ++i) {
    f.advance(2500);
    f.same_documents();
  }
  // Apply a1 with a comment (the comments and run-events relationships grow), comment on b1.
  REQUIRE(f.p.post("/api/v2/runs/" + a1 + "/actions/apply", R"({"comment":"ship \"it\""})").status == 202);
  f.same_documents();
  REQUIRE(
      f.p.post("/api/v2/runs/" + b1 + "/comments", R"({"data":{"type":"comments","attributes":{"body":"looking"}}})")
              .status /
          100 ==
      2);
  f.same_documents();

  // Cancel a run that is planning or applying: force-cancel becomes available with time alone.
  f.advance(1000);
  f.same_documents();
  std::string busy;
  for (const auto& id : f.runs) {
    auto r = f.eng.read_run(id);
    REQUIRE(r);
    if (r->status == tfe::run_status::planning || r->status == tfe::run_status::applying) busy = id;
  }
  REQUIRE(!busy.empty());
  f.eng.executor().plan_duration = tfe::milliseconds(60000);  // later plans outlast the cooloff
  REQUIRE(f.p.post("/api/v2/runs/" + busy + "/actions/cancel", "{}").status == 202);
  f.same_documents();
  f.advance(9999);
  f.same_documents();
  f.advance(1);
  f.same_documents();
  for (int i = 0; i < 8; ++i) {
    f.advance(7000);
    f.same_documents();
  }
  // Discard and cancel whatever waits; the rest runs out.
  for (const auto& id : f.runs) {
    (void)f.p.post("/api/v2/runs/" + id + "/actions/discard", "{}");
    (void)f.p.post("/api/v2/runs/" + id + "/actions/cancel", "{}");
    f.same_documents();
  }
  f.advance(600000);
  f.same_documents();
  CHECK(f.cached.run_document_cache().hits() > 0);

  // A reset and the same steps again: the sequential ids come back, the revisions do not, so no
  // document of the old runs is served for the new ones.
  const std::uint64_t hits = f.cached.run_document_cache().hits();
  REQUIRE(f.eng.reset());
  f.runs.clear();
  const auto again = start();
  CHECK(again == ws);
  const std::string r1 = f.run(again[0]);
  CHECK(r1 == a1);  // the same id as before the reset
  f.same_documents();
  f.advance(100000);
  f.same_documents();
  CHECK(f.cached.run_document_cache().hits() > hits);

  // A snapshot restored: every run is new to the cache.
  auto snap = f.eng.snapshot();
  REQUIRE(f.eng.restore(snap));
  f.same_documents();
}

TEST_CASE("requests with include, errors and a disabled cache go around it", "[api][document_cache]") {
  cached_and_plain f;
  f.post("/api/v2/organizations",
         R"({"data":{"type":"organizations","attributes":{"name":"acme","email":"ops@acme.test"}}})");
  const std::string ws = f.workspace("a");
  const std::string r = f.run(ws);
  f.eng.run_until_idle();
  for (const char* q : {"?include=plan", "?include=workspace,apply", "?include=bogus", ""}) {
    const auto x = f.c.get("/api/v2/runs/" + r + q);
    const auto y = f.p.get("/api/v2/runs/" + r + q);
    INFO(q);
    CHECK(x.status == y.status);
    CHECK(x.body == y.body);
  }
  CHECK(f.c.get("/api/v2/runs/run-doesnotexist000000").status == 404);
  CHECK(f.plain.run_document_cache().hits() == 0);
  CHECK(!f.plain.run_document_cache().enabled());

  // The cache on its own: a version mismatch or an unstamped revision never answers.
  tfe::document_cache cache(2);
  std::string out = "untouched";
  cache.store("run-x", {5, 0}, "doc");
  CHECK(!cache.find("run-x", {5, 1}, out));
  CHECK(!cache.find("run-x", {6, 0}, out));
  CHECK(!cache.find("run-y", {5, 0}, out));
  CHECK(out == "untouched");
  CHECK(cache.find("run-x", {5, 0}, out));
  CHECK(out == "doc");
  cache.store("run-z", {0, 0}, "never");
  CHECK(!cache.find("run-z", {0, 0}, out));
  cache.clear();
  CHECK(!cache.find("run-x", {5, 0}, out));
  CHECK(cache.hits() == 1);
}

}  // namespace document_cache_test
