# The dashboard of tfe-server (/_tfe/ui/, docs/dashboard.md) in a real browser: Debian's headless
# Chromium driven by playwright-core (tests/browser/dashboard.test.mjs).
#
# include()d from tests/CMakeLists.txt inside if(TFE_INTEROP_TESTS). Adds the ctest test
# `dashboard_browser` (labels interop, browser) when the tools (tfe-server) are built. playwright-core
# comes from TFE_BROWSER_DIR/node_modules, which `bash tests/browser/install.sh <repo>/build` fills from
# the committed package-lock.json (it also installs Debian's chromium when root). Without Chromium or
# node_modules the test reports itself skipped (77) and prints that command. Temporary files go under
# ${PROJECT_BINARY_DIR}/browser.

set(TFE_BROWSER_DIR "${PROJECT_SOURCE_DIR}/build/browser" CACHE PATH
    "Where tests/browser/install.sh put playwright-core (DIR/node_modules)")
set(TFE_CHROMIUM "/usr/bin/chromium" CACHE FILEPATH "The Chromium the dashboard browser test drives")
find_program(TFE_NODE_EXECUTABLE node DOC "Node.js, for the dashboard browser test")
set(_tfe_browser_install "bash ${CMAKE_CURRENT_LIST_DIR}/install.sh ${PROJECT_SOURCE_DIR}/build")

if(NOT TFE_BUILD_TOOLS)
  message(STATUS "dashboard browser test: disabled (TFE_BUILD_TOOLS is OFF: no tfe-server)")
elseif(NOT TFE_NODE_EXECUTABLE)
  # No node: no node_modules either. The test says how to get both and is reported skipped.
  find_program(TFE_SH_EXECUTABLE sh)
  add_test(NAME dashboard_browser
    COMMAND ${TFE_SH_EXECUTABLE} -c "echo 'dashboard_browser: SKIPPED: no node. Install it with: sudo apt-get install -y nodejs npm; then ${_tfe_browser_install}'; exit 77")
  set_tests_properties(dashboard_browser PROPERTIES LABELS "interop;browser" ${TFE_SKIP_PROPS} TIMEOUT 300)
  message(STATUS "dashboard browser test: skipped at run time (no node)")
else()
  add_test(NAME dashboard_browser
    COMMAND ${TFE_NODE_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/dashboard.test.mjs
            --server $<TARGET_FILE:tfe-server>
            --modules ${TFE_BROWSER_DIR}/node_modules
            --chromium ${TFE_CHROMIUM}
            --workdir ${PROJECT_BINARY_DIR}/browser
            --install "${_tfe_browser_install}")
  set_tests_properties(dashboard_browser PROPERTIES LABELS "interop;browser" ${TFE_SKIP_PROPS} TIMEOUT 300)
  message(STATUS "dashboard browser test: enabled (${TFE_NODE_EXECUTABLE}, modules in ${TFE_BROWSER_DIR})")
endif()
