// A deterministic engine (manual clock, sequential ids) with an organization and a workspace.
#ifndef TFE_TESTS_SUPPORT_ENGINE_FIXTURE_HPP
#define TFE_TESTS_SUPPORT_ENGINE_FIXTURE_HPP

#include "support/catch.hpp"
#include "support/policies_under_test.hpp"

#include <string>

namespace tfe_test {

using test_engine = tfe::basic_engine<fixture_policies>;

/// Bytes that pass the engine's gzip check (the engine stores configuration opaquely).
inline std::string fake_tarball() {
  return std::string(
      "\x1f\x8b\x08\x00"
      "configuration",
      17);
}

struct fixture {
  test_engine eng;
  std::string org = "acme";
  tfe::resource_id ws;

  explicit fixture(tfe::engine_options o = {}) : eng(std::move(o)) {
    tfe::organization_options oo;
    oo.name = org;
    oo.email = "ops@acme.test";
    oo.cost_estimation_enabled = false;  // runs pause at planned
    REQUIRE(eng.create_organization(oo));
    ws = make_workspace("prod");
  }

  tfe::resource_id make_workspace(const std::string& name, bool auto_apply = false) {
    tfe::workspace_options wo;
    wo.name = name;
    wo.auto_apply = auto_apply;
    auto w = eng.create_workspace(org, wo);
    REQUIRE(w);
    return w->id;
  }

  /// An uploaded configuration version that does not queue a run.
  tfe::resource_id uploaded_cv(const tfe::resource_id& w, bool speculative = false) {
    tfe::configuration_version_options co;
    co.auto_queue_runs = false;
    co.speculative = speculative;
    auto cv = eng.create_configuration_version(w, co);
    REQUIRE(cv);
    auto up = eng.upload_configuration(cv->upload_token, fake_tarball());
    REQUIRE(up);
    return cv->id;
  }

  tfe::run make_run(const tfe::resource_id& w, tfe::run_options o = {}) {
    o.workspace_id = w;
    auto r = eng.create_run(o);
    REQUIRE(r);
    return *r;
  }

  tfe::run read(const tfe::resource_id& id) {
    auto r = eng.read_run(id);
    REQUIRE(r);
    return *r;
  }

  tfe::run_status status(const tfe::resource_id& id) { return read(id).status; }

  tfe::workspace workspace_state(const tfe::resource_id& w) {
    auto x = eng.read_workspace(w);
    REQUIRE(x);
    return *x;
  }
};

}  // namespace tfe_test

#endif  // TFE_TESTS_SUPPORT_ENGINE_FIXTURE_HPP
