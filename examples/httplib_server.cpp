// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Bring your own HTTP server: tfe::api (the JSON:API handler over tfe::engine) served by cpp-httplib.
#include <tfe/tfe.hpp>

#include <httplib.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace {

/// Converts a cpp-httplib request into the transport-neutral request tfe's API layer takes.
tfe::http_request to_tfe(const httplib::Request& in) {
  tfe::http_request out;
  out.method = in.method;
  // req.target is the raw request-target (still percent-encoded), which is what tfe parses. Without it,
  // rebuild one from the decoded path and parameters.
  if (!in.target.empty() && in.target[0] == '/') {
    out.target = in.target;
  } else {
    out.target = in.path;
    char sep = '?';
    for (const auto& p : in.params) {
      out.target += sep;
      tfe::append_query_escaped(out.target, p.first);
      out.target += '=';
      tfe::append_query_escaped(out.target, p.second);
      sep = '&';
    }
  }
  for (const auto& h : in.headers) out.headers.emplace_back(h.first, h.second);
  out.body = in.body;
  out.remote_address = in.remote_addr + ":" + std::to_string(in.remote_port);
  return out;
}

/// Copies tfe's response into cpp-httplib's (which adds Content-Length itself).
void from_tfe(tfe::http_response&& in, httplib::Response& out) {
  out.status = in.status;
  std::string content_type;
  for (auto& h : in.headers) {
    if (tfe::detail::iequals(h.first, "Content-Type")) content_type = std::move(h.second);
    else if (!tfe::detail::iequals(h.first, "Content-Length")) out.set_header(h.first.c_str(), h.second);
  }
  if (!in.body.empty() || !content_type.empty())
    out.set_content(std::move(in.body), content_type.empty() ? "application/octet-stream" : content_type.c_str());
}

/// The path-and-query of an absolute URL ("http://h:1/x?y" -> "/x?y").
std::string path_of(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? std::string("/") : url.substr(slash);
}

/// A tiny client over httplib::Client that prints each step and keeps the parsed JSON:API document.
struct client {
  httplib::Client& http;
  tfe::json last;

  int send(const std::string& method, const std::string& path, const std::string& body = {},
           const char* content_type = "application/vnd.api+json") {
    httplib::Result r = method == "GET"   ? http.Get(path.c_str())
                        : method == "PUT" ? http.Put(path.c_str(), body, content_type)
                                          : http.Post(path.c_str(), body, content_type);
    if (!r) {
      std::printf("%-4s %s -> transport error %d\n", method.c_str(), path.c_str(), static_cast<int>(r.error()));
      last = tfe::json();
      return 0;
    }
    auto parsed = tfe::json::parse(r->body);
    last = parsed ? *parsed : tfe::json();
    std::printf("%-4s %s -> %d\n", method.c_str(), path.c_str(), r->status);
    if (r->status >= 400) std::printf("     error: %s\n", r->body.c_str());
    return r->status;
  }
  const tfe::json& doc() const { return last; }
  std::string id() const { return std::string(doc()["data"]["id"].as_string().value_or("")); }
  std::string attr(const char* name) const {
    return std::string(doc()["data"]["attributes"][name].as_string().value_or(""));
  }
};

}  // namespace

int main() {
  tfe::engine eng;    // system clock, random ids, std::mutex: safe on httplib's worker threads
  tfe::api api(eng);  // polls the engine before each request (api_options::poll_engine)

  httplib::Server server;
  const auto serve = [&api](const httplib::Request& req, httplib::Response& res) {
    from_tfe(api.handle(to_tfe(req)), res);
  };
  // Every path and method goes to tfe; HEAD is served by the GET route (httplib drops the body).
  server.Get(".*", serve)
      .Post(".*", serve)
      .Put(".*", serve)
      .Patch(".*", serve)
      .Delete(".*", serve)
      .Options(".*", serve);

  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "cannot bind 127.0.0.1\n");
    return 1;
  }
  // The socket already listens: requests sent before the loop starts wait in the backlog.
  std::thread loop([&server] { server.listen_after_bind(); });
  std::printf("cpp-httplib %s serving tfe on http://127.0.0.1:%d\n", CPPHTTPLIB_VERSION, port);

  httplib::Client http("127.0.0.1", port);
  http.set_default_headers({{"Authorization", "Bearer example-token"}, {"Accept", "application/vnd.api+json"}});
  client c{http, {}};
  bool ok = true;
  auto check = [&ok](bool cond, const char* what) {
    if (!cond) {
      std::printf("UNEXPECTED: %s\n", what);
      ok = false;
    }
  };

  check(
      c.send(
          "POST", "/api/v2/organizations",
          R"({"data":{"type":"organizations","attributes":{"name":"acme","email":"ops@acme.example","cost-estimation-enabled":false}}})") ==
          201,
      "organization created");
  check(c.send("POST", "/api/v2/organizations/acme/workspaces",
               R"({"data":{"type":"workspaces","attributes":{"name":"prod"}}})") == 201,
        "workspace created");
  const std::string ws = c.id();
  std::printf("     workspace %s\n", ws.c_str());

  check(c.send("POST", "/api/v2/workspaces/" + ws + "/configuration-versions",
               R"({"data":{"type":"configuration-versions"}})") == 201,
        "configuration version created");
  const std::string cv = c.id();
  const std::string upload_url = c.attr("upload-url");
  std::printf("     configuration version %s, upload-url %s\n", cv.c_str(), upload_url.c_str());

  // The upload URL is absolute (http://127.0.0.1:PORT/v1/object/upload/<token>): PUT to its path, no token needed.
  const std::string upload_path = path_of(upload_url);
  check(c.send("PUT", upload_path, std::string("\x1f\x8b\x08\x00main.tf", 11), "application/octet-stream") == 200,
        "upload accepted");

  // The upload queued a run. Each request polls the engine, so with zero plan time a few GETs suffice.
  std::string run_id, status;
  for (int i = 0; i < 50 && status != "planned"; ++i) {
    if (c.send("GET", "/api/v2/workspaces/" + ws + "/runs") != 200) break;
    const tfe::json& newest = c.doc()["data"][0];
    run_id = std::string(newest["id"].as_string().value_or(""));
    status = std::string(newest["attributes"]["status"].as_string().value_or(""));
    std::printf("     run %s is %s\n", run_id.c_str(), status.c_str());
  }
  check(status == "planned", "run planned");

  check(c.send("POST", "/api/v2/runs/" + run_id + "/actions/apply", R"({"comment":"applied through cpp-httplib"})") ==
            202,
        "apply accepted");
  for (int i = 0; i < 50 && status != "applied"; ++i) {
    if (c.send("GET", "/api/v2/runs/" + run_id) != 200) break;
    status = c.attr("status");
    std::printf("     run %s is %s\n", run_id.c_str(), status.c_str());
  }
  check(status == "applied", "run applied");

  // The query string reaches tfe still encoded, as it was sent.
  check(c.send("GET", "/api/v2/workspaces/" + ws + "/runs?filter%5Bstatus%5D=applied&page%5Bsize%5D=5") == 200,
        "filtered list");
  const tfe::json& pagination = c.doc()["meta"]["pagination"];
  std::printf("     filter[status]=applied: %lld run(s), page-size %lld\n",
              static_cast<long long>(pagination["total-count"].as_int().value_or(-1)),
              static_cast<long long>(pagination["page-size"].as_int().value_or(-1)));
  check(pagination["total-count"].as_int().value_or(-1) == 1 && pagination["page-size"].as_int().value_or(-1) == 5,
        "query parameters passed through");

  server.stop();
  loop.join();
  std::printf("%s\n", ok ? "OK: the run went from upload to applied through cpp-httplib" : "FAILED");
  return ok ? 0 : 1;
}
