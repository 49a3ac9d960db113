# The cpp-httplib example (examples/httplib_server.cpp): tfe::api served by a host's own HTTP server.
# Include it from examples/CMakeLists.txt with
#   include(${CMAKE_CURRENT_LIST_DIR}/httplib.cmake)
# It is skipped (with a status message) when cpp-httplib is not found. Lookup order:
#   1. find_package(httplib CONFIG): upstream's CMake package, target httplib::httplib;
#   2. pkg-config cpp-httplib: what Debian/Ubuntu's libcpp-httplib-dev ships (no CMake package). That
#      build is split into a header and libcpp-httplib.so compiled with OpenSSL, zlib and Brotli support;
#      the CPPHTTPLIB_*_SUPPORT defines from the .pc file must be used, or the classes' layout differs;
#   3. a single-header copy of httplib.h (header-only upstream form) on the include path.
set(TFE_HTTPLIB_TARGET "")
find_package(httplib CONFIG QUIET)
if(TARGET httplib::httplib)
  set(TFE_HTTPLIB_TARGET httplib::httplib)
  set(TFE_HTTPLIB_FROM "CMake package ${httplib_DIR}")
else()
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(TFE_CPPHTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
    if(TFE_CPPHTTPLIB_FOUND)
      set(TFE_HTTPLIB_TARGET PkgConfig::TFE_CPPHTTPLIB)
      set(TFE_HTTPLIB_FROM "pkg-config cpp-httplib ${TFE_CPPHTTPLIB_VERSION}")
    endif()
  endif()
endif()
if(NOT TFE_HTTPLIB_TARGET)
  find_path(TFE_HTTPLIB_INCLUDE_DIR httplib.h)
  if(TFE_HTTPLIB_INCLUDE_DIR)
    # Only the header-only form works without its library: it defines Server::listen_after_bind inline.
    file(STRINGS ${TFE_HTTPLIB_INCLUDE_DIR}/httplib.h TFE_HTTPLIB_INLINE REGEX "inline bool Server::listen_after_bind")
    if(TFE_HTTPLIB_INLINE)
      add_library(tfe_httplib_header INTERFACE)
      target_include_directories(tfe_httplib_header SYSTEM INTERFACE ${TFE_HTTPLIB_INCLUDE_DIR})
      find_package(Threads REQUIRED)
      target_link_libraries(tfe_httplib_header INTERFACE Threads::Threads)
      set(TFE_HTTPLIB_TARGET tfe_httplib_header)
      set(TFE_HTTPLIB_FROM "header-only ${TFE_HTTPLIB_INCLUDE_DIR}/httplib.h")
    endif()
  endif()
endif()

if(TFE_HTTPLIB_TARGET)
  message(STATUS "tfe examples: cpp-httplib from ${TFE_HTTPLIB_FROM}")
  add_executable(tfe_example_httplib_server ${CMAKE_CURRENT_LIST_DIR}/httplib_server.cpp)
  # Imported targets' include directories are SYSTEM includes, so cpp-httplib's own warnings do not
  # trip tfe's -Werror; tfe's code in the example is held to the usual flags.
  target_link_libraries(tfe_example_httplib_server PRIVATE ${TFE_PROGRAM_LIBRARY} tfe_warnings ${TFE_HTTPLIB_TARGET})
  if(TFE_BUILD_TESTS)
    add_test(NAME example_httplib_server COMMAND tfe_example_httplib_server)
    set_tests_properties(example_httplib_server PROPERTIES TIMEOUT 60)
  endif()
else()
  message(STATUS "tfe examples: cpp-httplib not found, skipping examples/httplib_server.cpp")
endif()
