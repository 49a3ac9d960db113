# go-tfe 0.11.1's own integration tests, run against tfe-server (tests/interop/go-tfe/run.sh).
#
# include()d from tests/CMakeLists.txt. Adds the ctest test `go_tfe_integration` (label `interop`) when
# the go tool, bash and go-tfe's sources (Debian: golang-github-hashicorp-go-tfe-dev) are present and
# the tools (tfe-server) are built. Offline: the test binary is built in GOPATH mode from
# TFE_GO_TFE_GOPATH and cached in the work directory. Run it alone with `ctest -L interop`.
#
# tools/ is added after tests/, so the target is referenced through $<TARGET_FILE:...> (resolved at
# generate time) and guarded by TFE_BUILD_TOOLS rather than if(TARGET tfe-server).

# Debian's golang-go (1.19) first: the suite is a GOPATH-mode build of a 2021 release, and that is the
# toolchain it was written for. A newer go on PATH also works (run.sh builds with -vet=off: go 1.24+
# vets test builds and rejects go-tfe 0.11.1's non-constant format strings).
find_program(TFE_GO_EXECUTABLE go PATHS /usr/lib/go-1.19/bin NO_DEFAULT_PATH DOC "The go tool, for the go-tfe interop test")
find_program(TFE_GO_EXECUTABLE go DOC "The go tool, for the go-tfe interop test")
find_program(TFE_BASH_EXECUTABLE bash DOC "bash, for the go-tfe interop test")
set(TFE_GO_TFE_GOPATH "/usr/share/gocode" CACHE PATH
    "GOPATH holding src/github.com/hashicorp/go-tfe (0.11.1) and its dependencies")

if(NOT TFE_BUILD_TOOLS)
  message(STATUS "go-tfe interop test: disabled (TFE_BUILD_TOOLS is OFF: no tfe-server)")
elseif(NOT TFE_GO_EXECUTABLE OR NOT TFE_BASH_EXECUTABLE)
  message(STATUS "go-tfe interop test: disabled (go or bash not found)")
elseif(NOT EXISTS "${TFE_GO_TFE_GOPATH}/src/github.com/hashicorp/go-tfe/tfe.go")
  message(STATUS "go-tfe interop test: disabled (no go-tfe sources under ${TFE_GO_TFE_GOPATH}/src)")
else()
  message(STATUS "go-tfe interop test: enabled (${TFE_GO_EXECUTABLE}, GOPATH ${TFE_GO_TFE_GOPATH})")
  add_test(NAME go_tfe_integration
    COMMAND ${TFE_BASH_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run.sh
            --server $<TARGET_FILE:tfe-server>
            --workdir ${PROJECT_BINARY_DIR}/interop/go-tfe
            --go ${TFE_GO_EXECUTABLE}
            --gopath ${TFE_GO_TFE_GOPATH}
            # go-tfe 0.11.1's tests read a pending version's upload-url back, as TFE answered in 2021
            --server-arg --upload-url-on-read)
  set_tests_properties(go_tfe_integration PROPERTIES
    TIMEOUT 600
    LABELS interop
    SKIP_RETURN_CODE 77
    # One at a time: it builds with `go test -c` (CPU) and the server it starts must not be starved.
    RUN_SERIAL TRUE)
endif()
