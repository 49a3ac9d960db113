// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// tfe-server: the TFE Runs API on loopback, for test authors in any language (docs/http.md).
#include <tfe/persistence/posix_data_dir.hpp>
#include <tfe/tfe.hpp>
#include <tfe/transport/posix_http_server.hpp>

#include "server_instance.hpp"
#include "tenants.hpp"

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using tfe_server::server_engine;
using tfe_server::server_instance;

bool read_file(const std::string& path, std::string& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

constexpr const char* usage_text =
    "usage: tfe-server [options]\n"
    "\n"
    "Serves the Terraform Enterprise Runs API (/api/v2) from an in-memory engine.\n"
    "\n"
    "  --port N             port to listen on; 0 picks a free one (default 0)\n"
    "  --host ADDR          address to bind (default 127.0.0.1); a non-loopback address needs --token\n"
    "  --token T            accept only this bearer token (repeatable); without any, every token is accepted\n"
    "  --seed N             deterministic ids and capability URLs\n"
    "  --plan-duration D    how long each plan takes (default 0s)\n"
    "  --apply-duration D   how long each apply takes (default 0s)\n"
    "  --cancel-cooloff D   cancel -> force-cancel availability (default 10s)\n"
    "  --organization-concurrency N\n"
    "                       runs of one organization planning or applying at once; the others wait\n"
    "                       in plan_queued/apply_queued with a position-in-queue (default 0: no limit)\n"
    "  --state-processing-delay D\n"
    "                       a state version reports resources-processed D after its upload (default 0)\n"
    "  --workers N          event-loop threads (default 2)\n"
    "  --idle-timeout D     cut off idle, slow or stalled connections after D (default 30s)\n"
    "  --max-connections N  open connections at most; more are answered 503 and closed (default 1024)\n"
    "  --log                one access-log line per request on stderr\n"
    "  --upload-url-on-read reads and lists of a pending configuration version carry its upload-url\n"
    "                       (TFE before 2022; go-tfe 0.x's tests expect it; today only the create has it)\n"
    "  --base-url URL       origin of upload, log and state URLs (e.g. https://tfe.example); default: from\n"
    "                       X-Forwarded-Proto/-Host, else Host\n"
    "\n"
    "Test controls (docs/testing.md): the admin API under /_tfe/ (reset, snapshot, restore, faults,\n"
    "requests, runs/{id}/advance, script, clock).\n"
    "  --admin-token T      the admin API needs \"Authorization: Bearer T\"; without it, the admin API\n"
    "                       answers loopback clients only\n"
    "  --manual-clock       time stands still until POST /_tfe/clock/advance\n"
    "  --snapshot FILE      start from this snapshot or fixture (JSON, as GET /_tfe/snapshot returns)\n"
    "  --journal N          keep the last N requests for GET /_tfe/requests (default 2000; 0: off)\n"
    "\n"
    "Dashboard (docs/dashboard.md): open /_tfe/ui/ in a browser (a tenant's: /t/NAME/_tfe/ui/); it is\n"
    "kept live by the server-sent events of GET /_tfe/events. Both follow the admin API's access rules.\n"
    "\n"
    "Tenants (docs/testing.md#tenants): POST /_tfe/tenants makes an isolated tfe-server under /t/NAME/.\n"
    "  --max-tenants N      tenants alive at once (default 256; 0: no tenants)\n"
    "  --tenant-journal N   requests each tenant keeps for its GET /_tfe/requests (default 200)\n"
    "\n"
    "Durability (docs/storage.md):\n"
    "  --data-dir DIR       keep the state in DIR (journal files, replayed at start); every write is on\n"
    "                       disk (fdatasync) before it is answered. One server per directory.\n"
    "  --no-fsync           with --data-dir: skip fdatasync (survives a process crash, not a power loss)\n"
    "  --help               this text\n"
    "\n"
    "Durations: a number with a unit, ms, s or m (\"500ms\", \"2s\"); a bare number means seconds.\n"
    "The first line on stdout is exactly \"listening on http://HOST:PORT\". SIGTERM or SIGINT stops the\n"
    "server gracefully (exit status 0).\n";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "tfe-server: %s\n(see tfe-server --help)\n", msg.c_str());
  return 2;
}

std::optional<long long> parse_int(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<tfe::milliseconds> parse_duration(std::string_view s) {
  long long scale = 1000;
  if (s.size() > 2 && s.substr(s.size() - 2) == "ms") {
    scale = 1;
    s.remove_suffix(2);
  } else if (!s.empty() && s.back() == 's') {
    s.remove_suffix(1);
  } else if (!s.empty() && s.back() == 'm') {
    scale = 60000;
    s.remove_suffix(1);
  }
  auto v = parse_int(s);
  if (!v || *v > 86400000) return std::nullopt;
  return tfe::milliseconds(*v * scale);
}

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr a4{};
  if (::inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  in6_addr a6{};
  if (::inet_pton(AF_INET6, host.c_str(), &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint16_t port = 0;
  std::string host = "127.0.0.1";
  std::vector<std::string> tokens;
  std::optional<std::uint64_t> seed;
  tfe::milliseconds plan_duration{0}, apply_duration{0}, cooloff{10000};
  unsigned workers = 2;
  tfe::milliseconds idle_timeout{30000};
  std::size_t max_connections = 1024;
  bool log = false;
  bool manual_clock = false;
  std::string admin_token, snapshot_file, data_dir;
  bool fsync = true;
  bool upload_url_on_read = false;
  std::string base_url;
  std::size_t org_concurrency = 0;
  tfe::milliseconds state_delay{0};
  std::size_t journal = 2000;  // at most 2000 x 2 x 16 KiB of bodies
  tfe_server::tenant_limits tenant_limits;

  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](const char* name) -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      (void)name;
      return std::string_view(argv[++i]);
    };
    if (a == "--help" || a == "-h") {
      std::fputs(usage_text, stdout);
      return 0;
    } else if (a == "--log") {
      log = true;
    } else if (a == "--manual-clock") {
      manual_clock = true;
    } else if (a == "--no-fsync") {
      fsync = false;
    } else if (a == "--upload-url-on-read") {
      upload_url_on_read = true;
    } else if (a == "--port" || a == "--host" || a == "--token" || a == "--seed" || a == "--plan-duration" ||
               a == "--apply-duration" || a == "--cancel-cooloff" || a == "--workers" || a == "--admin-token" ||
               a == "--snapshot" || a == "--journal" || a == "--data-dir" || a == "--idle-timeout" ||
               a == "--max-connections" || a == "--organization-concurrency" || a == "--state-processing-delay" ||
               a == "--base-url" || a == "--max-tenants" || a == "--tenant-journal") {
      auto v = value(argv[i]);
      if (!v) return usage_error(std::string(a) + " needs a value");
      if (a == "--admin-token") {
        if (v->empty()) return usage_error("--admin-token must not be empty");
        admin_token = std::string(*v);
      } else if (a == "--snapshot") {
        snapshot_file = std::string(*v);
      } else if (a == "--base-url") {
        std::string u(*v);
        while (!u.empty() && u.back() == '/') u.pop_back();
        const bool scheme = u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0;
        if (!scheme || u.size() <= 8 || u.find_first_of(" \t\r\n?#") != std::string::npos)
          return usage_error("--base-url must be an http:// or https:// URL without query, e.g. https://tfe.example");
        base_url = std::move(u);
      } else if (a == "--organization-concurrency") {
        auto n = parse_int(*v);
        if (!n || *n > 1000000) return usage_error("--organization-concurrency must be 0-1000000");
        org_concurrency = static_cast<std::size_t>(*n);
      } else if (a == "--state-processing-delay") {
        auto d = parse_duration(*v);
        if (!d) return usage_error("--state-processing-delay: bad duration '" + std::string(*v) + "'");
        state_delay = *d;
      } else if (a == "--max-connections") {
        auto n = parse_int(*v);
        if (!n || *n < 1 || *n > 1000000) return usage_error("--max-connections must be 1-1000000");
        max_connections = static_cast<std::size_t>(*n);
      } else if (a == "--idle-timeout") {
        auto d = parse_duration(*v);
        if (!d || d->count() < 100) return usage_error("--idle-timeout must be a duration of at least 100ms");
        idle_timeout = *d;
      } else if (a == "--data-dir") {
        if (v->empty()) return usage_error("--data-dir must not be empty");
        data_dir = std::string(*v);
      } else if (a == "--max-tenants") {
        auto n = parse_int(*v);
        if (!n || *n > 100000) return usage_error("--max-tenants must be 0-100000");
        tenant_limits.max_tenants = static_cast<std::size_t>(*n);
      } else if (a == "--tenant-journal") {
        auto n = parse_int(*v);
        if (!n || *n > 100000) return usage_error("--tenant-journal must be 0-100000");
        tenant_limits.tenant_journal = static_cast<std::size_t>(*n);
      } else if (a == "--journal") {
        auto n = parse_int(*v);
        if (!n || *n > 10000000) return usage_error("--journal must be 0-10000000");
        journal = static_cast<std::size_t>(*n);
      } else if (a == "--port") {
        auto p = parse_int(*v);
        if (!p || *p > 65535) return usage_error("--port must be 0-65535");
        port = static_cast<std::uint16_t>(*p);
      } else if (a == "--host") {
        host = std::string(*v);
      } else if (a == "--token") {
        if (v->empty()) return usage_error("--token must not be empty");
        tokens.emplace_back(*v);
      } else if (a == "--seed") {
        auto s = parse_int(*v);
        if (!s) return usage_error("--seed must be a non-negative integer");
        seed = static_cast<std::uint64_t>(*s);
      } else if (a == "--workers") {
        auto w = parse_int(*v);
        if (!w || *w < 1 || *w > 64) return usage_error("--workers must be 1-64");
        workers = static_cast<unsigned>(*w);
      } else {
        auto d = parse_duration(*v);
        if (!d) return usage_error(std::string(a) + ": bad duration '" + std::string(*v) + "'");
        if (a == "--plan-duration") plan_duration = *d;
        else if (a == "--apply-duration") apply_duration = *d;
        else cooloff = *d;
      }
    } else {
      return usage_error("unknown argument '" + std::string(a) + "'");
    }
  }
  if (!is_loopback(host) && tokens.empty())
    return usage_error("refusing to listen on non-loopback address " + host + " without --token");

  // Signals are taken by sigwait() in main; every other thread blocks them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  tfe_server::instance_settings settings;
  settings.engine.cancel_cooloff = cooloff;
  settings.engine.organization_concurrency = org_concurrency;
  settings.engine.state_processing_delay = state_delay;
  if (!tokens.empty()) settings.api.auth = tfe::token_auth::tokens(tokens);
  settings.api.upload_url_on_read = upload_url_on_read;
  settings.api.base_url = base_url;
  settings.admin_token = admin_token;
  if (!tokens.empty()) settings.api_token = tokens.front();  // the dashboard reads the API with it
  settings.plan_duration = plan_duration;
  settings.apply_duration = apply_duration;
  settings.journal = journal;
  tfe_server::instance_config root_config;
  root_config.seed = seed;
  root_config.manual_clock = manual_clock;
  server_instance root(settings, root_config);  // the default instance, served at "/"
  server_engine& eng = root.engine();
  tfe_server::tenant_registry tenants(settings, tenant_limits);
  std::unique_ptr<tfe::posix_data_dir> data;
  if (!data_dir.empty()) {
    tfe::data_dir_options dopt;
    dopt.fsync = fsync;
    auto opened = tfe::posix_data_dir::open(data_dir, dopt);
    if (!opened) {
      std::fprintf(stderr, "tfe-server: %s\n", opened.error().message.c_str());
      return 1;
    }
    data = std::move(*opened);
    auto loaded = data->load(eng);
    if (!loaded) {
      std::fprintf(stderr, "tfe-server: %s\n", loaded.error().message.c_str());
      return 1;
    }
    std::fprintf(stderr, "tfe-server: %s\n", loaded->c_str());
    if (!snapshot_file.empty() && !eng.list_organizations()->items.empty()) {
      std::fprintf(stderr, "tfe-server: %s holds state already: --snapshot %s is not loaded\n", data_dir.c_str(),
                   snapshot_file.c_str());
      snapshot_file.clear();
    }
  }
  if (!snapshot_file.empty()) {
    std::string text;
    if (!read_file(snapshot_file, text)) {
      std::fprintf(stderr, "tfe-server: cannot read snapshot %s: %s\n", snapshot_file.c_str(), std::strerror(errno));
      return 1;
    }
    auto doc = tfe::json::parse(text);
    if (!doc) {
      std::fprintf(stderr, "tfe-server: %s: %s\n", snapshot_file.c_str(), doc.error().message.c_str());
      return 1;
    }
    if (auto r = eng.restore(*doc); !r) {
      std::fprintf(stderr, "tfe-server: %s: %s%s%s\n", snapshot_file.c_str(), r.error().message.c_str(),
                   r.error().pointer.empty() ? "" : " at ", r.error().pointer.c_str());
      return 1;
    }
    if (data)
      if (auto r = data->sync(eng); !r) {
        std::fprintf(stderr, "tfe-server: %s\n", r.error().message.c_str());
        return 1;
      }
  }

  // The driver moves the runs of every instance along under the system clock: it wakes at the next
  // due step of any of them, or when a request may have scheduled one.
  std::mutex drive_mu;
  std::condition_variable drive_cv;
  bool drive_kick = false, drive_stop = false;
  std::thread driver([&] {
    std::unique_lock<std::mutex> lk(drive_mu);
    while (!drive_stop) {
      lk.unlock();
      auto wait = std::chrono::milliseconds(1000);
      auto drive = [&](server_engine& e) {
        e.poll();
        auto due = e.next_due();
        if (due && !e.clock().frozen()) {  // frozen time moves only through the admin API (which kicks)
          auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(*due - e.now());
          if (delta < wait) wait = delta < std::chrono::milliseconds(0) ? std::chrono::milliseconds(0) : delta;
        }
      };
      drive(eng);
      if (data)
        if (auto r = data->sync(eng); !r) std::fprintf(stderr, "tfe-server: %s\n", r.error().message.c_str());
      for (const auto& t : tenants.all()) drive(t->engine());
      lk.lock();
      drive_cv.wait_for(lk, wait, [&] { return drive_kick || drive_stop; });
      drive_kick = false;
    }
  });
  auto kick = [&] {
    {
      std::lock_guard<std::mutex> g(drive_mu);
      drive_kick = true;
    }
    drive_cv.notify_one();
  };

  tfe::http_server_options so;
  so.host = host;
  so.port = port;
  so.workers = workers;
  so.idle_timeout = idle_timeout;
  so.max_connections = max_connections;
  so.max_body_bytes = settings.api.max_upload_bytes;
  // "/t/NAME/..." goes to the tenant NAME without its prefix, /_tfe/tenants to the registry (under the
  // admin rules), everything else to the default instance.
  auto own_origin = [&](const tfe::http_request& req) {
    if (!base_url.empty()) return base_url;
    std::string_view h = req.header("Host");
    const bool ok = !h.empty() && h.size() < 256 && h.find_first_of(" /\\\t\"?#@") == std::string_view::npos;
    return "http://" + (ok ? std::string(h) : std::string("localhost"));
  };
  tfe::posix_http_server server(
      [&](tfe::http_request& req) -> tfe::http_server_response {
        const std::string_view path = req.path();
        if (path.size() > 2 && path[0] == '/' && path[1] == 't' && path[2] == '/') {
          std::string_view name;
          std::string rest;
          tfe_server::split_tenant_target(req.target, name, rest);
          auto t = tenants.find(name);
          if (!t)
            return tfe::error_response(tfe::errc::not_found, "No tenant named '" + std::string(name.substr(0, 64)) +
                                                                 "' (POST /_tfe/tenants makes one)");
          req.target = std::move(rest);
          tfe::http_server_response res = t->handle(req);
          if (req.method != "GET" && req.method != "HEAD") kick();
          return res;
        }
        if (path == "/_tfe/tenants" || path.substr(0, 14) == "/_tfe/tenants/") {
          tfe::http_response refusal;
          if (!root.admin().authorized(req, refusal)) return refusal;
          tfe::http_response res = tenants.handle(req, own_origin(req));
          res.set_header("Cache-Control", "no-store");
          if (req.method == "HEAD") res.body.clear();
          return res;
        }
        tfe::http_server_response res = root.handle(req);
        if (data) {
          // Acknowledge nothing that is not on disk: a failed sync turns the answer into a 500.
          if (auto r = data->sync(eng); !r) res = tfe::error_response(r.error());
        }
        if (req.method != "GET" && req.method != "HEAD") kick();
        return res;
      },
      so);
  if (log) {
    server.set_access_log(
        [](const tfe::http_request& req, const tfe::http_response& res, std::chrono::microseconds us) {
          std::fprintf(stderr, "%s \"%s %s\" %d %zu %.3fms\n",
                       req.remote_address.empty() ? "-" : req.remote_address.c_str(), req.method.c_str(),
                       req.target.substr(0, 512).c_str(), res.status, res.body.size(),
                       static_cast<double>(us.count()) / 1000.0);
        });
  }
  auto bound = server.start();
  if (!bound) {
    {
      std::lock_guard<std::mutex> g(drive_mu);
      drive_stop = true;
    }
    drive_cv.notify_one();
    driver.join();
    std::fprintf(stderr, "tfe-server: %s\n", bound.error().message.c_str());
    return 1;
  }
  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::printf("listening on http://%s:%u\n", shown_host.c_str(), static_cast<unsigned>(*bound));
  std::fflush(stdout);

  int sig = 0;
  sigwait(&sigs, &sig);
  server.stop();
  {
    std::lock_guard<std::mutex> g(drive_mu);
    drive_stop = true;
  }
  drive_cv.notify_one();
  driver.join();
  if (data)  // what the last steps wrote (journal records wait in a buffer until a sync)
    if (auto r = data->sync(eng); !r) {
      std::fprintf(stderr, "tfe-server: %s\n", r.error().message.c_str());
      return 1;
    }
  return 0;
}
