// Must compile with TFE_COMPILE_FAIL=0 and must NOT compile with TFE_COMPILE_FAIL=1:
// a policy set without a clock is rejected by a static_assert naming clock_type.
#include <tfe/tfe.hpp>

struct no_clock {
  using storage_type = tfe::memory_storage;
#if !TFE_COMPILE_FAIL
  using clock_type = tfe::manual_clock;
#endif
  using id_generator_type = tfe::random_ids;
  using executor_type = tfe::simulated_executor;
  using mutex_type = tfe::null_mutex;
};

int main() {
  tfe::basic_engine<no_clock> e;
  return e.next_due().has_value() ? 1 : 0;
}
