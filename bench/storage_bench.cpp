// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Storage benchmarks: engine lifecycles over memory_storage (the reference, same run), over
// journal_storage without a sink, journaling to files without fsync, and with an fdatasync after
// every operation (what tfe-server --data-dir does before answering); and the time to load a data
// directory (replay + recover) per run stored.
#include <tfe/persistence/posix_data_dir.hpp>
#include <tfe/tfe.hpp>

#include "bench_setup.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

using tfe_bench::setup;

struct memory_policies : tfe::test_policies {
  using mutex_type = tfe::null_mutex;
};
struct journal_policies : memory_policies {
  using storage_type = tfe::journal_storage;
};

// One lifecycle = two engine operations (create, which plans at once, and apply, which applies).
template <class E, class AfterWrite>
bool lifecycle(E& eng, const tfe::resource_id& ws, AfterWrite&& after) {
  tfe::run_options o;
  o.workspace_id = ws;
  auto r = eng.create_run(o);
  if (!r || !after()) return false;
  return eng.apply_run(r->id) && after();
}

std::string fresh_dir(const char* tag) {
  char tmpl[] = "/tmp/tfe-bench-XXXXXX";
  const char* d = ::mkdtemp(tmpl);
  return std::string(d ? d : "/tmp") + "/" + tag;
}

void BM_lifecycle_memory_storage(benchmark::State& state) {
  tfe::basic_engine<memory_policies> eng;
  auto ws = setup(eng, 64);
  std::size_t i = 0;
  for (auto _ : state)
    if (!lifecycle(eng, ws[i++ % ws.size()], [] { return true; })) state.SkipWithError("lifecycle failed");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_lifecycle_memory_storage)->Unit(benchmark::kMicrosecond);

void BM_lifecycle_journal_no_sink(benchmark::State& state) {
  tfe::basic_engine<journal_policies> eng;
  auto ws = setup(eng, 64);
  std::size_t i = 0;
  for (auto _ : state)
    if (!lifecycle(eng, ws[i++ % ws.size()], [] { return true; })) state.SkipWithError("lifecycle failed");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_lifecycle_journal_no_sink)->Unit(benchmark::kMicrosecond);

// Journal files in a data directory; Arg(1): fdatasync after every operation, Arg(0): no fsync
// (the records still reach the kernel before each operation returns).
void BM_lifecycle_journal_file(benchmark::State& state) {
  const bool fsync = state.range(0) != 0;
  tfe::basic_engine<journal_policies> eng;
  tfe::data_dir_options o;
  o.fsync = fsync;
  auto dir = tfe::posix_data_dir::open(fresh_dir(fsync ? "fsync" : "nofsync"), o);
  if (!dir || !(*dir)->load(eng)) {
    state.SkipWithError("cannot open the data directory");
    return;
  }
  auto& d = **dir;
  auto ws = setup(eng, 64);
  std::size_t i = 0;
  for (auto _ : state)
    if (!lifecycle(eng, ws[i++ % ws.size()], [&] { return static_cast<bool>(d.sync(eng)); }))
      state.SkipWithError("lifecycle failed");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_lifecycle_journal_file)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Start-up: replay and recover a data directory holding N applied runs; Arg 2: 0 = the journals as
// written (every transition of every run), 1 = compacted (one record per entity).
void BM_load_data_dir(benchmark::State& state) {
  const auto runs = static_cast<std::size_t>(state.range(0));
  const bool compacted = state.range(1) != 0;
  const std::string path = fresh_dir("load");
  {
    tfe::basic_engine<journal_policies> eng;
    tfe::data_dir_options o;
    o.fsync = false;
    o.compact_min_bytes = ~std::uint64_t{0};
    auto dir = tfe::posix_data_dir::open(path, o);
    if (!dir || !(*dir)->load(eng)) {
      state.SkipWithError("cannot open the data directory");
      return;
    }
    auto ws = setup(eng, 64);
    for (std::size_t i = 0; i < runs; ++i) (void)lifecycle(eng, ws[i % ws.size()], [] { return true; });
    (void)(*dir)->sync(eng);
    if (compacted) (void)(*dir)->compact_all(eng);
  }
  for (auto _ : state) {
    tfe::basic_engine<journal_policies> eng;
    tfe::data_dir_options o;
    o.fsync = false;
    o.compact_min_bytes = ~std::uint64_t{0};
    auto dir = tfe::posix_data_dir::open(path, o);
    if (!dir || !(*dir)->load(eng)) state.SkipWithError("load failed");
  }
  state.counters["runs"] = static_cast<double>(runs);
}
BENCHMARK(BM_load_data_dir)
    ->Args({1000, 0})
    ->Args({10000, 0})
    ->Args({10000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
