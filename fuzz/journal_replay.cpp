// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Fuzz target: journal_storage::replay, the bytes a data directory hands back after a crash or a
// hostile edit. An input whose first byte is odd is a list of payloads (u16 length, payload) that
// the target frames itself with correct lengths and checksums, so mutations reach the record
// decoders (put, patch, erase, blob, clear, commit) instead of stopping at a checksum; an even first
// byte passes the rest as the journal's bytes. Checked: the report adds up (valid prefix + dropped
// = input; a message exactly when something was dropped); replaying the valid prefix alone applies
// the same transactions and gives the same state; the state's image is a journal that replays
// cleanly, and its image is itself (compaction is stable).
#include <tfe/tfe.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_journal_replay: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFu);
}

// The framed journal of a payload list: header, then `u32 length | u32 crc32 | payload` each.
std::string framed(std::string_view in) {
  std::string out(tfe::journal_storage::header);
  while (in.size() >= 2) {
    const std::size_t len = static_cast<unsigned char>(in[0]) | (static_cast<std::size_t>(in[1]) & 0xFFu) << 8;
    in.remove_prefix(2);
    const std::string_view payload = in.substr(0, len);
    in.remove_prefix(payload.size());
    if (payload.empty()) continue;  // a zero length is a torn record, which the raw mode covers
    put_u32(out, static_cast<std::uint32_t>(payload.size()));
    put_u32(out, tfe::detail::crc32(payload));
    out += payload;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string journal = (data[0] & 1) != 0 ? framed(rest) : std::string(rest);

  tfe::journal_storage s;
  const tfe::replay_report rep = s.replay(journal);
  if (rep.bytes > journal.size() || rep.bytes + rep.dropped_bytes != journal.size())
    fail("the report does not add up", std::to_string(rep.bytes) + " + " + std::to_string(rep.dropped_bytes));
  if (rep.clean() != rep.message.empty()) fail("a message without a drop or a drop without a message", rep.message);
  if (rep.records < rep.transactions) fail("more transactions than records", "");
  const std::string state = s.image();

  tfe::journal_storage prefix;
  const tfe::replay_report again = prefix.replay(std::string_view(journal).substr(0, rep.bytes));
  if (!again.clean() || again.transactions != rep.transactions)
    fail("the valid prefix does not replay alone", again.message);
  if (prefix.image() != state) fail("the valid prefix gives another state", "");

  tfe::journal_storage compacted;
  const tfe::replay_report img = compacted.replay(state);
  if (!img.clean()) fail("the image does not replay", img.message);
  const std::string second = compacted.image();
  tfe::journal_storage stable;
  if (!stable.replay(second).clean() || stable.image() != second) fail("compaction is not stable", "");
  return 0;
}
