# The Go test helper clients/go/tfetest: its own tests against tfe-server (run_tests.py here).
#
# include()d from tests/CMakeLists.txt (inside if(TFE_INTEROP_TESTS)). Adds the ctest test `go_tfetest`
# (label `clients`) when Python 3 is found and the tools (tfe-server) are built. run_tests.py builds the
# test binary from this directory's module (go.mod/go.sum pin go-tfe; modules come from the Go module
# proxy into ${PROJECT_BINARY_DIR}/clients/go with -mod=readonly) and runs it twice: with a tfe-server
# process per test, then with TFE_SHARED_SERVER (a tenant per test on one server). The go tool is the
# first of version 1.25 or newer among TFE_GO_V1_EXECUTABLE, `go` on PATH and /usr/local/go/bin/go;
# without one the test is skipped (exit status 77).

find_program(TFE_GO_V1_EXECUTABLE go PATHS /usr/local/go/bin DOC "A go tool of version 1.25 or newer, for go-tfe v1")

if(NOT TFE_BUILD_TOOLS)
  message(STATUS "go_tfetest: disabled (TFE_BUILD_TOOLS is OFF: no tfe-server)")
elseif(NOT Python3_FOUND)
  message(STATUS "go_tfetest: disabled (no Python 3)")
else()
  set(_tfetest_go_arg)
  if(TFE_GO_V1_EXECUTABLE)
    set(_tfetest_go_arg --go ${TFE_GO_V1_EXECUTABLE})
  endif()
  add_test(NAME go_tfetest
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run_tests.py
            --server $<TARGET_FILE:tfe-server>
            --workdir ${PROJECT_BINARY_DIR}/clients/go
            ${_tfetest_go_arg})
  set_tests_properties(go_tfetest PROPERTIES
    TIMEOUT 600
    LABELS clients
    ${TFE_SKIP_PROPS}
    # One at a time: go vet and go test -c are CPU-heavy on a small machine.
    RUN_SERIAL TRUE)
  set_property(TEST go_tfetest APPEND PROPERTY ENVIRONMENT TFE_GO_CACHE_DIR=${PROJECT_BINARY_DIR}/go-cache)
  unset(_tfetest_go_arg)
endif()
