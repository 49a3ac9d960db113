// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Tests of tfe::posix_http_server over real loopback sockets (no sleeps, no timing asserts).
#include <tfe/transport/posix_http_server.hpp>

#include "support/catch.hpp"
#include "transport/raw_client.hpp"

#include <poll.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using tfe::http_request;
using tfe::http_response;
using tfe::http_server_options;
using tfe::posix_http_server;
using tfe_test::digest;
using tfe_test::get_request;
using tfe_test::raw_client;

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('A' + (i * 7 + i / 4096) % 26);
  return s;
}

// The handler the tests use: echoes what it got, or does what the path asks.
http_response test_handler(http_request& req) {
  http_response res;
  res.headers.emplace_back("Content-Type", "text/plain");
  const auto path = req.path();
  if (path == "/big") {
    res.body = pattern(8u << 20);
  } else if (path == "/throw") {
    throw std::runtime_error("boom");
  } else if (path == "/close") {
    res.headers.emplace_back("Connection", "close");
    res.body = "bye";
  } else if (path == "/empty") {
    res.status = 204;
  } else if (path == "/inject") {
    res.headers.emplace_back("X-Bad", "a\r\nX-Injected: 1");
    res.headers.emplace_back("Content-Length", "999");
    res.body = "safe";
  } else {
    res.body = req.method + " " + req.target + " " + std::to_string(req.body.size()) + " " + digest(req.body);
  }
  return res;
}

std::string echo_of(const std::string& method, const std::string& target, const std::string& body = {}) {
  return method + " " + target + " " + std::to_string(body.size()) + " " + digest(body);
}

struct running_server {
  explicit running_server(http_server_options options = {}, posix_http_server::handler_type h = test_handler)
      : server(std::move(h), std::move(options)) {
    auto r = server.start();
    REQUIRE(r.has_value());
    port = *r;
    REQUIRE(port != 0);
    REQUIRE(server.port() == port);
  }
  posix_http_server server;
  std::uint16_t port = 0;
};

void require_served(std::uint16_t port) {
  raw_client c(port);
  REQUIRE(c.connected());
  REQUIRE(c.send_all(get_request("/still-alive")));
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == echo_of("GET", "/still-alive"));
}

}  // namespace

TEST_CASE("posix_http_server answers a simple GET", "[http-server]") {
  running_server s;
  raw_client c(s.port);
  REQUIRE(c.connected());
  REQUIRE(c.send_all(get_request("/api/v2/ping?x=1")));
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->header("content-type") == "text/plain");
  CHECK(r->header("content-length") == std::to_string(r->body.size()));
  CHECK_FALSE(r->has_header("connection"));
  CHECK(r->body == echo_of("GET", "/api/v2/ping?x=1"));
}

TEST_CASE("posix_http_server hands the handler the request's fields", "[http-server]") {
  std::mutex m;
  http_request seen;
  running_server s({}, [&](http_request& req) {
    std::lock_guard<std::mutex> lock(m);
    seen = req;
    http_response res;
    res.status = 201;
    res.headers = {{"Location", "/x"}};
    res.body = "made";
    return res;
  });
  raw_client c(s.port);
  REQUIRE(
      c.send_all("POST /api/v2/runs HTTP/1.1\r\nHost: h\r\nContent-Type: application/vnd.api+json\r\n"
                 "Content-Length: 11\r\n\r\n{\"data\":{}}"));
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(r->header("location") == "/x");
  CHECK(r->body == "made");
  std::lock_guard<std::mutex> lock(m);
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/api/v2/runs");
  CHECK(seen.header("content-type") == "application/vnd.api+json");
  CHECK(seen.body == "{\"data\":{}}");
  CHECK(seen.remote_address.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("posix_http_server reads a POST body framed by Content-Length", "[http-server]") {
  running_server s;
  raw_client c(s.port);
  const std::string body = pattern(100000);
  REQUIRE(c.send_all("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                     body));
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == echo_of("POST", "/upload", body));
}

TEST_CASE("posix_http_server reads a 1 MiB chunked upload with extensions and trailers", "[http-server]") {
  running_server s;
  std::mt19937 rng(42);
  std::string body(1u << 20, '\0');
  for (auto& ch : body) ch = static_cast<char>(rng() & 0xff);
  std::string wire = "POST /chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::size_t pos = 0;
  int n = 0;
  while (pos < body.size()) {
    const std::size_t len = std::min<std::size_t>(body.size() - pos, 1 + rng() % 70000);
    char size[32];
    std::snprintf(size, sizeof size, "%zx", len);
    wire += size;
    if (++n % 3 == 0) wire += ";chunk=" + std::to_string(n);
    wire += "\r\n";
    wire.append(body, pos, len);
    wire += "\r\n";
    pos += len;
  }
  wire += "0\r\nX-Checksum: " + digest(body) + "\r\n\r\n";
  raw_client c(s.port);
  REQUIRE(c.send_all(wire));
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == echo_of("POST", "/chunked", body));
}

TEST_CASE("posix_http_server sends 100 Continue before reading an expected body", "[http-server]") {
  running_server s;
  raw_client c(s.port);
  REQUIRE(c.send_all("PUT /state HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  const auto interim = c.read_response();  // the body has not been sent: only 100 can come
  REQUIRE(interim);
  CHECK(interim->status == 100);
  REQUIRE(c.send_all("hello"));
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == echo_of("PUT", "/state", "hello"));

  SECTION("a body over the limit gets 413 instead of 100") {
    raw_client d(s.port);
    REQUIRE(
        d.send_all("PUT /state HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 999999999999\r\n\r\n"));
    const auto e = d.read_response();
    REQUIRE(e);
    CHECK(e->status == 413);
    CHECK(d.wait_closed());
  }
}

TEST_CASE("posix_http_server keeps a connection alive across requests", "[http-server]") {
  running_server s;
  raw_client c(s.port);
  for (int i = 0; i < 20; ++i) {
    const std::string target = "/req/" + std::to_string(i);
    if (i % 2 == 0) {
      REQUIRE(c.send_all(get_request(target)));
    } else {
      const std::string body(static_cast<std::size_t>(i) * 10, 'b');
      REQUIRE(c.send_all("POST " + target + " HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\n\r\n" + body));
    }
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == echo_of(i % 2 == 0 ? "GET" : "POST", target,
                             std::string(i % 2 == 0 ? 0 : static_cast<std::size_t>(i) * 10, 'b')));
  }
}

TEST_CASE("posix_http_server answers pipelined requests in order", "[http-server]") {
  running_server s;
  raw_client c(s.port);
  std::string batch;
  for (int i = 0; i < 50; ++i) {
    if (i == 10) batch += "POST /p10 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    else if (i == 20) batch += "GET /big HTTP/1.1\r\nHost: h\r\n\r\n";
    else batch += get_request("/p" + std::to_string(i));
  }
  REQUIRE(c.send_all(batch));
  for (int i = 0; i < 50; ++i) {
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
    if (i == 10) CHECK(r->body == echo_of("POST", "/p10", "abc"));
    else if (i == 20) CHECK(r->body.size() == (8u << 20));
    else CHECK(r->body == echo_of("GET", "/p" + std::to_string(i)));
  }
}

TEST_CASE("posix_http_server answers HEAD without a body", "[http-server]") {
  running_server s;
  raw_client c(s.port);
  REQUIRE(c.send_all("HEAD /thing HTTP/1.1\r\nHost: h\r\n\r\n" + get_request("/after")));
  const auto h = c.read_response(true);
  REQUIRE(h);
  CHECK(h->status == 200);
  CHECK(h->header("content-length") == std::to_string(echo_of("HEAD", "/thing").size()));
  // The next response follows directly: nothing of a body was sent for HEAD.
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->body == echo_of("GET", "/after"));
}

TEST_CASE("posix_http_server writes framing headers itself", "[http-server]") {
  running_server s;
  raw_client c(s.port);
  SECTION("204 has neither body nor Content-Length") {
    REQUIRE(c.send_all(get_request("/empty") + get_request("/next")));
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 204);
    CHECK_FALSE(r->has_header("content-length"));
    const auto n = c.read_response();
    REQUIRE(n);
    CHECK(n->body == echo_of("GET", "/next"));
  }
  SECTION("handler Content-Length and header injection are dropped") {
    REQUIRE(c.send_all(get_request("/inject")));
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->body == "safe");
    CHECK(r->header("content-length") == "4");
    CHECK_FALSE(r->has_header("x-injected"));
    CHECK_FALSE(r->has_header("x-bad"));
  }
}

TEST_CASE("the response head is written exactly whatever the length of its headers", "[http-server]") {
  http_response res;
  res.status = 201;
  res.body = "{\"ok\":true}";
  res.headers = {{"Content-Type", "application/json"},
                 {"Content-Length", "999"},         // framing is the server's
                 {"Connection", "keep-alive"},      // the same
                 {"Transfer-Encoding", "chunked"},  // the same
                 {"X-Bad", "a\r\nX-Injected: 1"},   // no header injection
                 {"Bad Name", "x"},
                 {"X-Empty", ""}};
  std::string out = "before|";
  tfe::detail::http_serialize_response(out, res, false, true, 1);
  CHECK(out ==
        "before|HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Empty: \r\n"
        "Content-Length: 11\r\n\r\n{\"ok\":true}");

  SECTION("a head longer than the stack buffer") {
    const std::string long_value(5000, 'v');
    res.headers = {{"X-Long", long_value}, {"X-After", "1"}};
    out.clear();
    tfe::detail::http_serialize_response(out, res, false, false, 1);
    CHECK(out == "HTTP/1.1 201 Created\r\nX-Long: " + long_value +
                     "\r\nX-After: 1\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"ok\":true}");
  }
  SECTION("HEAD states the length a GET would get; HTTP/1.0 keep-alive says so") {
    res.body.clear();
    res.headers = {{"Content-Length", "2582"}};
    out.clear();
    tfe::detail::http_serialize_response(out, res, true, true, 0);
    CHECK(out == "HTTP/1.1 201 Created\r\nContent-Length: 2582\r\nConnection: keep-alive\r\n\r\n");
  }
  SECTION("204 and an out-of-range status") {
    res.status = 204;
    out.clear();
    tfe::detail::http_serialize_response(out, res, false, true, 1);
    CHECK(out.find("Content-Length") == std::string::npos);
    CHECK(out.find("{\"ok\"") == std::string::npos);
    res.status = 1000;
    out.clear();
    tfe::detail::http_serialize_response(out, res, false, true, 1);
    CHECK(out.compare(0, 35, "HTTP/1.1 500 Internal Server Error\r") == 0);
  }
}

TEST_CASE("posix_http_server honours the connection's persistence", "[http-server]") {
  running_server s;
  SECTION("HTTP/1.0 closes by default") {
    raw_client c(s.port);
    REQUIRE(c.send_all("GET /ten HTTP/1.0\r\n\r\n"));
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("connection") == "close");
    CHECK(c.wait_closed());
  }
  SECTION("HTTP/1.0 with keep-alive stays open") {
    raw_client c(s.port);
    REQUIRE(c.send_all("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->header("connection") == "keep-alive");
    REQUIRE(c.send_all("GET /b HTTP/1.0\r\n\r\n"));
    const auto r2 = c.read_response();
    REQUIRE(r2);
    CHECK(r2->body == echo_of("GET", "/b"));
    CHECK(c.wait_closed());
  }
  SECTION("Connection: close from the client") {
    raw_client c(s.port);
    REQUIRE(c.send_all(get_request("/x", "Connection: close\r\n") + get_request("/ignored")));
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->header("connection") == "close");
    CHECK(c.wait_closed());
    CHECK(c.received().empty());  // the request after close was not answered
  }
  SECTION("Connection: close from the handler") {
    raw_client c(s.port);
    REQUIRE(c.send_all(get_request("/close")));
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->body == "bye");
    CHECK(r->header("connection") == "close");
    CHECK(c.wait_closed());
  }
  SECTION("a client that half-closes after pipelining gets every answer") {
    raw_client c(s.port);
    REQUIRE(c.send_all(get_request("/1") + get_request("/2") + "GET /partial HTTP/1.1\r\nHo"));
    c.shutdown_write();
    const auto r1 = c.read_response();
    const auto r2 = c.read_response();
    REQUIRE(r1);
    REQUIRE(r2);
    CHECK(r1->body == echo_of("GET", "/1"));
    CHECK(r2->body == echo_of("GET", "/2"));
    CHECK(c.wait_closed());
  }
}

TEST_CASE("posix_http_server answers malformed requests with a JSON:API error and closes", "[http-server]") {
  http_server_options o;
  o.max_header_bytes = 1024;
  o.max_request_line = 256;
  o.max_body_bytes = 1000;
  running_server s(o);
  struct bad {
    const char* name;
    std::string wire;
    int status;
    const char* title;
  };
  const std::vector<bad> cases = {
      {"headers too large", "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(2000, 'x') + "\r\n\r\n", 431,
       "request header fields too large"},
      {"body too large", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n" + std::string(1001, 'b'), 413,
       "payload too large"},
      {"chunked body too large",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n" + std::string(1001, 'b') +
           "\r\n0\r\n\r\n",
       413, "payload too large"},
      {"request line too long", "GET /" + std::string(300, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", 414, "URI too long"},
      {"garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n", 400, "bad request"},
      {"smuggling shape",
       "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
       "bad request"},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400, "bad request"},
      {"bad version", "GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505, "HTTP version not supported"},
      {"unsupported coding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
       "not implemented"},
      {"unsupported expectation", "GET / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n", 417, "expectation failed"},
  };
  for (const auto& b : cases) {
    INFO(b.name);
    raw_client c(s.port);
    REQUIRE(c.connected());
    // The first request on the connection is fine; the bad one follows it.
    REQUIRE(c.send_all(get_request("/ok") + b.wire));
    const auto ok = c.read_response();
    REQUIRE(ok);
    CHECK(ok->status == 200);
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == b.status);
    CHECK(r->header("content-type") == "application/vnd.api+json");
    CHECK(r->header("connection") == "close");
    const std::string expected_prefix =
        "{\"errors\":[{\"status\":\"" + std::to_string(b.status) + "\",\"title\":\"" + b.title + "\"";
    CHECK(r->body.rfind(expected_prefix, 0) == 0);
    CHECK(c.wait_closed());
    require_served(s.port);  // and the server still answers others
  }
}

TEST_CASE("posix_http_server turns a handler exception into 500 and keeps the connection", "[http-server]") {
  running_server s;
  raw_client c(s.port);
  REQUIRE(c.send_all(get_request("/throw")));
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 500);
  CHECK(r->header("content-type") == "application/vnd.api+json");
  CHECK(r->body.find("\"status\":\"500\"") != std::string::npos);
  REQUIRE(c.send_all(get_request("/after")));
  const auto r2 = c.read_response();
  REQUIRE(r2);
  CHECK(r2->status == 200);
  CHECK(r2->body == echo_of("GET", "/after"));
}

TEST_CASE("posix_http_server refuses connections over max_connections with 503", "[http-server]") {
  http_server_options o;
  o.max_connections = 4;
  running_server s(o);
  std::vector<std::unique_ptr<raw_client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<raw_client>(s.port));
    REQUIRE(clients.back()->send_all(get_request("/hold")));
    const auto r = clients.back()->read_response();  // answered: the connection is counted
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  CHECK(s.server.open_connections() == 4);
  {
    raw_client fifth(s.port);
    REQUIRE(fifth.connected());
    const auto r = fifth.read_response();
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(r->header("connection") == "close");
    CHECK(r->body.find("service unavailable") != std::string::npos);
    CHECK(fifth.wait_closed());
  }
  // The first four still work.
  for (auto& c : clients) {
    REQUIRE(c->send_all(get_request("/again")));
    const auto r = c->read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  // Free two slots: the server closes them (the slot is free before the client sees EOF).
  for (int i = 0; i < 2; ++i) {
    REQUIRE(clients[static_cast<std::size_t>(i)]->send_all(get_request("/bye", "Connection: close\r\n")));
    REQUIRE(clients[static_cast<std::size_t>(i)]->read_response());
    CHECK(clients[static_cast<std::size_t>(i)]->wait_closed());
  }
  raw_client sixth(s.port);
  raw_client seventh(s.port);
  REQUIRE(sixth.send_all(get_request("/6")));
  REQUIRE(seventh.send_all(get_request("/7")));
  const auto r6 = sixth.read_response();
  const auto r7 = seventh.read_response();
  REQUIRE(r6);
  REQUIRE(r7);
  CHECK(r6->status == 200);
  CHECK(r7->status == 200);
}

TEST_CASE("posix_http_server closes idle connections after idle_timeout", "[http-server]") {
  http_server_options o;
  o.idle_timeout = std::chrono::milliseconds(200);
  running_server s(o);
  SECTION("a connection that never sends") {
    raw_client c(s.port);
    REQUIRE(c.connected());
    CHECK(c.wait_closed());  // blocks until the server gives up on it
    CHECK(c.received().empty());
  }
  SECTION("a keep-alive connection after its last response") {
    raw_client c(s.port);
    REQUIRE(c.send_all(get_request("/one")));
    REQUIRE(c.read_response());
    CHECK(c.wait_closed());
  }
  SECTION("a half-sent request") {
    raw_client c(s.port);
    REQUIRE(c.send_all("GET / HTTP/1.1\r\nHost: h\r\n"));
    CHECK(c.wait_closed());
  }
}

TEST_CASE("posix_http_server cuts off a client that trickles its headers", "[http-server]") {
  // Slowloris: one byte about every 20 ms would keep a per-byte timer alive forever; the
  // deadline runs from the request's first byte, so the server closes the connection while
  // the headers are still incomplete. poll() paces the sender and also sees the close.
  http_server_options o;
  o.idle_timeout = std::chrono::milliseconds(200);
  o.workers = 1;
  running_server s(o);
  raw_client c(s.port);
  REQUIRE(c.send_all("GET / HTTP/1.1\r\nHost: h\r\nX-Slow: "));
  bool closed = false;
  for (int i = 0; i < 1500 && !closed; ++i) {  // 1500 bytes: far beyond the cut-off
    pollfd p{c.fd(), POLLIN, 0};
    if (::poll(&p, 1, 20) > 0) {
      closed = c.wait_closed();
      break;
    }
    if (!c.send_all("a")) closed = true;
  }
  CHECK(closed);
  require_served(s.port);
}

TEST_CASE("posix_http_server: a slow client does not hold up another", "[http-server]") {
  http_server_options o;
  o.workers = 1;  // both clients on the same event loop
  running_server s(o);
  raw_client slow(s.port);
  REQUIRE(slow.send_all("POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc"));
  raw_client fast(s.port);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(fast.send_all(get_request("/fast")));
    const auto r = fast.read_response();
    REQUIRE(r);
    CHECK(r->body == echo_of("GET", "/fast"));
  }
  REQUIRE(slow.send_all("defghij"));
  const auto r = slow.read_response();
  REQUIRE(r);
  CHECK(r->body == echo_of("POST", "/slow", "abcdefghij"));

  SECTION("nor does a client that does not read its large response") {
    raw_client lazy(s.port);
    REQUIRE(lazy.send_all(get_request("/big") + get_request("/big") + get_request("/big")));
    for (int i = 0; i < 5; ++i) require_served(s.port);
    for (int i = 0; i < 3; ++i) {
      const auto b = lazy.read_response();
      REQUIRE(b);
      CHECK(b->body.size() == (8u << 20));
    }
  }
}

TEST_CASE("posix_http_server sends an 8 MiB response through partial writes", "[http-server]") {
  running_server s;
  const std::string expected = pattern(8u << 20);
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      raw_client c(s.port);
      if (!c.send_all(get_request("/big"))) return;
      const auto r = c.read_response();
      if (r && r->status == 200 && r->body == expected) ++good;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(good == 3);
}

TEST_CASE("posix_http_server serves many clients concurrently", "[http-server]") {
  std::atomic<int> calls{0};
  running_server s({}, [&](http_request& req) {
    ++calls;
    return test_handler(req);
  });
  constexpr int clients = 8, per_client = 50;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      raw_client c(s.port);
      for (int i = 0; i < per_client; ++i) {
        const std::string target = "/c" + std::to_string(t) + "/" + std::to_string(i);
        if (!c.send_all(get_request(target))) return;
        const auto r = c.read_response();
        if (r && r->body == echo_of("GET", target)) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(good == clients * per_client);
  CHECK(calls == clients * per_client);
}

TEST_CASE("posix_http_server stops gracefully with an in-flight request", "[http-server]") {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> first{true};
  running_server s({}, [&](http_request& req) {
    if (req.path() == "/block" && first.exchange(false)) {
      entered.set_value();
      released.wait();
    }
    return test_handler(req);
  });
  raw_client idle(s.port);  // a keep-alive connection with nothing in flight
  REQUIRE(idle.send_all(get_request("/warm")));
  REQUIRE(idle.read_response());

  raw_client busy(s.port);
  REQUIRE(busy.send_all(get_request("/block")));
  entered.get_future().wait();  // the handler is running
  std::thread stopper([&] { s.server.stop(); });
  release.set_value();
  const auto r = busy.read_response();
  REQUIRE(r);  // the in-flight request is finished
  CHECK(r->status == 200);
  CHECK(r->body == echo_of("GET", "/block"));
  CHECK(busy.wait_closed());
  CHECK(idle.wait_closed());
  stopper.join();
  CHECK(s.server.open_connections() == 0);
  raw_client late(s.port);
  CHECK_FALSE(late.connected());
  CHECK(late.connect_errno() == ECONNREFUSED);
  s.server.stop();  // idempotent
}

TEST_CASE("posix_http_server finishes a half-received request when stopped", "[http-server]") {
  running_server s;
  raw_client c(s.port);
  // One write: once /first is answered, the server has also read the first half of /half.
  REQUIRE(c.send_all(get_request("/first") + "POST /half HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc"));
  REQUIRE(c.read_response());
  raw_client probe(s.port);
  REQUIRE(probe.send_all(get_request("/probe")));
  REQUIRE(probe.read_response());
  std::thread stopper([&] { s.server.stop(); });
  CHECK(probe.wait_closed());  // idle: closed by the stop, which has begun everywhere by now
  REQUIRE(c.send_all("def"));
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->body == echo_of("POST", "/half", "abcdef"));
  CHECK(r->header("connection") == "close");
  CHECK(c.wait_closed());
  stopper.join();
}

TEST_CASE("posix_http_server::start reports a port already in use", "[http-server]") {
  running_server s;
  http_server_options o;
  o.port = s.port;
  posix_http_server second(test_handler, o);
  const auto r = second.start();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == tfe::errc::unavailable);
  CHECK(r.error().message.find("in use") != std::string::npos);
  CHECK(second.port() == 0);
  second.stop();  // harmless after a failed start
  require_served(s.port);
}

TEST_CASE("posix_http_server lifecycle edge cases", "[http-server]") {
  SECTION("stop before start and twice") {
    posix_http_server srv(test_handler);
    srv.stop();
    srv.stop();
    CHECK(srv.port() == 0);
  }
  SECTION("start twice is an error") {
    posix_http_server srv(test_handler);
    REQUIRE(srv.start());
    const auto again = srv.start();
    REQUIRE_FALSE(again);
    CHECK(again.error().code == tfe::errc::unavailable);
  }
  SECTION("a bad host is an error") {
    http_server_options o;
    o.host = "192.0.2.1";  // TEST-NET-1: numeric, never a local address
    posix_http_server srv(test_handler, o);
    const auto r = srv.start();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == tfe::errc::unavailable);
  }
  SECTION("the destructor stops a running server") {
    std::uint16_t port = 0;
    {
      posix_http_server srv(test_handler);
      port = srv.start().value();
      require_served(port);
    }
    raw_client c(port);
    CHECK_FALSE(c.connected());
  }
  SECTION("stop() from inside a handler") {
    std::unique_ptr<posix_http_server> srv;
    srv = std::make_unique<posix_http_server>([&srv](http_request& req) {
      if (req.path() == "/shutdown") srv->stop();
      return test_handler(req);
    });
    const auto port = srv->start().value();
    raw_client c(port);
    REQUIRE(c.send_all(get_request("/shutdown")));
    const auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->header("connection") == "close");
    CHECK(c.wait_closed());
    srv.reset();  // joins
  }
}

TEST_CASE("posix_http_server calls the access log", "[http-server]") {
  std::mutex m;
  std::vector<std::string> lines;
  posix_http_server srv(test_handler);
  srv.set_access_log([&](const http_request& req, const http_response& res, std::chrono::microseconds) {
    std::lock_guard<std::mutex> lock(m);
    lines.push_back(req.method + " " + req.target + " " + std::to_string(res.status));
  });
  const auto port = srv.start().value();
  raw_client c(port);
  REQUIRE(c.send_all(get_request("/logged") + "BROKEN\r\n\r\n"));
  REQUIRE(c.read_response());
  REQUIRE(c.read_response());
  CHECK(c.wait_closed());
  srv.stop();
  std::lock_guard<std::mutex> lock(m);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "GET /logged 200");
  CHECK(lines[1].size() >= 3);
  CHECK(lines[1].compare(lines[1].size() - 3, 3, "400") == 0);
}

namespace {
// A handler that asks the transport for the faults tfe::fault_rule can inject.
tfe::faulted_response fault_handler(http_request& req) {
  tfe::faulted_response res;
  res.body = "answer to " + req.target;
  if (req.path() == "/slow") res.delay = std::chrono::milliseconds(2000);
  if (req.path() == "/drop") res.fault = tfe::transport_fault::drop_connection;
  if (req.path() == "/truncate") {
    res.body = std::string(1000, 'x');
    res.fault = tfe::transport_fault::truncate_body;
  }
  return res;
}
}  // namespace

TEST_CASE("injected latency holds one answer without holding up the worker", "[http-server][faults]") {
  http_server_options o;
  o.workers = 1;  // one event loop: a blocking delay would stall the other client
  running_server s(o, fault_handler);
  raw_client slow(s.port);
  REQUIRE(slow.send_all(get_request("/slow") + get_request("/after")));  // pipelined behind the slow one
  raw_client other(s.port);
  REQUIRE(other.send_all(get_request("/quick")));
  auto quick = other.read_response();
  REQUIRE(quick);
  CHECK(quick->body == "answer to /quick");
  CHECK_FALSE(slow.has_data());  // answered the quick client while the slow answer is still held
  auto first = slow.read_response();
  REQUIRE(first);
  CHECK(first->body == "answer to /slow");
  auto second = slow.read_response();
  REQUIRE(second);
  CHECK(second->body == "answer to /after");  // order kept
}

TEST_CASE("injected transport faults: dropped connection, truncated body", "[http-server][faults]") {
  running_server s({}, fault_handler);
  {
    raw_client c(s.port);
    REQUIRE(c.send_all(get_request("/drop")));
    CHECK(c.wait_closed());
    CHECK(c.received().empty());
  }
  {
    raw_client c(s.port);
    REQUIRE(c.send_all(get_request("/truncate")));
    CHECK(c.wait_closed());
    const std::string& got = c.received();
    CHECK(got.compare(0, 12, "HTTP/1.1 200") == 0);
    CHECK(got.find("Content-Length: 1000\r\n") != std::string::npos);
    const auto head_end = got.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    CHECK(got.size() - head_end - 4 == 500);
  }
  raw_client c(s.port);  // the server goes on
  REQUIRE(c.send_all(get_request("/ok")));
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
}
