// Built with -fno-exceptions: the public API must compile and work without exceptions.
#include <tfe/tfe.hpp>

int main() {
  auto bad = tfe::json::parse("{\"a\": [1, 2,]}");
  if (bad) return 1;
  if (bad.error().code != tfe::errc::parse_error) return 2;
  auto good = tfe::json::parse("{\"a\": [1, 2, 3]}");
  if (!good) return 3;
  if ((*good)["a"].size() != 3) return 4;
  tfe::result<int> r = tfe::make_error(tfe::errc::not_found, "nope");
  if (r || r.value_or(7) != 7) return 5;
  return good->dump() == "{\"a\":[1,2,3]}" ? 0 : 6;
}
