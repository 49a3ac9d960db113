# go-tfe v1's own integration tests, unchanged, against tfe-server (tests/interop/go-tfe-v1/run.py).
#
# include()d from tests/CMakeLists.txt. Adds the ctest test `go_tfe_v1_integration` (label `interop`)
# when Python 3 is found and the tools (tfe-server) are built. The module (go.mod/go.sum here) and its
# dependencies come from the Go module proxy into the build directory; the go tool is the first of
# version 1.25 or newer (TFE_GO_V1_EXECUTABLE, `go` on PATH, /usr/local/go/bin/go), else run.py fetches
# the pinned toolchain from the proxy. The test fails unless docs/compatibility.md's generated section
# is what this run reports (update it with `run.py ... --doc docs/compatibility.md --write-doc`).

find_program(TFE_GO_V1_EXECUTABLE go PATHS /usr/local/go/bin DOC "A go tool of version 1.25 or newer, for go-tfe v1")

if(NOT TFE_BUILD_TOOLS)
  message(STATUS "go-tfe v1 interop test: disabled (TFE_BUILD_TOOLS is OFF: no tfe-server)")
elseif(NOT Python3_FOUND)
  message(STATUS "go-tfe v1 interop test: disabled (no Python 3)")
else()
  set(_go_arg)
  if(TFE_GO_V1_EXECUTABLE)
    set(_go_arg --go ${TFE_GO_V1_EXECUTABLE})
  endif()
  add_test(NAME go_tfe_v1_integration
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run.py
            --server $<TARGET_FILE:tfe-server>
            --workdir ${PROJECT_BINARY_DIR}/interop/go-tfe-v1
            --doc ${PROJECT_SOURCE_DIR}/docs/compatibility.md
            ${_go_arg})
  set_tests_properties(go_tfe_v1_integration PROPERTIES
    TIMEOUT 1500
    LABELS interop
    SKIP_RETURN_CODE 77
    # One at a time: it builds with `go test -c` (CPU), and its tests poll with real sleeps.
    RUN_SERIAL TRUE)
  # One Go module and build cache for go-tfe v1, tfetest and the cookbook: go-tfe is compiled once.
  set_property(TEST go_tfe_v1_integration APPEND PROPERTY ENVIRONMENT TFE_GO_CACHE_DIR=${PROJECT_BINARY_DIR}/go-cache)
endif()
