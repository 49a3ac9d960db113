// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// JSON benchmarks: tfe vs RapidJSON vs nlohmann/json on TFE-shaped JSON:API documents.
//
// Documents (generated below, deterministic):
//   run   one `runs` resource as GET /runs/:id returns it (~1.7 KB)
//   list  20 runs with links and meta.pagination, as GET /workspaces/:id/runs returns it (~35 KB)
// Results and the exact command line: docs/performance.md#json.

#include <tfe/tfe.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#if TFE_BENCH_HAS_RAPIDJSON
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#endif
#if TFE_BENCH_HAS_NLOHMANN
#include <nlohmann/json.hpp>
#endif

namespace {

// ---------------------------------------------------------------------------
// A plain struct shaped like the engine's view of a run (what the JSON:API
// serializer turns into a `runs` resource).
// ---------------------------------------------------------------------------
struct run_view {
  std::string id;
  std::string status;
  std::vector<std::pair<std::string, std::string>> status_timestamps;
  bool is_cancelable = false, is_confirmable = false, is_discardable = false, is_force_cancelable = false;
  bool can_apply = true, can_cancel = true, can_discard = true, can_force_cancel = true, can_force_execute = true;
  std::string created_at;
  std::string message;
  std::string source;
  std::string trigger_reason;
  std::string terraform_version;
  bool has_changes = false, is_destroy = false, refresh = true, refresh_only = false, plan_only = false;
  bool auto_apply = false, allow_empty_apply = false, save_plan = false;
  std::int64_t position_in_queue = 0;
  std::vector<std::string> target_addrs;
  std::string workspace_id, plan_id, apply_id, configuration_version_id, created_by_id;
};

std::string fake_id(const char* prefix, unsigned n) {
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::string s = prefix;
  std::uint32_t x = 2166136261u ^ n;
  for (int i = 0; i < 16; ++i) {
    x = x * 1103515245u + 12345u;
    s.push_back(alphabet[(x >> 16) % (sizeof(alphabet) - 1)]);
  }
  return s;
}

run_view make_run(unsigned n) {
  static const char* statuses[] = {"planned", "applied", "planning", "errored", "discarded", "pending"};
  run_view r;
  r.id = fake_id("run-", n);
  r.status = statuses[n % 6];
  const char* keys[] = {"plan-queueable-at", "plan-queued-at",  "planning-at", "planned-at",
                        "confirmed-at",      "apply-queued-at", "applying-at", "applied-at"};
  const unsigned nts = 3 + n % 6;
  for (unsigned i = 0; i < nts; ++i) {
    char t[32];
    std::snprintf(t, sizeof t, "2024-05-%02uT12:%02u:%02u+00:00", 1 + n % 28, (i * 7) % 60, (n * 13 + i) % 60);
    r.status_timestamps.emplace_back(keys[i], t);
  }
  r.is_cancelable = n % 3 == 0;
  r.is_confirmable = n % 6 == 0;
  r.is_discardable = n % 6 == 0;
  r.created_at = "2024-05-01T12:00:00.000Z";
  r.message = n % 4 == 0 ? "Queued manually via the Terraform Enterprise API"
                         : "Triggered by \"terraform apply\" from CI pipeline #" + std::to_string(1000 + n);
  r.source = "tfe-api";
  r.trigger_reason = "manual";
  r.terraform_version = "1.7.5";
  r.has_changes = n % 2 == 0;
  r.is_destroy = n % 10 == 9;
  r.position_in_queue = static_cast<std::int64_t>(n % 4);
  if (n % 5 == 0) r.target_addrs = {"module.network.aws_vpc.main", "aws_instance.web[0]"};
  r.workspace_id = fake_id("ws-", 7);
  r.plan_id = fake_id("plan-", n);
  r.apply_id = fake_id("apply-", n);
  r.configuration_version_id = fake_id("cv-", n / 2);
  r.created_by_id = fake_id("user-", 1);
  return r;
}

// ---------------------------------------------------------------------------
// tfe::json_writer: struct -> JSON:API `runs` resource.
// ---------------------------------------------------------------------------
void write_related(tfe::json_writer& w, const char* name, const char* type, const std::string& id,
                   const std::string& run_id, const char* path) {
  w.key(name).begin_object();
  w.key("data").begin_object().member("id", id).member("type", type).end_object();
  if (path != nullptr) {
    std::string link = "/api/v2/runs/" + run_id + path;
    w.key("links").begin_object().member("related", link).end_object();
  }
  w.end_object();
}

void write_run_tfe(tfe::json_writer& w, const run_view& r) {
  w.begin_object();
  w.member("id", r.id).member("type", "runs");
  w.key("attributes").begin_object();
  w.key("actions")
      .begin_object()
      .member("is-cancelable", r.is_cancelable)
      .member("is-confirmable", r.is_confirmable)
      .member("is-discardable", r.is_discardable)
      .member("is-force-cancelable", r.is_force_cancelable)
      .end_object();
  w.member("allow-empty-apply", r.allow_empty_apply).member("auto-apply", r.auto_apply);
  w.key("canceled-at").null_value();
  w.member("created-at", r.created_at);
  w.key("force-cancel-available-at").null_value();
  w.member("has-changes", r.has_changes).member("is-destroy", r.is_destroy).member("message", r.message);
  w.key("permissions")
      .begin_object()
      .member("can-apply", r.can_apply)
      .member("can-cancel", r.can_cancel)
      .member("can-discard", r.can_discard)
      .member("can-force-cancel", r.can_force_cancel)
      .member("can-force-execute", r.can_force_execute)
      .end_object();
  w.member("plan-only", r.plan_only).member("position-in-queue", r.position_in_queue);
  w.member("refresh", r.refresh).member("refresh-only", r.refresh_only).member("save-plan", r.save_plan);
  w.member("source", r.source).member("status", r.status);
  w.key("status-timestamps").begin_object();
  for (const auto& ts : r.status_timestamps) w.member(ts.first, ts.second);
  w.end_object();
  w.key("target-addrs");
  if (r.target_addrs.empty()) {
    w.null_value();
  } else {
    w.begin_array();
    for (const auto& a : r.target_addrs) w.value(a);
    w.end_array();
  }
  w.member("terraform-version", r.terraform_version).member("trigger-reason", r.trigger_reason);
  w.key("variables").begin_array().end_array();
  w.end_object();
  w.key("relationships").begin_object();
  write_related(w, "apply", "applies", r.apply_id, r.id, "/apply");
  write_related(w, "configuration-version", "configuration-versions", r.configuration_version_id, r.id,
                "/configuration-version");
  w.key("cost-estimate").begin_object().key("data").null_value().end_object();
  write_related(w, "created-by", "users", r.created_by_id, r.id, "/created-by");
  write_related(w, "plan", "plans", r.plan_id, r.id, "/plan");
  w.key("policy-checks").begin_object().key("data").begin_array().end_array().end_object();
  write_related(w, "workspace", "workspaces", r.workspace_id, r.id, nullptr);
  w.end_object();
  w.key("links").begin_object().member("self", "/api/v2/runs/" + r.id).end_object();
  w.end_object();
}

void write_run_doc_tfe(std::string& out, const run_view& r) {
  tfe::json_writer w(out);
  w.begin_object().key("data");
  write_run_tfe(w, r);
  w.end_object();
}

void write_list_doc_tfe(std::string& out, const std::vector<run_view>& runs) {
  tfe::json_writer w(out);
  w.begin_object().key("data").begin_array();
  for (const auto& r : runs) write_run_tfe(w, r);
  w.end_array();
  const std::string base = "/api/v2/workspaces/" + runs[0].workspace_id + "/runs?page%5Bnumber%5D=";
  w.key("links")
      .begin_object()
      .member("self", base + "1&page%5Bsize%5D=20")
      .member("first", base + "1&page%5Bsize%5D=20")
      .key("prev")
      .null_value()
      .member("next", base + "2&page%5Bsize%5D=20")
      .member("last", base + "5&page%5Bsize%5D=20")
      .end_object();
  w.key("meta")
      .begin_object()
      .key("pagination")
      .begin_object()
      .member("current-page", 1)
      .key("prev-page")
      .null_value()
      .member("next-page", 2)
      .member("total-pages", 5)
      .member("total-count", 97)
      .member("page-size", 20)
      .end_object()
      .end_object();
  w.end_object();
}

#if TFE_BENCH_HAS_RAPIDJSON
// ---------------------------------------------------------------------------
// RapidJSON Writer<StringBuffer>: the same document from the same struct.
// ---------------------------------------------------------------------------
using rj_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void rj_str(rj_writer& w, const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void rj_key(rj_writer& w, const char* k) { w.Key(k); }

void rj_related(rj_writer& w, const char* name, const char* type, const std::string& id, const std::string& run_id,
                const char* path) {
  rj_key(w, name);
  w.StartObject();
  rj_key(w, "data");
  w.StartObject();
  rj_key(w, "id");
  rj_str(w, id);
  rj_key(w, "type");
  w.String(type);
  w.EndObject();
  if (path != nullptr) {
    std::string link = "/api/v2/runs/" + run_id + path;
    rj_key(w, "links");
    w.StartObject();
    rj_key(w, "related");
    rj_str(w, link);
    w.EndObject();
  }
  w.EndObject();
}

void write_run_rj(rj_writer& w, const run_view& r) {
  w.StartObject();
  rj_key(w, "id");
  rj_str(w, r.id);
  rj_key(w, "type");
  w.String("runs");
  rj_key(w, "attributes");
  w.StartObject();
  rj_key(w, "actions");
  w.StartObject();
  rj_key(w, "is-cancelable");
  w.Bool(r.is_cancelable);
  rj_key(w, "is-confirmable");
  w.Bool(r.is_confirmable);
  rj_key(w, "is-discardable");
  w.Bool(r.is_discardable);
  rj_key(w, "is-force-cancelable");
  w.Bool(r.is_force_cancelable);
  w.EndObject();
  rj_key(w, "allow-empty-apply");
  w.Bool(r.allow_empty_apply);
  rj_key(w, "auto-apply");
  w.Bool(r.auto_apply);
  rj_key(w, "canceled-at");
  w.Null();
  rj_key(w, "created-at");
  rj_str(w, r.created_at);
  rj_key(w, "force-cancel-available-at");
  w.Null();
  rj_key(w, "has-changes");
  w.Bool(r.has_changes);
  rj_key(w, "is-destroy");
  w.Bool(r.is_destroy);
  rj_key(w, "message");
  rj_str(w, r.message);
  rj_key(w, "permissions");
  w.StartObject();
  rj_key(w, "can-apply");
  w.Bool(r.can_apply);
  rj_key(w, "can-cancel");
  w.Bool(r.can_cancel);
  rj_key(w, "can-discard");
  w.Bool(r.can_discard);
  rj_key(w, "can-force-cancel");
  w.Bool(r.can_force_cancel);
  rj_key(w, "can-force-execute");
  w.Bool(r.can_force_execute);
  w.EndObject();
  rj_key(w, "plan-only");
  w.Bool(r.plan_only);
  rj_key(w, "position-in-queue");
  w.Int64(r.position_in_queue);
  rj_key(w, "refresh");
  w.Bool(r.refresh);
  rj_key(w, "refresh-only");
  w.Bool(r.refresh_only);
  rj_key(w, "save-plan");
  w.Bool(r.save_plan);
  rj_key(w, "source");
  rj_str(w, r.source);
  rj_key(w, "status");
  rj_str(w, r.status);
  rj_key(w, "status-timestamps");
  w.StartObject();
  for (const auto& ts : r.status_timestamps) {
    w.Key(ts.first.data(), static_cast<rapidjson::SizeType>(ts.first.size()));
    rj_str(w, ts.second);
  }
  w.EndObject();
  rj_key(w, "target-addrs");
  if (r.target_addrs.empty()) {
    w.Null();
  } else {
    w.StartArray();
    for (const auto& a : r.target_addrs) rj_str(w, a);
    w.EndArray();
  }
  rj_key(w, "terraform-version");
  rj_str(w, r.terraform_version);
  rj_key(w, "trigger-reason");
  rj_str(w, r.trigger_reason);
  rj_key(w, "variables");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  rj_key(w, "relationships");
  w.StartObject();
  rj_related(w, "apply", "applies", r.apply_id, r.id, "/apply");
  rj_related(w, "configuration-version", "configuration-versions", r.configuration_version_id, r.id,
             "/configuration-version");
  rj_key(w, "cost-estimate");
  w.StartObject();
  rj_key(w, "data");
  w.Null();
  w.EndObject();
  rj_related(w, "created-by", "users", r.created_by_id, r.id, "/created-by");
  rj_related(w, "plan", "plans", r.plan_id, r.id, "/plan");
  rj_key(w, "policy-checks");
  w.StartObject();
  rj_key(w, "data");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  rj_related(w, "workspace", "workspaces", r.workspace_id, r.id, nullptr);
  w.EndObject();
  rj_key(w, "links");
  w.StartObject();
  rj_key(w, "self");
  rj_str(w, "/api/v2/runs/" + r.id);
  w.EndObject();
  w.EndObject();
}

void write_list_rj(rj_writer& w, const std::vector<run_view>& runs) {
  w.StartObject();
  rj_key(w, "data");
  w.StartArray();
  for (const auto& r : runs) write_run_rj(w, r);
  w.EndArray();
  const std::string base = "/api/v2/workspaces/" + runs[0].workspace_id + "/runs?page%5Bnumber%5D=";
  rj_key(w, "links");
  w.StartObject();
  rj_key(w, "self");
  rj_str(w, base + "1&page%5Bsize%5D=20");
  rj_key(w, "first");
  rj_str(w, base + "1&page%5Bsize%5D=20");
  rj_key(w, "prev");
  w.Null();
  rj_key(w, "next");
  rj_str(w, base + "2&page%5Bsize%5D=20");
  rj_key(w, "last");
  rj_str(w, base + "5&page%5Bsize%5D=20");
  w.EndObject();
  rj_key(w, "meta");
  w.StartObject();
  rj_key(w, "pagination");
  w.StartObject();
  rj_key(w, "current-page");
  w.Int(1);
  rj_key(w, "prev-page");
  w.Null();
  rj_key(w, "next-page");
  w.Int(2);
  rj_key(w, "total-pages");
  w.Int(5);
  rj_key(w, "total-count");
  w.Int(97);
  rj_key(w, "page-size");
  w.Int(20);
  w.EndObject();
  w.EndObject();
  w.EndObject();
}
#endif

// ---------------------------------------------------------------------------
// Fixtures.
// ---------------------------------------------------------------------------
struct documents {
  run_view run;
  std::vector<run_view> runs;
  std::string run_text;
  std::string list_text;

  documents() : run(make_run(4)) {
    for (unsigned i = 0; i < 20; ++i) runs.push_back(make_run(100 + i));
    write_run_doc_tfe(run_text, run);
    write_list_doc_tfe(list_text, runs);
#if TFE_BENCH_HAS_RAPIDJSON
    // The RapidJSON writer must produce the very same bytes, or the comparison is unfair.
    rapidjson::StringBuffer sb;
    rj_writer w(sb);
    write_list_rj(w, runs);
    if (list_text != sb.GetString()) {
      std::fprintf(stderr, "json_bench: tfe and RapidJSON writers disagree\n");
      std::abort();
    }
#endif
    if (!tfe::json::parse(run_text) || !tfe::json::parse(list_text)) {
      std::fprintf(stderr, "json_bench: generated documents do not parse\n");
      std::abort();
    }
  }
};

const documents& docs() {
  static const documents d;
  return d;
}

const std::string& text_of(int which) { return which == 0 ? docs().run_text : docs().list_text; }

void label(benchmark::State& state, int which) {
  state.SetLabel(which == 0 ? "run 1 doc" : "list 20 runs");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text_of(which).size()));
}

// ---------------------------------------------------------------------------
// Parse.
// ---------------------------------------------------------------------------
void bm_parse_tfe(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const std::string& text = text_of(which);
  for (auto _ : state) {
    auto v = tfe::json::parse(text);
    benchmark::DoNotOptimize(v);
  }
  label(state, which);
}
BENCHMARK(bm_parse_tfe)->Name("parse/tfe")->Arg(0)->Arg(1);

#if TFE_BENCH_HAS_RAPIDJSON
void bm_parse_rapidjson(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const std::string& text = text_of(which);
  for (auto _ : state) {
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    benchmark::DoNotOptimize(d);
    if (d.HasParseError()) state.SkipWithError("RapidJSON parse failed");
  }
  label(state, which);
}
BENCHMARK(bm_parse_rapidjson)->Name("parse/rapidjson")->Arg(0)->Arg(1);
#endif

#if TFE_BENCH_HAS_NLOHMANN
void bm_parse_nlohmann(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const std::string& text = text_of(which);
  for (auto _ : state) {
    auto v = nlohmann::json::parse(text);
    benchmark::DoNotOptimize(v);
  }
  label(state, which);
}
BENCHMARK(bm_parse_nlohmann)->Name("parse/nlohmann")->Arg(0)->Arg(1);
#endif

// ---------------------------------------------------------------------------
// Serialize a DOM value (dump).
// ---------------------------------------------------------------------------
void bm_dump_tfe(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const tfe::json v = *tfe::json::parse(text_of(which));
  std::string out;
  for (auto _ : state) {
    out = v.dump();
    benchmark::DoNotOptimize(out);
  }
  label(state, which);
}
BENCHMARK(bm_dump_tfe)->Name("dump/tfe::json")->Arg(0)->Arg(1);

#if TFE_BENCH_HAS_RAPIDJSON
void bm_dump_rapidjson(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  rapidjson::Document d;
  d.Parse(text_of(which).data(), text_of(which).size());
  for (auto _ : state) {
    rapidjson::StringBuffer sb;
    rj_writer w(sb);
    d.Accept(w);
    benchmark::DoNotOptimize(sb.GetString());
  }
  label(state, which);
}
BENCHMARK(bm_dump_rapidjson)->Name("dump/rapidjson")->Arg(0)->Arg(1);
#endif

#if TFE_BENCH_HAS_NLOHMANN
void bm_dump_nlohmann(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const auto v = nlohmann::json::parse(text_of(which));
  std::string out;
  for (auto _ : state) {
    out = v.dump();
    benchmark::DoNotOptimize(out);
  }
  label(state, which);
}
BENCHMARK(bm_dump_nlohmann)->Name("dump/nlohmann")->Arg(0)->Arg(1);
#endif

// ---------------------------------------------------------------------------
// Serialize a plain struct with a streaming writer (the engine's hot path).
// ---------------------------------------------------------------------------
void bm_write_tfe(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  std::string out;
  out.reserve(text_of(which).size() + 64);
  for (auto _ : state) {
    out.clear();
    if (which == 0) write_run_doc_tfe(out, docs().run);
    else write_list_doc_tfe(out, docs().runs);
    benchmark::DoNotOptimize(out.data());
  }
  label(state, which);
}
BENCHMARK(bm_write_tfe)->Name("write/tfe::json_writer")->Arg(0)->Arg(1);

#if TFE_BENCH_HAS_RAPIDJSON
void bm_write_rapidjson(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  rapidjson::StringBuffer sb(nullptr, text_of(which).size() + 64);
  for (auto _ : state) {
    sb.Clear();
    rj_writer w(sb);
    if (which == 0) {
      w.StartObject();
      w.Key("data");
      write_run_rj(w, docs().run);
      w.EndObject();
    } else {
      write_list_rj(w, docs().runs);
    }
    benchmark::DoNotOptimize(sb.GetString());
  }
  label(state, which);
}
BENCHMARK(bm_write_rapidjson)->Name("write/rapidjson::Writer")->Arg(0)->Arg(1);
#endif

}  // namespace

BENCHMARK_MAIN();
