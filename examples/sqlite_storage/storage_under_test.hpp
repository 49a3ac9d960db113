// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The storage the engine and API suites run over in tfe_tests_sqlite (tests/support/policies_under_test.hpp):
// sqlite_storage on a private in-memory database which, when destroyed, checks that every engine
// operation was committed and that its database loads back to exactly the state the engine saw.
#ifndef TFE_EXAMPLES_SQLITE_STORAGE_UNDER_TEST_HPP
#define TFE_EXAMPLES_SQLITE_STORAGE_UNDER_TEST_HPP

#include "sqlite_storage.hpp"

#include <tfe/tfe.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace tfe_test {

/// sqlite_storage verifying, when destroyed, that SQLite holds what memory holds (else it aborts).
class storage_under_test : public tfe_sqlite::sqlite_storage {
 public:
  /// A storage on a private in-memory database.
  storage_under_test() = default;
  /// Not copyable.
  storage_under_test(const storage_under_test&) = delete;
  /// Not copyable.
  storage_under_test& operator=(const storage_under_test&) = delete;
  /// Checks: nothing uncommitted, no failure, and loading the database gives the same state.
  ~storage_under_test() {
    if (in_transaction()) fail("writes were left uncommitted (an operation without commit())");
    if (failed()) fail("the storage failed");
    const std::string before = state();
    if (auto r = load(); !r) fail(r.error().message.c_str());
    if (state() != before) fail("the database loads back to another state than memory held");
  }

 private:
  // Every entity (with a workspace's lists and a configuration version's bytes), one line each, sorted.
  std::string state() const {
    using namespace tfe;
    std::vector<std::string> lines;
    for_each(of<organization>, [&](const organization& o) { lines.push_back("o " + encode_entity(o).dump()); });
    for_each(of<workspace>, [&](const workspace& w) {
      std::string l = "w " + encode_entity(w).dump() + " runs:";
      for (const auto& id : w.runs) l += " " + id.str();
      l += " cvs:";
      for (const auto& id : w.configuration_versions) l += " " + id.str();
      l += " svs:";
      for (const auto& id : w.state_versions) l += " " + id.str();
      lines.push_back(std::move(l));
    });
    for_each(of<configuration_version>, [&](const configuration_version& c) {
      std::string l = "c " + encode_entity(c).dump();
      if (const std::string* b = get_blob("cv/" + c.id.str())) l += " bytes: " + *b;  // the engine's blob key
      lines.push_back(std::move(l));
    });
    for_each(of<run>, [&](const run& r) { lines.push_back("r " + encode_entity(r).dump()); });
    for_each(of<run_comment>, [&](const run_comment& c) { lines.push_back("m " + encode_entity(c).dump()); });
    for_each(of<project>, [&](const project& p) { lines.push_back("p " + encode_entity(p).dump()); });
    for_each(of<agent_pool>, [&](const agent_pool& p) { lines.push_back("a " + encode_entity(p).dump()); });
    for_each(of<state_version>, [&](const state_version& v) {
      std::string l = "s " + encode_entity(v).dump();
      if (const std::string* b = get_blob("sv/" + v.id.str())) l += " state: " + *b;
      if (const std::string* b = get_blob("svj/" + v.id.str())) l += " json: " + *b;
      lines.push_back(std::move(l));
    });
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
  [[noreturn]] static void fail(const char* why) {
    std::fprintf(stderr, "sqlite storage verification failed: %s\n", why);
    std::abort();
  }
};

}  // namespace tfe_test

#endif  // TFE_EXAMPLES_SQLITE_STORAGE_UNDER_TEST_HPP
