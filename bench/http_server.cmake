# The standalone server behind scripts/bench-http (posix_http_server against nginx, driven
# by wrk). Needs no Google Benchmark; include it from bench/CMakeLists.txt with
#   include(${CMAKE_CURRENT_LIST_DIR}/http_server.cmake)
# and build:  cmake --build build-bench --target tfe_http_bench_server
if(UNIX AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
  add_executable(tfe_http_bench_server ${CMAKE_CURRENT_LIST_DIR}/http_bench_server.cpp)
  target_link_libraries(tfe_http_bench_server PRIVATE tfe::posix tfe_warnings)
  # -O2 whatever the build type, like the other benchmarks, so numbers are comparable.
  target_compile_options(tfe_http_bench_server PRIVATE -O2)
  target_compile_definitions(tfe_http_bench_server PRIVATE NDEBUG)
endif()
