// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// API benchmarks: JSON:API requests/s through basic_api::handle (in process, no sockets) for a run read, a
// run creation and a page of runs, each beside the bare engine call it wraps, measured in the same run.
#include <tfe/tfe.hpp>

#include "bench_setup.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace {

using tfe_bench::setup;

// The test policies (manual clock, sequential ids) with std::mutex: the engine locks as in production,
// and nothing becomes due unless a call schedules it now, so poll() is pure overhead here.
using bench_engine = tfe::basic_engine<tfe::test_policies>;
using bench_api = tfe::basic_api<bench_engine>;

/// The API settings of the measurements: the engine is polled before each request only when asked.
/// `cache` false turns the GET /runs/:id document cache off (api_options::run_document_cache = 0).
tfe::api_options api_settings(bool poll, bool cache = true) {
  tfe::api_options o;
  o.poll_engine = poll;
  o.url_key_seed = 1;
  if (!cache) o.run_document_cache = 0;
  return o;
}

/// A request as go-tfe sends it (the headers in_process_transport adds), built once.
tfe::http_request make_request(std::string method, std::string target, std::string body = {}) {
  tfe::http_request req;
  req.method = std::move(method);
  req.target = std::move(target);
  req.headers.emplace_back("Host", "tfe.local");
  req.headers.emplace_back("Accept", "application/vnd.api+json");
  req.headers.emplace_back("Authorization", "Bearer bench-token");
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/vnd.api+json");
  req.body = std::move(body);
  return req;
}

// ---- GET /api/v2/runs/:id --------------------------------------------------------------------------
// 1,000 runs, each the only run of its workspace, so each is cost_estimated with six status timestamps:
// the same shape of document scripts/bench-api-server fetches over HTTP (about 2.1 KB).

struct run_fixture {
  bench_engine eng;
  std::vector<tfe::resource_id> ids;
  run_fixture() {
    for (const auto& w : setup(eng, 1000)) {
      tfe::run_options o;
      o.workspace_id = w;
      ids.push_back(eng.create_run(o)->id);
    }
    eng.run_until_idle();  // plan and estimate them now, not in the first measured request's poll
  }
};

// Reads go round the 1,000 runs (`runs` 1000: more runs than the document cache has slots, so nearly
// every read misses it and writes the document) or read the same run again and again (`runs` 1: a
// client polling one run; every read after the first is answered from the cache when it is on).
void BM_api_get_run(benchmark::State& state) {
  run_fixture f;
  bench_api api(f.eng, api_settings(state.range(0) != 0, state.range(1) != 0));
  tfe::in_process_transport<bench_api> http(api);
  std::vector<tfe::http_request> reqs;
  const std::size_t runs = static_cast<std::size_t>(state.range(2));
  for (std::size_t i = 0; i < runs && i < f.ids.size(); ++i)
    reqs.push_back(make_request("GET", "/api/v2/runs/" + f.ids[i].str()));
  if (http.send(reqs[0]).status != 200) state.SkipWithError("GET /runs/:id failed");
  std::size_t k = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    tfe::http_response res = http.send(reqs[k++ % reqs.size()]);
    bytes += res.body.size();
    benchmark::DoNotOptimize(res);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["body_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_api_get_run)
    ->ArgNames({"poll", "cache", "runs"})
    ->Args({0, 0, 1000})
    ->Args({0, 1, 1000})
    ->Args({1, 1, 1000})
    ->Args({0, 0, 1})
    ->Args({0, 1, 1})
    ->Unit(benchmark::kMicrosecond);

// The same through in_process_transport::get(target), which builds the request (target and headers) per call.
void BM_api_get_run_via_transport(benchmark::State& state) {
  run_fixture f;
  bench_api api(f.eng, api_settings(false));
  tfe::in_process_transport<bench_api> http(api, "bench-token");
  std::vector<std::string> targets;
  for (const auto& id : f.ids) targets.push_back("/api/v2/runs/" + id.str());
  std::size_t k = 0;
  for (auto _ : state) {
    tfe::http_response res = http.get(targets[k++ % targets.size()]);
    benchmark::DoNotOptimize(res);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_api_get_run_via_transport)->Unit(benchmark::kMicrosecond);

// Reference: the engine call the API makes for that request (a locked lookup and a copy of the run).
void BM_engine_read_run(benchmark::State& state) {
  run_fixture f;
  std::size_t k = 0;
  for (auto _ : state) {
    auto r = f.eng.read_run(f.ids[k++ % f.ids.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_engine_read_run)->Unit(benchmark::kMicrosecond);

// Serialization alone: the run document written from an already copied run.
void BM_serialize_run_document(benchmark::State& state) {
  run_fixture f;
  const tfe::run r = *f.eng.read_run(f.ids[0]);
  static const std::uint64_t key[4] = {1, 2, 3, 4};
  tfe::serialize_context sc;
  sc.base_url = "http://tfe.local";
  sc.user_id = f.eng.options().user_id;
  sc.username = f.eng.options().username;
  sc.url_key = key;
  for (auto _ : state) {
    std::string b;
    b.reserve(4096);
    tfe::json_writer w(b);
    w.begin_object().key("data");
    tfe::write_run(w, r, sc);
    w.end_object();
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_serialize_run_document)->Unit(benchmark::kMicrosecond);

// ---- POST /api/v2/runs -----------------------------------------------------------------------------
// Runs on 64 workspaces with an uploaded configuration version; each workspace's first run plans (the
// manual clock never moves, zero durations), the others stay pending in its queue. Every 4,096 runs the
// engine is reset and set up again outside the timing, so queues and memory stay bounded.

constexpr std::size_t create_batch = 4096;
constexpr std::size_t create_workspaces = 64;

void BM_api_create_run(benchmark::State& state) {
  bench_engine eng;
  bench_api api(eng, api_settings(state.range(0) != 0));
  tfe::in_process_transport<bench_api> http(api);
  std::vector<tfe::http_request> reqs;
  auto prepare = [&] {
    reqs.clear();
    for (const auto& w : setup(eng, create_workspaces))
      reqs.push_back(make_request(
          "POST", "/api/v2/runs",
          R"({"data":{"type":"runs","attributes":{"message":"bench"},"relationships":{"workspace":{"data":{"type":"workspaces","id":")" +
              w.str() + R"("}}}}})"));
  };
  prepare();
  if (http.send(reqs[0]).status != 201) state.SkipWithError("POST /runs failed");
  std::size_t k = 0;
  for (auto _ : state) {
    if (++k % create_batch == 0) {
      state.PauseTiming();
      (void)eng.reset();
      prepare();
      state.ResumeTiming();
    }
    tfe::http_response res = http.send(reqs[k % reqs.size()]);
    benchmark::DoNotOptimize(res);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_api_create_run)->ArgName("poll")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Reference: the bare engine call, same workspaces, same reset schedule.
void BM_engine_create_run(benchmark::State& state) {
  bench_engine eng;
  std::vector<tfe::run_options> opts;
  auto prepare = [&] {
    opts.clear();
    for (const auto& w : setup(eng, create_workspaces)) {
      tfe::run_options o;
      o.workspace_id = w;
      o.message = "bench";
      opts.push_back(std::move(o));
    }
  };
  prepare();
  std::size_t k = 0;
  for (auto _ : state) {
    if (++k % create_batch == 0) {
      state.PauseTiming();
      (void)eng.reset();
      prepare();
      state.ResumeTiming();
    }
    auto r = eng.create_run(opts[k % opts.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_engine_create_run)->Unit(benchmark::kMicrosecond);

// ---- GET /api/v2/workspaces/:id/runs -----------------------------------------------------------------
// The first page (20, newest first) of a workspace holding 1,000 runs; items are requests, runs_per_s
// counts the runs serialized.

struct list_fixture {
  bench_engine eng;
  tfe::resource_id ws;
  list_fixture() {
    ws = setup(eng, 1)[0];
    tfe::run_options o;
    o.workspace_id = ws;
    for (int k = 0; k < 1000; ++k) (void)eng.create_run(o);
    eng.run_until_idle();
  }
};

void BM_api_list_runs(benchmark::State& state) {
  list_fixture f;
  bench_api api(f.eng, api_settings(state.range(0) != 0));
  tfe::in_process_transport<bench_api> http(api);
  const tfe::http_request req = make_request("GET", "/api/v2/workspaces/" + f.ws.str() + "/runs");
  if (http.send(req).status != 200) state.SkipWithError("GET /workspaces/:id/runs failed");
  std::size_t bytes = 0;
  for (auto _ : state) {
    tfe::http_response res = http.send(req);
    bytes += res.body.size();
    benchmark::DoNotOptimize(res);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["runs_per_s"] =
      benchmark::Counter(20.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["body_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_api_list_runs)->ArgName("poll")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Reference: the engine's page of 20 (copies of the runs), no JSON.
void BM_engine_list_runs(benchmark::State& state) {
  list_fixture f;
  const tfe::run_list_request req;
  for (auto _ : state) {
    auto p = f.eng.list_runs(f.ws, req);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["runs_per_s"] =
      benchmark::Counter(20.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_engine_list_runs)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
