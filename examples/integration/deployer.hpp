// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A sample "TFE integration", written the way a team would write one for its deploy tooling:
// start a run on a workspace, wait for its plan, then apply it or discard it. Its tests
// (deployer.test.cpp) run it against tfe in-process: injected 429 storms, errored plans, and a
// request journal to assert what it sent.
//
// The class talks HTTP through one function, `send(request) -> response`: production code passes
// a real HTTP client, tests pass tfe::in_process_transport. Waiting goes through `sleep(duration)`:
// production sleeps, tests move tfe's manual clock instead.
#ifndef TFE_EXAMPLES_DEPLOYER_HPP
#define TFE_EXAMPLES_DEPLOYER_HPP

#include <tfe/tfe.hpp>  // tfe::http_request/http_response and tfe::json; any HTTP and JSON library would do

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace deploy {

/// What the plan proposes, as the approval callback sees it.
struct plan_summary {
  std::string run_id;          ///< the run
  long long additions = 0;     ///< resources to add
  long long changes = 0;       ///< resources to change
  long long destructions = 0;  ///< resources to destroy
};

/// How a deploy ended.
struct outcome {
  std::string run_id;  ///< the run it started (empty when none was created)
  std::string status;  ///< the run's final status ("applied", "discarded", "errored", ...) or "failed"
  std::string error;   ///< why it failed or errored (the plan or apply log's error line, or an HTTP error)
  bool ok() const { return status == "applied" || status == "planned_and_finished"; }
};

/// Triggers, waits for and finishes runs through the TFE API.
class deployer {
 public:
  using send_fn = std::function<tfe::http_response(const tfe::http_request&)>;  ///< one HTTP exchange
  using sleep_fn = std::function<void(std::chrono::milliseconds)>;              ///< waits

  /// Settings.
  struct options {
    std::string token = "deploy-token";             ///< bearer token
    int max_rate_limit_retries = 5;                 ///< 429s tolerated per request
    std::chrono::milliseconds poll_interval{2000};  ///< time between status reads
    int max_polls = 900;                            ///< then give up (30 minutes at 2 s)
  };

  /// A deployer sending through `send` and waiting through `sleep`.
  deployer(send_fn send, sleep_fn sleep, options o)
      : send_(std::move(send)), sleep_(std::move(sleep)), opt_(std::move(o)) {}

  /// Starts a run on `workspace_id`, waits for the plan, applies it when `approve(plan)` says yes
  /// (or finishes at once when there is nothing to change), discards it otherwise, and waits for the end.
  outcome deploy(const std::string& workspace_id, const std::string& message,
                 const std::function<bool(const plan_summary&)>& approve) {
    outcome out;
    auto created = call("POST", "/api/v2/runs",
                        R"({"data":{"type":"runs","attributes":{"message":)" + quoted(message) +
                            R"(},"relationships":{"workspace":{"data":{"type":"workspaces","id":)" +
                            quoted(workspace_id) + "}}}}}");
    if (!created.doc) return failed(out, created.error);
    out.run_id = std::string(created.doc->operator[]("data")["id"].as_string().value_or(""));
    for (int i = 0; i < opt_.max_polls; ++i) {
      auto run = call("GET", "/api/v2/runs/" + out.run_id, {});
      if (!run.doc) return failed(out, run.error);
      const tfe::json& attrs = (*run.doc)["data"]["attributes"];
      const std::string status(attrs["status"].as_string().value_or(""));
      if (attrs["actions"]["is-confirmable"].as_bool().value_or(false)) {
        plan_summary p = summary(out.run_id);
        const bool yes = approve(p);
        auto act = call("POST", "/api/v2/runs/" + out.run_id + (yes ? "/actions/apply" : "/actions/discard"),
                        R"({"comment":"deployer: )" + std::string(yes ? "approved" : "rejected") + "\"}");
        if (!act.doc && act.status != 202) return failed(out, act.error);
        continue;  // read the status again at once
      }
      if (is_final(status)) {
        out.status = status;
        if (status == "errored") out.error = error_line(out.run_id);
        return out;
      }
      sleep_(opt_.poll_interval);
    }
    return failed(out, "gave up waiting for run " + out.run_id);
  }

 private:
  struct reply {
    int status = 0;
    std::optional<tfe::json> doc;  // set on 2xx with a JSON body
    std::string error;
  };

  static bool is_final(const std::string& s) {
    return s == "applied" || s == "discarded" || s == "errored" || s == "canceled" || s == "force_canceled" ||
           s == "planned_and_finished" || s == "policy_soft_failed";
  }
  static std::string quoted(const std::string& s) { return tfe::json(s).dump(); }
  static outcome& failed(outcome& o, std::string why) {
    o.status = "failed";
    o.error = std::move(why);
    return o;
  }

  // One API call, retrying 429 answers after the time the server asks for.
  reply call(const std::string& method, const std::string& target, const std::string& body) {
    tfe::http_request req;
    req.method = method;
    req.target = target;
    req.headers = {{"Authorization", "Bearer " + opt_.token}, {"Accept", "application/vnd.api+json"}};
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/vnd.api+json");
    req.body = body;
    for (int attempt = 0;; ++attempt) {
      tfe::http_response res = send_(req);
      if (res.status == 429 && attempt < opt_.max_rate_limit_retries) {
        sleep_(retry_delay(res));
        continue;
      }
      reply r;
      r.status = res.status;
      if (res.status >= 200 && res.status < 300) {
        if (res.body.empty()) return r;
        auto doc = tfe::json::parse(res.body);
        if (doc) r.doc = std::move(*doc);
        else r.error = "unreadable response to " + method + " " + target;
        return r;
      }
      r.error = method + " " + target + ": HTTP " + std::to_string(res.status);
      if (auto doc = tfe::json::parse(res.body))
        if (auto d = (*doc)["errors"][0]["detail"].as_string()) r.error += ": " + std::string(*d);
      return r;
    }
  }

  // TFE says when to come back: X-RateLimit-Reset (seconds, fractional), else Retry-After.
  static std::chrono::milliseconds retry_delay(const tfe::http_response& res) {
    for (const char* h : {"X-RateLimit-Reset", "Retry-After"}) {
      const std::string v(res.header(h));
      if (v.empty()) continue;
      const double secs = std::strtod(v.c_str(), nullptr);
      if (secs > 0 && secs < 3600) return std::chrono::milliseconds(static_cast<long long>(std::ceil(secs * 1000)));
    }
    return std::chrono::milliseconds(1000);
  }

  plan_summary summary(const std::string& run_id) {
    plan_summary p;
    p.run_id = run_id;
    auto plan = call("GET", "/api/v2/runs/" + run_id + "/plan", {});
    if (!plan.doc) return p;
    const tfe::json& a = (*plan.doc)["data"]["attributes"];
    p.additions = a["resource-additions"].as_int().value_or(0);
    p.changes = a["resource-changes"].as_int().value_or(0);
    p.destructions = a["resource-destructions"].as_int().value_or(0);
    return p;
  }

  // The "Error: ..." line of the plan's (or apply's) log: a line of the human-readable log, or the
  // "@message" of an error line of the structured (JSON lines) log that workspaces with
  // structured-run-output-enabled produce.
  std::string error_line(const std::string& run_id) {
    for (const char* phase : {"/plan", "/apply"}) {
      auto doc = call("GET", "/api/v2/runs/" + run_id + phase, {});
      if (!doc.doc) continue;
      auto url = (*doc.doc)["data"]["attributes"]["log-read-url"].as_string();
      if (!url) continue;
      tfe::http_request req;
      req.method = "GET";
      const std::string u(*url);
      const auto scheme = u.find("://");
      req.target = scheme == std::string::npos ? u : u.substr(u.find('/', scheme + 3));
      const tfe::http_response log = send_(req);
      std::size_t start = 0;
      while (start < log.body.size()) {
        std::size_t end = log.body.find_first_of("\n\x03", start);
        if (end == std::string::npos) end = log.body.size();
        const std::string_view line(log.body.data() + start, end - start);
        start = end + 1;
        if (!line.empty() && line.front() == '{') {
          auto entry = tfe::json::parse(line);
          if (entry && (*entry)["@level"].as_string() == std::optional<std::string_view>("error"))
            if (auto m = (*entry)["@message"].as_string()) return std::string(*m);
        } else if (line.substr(0, 7) == "Error: ") {
          return std::string(line);
        }
      }
    }
    return "the run errored";
  }

  send_fn send_;
  sleep_fn sleep_;
  options opt_;
};

}  // namespace deploy

#endif  // TFE_EXAMPLES_DEPLOYER_HPP
