// A downstream program: includes tfe, uses the JSON layer and a result.
#include <tfe/tfe.hpp>

#include <cstdio>

int main() {
  auto doc = tfe::json::parse(R"({"data":{"type":"runs","attributes":{"is-destroy":false}}})");
  if (!doc) return 1;
  const bool destroy = (*doc)["data"]["attributes"]["is-destroy"].as_bool().value_or(true);
  std::printf("tfe %s consumer ok\n", tfe::version_string);
  return destroy ? 1 : 0;
}
