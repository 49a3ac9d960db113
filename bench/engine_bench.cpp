// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Engine benchmarks: full lifecycles per second (1 and 2 threads), list pages at 1k vs 1M runs,
// a writer beside a reader, and the bare-hash-map reference measured in the same run.
#include <tfe/tfe.hpp>

#include "bench_setup.hpp"

#include <benchmark/benchmark.h>

#include <malloc.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using tfe_bench::setup;

struct st_policies : tfe::test_policies {
  using mutex_type = tfe::null_mutex;
};
using st_engine = tfe::basic_engine<st_policies>;
using mt_engine = tfe::basic_engine<tfe::test_policies>;

// Every lifecycle benchmark (and its reference) does exactly this many lifecycles per repetition, from a
// fresh engine (or map): what a repetition measures no longer depends on how many iterations Google
// Benchmark picked or on what earlier repetitions left behind. main() turns off heap trimming and runs
// one untimed pass of each first, so no benchmark pays the page faults of a heap the others reuse.
constexpr std::int64_t lifecycles_per_repetition = 200000;

// create -> plan_queued -> planning -> planned -> confirmed -> apply_queued -> applying -> applied
template <class E>
bool lifecycle(E& eng, const tfe::resource_id& ws) {
  tfe::run_options o;
  o.workspace_id = ws;
  auto r = eng.create_run(o);  // queues and plans at once (zero durations)
  if (!r) return false;
  if (!eng.apply_run(r->id)) return false;
  return true;
}

template <class E>
void lifecycles_from_fresh_engine(benchmark::State& state) {
  auto eng = std::make_unique<E>();
  auto ws = setup(*eng, 64);
  std::size_t i = 0;
  for (auto _ : state) {
    if (!lifecycle(*eng, ws[i++ % ws.size()])) state.SkipWithError("lifecycle failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  eng.reset();  // after the loop: the timer stopped when it ended
}

void BM_engine_lifecycle_single_thread(benchmark::State& state) { lifecycles_from_fresh_engine<st_engine>(state); }
BENCHMARK(BM_engine_lifecycle_single_thread)->Iterations(lifecycles_per_repetition)->Unit(benchmark::kMicrosecond);

void BM_engine_lifecycle_locked_single_thread(benchmark::State& state) {
  lifecycles_from_fresh_engine<mt_engine>(state);
}
BENCHMARK(BM_engine_lifecycle_locked_single_thread)
    ->Iterations(lifecycles_per_repetition)
    ->Unit(benchmark::kMicrosecond);

// Two threads, each on its own workspaces, one engine (std::mutex).
mt_engine* shared_engine = nullptr;
std::vector<tfe::resource_id>* shared_ws = nullptr;
void BM_engine_lifecycle_threads(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared_engine = new mt_engine();
    shared_ws = new std::vector<tfe::resource_id>(setup(*shared_engine, 64));
  }
  // google benchmark synchronises threads before the loop
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    const auto& w = (*shared_ws)[(i += 2) % shared_ws->size()];
    if (!lifecycle(*shared_engine, w)) state.SkipWithError("lifecycle failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  if (state.thread_index() == 0) {
    delete shared_engine;
    delete shared_ws;
  }
}
BENCHMARK(BM_engine_lifecycle_threads)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMicrosecond);

// One writer doing lifecycles while one reader reads runs by id.
void BM_engine_writer_with_reader(benchmark::State& state) {
  mt_engine eng;
  auto all = setup(eng, 128);
  // Workspaces are dealt round-robin over 16 shards: the writer takes even shards, the reader odd.
  std::vector<tfe::resource_id> ws, read_ws;
  for (std::size_t k = 0; k < all.size(); ++k) (k % 2 == 0 ? ws : read_ws).push_back(all[k]);
  std::vector<tfe::resource_id> ids;
  for (int k = 0; k < 1000; ++k) {
    tfe::run_options o;
    o.workspace_id = read_ws[static_cast<std::size_t>(k) % read_ws.size()];
    ids.push_back(eng.create_run(o)->id);
  }
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> reads{0};
  std::thread reader([&] {
    std::size_t k = 0;
    std::uint64_t n = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      auto r = eng.read_run(ids[k++ % ids.size()]);
      benchmark::DoNotOptimize(r);
      ++n;
    }
    reads.store(n);
  });
  std::size_t i = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    if (!lifecycle(eng, ws[i++ % ws.size()])) state.SkipWithError("lifecycle failed");
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop = true;
  reader.join();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["reads_per_s"] = static_cast<double>(reads.load()) / secs;
}
BENCHMARK(BM_engine_writer_with_reader)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_engine_read_run_single_thread(benchmark::State& state) {
  mt_engine eng;
  auto ws = setup(eng, 64);
  std::vector<tfe::resource_id> ids;
  for (int k = 0; k < 1000; ++k) {
    tfe::run_options o;
    o.workspace_id = ws[static_cast<std::size_t>(k) % ws.size()];
    ids.push_back(eng.create_run(o)->id);
  }
  std::size_t k = 0;
  for (auto _ : state) {
    auto r = eng.read_run(ids[k++ % ids.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_engine_read_run_single_thread)->Unit(benchmark::kMicrosecond);

// A page of 20 from a workspace holding N runs.
void BM_engine_list_page(benchmark::State& state) {
  st_engine eng;
  auto ws = setup(eng, 1);
  const auto n = static_cast<std::size_t>(state.range(0));
  tfe::run_options o;
  o.workspace_id = ws[0];
  for (std::size_t k = 0; k < n; ++k) (void)eng.create_run(o);
  tfe::run_list_request req;
  req.page.number = 3;
  for (auto _ : state) {
    auto p = eng.list_runs(ws[0], req);
    benchmark::DoNotOptimize(p);
  }
  state.counters["runs"] = static_cast<double>(n);
}
BENCHMARK(BM_engine_list_page)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMicrosecond)->Iterations(20000);

// A page of 20 runs filtered by status (filter[status]=discarded) from a workspace holding N runs, one in
// ten of them discarded and the others applied: the total comes from per-status counts and the walk
// stops when the page is full, so the cost does not grow with N.
void BM_engine_list_page_filtered(benchmark::State& state) {
  st_engine eng;
  auto ws = setup(eng, 1);
  const auto n = static_cast<std::size_t>(state.range(0));
  tfe::run_options o;
  o.workspace_id = ws[0];
  for (std::size_t k = 0; k < n; ++k) {
    auto r = eng.create_run(o);
    if (!r || !(k % 10 == 0 ? eng.discard_run(r->id.view()) : eng.apply_run(r->id))) {
      state.SkipWithError("setup failed");
      return;
    }
  }
  tfe::run_list_request req;
  req.statuses = {tfe::run_status::discarded};
  req.page.size = 20;
  for (auto _ : state) {
    auto p = eng.list_runs(ws[0], req);
    benchmark::DoNotOptimize(p);
  }
  state.counters["runs"] = static_cast<double>(n);
}
BENCHMARK(BM_engine_list_page_filtered)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond)->Iterations(20000);

// Heap bytes per stored run at 1M runs (1000 workspaces x 1000 runs), after every run applied.
void BM_engine_bytes_per_run(benchmark::State& state) {
  for (auto _ : state) {
    auto before = mallinfo2().uordblks;
    auto eng = std::make_unique<st_engine>();
    auto ws = setup(*eng, 1000);
    const std::size_t n = 1000000;
    auto base = mallinfo2().uordblks;
    for (std::size_t k = 0; k < n; ++k) (void)lifecycle(*eng, ws[k % ws.size()]);
    eng->run_until_idle();
    auto after = mallinfo2().uordblks;
    state.counters["bytes_per_run"] = static_cast<double>(after - base) / static_cast<double>(n);
    state.counters["setup_bytes"] = static_cast<double>(base - before);
  }
}
BENCHMARK(BM_engine_bytes_per_run)->Iterations(1)->Unit(benchmark::kMillisecond);

// Reference: a bare std::unordered_map holding a 20-field run; create + 6 transitions.
struct bare_run {
  std::string id, workspace, cv, message, source;
  int status = 0;
  std::array<std::int64_t, 14> times{};
};
void BM_reference_bare_map_lifecycle(benchmark::State& state) {
  auto owned = std::make_unique<std::unordered_map<std::string, bare_run>>();
  auto& runs = *owned;
  std::uint64_t k = 0;
  for (auto _ : state) {
    std::string id = "run-" + std::to_string(1000000000000000ull + k++);
    bare_run r;
    r.id = id;
    r.workspace = "ws-0000000000000001";
    r.cv = "cv-0000000000000002";
    r.message = "Queued manually via the Terraform Enterprise API";
    r.source = "tfe-api";
    auto& ref = runs.emplace(id, std::move(r)).first->second;
    for (int s = 1; s <= 6; ++s) {
      auto it = runs.find(id);
      it->second.status = s;
      it->second.times[static_cast<std::size_t>(s)] = static_cast<std::int64_t>(k);
    }
    benchmark::DoNotOptimize(ref);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  owned.reset();  // after the loop: not timed
}
BENCHMARK(BM_reference_bare_map_lifecycle)->Iterations(lifecycles_per_repetition)->Unit(benchmark::kMicrosecond);

// One untimed pass of the lifecycle work, so that the heap every benchmark grows into is mapped already.
void warm_up() {
  auto eng = std::make_unique<mt_engine>();
  auto ws = setup(*eng, 64);
  for (std::int64_t i = 0; i < lifecycles_per_repetition; ++i)
    (void)lifecycle(*eng, ws[static_cast<std::size_t>(i) % ws.size()]);
}

}  // namespace

int main(int argc, char** argv) {
  // Keep freed memory in the process (no trimming, no per-allocation mmap): every repetition then
  // reuses pages that are already mapped instead of faulting in fresh ones.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  warm_up();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
