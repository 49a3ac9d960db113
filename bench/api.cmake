# The JSON:API benchmarks (bench/api_bench.cpp, Google Benchmark): requests/s through basic_api::handle
# beside the bare engine calls. Include it from bench/CMakeLists.txt with
#   include(${CMAKE_CURRENT_LIST_DIR}/api.cmake)
# and build:  cmake --build build-bench --target tfe_bench_api
# The HTTP comparison against nginx is scripts/bench-api-server (it needs only tfe-server).
if(NOT TARGET benchmark::benchmark)
  find_package(benchmark REQUIRED)
endif()
add_executable(tfe_bench_api ${CMAKE_CURRENT_LIST_DIR}/api_bench.cpp)
target_link_libraries(tfe_bench_api PRIVATE tfe::tfe tfe_warnings benchmark::benchmark)
# -O2 whatever the build type, like the other benchmarks, so numbers are comparable.
target_compile_options(tfe_bench_api PRIVATE -O2)
target_compile_definitions(tfe_bench_api PRIVATE NDEBUG)
