# The test-control cookbook (docs/testing.md): the same recipes in Python, curl+bash and Go (go-tfe),
# each run against a fresh tfe-server (--manual-clock --seed 7 --admin-token admin-secret).
#
# include()d from examples/CMakeLists.txt. Adds the ctest tests cookbook_python, cookbook_curl and
# cookbook_go (label `cookbook`) for the interpreters and tools found; run them with `ctest -L cookbook`.
# tools/ is added after examples/, so tfe-server is referenced through $<TARGET_FILE:...> (resolved at
# generate time) and guarded by TFE_BUILD_TOOLS rather than if(TARGET tfe-server).

find_program(TFE_COOKBOOK_BASH bash DOC "bash, for the cookbook tests")
find_program(TFE_COOKBOOK_CURL curl DOC "curl, for the curl cookbook test")
find_program(TFE_COOKBOOK_PYTHON3 python3 DOC "python3, for the Python and curl cookbook tests")
find_program(TFE_GO_EXECUTABLE go DOC "The go tool, for the go-tfe tests")
set(TFE_GO_TFE_GOPATH "/usr/share/gocode" CACHE PATH
    "GOPATH holding src/github.com/hashicorp/go-tfe (0.11.1) and its dependencies")

set(_cookbook_dir ${CMAKE_CURRENT_LIST_DIR})
set(_cookbook_tests)
if(NOT TFE_BUILD_TESTS OR NOT TFE_BUILD_TOOLS)
  message(STATUS "cookbook tests: disabled (needs TFE_BUILD_TESTS and TFE_BUILD_TOOLS)")
elseif(NOT TFE_COOKBOOK_BASH)
  message(STATUS "cookbook tests: disabled (bash not found)")
else()
  set(_with_server ${TFE_COOKBOOK_BASH} ${_cookbook_dir}/run_with_server.sh $<TARGET_FILE:tfe-server> --)
  if(TFE_COOKBOOK_PYTHON3)
    add_test(NAME cookbook_python COMMAND ${_with_server} ${TFE_COOKBOOK_PYTHON3} ${_cookbook_dir}/python/cookbook.py)
    list(APPEND _cookbook_tests cookbook_python)
  endif()
  if(TFE_COOKBOOK_PYTHON3 AND TFE_COOKBOOK_CURL)
    add_test(NAME cookbook_curl COMMAND ${_with_server} ${TFE_COOKBOOK_BASH} ${_cookbook_dir}/curl/cookbook.sh)
    list(APPEND _cookbook_tests cookbook_curl)
  endif()
  # run.sh exits 77 (skipped) without go-tfe's sources; with the interop tests only (one Go build per run)
  if(TFE_GO_EXECUTABLE AND TFE_INTEROP_TESTS)
    add_test(NAME cookbook_go
      COMMAND ${TFE_COOKBOOK_BASH} ${_cookbook_dir}/go/run.sh
              --server $<TARGET_FILE:tfe-server>
              --workdir ${PROJECT_BINARY_DIR}/cookbook/go
              --go ${TFE_GO_EXECUTABLE}
              --gopath ${TFE_GO_TFE_GOPATH})
    # One at a time: it builds with `go test -c` (CPU-heavy on a small machine).
    set_tests_properties(cookbook_go PROPERTIES RUN_SERIAL TRUE)
    list(APPEND _cookbook_tests cookbook_go)
  endif()
  if(_cookbook_tests)
    set_tests_properties(${_cookbook_tests} PROPERTIES LABELS cookbook TIMEOUT 300 SKIP_RETURN_CODE 77)
  endif()
  message(STATUS "cookbook tests: ${_cookbook_tests}")
endif()
