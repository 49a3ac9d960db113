// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Fuzz target: the HTTP/1.1 request parser. The input is parsed twice, in one piece and in chunks
// whose sizes come from the first byte; both must give the same requests and the same failure.
// Every completed request must respect the limits; every failure must name an allowed status.
#include <tfe/transport/http_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_http_parse: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// Small limits, so the fuzzer reaches every limit quickly.
tfe::http_parser_limits limits() {
  tfe::http_parser_limits l;
  l.max_request_line = 256;
  l.max_header_bytes = 1024;
  l.max_header_count = 16;
  l.max_body_bytes = 4096;
  return l;
}

// Parses `in` fed in pieces of `chunk` bytes (0: all at once); returns a transcript of the outcome.
std::string transcript(std::string_view in, std::size_t chunk) {
  tfe::http_parser p(limits());
  std::string out;
  std::size_t pos = 0;
  int guard = 0;
  while (pos < in.size()) {
    const std::size_t n = chunk == 0 ? in.size() - pos : std::min(chunk, in.size() - pos);
    std::string_view piece = in.substr(pos, n);
    // Feed the piece; a completed request leaves the rest for the next one (pipelining).
    while (!piece.empty()) {
      if (++guard > 1000000) fail("no progress", std::string(in));
      const std::size_t used = p.feed(piece);
      if (used > piece.size()) fail("feed used more than given", std::string(in));
      piece.remove_prefix(used);
      pos += used;
      if (p.has_failed()) {
        const int st = p.error_status();
        if (st != 400 && st != 413 && st != 414 && st != 417 && st != 431 && st != 501 && st != 505)
          fail("unexpected failure status", std::to_string(st));
        if (p.error_message().empty()) fail("failure without a message", std::string(in));
        return out + "FAILED " + std::to_string(st) + "\n";
      }
      if (p.is_complete()) {
        const tfe::http_request& r = p.request();
        if (r.method.empty() || r.target.empty()) fail("complete request without method or target", std::string(in));
        if (r.target.size() > limits().max_request_line) fail("target over the request-line limit", r.target);
        if (r.body.size() > limits().max_body_bytes) fail("body over the limit", std::to_string(r.body.size()));
        if (r.headers.size() > limits().max_header_count) fail("too many headers", std::string(in));
        out += r.method + " " + r.target + " " + std::to_string(r.headers.size()) + " " +
               std::to_string(r.body.size()) + (p.keep_alive() ? " keep" : " close") + "\n";
        for (const auto& h : r.headers) out += h.first + ":" + h.second + "\n";
        out += r.body + "\n";
        p.reset();
        continue;
      }
      if (!piece.empty()) fail("an incomplete request did not take all its bytes", std::string(in));
    }
  }
  return out + (p.is_idle() ? "IDLE\n" : "INCOMPLETE\n");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 17;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string whole = transcript(in, 0);
  const std::string pieces = transcript(in, chunk);
  if (whole != pieces) fail("chunked parse differs from whole parse", whole + "\n---\n" + pieces);
  return 0;
}
