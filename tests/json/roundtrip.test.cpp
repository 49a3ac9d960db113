// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Round-trip properties over seeded random values: parse(dump(v)) == v, dump is a fixed point,
// and json_writer produces exactly dump()'s bytes.
#include "support/catch.hpp"

#include <tfe/tfe.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

using tfe::json;

namespace {

std::string random_utf8(std::mt19937& rng, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len_dist(0, max_len);
  std::uniform_int_distribution<int> cls(0, 9);
  std::string s;
  const std::size_t n = len_dist(rng);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t cp;
    switch (cls(rng)) {
      case 0:
        cp = std::uniform_int_distribution<std::uint32_t>(0, 0x1F)(rng);
        break;  // controls
      case 1:
        cp = (rng() & 1) ? '"' : '\\';
        break;
      case 2:
        cp = std::uniform_int_distribution<std::uint32_t>(0x80, 0x7FF)(rng);
        break;
      case 3: {
        cp = std::uniform_int_distribution<std::uint32_t>(0x800, 0xFFFF)(rng);
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
        break;
      }
      case 4:
        cp = std::uniform_int_distribution<std::uint32_t>(0x10000, 0x10FFFF)(rng);
        break;
      default:
        cp = std::uniform_int_distribution<std::uint32_t>(0x20, 0x7E)(rng);
        break;
    }
    char buf[4];
    std::size_t k;
    if (cp < 0x80) {
      buf[0] = static_cast<char>(cp);
      k = 1;
    } else if (cp < 0x800) {
      buf[0] = static_cast<char>(0xC0 | (cp >> 6));
      buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
      k = 2;
    } else if (cp < 0x10000) {
      buf[0] = static_cast<char>(0xE0 | (cp >> 12));
      buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
      k = 3;
    } else {
      buf[0] = static_cast<char>(0xF0 | (cp >> 18));
      buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
      k = 4;
    }
    s.append(buf, k);
  }
  return s;
}

double random_double(std::mt19937& rng) {
  switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
    case 0: {  // any finite bit pattern, subnormals included
      for (;;) {
        const std::uint64_t bits = (static_cast<std::uint64_t>(rng()) << 32) | rng();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (std::isfinite(d)) return d;
      }
    }
    case 1:
      return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 2:
      return static_cast<double>(std::uniform_int_distribution<int>(-1000, 1000)(rng));  // integral doubles
    case 3:
      return std::uniform_int_distribution<int>(-99999, 99999)(rng) / 100.0;
    case 4:
      return (rng() & 1) ? 0.0 : -0.0;
    default: {
      const double edge[] = {std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::epsilon(),
                             1e21,
                             1e-7,
                             0.1,
                             1.0 / 3.0,
                             9007199254740993.0};
      const double d = edge[std::uniform_int_distribution<std::size_t>(0, 8)(rng)];
      return (rng() & 1) ? d : -d;
    }
  }
}

std::int64_t random_int(std::mt19937& rng) {
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0:
      return std::uniform_int_distribution<std::int64_t>(-100, 100)(rng);
    case 1:
      return std::uniform_int_distribution<std::int64_t>(INT64_MIN, INT64_MAX)(rng);
    case 2:
      return (rng() & 1) ? INT64_MIN : INT64_MAX;
    default:
      return std::uniform_int_distribution<std::int64_t>(-1000000000, 1000000000)(rng);
  }
}

json random_value(std::mt19937& rng, int depth) {
  const int kinds = depth >= 5 ? 5 : 7;
  switch (std::uniform_int_distribution<int>(0, kinds - 1)(rng)) {
    case 0:
      return json();
    case 1:
      return json((rng() & 1) != 0);
    case 2:
      return json(random_int(rng));
    case 3:
      return json(random_double(rng));
    case 4:
      return json(random_utf8(rng, 40));
    case 5: {
      json a = json::array();
      const int n = std::uniform_int_distribution<int>(0, 5)(rng);
      for (int i = 0; i < n; ++i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      const int n = std::uniform_int_distribution<int>(0, 5)(rng);
      for (int i = 0; i < n; ++i) o.set(random_utf8(rng, 12), random_value(rng, depth + 1));
      return o;
    }
  }
}

// Writes `v` through the streaming writer (recursion is fine at test depths).
void write_value(tfe::json_writer& w, const json& v) {
  switch (v.type()) {
    case json::kind::null:
      w.null_value();
      break;
    case json::kind::boolean:
      w.value(*v.as_bool());
      break;
    case json::kind::integer:
      w.value(*v.as_int());
      break;
    case json::kind::number:
      w.value(*v.as_double());
      break;
    case json::kind::string:
      w.value(*v.as_string());
      break;
    case json::kind::array:
      w.begin_array();
      for (const json& e : *v.as_array()) write_value(w, e);
      w.end_array();
      break;
    case json::kind::object:
      w.begin_object();
      for (const auto& m : *v.as_object()) {
        w.key(m.first);
        write_value(w, m.second);
      }
      w.end_object();
      break;
  }
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("json round trip: random values survive dump and parse", "[json][roundtrip]") {
  std::mt19937 rng(20240501u);  // fixed seed: failures reproduce
  for (int i = 0; i < 2000; ++i) {
    const json v = random_value(rng, 0);
    const std::string text = v.dump();
    INFO("case " << i << ": " << text);
    const auto parsed = tfe::json::parse(text);
    REQUIRE(parsed);
    CHECK(*parsed == v);
    CHECK(parsed->dump() == text);
    std::string written;
    tfe::json_writer w(written);
    write_value(w, v);
    CHECK(written == text);
    CHECK(w.depth() == 0);
  }
}

TEST_CASE("json round trip: doubles come back bit for bit and stay doubles", "[json][roundtrip]") {
  std::mt19937 rng(7u);
  for (int i = 0; i < 20000; ++i) {
    const double d = random_double(rng);
    const std::string text = json(d).dump();
    INFO(text);
    const auto parsed = tfe::json::parse(text);
    REQUIRE(parsed);
    REQUIRE(parsed->is_double());
    CHECK(same_bits(*parsed->as_double(), d));
  }
}

TEST_CASE("json round trip: integers come back exactly and stay integers", "[json][roundtrip]") {
  std::mt19937 rng(11u);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t n = random_int(rng);
    const auto parsed = tfe::json::parse(json(n).dump());
    REQUIRE(parsed);
    REQUIRE(parsed->is_int());
    CHECK(*parsed->as_int() == n);
  }
}

TEST_CASE("json round trip: strings with every byte pattern of valid UTF-8", "[json][roundtrip]") {
  std::mt19937 rng(3u);
  for (int i = 0; i < 5000; ++i) {
    const std::string s = random_utf8(rng, 64);
    const std::string text = json(s).dump();
    const auto parsed = tfe::json::parse(text);
    REQUIRE(parsed);
    CHECK(parsed->as_string() == s);
  }
  // All 128 ASCII code points, one string.
  std::string all;
  for (int c = 0; c < 128; ++c) all.push_back(static_cast<char>(c));
  const auto parsed = tfe::json::parse(json(all).dump());
  REQUIRE(parsed);
  CHECK(parsed->as_string() == all);
}
