// A journal_storage that journals into memory and, when destroyed, checks that replaying its journal
// gives exactly its state: the whole engine and API suites run over it (tfe_tests_journal), so every
// engine operation is proven to be journaled and committed.
#ifndef TFE_TESTS_SUPPORT_VERIFYING_JOURNAL_HPP
#define TFE_TESTS_SUPPORT_VERIFYING_JOURNAL_HPP

#include <tfe/tfe.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace tfe_test {

class storage_under_test : public tfe::journal_storage {
 public:
  storage_under_test() {
    tfe::journal_sink k;
    auto f = file_;
    k.append = [f](std::string_view b) -> tfe::result<void> {
      f->append(b.data(), b.size());
      return {};
    };
    if (!attach(k, true)) std::abort();
  }
  storage_under_test(const storage_under_test&) = delete;
  storage_under_test& operator=(const storage_under_test&) = delete;
  ~storage_under_test() {
    tfe::journal_storage replayed;
    const tfe::replay_report rep = replayed.replay(*file_);
    if (!rep.clean() || replayed.image() != image()) {
      std::fprintf(stderr, "journal verification failed: %s (%zu of %zu bytes valid, images %s)\n", rep.message.c_str(),
                   rep.bytes, file_->size(), replayed.image() == image() ? "equal" : "differ");
      std::abort();
    }
  }

 private:
  std::shared_ptr<std::string> file_ = std::make_shared<std::string>();
};

}  // namespace tfe_test

#endif  // TFE_TESTS_SUPPORT_VERIFYING_JOURNAL_HPP
