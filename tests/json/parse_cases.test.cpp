// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The strictness table: our own accept/reject cases for json::parse, with exact error positions.
#include "support/catch.hpp"

#include <tfe/tfe.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace std::literals;

namespace {

struct parse_case {
  std::string_view input;  // raw bytes (string_view literals keep embedded NULs)
  bool accept;
  std::size_t line;       // for rejects: expected 1-based line, 0 = not checked
  std::size_t column;     // for rejects: expected 1-based column
  std::string_view text;  // for rejects: a substring of the message ("" = not checked)
};

constexpr bool ok = true;
constexpr bool no = false;

// clang-format off
const parse_case cases[] = {
  // --- literals ---------------------------------------------------------------------------
  {"null"sv,  ok, 0, 0, ""},
  {"true"sv,  ok, 0, 0, ""},
  {"false"sv, ok, 0, 0, ""},
  {"tru"sv,   no, 1, 1, "expected 'true'"},
  {"True"sv,  no, 1, 1, "expected a value, found 'T'"},
  {"nul"sv,   no, 1, 1, "expected 'null'"},
  {"nulll"sv, no, 1, 5, "unexpected 'l' after the value"},
  {"falsey"sv, no, 1, 6, "after the value"},
  {"[truE]"sv, no, 1, 2, "expected 'true'"},
  {"NaN"sv,   no, 1, 1, "NaN is not allowed"},
  {"[NaN]"sv, no, 1, 2, "NaN is not allowed"},
  {"-NaN"sv,  no, 1, 2, "expected a digit after '-'"},
  {"Infinity"sv,  no, 1, 1, "Infinity is not allowed"},
  {"-Infinity"sv, no, 1, 1, "Infinity is not allowed"},
  {"undefined"sv, no, 1, 1, "expected a value, found 'u'"},
  {"None"sv,  no, 1, 1, "found 'N'"},
  // --- integers -----------------------------------------------------------------------------
  {"0"sv,   ok, 0, 0, ""},
  {"-0"sv,  ok, 0, 0, ""},
  {"1"sv,   ok, 0, 0, ""},
  {"-1"sv,  ok, 0, 0, ""},
  {"123456789"sv, ok, 0, 0, ""},
  {"9223372036854775807"sv,  ok, 0, 0, ""},
  {"-9223372036854775808"sv, ok, 0, 0, ""},
  {"9223372036854775808"sv,  no, 1, 1, "integer out of range"},
  {"-9223372036854775809"sv, no, 1, 1, "integer out of range"},
  {"99999999999999999999"sv, no, 1, 1, "integer out of range"},
  {"[1, 18446744073709551616]"sv, no, 1, 5, "integer out of range"},
  {"01"sv,   no, 1, 1, "leading zeros are not allowed"},
  {"00"sv,   no, 1, 1, "leading zeros are not allowed"},
  {"-01"sv,  no, 1, 1, "leading zeros are not allowed"},
  {"[012]"sv, no, 1, 2, "leading zeros are not allowed"},
  {"+1"sv,   no, 1, 1, "may not start with '+'"},
  {"-"sv,    no, 1, 2, "expected a digit after '-'"},
  {"- 1"sv,  no, 1, 2, "expected a digit after '-'"},
  {"--1"sv,  no, 1, 2, "expected a digit after '-'"},
  {"0x10"sv, no, 1, 2, "hexadecimal numbers are not allowed"},
  {"0X1F"sv, no, 1, 2, "hexadecimal"},
  {"-0x1"sv, no, 1, 3, "hexadecimal"},
  {"[0x1]"sv, no, 1, 3, "hexadecimal"},
  {"1_000"sv, no, 1, 2, "unexpected '_'"},
  {"1 2"sv,  no, 1, 3, "unexpected '2' after the value"},
  {"\xEF\xBC\x91"sv, no, 1, 1, "found byte 0xEF"},  // fullwidth digit one
  // --- doubles ------------------------------------------------------------------------------
  {"1.5"sv,   ok, 0, 0, ""},
  {"-1.5"sv,  ok, 0, 0, ""},
  {"0.0"sv,   ok, 0, 0, ""},
  {"1e5"sv,   ok, 0, 0, ""},
  {"1E5"sv,   ok, 0, 0, ""},
  {"1e+5"sv,  ok, 0, 0, ""},
  {"1e-5"sv,  ok, 0, 0, ""},
  {"1.25e10"sv, ok, 0, 0, ""},
  {"0e0"sv,   ok, 0, 0, ""},
  {"-0.0e-0"sv, ok, 0, 0, ""},
  {"[-0.0]"sv, ok, 0, 0, ""},
  {"1e-400"sv, ok, 0, 0, ""},                        // underflows to 0
  {"-1e-400"sv, ok, 0, 0, ""},
  {"4.9e-324"sv, ok, 0, 0, ""},                      // smallest subnormal
  {"2.2250738585072014e-308"sv, ok, 0, 0, ""},       // smallest normal
  {"1.7976931348623157e308"sv, ok, 0, 0, ""},        // largest double
  {"9223372036854775808.0"sv, ok, 0, 0, ""},         // too big for int64, fine as a double
  {"123456789012345678901234567890e-10"sv, ok, 0, 0, ""},
  {"0.000000000000000000000000000001"sv, ok, 0, 0, ""},
  {"[1e2,2.5E-3]"sv, ok, 0, 0, ""},
  {"1e400"sv,   no, 1, 1, "number out of range for a double"},
  {"-1e400"sv,  no, 1, 1, "out of range"},
  {"1.8e308"sv, no, 1, 1, "out of range"},
  {"[0, 1e99999999999999999999]"sv, no, 1, 5, "out of range"},
  {".5"sv,   no, 1, 1, "may not start with '.'"},
  {"-.5"sv,  no, 1, 2, "expected a digit after '-'"},
  {"."sv,    no, 1, 1, "may not start with '.'"},
  {"1."sv,   no, 1, 3, "expected a digit after the decimal point"},
  {"1.e5"sv, no, 1, 3, "expected a digit after the decimal point"},
  {"[1.]"sv, no, 1, 4, "decimal point"},
  {"1e"sv,   no, 1, 3, "expected a digit in the exponent"},
  {"1E"sv,   no, 1, 3, "exponent"},
  {"1e+"sv,  no, 1, 4, "exponent"},
  {"1e-"sv,  no, 1, 4, "exponent"},
  {"1ee5"sv, no, 1, 3, "exponent"},
  {"1.5.3"sv, no, 1, 4, "unexpected '.'"},
  {"1e5e5"sv, no, 1, 4, "unexpected 'e'"},
  {"1e1.5"sv, no, 1, 4, "unexpected '.'"},
  // --- strings ------------------------------------------------------------------------------
  {R"("")"sv,    ok, 0, 0, ""},
  {R"("abc")"sv, ok, 0, 0, ""},
  {R"("a/b")"sv, ok, 0, 0, ""},
  {R"("\"\\\/\b\f\n\r\t")"sv, ok, 0, 0, ""},
  {R"("\u0041\u0042")"sv, ok, 0, 0, ""},
  {R"("\u00e9")"sv, ok, 0, 0, ""},
  {R"("\u20AC")"sv, ok, 0, 0, ""},
  {R"("\uD83D\uDE00")"sv, ok, 0, 0, ""},       // surrogate pair
  {R"("\udbff\udfff")"sv, ok, 0, 0, ""},       // U+10FFFF, lower-case hex
  {R"("\u0000")"sv, ok, 0, 0, ""},             // escaped NUL is fine
  {R"("x\u001fy")"sv, ok, 0, 0, ""},
  {"\"\xC3\xA9\""sv, ok, 0, 0, ""},            // e-acute, 2 bytes
  {"\"\xE2\x82\xAC\""sv, ok, 0, 0, ""},        // euro sign, 3 bytes
  {"\"\xF0\x9F\x98\x80\""sv, ok, 0, 0, ""},    // emoji, 4 bytes
  {"\"\xF4\x8F\xBF\xBF\""sv, ok, 0, 0, ""},    // U+10FFFF
  {"\"\xEF\xBF\xBF\""sv, ok, 0, 0, ""},        // U+FFFF (a noncharacter, still valid UTF-8)
  {"\"\xED\x9F\xBF\""sv, ok, 0, 0, ""},        // U+D7FF, just below the surrogates
  {"\"\xEE\x80\x80\""sv, ok, 0, 0, ""},        // U+E000, just above them
  {"\"\x7F\""sv, ok, 0, 0, ""},                // DEL needs no escape
  {"\"Queued manually via the Terraform Enterprise API \\u2014 \\\"ok\\\"\""sv, ok, 0, 0, ""},
  {R"("abc)"sv,  no, 1, 5, "unterminated string"},
  {R"(")"sv,     no, 1, 2, "unterminated string"},
  {R"("\)"sv,    no, 1, 3, "unterminated string"},
  {R"(["a", "b)"sv, no, 1, 9, "unterminated string"},
  {"'abc'"sv,    no, 1, 1, "double quotes"},
  {"{'a':1}"sv,  no, 1, 2, "double quotes"},
  {R"("a\qb")"sv, no, 1, 3, "invalid escape sequence '\\q'"},
  {R"("\x41")"sv, no, 1, 2, "invalid escape sequence"},
  {R"("\a")"sv,  no, 1, 2, "invalid escape"},
  {R"("\'")"sv,  no, 1, 2, "invalid escape"},
  {R"("\U0041")"sv, no, 1, 2, "invalid escape"},
  {"\"\\\x01\""sv, no, 1, 2, "byte 0x01"},
  {R"("\u12")"sv, no, 1, 2, "expected 4 hex digits"},
  {R"("\u12G4")"sv, no, 1, 2, "expected 4 hex digits"},
  {R"("\u")"sv,  no, 1, 2, "hex digits"},
  {R"("\u 123")"sv, no, 1, 2, "hex digits"},
  {R"("\uD800")"sv, no, 1, 2, "high surrogate \\uD800 is not followed by a low surrogate"},
  {R"("\uD800x")"sv, no, 1, 2, "high surrogate"},
  {R"("\uD800\u0041")"sv, no, 1, 2, "high surrogate"},
  {R"("\uD800\uD800")"sv, no, 1, 2, "high surrogate"},
  {R"("\uD800\")"sv, no, 1, 2, "high surrogate"},
  {R"("\uD800\n")"sv, no, 1, 2, "high surrogate"},
  {R"("\uDC00")"sv, no, 1, 2, "unexpected low surrogate \\uDC00"},
  {R"("\uDC00\uD800")"sv, no, 1, 2, "low surrogate"},   // reversed pair
  {R"("abc\uDFFF")"sv, no, 1, 5, "low surrogate"},
  {R"("\uD83D\uDE00\uDE00")"sv, no, 1, 14, "low surrogate"},
  {"\"a\tb\""sv,  no, 1, 3, "control character U+0009 must be escaped"},
  {"\"\n\""sv,    no, 1, 2, "U+000A"},
  {"\"\0\""sv,    no, 1, 2, "U+0000"},
  {"\"\x1F\""sv,  no, 1, 2, "U+001F"},
  {"\"\\n\x01\""sv, no, 1, 4, "U+0001"},                // after an escape (slow path)
  // --- invalid UTF-8 inside strings -----------------------------------------------------
  {"\"\x80\""sv,  no, 1, 2, "continuation byte"},
  {"\"\xBF\""sv,  no, 1, 2, "continuation byte"},
  {"\"\xC0\x80\""sv, no, 1, 2, "overlong"},             // overlong NUL
  {"\"\xC1\xBF\""sv, no, 1, 2, "overlong"},
  {"\"\xE0\x80\x80\""sv, no, 1, 2, "overlong"},
  {"\"\xE0\x9F\xBF\""sv, no, 1, 2, "overlong"},
  {"\"\xF0\x80\x80\x80\""sv, no, 1, 2, "overlong"},
  {"\"\xF0\x8F\xBF\xBF\""sv, no, 1, 2, "overlong"},
  {"\"\xED\xA0\x80\""sv, no, 1, 2, "surrogate"},         // U+D800 encoded
  {"\"\xED\xBF\xBF\""sv, no, 1, 2, "surrogate"},         // U+DFFF encoded
  {"\"\xED\xA0\xBD\xED\xB8\x80\""sv, no, 1, 2, "surrogate"},  // CESU-8 pair
  {"\"\xF4\x90\x80\x80\""sv, no, 1, 2, "above U+10FFFF"},
  {"\"\xF5\x80\x80\x80\""sv, no, 1, 2, "above U+10FFFF"},
  {"\"\xFE\""sv,  no, 1, 2, "invalid UTF-8"},
  {"\"\xFF\""sv,  no, 1, 2, "invalid UTF-8"},
  {"\"\xC3\""sv,  no, 1, 2, "truncated"},
  {"\"\xE2\x82\""sv, no, 1, 2, "truncated"},
  {"\"\xF0\x9F\x98\""sv, no, 1, 2, "truncated"},
  {"\"\xC3"sv,    no, 1, 2, "truncated"},                // at the end of the input
  {"\"ab\xC3(\""sv, no, 1, 4, "truncated"},
  {"\"\xC3\xA9\x80\""sv, no, 1, 4, "continuation byte"},
  {"\"\\n\xC3\""sv, no, 1, 4, "truncated"},              // after an escape (slow path)
  {"{\"\xFF\":1}"sv, no, 1, 3, "invalid UTF-8"},         // in a key
  {"\xC3\xA9"sv,  no, 1, 1, "found byte 0xC3"},          // UTF-8 outside a string
  {"[\xC3\xA9]"sv, no, 1, 2, "found byte 0xC3"},
  // --- arrays -------------------------------------------------------------------------------
  {"[]"sv,  ok, 0, 0, ""},
  {"[[]]"sv, ok, 0, 0, ""},
  {"[{}]"sv, ok, 0, 0, ""},
  {"[1,2,3]"sv, ok, 0, 0, ""},
  {"[null,true,false,\"x\",1,1.5,[],{}]"sv, ok, 0, 0, ""},
  {" \t\r\n[ 1 , 2 ] \n"sv, ok, 0, 0, ""},
  {"["sv,    no, 1, 2, "expected a value or ']'"},
  {"[1"sv,   no, 1, 3, "expected ',' or ']' after array element"},
  {"[1,"sv,  no, 1, 4, "expected a value"},
  {"[1,]"sv, no, 1, 4, "trailing comma before ']'"},
  {"[1, ]"sv, no, 1, 5, "trailing comma"},
  {"[,1]"sv, no, 1, 2, "expected a value, found ','"},
  {"[1,,2]"sv, no, 1, 4, "found ','"},
  {"[1 2]"sv, no, 1, 4, "expected ',' or ']' after array element, found '2'"},
  {"[1}"sv,  no, 1, 3, "found '}'"},
  {"]"sv,    no, 1, 1, "found ']'"},
  {"[1]]"sv, no, 1, 4, "unexpected ']' after the value"},
  {"[[1]"sv, no, 1, 5, "expected ',' or ']'"},
  // --- objects ------------------------------------------------------------------------------
  {"{}"sv,  ok, 0, 0, ""},
  {R"({"a":1})"sv, ok, 0, 0, ""},
  {R"({"":0})"sv, ok, 0, 0, ""},
  {R"({"a":{"b":[true,false,null]}})"sv, ok, 0, 0, ""},
  {R"({"a":[],"b":{}})"sv, ok, 0, 0, ""},
  {R"({"a":1,"a":2})"sv, ok, 0, 0, ""},           // duplicates: accepted, last value wins
  {R"({ "a" : 1 , "b" : 2 })"sv, ok, 0, 0, ""},
  {R"({"a\u0000b":1})"sv, ok, 0, 0, ""},
  {"{"sv,    no, 1, 2, "expected a string key"},
  {R"({"a")"sv, no, 1, 5, "expected ':' after object key"},
  {R"({"a":)"sv, no, 1, 6, "expected a value"},
  {R"({"a":1)"sv, no, 1, 7, "expected ',' or '}' after object member"},
  {R"({"a":1,})"sv, no, 1, 8, "trailing comma before '}'"},
  {R"({"a":1, })"sv, no, 1, 9, "trailing comma"},
  {R"({"a" 1})"sv, no, 1, 6, "expected ':' after object key, found '1'"},
  {R"({"a"::1})"sv, no, 1, 6, "expected a value, found ':'"},
  {R"({"a",1})"sv, no, 1, 5, "expected ':'"},
  {R"({a:1})"sv, no, 1, 2, "expected a string key, found 'a'"},
  {R"({1:1})"sv, no, 1, 2, "expected a string key, found '1'"},
  {R"({null:1})"sv, no, 1, 2, "string key"},
  {R"({"a":1 "b":2})"sv, no, 1, 8, "expected ',' or '}' after object member, found '\"'"},
  {R"({"a":1;"b":2})"sv, no, 1, 7, "found ';'"},
  {R"({,})"sv, no, 1, 2, "string key, found ','"},
  {R"({"a":1]")"sv, no, 1, 7, "found ']'"},
  {R"({"a":[})"sv, no, 1, 7, "expected a value, found '}'"},
  {"}"sv,    no, 1, 1, "found '}'"},
  {R"({"a":1}})"sv, no, 1, 8, "unexpected '}' after the value"},
  // --- trailing content, comments, odd whitespace -----------------------------------------
  {"[]  x"sv,  no, 1, 5, "unexpected 'x' after the value"},
  {"{} {}"sv,  no, 1, 4, "after the value"},
  {R"("a" "b")"sv, no, 1, 5, "after the value"},
  {"null null"sv, no, 1, 6, "after the value"},
  {"// c\n1"sv, no, 1, 1, "comments are not allowed"},
  {"/* c */ 1"sv, no, 1, 1, "comments are not allowed"},
  {"[1 /* c */]"sv, no, 1, 4, "comments are not allowed"},
  {"1 // c"sv, no, 1, 3, "comments are not allowed"},
  {"{/*c*/}"sv, no, 1, 2, "comments are not allowed"},
  {R"({"a":1 # c})"sv, no, 1, 8, "found '#'"},
  {"\0"sv,       no, 1, 1, "found byte 0x00"},
  {"[1]\0"sv,    no, 1, 4, "byte 0x00 after the value"},
  {"\x0C" "1"sv, no, 1, 1, "found byte 0x0C"},       // form feed is not JSON whitespace
  {"\xC2\xA0" "1"sv, no, 1, 1, "found byte 0xC2"},   // nor is NO-BREAK SPACE
  {"[1,\v2]"sv,  no, 1, 4, "found byte 0x0B"},       // nor vertical tab
  // --- empty input and the byte order mark --------------------------------------------------
  {""sv,    no, 1, 1, "empty input"},
  {"   "sv, no, 1, 4, "found only whitespace"},
  {"\n\n"sv, no, 3, 1, "only whitespace"},
  {"\xEF\xBB\xBF{}"sv, no, 1, 1, "byte order mark"},
  {"\xEF\xBB\xBF"sv, no, 1, 1, "byte order mark"},
  {"\xEF\xBB"sv, no, 1, 1, "found byte 0xEF"},
  {" \xEF\xBB\xBF{}"sv, no, 1, 2, "found byte 0xEF"},
  // --- multi-line positions -----------------------------------------------------------------
  {"[\n1,\n]"sv, no, 3, 1, "trailing comma"},
  {"{\n  \"a\": 1,\n  \"b\": tru\n}"sv, no, 3, 8, "expected 'true'"},
  {"[1,\n2,\n3 4]"sv, no, 3, 3, "found '4'"},
  {"\r\n[1,]"sv, no, 2, 4, "trailing comma"},
  {"\"abc\ndef\""sv, no, 1, 5, "U+000A"},
  {"[\n\n\n  01]"sv, no, 4, 3, "leading zeros"},
  {"{\n\"a\":\n\"\\x\"}"sv, no, 3, 2, "invalid escape"},
  {"[\n  {\"id\": \"run-1\"},\n  {\"id\": \"run-2\",}\n]"sv, no, 3, 18, "trailing comma before '}'"},
  // --- TFE-shaped documents -----------------------------------------------------------------
  {R"({"data":{"type":"runs","attributes":{"is-destroy":false,"message":"hi"},)"
   R"("relationships":{"workspace":{"data":{"type":"workspaces","id":"ws-1"}}}}})"sv, ok, 0, 0, ""},
  {R"({"data":[],"links":{"next":null},"meta":{"pagination":{"current-page":1,"total-count":0}}})"sv,
   ok, 0, 0, ""},
  {R"({"errors":[{"status":"422","title":"invalid attribute","detail":"Workspace is required",)"
   R"("source":{"pointer":"/data/relationships/workspace"}}]})"sv, ok, 0, 0, ""},
  {R"({"data":{"type":"runs","attributes":{"is-destroy":fals}}})"sv, no, 1, 51, "expected 'false'"},
};
// clang-format on

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      out += c;
    } else {
      static const char hex[] = "0123456789ABCDEF";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xF];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("json parse: the strictness table accepts and rejects exactly as documented", "[json][parse]") {
  std::size_t accepted = 0, rejected = 0, positioned = 0;
  for (const parse_case& c : cases) {
    INFO("input: " << printable(c.input));
    const auto r = tfe::json::parse(c.input);
    if (c.accept) {
      CHECK(r.has_value());
      if (!r) INFO("unexpected error: " << r.error().message);
      ++accepted;
      continue;
    }
    ++rejected;
    REQUIRE_FALSE(r.has_value());
    INFO("message: " << r.error().message << " at " << r.error().position.line << ":" << r.error().position.column);
    CHECK(r.error().code == tfe::errc::parse_error);
    CHECK_FALSE(r.error().message.empty());
    if (!c.text.empty()) CHECK(r.error().message.find(std::string(c.text)) != std::string::npos);
    if (c.line != 0) {
      ++positioned;
      CHECK(r.error().position.line == c.line);
      CHECK(r.error().position.column == c.column);
    }
    CHECK(r.error().position.offset <= c.input.size());
  }
  CHECK(accepted + rejected >= 150);
  CHECK(positioned >= 100);
}

TEST_CASE("json parse: positions count lines by LF and columns in bytes", "[json][parse]") {
  // The column is a byte count: a two-byte character before the error counts twice.
  const auto r = tfe::json::parse("[\"\xC3\xA9\", x]");
  REQUIRE_FALSE(r);
  CHECK(r.error().position.offset == 7);
  CHECK(r.error().position.line == 1);
  CHECK(r.error().position.column == 8);
  // CR alone does not start a line.
  const auto r2 = tfe::json::parse("[1,\r2,\r]");
  REQUIRE_FALSE(r2);
  CHECK(r2.error().position.line == 1);
  CHECK(r2.error().position.column == 8);
}

TEST_CASE("json parse: accepted values have the documented kinds", "[json][parse]") {
  using k = tfe::json::kind;
  struct expect {
    std::string_view text;
    k kind;
  };
  const expect table[] = {
      {"null", k::null},
      {"true", k::boolean},
      {"0", k::integer},
      {"-0", k::integer},
      {"-9223372036854775808", k::integer},
      {"1.0", k::number},
      {"1e2", k::number},
      {"1E-2", k::number},
      {"9223372036854775808.0", k::number},
      {"\"\"", k::string},
      {"[]", k::array},
      {"{}", k::object},
  };
  for (const auto& e : table) {
    INFO(e.text);
    const auto r = tfe::json::parse(e.text);
    REQUIRE(r);
    CHECK(r->type() == e.kind);
  }
  CHECK(tfe::json::parse("-9223372036854775808")->as_int() == INT64_MIN);
  CHECK(tfe::json::parse("9223372036854775807")->as_int() == INT64_MAX);
  CHECK(tfe::json::parse("1e2")->as_double() == 100.0);
  CHECK_FALSE(tfe::json::parse("1e2")->as_int().has_value());
  CHECK(tfe::json::parse("1e-400")->as_double() == 0.0);
  CHECK(std::signbit(*tfe::json::parse("-1e-400")->as_double()));
  CHECK(tfe::json::parse("4.9e-324")->as_double() > 0.0);
  CHECK(tfe::json::parse("-0")->as_int() == 0);
}

TEST_CASE("json parse: escapes decode to the right bytes", "[json][parse]") {
  struct expect {
    std::string_view text;
    std::string_view value;
  };
  const expect table[] = {
      {R"("\"\\\/\b\f\n\r\t")", "\"\\/\b\f\n\r\t"},   {R"("\u0041\u00e9\u20AC")", "A\xC3\xA9\xE2\x82\xAC"},
      {R"("\uD83D\uDE00")", "\xF0\x9F\x98\x80"},      {R"("\udbff\udfff")", "\xF4\x8F\xBF\xBF"},
      {R"("a\u0000b")", std::string_view("a\0b", 3)}, {"\"\xC3\xA9\\n\xE2\x82\xAC\"", "\xC3\xA9\n\xE2\x82\xAC"},
  };
  for (const auto& e : table) {
    INFO(e.text);
    const auto r = tfe::json::parse(e.text);
    REQUIRE(r);
    CHECK(r->as_string() == e.value);
  }
}

TEST_CASE("json parse: a repeated key keeps its first position and its last value", "[json][parse]") {
  const auto r = tfe::json::parse(R"({"a":1,"b":2,"a":3,"c":4,"a":5})");
  REQUIRE(r);
  CHECK(r->size() == 3);
  CHECK(r->dump() == R"({"a":5,"b":2,"c":4})");
  // Large objects take the sorting path; same rule.
  std::string big = "{";
  for (int i = 0; i < 100; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  big += "\"k7\":\"last\",\"k99\":null}";
  const auto r2 = tfe::json::parse(big);
  REQUIRE(r2);
  CHECK(r2->size() == 100);
  CHECK((*r2)["k7"].as_string() == "last");
  CHECK((*r2)["k99"].is_null());
  CHECK(r2->as_object()->at(7).first == "k7");
  CHECK(r2->as_object()->at(99).first == "k99");
  // Keys that differ only in the middle are not duplicates.
  const auto r3 = tfe::json::parse(R"({"abXcd":1,"abYcd":2,"abZcd":3})");
  REQUIRE(r3);
  CHECK(r3->size() == 3);
}

TEST_CASE("json round trip: every accepted case of the table survives dump and parse", "[json][roundtrip]") {
  for (const parse_case& c : cases) {
    if (!c.accept) continue;
    INFO("input: " << printable(c.input));
    const auto v = tfe::json::parse(c.input);
    REQUIRE(v);
    const std::string once = v->dump();
    const auto again = tfe::json::parse(once);
    REQUIRE(again);
    CHECK(*again == *v);
    CHECK(again->dump() == once);
    CHECK(again->type() == v->type());
  }
}

TEST_CASE("json parse: keys with escapes decode, nest and deduplicate like plain keys", "[json][parse]") {
  const auto r = tfe::json::parse(R"({"\u0061":1,"b":{"c\n":{"d\"":[{"\u00e9":2}]}},"a":3})");
  REQUIRE(r);
  CHECK(r->dump() == "{\"a\":3,\"b\":{\"c\\n\":{\"d\\\"\":[{\"\xC3\xA9\":2}]}}}");
  CHECK((*r)["b"]["c\n"]["d\""][0]["\xC3\xA9"].as_int() == 2);
  // Many escaped keys across sibling objects (the decoded-key buffer is reused).
  std::string text = "[";
  for (int i = 0; i < 50; ++i) {
    if (i) text += ",";
    text += "{\"k\\u0030" + std::to_string(i) + "\":" + std::to_string(i) + ",\"x\\t\":{\"y\\/\":true}}";
  }
  text += "]";
  const auto many = tfe::json::parse(text);
  REQUIRE(many);
  for (int i = 0; i < 50; ++i) {
    INFO(i);
    CHECK((*many)[static_cast<std::size_t>(i)]["k0" + std::to_string(i)].as_int() == i);
    CHECK((*many)[static_cast<std::size_t>(i)]["x\t"]["y/"].as_bool() == true);
  }
}
