// Mirrors the usage example in README.md; keep the two in step.
#include <tfe/tfe.hpp>

#include <cstdio>

int main() {
  auto doc = tfe::json::parse(R"({"data":{"type":"runs","attributes":{"is-destroy":false}}})");
  if (!doc) {
    std::printf("parse error at line %zu: %s\n", doc.error().position.line, doc.error().message.c_str());
    return 1;
  }
  std::printf("%s\n", doc->dump().c_str());
  return 0;
}
