# The test-control cookbook (docs/testing.md): the same recipes in Python (pytest and the tfe_server
# fixture of clients/python), curl+bash and Go (go-tfe v1 and clients/go/tfetest); the C++ recipes are
# built in examples/CMakeLists.txt.
#
# include()d from examples/CMakeLists.txt. Adds the ctest tests (label `cookbook`; run them with
# `ctest -L cookbook`):
# - cookbook_python: examples/cookbook/python through clients/python/run_tests.py with the venv
#   TFE_PYTHON_VENV (made by `bash clients/python/install.sh <repo>/build`), once with a tfe-server process
#   per test and once with a tenant per test on one shared tfe-server. Without the venv it reports itself
#   skipped (77) and prints the install command.
# - cookbook_curl: curl/cookbook.sh against one tfe-server (--manual-clock --seed 7 --admin-token
#   admin-secret) started by run_with_server.sh.
# - cookbook_go (with TFE_INTEROP_TESTS, as go_tfetest): go/run_tests.py builds the module go/ (go.mod and
#   go.sum pin go-tfe; tfetest comes from this checkout) with the first go tool of version 1.25 or newer
#   and runs it both ways, like cookbook_python. Without such a go tool it reports itself skipped (77).
# Temp files, Go caches and test binaries go under ${PROJECT_BINARY_DIR}/cookbook.
# tools/ is added after examples/, so tfe-server is referenced through $<TARGET_FILE:...> (resolved at
# generate time) and guarded by TFE_BUILD_TOOLS rather than if(TARGET tfe-server).

find_program(TFE_COOKBOOK_BASH bash DOC "bash, for the curl cookbook test")
find_program(TFE_COOKBOOK_CURL curl DOC "curl, for the curl cookbook test")
find_program(TFE_COOKBOOK_PYTHON3 python3 DOC "python3, for the cookbook tests' runners and the curl cookbook test")
# The same cache entries as clients/go/tfetest/tfetest.cmake and clients/python/clients.cmake.
find_program(TFE_GO_V1_EXECUTABLE go PATHS /usr/local/go/bin DOC "A go tool of version 1.25 or newer, for go-tfe v1")
set(TFE_PYTHON_VENV "${PROJECT_SOURCE_DIR}/build/python-venv" CACHE PATH
    "The Python venv of the Python client tests: bash clients/python/install.sh <repo>/build makes it")

set(_cookbook_dir ${CMAKE_CURRENT_LIST_DIR})
set(_cookbook_tests)
if(NOT TFE_BUILD_TESTS OR NOT TFE_BUILD_TOOLS)
  message(STATUS "cookbook tests: disabled (needs TFE_BUILD_TESTS and TFE_BUILD_TOOLS)")
elseif(NOT TFE_COOKBOOK_PYTHON3)
  message(STATUS "cookbook tests: disabled (python3 not found)")
else()
  add_test(NAME cookbook_python
    COMMAND ${TFE_COOKBOOK_PYTHON3} ${PROJECT_SOURCE_DIR}/clients/python/run_tests.py
            --venv ${TFE_PYTHON_VENV}
            --server $<TARGET_FILE:tfe-server>
            --workdir ${PROJECT_BINARY_DIR}/cookbook/python
            --tests ${_cookbook_dir}/python
            --install "bash ${PROJECT_SOURCE_DIR}/clients/python/install.sh ${PROJECT_SOURCE_DIR}/build"
            --shared-pass)
  list(APPEND _cookbook_tests cookbook_python)
  if(TFE_COOKBOOK_BASH AND TFE_COOKBOOK_CURL)
    add_test(NAME cookbook_curl
      COMMAND ${TFE_COOKBOOK_BASH} ${_cookbook_dir}/run_with_server.sh $<TARGET_FILE:tfe-server> --
              ${TFE_COOKBOOK_BASH} ${_cookbook_dir}/curl/cookbook.sh)
    list(APPEND _cookbook_tests cookbook_curl)
  endif()
  if(TFE_INTEROP_TESTS)
    set(_cookbook_go_arg)
    if(TFE_GO_V1_EXECUTABLE)
      set(_cookbook_go_arg --go ${TFE_GO_V1_EXECUTABLE})
    endif()
    add_test(NAME cookbook_go
      COMMAND ${TFE_COOKBOOK_PYTHON3} ${_cookbook_dir}/go/run_tests.py
              --server $<TARGET_FILE:tfe-server>
              --workdir ${PROJECT_BINARY_DIR}/cookbook/go
              ${_cookbook_go_arg})
    list(APPEND _cookbook_tests cookbook_go)
    unset(_cookbook_go_arg)
  endif()
  set_tests_properties(${_cookbook_tests} PROPERTIES LABELS cookbook TIMEOUT 300 ${TFE_SKIP_PROPS})
  if(TFE_INTEROP_TESTS)
    # One at a time: gofmt, go vet and go test -c are CPU-heavy on a small machine; the build may also
    # wait for the lock TFE_BUILD_LOCK names, hence the longer timeout (as go_tfetest's).
    set_tests_properties(cookbook_go PROPERTIES RUN_SERIAL TRUE TIMEOUT 600)
    set_property(TEST cookbook_go APPEND PROPERTY ENVIRONMENT TFE_GO_CACHE_DIR=${PROJECT_BINARY_DIR}/go-cache)
  endif()
  message(STATUS "cookbook tests: ${_cookbook_tests}")
endif()
