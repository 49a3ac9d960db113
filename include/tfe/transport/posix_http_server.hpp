// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// posix_http_server: an optional HTTP/1.1 server on non-blocking sockets and epoll (Linux only), with
// server-sent event streams (http_event_stream).
#ifndef TFE_TRANSPORT_POSIX_HTTP_SERVER_HPP
#define TFE_TRANSPORT_POSIX_HTTP_SERVER_HPP

#include <tfe/api/error_document.hpp>
#include <tfe/api/http_message.hpp>
#include <tfe/config.hpp>
#include <tfe/result.hpp>
#include <tfe/testing/faulted_response.hpp>
#include <tfe/transport/http_parser.hpp>

#if !defined(__linux__)
#error "tfe/transport/posix_http_server.hpp needs Linux (epoll, eventfd, accept4)"
#endif

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace tfe {

/// Limits and settings of posix_http_server (docs/http-server.md lists the status each limit answers).
struct http_server_options {
  std::string host = "127.0.0.1";            ///< numeric address or name to bind
  std::uint16_t port = 0;                    ///< 0 = pick a free port (see posix_http_server::port())
  std::size_t max_request_line = 8 * 1024;   ///< request line with CRLF: over it -> 414
  std::size_t max_header_bytes = 32 * 1024;  ///< header section: over it -> 431
  std::size_t max_header_count = 128;        ///< header field lines: over it -> 431
  std::size_t max_body_bytes = 64u << 20;    ///< decoded body: over it -> 413
  std::size_t max_connections = 1024;        ///< open connections; over it: 503 and close
  std::chrono::milliseconds idle_timeout{
      30000};  ///< keep-alive idle, header (from its first byte), body and write stall cut-off
  std::chrono::milliseconds linger_timeout{1000};     ///< after a closing response: how long unread input is drained
  unsigned workers = 2;                               ///< event-loop threads (0 is read as 1)
  int backlog = 1024;                                 ///< listen(2) backlog
  std::size_t max_stream_buffer = 1u << 20;           ///< event stream bytes waiting for a client: over it, cut off
  std::chrono::milliseconds stream_keepalive{15000};  ///< an event stream quiet this long gets a comment (0: never)
};

class posix_http_server;

/// An open server-sent event stream (text/event-stream) on one connection of a posix_http_server.
/// A handler creates it with std::make_shared, keeps a copy and answers
/// http_server_response::event_stream(it); any thread may then push events, which the connection's
/// worker writes without blocking the pusher. Thread-safe. See docs/dashboard.md#event-streams-in-posix_http_server.
class http_event_stream {
 public:
  /// A stream that buffers at most `max_buffer` bytes before the server adopts it (the server's
  /// http_server_options::max_stream_buffer applies from then on).
  explicit http_event_stream(std::size_t max_buffer = 1u << 20) : max_buffer_(max_buffer) {}
  http_event_stream(const http_event_stream&) = delete;
  http_event_stream& operator=(const http_event_stream&) = delete;

  /// Queues one event: an `event:` line (when `event` is not empty; CR and LF are dropped from it), one
  /// `data:` line per line of `data`, then a blank line. False when the stream is closed.
  inline bool send(std::string_view event, std::string_view data);
  /// Queues a comment line (": text"), which clients ignore. False when the stream is closed.
  inline bool comment(std::string_view text);
  /// Queues raw text/event-stream bytes as they are. False when the stream is closed.
  inline bool write(std::string_view bytes);
  /// Ends the stream: what is queued is still written, then the server closes the connection.
  inline void close();
  /// False once the stream is closed: by close(), by the client leaving, by a server stop, by a write
  /// stall of idle_timeout, or because more than the buffer limit waited for the client.
  inline bool is_open() const noexcept;

 private:
  friend class posix_http_server;
  inline bool enqueue(std::string bytes);
  inline void notify();  // with mutex_ held: tell the owning worker there is something to write

  mutable std::mutex mutex_;
  std::string buffer_;                     // pushed, not yet taken by the worker
  std::size_t max_buffer_;                 // limit of buffer_ (and of what waits on the connection)
  bool closed_ = false;                    // pushes are refused
  bool closing_ = false;                   // close() was called: write what is queued, then close
  bool overrun_ = false;                   // the limit was passed: the connection is cut off
  bool queued_ = false;                    // in the owning worker's ready list
  void* owner_ = nullptr;                  // the posix_http_server::worker serving it, or null
  void* connection_ = nullptr;             // its posix_http_server::connection, or null
  std::weak_ptr<http_event_stream> self_;  // set when adopted: what the worker's ready list holds
};

namespace detail {

/// The server whose worker thread is running the caller (nullptr on other threads).
inline const void*& http_current_server() noexcept {
  thread_local const void* server = nullptr;
  return server;
}

/// The JSON:API error title the server uses for a transport-level status.
inline std::string_view http_error_title(int status) noexcept {
  switch (status) {
    case 400:
      return "bad request";
    case 408:
      return "request timeout";
    case 413:
      return "payload too large";
    case 414:
      return "URI too long";
    case 417:
      return "expectation failed";
    case 431:
      return "request header fields too large";
    case 500:
      return "internal server error";
    case 501:
      return "not implemented";
    case 503:
      return "service unavailable";
    case 505:
      return "HTTP version not supported";
    default:
      return "error";
  }
}

/// A JSON:API error document response for a transport-level failure.
inline http_response http_error_response(int status, std::string_view detail_text) {
  return error_response(status, http_error_title(status), detail_text);
}

/// True when `s` is a valid header field value to send (no CR, LF, NUL or other CTL but HTAB).
inline bool http_is_safe_value(std::string_view s) noexcept {
  for (char c : s)
    if (!http_is(c, http_field_char)) return false;
  return true;
}

/// True when `s` is a non-empty token (a valid header field name).
inline bool http_is_token(std::string_view s) noexcept { return !s.empty() && http_span(s, http_tchar) == s.size(); }

/// Copies `s` to `p` and moves `p` past it.
inline void http_put(char*& p, std::string_view s) noexcept {
  if (s.empty()) return;  // memcpy from a null pointer is undefined even for 0 bytes
  std::memcpy(p, s.data(), s.size());
  p += s.size();
}

/// Room a head of `res` needs at most: the status line (9 + 3 + 1 + 40 + 2), each header as given (a
/// Content-Length's value may be written in ours), our Content-Length (16 + 20 + 2) and Connection (24)
/// lines and the blank line.
inline std::size_t http_head_bound(const http_response& res) noexcept {
  std::size_t n = 64 + 40 + 32;
  for (const auto& h : res.headers) n += h.first.size() + h.second.size() + 4;
  return n;
}

/// Writes the status line and the handler's headers at `p` (room: http_head_bound) and returns the end.
/// Framing headers are the server's (a Content-Length's value goes to `given_length`); a header that is
/// not a token with a safe value is dropped (no header injection).
inline char* http_write_status_and_headers(char* p, const http_response& res, int status,
                                           std::string_view& given_length) {
  http_put(p, "HTTP/1.1 ");
  p = std::to_chars(p, p + 3, status).ptr;
  *p++ = ' ';
  http_put(p, reason_phrase(status).substr(0, 40));
  http_put(p, "\r\n");
  for (const auto& h : res.headers) {
    const std::string_view name = h.first;
    if (iequals(name, "content-length")) {
      given_length = h.second;
      continue;
    }
    if (iequals(name, "connection") || iequals(name, "transfer-encoding")) continue;
    if (!http_is_token(name) || !http_is_safe_value(h.second)) continue;
    http_put(p, name);
    http_put(p, ": ");
    http_put(p, h.second);
    http_put(p, "\r\n");
  }
  return p;
}

/// Appends to `out` the head `write(p)` writes (into a stack buffer, or the heap when http_head_bound is
/// unusually large), reserving room for `body_size` more bytes.
template <class Write>
void http_append_head(std::string& out, const http_response& res, std::size_t body_size, Write&& write) {
  const std::size_t bound = http_head_bound(res);
  char small[1024];
  std::string large;
  char* head = small;
  if (bound > sizeof small) {
    large.resize(bound);
    head = &large[0];
  }
  const char* end = write(head);
  const auto head_size = static_cast<std::size_t>(end - head);
  out.reserve(out.size() + head_size + body_size);
  out.append(head, head_size);
}

/// Appends the head of an event stream answer to `out`: status line, the handler's headers (not the
/// framing ones), `Connection: close` (the stream ends with the connection), then the body, if any.
inline void http_serialize_stream_head(std::string& out, const http_response& res) {
  int status = res.status;
  if (status < 200 || status > 999) status = 500;
  http_append_head(out, res, res.body.size(), [&](char* p) {
    std::string_view ignored;
    p = http_write_status_and_headers(p, res, status, ignored);
    http_put(p, "Connection: close\r\n\r\n");
    return p;
  });
  out += res.body;
}

/// Appends the wire form of `res` to `out`: status line, headers, Content-Length, Connection, body.
/// The head is written in one pass and appended in one go, then the body.
inline void http_serialize_response(std::string& out, const http_response& res, bool head_request, bool keep_alive,
                                    int request_minor) {
  int status = res.status;
  if (status < 200 || status > 999) status = 500;
  const bool no_body = head_request || status == 204 || status == 304;
  http_append_head(out, res, no_body ? 0 : res.body.size(), [&](char* p) {
    std::string_view head_length;
    p = http_write_status_and_headers(p, res, status, head_length);
    if (status != 204 && status != 304) {
      http_put(p, "Content-Length: ");
      // A HEAD answer may state the length of the body a GET would get.
      const bool use_given = head_request && res.body.empty() && !head_length.empty() &&
                             head_length.find_first_not_of("0123456789") == std::string_view::npos;
      if (use_given) http_put(p, head_length);
      else p = std::to_chars(p, p + 20, static_cast<std::uint64_t>(res.body.size())).ptr;
      http_put(p, "\r\n");
    }
    if (!keep_alive) http_put(p, "Connection: close\r\n");
    else if (request_minor == 0) http_put(p, "Connection: keep-alive\r\n");
    http_put(p, "\r\n");
    return p;
  });
  if (!no_body) out += res.body;
}

}  // namespace detail

/// What a posix_http_server handler answers: a faulted_response (an http_response with the delay or
/// transport fault to carry out), or, with `stream` set, the head of an event stream that stays open.
struct http_server_response : faulted_response {
  /// When set: the head is written without Content-Length and with `Connection: close`, then the
  /// body, then whatever the stream is given until it closes. `delay` and `fault` are ignored; a HEAD
  /// request or a stopping server gets the head alone and the stream is closed.
  std::shared_ptr<http_event_stream> stream;

  http_server_response() = default;
  /// A response that is not a stream.
  http_server_response(faulted_response r) : faulted_response(std::move(r)) {}  // NOLINT: implicit by design
  /// A response without faults that is not a stream.
  http_server_response(http_response r) : faulted_response(std::move(r)) {}  // NOLINT: implicit by design

  /// The answer that opens `s`: 200, `Content-Type: text/event-stream`, `Cache-Control: no-store`.
  static http_server_response event_stream(std::shared_ptr<http_event_stream> s) {
    http_server_response r;
    r.status = 200;
    r.headers = {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-store"}};
    r.stream = std::move(s);
    return r;
  }
};

/// A small HTTP/1.1 server over POSIX sockets that hands each request to a handler.
/// Each worker thread owns an epoll loop and its connections; see docs/http-server.md.
class posix_http_server {
 public:
  /// The request handler: called on a worker thread, once per complete request. It answers an
  /// http_response, a faulted_response whose delay or transport fault the server carries out, or an
  /// http_server_response that may open an event stream.
  using handler_type = std::function<http_server_response(http_request&)>;
  /// The access log hook: request, response and the time spent in the handler.
  using access_log_type = std::function<void(const http_request&, const http_response&, std::chrono::microseconds)>;

  /// A server that will call `handler` (answering http_response, faulted_response or
  /// http_server_response) for each request; nothing happens before start().
  template <class Handler>
  explicit posix_http_server(Handler handler, http_server_options options = {})
      : handler_(wrap(std::move(handler))), options_(std::move(options)) {}
  posix_http_server(const posix_http_server&) = delete;
  posix_http_server& operator=(const posix_http_server&) = delete;
  /// Stops (as stop()) and releases everything.
  ~posix_http_server() { stop(); }

  /// Binds, listens and starts the workers; returns the bound port or errc::unavailable.
  inline result<std::uint16_t> start();
  /// Graceful stop: stop accepting, finish in-flight requests, close, join. Idempotent.
  /// From a handler (a worker thread) it only begins the stop; the destructor then joins.
  inline void stop();
  /// The bound port (0 before start()).
  std::uint16_t port() const noexcept { return port_.load(std::memory_order_acquire); }
  /// Open (counted) connections right now; for tests and monitoring.
  std::size_t open_connections() const noexcept { return open_.load(std::memory_order_acquire); }
  /// Event streams open right now; for tests and monitoring.
  std::size_t open_streams() const noexcept { return streams_.load(std::memory_order_acquire); }
  /// Sets a hook called after each response; call before start().
  void set_access_log(access_log_type log) { access_log_ = std::move(log); }

 private:
  friend class http_event_stream;
  using clock = std::chrono::steady_clock;
  struct worker;

  struct connection {
    connection(int socket_fd, std::string peer, const http_parser_limits& limits)
        : fd(socket_fd), remote(std::move(peer)), parser(limits) {}
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection() {
      if (stream) {  // pushes from now on are refused
        std::lock_guard<std::mutex> lock(stream->mutex_);
        stream->closed_ = true;
        stream->owner_ = nullptr;
        stream->connection_ = nullptr;
        std::string().swap(stream->buffer_);
      }
      if (fd >= 0) ::close(fd);
    }
    std::size_t pending() const noexcept { return out.size() - out_pos; }

    int fd;
    std::string remote;
    http_parser parser;
    std::string in;   // unparsed input, kept only while parsing is paused
    std::string out;  // serialized responses not yet sent
    std::size_t out_pos = 0;
    clock::time_point deadline{};
    std::list<connection>::iterator self{};
    std::uint32_t events = 0;  // the epoll interest registered now
    bool counted = false;      // holds one of max_connections
    bool lingering = false;    // response sent, write side shut, draining input
    bool close_after_write = false;
    bool peer_eof = false;
    bool continue_sent = false;
    bool holding = false;  // a delayed response waits in `held` (test fault: latency)
    std::string held;
    clock::time_point release_at{};
    std::shared_ptr<http_event_stream> stream;  // set while the connection carries an event stream
    clock::time_point last_write{};             // stream: when bytes were last queued
    clock::time_point last_progress{};          // stream: when output last moved (or began to wait)
  };

  struct handoff {
    int fd;
    std::string remote;
  };

  struct worker {
    explicit worker(posix_http_server& s) : server(s) {}
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;
    ~worker() {
      active.clear();
      lingering.clear();
      streams.clear();
      ready.clear();
      for (auto& h : incoming) ::close(h.fd);
      if (epfd >= 0) ::close(epfd);
      if (wakefd >= 0) ::close(wakefd);
      if (sparefd >= 0) ::close(sparefd);
    }

    inline void run();
    inline void wake() noexcept;
    inline void on_listener();
    inline void on_wake();
    inline void on_event(connection& c, std::uint32_t ev);
    inline void on_readable(connection& c);
    inline std::size_t process(connection& c, const char* data, std::size_t size);
    inline void handle_request(connection& c);
    inline void respond_error(connection& c, int status, std::string_view detail);
    inline void pump(connection& c, bool writable_event);
    inline void update_interest(connection& c);
    inline void adopt(int fd, std::string remote);
    inline void reject(int fd, std::string remote);
    inline void begin_linger(connection& c);
    inline void destroy(connection& c);
    inline void touch(connection& c) noexcept;
    inline void begin_drain();
    inline void expire();
    inline int wait_timeout_ms() const;
    inline void release_held();
    inline std::list<connection>& home(connection& c) noexcept;
    inline void adopt_stream(connection& c, http_server_response& res);
    inline void post(std::shared_ptr<http_event_stream> s);
    inline void flush_stream(http_event_stream& s);
    inline void tick_stream(connection& c);
    inline void end_stream(connection& c);

    posix_http_server& server;
    int epfd = -1;
    int wakefd = -1;
    int sparefd = -1;  // a reserved descriptor, freed to shed a connection on EMFILE
    bool listening = false;
    bool draining = false;
    std::thread thread;
    std::mutex mutex;                                       // guards incoming and ready
    std::vector<handoff> incoming;                          // connections accepted by another worker
    std::vector<std::shared_ptr<http_event_stream>> ready;  // streams with something to write
    std::list<connection> active;                           // ordered by deadline (every reset moves to the back)
    std::list<connection> lingering;                        // ordered by deadline
    std::list<connection> streams;     // carrying event streams; ordered by deadline (the next tick)
    std::vector<connection*> delayed;  // connections holding a delayed response
    clock::time_point now{};
    char listen_tag = 0;
    char wake_tag = 0;
    std::vector<char> scratch = std::vector<char>(64 * 1024);
  };

  static constexpr std::size_t output_high_water = 1u << 20;  // pause parsing above this backlog

  http_parser_limits parser_limits() const noexcept {
    http_parser_limits l;
    l.max_request_line = options_.max_request_line;
    l.max_header_bytes = options_.max_header_bytes;
    l.max_header_count = options_.max_header_count;
    l.max_body_bytes = options_.max_body_bytes;
    return l;
  }
  bool acquire_slot() noexcept {
    std::size_t cur = open_.load(std::memory_order_relaxed);
    do {
      if (cur >= options_.max_connections) return false;
    } while (!open_.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel));
    return true;
  }
  void release_slot() noexcept { open_.fetch_sub(1, std::memory_order_acq_rel); }
  // How often a stream's keep-alive and write stall are checked.
  std::chrono::milliseconds stream_tick() const noexcept {
    auto t = options_.idle_timeout;
    if (options_.stream_keepalive.count() > 0 && options_.stream_keepalive < t) t = options_.stream_keepalive;
    return t.count() > 0 ? t : std::chrono::milliseconds(1);
  }
  inline void begin_stop() noexcept;
  inline void close_all() noexcept;

  template <class Handler>
  static handler_type wrap(Handler h) {
    using answer = decltype(h(std::declval<http_request&>()));
    if constexpr (std::is_same_v<answer, http_server_response>) return handler_type(std::move(h));
    else return [h = std::move(h)](http_request& req) mutable { return http_server_response(h(req)); };
  }
  handler_type handler_;
  access_log_type access_log_;
  http_server_options options_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::string rejection_;  // the prebuilt 503 answer for connections over the limit
  int listen_fd_ = -1;
  std::atomic<std::uint16_t> port_{0};
  std::atomic<std::size_t> open_{0};
  std::atomic<std::size_t> streams_{0};
  std::atomic<unsigned> next_worker_{0};
  std::atomic<bool> stopping_{false};
  std::mutex lifecycle_;
  bool started_ = false;
  bool joined_ = false;
};

// ---------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------

inline result<std::uint16_t> posix_http_server::start() {
  std::lock_guard<std::mutex> lock(lifecycle_);
  if (started_) return make_error(errc::unavailable, "posix_http_server: already started");
  if (!handler_) return make_error(errc::unavailable, "posix_http_server: no handler");

  const std::string where = options_.host + ":" + std::to_string(options_.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(options_.port);
  const int gai =
      ::getaddrinfo(options_.host.empty() ? nullptr : options_.host.c_str(), service.c_str(), &hints, &found);
  if (gai != 0)
    return make_error(errc::unavailable, "posix_http_server: cannot resolve " + where + ": " + ::gai_strerror(gai));
  int last_errno = 0;
  const char* failed_call = "socket";
  for (addrinfo* ai = found; ai != nullptr && listen_fd_ < 0; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      failed_call = "socket";
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      last_errno = errno;
      failed_call = "bind";
      ::close(fd);
      continue;
    }
    if (::listen(fd, options_.backlog) != 0) {
      last_errno = errno;
      failed_call = "listen";
      ::close(fd);
      continue;
    }
    listen_fd_ = fd;
  }
  ::freeaddrinfo(found);
  if (listen_fd_ < 0)
    return make_error(errc::unavailable, std::string("posix_http_server: cannot ") + failed_call + " " + where + ": " +
                                             std::strerror(last_errno));

  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  std::uint16_t p = 0;
  if (bound.ss_family == AF_INET) p = ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  else if (bound.ss_family == AF_INET6) p = ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);

  rejection_.clear();
  detail::http_serialize_response(rejection_, detail::http_error_response(503, "too many open connections"), false,
                                  false, 1);

  const unsigned count = options_.workers == 0 ? 1 : options_.workers;
  auto fail = [this](const char* what) {
    const int e = errno;
    workers_.clear();
    ::close(listen_fd_);
    listen_fd_ = -1;
    return make_error(errc::unavailable, std::string("posix_http_server: ") + what + ": " + std::strerror(e));
  };
  for (unsigned i = 0; i < count; ++i) {
    auto w = std::make_unique<worker>(*this);
    w->epfd = ::epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0) return fail("epoll_create1");
    w->wakefd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->wakefd < 0) return fail("eventfd");
    w->sparefd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &w->wake_tag;
    if (::epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) != 0) return fail("epoll_ctl");
    // One listener shared by every worker; EPOLLEXCLUSIVE wakes one waiter per connection
    // burst instead of all of them.
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.ptr = &w->listen_tag;
    if (::epoll_ctl(w->epfd, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
      ev.events = EPOLLIN;  // kernels before 4.5 lack EPOLLEXCLUSIVE: every worker wakes, one wins
      if (errno != EINVAL || ::epoll_ctl(w->epfd, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) return fail("epoll_ctl");
    }
    w->listening = true;
    workers_.push_back(std::move(w));
  }
  port_.store(p, std::memory_order_release);
  started_ = true;
  for (auto& w : workers_) {
    worker* raw = w.get();
    w->thread = std::thread([raw] { raw->run(); });
  }
  return p;
}

inline void posix_http_server::begin_stop() noexcept {
  bool expected = false;
  if (!stopping_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) return;
  // shutdown() on a listening socket refuses new connections at once and wakes the
  // epoll waiters; the descriptor itself stays valid until the workers are joined.
  ::shutdown(listen_fd_, SHUT_RDWR);
  for (auto& w : workers_) w->wake();
}

inline void posix_http_server::stop() {
  if (detail::http_current_server() == this) {  // from a handler: cannot join ourselves
    begin_stop();
    return;
  }
  std::lock_guard<std::mutex> lock(lifecycle_);
  if (!started_ || joined_) return;
  begin_stop();
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
  close_all();
  joined_ = true;
}

inline void posix_http_server::close_all() noexcept {
  for (auto& w : workers_) {
    for (auto& h : w->incoming) {
      ::close(h.fd);
      release_slot();
    }
    w->incoming.clear();
  }
  workers_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

inline void posix_http_server::worker::wake() noexcept {
  const std::uint64_t one = 1;
  ssize_t r;
  do {
    r = ::write(wakefd, &one, sizeof one);
  } while (r < 0 && errno == EINTR);
}

inline void posix_http_server::worker::run() {
  detail::http_current_server() = &server;
  constexpr int max_events = 128;
  epoll_event events[max_events];
  for (;;) {
    now = clock::now();
    const int n = ::epoll_wait(epfd, events, max_events, wait_timeout_ms());
    if (n < 0 && errno != EINTR) break;  // EBADF/EINVAL: nothing sensible left to do
    now = clock::now();
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &listen_tag) on_listener();
      else if (tag == &wake_tag) on_wake();
      else on_event(*static_cast<connection*>(tag), events[i].events);
    }
    if (!draining && server.stopping_.load(std::memory_order_acquire)) begin_drain();
    expire();
    if (draining && active.empty() && lingering.empty() && streams.empty()) break;
  }
  // Anything left (only after an epoll failure) is closed here.
  while (!active.empty()) destroy(active.front());
  while (!lingering.empty()) destroy(lingering.front());
  while (!streams.empty()) destroy(streams.front());
  detail::http_current_server() = nullptr;
}

inline int posix_http_server::worker::wait_timeout_ms() const {
  clock::time_point next = clock::time_point::max();
  if (!active.empty()) next = active.front().deadline;
  if (!lingering.empty() && lingering.front().deadline < next) next = lingering.front().deadline;
  if (!streams.empty() && streams.front().deadline < next) next = streams.front().deadline;
  for (const connection* c : delayed)
    if (c->release_at < next) next = c->release_at;
  if (next == clock::time_point::max()) return -1;
  if (next <= now) return 0;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(next - now).count();
  const auto ms = (us + 999) / 1000;  // round up: never wake before the deadline
  return ms > 3600000 ? 3600000 : static_cast<int>(ms);
}

inline void posix_http_server::worker::release_held() {
  for (std::size_t i = 0; i < delayed.size();) {
    connection& c = *delayed[i];
    if (c.release_at > now) {
      ++i;
      continue;
    }
    delayed[i] = delayed.back();
    delayed.pop_back();
    c.holding = false;
    c.out += c.held;
    std::string().swap(c.held);
    touch(c);
    pump(c, false);  // may destroy c
  }
}

inline void posix_http_server::worker::expire() {
  if (!delayed.empty()) release_held();
  while (!active.empty() && active.front().deadline <= now) destroy(active.front());
  while (!lingering.empty() && lingering.front().deadline <= now) destroy(lingering.front());
  while (!streams.empty() && streams.front().deadline <= now) tick_stream(streams.front());
}

inline void posix_http_server::worker::begin_drain() {
  draining = true;
  if (listening) {
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, server.listen_fd_, nullptr);
    listening = false;
  }
  on_wake();  // close connections handed to us but not yet adopted
  while (!lingering.empty()) destroy(lingering.front());
  // Event streams end now: what can be written at once is, the rest is dropped (stop() never waits
  // for a stream's client).
  while (!streams.empty()) end_stream(streams.front());
  // Idle keep-alive connections close now; the others finish their request first.
  for (auto it = active.begin(); it != active.end();) {
    connection& c = *it++;
    if (c.parser.is_idle() && c.in.empty() && c.pending() == 0) destroy(c);
  }
}

inline void posix_http_server::worker::on_wake() {
  std::uint64_t value;
  while (::read(wakefd, &value, sizeof value) > 0) {}
  std::vector<handoff> taken;
  std::vector<std::shared_ptr<http_event_stream>> pushed;
  {
    std::lock_guard<std::mutex> lock(mutex);
    taken.swap(incoming);
    pushed.swap(ready);
  }
  for (auto& s : pushed) flush_stream(*s);
  for (auto& h : taken) {
    if (server.stopping_.load(std::memory_order_acquire)) {
      ::close(h.fd);
      server.release_slot();
    } else {
      adopt(h.fd, std::move(h.remote));
    }
  }
}

inline void posix_http_server::worker::on_listener() {
  for (int k = 0; k < 64; ++k) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    const int fd = ::accept4(server.listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int e = errno;
      if (e == EAGAIN || e == EWOULDBLOCK) return;
      if ((e == EMFILE || e == ENFILE) && sparefd >= 0) {
        // Out of descriptors: use the reserved one to accept and drop a connection, so the
        // level-triggered listener does not spin.
        ::close(sparefd);
        const int victim = ::accept4(server.listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (victim >= 0) ::close(victim);
        sparefd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        continue;
      }
      if (e == EINVAL || e == EBADF || e == ENOTSOCK) {  // the listener was shut down by stop()
        ::epoll_ctl(epfd, EPOLL_CTL_DEL, server.listen_fd_, nullptr);
        listening = false;
        return;
      }
      if (e == ENOBUFS || e == ENOMEM || e == EMFILE || e == ENFILE) return;  // retried on the next event
      continue;  // EINTR, or an error of that one connection (ECONNABORTED, EPROTO, ENETDOWN...)
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char host[INET6_ADDRSTRLEN] = {};
    std::string remote;
    if (peer.ss_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&peer);
      ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
      remote = host;
      remote += ':';
      remote += std::to_string(ntohs(a->sin_port));
    } else if (peer.ss_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&peer);
      ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
      remote = "[";
      remote += host;
      remote += "]:";
      remote += std::to_string(ntohs(a->sin6_port));
    }
    if (!server.acquire_slot()) {
      reject(fd, std::move(remote));
      continue;
    }
    // Round-robin over the workers keeps the load even when one worker wins the accept race.
    const std::size_t nworkers = server.workers_.size();
    worker& target = *server.workers_[server.next_worker_.fetch_add(1, std::memory_order_relaxed) % nworkers];
    if (&target == this) {
      adopt(fd, std::move(remote));
    } else {
      {
        std::lock_guard<std::mutex> lock(target.mutex);
        target.incoming.push_back(handoff{fd, std::move(remote)});
      }
      target.wake();
    }
  }
}

inline void posix_http_server::worker::adopt(int fd, std::string remote) {
  active.emplace_back(fd, std::move(remote), server.parser_limits());
  connection& c = active.back();
  c.self = std::prev(active.end());
  c.counted = true;
  c.deadline = now + server.options_.idle_timeout;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &c;
  if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    destroy(c);
    return;
  }
  c.events = EPOLLIN;
}

inline void posix_http_server::worker::reject(int fd, std::string remote) {
  // Over max_connections: answer 503 right away (it fits an empty socket buffer), then
  // linger briefly so the answer is not lost to a reset. Lingering is itself bounded.
  const std::string& r = server.rejection_;
  const ssize_t w = ::send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (w != static_cast<ssize_t>(r.size()) || lingering.size() >= server.options_.max_connections) {
    ::close(fd);
    return;
  }
  lingering.emplace_back(fd, std::move(remote), http_parser_limits{});
  connection& c = lingering.back();
  c.self = std::prev(lingering.end());
  c.lingering = true;
  c.deadline = now + server.options_.linger_timeout;
  ::shutdown(fd, SHUT_WR);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &c;
  if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) destroy(c);
}

inline std::list<posix_http_server::connection>& posix_http_server::worker::home(connection& c) noexcept {
  return c.lingering ? lingering : c.stream ? streams : active;
}

inline void posix_http_server::worker::destroy(connection& c) {
  if (c.counted) server.release_slot();
  if (c.holding) delayed.erase(std::find(delayed.begin(), delayed.end(), &c));
  if (c.stream) server.streams_.fetch_sub(1, std::memory_order_acq_rel);
  // Closing the descriptor (in ~connection) also removes it from the epoll set; ~connection also
  // closes the event stream.
  home(c).erase(c.self);
}

inline void posix_http_server::worker::touch(connection& c) noexcept {
  c.deadline = now + server.options_.idle_timeout;
  active.splice(active.end(), active, c.self);
}

inline void posix_http_server::worker::begin_linger(connection& c) {
  // The slot is released before the client can see our FIN, so a client that read the
  // whole answer may connect again at once without meeting the limit.
  if (c.counted) {
    server.release_slot();
    c.counted = false;
  }
  ::shutdown(c.fd, SHUT_WR);
  if (c.peer_eof || draining || lingering.size() >= server.options_.max_connections) {
    destroy(c);
    return;
  }
  std::list<connection>& from = home(c);
  if (c.stream) {  // an ended stream: the client has it all
    server.streams_.fetch_sub(1, std::memory_order_acq_rel);
    {
      std::lock_guard<std::mutex> lock(c.stream->mutex_);
      c.stream->closed_ = true;
      c.stream->owner_ = nullptr;
      c.stream->connection_ = nullptr;
    }
    c.stream.reset();
  }
  c.lingering = true;
  std::string().swap(c.in);
  std::string().swap(c.out);
  c.out_pos = 0;
  c.deadline = now + server.options_.linger_timeout;
  lingering.splice(lingering.end(), from, c.self);
  update_interest(c);
}

inline void posix_http_server::worker::update_interest(connection& c) {
  std::uint32_t want = 0;
  if (c.lingering) {
    want = EPOLLIN;
  } else if (c.stream) {  // input is only watched for the client leaving
    if (!c.close_after_write) want |= EPOLLIN;
    if (c.pending() > 0) want |= EPOLLOUT;
  } else {
    if (!c.peer_eof && !c.close_after_write && !c.holding && c.in.empty() && c.pending() <= output_high_water)
      want |= EPOLLIN;
    if (c.pending() > 0) want |= EPOLLOUT;
  }
  if (want == c.events) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.ptr = &c;
  if (::epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev) == 0) c.events = want;
}

inline void posix_http_server::worker::on_event(connection& c, std::uint32_t ev) {
  if (c.lingering) {
    // Drain and drop what the client still sends; close on EOF, error or the deadline.
    for (int k = 0; k < 16; ++k) {
      const ssize_t r = ::recv(c.fd, scratch.data(), scratch.size(), 0);
      if (r > 0) continue;
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      destroy(c);
      return;
    }
    return;
  }
  if (ev & EPOLLERR) {
    destroy(c);
    return;
  }
  if ((ev & (EPOLLOUT | EPOLLHUP)) && c.pending() > 0) {
    pump(c, true);
    return;  // level-triggered: unread input is reported again
  }
  if (ev & (EPOLLIN | EPOLLHUP)) on_readable(c);
}

inline void posix_http_server::worker::on_readable(connection& c) {
  if (c.stream) {
    // Nothing more is read from a stream's client: its bytes are dropped, its EOF ends the stream.
    ssize_t r;
    do {
      r = ::recv(c.fd, scratch.data(), scratch.size(), 0);
    } while (r < 0 && errno == EINTR);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) destroy(c);
    return;
  }
  if (c.peer_eof || c.close_after_write) {
    update_interest(c);
    return;
  }
  ssize_t r;
  do {
    r = ::recv(c.fd, scratch.data(), scratch.size(), 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    destroy(c);
    return;
  }
  if (r == 0) {
    // The client is done sending: answer what is complete, then close. A request cut
    // short can never complete.
    c.peer_eof = true;
    c.close_after_write = true;
    if (c.pending() == 0 && !c.holding) {
      destroy(c);
      return;
    }
    pump(c, false);
    return;
  }
  const auto size = static_cast<std::size_t>(r);
  if (!c.in.empty()) {
    c.in.append(scratch.data(), size);
  } else {
    const std::size_t used = process(c, scratch.data(), size);
    if (used < size && !c.close_after_write && !c.stream) c.in.assign(scratch.data() + used, size - used);
  }
  pump(c, false);
}

inline std::size_t posix_http_server::worker::process(connection& c, const char* data, std::size_t size) {
  std::size_t used = 0;
  while (used < size) {
    if (c.close_after_write || c.holding || c.stream || c.pending() > output_high_water) break;
    http_parser& p = c.parser;
    if (p.is_idle()) touch(c);  // a request's time starts with its first byte
    const bool had_body = p.in_body();
    used += p.feed(std::string_view(data + used, size - used));
    if (p.has_failed()) {
      respond_error(c, p.error_status(), p.error_message());
      return size;  // the rest is discarded: the connection closes
    }
    if (p.is_complete()) {
      handle_request(c);
      continue;
    }
    // Still incomplete: everything was consumed.
    if (p.in_body()) {
      if (had_body) touch(c);  // body progress extends the deadline, header bytes do not
      if (p.expects_continue() && !c.continue_sent) {
        c.out += "HTTP/1.1 100 Continue\r\n\r\n";
        c.continue_sent = true;
        touch(c);
      }
    }
  }
  return used;
}

inline void posix_http_server::worker::handle_request(connection& c) {
  http_request& req = c.parser.request();
  req.remote_address = c.remote;
  const bool head = req.method == "HEAD";
  const int minor = c.parser.version_minor();
  const bool logging = static_cast<bool>(server.access_log_);
  const clock::time_point t0 = logging ? clock::now() : clock::time_point{};
  http_server_response res;
#if TFE_HAS_EXCEPTIONS
  try {
    res = server.handler_(req);
  } catch (...) {
    res = detail::http_error_response(500, "the request handler threw an exception");
  }
#else
  res = server.handler_(req);
#endif
  // Read after the handler: a stop that began meanwhile closes this connection.
  const bool stopping = server.stopping_.load(std::memory_order_acquire);
  if (res.stream) {
    if (!head && !stopping) {
      adopt_stream(c, res);
      if (logging)
        server.access_log_(req, res, std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - t0));
      c.parser.reset();
      return;
    }
    res.stream->close();  // nothing will carry it
    res.stream.reset();
    res.set_header("Connection", "close");
  }
  bool keep = c.parser.keep_alive() && !stopping;
  detail::http_for_each_list_element(res.header("connection"), [&keep](std::string_view e) {
    if (detail::iequals(e, "close")) keep = false;
  });
  if (res.fault == transport_fault::drop_connection) {
    keep = false;  // nothing of this response is written
  } else if (res.fault == transport_fault::truncate_body) {
    std::string whole;
    detail::http_serialize_response(whole, res, head, false, minor);
    const std::size_t body = head ? 0 : res.body.size();
    c.out.append(whole, 0, whole.size() - body + body / 2);
    keep = false;
  } else if (res.delay.count() > 0) {
    // Hold the answer without blocking this worker; input waits until it is written.
    detail::http_serialize_response(c.held, res, head, keep, minor);
    c.holding = true;
    c.release_at =
        now + std::min<std::chrono::milliseconds>(
                  res.delay, std::chrono::duration_cast<std::chrono::milliseconds>(server.options_.idle_timeout));
    delayed.push_back(&c);
  } else {
    detail::http_serialize_response(c.out, res, head, keep, minor);
  }
  if (logging) {
    const auto spent = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - t0);
    server.access_log_(req, res, spent);
  }
  if (!keep) c.close_after_write = true;
  c.continue_sent = false;
  c.parser.reset();
  touch(c);
}

inline void posix_http_server::worker::respond_error(connection& c, int status, std::string_view detail_text) {
  detail::http_serialize_response(c.out, detail::http_error_response(status, detail_text), false, false, 1);
  if (server.access_log_) {
    http_response logged;
    logged.status = status;
    server.access_log_(c.parser.request(), logged, {});
  }
  c.close_after_write = true;
  std::string().swap(c.in);
}

inline void posix_http_server::worker::pump(connection& c, bool writable_event) {
  for (;;) {
    // 1. Parse input that waited for the output backlog to drain.
    if (!c.in.empty() && !c.close_after_write && !c.holding && !c.stream && c.pending() <= output_high_water) {
      const std::size_t used = process(c, c.in.data(), c.in.size());
      if (c.close_after_write || c.stream) std::string().swap(c.in);
      else c.in.erase(0, used);
    }
    // 2. Write what we can.
    const std::size_t before = c.out_pos;
    while (c.out_pos < c.out.size()) {
      const ssize_t w = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
      if (w > 0) {
        c.out_pos += static_cast<std::size_t>(w);
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      destroy(c);  // EPIPE, ECONNRESET...
      return;
    }
    if (c.out_pos > before) {
      if (c.stream) c.last_progress = now;
      else if (writable_event) touch(c);  // a slow reader that reads is not idle
    }
    if (c.pending() > 0) break;  // wait for EPOLLOUT
    c.out.clear();
    c.out_pos = 0;
    if (c.out.capacity() > (1u << 20)) std::string().swap(c.out);
    // 3. All written: close, or go on with buffered requests.
    if (c.holding) break;  // a delayed answer comes first
    if (c.close_after_write || (draining && c.parser.is_idle() && c.in.empty())) {
      begin_linger(c);
      return;
    }
    if (c.in.empty()) break;
  }
  update_interest(c);
}

inline void posix_http_server::worker::adopt_stream(connection& c, http_server_response& res) {
  // The head goes first; the connection then carries only what the stream is given.
  detail::http_serialize_stream_head(c.out, res);
  c.stream = std::move(res.stream);
  c.last_write = now;
  c.last_progress = now;
  server.streams_.fetch_add(1, std::memory_order_acq_rel);
  std::string early;
  bool closing = false, overrun = false;
  {
    std::lock_guard<std::mutex> lock(c.stream->mutex_);
    http_event_stream& s = *c.stream;
    s.owner_ = this;
    s.connection_ = &c;
    s.self_ = c.stream;
    s.max_buffer_ = server.options_.max_stream_buffer;
    early.swap(s.buffer_);  // pushed before the handler returned
    closing = s.closing_;
    overrun = s.overrun_;
    s.queued_ = false;
  }
  c.out += early;
  std::string().swap(c.in);
  // The caller (process, from pump or on_readable) writes; a stream that is already over goes out
  // with what it has.
  if (closing || overrun) c.close_after_write = true;
  c.deadline = now + server.stream_tick();
  streams.splice(streams.end(), active, c.self);
}

inline void posix_http_server::worker::post(std::shared_ptr<http_event_stream> s) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    ready.push_back(std::move(s));
  }
  wake();
}

inline void posix_http_server::worker::flush_stream(http_event_stream& s) {
  std::string data;
  connection* cp = nullptr;
  bool closing = false, overrun = false;
  {
    std::lock_guard<std::mutex> lock(s.mutex_);
    s.queued_ = false;
    cp = static_cast<connection*>(s.connection_);
    data.swap(s.buffer_);
    closing = s.closing_;
    overrun = s.overrun_;
  }
  if (cp == nullptr) return;  // its connection is gone
  connection& c = *cp;
  if (overrun) {  // a client that does not read is cut off
    destroy(c);
    return;
  }
  if (!data.empty()) {
    if (c.pending() == 0) c.last_progress = now;  // a write stall is timed from here
    c.out += data;
    c.last_write = now;
  }
  if (c.pending() > server.options_.max_stream_buffer) {
    destroy(c);
    return;
  }
  if (closing) c.close_after_write = true;
  pump(c, false);  // may destroy c
}

inline void posix_http_server::worker::tick_stream(connection& c) {
  if (c.pending() > 0) {
    if (now - c.last_progress >= server.options_.idle_timeout) {  // the client stopped reading
      destroy(c);
      return;
    }
  } else if (server.options_.stream_keepalive.count() > 0 && now - c.last_write >= server.options_.stream_keepalive) {
    c.out += ":\n\n";  // a comment: keeps proxies and the client from timing the stream out
    c.last_write = now;
    c.last_progress = now;
  }
  c.deadline = now + server.stream_tick();
  streams.splice(streams.end(), streams, c.self);
  pump(c, false);  // may destroy c
}

inline void posix_http_server::worker::end_stream(connection& c) {
  {
    std::lock_guard<std::mutex> lock(c.stream->mutex_);
    c.out += c.stream->buffer_;
    std::string().swap(c.stream->buffer_);
  }
  while (c.out_pos < c.out.size()) {
    const ssize_t w = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) c.out_pos += static_cast<std::size_t>(w);
    else if (!(w < 0 && errno == EINTR)) break;
  }
  destroy(c);
}

inline bool http_event_stream::enqueue(std::string bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return false;
  if (buffer_.size() + bytes.size() > max_buffer_) {
    overrun_ = true;
    closed_ = true;
    std::string().swap(buffer_);
    notify();
    return false;
  }
  buffer_ += bytes;
  notify();
  return true;
}

inline void http_event_stream::notify() {
  if (owner_ == nullptr || queued_) return;
  if (auto self = self_.lock()) {
    queued_ = true;
    static_cast<posix_http_server::worker*>(owner_)->post(std::move(self));
  }
}

inline bool http_event_stream::send(std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(event.size() + data.size() + 16);
  if (!event.empty()) {
    out += "event: ";
    for (char ch : event)
      if (ch != '\r' && ch != '\n') out += ch;
    out += '\n';
  }
  // One data line per line of `data` (CRLF, LF and CR all end a line, as for the client's parser).
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = data.find_first_of("\r\n", start);
    out += "data: ";
    out += data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
    if (start == data.size()) break;
  }
  out += '\n';
  return enqueue(std::move(out));
}

inline bool http_event_stream::comment(std::string_view text) {
  std::string out = ": ";
  for (char ch : text)
    if (ch != '\r' && ch != '\n') out += ch;
  out += "\n\n";
  return enqueue(std::move(out));
}

inline bool http_event_stream::write(std::string_view bytes) { return enqueue(std::string(bytes)); }

inline void http_event_stream::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  notify();
}

inline bool http_event_stream::is_open() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return !closed_;
}

}  // namespace tfe

#endif  // TFE_TRANSPORT_POSIX_HTTP_SERVER_HPP
