// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Tests of posix_http_server's event streams (tfe::http_event_stream) over real loopback sockets.
// Nothing sleeps to wait: clients block in recv (with raw_client's safety timeout) and the other
// conditions are polled against a deadline.
#include <tfe/transport/posix_http_server.hpp>

#include "support/catch.hpp"
#include "transport/raw_client.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using tfe::http_event_stream;
using tfe::http_request;
using tfe::http_response;
using tfe::http_server_options;
using tfe::http_server_response;
using tfe::posix_http_server;
using tfe_test::get_request;
using tfe_test::raw_client;

// Polls `cond` until it holds or 20 s pass (a safety net: no test relies on the time).
bool eventually(const std::function<bool()>& cond) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // poll interval, not a wait for an event
  }
  return true;
}

// The streams the handler opened, in order; the test pushes to them.
struct stream_registry {
  std::mutex mutex;
  std::vector<std::shared_ptr<http_event_stream>> streams;

  void add(std::shared_ptr<http_event_stream> s) {
    std::lock_guard<std::mutex> lock(mutex);
    streams.push_back(std::move(s));
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mutex);
    return streams.size();
  }
  std::shared_ptr<http_event_stream> at(std::size_t i) {
    std::lock_guard<std::mutex> lock(mutex);
    return streams.at(i);
  }
};

// /events opens a stream (a first "hello" event is pushed before the handler returns); /closed opens
// one that is closed before the handler returns; anything else is a plain answer.
struct stream_server {
  explicit stream_server(http_server_options options = {})
      : server(
            [this](http_request& req) -> http_server_response {
              if (req.path() == "/events" || req.path() == "/closed") {
                auto s = std::make_shared<http_event_stream>();
                s->send("hello", "first");
                if (req.path() == "/closed") s->close();
                else registry.add(s);
                return http_server_response::event_stream(s);
              }
              http_response r;
              r.body = "plain " + req.target;
              return r;
            },
            std::move(options)) {
    auto p = server.start();
    REQUIRE(p.has_value());
    port = *p;
  }
  stream_registry registry;
  posix_http_server server;
  std::uint16_t port = 0;
};

// Reads a stream off a raw_client's socket: the head, then the body as it arrives.
struct stream_reader {
  explicit stream_reader(raw_client& c) : fd(c.fd()) {}
  int fd;
  std::string buf;
  std::size_t pos = 0;  // what read_until consumed

  // Reads until `needle` appears after what earlier calls consumed; false on EOF, error or the safety timeout.
  bool read_until(std::string_view needle) {
    for (;;) {
      const std::size_t at = buf.find(needle, pos);
      if (at != std::string::npos) {
        pos = at + needle.size();
        return true;
      }
      if (!fill()) return false;
    }
  }
  // Reads until the server closes; true on EOF or reset.
  bool read_to_end() {
    for (;;) {
      char tmp[65536];
      const ssize_t r = ::recv(fd, tmp, sizeof tmp, 0);
      if (r > 0) {
        buf.append(tmp, static_cast<std::size_t>(r));
        continue;
      }
      if (r == 0) return true;
      if (errno == EINTR) continue;
      return errno == ECONNRESET;
    }
  }
  std::string head() const { return buf.substr(0, buf.find("\r\n\r\n") + 4); }
  std::string body() const {
    const std::size_t end = buf.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : buf.substr(end + 4);
  }

 private:
  bool fill() {
    char tmp[65536];
    for (;;) {
      const ssize_t r = ::recv(fd, tmp, sizeof tmp, 0);
      if (r > 0) {
        buf.append(tmp, static_cast<std::size_t>(r));
        return true;
      }
      if (r < 0 && errno == EINTR) continue;
      return false;
    }
  }
};

}  // namespace

TEST_CASE("an event stream answers a head without Content-Length, then the pushed events", "[http-server][sse]") {
  stream_server s;
  raw_client c(s.port);
  REQUIRE(c.connected());
  REQUIRE(c.send_all(get_request("/events")));
  stream_reader in(c);
  REQUIRE(in.read_until("data: first\n\n"));
  const std::string head = in.head();
  CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(head.find("Content-Type: text/event-stream\r\n") != std::string::npos);
  CHECK(head.find("Cache-Control: no-store\r\n") != std::string::npos);
  CHECK(head.find("Connection: close\r\n") != std::string::npos);
  CHECK(head.find("Content-Length") == std::string::npos);
  CHECK(in.body() == "event: hello\ndata: first\n\n");
  REQUIRE(eventually([&] { return s.server.open_streams() == 1; }));

  auto stream = s.registry.at(0);
  CHECK(stream->is_open());
  CHECK(stream->send("run", "{\"id\":1}"));
  CHECK(stream->send("", "two\nlines\r\nthree\rfour"));
  CHECK(stream->send("bad\r\nname", "x"));
  CHECK(stream->comment("note\nthis"));
  CHECK(stream->write("retry: 1000\n\n"));
  REQUIRE(in.read_until("retry: 1000\n\n"));
  CHECK(in.body() ==
        "event: hello\ndata: first\n\n"
        "event: run\ndata: {\"id\":1}\n\n"
        "data: two\ndata: lines\ndata: three\ndata: four\n\n"
        "event: badname\ndata: x\n\n"
        ": notethis\n\n"
        "retry: 1000\n\n");

  SECTION("close() writes what is queued, then ends the connection") {
    CHECK(stream->send("last", "bye"));
    stream->close();
    CHECK_FALSE(stream->is_open());
    CHECK_FALSE(stream->send("late", "refused"));
    REQUIRE(in.read_to_end());
    const std::string tail = "event: last\ndata: bye\n\n";
    REQUIRE(in.body().size() > tail.size());
    CHECK(in.body().compare(in.body().size() - tail.size(), tail.size(), tail) == 0);
    CHECK(in.body().find("refused") == std::string::npos);
    CHECK(eventually([&] { return s.server.open_streams() == 0 && s.server.open_connections() == 0; }));
  }
  SECTION("the client leaving closes the stream") {
    c.close();
    CHECK(eventually([&] { return !stream->is_open(); }));
    CHECK_FALSE(stream->send("run", "nobody listens"));
    CHECK(eventually([&] { return s.server.open_streams() == 0 && s.server.open_connections() == 0; }));
  }
  SECTION("the server still serves other connections meanwhile") {
    raw_client other(s.port);
    REQUIRE(other.send_all(get_request("/plain")));
    const auto r = other.read_response();
    REQUIRE(r);
    CHECK(r->body == "plain /plain");
    CHECK(stream->send("after", "other"));
    CHECK(in.read_until("data: other\n\n"));
  }
}

TEST_CASE("an event stream closed before the handler returns is written whole, then closed", "[http-server][sse]") {
  stream_server s;
  raw_client c(s.port);
  REQUIRE(c.send_all(get_request("/closed")));
  stream_reader in(c);
  REQUIRE(in.read_to_end());
  CHECK(in.head().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(in.body() == "event: hello\ndata: first\n\n");
  CHECK(eventually([&] { return s.server.open_streams() == 0; }));
}

TEST_CASE("an event stream is not opened for HEAD, and requests after it are ignored", "[http-server][sse]") {
  stream_server s;
  SECTION("HEAD gets the head and the connection closes") {
    raw_client c(s.port);
    REQUIRE(c.send_all("HEAD /events HTTP/1.1\r\nHost: h\r\n\r\n"));
    const auto r = c.read_response(true);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("content-type") == "text/event-stream");
    CHECK(c.wait_closed());
    CHECK(c.received().empty());
    REQUIRE(s.registry.size() == 1);
    CHECK_FALSE(s.registry.at(0)->is_open());
  }
  SECTION("a request pipelined behind the stream's is never answered") {
    raw_client c(s.port);
    REQUIRE(c.send_all(get_request("/events") + get_request("/plain")));
    stream_reader in(c);
    REQUIRE(in.read_until("data: first\n\n"));
    REQUIRE(eventually([&] { return s.registry.size() == 1; }));
    auto stream = s.registry.at(0);
    stream->send("x", "y");
    stream->close();
    REQUIRE(in.read_to_end());
    CHECK(in.body() == "event: hello\ndata: first\n\nevent: x\ndata: y\n\n");
  }
}

TEST_CASE("an idle event stream gets keep-alive comments", "[http-server][sse]") {
  http_server_options o;
  o.stream_keepalive = std::chrono::milliseconds(20);
  stream_server s(o);
  raw_client c(s.port);
  REQUIRE(c.send_all(get_request("/events")));
  stream_reader in(c);
  REQUIRE(in.read_until("data: first\n\n"));
  REQUIRE(in.read_until(":\n\n"));  // nothing was pushed: only the server writes this
  REQUIRE(in.read_until(":\n\n"));
  CHECK(s.registry.at(0)->is_open());
}

TEST_CASE("an event stream whose client does not read is cut off", "[http-server][sse]") {
  http_server_options o;
  bool stall = false;
  SECTION("more than max_stream_buffer waiting") { o.max_stream_buffer = 64 * 1024; }
  SECTION("no progress for idle_timeout") {
    stall = true;
    o.max_stream_buffer = 64u << 20;
    o.idle_timeout = std::chrono::milliseconds(200);
  }
  stream_server s(o);
  raw_client c(s.port);
  REQUIRE(c.send_all(get_request("/events")));
  REQUIRE(eventually([&] { return s.registry.size() == 1; }));
  auto stream = s.registry.at(0);
  // The client reads nothing.
  const std::string chunk(16 * 1024, 'x');
  if (stall) {
    // 16 MiB: more than the socket buffers hold, less than the limit; the write stall ends it.
    for (int i = 0; i < 1024; ++i) stream->send("fill", chunk);
  } else {
    // Push until the server gives up on the client (bounded: 64 MiB at most).
    std::size_t pushed = 0;
    while (stream->send("fill", chunk) && pushed < (64u << 20)) pushed += chunk.size();
    CHECK(pushed < (64u << 20));
  }
  CHECK(eventually([&] { return !stream->is_open(); }));
  CHECK_FALSE(stream->send("late", "x"));
  CHECK(eventually([&] { return s.server.open_streams() == 0 && s.server.open_connections() == 0; }));
  stream_reader in(c);
  CHECK(in.read_to_end());  // cut off: the stream never ends by itself
}

TEST_CASE("stop() closes open event streams without waiting for their clients", "[http-server][sse]") {
  http_server_options o;
  o.max_stream_buffer = 64u << 20;
  auto s = std::make_unique<stream_server>(o);
  raw_client reading(s->port), stalled(s->port);
  REQUIRE(reading.send_all(get_request("/events")));
  stream_reader in(reading);
  REQUIRE(in.read_until("data: first\n\n"));
  REQUIRE(stalled.send_all(get_request("/events")));
  REQUIRE(eventually([&] { return s->registry.size() == 2; }));
  auto a = s->registry.at(0), b = s->registry.at(1);
  const std::string chunk(64 * 1024, 'y');
  for (int i = 0; i < 128; ++i) b->send("fill", chunk);  // 8 MiB: more than the socket buffers take
  s->server.stop();
  CHECK_FALSE(a->is_open());
  CHECK_FALSE(b->is_open());
  CHECK_FALSE(a->send("late", "x"));
  CHECK(s->server.open_connections() == 0);
  CHECK(s->server.open_streams() == 0);
  CHECK(in.read_to_end());
  CHECK(stalled.wait_closed());
  s.reset();  // the streams outlive the server safely
  CHECK_FALSE(b->send("later", "x"));
  b->close();
}

TEST_CASE("event streams take pushes from many threads", "[http-server][sse]") {
  http_server_options o;
  o.workers = 2;
  stream_server s(o);
  constexpr int clients = 4, producers = 3, events = 300;
  std::vector<std::unique_ptr<raw_client>> conns;
  for (int i = 0; i < clients; ++i) {
    conns.push_back(std::make_unique<raw_client>(s.port));
    REQUIRE(conns.back()->send_all(get_request("/events")));
  }
  REQUIRE(eventually([&] { return s.registry.size() == clients; }));
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&s, p] {
      for (int e = 0; e < events; ++e)
        for (int i = 0; i < clients; ++i)
          s.registry.at(static_cast<std::size_t>(i))->send("p" + std::to_string(p), std::to_string(e));
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < clients; ++i) s.registry.at(static_cast<std::size_t>(i))->close();
  for (auto& c : conns) {
    stream_reader in(*c);
    REQUIRE(in.read_to_end());
    const std::string body = in.body();
    // Every producer's events arrive, each producer's in the order it pushed them.
    for (int p = 0; p < producers; ++p) {
      const std::string tag = "event: p" + std::to_string(p) + "\ndata: ";
      int expect = 0;
      for (std::size_t at = body.find(tag); at != std::string::npos; at = body.find(tag, at + 1)) {
        const std::size_t v = at + tag.size();
        CHECK(std::stoi(body.substr(v, body.find('\n', v) - v)) == expect);
        ++expect;
      }
      CHECK(expect == events);
    }
  }
  CHECK(eventually([&] { return s.server.open_streams() == 0; }));
}
