// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Unit tests of tfe::http_parser: every framing rule, smuggling shapes, limits, split feeding.
#include <tfe/transport/http_parser.hpp>

#include "support/catch.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using tfe::http_parse_state;
using tfe::http_parser;
using tfe::http_parser_limits;

struct outcome {
  http_parse_state state = http_parse_state::incomplete;
  int status = 0;
  std::size_t consumed = 0;
  tfe::http_request request;
  bool keep_alive = false;
  bool expects_continue = false;
};

outcome parse_whole(const std::string& input, http_parser_limits limits = {}) {
  http_parser p(limits);
  outcome o;
  o.consumed = p.feed(input);
  o.state = p.state();
  o.status = p.error_status();
  o.request = p.request();
  o.keep_alive = p.keep_alive();
  o.expects_continue = p.expects_continue();
  return o;
}

// Feeds `input` in the given piece sizes (cycled), as a socket might deliver it.
outcome parse_pieces(const std::string& input, const std::vector<std::size_t>& sizes, http_parser_limits limits = {}) {
  http_parser p(limits);
  outcome o;
  std::size_t pos = 0, k = 0;
  while (pos < input.size() && p.state() == http_parse_state::incomplete) {
    const std::size_t n = std::min(sizes[k++ % sizes.size()], input.size() - pos);
    const std::size_t used = p.feed(std::string_view(input).substr(pos, n));
    pos += used;
    o.consumed += used;
    if (used < n) break;
  }
  o.state = p.state();
  o.status = p.error_status();
  o.request = p.request();
  o.keep_alive = p.keep_alive();
  o.expects_continue = p.expects_continue();
  return o;
}

const std::string host = "Host: example.com\r\n";

struct bad_case {
  const char* name;
  std::string input;
  int status;
};

}  // namespace

TEST_CASE("http_parser reads a simple GET", "[http-parser]") {
  const std::string in = "GET /api/v2/runs/run-1?include=plan HTTP/1.1\r\n" + host + "Accept: */*\r\n\r\n";
  const auto o = parse_whole(in);
  REQUIRE(o.state == http_parse_state::complete);
  CHECK(o.consumed == in.size());
  CHECK(o.request.method == "GET");
  CHECK(o.request.target == "/api/v2/runs/run-1?include=plan");
  CHECK(o.request.path() == "/api/v2/runs/run-1");
  CHECK(o.request.query() == "include=plan");
  REQUIRE(o.request.headers.size() == 2);
  CHECK(o.request.headers[0].first == "Host");
  CHECK(o.request.headers[0].second == "example.com");
  CHECK(o.request.header("accept") == "*/*");
  CHECK(o.request.body.empty());
  CHECK(o.keep_alive);
  CHECK_FALSE(o.expects_continue);
}

TEST_CASE("http_parser accepts these well-formed requests", "[http-parser]") {
  struct good_case {
    const char* name;
    std::string input;
    std::string target;
    std::string body;
  };
  const std::vector<good_case> cases = {
      {"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", "/", ""},
      {"empty lines before the request line", "\r\n\r\nGET /x HTTP/1.1\r\n" + host + "\r\n", "/x", ""},
      {"absolute-form becomes origin-form", "GET http://example.com/a/b?c=d HTTP/1.1\r\n" + host + "\r\n", "/a/b?c=d",
       ""},
      {"absolute-form with upper-case scheme", "GET HTTPS://example.com:8443/a HTTP/1.1\r\n" + host + "\r\n", "/a", ""},
      {"absolute-form without a path", "GET http://example.com HTTP/1.1\r\n" + host + "\r\n", "/", ""},
      {"absolute-form with only a query", "GET http://example.com?q=1 HTTP/1.1\r\n" + host + "\r\n", "/?q=1", ""},
      {"asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\n" + host + "\r\n", "*", ""},
      {"extension method token", "M-SEARCH /x HTTP/1.1\r\n" + host + "\r\n", "/x", ""},
      {"lower-case method is a token (the handler decides)", "get / HTTP/1.1\r\n" + host + "\r\n", "/", ""},
      {"HTTP/1.9 is read as HTTP/1.1", "GET / HTTP/1.9\r\n" + host + "\r\n", "/", ""},
      {"Content-Length body", "POST /p HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello", "/p", "hello"},
      {"Content-Length with leading zeros", "POST /p HTTP/1.1\r\n" + host + "Content-Length: 0005\r\n\r\nhello", "/p",
       "hello"},
      {"Content-Length: 0", "POST /p HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n", "/p", ""},
      {"Content-Length with surrounding OWS", "POST /p HTTP/1.1\r\n" + host + "Content-Length: \t5 \r\n\r\nhello", "/p",
       "hello"},
      {"repeated identical Content-Length",
       "POST /p HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", "/p", "abc"},
      {"chunked body",
       "POST /c HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "/c",
       "hello world"},
      {"chunked, case-insensitive coding name",
       "POST /c HTTP/1.1\r\n" + host + "Transfer-Encoding: Chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", "/c", "a"},
      {"chunked with upper-case hex sizes",
       "POST /c HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", "/c",
       "0123456789"},
      {"chunked with leading-zero size",
       "POST /c HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n0003\r\nabc\r\n000\r\n\r\n", "/c", "abc"},
      {"chunk extensions are ignored",
       "POST /c HTTP/1.1\r\n" + host +
           "Transfer-Encoding: chunked\r\n\r\n3;name=value;flag\r\nabc\r\n0;last=\"q\"\r\n\r\n",
       "/c", "abc"},
      {"BWS before a chunk extension",
       "POST /c HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n3 ;x=y\r\nabc\r\n0\r\n\r\n", "/c", "abc"},
      {"trailer fields are read and dropped",
       "POST /c HTTP/1.1\r\n" + host +
           "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other: a b\r\n\r\n",
       "/c", "abc"},
      {"empty header value", "GET / HTTP/1.1\r\n" + host + "X-Empty:\r\nX-Also-Empty:   \r\n\r\n", "/", ""},
      {"obs-text in a header value", "GET / HTTP/1.1\r\n" + host + "X-Name: caf\xc3\xa9\r\n\r\n", "/", ""},
      {"Expect: 100-continue", "POST /p HTTP/1.1\r\n" + host + "Expect: 100-Continue\r\nContent-Length: 2\r\n\r\nok",
       "/p", "ok"},
      {"Expect: 100-continue in HTTP/1.0 is accepted",
       "POST /p HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok", "/p", "ok"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto o = parse_whole(c.input);
    CHECK(o.status == 0);
    REQUIRE(o.state == http_parse_state::complete);
    CHECK(o.consumed == c.input.size());
    CHECK(o.request.target == c.target);
    CHECK(o.request.body == c.body);
  }
}

TEST_CASE("http_parser rejects malformed requests with the right status", "[http-parser]") {
  const std::string te = "Transfer-Encoding: chunked\r\n";
  const std::string post = "POST /p HTTP/1.1\r\n" + host;
  const std::string chunked = post + te + "\r\n";
  const std::vector<bad_case> cases = {
      // request line
      {"garbage instead of a method", "G(ET / HTTP/1.1\r\n" + host + "\r\n", 400},
      {"request line starts with a space", " GET / HTTP/1.1\r\n" + host + "\r\n", 400},
      {"NUL in the method", std::string("GE\0T / HTTP/1.1\r\n", 17) + host + "\r\n", 400},
      {"two spaces after the method", "GET  / HTTP/1.1\r\n" + host + "\r\n", 400},
      {"tab as separator", "GET\t/ HTTP/1.1\r\n" + host + "\r\n", 400},
      {"space inside the target", "GET /a b HTTP/1.1\r\n" + host + "\r\n", 400},
      {"control character in the target", "GET /a\x01 HTTP/1.1\r\n" + host + "\r\n", 400},
      {"non-ASCII byte in the target", "GET /caf\xc3\xa9 HTTP/1.1\r\n" + host + "\r\n", 400},
      {"relative target", "GET foo HTTP/1.1\r\n" + host + "\r\n", 400},
      {"authority-form target (CONNECT)", "CONNECT example.com:443 HTTP/1.1\r\n" + host + "\r\n", 400},
      {"asterisk-form with GET", "GET * HTTP/1.1\r\n" + host + "\r\n", 400},
      {"absolute-form without a host", "GET http:///x HTTP/1.1\r\n" + host + "\r\n", 400},
      {"unknown scheme", "GET ftp://example.com/x HTTP/1.1\r\n" + host + "\r\n", 400},
      {"missing version", "GET /\r\n" + host + "\r\n", 400},
      {"trailing space after the version", "GET / HTTP/1.1 \r\n" + host + "\r\n", 400},
      {"lower-case protocol name", "GET / http/1.1\r\n" + host + "\r\n", 400},
      {"version without minor", "GET / HTTP/1\r\n" + host + "\r\n", 400},
      {"two-digit major", "GET / HTTP/11.1\r\n" + host + "\r\n", 400},
      {"version with junk", "GET / HTTP/1.1x\r\n" + host + "\r\n", 400},
      {"bare LF after the request line", "GET / HTTP/1.1\n" + host + "\r\n", 400},
      {"bare CR in the request line", "GET / HTTP/1.1\rX" + host + "\r\n", 400},
      {"HTTP/2.0", "GET / HTTP/2.0\r\n" + host + "\r\n", 505},
      {"HTTP/0.9", "GET / HTTP/0.9\r\n" + host + "\r\n", 505},
      {"HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
      // header fields
      {"whitespace before the colon", "GET / HTTP/1.1\r\n" + host + "X-A : b\r\n\r\n", 400},
      {"tab before the colon", "GET / HTTP/1.1\r\n" + host + "X-A\t: b\r\n\r\n", 400},
      {"obs-fold continuation line", "GET / HTTP/1.1\r\n" + host + "X-A: b\r\n c\r\n\r\n", 400},
      {"obs-fold with a tab", "GET / HTTP/1.1\r\n" + host + "X-A: b\r\n\tc\r\n\r\n", 400},
      {"whitespace line before the first header", "GET / HTTP/1.1\r\n " + host + "\r\n", 400},
      {"empty field name", "GET / HTTP/1.1\r\n" + host + ": b\r\n\r\n", 400},
      {"separator in a field name", "GET / HTTP/1.1\r\n" + host + "X(A): b\r\n\r\n", 400},
      {"field line without a colon", "GET / HTTP/1.1\r\n" + host + "X-A b\r\n\r\n", 400},
      {"bare LF ending a field line", "GET / HTTP/1.1\r\n" + host + "X-A: b\n\r\n", 400},
      {"bare CR inside a field value", "GET / HTTP/1.1\r\n" + host + "X-A: b\rc\r\n\r\n", 400},
      {"NUL inside a field value", "GET / HTTP/1.1\r\n" + host + std::string("X-A: b\0c\r\n\r\n", 12), 400},
      {"DEL inside a field value", "GET / HTTP/1.1\r\n" + host + "X-A: b\x7f\r\n\r\n", 400},
      {"bare LF ending the header section", "GET / HTTP/1.1\r\n" + host + "\n", 400},
      {"missing Host in HTTP/1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400},
      {"two Host fields", "GET / HTTP/1.1\r\n" + host + host + "\r\n", 400},
      {"Expect other than 100-continue", "GET / HTTP/1.1\r\n" + host + "Expect: 200-ok\r\n\r\n", 417},
      // Content-Length
      {"Content-Length not a number", post + "Content-Length: abc\r\n\r\n", 400},
      {"Content-Length with a sign", post + "Content-Length: +5\r\n\r\nhello", 400},
      {"negative Content-Length", post + "Content-Length: -1\r\n\r\n", 400},
      {"hex Content-Length", post + "Content-Length: 0x5\r\n\r\nhello", 400},
      {"empty Content-Length", post + "Content-Length:\r\n\r\n", 400},
      {"Content-Length list", post + "Content-Length: 5, 5\r\n\r\nhello", 400},
      {"Content-Length with inner space", post + "Content-Length: 1 0\r\n\r\n", 400},
      {"Content-Length overflowing 64 bits", post + "Content-Length: 99999999999999999999999\r\n\r\n", 400},
      {"conflicting Content-Length fields", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400},
      // Transfer-Encoding and smuggling shapes
      {"Content-Length then Transfer-Encoding", post + "Content-Length: 5\r\n" + te + "\r\n0\r\n\r\n", 400},
      {"Transfer-Encoding then Content-Length", post + te + "Content-Length: 5\r\n\r\n0\r\n\r\n", 400},
      {"Transfer-Encoding with Content-Length: 0", post + te + "Content-Length: 0\r\n\r\n0\r\n\r\n", 400},
      {"chunked twice in one field", post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400},
      {"chunked twice in two fields", post + te + te + "\r\n0\r\n\r\n", 400},
      {"chunked not last", post + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400},
      {"chunked then gzip in two fields", post + te + "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n", 400},
      {"gzip alone", post + "Transfer-Encoding: gzip\r\n\r\n", 400},
      {"identity", post + "Transfer-Encoding: identity\r\n\r\n", 400},
      {"empty Transfer-Encoding", post + "Transfer-Encoding:\r\n\r\n", 400},
      {"trailing comma in Transfer-Encoding", post + "Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n", 400},
      {"chunked with a parameter", post + "Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n", 400},
      {"xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400},
      {"chunked in quotes", post + "Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", 400},
      {"space before the colon of Transfer-Encoding", post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400},
      {"Transfer-Encoding folded onto two lines", post + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400},
      {"vertical tab in Transfer-Encoding",
       post + "Transfer-Encoding: \x0b"
              "chunked\r\n\r\n0\r\n\r\n",
       400},
      {"Transfer-Encoding in HTTP/1.0", "POST /p HTTP/1.0\r\n" + te + "\r\n0\r\n\r\n", 400},
      {"gzip, chunked is not implemented", post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
      {"deflate then chunked in two fields", post + "Transfer-Encoding: deflate\r\n" + te + "\r\n0\r\n\r\n", 501},
      // chunked framing
      {"non-hex chunk size", chunked + "zz\r\nhello\r\n0\r\n\r\n", 400},
      {"0x prefix on a chunk size", chunked + "0x5\r\nhello\r\n0\r\n\r\n", 400},
      {"negative chunk size", chunked + "-5\r\nhello\r\n0\r\n\r\n", 400},
      {"empty chunk size", chunked + "\r\nhello\r\n0\r\n\r\n", 400},
      {"chunk size overflowing 64 bits", chunked + "10000000000000000\r\nx\r\n0\r\n\r\n", 400},
      {"chunk size with trailing space and no extension", chunked + "5 \r\nhello\r\n0\r\n\r\n", 400},
      {"chunk size ended by a bare LF", chunked + "5\nhello\r\n0\r\n\r\n", 400},
      {"chunk data longer than its size", chunked + "5\r\nhelloX\r\n0\r\n\r\n", 400},
      {"chunk data ended by a bare LF", chunked + "5\r\nhello\n0\r\n\r\n", 400},
      {"chunk data ended by CR and junk", chunked + "5\r\nhello\rX0\r\n\r\n", 400},
      {"control character in a chunk extension", chunked + "5;a=\x01\r\nhello\r\n0\r\n\r\n", 400},
      {"obs-fold in the trailer section", chunked + "0\r\nX-T: a\r\n b\r\n\r\n", 400},
      {"bad trailer field name", chunked + "0\r\nX T: a\r\n\r\n", 400},
      {"last chunk ended by a bare LF", chunked + "0\r\n\n", 400},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto o = parse_whole(c.input);
    CHECK(o.state == http_parse_state::failed);
    CHECK(o.status == c.status);
    // Byte-at-a-time feeding must reach the same verdict.
    const auto b = parse_pieces(c.input, {1});
    CHECK(b.state == http_parse_state::failed);
    CHECK(b.status == c.status);
  }
}

TEST_CASE("http_parser enforces its size limits", "[http-parser]") {
  http_parser_limits limits;
  limits.max_request_line = 64;
  limits.max_header_bytes = 128;
  limits.max_header_count = 4;
  limits.max_body_bytes = 16;

  SECTION("request line exactly at the limit passes, one byte more is 414") {
    // "GET " + target + " HTTP/1.1\r\n" = 4 + t + 11 bytes
    const std::string at = "GET /" + std::string(64 - 4 - 11 - 1, 'a') + " HTTP/1.1\r\n" + host + "\r\n";
    CHECK(parse_whole(at, limits).state == http_parse_state::complete);
    const std::string over = "GET /" + std::string(64 - 4 - 11, 'a') + " HTTP/1.1\r\n" + host + "\r\n";
    const auto o = parse_whole(over, limits);
    CHECK(o.state == http_parse_state::failed);
    CHECK(o.status == 414);
    CHECK(parse_pieces(over, {1}, limits).status == 414);
    CHECK(parse_pieces(over, {7, 3}, limits).status == 414);
  }
  SECTION("a huge method is 414 too") {
    CHECK(parse_whole(std::string(100, 'G') + " / HTTP/1.1\r\n\r\n", limits).status == 414);
  }
  SECTION("endless empty lines before the request line count toward it") {
    std::string crlfs;
    for (int i = 0; i < 40; ++i) crlfs += "\r\n";
    CHECK(parse_whole(crlfs, limits).status == 414);
  }
  SECTION("header section over the byte limit is 431") {
    const std::string big = "GET / HTTP/1.1\r\n" + host + "X-Pad: " + std::string(120, 'x') + "\r\n\r\n";
    CHECK(parse_whole(big, limits).status == 431);
    CHECK(parse_pieces(big, {1}, limits).status == 431);
  }
  SECTION("a long header name alone is 431") {
    CHECK(parse_whole("GET / HTTP/1.1\r\n" + std::string(200, 'X') + ": a\r\n\r\n", limits).status == 431);
  }
  SECTION("header section exactly at the byte limit passes") {
    // Host line (19) + X-Pad line (9 + n) + final CRLF (2) = 128
    const std::string at = "GET / HTTP/1.1\r\n" + host + "X-Pad: " + std::string(128 - 19 - 2 - 9, 'x') + "\r\n\r\n";
    CHECK(parse_whole(at, limits).state == http_parse_state::complete);
    const std::string over =
        "GET / HTTP/1.1\r\n" + host + "X-Pad: " + std::string(128 - 19 - 2 - 9 + 1, 'x') + "\r\n\r\n";
    CHECK(parse_whole(over, limits).status == 431);
  }
  SECTION("too many header lines is 431") {
    CHECK(parse_whole("GET / HTTP/1.1\r\n" + host + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits).state ==
          http_parse_state::complete);
    CHECK(parse_whole("GET / HTTP/1.1\r\n" + host + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits).status == 431);
  }
  SECTION("trailers have their own budget and are capped too") {
    const std::string in = "POST / HTTP/1.1\r\n" + host +
                           "Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + std::string(200, 't') + "\r\n\r\n";
    CHECK(parse_whole(in, limits).status == 431);
  }
  SECTION("Content-Length over the body limit is 413 before any body byte") {
    const auto o = parse_whole("POST / HTTP/1.1\r\n" + host + "Content-Length: 17\r\n\r\n", limits);
    CHECK(o.status == 413);
    CHECK(
        parse_whole("POST / HTTP/1.1\r\n" + host + "Content-Length: 16\r\n\r\n" + std::string(16, 'b'), limits).state ==
        http_parse_state::complete);
  }
  SECTION("a chunked body growing over the limit is 413") {
    const std::string pre = "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n";
    CHECK(parse_whole(pre + "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", limits).state == http_parse_state::complete);
    CHECK(parse_whole(pre + "8\r\n12345678\r\n9\r\n123456789\r\n0\r\n\r\n", limits).status == 413);
    CHECK(parse_whole(pre + "ffffffffffffffff\r\n", limits).status == 413);
  }
  SECTION("an endless chunk extension is 400") {
    const std::string pre = "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n";
    CHECK(parse_whole(pre + "1;" + std::string(5000, 'e') + "\r\na\r\n0\r\n\r\n", limits).status == 400);
  }
}

TEST_CASE("http_parser keep-alive follows the version and Connection", "[http-parser]") {
  struct ka_case {
    const char* name;
    std::string input;
    bool keep_alive;
  };
  const std::vector<ka_case> cases = {
      {"HTTP/1.1 default", "GET / HTTP/1.1\r\n" + host + "\r\n", true},
      {"HTTP/1.1 close", "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", false},
      {"HTTP/1.1 Close in a list", "GET / HTTP/1.1\r\n" + host + "Connection: Upgrade, Close\r\n\r\n", false},
      {"HTTP/1.1 keep-alive and close",
       "GET / HTTP/1.1\r\n" + host + "Connection: keep-alive\r\nConnection: close\r\n\r\n", false},
      {"HTTP/1.0 default", "GET / HTTP/1.0\r\n\r\n", false},
      {"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
      {"HTTP/1.0 keep-alive and close", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto o = parse_whole(c.input);
    REQUIRE(o.state == http_parse_state::complete);
    CHECK(o.keep_alive == c.keep_alive);
  }
}

TEST_CASE("http_parser reports Expect: 100-continue once the headers are in", "[http-parser]") {
  http_parser p;
  const std::string head = "PUT /x HTTP/1.1\r\n" + host + "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n";
  CHECK(p.feed(head) == head.size());
  CHECK(p.state() == http_parse_state::incomplete);
  CHECK(p.headers_complete());
  CHECK(p.in_body());
  CHECK(p.expects_continue());
  CHECK(p.feed("data") == 4);
  CHECK(p.is_complete());
  CHECK(p.request().body == "data");

  SECTION("not in HTTP/1.0") {
    http_parser q;
    q.feed("PUT /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    CHECK_FALSE(q.expects_continue());
  }
  SECTION("not without a body") {
    http_parser q;
    q.feed("GET /x HTTP/1.1\r\n" + host + "Expect: 100-continue\r\n\r\n");
    CHECK(q.is_complete());
    CHECK_FALSE(q.expects_continue());
  }
}

TEST_CASE("http_parser stops at the end of a request so pipelined bytes stay with the caller", "[http-parser]") {
  const std::string a = "POST /a HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabc";
  const std::string b = "POST /b HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n";
  const std::string c = "GET /c HTTP/1.1\r\n" + host + "\r\n";
  const std::string all = a + b + c;
  http_parser p;
  std::size_t pos = p.feed(all);
  REQUIRE(pos == a.size());
  REQUIRE(p.is_complete());
  CHECK(p.request().target == "/a");
  CHECK(p.request().body == "abc");
  CHECK(p.feed(std::string_view(all).substr(pos)) == 0);  // complete: nothing more is taken
  p.reset();
  CHECK(p.is_idle());
  pos += p.feed(std::string_view(all).substr(pos));
  REQUIRE(p.is_complete());
  CHECK(p.request().target == "/b");
  CHECK(p.request().body == "xy");
  CHECK(p.request().headers.size() == 2);
  p.reset();
  pos += p.feed(std::string_view(all).substr(pos));
  REQUIRE(p.is_complete());
  CHECK(p.request().target == "/c");
  CHECK(p.request().body.empty());
  CHECK(pos == all.size());
}

TEST_CASE("http_parser gives the same request however the bytes are split", "[http-parser]") {
  std::string body;
  for (int i = 0; i < 300; ++i) body += static_cast<char>('a' + i % 26);
  std::string wire = "POST /api/v2/runs?x=1 HTTP/1.1\r\n" + host +
                     "Content-Type: application/vnd.api+json\r\nTransfer-Encoding: chunked\r\n"
                     "X-Spaces:  padded value \t\r\n\r\n";
  wire += "10;ext=1\r\n" + body.substr(0, 16) + "\r\n";
  wire += "FF\r\n" + body.substr(16, 255) + "\r\n";
  wire += "1d ; a=\"b\"\r\n" + body.substr(271, 29) + "\r\n";
  wire += "0\r\nX-Trailer: t\r\n\r\n";
  REQUIRE(body.size() == 300);

  const auto whole = parse_whole(wire);
  REQUIRE(whole.state == http_parse_state::complete);
  REQUIRE(whole.consumed == wire.size());
  CHECK(whole.request.body == body);
  CHECK(whole.request.header("x-spaces") == "padded value");
  CHECK(whole.request.headers.size() == 4);  // trailers are not merged into the headers

  SECTION("split once at every byte") {
    for (std::size_t i = 0; i <= wire.size(); ++i) {
      http_parser p;
      const std::size_t first = p.feed(std::string_view(wire).substr(0, i));
      CHECK(first == i);
      const std::size_t second = p.feed(std::string_view(wire).substr(i));
      CHECK(first + second == wire.size());
      REQUIRE(p.is_complete());
      CHECK(p.request().method == "POST");
      CHECK(p.request().target == "/api/v2/runs?x=1");
      CHECK(p.request().headers == whole.request.headers);
      CHECK(p.request().body == body);
    }
  }
  SECTION("one byte at a time") {
    const auto o = parse_pieces(wire, {1});
    REQUIRE(o.state == http_parse_state::complete);
    CHECK(o.consumed == wire.size());
    CHECK(o.request.headers == whole.request.headers);
    CHECK(o.request.body == body);
  }
  SECTION("irregular pieces") {
    const auto o = parse_pieces(wire, {3, 1, 7, 2, 64, 5});
    REQUIRE(o.state == http_parse_state::complete);
    CHECK(o.request.body == body);
  }
}

TEST_CASE("http_parser reset() makes it reusable and keeps nothing of the last request", "[http-parser]") {
  http_parser p;
  p.feed("POST /one HTTP/1.1\r\n" + host + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc");
  REQUIRE(p.is_complete());
  p.reset();
  CHECK(p.is_idle());
  CHECK_FALSE(p.headers_complete());
  CHECK_FALSE(p.expects_continue());
  p.feed("GET /two HTTP/1.0\r\n\r\n");
  REQUIRE(p.is_complete());
  CHECK(p.request().target == "/two");
  CHECK(p.request().headers.empty());
  CHECK(p.request().body.empty());
  CHECK_FALSE(p.keep_alive());
  CHECK(p.version_minor() == 0);

  SECTION("after a failure too") {
    p.reset();
    p.feed("BAD\x01");
    REQUIRE(p.has_failed());
    CHECK_FALSE(p.error_message().empty());
    CHECK(p.feed("more") == 0);
    p.reset();
    CHECK(p.error_status() == 0);
    p.feed("GET / HTTP/1.1\r\n" + host + "\r\n");
    CHECK(p.is_complete());
  }
}

TEST_CASE("http_parser: every byte split gives the same verdict as the whole input", "[http-parser]") {
  // A differential property over mutated requests: feeding in random pieces never changes
  // the outcome (status, target, headers, body) compared with feeding everything at once.
  const std::vector<std::string> seeds = {
      "GET /a?b=c HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n",
      "POST /p HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello",
      "POST /c HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nT: 1\r\n\r\n",
  };
  const std::string alphabet = std::string("\r\n :;,0123456789abcdefABCDEF\t\x01\x7f\x80-/?*") + '\0';
  std::mt19937 rng(12345);
  http_parser_limits limits;
  limits.max_request_line = 64;
  limits.max_header_bytes = 96;
  limits.max_body_bytes = 32;
  for (int round = 0; round < 3000; ++round) {
    std::string in = seeds[static_cast<std::size_t>(round) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % (in.size() + 1);
      const char ch = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          if (at < in.size()) in[at] = ch;
          break;
        case 1:
          in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), ch);
          break;
        default:
          if (at < in.size()) in.erase(at, 1);
          break;
      }
    }
    const auto whole = parse_whole(in, limits);
    const auto pieces = parse_pieces(in, {1 + rng() % 5, 1 + rng() % 13, 1}, limits);
    INFO("round " << round);
    CHECK(pieces.state == whole.state);
    CHECK(pieces.status == whole.status);
    if (whole.state == http_parse_state::complete) {
      CHECK(pieces.consumed == whole.consumed);
      CHECK(pieces.request.target == whole.request.target);
      CHECK(pieces.request.headers == whole.request.headers);
      CHECK(pieces.request.body == whole.request.body);
      CHECK(whole.request.target.size() > 0);
    }
    if (whole.state == http_parse_state::failed) {
      const int s = whole.status;
      CHECK((s == 400 || s == 413 || s == 414 || s == 417 || s == 431 || s == 501 || s == 505));
    }
  }
}

TEST_CASE("http_parser survives random bytes", "[http-parser]") {
  std::mt19937 rng(777);
  for (int round = 0; round < 2000; ++round) {
    std::string in(rng() % 200, '\0');
    for (auto& ch : in) ch = static_cast<char>(rng() & 0xff);
    if (round % 2 == 0) in = "GET / HTTP/1.1\r\n" + in;
    http_parser p;
    const std::size_t used = p.feed(in);
    CHECK(used <= in.size());
    if (p.has_failed()) CHECK(p.error_status() >= 400);
  }
}
