# pytest-tfe-server's own tests (clients/python/tests) against tfe-server.
#
# include()d from tests/CMakeLists.txt. Adds the ctest test `python_tfe_server_plugin` (label `clients`)
# when Python 3 is found and the tools (tfe-server) are built. It runs the suite from the venv
# TFE_PYTHON_VENV (made by `bash clients/python/install.sh <repo>/build`) twice through run_tests.py: a
# tfe-server process per test, then one shared tfe-server with a tenant per test. Without the venv the
# test reports itself skipped (77) and prints the install command. Temp files go under
# ${PROJECT_BINARY_DIR}/clients/python.

set(TFE_PYTHON_VENV "${PROJECT_SOURCE_DIR}/build/python-venv" CACHE PATH
    "The Python venv of the Python client tests: bash clients/python/install.sh <repo>/build makes it")

if(NOT TFE_BUILD_TOOLS)
  message(STATUS "pytest-tfe-server tests: disabled (TFE_BUILD_TOOLS is OFF: no tfe-server)")
elseif(NOT Python3_FOUND)
  message(STATUS "pytest-tfe-server tests: disabled (no Python 3)")
else()
  add_test(NAME python_tfe_server_plugin
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run_tests.py
            --venv ${TFE_PYTHON_VENV}
            --server $<TARGET_FILE:tfe-server>
            --workdir ${PROJECT_BINARY_DIR}/clients/python
            --tests ${CMAKE_CURRENT_LIST_DIR}/tests
            --install "bash ${CMAKE_CURRENT_LIST_DIR}/install.sh ${PROJECT_SOURCE_DIR}/build"
            --shared-pass)
  set_tests_properties(python_tfe_server_plugin PROPERTIES TIMEOUT 300 LABELS clients ${TFE_SKIP_PROPS})
  if(NOT EXISTS ${TFE_PYTHON_VENV}/bin/python)
    message(STATUS "pytest-tfe-server tests: no venv at ${TFE_PYTHON_VENV}: python_tfe_server_plugin will be "
                   "skipped. Make it with `bash ${CMAKE_CURRENT_LIST_DIR}/install.sh ${PROJECT_SOURCE_DIR}/build`")
  endif()
endif()
