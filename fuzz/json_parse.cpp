// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Fuzz target: parse; when accepted, dump, parse again, and require equal values and a stable dump.
#include <tfe/tfe.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_json_parse: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// Re-serializes `v` through json_writer, which must agree with dump() byte for byte.
void write_value(tfe::json_writer& w, const tfe::json& v, int depth) {
  if (depth > 64) {  // deep values go through value(const json&), which is iterative
    w.value(v);
    return;
  }
  switch (v.type()) {
    case tfe::json::kind::null:
      w.null_value();
      break;
    case tfe::json::kind::boolean:
      w.value(*v.as_bool());
      break;
    case tfe::json::kind::integer:
      w.value(*v.as_int());
      break;
    case tfe::json::kind::number:
      w.value(*v.as_double());
      break;
    case tfe::json::kind::string:
      w.value(*v.as_string());
      break;
    case tfe::json::kind::array:
      w.begin_array();
      for (const auto& e : *v.as_array()) write_value(w, e, depth + 1);
      w.end_array();
      break;
    case tfe::json::kind::object:
      w.begin_object();
      for (const auto& m : *v.as_object()) {
        w.key(m.first);
        write_value(w, m.second, depth + 1);
      }
      w.end_object();
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto first = tfe::json::parse(text);
  if (!first) {
    const tfe::error& e = first.error();
    if (e.code != tfe::errc::parse_error || e.message.empty()) fail("bad error for rejected input", e.message);
    if (e.position.offset > size || e.position.line == 0 || e.position.column == 0)
      fail("bad error position", e.message);
    return 0;
  }
  const std::string once = first->dump();
  const auto second = tfe::json::parse(once);
  if (!second) fail("dump() output does not parse", once + "\n" + second.error().message);
  if (!(*second == *first)) fail("parse(dump(v)) != v", once);
  const std::string twice = second->dump();
  if (twice != once) fail("dump() is not stable", once + "\n" + twice);
  const tfe::json copy = *first;  // copy and compare exercise the iterative paths
  if (copy != *first) fail("copy != original", once);
  std::string written;
  tfe::json_writer w(written);
  write_value(w, *first, 0);
  if (written != once) fail("json_writer disagrees with dump()", once + "\n" + written);
  return 0;
}
