# terrasnek, a published Python TFE client, drives the run workflow against tfe-server
# (tests/interop/python-client/test_seed_workflow.py).
#
# include()d from tests/CMakeLists.txt. Adds the ctest test `python_client_seed_workflow` (label
# `interop`) when Python 3 is found and the tools (tfe-server) are built. pytest and terrasnek come from
# the venv TFE_PYTHON_VENV (shared with clients/python), made by
# `bash tests/interop/python-client/install.sh <repo>/build`; without it the test reports itself skipped
# (77) and prints that command. clients/python/run_tests.py runs the test with a tfe-server process of
# its own; temp files go under ${PROJECT_BINARY_DIR}/interop/python-client.

set(TFE_PYTHON_VENV "${PROJECT_SOURCE_DIR}/build/python-venv" CACHE PATH
    "The Python venv of the Python client tests: bash clients/python/install.sh <repo>/build makes it")

if(NOT TFE_BUILD_TOOLS)
  message(STATUS "Python client interop test: disabled (TFE_BUILD_TOOLS is OFF: no tfe-server)")
elseif(NOT Python3_FOUND)
  message(STATUS "Python client interop test: disabled (no Python 3)")
else()
  add_test(NAME python_client_seed_workflow
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/clients/python/run_tests.py
            --venv ${TFE_PYTHON_VENV}
            --server $<TARGET_FILE:tfe-server>
            --workdir ${PROJECT_BINARY_DIR}/interop/python-client
            --tests ${CMAKE_CURRENT_LIST_DIR}
            --require terrasnek
            --install "bash ${CMAKE_CURRENT_LIST_DIR}/install.sh ${PROJECT_SOURCE_DIR}/build")
  set_tests_properties(python_client_seed_workflow PROPERTIES TIMEOUT 300 LABELS interop ${TFE_SKIP_PROPS})
endif()
