// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// What a tenant of tfe-server costs (tools/tenants.hpp): POST /_tfe/tenants answered by the registry
// (a new engine, API, test controls and admin API), and DELETE. The reference in the same run is
// constructing one bare engine (tfe::basic_engine with tfe-server's policies) alone.
#include "tenants.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

namespace {

void BM_tenant_create_and_delete(benchmark::State& state) {
  tfe_server::instance_settings settings;
  tfe_server::tenant_limits limits;
  limits.max_tenants = 1u << 20;
  tfe_server::tenant_registry reg(settings, limits);
  std::uint64_t k = 0;
  tfe::http_request create, drop;
  create.method = "POST";
  create.target = "/_tfe/tenants";
  drop.method = "DELETE";
  for (auto _ : state) {
    const std::string name = "t" + std::to_string(k++);
    create.body = "{\"name\":\"" + name + "\"}";
    if (reg.handle(create, "http://127.0.0.1:8080").status != 201) state.SkipWithError("create failed");
    drop.target = "/_tfe/tenants/" + name;
    if (reg.handle(drop, "http://127.0.0.1:8080").status != 204) state.SkipWithError("delete failed");
  }
}
BENCHMARK(BM_tenant_create_and_delete)->Unit(benchmark::kMicrosecond);

void BM_reference_engine_construction(benchmark::State& state) {
  for (auto _ : state) {
    auto eng = std::make_unique<tfe_server::server_engine>();
    benchmark::DoNotOptimize(eng);
  }
}
BENCHMARK(BM_reference_engine_construction)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
