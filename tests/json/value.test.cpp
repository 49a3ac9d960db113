// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// tfe::json as a value: construction, accessors, safe chaining, mutation, equality, limits, depth.
#include "support/catch.hpp"

#include <tfe/tfe.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

using tfe::json;
using kind = tfe::json::kind;

TEST_CASE("json value: constructors pick the right kind", "[json][value]") {
  CHECK(json().type() == kind::null);
  CHECK(json(nullptr).type() == kind::null);
  CHECK(json(true).type() == kind::boolean);
  CHECK(json(0).type() == kind::integer);
  CHECK(json(-5L).type() == kind::integer);
  CHECK(json(7LL).type() == kind::integer);
  CHECK(json(7u).type() == kind::integer);
  CHECK(json(static_cast<unsigned short>(9)).type() == kind::integer);
  CHECK(json(static_cast<std::uint64_t>(INT64_MAX)).as_int() == INT64_MAX);
  // Unsigned values above INT64_MAX cannot be integers: they become the nearest double.
  const json big(std::numeric_limits<std::uint64_t>::max());
  CHECK(big.type() == kind::number);
  CHECK(big.as_double() == 18446744073709551616.0);
  CHECK(json(1.5).type() == kind::number);
  CHECK(json(1.5f).type() == kind::number);
  CHECK(json("x").type() == kind::string);
  CHECK(json(std::string("x")).type() == kind::string);
  CHECK(json(std::string_view("x")).type() == kind::string);
  CHECK(json(json::array_type{1, 2}).type() == kind::array);
  CHECK(json(json::object_type{{"a", 1}}).type() == kind::object);
  CHECK(json::array().type() == kind::array);
  CHECK(json::object().type() == kind::object);
  CHECK(json::array({1, "two", nullptr}).dump() == R"([1,"two",null])");
  CHECK(json::object({{"id", "run-1"}, {"n", 2}}).dump() == R"({"id":"run-1","n":2})");
  CHECK(json::object({{"a", 1}, {"a", 2}, {"b", 3}}).dump() == R"({"a":2,"b":3})");
}

TEST_CASE("json value: strings of every length, inline or on the heap", "[json][value]") {
  for (std::size_t n = 0; n < 100; ++n) {
    INFO(n);
    const std::string s(n, static_cast<char>('a' + n % 26));
    json v(s);
    CHECK(v.as_string() == s);
    json copy = v;
    CHECK(copy.as_string() == s);
    json moved = std::move(copy);
    CHECK(moved.as_string() == s);
    CHECK(copy.is_null());  // NOLINT: moved-from json is documented to be null
    CHECK(moved == v);
    const auto parsed = json::parse(v.dump());
    REQUIRE(parsed);
    CHECK(*parsed == v);
    json assigned;
    assigned = v;
    CHECK(assigned == v);
  }
}

TEST_CASE("json value: typed accessors return nothing for the wrong kind", "[json][value]") {
  const json i = 42, d = 2.5, b = true, s = "x", n = nullptr, a = json::array({1}), o = json::object({{"k", 1}});
  CHECK(i.as_int() == 42);
  CHECK(i.as_double() == 42.0);  // integers convert to double
  CHECK_FALSE(i.as_bool());
  CHECK_FALSE(i.as_string());
  CHECK_FALSE(d.as_int());  // doubles never convert to integers
  CHECK(d.as_double() == 2.5);
  CHECK(b.as_bool() == true);
  CHECK_FALSE(b.as_int());
  CHECK(s.as_string() == "x");
  CHECK_FALSE(s.as_bool());
  CHECK_FALSE(n.as_bool());
  CHECK_FALSE(n.as_int());
  CHECK_FALSE(n.as_double());
  CHECK_FALSE(n.as_string());
  CHECK(n.as_array() == nullptr);
  CHECK(n.as_object() == nullptr);
  CHECK(a.as_array() != nullptr);
  CHECK(a.as_object() == nullptr);
  CHECK(o.as_object() != nullptr);
  CHECK(o.as_array() == nullptr);
  CHECK(i.is_number());
  CHECK(d.is_number());
  CHECK(i.is_int());
  CHECK_FALSE(i.is_double());
  CHECK(d.is_double());
  CHECK_FALSE(s.is_number());
  CHECK(a.is_array());
  CHECK(o.is_object());
  CHECK(n.is_null());
  CHECK(b.is_bool());
  CHECK(s.is_string());
  CHECK(i.size() == 0);
  CHECK(s.size() == 0);
  CHECK(a.size() == 1);
  CHECK(o.size() == 1);
  CHECK(tfe::to_string(kind::integer) == "integer");
  CHECK(tfe::to_string(kind::object) == "object");
}

TEST_CASE("json value: const lookups chain safely through missing members", "[json][value]") {
  const auto parsed =
      json::parse(R"({"data":{"type":"runs","attributes":{"is-destroy":false,"target-addrs":["a","b"]}}})");
  REQUIRE(parsed);
  const json& doc = *parsed;
  CHECK(doc["data"]["type"].as_string() == "runs");
  CHECK(doc["data"]["attributes"]["is-destroy"].as_bool() == false);
  CHECK(doc["data"]["attributes"]["target-addrs"][1].as_string() == "b");
  CHECK(doc["data"]["attributes"]["target-addrs"][2].is_null());  // out of range
  CHECK(doc["data"]["nope"]["deeper"][0]["x"].is_null());         // missing all the way
  CHECK(doc["data"]["type"]["not-an-object"].is_null());          // string indexed by key
  CHECK(doc[0].is_null());                                        // object indexed by number
  CHECK(doc.contains("data"));
  CHECK_FALSE(doc.contains("links"));
  CHECK_FALSE(doc["data"]["type"].contains("x"));
  CHECK(doc.find("data") != nullptr);
  CHECK(doc.find("links") == nullptr);
  CHECK(json(5).find("x") == nullptr);
  // The shared null is never modified by reads.
  CHECK(doc["missing"].dump() == "null");
}

TEST_CASE("json value: non-const subscript and set() insert, keeping insertion order", "[json][value]") {
  json v;  // null becomes an object on first keyed write
  v["b"] = 1;
  v["a"] = "two";
  v["c"]["nested"] = true;  // a missing member is created as null, then becomes an object
  CHECK(v.dump() == R"({"b":1,"a":"two","c":{"nested":true}})");
  v.set("b", 10);  // replaced in place: keeps its first position
  CHECK(v.dump() == R"({"b":10,"a":"two","c":{"nested":true}})");
  json& added = v.set("d", json::array());
  added.push_back(1);
  added.push_back(json::object({{"k", nullptr}}));
  CHECK(v.dump() == R"({"b":10,"a":"two","c":{"nested":true},"d":[1,{"k":null}]})");
  CHECK(v.size() == 4);
  CHECK(v.erase("a"));
  CHECK_FALSE(v.erase("a"));
  CHECK_FALSE(json(3).erase("a"));
  CHECK(v.dump() == R"({"b":10,"c":{"nested":true},"d":[1,{"k":null}]})");
  // Reading by number through a non-const value is the safe const lookup.
  CHECK(v["d"][0].as_int() == 1);
  CHECK(v["d"][9].is_null());
  // Writing elements goes through as_array().
  (*v["d"].as_array())[0] = "one";
  CHECK(v["d"][0].as_string() == "one");
  json arr;  // null becomes an array on push_back
  arr.push_back("x");
  CHECK(arr.dump() == R"(["x"])");
  // Assigning a part of a value to the value itself is safe (copy and move).
  json tree = json::object({{"inner", json::object({{"x", 1}})}});
  tree = tree["inner"];
  CHECK(tree.dump() == R"({"x":1})");
  json tree2 = json::object({{"inner", json::array({1, 2})}});
  tree2 = std::move(tree2["inner"]);
  CHECK(tree2.dump() == "[1,2]");
}

TEST_CASE("json value: erase removes every member with the key", "[json][value]") {
  json v(json::object_type{{"a", 1}, {"b", 2}, {"a", 3}});  // duplicates only via object_type
  CHECK(v.size() == 3);
  CHECK(v["a"].as_int() == 1);  // lookups see the first
  CHECK(v.erase("a"));
  CHECK(v.dump() == R"({"b":2})");
}

TEST_CASE("json value: equality is deep, kind-sensitive and ignores member order", "[json][value]") {
  CHECK(json(1) != json(1.0));  // integer and double are different kinds
  CHECK(json(1) == json(1));
  CHECK(json(1.0) == json(1.0));
  CHECK(json(0.0) == json(-0.0));  // IEEE equality
  CHECK(json(std::nan("")) != json(std::nan("")));
  CHECK(json("a") != json("b"));
  CHECK(json() == json(nullptr));
  CHECK(json(false) != json(nullptr));
  CHECK(json::array({1, 2}) != json::array({2, 1}));  // arrays are ordered
  CHECK(json::array({1, 2}) != json::array({1, 2, 3}));
  const json a = json::object({{"x", 1}, {"y", json::array({true})}});
  const json b = json::object({{"y", json::array({true})}, {"x", 1}});
  CHECK(a == b);  // objects are not
  CHECK(b == a);
  CHECK(a != json::object({{"x", 1}, {"z", json::array({true})}}));
  CHECK(a != json::object({{"x", 1}}));
  CHECK(a != json::object({{"x", 2}, {"y", json::array({true})}}));
  // Duplicate keys (only possible through object_type) compare symmetrically.
  const json dup(json::object_type{{"k", 1}, {"k", 1}});
  const json other(json::object_type{{"k", 1}, {"j", 1}});
  CHECK(dup != other);
  CHECK(other != dup);
}

TEST_CASE("json value: dump is compact and keeps numbers' kinds", "[json][value][dump]") {
  CHECK(json(1.0).dump() == "1.0");
  CHECK(json(-0.0).dump() == "-0.0");
  CHECK(json(100.0).dump() == "100.0");
  CHECK(json(0.1).dump() == "0.1");
  CHECK(json(1e300).dump() == "1e+300");
  CHECK(json(5e-324).dump() == "5e-324");
  CHECK(json(123456789.0).dump() == "123456789.0");
  CHECK(json(INT64_MIN).dump() == "-9223372036854775808");
  CHECK(json(std::nan("")).dump() == "null");
  CHECK(json(std::numeric_limits<double>::infinity()).dump() == "null");
  CHECK(json(-std::numeric_limits<double>::infinity()).dump() == "null");
  CHECK(json(std::string("a\"b\\c\b\f\n\r\t\x01\x1f/\x7f")).dump() == R"("a\"b\\c\b\f\n\r\t\u0001\u001f/)"
                                                                      "\x7f\"");
  CHECK(json(std::string("\0", 1)).dump() == R"("\u0000")");
  CHECK(json("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80").dump() == "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
  CHECK(json::parse(" [ 1 , { \"a\" : null } ] ")->dump() == R"([1,{"a":null}])");
  std::string out = "prefix:";
  json::array({true}).dump_to(out);
  CHECK(out == "prefix:[true]");
}

TEST_CASE("json value: dump replaces invalid UTF-8 with U+FFFD, one per maximal subpart", "[json][value][dump]") {
  const std::string fffd = "\xEF\xBF\xBD";
  struct expect {
    std::string input;
    std::string output;
  };
  const expect table[] = {
      {"\xFF", fffd},
      {"a\x80z", "a" + fffd + "z"},
      {"\xC0\xAF", fffd + fffd},             // overlong: each byte is its own subpart
      {"\xE0\xA0", fffd},                    // truncated 3-byte sequence: one subpart
      {"\xE0\x80\x80", fffd + fffd + fffd},  // E0 80 is not a valid prefix
      {"\xED\xA0\x80", fffd + fffd + fffd},  // encoded surrogate
      {"\xF0\x9F\x98", fffd},                // truncated emoji
      {"\xF0\x9F\x98"
       "A",
       fffd + "A"},
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
      {"ok\xC3\xA9", "ok\xC3\xA9"},                     // valid stays as is
  };
  for (const auto& e : table) {
    const std::string dumped = json(e.input).dump();
    INFO(dumped);
    CHECK(dumped == "\"" + e.output + "\"");
    const auto back = json::parse(dumped);  // always valid JSON
    REQUIRE(back);
    CHECK(back->as_string() == e.output);
  }
  // Keys too.
  json o;
  o.set("\xFF", 1);
  CHECK(o.dump() == "{\"" + fffd + "\":1}");
}

TEST_CASE("json parse: the size limit gives payload_too_large", "[json][limits]") {
  tfe::json_parse_options opt;
  opt.max_size = 8;
  CHECK(json::parse("[1,2,3]", opt));   // 7 bytes
  CHECK(json::parse("[1,2,30]", opt));  // exactly 8
  const auto r = json::parse("[1,2,300]", opt);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tfe::errc::payload_too_large);
  CHECK(tfe::http_status(r.error().code) == 413);
  CHECK(r.error().message.find("limit of 8 bytes") != std::string::npos);
  const tfe::json_parse_options defaults;
  CHECK(defaults.max_depth == 512);
  CHECK(defaults.max_size == (64u << 20));
}

TEST_CASE("json parse: the depth limit is exact and named in the message", "[json][limits]") {
  auto nested = [](std::size_t depth, char open, char close) {
    std::string s;
    for (std::size_t i = 0; i < depth; ++i) s += (open == '{' ? std::string("{\"a\":") : std::string(1, open));
    s += "0";
    s += std::string(depth, close);
    return s;
  };
  // Default limit: 512.
  CHECK(json::parse(nested(512, '[', ']')));
  const auto r = json::parse(nested(513, '[', ']'));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tfe::errc::parse_error);
  CHECK(r.error().message == "nesting depth exceeds the limit of 512");
  CHECK(r.error().position.offset == 512);
  CHECK(json::parse(nested(512, '{', '}')));
  CHECK_FALSE(json::parse(nested(513, '{', '}')));
  // A custom limit, counted the same way for arrays and objects.
  tfe::json_parse_options opt;
  opt.max_depth = 3;
  CHECK(json::parse("[[[1]]]", opt));
  CHECK(json::parse(R"({"a":[{"b":1}]})", opt));
  CHECK_FALSE(json::parse("[[[[1]]]]", opt));
  CHECK_FALSE(json::parse(R"({"a":[{"b":[]}]})", opt));
  opt.max_depth = 0;
  CHECK(json::parse("1", opt));
  CHECK_FALSE(json::parse("[]", opt));
}

TEST_CASE("json parse: a million open brackets fail cleanly", "[json][limits]") {
  const std::string opens(1000000, '[');
  const auto r = json::parse(opens);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("512") != std::string::npos);
  // With the limit lifted the parser still does not recurse: it runs out of input instead.
  tfe::json_parse_options opt;
  opt.max_depth = 2000000;
  const auto r2 = json::parse(opens, opt);
  REQUIRE_FALSE(r2);
  CHECK(r2.error().position.offset == opens.size());
}

TEST_CASE("json value: 100k-deep values parse, copy, compare, dump and destroy iteratively", "[json][limits]") {
  const std::size_t depth = 100000;
  tfe::json_parse_options opt;
  opt.max_depth = depth;
  std::string text(depth, '[');
  text += std::string(depth, ']');
  auto parsed = json::parse(text, opt);
  REQUIRE(parsed);
  json copy = *parsed;
  CHECK(copy == *parsed);
  CHECK(copy.dump() == text);
  copy = json();  // destroys 100k levels
  // Built by hand: objects inside arrays inside objects.
  json root;
  {
    json cur = json::array();
    for (std::size_t i = 0; i < depth; ++i) {
      json next = (i % 2 == 0) ? json::object() : json::array();
      if (next.is_object()) next.set("k", std::move(cur));
      else next.push_back(std::move(cur));
      cur = std::move(next);
    }
    root = std::move(cur);
  }
  json root2 = root;
  CHECK(root == root2);
  if (auto* arr = root2.as_array()) (*arr)[0] = 1;
  else root2.as_object()->front().second = 1;
  CHECK(root != root2);
  CHECK(root.dump().size() > depth * 4);
}

TEST_CASE("json value: parse of a moved-from or reassigned value is independent", "[json][value]") {
  auto a = json::parse(R"({"k":[1,2,{"deep":"string longer than the inline buffer........"}]})");
  REQUIRE(a);
  json b = *a;
  (*a)["k"].as_array()->clear();
  CHECK(b["k"].size() == 3);
  CHECK(b["k"][2]["deep"].as_string() == "string longer than the inline buffer........");
}
