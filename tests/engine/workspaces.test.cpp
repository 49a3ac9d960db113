// Workspaces through the engine: what a returned copy carries, and the pages of an organization's list.
#include "support/catch.hpp"
#include "support/engine_fixture.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

using tfe_test::fixture;

namespace {

/// Every workspace name of the organization, page by page, in the order the list gives them.
std::vector<std::string> all_pages(fixture& f, const std::string& sort, std::size_t page_size) {
  std::vector<std::string> names;
  tfe::workspace_list_request req;
  req.sort = sort;
  req.page.size = page_size;
  for (req.page.number = 1;; ++req.page.number) {
    auto p = f.eng.list_workspaces(f.org, req);
    REQUIRE(p);
    for (const auto& w : p->items) names.push_back(w.name);
    if (req.page.number >= p->total_pages()) break;
  }
  return names;
}

}  // namespace

TEST_CASE("a workspace the engine hands out carries its run count, not its indexes", "[engine][workspace]") {
  fixture f;
  f.uploaded_cv(f.ws);
  for (int i = 0; i < 3; ++i) {
    tfe::run_options o;
    o.workspace_id = f.ws;
    REQUIRE(f.eng.create_run(o));
  }
  auto w = f.eng.read_workspace(f.ws.view());
  REQUIRE(w);
  CHECK(w->run_count == 3);
  CHECK(w->runs.empty());
  CHECK(w->configuration_versions.empty());  // it has one
  CHECK(w->state_versions.empty());

  // An update writes back the workspace's data only: the stored indexes stay whole.
  tfe::workspace_options rename;
  rename.name = "renamed";
  auto u = f.eng.update_workspace(f.ws.view(), rename);
  REQUIRE(u);
  CHECK(u->name == "renamed");
  CHECK(u->run_count == 3);
  auto locked = f.eng.lock_workspace(f.ws.view(), "check");
  REQUIRE_FALSE(locked);  // a run holds it
  REQUIRE(f.eng.add_workspace_tags(f.ws.view(), {"blue"}));
  auto runs = f.eng.list_runs(f.ws);
  REQUIRE(runs);
  CHECK(runs->total_count == 3);
  tfe::run_options o;
  o.workspace_id = f.ws;
  REQUIRE(f.eng.create_run(o));
  CHECK(f.eng.list_runs(f.ws)->total_count == 4);
  CHECK(f.eng.read_workspace_by_name(f.org, "renamed")->run_count == 4);
  auto listed = f.eng.list_workspaces(f.org);
  REQUIRE(listed);
  REQUIRE(listed->items.size() == 1);
  CHECK(listed->items[0].run_count == 4);
  CHECK(listed->items[0].runs.empty());
}

TEST_CASE("every page of an organization's workspaces follows one order", "[engine][workspace][pagination]") {
  fixture f;  // holds "prod"
  struct made {
    int time;
    std::string name;
  };
  std::vector<made> all = {{0, "prod"}};
  int time = 0;
  for (int i = 0; i < 46; ++i) {
    const std::string name = "w" + std::to_string((i * 17) % 46);  // created out of name order
    f.make_workspace(name);
    all.push_back({time, name});
    if (i % 3 == 0) {  // groups of three share a change time
      f.eng.clock().advance(tfe::milliseconds(1000));
      ++time;
    }
  }
  auto order = [&](auto less) {
    auto v = all;
    std::sort(v.begin(), v.end(), less);
    std::vector<std::string> names;
    for (const auto& m : v) names.push_back(m.name);
    return names;
  };
  const auto by_name = order([](const made& a, const made& b) { return a.name < b.name; });
  const auto by_name_desc = order([](const made& a, const made& b) { return a.name > b.name; });
  // by change time, then by name (ascending either way)
  const auto oldest =
      order([](const made& a, const made& b) { return a.time != b.time ? a.time < b.time : a.name < b.name; });
  const auto newest =
      order([](const made& a, const made& b) { return a.time != b.time ? a.time > b.time : a.name < b.name; });

  for (std::size_t size : {1, 7, 20, 100}) {
    INFO("page size " << size);
    CHECK(all_pages(f, "name", size) == by_name);
    CHECK(all_pages(f, "-name", size) == by_name_desc);
    CHECK(all_pages(f, "latest-change-at", size) == oldest);
    CHECK(all_pages(f, "-latest-change-at", size) == newest);
    CHECK(all_pages(f, "", size) == newest);                         // TFE's default order
    CHECK(all_pages(f, "current-run.created-at", size) == by_name);  // none has a run: by name
  }

  tfe::workspace_list_request req;
  req.sort = "name";
  req.page.number = 8;  // past the end
  req.page.size = 7;
  auto past = f.eng.list_workspaces(f.org, req);
  REQUIRE(past);
  CHECK(past->items.empty());
  CHECK(past->total_count == 47);
  req.page.number = std::numeric_limits<std::size_t>::max();
  req.page.size = 100;
  auto far = f.eng.list_workspaces(f.org, req);
  REQUIRE(far);
  CHECK(far->items.empty());
  CHECK(far->total_count == 47);
}
