#include <tfe/tfe.hpp>

int odr_b() {
  auto v = tfe::json::parse(R"({"answer":42})");
  return v ? static_cast<int>((*v)["answer"].as_int().value_or(0)) : 0;
}
