# sqlite_storage (examples/sqlite_storage): a storage policy backed by SQLite. With Catch2 tests on, the
# engine and API suites run over it (tfe_tests_sqlite), plus its own durability tests.
find_package(SQLite3 QUIET)
if(NOT SQLite3_FOUND)
  message(STATUS "tfe: SQLite3 not found; skipping examples/sqlite_storage (install libsqlite3-dev)")
elseif(NOT TFE_STORAGE_SUITES)
  message(STATUS "tfe: examples/sqlite_storage tests off (TFE_STORAGE_SUITES=OFF)")
elseif(TFE_BUILD_TESTS)
  set(TFE_SQLITE_DIR ${CMAKE_CURRENT_LIST_DIR})
  file(GLOB TFE_SQLITE_SUITE_SOURCES CONFIGURE_DEPENDS
      ${PROJECT_SOURCE_DIR}/tests/engine/*.cpp ${PROJECT_SOURCE_DIR}/tests/api/*.cpp)
  add_executable(tfe_tests_sqlite ${TFE_SQLITE_SUITE_SOURCES})
  target_include_directories(tfe_tests_sqlite PRIVATE ${PROJECT_SOURCE_DIR}/tests ${TFE_SQLITE_DIR})
  target_link_libraries(tfe_tests_sqlite PRIVATE tfe::tfe tfe_warnings Catch2::Catch2WithMain SQLite::SQLite3)
  target_compile_definitions(tfe_tests_sqlite PRIVATE ${TFE_EXAMPLE_CATCH_DEFS}
    TFE_SOURCE_DIR="${PROJECT_SOURCE_DIR}" TFE_TEST_STORAGE_HEADER="storage_under_test.hpp")
  add_test(NAME engine_suite_over_sqlite_storage COMMAND tfe_tests_sqlite)
  if(TFE_UNITY_TESTS)
    set_target_properties(tfe_tests_sqlite PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
  endif()

  add_executable(tfe_example_sqlite_storage_tests ${TFE_SQLITE_DIR}/sqlite_storage.test.cpp)
  target_include_directories(tfe_example_sqlite_storage_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests ${TFE_SQLITE_DIR})
  target_link_libraries(tfe_example_sqlite_storage_tests PRIVATE tfe::tfe tfe_warnings Catch2::Catch2WithMain
    SQLite::SQLite3)
  target_compile_definitions(tfe_example_sqlite_storage_tests PRIVATE ${TFE_EXAMPLE_CATCH_DEFS})
  add_test(NAME example_sqlite_storage COMMAND tfe_example_sqlite_storage_tests)
endif()
