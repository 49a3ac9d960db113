// Many threads drive one engine; run under ThreadSanitizer in scripts/test (tsan configuration).
#include "support/catch.hpp"

#include <tfe/tfe.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using engine_t = tfe::basic_engine<tfe::test_policies>;

std::string tarball() {
  return std::string(
      "\x1f\x8b\x08\x00"
      "config",
      10);
}

bool active_status(tfe::run_status s) { return s != tfe::run_status::pending && !tfe::is_final(s); }

}  // namespace

TEST_CASE("threads creating, applying, discarding and canceling keep the queue invariants", "[concurrency]") {
  engine_t eng;
  tfe::organization_options oo;
  oo.name = "org";
  oo.email = "a@b.c";
  REQUIRE(eng.create_organization(oo));
  constexpr int workspaces = 4;
  constexpr int threads = 4;
  constexpr int ops = 300;
  std::vector<tfe::resource_id> ws;
  for (int i = 0; i < workspaces; ++i) {
    tfe::workspace_options wo;
    wo.name = "ws" + std::to_string(i);
    auto w = eng.create_workspace("org", wo);
    REQUIRE(w);
    tfe::configuration_version_options co;
    co.auto_queue_runs = false;
    auto cv = eng.create_configuration_version(w->id, co);
    REQUIRE(eng.upload_configuration(cv->upload_token, tarball()));
    ws.push_back(w->id);
  }
  std::mutex created_mu;
  std::vector<tfe::resource_id> created;
  std::atomic<int> notified{0};
  // Observers run outside the engine lock and may call back into it.
  (void)eng.subscribe([&](const tfe::run_status_change& c) {
    notified.fetch_add(1, std::memory_order_relaxed);
    if (c.to == c.from) return;
    tfe::run_list_request req;
    req.page = tfe::page_request{1, 100};
    auto page = eng.list_runs(c.workspace_id, req);
    (void)page;
  });
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::vector<tfe::resource_id> mine;
      for (int i = 0; i < ops; ++i) {
        const auto& w = ws[static_cast<std::size_t>((t + i) % workspaces)];
        switch (i % 5) {
          case 0:
          case 1: {
            tfe::run_options o;
            o.workspace_id = w;
            auto r = eng.create_run(o);
            if (r) mine.push_back(r->id);
            break;
          }
          case 2:
            if (!mine.empty()) (void)eng.apply_run(mine[static_cast<std::size_t>(i) % mine.size()]);
            break;
          case 3:
            if (!mine.empty()) (void)eng.discard_run(mine[static_cast<std::size_t>(i * 7) % mine.size()]);
            break;
          case 4:
            if (!mine.empty()) (void)eng.cancel_run(mine.back());
            eng.poll();
            break;
        }
      }
      std::lock_guard<std::mutex> lk(created_mu);
      created.insert(created.end(), mine.begin(), mine.end());
    });
  }
  for (auto& th : pool) th.join();
  eng.run_until_idle();
  // No run lost; never two active runs in a workspace; the holder is the workspace's active run.
  std::map<std::string, int> active_per_ws;
  for (const auto& id : created) {
    auto r = eng.read_run(id);
    REQUIRE(r);
    if (active_status(r->status) && !r->plan_only) ++active_per_ws[r->workspace_id.str()];
  }
  for (const auto& kv : active_per_ws) CHECK(kv.second <= 1);
  std::size_t listed = 0;
  for (const auto& w : ws) listed += eng.list_runs(w)->total_count;
  CHECK(listed == created.size());
  CHECK(notified.load() > 0);
}
