// The organization queue: engine_options::organization_concurrency limits the runs of one organization
// in a phase; the others wait in plan_queued/apply_queued, first come first served, across workspaces
// and shards.
#include "support/catch.hpp"
#include "support/engine_fixture.hpp"

#include <string>
#include <vector>

using tfe::run_status;
using tfe_test::fixture;

namespace {

tfe::engine_options limited(std::size_t n, std::size_t shards = 16) {
  tfe::engine_options o;
  o.organization_concurrency = n;
  o.shards = shards;
  return o;
}

// A workspace whose plans take 10 s and applies 5 s, with an uploaded configuration.
tfe::resource_id slow_workspace(fixture& f, const std::string& name) {
  auto w = f.make_workspace(name);
  tfe::run_script s;
  s.plan.duration = tfe::milliseconds(10000);
  s.apply.duration = tfe::milliseconds(5000);
  f.eng.executor().script_workspace(w, s);
  f.uploaded_cv(w);
  return w;
}

void advance(fixture& f, long long ms) {
  f.eng.clock().advance(tfe::milliseconds(ms));
  f.eng.poll();
}

}  // namespace

TEST_CASE("with a limit of one, a second workspace's run waits for the first's plan", "[engine][capacity]") {
  fixture f(limited(1));
  auto a = slow_workspace(f, "a");
  auto b = slow_workspace(f, "b");
  auto ra = f.make_run(a);
  auto rb = f.make_run(b);
  f.eng.poll();
  CHECK(f.status(ra.id) == run_status::planning);
  CHECK(f.status(rb.id) == run_status::plan_queued);
  CHECK(f.eng.queue_position(ra.id.view()) == 0);
  CHECK(f.eng.queue_position(rb.id.view()) == 1);
  auto counts = f.eng.organization_run_counts(f.org);
  REQUIRE(counts);
  CHECK(counts->first == 1);   // waiting
  CHECK(counts->second == 1);  // in a phase
  advance(f, 10000);           // a's plan ends: b takes the slot at once
  CHECK(f.status(ra.id) == run_status::planned);
  CHECK(f.status(rb.id) == run_status::planning);
  CHECK(f.eng.queue_position(rb.id.view()) == 0);
  // a's apply now waits for b's plan.
  REQUIRE(f.eng.apply_run(ra.id));
  f.eng.poll();
  CHECK(f.status(ra.id) == run_status::apply_queued);
  CHECK(f.eng.queue_position(ra.id.view()) == 1);
  advance(f, 10000);
  CHECK(f.status(rb.id) == run_status::planned);
  CHECK(f.status(ra.id) == run_status::applying);
  advance(f, 5000);
  CHECK(f.status(ra.id) == run_status::applied);
}

TEST_CASE("first come first served, whatever the shard", "[engine][capacity]") {
  for (std::size_t shards : {std::size_t{1}, std::size_t{16}}) {
    INFO("shards " << shards);
    fixture f(limited(2, shards));
    std::vector<tfe::resource_id> runs;
    for (int i = 0; i < 6; ++i) {
      auto w = slow_workspace(f, "w" + std::to_string(i));
      runs.push_back(f.make_run(w).id);
      f.eng.poll();
    }
    CHECK(f.status(runs[0]) == run_status::planning);
    CHECK(f.status(runs[1]) == run_status::planning);
    for (std::size_t i = 2; i < runs.size(); ++i) {
      CHECK(f.status(runs[i]) == run_status::plan_queued);
      CHECK(f.eng.queue_position(runs[i].view()) == i - 1);
    }
    advance(f, 10000);  // the first two finish; the next two start (grants across shards included)
    f.eng.poll();
    CHECK(f.status(runs[2]) == run_status::planning);
    CHECK(f.status(runs[3]) == run_status::planning);
    CHECK(f.status(runs[4]) == run_status::plan_queued);
    CHECK(f.eng.queue_position(runs[4].view()) == 1);
    f.eng.run_until_idle();
    for (const auto& r : runs) CHECK(f.status(r) == run_status::planned);
  }
}

TEST_CASE("a run that leaves the line or its phase early frees its place", "[engine][capacity]") {
  fixture f(limited(1));
  auto a = slow_workspace(f, "a");
  auto b = slow_workspace(f, "b");
  auto c = slow_workspace(f, "c");
  auto ra = f.make_run(a);
  auto rb = f.make_run(b);
  auto rc = f.make_run(c);
  f.eng.poll();
  REQUIRE(f.status(rb.id) == run_status::plan_queued);
  REQUIRE(f.eng.cancel_run(rb.id));  // leaves the line
  f.eng.poll();
  CHECK(f.status(rb.id) == run_status::canceled);
  CHECK(f.eng.queue_position(rc.id.view()) == 1);
  REQUIRE(f.eng.cancel_run(ra.id));  // a's plan is canceled: c starts
  f.eng.run_until_idle();
  CHECK(f.status(ra.id) == run_status::canceled);
  CHECK(f.status(rc.id) == run_status::planned);
  // Deleting a workspace whose run holds the slot hands it on.
  auto d = slow_workspace(f, "d");
  auto e = slow_workspace(f, "e");
  auto rd = f.make_run(d);
  auto re = f.make_run(e);
  f.eng.poll();
  REQUIRE(f.status(rd.id) == run_status::planning);
  REQUIRE(f.status(re.id) == run_status::plan_queued);
  REQUIRE(f.eng.delete_workspace(d));
  f.eng.poll();
  CHECK(f.status(re.id) == run_status::planning);
}

TEST_CASE("organizations do not share capacity; no limit means no waiting", "[engine][capacity]") {
  fixture f(limited(1));
  tfe::organization_options oo;
  oo.name = "other";
  oo.email = "ops@other.test";
  oo.cost_estimation_enabled = false;
  REQUIRE(f.eng.create_organization(oo));
  auto a = slow_workspace(f, "a");
  tfe::workspace_options wo;
  wo.name = "b";
  auto b = f.eng.create_workspace("other", wo);
  REQUIRE(b);
  tfe::run_script slow;
  slow.plan.duration = tfe::milliseconds(10000);
  f.eng.executor().script_workspace(b->id, slow);
  f.uploaded_cv(b->id);
  auto ra = f.make_run(a);
  auto rb = f.make_run(b->id);
  f.eng.poll();
  CHECK(f.status(ra.id) == run_status::planning);
  CHECK(f.status(rb.id) == run_status::planning);

  fixture g;  // unlimited
  std::vector<tfe::resource_id> runs;
  for (int i = 0; i < 4; ++i) runs.push_back(g.make_run(slow_workspace(g, "u" + std::to_string(i))).id);
  g.eng.poll();
  for (const auto& r : runs) {
    CHECK(g.status(r) == run_status::planning);
    CHECK(g.eng.queue_position(r.view()) == 0);
  }
}

TEST_CASE("a snapshot restores the line: phases keep their slots, queued runs line up again", "[engine][capacity]") {
  fixture f(limited(1));
  auto a = slow_workspace(f, "a");
  auto b = slow_workspace(f, "b");
  auto ra = f.make_run(a);
  auto rb = f.make_run(b);
  f.eng.poll();
  const tfe::json snap = f.eng.snapshot();
  fixture g(limited(1));
  REQUIRE(g.eng.restore(snap));
  tfe::run_script slow;  // scripts are the executor's, not part of a snapshot
  slow.plan.duration = tfe::milliseconds(10000);
  g.eng.executor().script_workspace(b, slow);
  g.eng.poll();
  CHECK(g.status(ra.id) == run_status::planning);
  CHECK(g.status(rb.id) == run_status::plan_queued);
  CHECK(g.eng.queue_position(rb.id.view()) == 1);
  g.eng.clock().advance(tfe::milliseconds(10000));
  g.eng.poll();
  CHECK(g.status(rb.id) == run_status::planning);
}
