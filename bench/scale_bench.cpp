// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Scale figures: a workspace of 100k runs and an organization of 100k workspaces, each beside the same
// fixture at 1k measured in the same run. Heap bytes per run / per workspace, and the latency (p50, p99)
// of GET and list requests through basic_api + in_process_transport, one request at a time.
//
//   tfe_bench_scale [--large N] [--small N] [--requests N] [--markdown]
//
// Prints one row per request: the small fixture's p50/p99, the large one's, and the ratio of the p50s.
#include <tfe/tfe.hpp>

#include "bench_setup.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using engine_type = tfe::basic_engine<tfe::test_policies>;
using api_type = tfe::basic_api<engine_type>;

/// Latency percentiles of one request kind, in microseconds.
struct latency {
  double p50 = 0;
  double p99 = 0;
  std::size_t body_bytes = 0;
};

/// A fixture: an engine, its API and transport, and the ids the requests pick from.
struct fixture {
  std::unique_ptr<engine_type> eng = std::make_unique<engine_type>();
  std::unique_ptr<api_type> api;
  std::unique_ptr<tfe::in_process_transport<api_type>> http;
  std::vector<tfe::resource_id> runs;
  std::vector<tfe::resource_id> workspaces;
  std::size_t heap_bytes = 0;  // heap growth while the runs or workspaces were added

  void open_api() {
    tfe::api_options o;
    o.url_key_seed = 1;
    api = std::make_unique<api_type>(*eng, o);
    http = std::make_unique<tfe::in_process_transport<api_type>>(*api);
  }
};

std::size_t heap_in_use() { return mallinfo2().uordblks; }

/// One workspace holding `n` applied runs (each a full lifecycle).
std::unique_ptr<fixture> workspace_of_runs(std::size_t n) {
  auto f = std::make_unique<fixture>();
  f->workspaces = tfe_bench::setup(*f->eng, 1);
  const std::size_t before = heap_in_use();
  f->runs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    tfe::run_options o;
    o.workspace_id = f->workspaces[0];
    auto r = f->eng->create_run(o);
    if (!r || !f->eng->apply_run(r->id)) {
      std::fprintf(stderr, "tfe_bench_scale: lifecycle %zu failed\n", i);
      std::exit(1);
    }
    f->runs.push_back(r->id);
  }
  f->eng->run_until_idle();
  f->heap_bytes = heap_in_use() - before;  // the runs vector is part of it: subtracted below
  f->heap_bytes -= f->runs.capacity() * sizeof(tfe::resource_id);
  f->open_api();
  return f;
}

/// One organization holding `n` workspaces (no runs).
std::unique_ptr<fixture> organization_of_workspaces(std::size_t n) {
  auto f = std::make_unique<fixture>();
  tfe::organization_options oo;
  oo.name = "bench";
  oo.email = "b@e.n";
  (void)f->eng->create_organization(oo);
  f->workspaces.reserve(n);
  const std::size_t before = heap_in_use();
  for (std::size_t i = 0; i < n; ++i) {
    tfe::workspace_options wo;
    wo.name = "ws" + std::to_string(i);
    auto w = f->eng->create_workspace("bench", wo);
    if (!w) {
      std::fprintf(stderr, "tfe_bench_scale: workspace %zu failed\n", i);
      std::exit(1);
    }
    f->workspaces.push_back(w->id);
  }
  f->heap_bytes = heap_in_use() - before;
  f->open_api();
  return f;
}

/// Sends `count` requests made by `target(k)` one after another; returns p50/p99 of their wall times.
latency measure(fixture& f, std::size_t count, const std::function<std::string(std::size_t)>& target) {
  std::vector<double> us;
  us.reserve(count);
  std::size_t bytes = 0;
  for (std::size_t k = 0; k < count + count / 10; ++k) {  // the first tenth warms caches, not counted
    const std::string t = target(k);
    const auto start = std::chrono::steady_clock::now();
    tfe::http_response res = f.http->get(t);
    const auto end = std::chrono::steady_clock::now();
    if (res.status != 200) {
      std::fprintf(stderr, "tfe_bench_scale: GET %s answered %d\n", t.c_str(), res.status);
      std::exit(1);
    }
    bytes = res.body.size();
    if (k >= count / 10) us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  std::sort(us.begin(), us.end());
  latency l;
  l.p50 = us[us.size() / 2];
  l.p99 = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  l.body_bytes = bytes;
  return l;
}

/// A request kind measured on both fixtures.
struct request_kind {
  std::string label;
  std::function<std::string(fixture&, std::size_t)> target;
};

void print_rows(const char* what, fixture& small, fixture& large, std::size_t small_n, std::size_t large_n,
                std::size_t requests, const std::vector<request_kind>& kinds) {
  std::printf("\n%s: %zu against %zu (heap: %.0f B and %.0f B per item)\n\n", what, large_n, small_n,
              static_cast<double>(small.heap_bytes) / static_cast<double>(small_n),
              static_cast<double>(large.heap_bytes) / static_cast<double>(large_n));
  std::printf("| request | %zu: p50 | p99 | %zu: p50 | p99 | p50 ratio |\n", small_n, large_n);
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (const auto& kind : kinds) {
    const latency a = measure(small, requests, [&](std::size_t k) { return kind.target(small, k); });
    const latency b = measure(large, requests, [&](std::size_t k) { return kind.target(large, k); });
    std::printf("| %s (%zu B) | %.1f µs | %.1f µs | %.1f µs | %.1f µs | **%.2f** |\n", kind.label.c_str(), b.body_bytes,
                a.p50, a.p99, b.p50, b.p99, b.p50 / a.p50);
    std::fflush(stdout);
  }
}

std::size_t arg_value(int argc, char** argv, const char* name, std::size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return static_cast<std::size_t>(std::strtoull(argv[i + 1], nullptr, 10));
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  const std::size_t large_n = arg_value(argc, argv, "--large", 100000);
  const std::size_t small_n = arg_value(argc, argv, "--small", 1000);
  const std::size_t requests = arg_value(argc, argv, "--requests", 2000);
  std::mt19937_64 pick(7);  // which run or workspace each request reads: the same sequence on both sides
  auto any = [&](const std::vector<tfe::resource_id>& ids, std::size_t k) -> const tfe::resource_id& {
    (void)k;
    return ids[pick() % ids.size()];
  };

  {
    auto small = workspace_of_runs(small_n);
    auto large = workspace_of_runs(large_n);
    const std::string mid_small = std::to_string(small_n / 20 / 2);
    const std::string mid_large = std::to_string(large_n / 20 / 2);
    std::vector<request_kind> kinds = {
        {"`GET /runs/:id`, any run", [&](fixture& f, std::size_t k) { return "/api/v2/runs/" + any(f.runs, k).str(); }},
        {"`GET /workspaces/:id`",
         [&](fixture& f, std::size_t) { return "/api/v2/workspaces/" + f.workspaces[0].str(); }},
        {"`GET /workspaces/:id/runs`, first page of 20",
         [&](fixture& f, std::size_t) { return "/api/v2/workspaces/" + f.workspaces[0].str() + "/runs"; }},
        {"the same, the middle page",
         [&](fixture& f, std::size_t) {
           return "/api/v2/workspaces/" + f.workspaces[0].str() +
                  "/runs?page%5Bnumber%5D=" + (&f == small.get() ? mid_small : mid_large);
         }},
        {"the same, `filter[status]=applied`",
         [&](fixture& f, std::size_t) {
           return "/api/v2/workspaces/" + f.workspaces[0].str() + "/runs?filter%5Bstatus%5D=applied";
         }},
    };
    print_rows("A workspace of applied runs", *small, *large, small_n, large_n, requests, kinds);
  }
  {
    auto small = organization_of_workspaces(small_n);
    auto large = organization_of_workspaces(large_n);
    const std::string mid_small = std::to_string(small_n / 20 / 2);
    const std::string mid_large = std::to_string(large_n / 20 / 2);
    std::vector<request_kind> kinds = {
        {"`GET /workspaces/:id`, any workspace",
         [&](fixture& f, std::size_t k) { return "/api/v2/workspaces/" + any(f.workspaces, k).str(); }},
        {"`GET /organizations/:org/workspaces/:name`, any",
         [&](fixture& f, std::size_t) {
           return "/api/v2/organizations/bench/workspaces/ws" + std::to_string(pick() % f.workspaces.size());
         }},
        {"`GET /organizations/:org/workspaces`, first page of 20",
         [&](fixture&, std::size_t) { return std::string("/api/v2/organizations/bench/workspaces"); }},
        {"the same, the middle page",
         [&](fixture& f, std::size_t) {
           return "/api/v2/organizations/bench/workspaces?page%5Bnumber%5D=" +
                  (&f == small.get() ? mid_small : mid_large);
         }},
        {"the same, `search[name]=ws7` (a prefix many names share)",
         [&](fixture&, std::size_t) {
           return std::string("/api/v2/organizations/bench/workspaces?search%5Bname%5D=ws7");
         }},
    };
    print_rows("An organization of workspaces", *small, *large, small_n, large_n, requests, kinds);
  }
  return 0;
}
