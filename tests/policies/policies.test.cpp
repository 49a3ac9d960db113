// Each policy contract: the defaults satisfy it, near misses do not, and a custom policy plugs in.
#include "support/catch.hpp"

#include <tfe/tfe.hpp>

#include <string>

namespace {

struct clock_without_now {};
struct clock_wrong_return {
  int now() const { return 0; }
};
struct fixed_clock {
  tfe::time_point now() const { return tfe::from_unix_ms(1000); }
};
struct ids_without_token {
  tfe::resource_id next(tfe::id_kind) { return tfe::resource_id("x"); }
};
struct executor_without_apply {
  tfe::phase_outcome plan(const tfe::run&, const tfe::workspace&) { return {}; }
};
struct failing_executor {
  tfe::phase_outcome plan(const tfe::run&, const tfe::workspace&) {
    tfe::phase_outcome o;
    o.errored = true;
    o.error_message = "always fails";
    return o;
  }
  tfe::phase_outcome apply(const tfe::run&, const tfe::workspace&) { return {}; }
};
struct lock_only {
  void lock() {}
};
struct storage_missing_blobs {};

struct custom_policies : tfe::test_policies {
  using executor_type = failing_executor;
  using mutex_type = tfe::null_mutex;
};
struct missing_clock {
  using storage_type = tfe::memory_storage;
  using id_generator_type = tfe::random_ids;
  using executor_type = tfe::simulated_executor;
  using mutex_type = tfe::null_mutex;
};

}  // namespace

TEST_CASE("clock contract", "[policy]") {
  STATIC_REQUIRE(tfe::is_clock_policy_v<tfe::system_clock_policy>);
  STATIC_REQUIRE(tfe::is_clock_policy_v<tfe::manual_clock>);
  STATIC_REQUIRE(tfe::is_clock_policy_v<fixed_clock>);
  STATIC_REQUIRE_FALSE(tfe::is_clock_policy_v<clock_without_now>);
  STATIC_REQUIRE_FALSE(tfe::is_clock_policy_v<clock_wrong_return>);
  tfe::manual_clock c;
  auto t0 = c.now();
  c.advance(tfe::milliseconds(1500));
  CHECK(c.now() - t0 == tfe::milliseconds(1500));
  c.advance(tfe::milliseconds(-5));
  CHECK(c.now() - t0 == tfe::milliseconds(1500));
}

TEST_CASE("id generator contract", "[policy]") {
  STATIC_REQUIRE(tfe::is_id_generator_policy_v<tfe::random_ids>);
  STATIC_REQUIRE(tfe::is_id_generator_policy_v<tfe::sequential_ids>);
  STATIC_REQUIRE_FALSE(tfe::is_id_generator_policy_v<ids_without_token>);
  tfe::random_ids r;
  r.seed(7);
  auto id = r.next(tfe::id_kind::workspace);
  CHECK(id.size() == 3 + tfe::id_suffix_length);
  CHECK(id.view().substr(0, 3) == "ws-");
  CHECK(tfe::is_valid_id_text(id));
  tfe::random_ids r2;
  r2.seed(7);
  CHECK(r2.next(tfe::id_kind::workspace) == id);
  CHECK(r.token().size() == 40);
  tfe::sequential_ids s;
  CHECK(s.next(tfe::id_kind::run).view() == "run-0000000000000001");
  CHECK(s.next(tfe::id_kind::plan).view() == "plan-0000000000000002");
}

TEST_CASE("executor, mutex and storage contracts", "[policy]") {
  STATIC_REQUIRE(tfe::is_executor_policy_v<tfe::simulated_executor>);
  STATIC_REQUIRE(tfe::is_executor_policy_v<failing_executor>);
  STATIC_REQUIRE_FALSE(tfe::is_executor_policy_v<executor_without_apply>);
  STATIC_REQUIRE(tfe::is_mutex_policy_v<tfe::null_mutex>);
  STATIC_REQUIRE_FALSE(tfe::is_mutex_policy_v<lock_only>);
  STATIC_REQUIRE(tfe::is_storage_policy_v<tfe::memory_storage>);
  STATIC_REQUIRE_FALSE(tfe::is_storage_policy_v<storage_missing_blobs>);
  STATIC_REQUIRE(tfe::is_policy_set_v<tfe::default_policies>);
  STATIC_REQUIRE(tfe::is_policy_set_v<custom_policies>);
  STATIC_REQUIRE_FALSE(tfe::is_policy_set_v<missing_clock>);
#if TFE_HAS_CONCEPTS
  STATIC_REQUIRE(tfe::policy_set<custom_policies>);
  STATIC_REQUIRE_FALSE(tfe::clock_policy<clock_without_now>);
#endif
}

TEST_CASE("a custom executor policy decides the outcome", "[policy]") {
  tfe::basic_engine<custom_policies> eng;
  tfe::organization_options oo;
  oo.name = "o";
  oo.email = "a@b.c";
  REQUIRE(eng.create_organization(oo));
  tfe::workspace_options wo;
  wo.name = "w";
  auto w = eng.create_workspace("o", wo);
  auto cv = eng.create_configuration_version(w->id);
  REQUIRE(eng.upload_configuration(cv->upload_token, std::string("\x1f\x8b", 2)));
  eng.run_until_idle();
  auto runs = eng.list_runs(w->id);
  REQUIRE(runs->items.size() == 1);
  auto r = eng.read_run(runs->items[0].id);
  CHECK(r->status == tfe::run_status::errored);
  CHECK(r->error_text == "always fails");
}
