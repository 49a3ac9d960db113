// journal_storage: replay equivalence, torn and corrupt tails at every offset, compaction, sink failure.
#include "support/catch.hpp"
#include "support/engine_fixture.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

using tfe::run_status;

namespace {

struct journal_policies : tfe::test_policies {
  using storage_type = tfe::journal_storage;
};
using journal_engine = tfe::basic_engine<journal_policies>;

// An engine whose storages journal into strings (one per storage name).
struct journaled {
  journal_engine eng;
  std::map<std::string, std::string> files;

  explicit journaled(std::size_t shards = 4) : eng(options(shards)) {
    eng.for_each_storage([&](tfe::journal_storage& s, std::string_view name) {
      std::string& f = files[std::string(name)];
      tfe::journal_sink k;
      k.append = [&f](std::string_view b) -> tfe::result<void> {
        f.append(b.data(), b.size());
        return {};
      };
      REQUIRE(s.attach(k, true));
    });
  }
  static tfe::engine_options options(std::size_t shards) {
    tfe::engine_options o;
    o.shards = shards;
    return o;
  }
};

std::string tarball() { return tfe_test::fake_tarball(); }

// A workload touching every kind of record: organizations, workspaces, uploads (blobs), runs in many
// outcomes, comments, locks, a deleted workspace, an updated organization.
void workload(journal_engine& e) {
  tfe::organization_options oo;
  oo.name = "acme";
  oo.email = "ops@acme.test";
  REQUIRE(e.create_organization(oo));
  oo.name = "other";
  REQUIRE(e.create_organization(oo));
  tfe::organization_options upd;
  upd.cost_estimation_enabled = false;
  REQUIRE(e.update_organization("acme", upd));
  std::vector<tfe::resource_id> wss;
  for (const char* name : {"a", "b", "c", "doomed"}) {
    tfe::workspace_options wo;
    wo.name = name;
    wo.auto_apply = std::string(name) == "b";
    auto w = e.create_workspace("acme", wo);
    REQUIRE(w);
    wss.push_back(w->id);
  }
  for (const auto& w : wss) {
    auto cv = e.create_configuration_version(w.str());
    REQUIRE(cv);
    REQUIRE(e.upload_configuration(cv->upload_token, tarball()));  // queues a run
  }
  e.run_until_idle();
  auto runs_a = e.list_runs(wss[0].str());
  REQUIRE(e.apply_run(runs_a->items[0].id.str(), "go"));
  REQUIRE(e.create_comment(runs_a->items[0].id.str(), "a note"));
  auto runs_c = e.list_runs(wss[2].str());
  REQUIRE(e.discard_run(runs_c->items[0].id.str(), "no"));
  tfe::run_options ro;
  ro.workspace_id = wss[2];
  auto extra = e.create_run(ro);
  REQUIRE(extra);
  auto queued = e.create_run(ro);  // waits behind `extra`
  REQUIRE(queued);
  REQUIRE(e.lock_workspace(wss[1].str(), "maintenance"));
  REQUIRE(e.delete_workspace(wss[3].str()));
  REQUIRE(e.create_configuration_version(wss[1].str()));  // pending upload
  e.run_until_idle();
}

// The model state of an engine, without timers, id positions and time.
std::string state_of(journal_engine& e) {
  tfe::json s = e.snapshot();
  for (const char* k : {"now", "timers", "ids"}) s.erase(k);
  return s.dump();
}

}  // namespace

TEST_CASE("journal replay rebuilds the same state", "[journal]") {
  journaled a;
  workload(a.eng);
  journal_engine b(journaled::options(4));
  b.for_each_storage([&](tfe::journal_storage& s, std::string_view name) {
    auto rep = s.replay(a.files[std::string(name)]);
    CHECK(rep.clean());
    CHECK(rep.message.empty());
  });
  REQUIRE(b.recover());
  CHECK(state_of(b) == state_of(a.eng));
  // The recovered engine goes on: the queued run, the pending upload.
  auto ws = b.read_workspace_by_name("acme", "c");
  REQUIRE(ws);
  auto list = b.list_runs(ws->id.str());
  REQUIRE(list);
  CHECK(list->items.size() == 3);
}

TEST_CASE("a torn or corrupt last transaction is dropped, everything before it kept", "[journal]") {
  journaled a(1);  // one shard: one journal holds every run
  tfe::organization_options oo;
  oo.name = "acme";
  oo.email = "ops@acme.test";
  REQUIRE(a.eng.create_organization(oo));
  tfe::workspace_options wo;
  wo.name = "w";
  auto ws = a.eng.create_workspace("acme", wo);
  REQUIRE(ws);
  tfe::configuration_version_options co;
  co.auto_queue_runs = false;
  auto cv = a.eng.create_configuration_version(ws->id.str(), co);
  REQUIRE(cv);
  REQUIRE(a.eng.upload_configuration(cv->upload_token, tarball()));
  const std::string before = a.files["shard-00"];
  const std::size_t start = before.size();
  // The last transaction: one engine operation (a run created and planned: several records).
  tfe::run_options ro;
  ro.workspace_id = ws->id;
  REQUIRE(a.eng.create_run(ro));
  const std::string& full = a.files["shard-00"];
  REQUIRE(full.size() > start);

  tfe::journal_storage reference;
  const auto ref = reference.replay(before);
  REQUIRE(ref.clean());
  const std::string expected = reference.image();
  // Every offset: the valid prefix is exactly the earlier transactions; the state is compared in full
  // at a spread of offsets (a full image per offset would make this test quadratic and slow).
  auto same_state = [&](std::size_t at, tfe::journal_storage& s) { return at % 7 != 0 || s.image() == expected; };

  // The offsets tried: every byte of the last two records (the last entity record and the commit
  // record), and every 37th byte of the rest of the transaction (each replay costs a full decode).
  std::size_t last_two = start, prev = start;
  for (std::size_t at = start; at < full.size();) {
    const auto len = static_cast<std::uint32_t>(static_cast<unsigned char>(full[at])) |
                     static_cast<std::uint32_t>(static_cast<unsigned char>(full[at + 1])) << 8 |
                     static_cast<std::uint32_t>(static_cast<unsigned char>(full[at + 2])) << 16 |
                     static_cast<std::uint32_t>(static_cast<unsigned char>(full[at + 3])) << 24;
    last_two = prev;
    prev = at;
    at += 8 + len;
  }
  REQUIRE(last_two > start);  // the transaction has more than two records
  auto tried = [&](std::size_t at) { return at >= last_two || (at - start) % 37 == 0; };
  for (std::size_t cut = start; cut < full.size(); ++cut) {
    if (!tried(cut)) continue;
    tfe::journal_storage s;
    auto rep = s.replay(std::string_view(full).substr(0, cut));
    REQUIRE(rep.bytes == start);
    REQUIRE(rep.dropped_bytes == cut - start);
    REQUIRE((cut == start || !rep.message.empty()));
    REQUIRE(rep.transactions == ref.transactions);
    REQUIRE(same_state(cut, s));
  }
  for (std::size_t at = start; at < full.size(); ++at) {
    if (!tried(at)) continue;
    std::string bad = full;
    bad[at] = static_cast<char>(bad[at] ^ (1 << (at % 8)));
    tfe::journal_storage s;
    auto rep = s.replay(bad);
    REQUIRE(rep.bytes == start);
    REQUIRE_FALSE(rep.message.empty());
    REQUIRE(rep.transactions == ref.transactions);
    REQUIRE(same_state(at, s));
  }
  tfe::journal_storage whole;
  CHECK(whole.replay(full).clean());
}

TEST_CASE("a journal that is not one is refused, and garbage after a header drops nothing valid", "[journal]") {
  tfe::journal_storage s;
  auto rep = s.replay("hello world");
  CHECK(rep.bytes == 0);
  CHECK(rep.message.find("bad header") != std::string::npos);
  tfe::journal_storage t;
  auto r2 = t.replay(std::string(tfe::journal_storage::header) + std::string(100, '\xff'));
  CHECK(r2.bytes == tfe::journal_storage::header.size());
  CHECK(r2.transactions == 0);
}

TEST_CASE("recover drops what an operation across shards left behind", "[journal]") {
  // A crash between an organization's removal (global storage) and its workspaces' (shard storages)
  // leaves workspaces, uploads and runs of a missing organization; recover() must drop them all.
  journaled a;
  workload(a.eng);
  tfe::workspace_options wo;
  wo.name = "stray";
  auto ws = a.eng.create_workspace("other", wo);
  REQUIRE(ws);
  auto cv = a.eng.create_configuration_version(ws->id.str());
  REQUIRE(cv);
  REQUIRE(a.eng.upload_configuration(cv->upload_token, tarball()));  // queues a run
  a.eng.run_until_idle();
  auto stray_runs = a.eng.list_runs(ws->id.str());
  REQUIRE(stray_runs);
  REQUIRE(stray_runs->items.size() == 1);
  REQUIRE(a.eng.create_comment(stray_runs->items[0].id.str(), "gone with its organization"));
  const std::string stray_run = stray_runs->items[0].id.str();

  journal_engine b(journaled::options(4));
  b.for_each_storage([&](tfe::journal_storage& s, std::string_view name) {
    REQUIRE(s.replay(a.files[std::string(name)]).clean());
    if (name == "global") REQUIRE(s.erase(tfe::of<tfe::organization>, std::string("other")));
  });
  REQUIRE(b.recover());
  CHECK_FALSE(b.read_workspace(ws->id.str()));
  CHECK_FALSE(b.read_run(stray_run));
  CHECK_FALSE(b.read_configuration_version(cv->id.str()));
  REQUIRE(a.eng.delete_organization("other"));
  CHECK(state_of(b) == state_of(a.eng));
}

TEST_CASE("compaction: the image replays to the same state", "[journal]") {
  journaled a;
  workload(a.eng);
  journal_engine b(journaled::options(4));
  std::size_t saved = 0;
  a.eng.for_each_storage([&](tfe::journal_storage& s, std::string_view name) {
    const std::string img = s.image();
    saved += a.files[std::string(name)].size() - img.size();
    tfe::journal_storage copy;
    REQUIRE(copy.replay(img).clean());
    CHECK(copy.image() == img);
    a.files[std::string(name)] = img;
  });
  CHECK(saved > 0);
  b.for_each_storage(
      [&](tfe::journal_storage& s, std::string_view name) { REQUIRE(s.replay(a.files[std::string(name)]).clean()); });
  REQUIRE(b.recover());
  CHECK(state_of(b) == state_of(a.eng));
}

TEST_CASE("a failing sink fails the write and leaves the state as it was", "[journal]") {
  journal_engine e;
  bool fail = false;
  std::string file;
  e.for_each_storage([&](tfe::journal_storage& s, std::string_view) {
    tfe::journal_sink k;
    k.append = [&](std::string_view b) -> tfe::result<void> {
      if (fail) return tfe::make_error(tfe::errc::storage_failure, "disk full");
      file.append(b.data(), b.size());
      return {};
    };
    k.sync = []() -> tfe::result<void> { return {}; };
    REQUIRE(s.attach(k, true));
  });
  tfe::organization_options oo;
  oo.name = "acme";
  oo.email = "a@b.test";
  REQUIRE(e.create_organization(oo));
  tfe::workspace_options wo;
  wo.name = "w";
  auto ws = e.create_workspace("acme", wo);
  REQUIRE(ws);
  fail = true;
  tfe::workspace_options up;
  up.description = "changed";
  auto r = e.update_workspace(ws->id.str(), up);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tfe::errc::storage_failure);
  CHECK(e.read_workspace(ws->id.str())->description.empty());
  fail = false;  // the storage stays failed until a new sink is attached
  CHECK_FALSE(e.update_workspace(ws->id.str(), up));
  CHECK_FALSE(e.sync_storage());
}

TEST_CASE("write_entity writes what encode_entity dumps", "[journal][codec]") {
  journaled a;
  workload(a.eng);
  tfe::json snap = a.eng.snapshot();
  auto same = [](const tfe::json& doc, auto entity) {
    REQUIRE(tfe::decode_entity(doc, entity));
    std::string text;
    tfe::write_entity(text, entity);
    CHECK(text == tfe::encode_entity(entity).dump());
  };
  for (const auto& o : *snap["organizations"].as_array()) same(o, tfe::organization{});
  for (const auto& w : *snap["workspaces"].as_array()) same(w, tfe::workspace{});
  for (const auto& r : *snap["runs"].as_array()) same(r, tfe::run{});
  for (const auto& c : *snap["comments"].as_array()) same(c, tfe::run_comment{});
  for (auto cv : *snap["configuration-versions"].as_array()) {
    cv.erase("content-base64");
    same(cv, tfe::configuration_version{});
  }
}

TEST_CASE("crc32 matches the standard check values", "[journal][crc32]") {
  CHECK(tfe::detail::crc32("123456789") == 0xCBF43926u);
  CHECK(tfe::detail::crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
  CHECK(tfe::detail::crc32("") == 0u);
  const std::string long_text(1000, 'x');  // the 8-byte path and the tail agree with chaining
  CHECK(tfe::detail::crc32(long_text) ==
        tfe::detail::crc32(long_text.substr(3), tfe::detail::crc32(long_text.substr(0, 3))));
}

namespace {

// One framed record (u32 length | u32 crc32 | payload), as journal_storage writes them.
std::string framed(std::string_view payload) {
  std::string out;
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFu);
  };
  u32(static_cast<std::uint32_t>(payload.size()));
  u32(tfe::detail::crc32(payload));
  out += payload;
  return out;
}
// A patch payload: 'P', type byte, u32 key length, key, JSON object.
std::string patch_payload(char type, std::string_view key, std::string_view doc) {
  std::string p = "P";
  p += type;
  for (int i = 0; i < 4; ++i) p += static_cast<char>((key.size() >> (8 * i)) & 0xFFu);
  p += key;
  p += doc;
  return p;
}
// The payloads of the records of a journal (without its header).
std::vector<std::string> payloads(std::string_view j) {
  std::vector<std::string> out;
  for (std::size_t at = tfe::journal_storage::header.size(); at + 8 <= j.size();) {
    std::uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len |= std::uint32_t(static_cast<unsigned char>(j[at + i])) << (8 * i);
    out.emplace_back(j.substr(at + 8, len));
    at += 8 + len;
  }
  return out;
}

}  // namespace

TEST_CASE("an update journals only the stored fields it changed", "[journal][patch]") {
  tfe::journal_storage s;
  std::string file;
  tfe::journal_sink k;
  k.append = [&file](std::string_view b) -> tfe::result<void> {
    file.append(b.data(), b.size());
    return {};
  };
  REQUIRE(s.attach(k, true));
  CHECK(file == "TFEJ2\n");
  tfe::run r;
  r.id = tfe::resource_id("run-patched00000001");
  r.workspace_id = tfe::resource_id("ws-patched000000001");
  r.message = "a message that an update leaves alone";
  REQUIRE(s.insert(r));
  REQUIRE(s.commit());
  const std::size_t before = file.size();

  REQUIRE(s.update(tfe::of<tfe::run>, r.id, [](tfe::run& x) {
    x.status = tfe::run_status::planning;
    x.has_changes = true;
  }));
  REQUIRE(s.commit());
  auto recs = payloads(file);
  REQUIRE(recs.size() == 4);  // E, K, P, K
  const std::string& p = recs[2];
  CHECK(p.substr(0, 2) == "Pr");
  CHECK(p.find(R"({"status":"planning","has-changes":true})") != std::string::npos);
  CHECK(p.find("message") == std::string::npos);
  CHECK(file.size() - before < 100);

  // An update that changes no stored field (the revision is not stored) writes nothing at all.
  const std::size_t same = file.size();
  REQUIRE(s.update(tfe::of<tfe::run>, r.id, [](tfe::run& x) { ++x.revision; }));
  REQUIRE(s.commit());
  CHECK(file.size() == same);

  // Vectors, time and structs without == compare by value.
  REQUIRE(s.update(tfe::of<tfe::run>, r.id, [](tfe::run& x) {
    x.target_addrs = {"aws_instance.a"};
    x.plan_counts.additions = 2;
    x.created_at = tfe::from_unix_ms(1700000000000);
  }));
  REQUIRE(s.commit());
  recs = payloads(file);
  CHECK(recs.back() == "K");
  const std::string& q = recs[recs.size() - 2];
  CHECK(q.find("target-addrs") != std::string::npos);
  CHECK(q.find("plan-counts") != std::string::npos);
  CHECK(q.find("created-at") != std::string::npos);
  CHECK(q.find("status") == std::string::npos);

  // Status timestamps: only the statuses whose time changed (null for one cleared); replay merges them.
  REQUIRE(s.update(tfe::of<tfe::run>, r.id, [](tfe::run& x) {
    x.status_ms[static_cast<std::size_t>(tfe::run_status::pending)] = 1700000000000;
    x.status_ms[static_cast<std::size_t>(tfe::run_status::planning)] = 1700000001000;
  }));
  REQUIRE(s.update(tfe::of<tfe::run>, r.id, [](tfe::run& x) {
    x.status_ms[static_cast<std::size_t>(tfe::run_status::planning)] = tfe::run::no_time;
    x.status_ms[static_cast<std::size_t>(tfe::run_status::planned)] = 1700000002000;
  }));
  REQUIRE(s.commit());
  recs = payloads(file);
  CHECK(recs[recs.size() - 2].find(R"({"status-timestamps":{"planning":null,"planned":"2023-11-14T22:13:22.000Z"}})") !=
        std::string::npos);

  tfe::journal_storage copy;
  auto rep = copy.replay(file);
  CHECK(rep.clean());
  CHECK(rep.transactions == 4);
  CHECK(copy.image() == s.image());
  const tfe::run* back = copy.find(tfe::of<tfe::run>, r.id);
  REQUIRE(back);
  CHECK(back->status == tfe::run_status::planning);
  CHECK(back->message == r.message);
  CHECK(back->plan_counts.additions == 2);
  CHECK(back->status_ms == s.find(tfe::of<tfe::run>, r.id)->status_ms);
  CHECK(back->status_ms[static_cast<std::size_t>(tfe::run_status::pending)] == 1700000000000);
  CHECK(back->status_ms[static_cast<std::size_t>(tfe::run_status::planning)] == tfe::run::no_time);
}

TEST_CASE("a patch of a missing entity or a malformed patch stops the replay", "[journal][patch]") {
  const std::string hdr(tfe::journal_storage::header);
  tfe::run r;
  r.id = tfe::resource_id("run-patched00000002");
  std::string put = "Er";
  tfe::write_entity(put, r);
  const std::string ok_patch = patch_payload('r', r.id.view(), R"({"message":"m"})");
  const std::string first = framed(put) + framed("K");

  SECTION("a patch after the put in the same transaction, or in a later one, applies") {
    tfe::journal_storage s;
    auto rep = s.replay(hdr + framed(put) + framed(ok_patch) + framed("K") + framed(ok_patch) + framed("K"));
    CHECK(rep.clean());
    CHECK(rep.transactions == 2);
    CHECK(s.find(tfe::of<tfe::run>, r.id)->message == "m");
  }
  struct bad_case {
    const char* name;
    std::string txn;
    const char* why;
  };
  const std::vector<bad_case> cases = {
      {"no such entity", framed(patch_payload('r', "run-nosuchrun0000001", R"({"message":"m"})")), "missing"},
      {"erased earlier in the transaction", framed("Dr" + r.id.str()) + framed(ok_patch), "missing"},
      {"cleared earlier in the transaction", framed("C") + framed(ok_patch), "missing"},
      {"a key longer than an id", framed(patch_payload('r', std::string(40, 'r'), "{}")), "missing"},
      {"a key length past the end", framed(std::string("Pr\xff\0\0\0run", 9) + "{}"), "bad patch record"},
      {"too short", framed("Pr\1"), "bad patch record"},
      {"an unknown entity type", framed(patch_payload('z', r.id.view(), "{}")), "unknown entity type"},
      {"an unknown member", framed(patch_payload('r', r.id.view(), R"({"colour":"red"})")), "unknown member"},
      {"a value of the wrong type", framed(patch_payload('r', r.id.view(), R"({"message":7})")), "wrong type"},
      {"not JSON", framed(patch_payload('r', r.id.view(), "{\"message\"")), "entity JSON"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    tfe::journal_storage s;
    auto rep = s.replay(hdr + first + c.txn + framed("K"));
    CHECK(rep.transactions == 1);
    CHECK(rep.bytes == hdr.size() + first.size());
    CHECK(rep.message.find(c.why) != std::string::npos);
    const tfe::run* kept = s.find(tfe::of<tfe::run>, r.id);
    REQUIRE(kept);
    CHECK(kept->message.empty());
  }
}

TEST_CASE("a journal of format 1 replays, and the next image is of format 2", "[journal][patch]") {
  tfe::run r;
  r.id = tfe::resource_id("run-formatone000001");
  std::string put = "Er";
  tfe::write_entity(put, r);
  tfe::journal_storage s;
  auto rep = s.replay(std::string(tfe::journal_storage::header_v1) + framed(put) + framed("K"));
  CHECK(rep.clean());
  CHECK(rep.transactions == 1);
  CHECK(s.find(tfe::of<tfe::run>, r.id));
  CHECK(s.image().substr(0, 6) == "TFEJ2\n");
}

TEST_CASE("a journaled engine writes a fraction of the bytes it did with whole records", "[journal][patch]") {
  // A run's transitions change three or four of its fields: each used to journal the whole run.
  journaled a(1);
  workload(a.eng);
  std::size_t patches = 0, puts = 0, patch_bytes = 0;
  for (const auto& [name, file] : a.files)
    for (const auto& p : payloads(file)) {
      if (p[0] == 'P') ++patches, patch_bytes += p.size();
      if (p[0] == 'E') ++puts;
    }
  CHECK(patches > puts);
  CHECK(patch_bytes / patches < 300);  // a whole run record is about 1.6 KB
}

TEST_CASE("a workspace update whose append fails leaves its data and indexes as they were", "[journal][patch]") {
  tfe::journal_storage s;
  bool fail = false;
  std::string file;
  tfe::journal_sink k;
  k.append = [&](std::string_view b) -> tfe::result<void> {
    if (fail) return tfe::make_error(tfe::errc::storage_failure, "disk full");
    file.append(b.data(), b.size());
    return {};
  };
  REQUIRE(s.attach(k, true));
  tfe::workspace w;
  w.id = tfe::resource_id("ws-inplace000000001");
  w.name = "w";
  REQUIRE(s.insert(w));
  const tfe::resource_id first("run-inplace00000001"), second("run-inplace00000002");
  // Updated in place: the index grows without a copy, the data change is journaled as a patch.
  REQUIRE(s.update(tfe::of<tfe::workspace>, w.id, [&](tfe::workspace& x) {
    x.runs.push_back(first);
    x.description = "first";
  }));
  REQUIRE(s.commit());
  const auto recs = payloads(file);
  REQUIRE(recs.size() == 3);  // E, P, K: one transaction
  CHECK(recs[1] == std::string("Pw\x13\0\0\0ws-inplace000000001", 25) + R"({"description":"first"})");
  fail = true;
  auto r = s.update(tfe::of<tfe::workspace>, w.id, [&](tfe::workspace& x) {
    x.runs.push_back(second);
    x.configuration_versions.push_back(second);
    x.state_versions.push_back(second);
    x.description = "second";
    x.name = "renamed";
  });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tfe::errc::storage_failure);
  const tfe::workspace* now = s.find(tfe::of<tfe::workspace>, w.id);
  REQUIRE(now);
  CHECK(now->description == "first");
  CHECK(now->name == "w");
  CHECK(now->runs == std::vector<tfe::resource_id>{first});
  CHECK(now->configuration_versions.empty());
  CHECK(now->state_versions.empty());
  CHECK_FALSE(s.update(tfe::of<tfe::workspace>, tfe::resource_id("ws-missing000000001"), [](tfe::workspace&) {}));
}
