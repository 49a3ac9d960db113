// The policy set the engine and API fixtures use: test_policies, or test_policies with another storage
// when the build names one (TFE_TEST_STORAGE_HEADER defines tfe_test::storage_under_test). The engine
// and API suites are compiled once per storage: memory (tfe_tests), verifying journal
// (tfe_tests_journal), SQLite (examples/sqlite_storage).
#ifndef TFE_TESTS_SUPPORT_POLICIES_UNDER_TEST_HPP
#define TFE_TESTS_SUPPORT_POLICIES_UNDER_TEST_HPP

#include <tfe/tfe.hpp>

#if defined(TFE_TEST_STORAGE_HEADER)
#include TFE_TEST_STORAGE_HEADER
#endif

namespace tfe_test {

#if defined(TFE_TEST_STORAGE_HEADER)
struct fixture_policies : tfe::test_policies {
  using storage_type = storage_under_test;
};
#else
using fixture_policies = tfe::test_policies;
#endif

}  // namespace tfe_test

#endif  // TFE_TESTS_SUPPORT_POLICIES_UNDER_TEST_HPP
