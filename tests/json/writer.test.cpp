// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// tfe::json_writer: comma handling, every value overload, escaping, and agreement with dump().
#include "support/catch.hpp"

#include <tfe/tfe.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

using tfe::json;
using tfe::json_writer;

TEST_CASE("json_writer: commas between elements and members, none after openers or keys", "[json][writer]") {
  std::string out;
  json_writer w(out);
  w.begin_object();
  w.key("a").value(1);
  w.key("b")
      .begin_array()
      .value(true)
      .value(false)
      .null_value()
      .begin_array()
      .end_array()
      .begin_object()
      .end_object()
      .end_array();
  w.key("c").begin_object().key("d").begin_object().end_object().end_object();
  w.key("e").value("x");
  w.end_object();
  CHECK(out == R"({"a":1,"b":[true,false,null,[],{}],"c":{"d":{}},"e":"x"})");
  CHECK(w.depth() == 0);
}

TEST_CASE("json_writer: scalars at the top level and sequences of documents", "[json][writer]") {
  std::string out;
  {
    json_writer w(out);
    w.value(42);
  }
  CHECK(out == "42");
  out.clear();
  json_writer w(out);
  w.begin_array().end_array();
  CHECK(out == "[]");
  // A writer appends: existing content is kept.
  std::string prefixed = "data: ";
  json_writer(prefixed).begin_object().member("k", 1).end_object();
  CHECK(prefixed == R"(data: {"k":1})");
}

TEST_CASE("json_writer: every value overload", "[json][writer]") {
  std::string out;
  json_writer w(out);
  const std::string str = "std::string";
  w.begin_array()
      .value(std::string_view("view"))
      .value(str)
      .value("literal")
      .value(true)
      .value(false)
      .value(nullptr)
      .null_value()
      .value(0)
      .value(-1)
      .value(static_cast<short>(-7))
      .value(static_cast<unsigned char>(200))
      .value(123u)
      .value(-5L)
      .value(INT64_MIN)
      .value(INT64_MAX)
      .value(std::numeric_limits<std::uint64_t>::max())  // printed exactly
      .value(1.0)
      .value(0.5f)
      .value(-0.0)
      .value(1e-7)
      .value(std::nan(""))
      .value(json::object({{"nested", json::array({1, 2})}}))
      .raw_value(R"({"pre":"serialized"})")
      .end_array();
  CHECK(out == R"(["view","std::string","literal",true,false,null,null,0,-1,-7,200,123,-5,)"
               R"(-9223372036854775808,9223372036854775807,18446744073709551615,1.0,0.5,-0.0,1e-07,null,)"
               R"({"nested":[1,2]},{"pre":"serialized"}])");
}

TEST_CASE("json_writer: member() for every kind of value", "[json][writer]") {
  std::string out;
  json_writer w(out);
  const std::string s = "run-CZcmD7eagjhyX0vN";
  w.begin_object()
      .member("id", s)
      .member("type", "runs")
      .member("view", std::string_view("v"))
      .member("has-changes", true)
      .member("position-in-queue", 3)
      .member("size", std::size_t{10})
      .member("ratio", 0.25)
      .member("canceled-at", nullptr)
      .member("doc", json::array({"a"}))
      .end_object();
  CHECK(out == R"({"id":"run-CZcmD7eagjhyX0vN","type":"runs","view":"v","has-changes":true,)"
               R"("position-in-queue":3,"size":10,"ratio":0.25,"canceled-at":null,"doc":["a"]})");
}

TEST_CASE("json_writer: escaping of keys and values matches dump()", "[json][writer]") {
  const std::string tricky[] = {
      "",
      "plain",
      "quote\"backslash\\slash/",
      std::string("ctl\x01\x02\x1f\b\f\n\r\t", 12),
      std::string("nul\0nul", 7),
      "utf8 \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
      "bad \xFF utf8 \xC0\xAF and \xED\xA0\x80 and \xF0\x9F\x98",
      std::string(500, 'x') + "\"" + std::string(500, 'y'),  // long: the slow path
      std::string(119, 'k'),                                 // around the fast-path limit
      std::string(120, 'k'),
      std::string(121, 'k'),
      std::string(200, 'm'),
  };
  for (const std::string& k : tricky) {
    for (const std::string& v : tricky) {
      json o = json::object();
      o.set(k, v);
      o.set("arr", json::array({v, k}));
      std::string out;
      json_writer w(out);
      w.begin_object().member(k, v).key("arr").begin_array().value(v).value(k).end_array().end_object();
      CHECK(out == o.dump());
      std::string out2;
      json_writer w2(out2);
      w2.begin_object().key(k).value(v).key("arr").begin_array().value(v).value(k).end_array().end_object();
      CHECK(out2 == out);
      CHECK(json::parse(out));
    }
  }
}

TEST_CASE("json_writer: a JSON:API run document from plain values", "[json][writer]") {
  struct run_view {
    std::string id = "run-CZcmD7eagjhyX0vN";
    std::string status = "planned";
    bool is_cancelable = true;
    bool is_confirmable = true;
    bool has_changes = true;
    std::int64_t position_in_queue = 0;
    std::string message = "Queued manually via the Terraform Enterprise API";
    std::string created_at = "2024-05-01T12:00:00.000Z";
    std::string workspace_id = "ws-2Qhk7LHgbMrm3grF";
  } r;
  std::string out;
  out.reserve(1024);
  json_writer w(out);
  w.begin_object().key("data").begin_object();
  w.member("id", r.id).member("type", "runs");
  w.key("attributes").begin_object();
  w.key("actions")
      .begin_object()
      .member("is-cancelable", r.is_cancelable)
      .member("is-confirmable", r.is_confirmable)
      .end_object();
  w.member("created-at", r.created_at).member("has-changes", r.has_changes).member("message", r.message);
  w.member("position-in-queue", r.position_in_queue).member("status", r.status);
  w.key("status-timestamps").begin_object().member("planned-at", r.created_at).end_object();
  w.end_object();
  w.key("relationships")
      .begin_object()
      .key("workspace")
      .begin_object()
      .key("data")
      .begin_object()
      .member("id", r.workspace_id)
      .member("type", "workspaces")
      .end_object()
      .end_object()
      .end_object();
  w.end_object().end_object();
  CHECK(w.depth() == 0);

  json expected;
  json& data = expected["data"];
  data.set("id", r.id);
  data.set("type", "runs");
  json& attrs = data["attributes"];
  attrs["actions"].set("is-cancelable", true);
  attrs["actions"].set("is-confirmable", true);
  attrs.set("created-at", r.created_at);
  attrs.set("has-changes", true);
  attrs.set("message", r.message);
  attrs.set("position-in-queue", 0);
  attrs.set("status", "planned");
  attrs["status-timestamps"].set("planned-at", r.created_at);
  data["relationships"]["workspace"]["data"].set("id", r.workspace_id);
  data["relationships"]["workspace"]["data"].set("type", "workspaces");
  CHECK(out == expected.dump());
  const auto back = json::parse(out);
  REQUIRE(back);
  CHECK(*back == expected);
  CHECK(&w.output() == &out);
}

TEST_CASE("json_writer: empty and null-data views, other floating types", "[json][writer]") {
  std::string out;
  json_writer w(out);
  w.begin_object()
      .member(std::string_view(), std::string_view())  // default views have data() == nullptr
      .key(std::string_view())
      .value(std::string_view())
      .member("f", 0.5f)
      .member("ld", 2.0L)
      .end_object();
  CHECK(out == R"({"":"","":"","f":0.5,"ld":2.0})");
  CHECK(json(std::string_view()).dump() == R"("")");
  CHECK(json(2.0L).dump() == "2.0");
}
