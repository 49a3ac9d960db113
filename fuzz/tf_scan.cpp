// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Fuzz target: scan_tf on arbitrary text. Every attribute and output value is JSON tfe::json reads;
// modes are "managed" or "data" and counts at least -1; at most 101 notes, each one line naming the
// file; scanning is deterministic, and scanning the same text again into the result adds nothing
// but notes (every block is then a duplicate).
#include <tfe/tfe.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_tf_scan: %s\n%s\n", what, detail.c_str());
  std::abort();
}

bool same(const tfe::detail::tf_config& a, const tfe::detail::tf_config& b) {
  if (a.resources.size() != b.resources.size() || a.outputs.size() != b.outputs.size() || a.notes != b.notes)
    return false;
  for (std::size_t i = 0; i < a.resources.size(); ++i) {
    const auto &x = a.resources[i], &y = b.resources[i];
    if (x.mode != y.mode || x.type != y.type || x.name != y.name || x.count != y.count || x.attributes != y.attributes)
      return false;
  }
  for (std::size_t i = 0; i < a.outputs.size(); ++i) {
    const auto &x = a.outputs[i], &y = b.outputs[i];
    if (x.name != y.name || x.value != y.value || x.sensitive != y.sensitive) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tfe::detail::tf_config c;
  tfe::detail::scan_tf("main.tf", text, c);
  for (const auto& r : c.resources) {
    if (r.mode != "managed" && r.mode != "data") fail("bad mode", r.mode);
    if (r.count < -1) fail("bad count", std::to_string(r.count));
    for (const auto& a : r.attributes)
      if (!tfe::json::parse(a.second)) fail("attribute value is not JSON", a.first + " = " + a.second);
  }
  for (const auto& o : c.outputs)
    if (o.value && !tfe::json::parse(*o.value)) fail("output value is not JSON", o.name + " = " + *o.value);
  if (c.notes.size() > 101) fail("too many notes", std::to_string(c.notes.size()));
  for (const auto& n : c.notes)
    if (n.compare(0, 7, "main.tf") != 0 || n.find('\n') != std::string::npos) fail("bad note", n);
  tfe::detail::tf_config again;
  tfe::detail::scan_tf("main.tf", text, again);
  if (!same(c, again)) fail("not deterministic", "");
  tfe::detail::scan_tf("main.tf", text, again);
  if (again.resources.size() != c.resources.size() || again.outputs.size() != c.outputs.size())
    fail("scanning twice added blocks", "");
  return 0;
}
