// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A tiny blocking HTTP/1.1 client on raw sockets for the posix_http_server tests.
#ifndef TFE_TESTS_TRANSPORT_RAW_CLIENT_HPP
#define TFE_TESTS_TRANSPORT_RAW_CLIENT_HPP

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tfe_test {

/// One response as read off the wire.
struct wire_response {
  int status = 0;                                            ///< status code
  std::vector<std::pair<std::string, std::string>> headers;  ///< fields in order
  std::string body;                                          ///< body bytes (framed by Content-Length or close)

  /// The first value of header `name` (ASCII case-insensitive), or empty.
  std::string header(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.first.size() != name.size()) continue;
      bool eq = true;
      for (std::size_t i = 0; i < name.size() && eq; ++i) {
        char a = h.first[i], b = name[i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
        if (b >= 'A' && b <= 'Z') b = static_cast<char>(b + 32);
        eq = a == b;
      }
      if (eq) return h.second;
    }
    return {};
  }
  /// True when header `name` is present.
  bool has_header(std::string_view name) const {
    for (const auto& h : headers) {
      std::string a = h.first, b(name);
      for (auto& c : a)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      for (auto& c : b)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (a == b) return true;
    }
    return false;
  }
};

/// A blocking TCP client to 127.0.0.1:port. Every receive has a generous safety timeout
/// (SO_RCVTIMEO) so a broken server fails a test instead of hanging it; no test relies on it.
class raw_client {
 public:
  /// Connects to 127.0.0.1:`port`; connected() tells whether it worked.
  explicit raw_client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    timeval tv{};
    tv.tv_sec = 30;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
      connect_errno_ = errno;
      ::close(fd_);
      fd_ = -1;
    }
  }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;
  ~raw_client() { close(); }

  /// True when the connection was established.
  bool connected() const noexcept { return fd_ >= 0; }
  /// errno of a failed connect(), else 0.
  int connect_errno() const noexcept { return connect_errno_; }
  /// The socket.
  int fd() const noexcept { return fd_; }
  /// Closes the socket now.
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  /// Half-closes: the server sees EOF, responses still arrive.
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  /// Sends every byte; false when the connection failed.
  bool send_all(std::string_view data) {
    while (!data.empty()) {
      const ssize_t w = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(w));
    }
    return true;
  }

  /// Reads one response. `head` says the request was HEAD (no body follows).
  /// Returns nothing when the connection ends (or times out) before a whole response.
  std::optional<wire_response> read_response(bool head = false) {
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    wire_response r;
    const std::string head_text = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    std::size_t line_end = head_text.find("\r\n");
    const std::string status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    r.status = std::atoi(status_line.c_str() + 9);
    while (line_end != std::string::npos) {
      const std::size_t start = line_end + 2;
      line_end = head_text.find("\r\n", start);
      const std::string line =
          head_text.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) return std::nullopt;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers.emplace_back(line.substr(0, colon), value);
    }
    if (head || r.status < 200 || r.status == 204 || r.status == 304) return r;
    if (r.has_header("content-length")) {
      const std::size_t n = std::strtoull(r.header("content-length").c_str(), nullptr, 10);
      while (buf_.size() < n)
        if (!fill()) return std::nullopt;
      r.body = buf_.substr(0, n);
      buf_.erase(0, n);
      return r;
    }
    while (fill()) {}
    r.body = std::move(buf_);
    buf_.clear();
    return r;
  }

  /// Blocks until the server closes the connection; true on EOF or reset, false on the
  /// safety timeout. Bytes that arrive meanwhile are kept in received().
  bool wait_closed() {
    char tmp[4096];
    for (;;) {
      const ssize_t r = ::recv(fd_, tmp, sizeof tmp, 0);
      if (r > 0) {
        buf_.append(tmp, static_cast<std::size_t>(r));
        continue;
      }
      if (r == 0) return true;
      if (errno == EINTR) continue;
      return errno == ECONNRESET || errno == EPIPE;
    }
  }

  /// True when bytes are buffered or waiting on the socket right now (does not block).
  bool has_data() {
    if (!buf_.empty()) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

  /// Bytes read but not yet returned as a response.
  const std::string& received() const noexcept { return buf_; }

 private:
  bool fill() {
    char tmp[65536];
    for (;;) {
      const ssize_t r = ::recv(fd_, tmp, sizeof tmp, 0);
      if (r > 0) {
        buf_.append(tmp, static_cast<std::size_t>(r));
        return true;
      }
      if (r < 0 && errno == EINTR) continue;
      return false;
    }
  }

  int fd_ = -1;
  int connect_errno_ = 0;
  std::string buf_;
};

/// A GET request for `target` with a Host header and optional extra header lines.
inline std::string get_request(std::string_view target, std::string_view extra = {}) {
  std::string s = "GET ";
  s += target;
  s += " HTTP/1.1\r\nHost: test\r\n";
  s += extra;
  s += "\r\n";
  return s;
}

/// FNV-1a of `s`, printed in hex: the test handler reports bodies by this digest.
inline std::string digest(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = hex[h & 15];
    h >>= 4;
  }
  return out;
}

}  // namespace tfe_test

#endif  // TFE_TESTS_TRANSPORT_RAW_CLIENT_HPP
