// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A standalone posix_http_server for scripts/bench-http: every request gets one fixed body.
//
// Usage: tfe_http_bench_server [--port N] [--workers N] [--body-bytes N]
// Prints "port N" once listening; stops gracefully on SIGINT or SIGTERM.
#include <tfe/transport/posix_http_server.hpp>

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  tfe::http_server_options options;
  std::size_t body_bytes = 1700;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char* name = argv[i];
    const unsigned long value = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(name, "--port") == 0) options.port = static_cast<std::uint16_t>(value);
    else if (std::strcmp(name, "--workers") == 0) options.workers = static_cast<unsigned>(value);
    else if (std::strcmp(name, "--body-bytes") == 0) body_bytes = value;
    else {
      std::fprintf(stderr, "usage: %s [--port N] [--workers N] [--body-bytes N]\n", argv[0]);
      return 2;
    }
  }

  // The same bytes nginx serves from its file in the comparison: 1.7 KB of HTML-ish text.
  std::string body;
  while (body.size() < body_bytes) body += "<p>tfe posix_http_server benchmark body, fixed size.</p>\n";
  body.resize(body_bytes);

  // Block the stop signals in every thread (workers inherit the mask); main waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  tfe::posix_http_server server(
      [&body](tfe::http_request&) {
        tfe::http_response res;
        res.headers.emplace_back("Server", "tfe");
        res.headers.emplace_back("Content-Type", "text/html");
        res.body = body;  // a fresh copy per request, as an engine call would produce
        return res;
      },
      options);
  auto port = server.start();
  if (!port) {
    std::fprintf(stderr, "%s\n", port.error().message.c_str());
    return 1;
  }
  std::printf("port %u\n", static_cast<unsigned>(*port));
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.stop();
  return 0;
}
