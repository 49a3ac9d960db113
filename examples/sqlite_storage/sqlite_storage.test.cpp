// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// sqlite_storage: an engine's state survives in SQLite files; only committed writes count; a write SQLite
// rejects fails with storage_failure and leaves the state as it was.
#include "support/catch.hpp"

#include "sqlite_storage.hpp"

#include <tfe/tfe.hpp>

#include <filesystem>
#include <random>
#include <string>
#include <string_view>

namespace {

struct sqlite_policies : tfe::test_policies {
  using storage_type = tfe_sqlite::sqlite_storage;
};
using sqlite_engine = tfe::basic_engine<sqlite_policies>;
using tfe::of;

// A fresh directory under the system temporary directory, removed afterwards.
struct temp_dir {
  std::string path;
  temp_dir() {
    std::random_device rd;
    path =
        (std::filesystem::temp_directory_path() / ("tfe-sqlite-" + std::to_string(rd()) + "-" + std::to_string(rd())))
            .string();
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

tfe::engine_options four_shards() {
  tfe::engine_options o;
  o.shards = 4;
  return o;
}

// Puts every storage of `e` on its own file in `dir` ("global.db", "shard-00.db", ...).
void open_files(sqlite_engine& e, const std::string& dir) {
  e.for_each_storage([&](tfe_sqlite::sqlite_storage& s, std::string_view name) {
    auto r = s.open(dir + "/" + std::string(name) + ".db");
    REQUIRE(r);
  });
}

// The model state of an engine, without timers, id positions and time.
std::string state_of(sqlite_engine& e) {
  tfe::json s = e.snapshot();
  for (const char* k : {"now", "timers", "ids"}) s.erase(k);
  return s.dump();
}

std::string tarball() {
  return std::string(
      "\x1f\x8b\x08\x00"
      "configuration",
      17);
}

int exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

}  // namespace

TEST_CASE("an engine's state survives in SQLite files", "[sqlite]") {
  temp_dir dir;
  std::string before, ws, waiting;
  {
    sqlite_engine a(four_shards());
    open_files(a, dir.path);
    tfe::organization_options oo;
    oo.name = "acme";
    oo.email = "ops@acme.test";
    oo.cost_estimation_enabled = false;
    REQUIRE(a.create_organization(oo));
    tfe::workspace_options wo;
    wo.name = "prod";
    auto w = a.create_workspace("acme", wo);
    REQUIRE(w);
    ws = w->id.str();
    tfe::configuration_version_options co;
    co.auto_queue_runs = false;
    auto cv = a.create_configuration_version(ws, co);
    REQUIRE(cv);
    REQUIRE(a.upload_configuration(cv->upload_token, tarball()));
    tfe::run_options ro;
    ro.workspace_id = w->id;
    auto applied = a.create_run(ro);
    REQUIRE(applied);
    REQUIRE(a.advance_to(applied->id.view(), tfe::run_status::applied));
    REQUIRE(a.create_comment(applied->id.view(), "shipped"));
    auto next = a.create_run(ro);
    REQUIRE(next);
    REQUIRE(a.advance_to(next->id.view(), tfe::run_status::planned));
    waiting = next->id.str();
    REQUIRE(a.create_configuration_version(ws));  // a pending upload
    REQUIRE(a.sync_storage());
    before = state_of(a);
  }
  sqlite_engine b(four_shards());
  open_files(b, dir.path);
  REQUIRE(b.recover());
  CHECK(state_of(b) == before);
  // The recovered engine goes on where the first one stopped.
  REQUIRE(b.apply_run(waiting, "go"));
  REQUIRE(b.advance_to(waiting, tfe::run_status::applied));
  auto runs = b.list_runs(ws);
  REQUIRE(runs);
  CHECK(runs->items.size() == 2);
}

TEST_CASE("only committed writes reach the database file", "[sqlite]") {
  temp_dir dir;
  const std::string file = dir.path + "/s.db";
  const std::string bytes("\0bytes", 6);
  {
    tfe_sqlite::sqlite_storage s;
    REQUIRE(s.open(file));
    tfe::organization o;
    o.name = "acme";
    REQUIRE(s.insert(tfe::organization(o)));
    REQUIRE(s.put_blob("cv/1", bytes));
    REQUIRE(s.put_blob("empty", std::string()));
    REQUIRE(s.commit());
    o.name = "lost";
    REQUIRE(s.insert(std::move(o)));  // never committed
    CHECK(s.size(of<tfe::organization>) == 2);
  }
  tfe_sqlite::sqlite_storage t;
  REQUIRE(t.open(file));
  CHECK(t.size(of<tfe::organization>) == 1);
  CHECK(t.find(of<tfe::organization>, std::string("acme")) != nullptr);
  CHECK(t.find(of<tfe::organization>, std::string("lost")) == nullptr);
  REQUIRE(t.get_blob("cv/1"));
  CHECK(*t.get_blob("cv/1") == bytes);
  REQUIRE(t.get_blob("empty"));
  CHECK(t.get_blob("empty")->empty());
}

TEST_CASE("a write SQLite rejects fails and leaves the state as it was", "[sqlite]") {
  temp_dir dir;
  const std::string file = dir.path + "/s.db";
  {
    tfe_sqlite::sqlite_storage s;
    REQUIRE(s.open(file));
    tfe::organization o;
    o.name = "acme";
    o.email = "ops@acme.test";
    REQUIRE(s.insert(std::move(o)));
    REQUIRE(s.commit());
  }
  tfe_sqlite::sqlite_storage ro;
  REQUIRE(ro.open(file, /*read_only=*/true));
  auto r =
      ro.update(of<tfe::organization>, std::string("acme"), [](tfe::organization& x) { x.email = "new@acme.test"; });
  REQUIRE(!r);
  CHECK(r.error().code == tfe::errc::storage_failure);
  CHECK(ro.find(of<tfe::organization>, std::string("acme"))->email == "ops@acme.test");
  auto e = ro.erase(of<tfe::organization>, std::string("acme"));
  REQUIRE(!e);
  CHECK(e.error().code == tfe::errc::storage_failure);
  CHECK(ro.size(of<tfe::organization>) == 1);
  CHECK(!ro.put_blob("cv/1", "x"));
  CHECK(ro.get_blob("cv/1") == nullptr);
  CHECK(!ro.clear());
  CHECK(ro.size(of<tfe::organization>) == 1);
  CHECK(ro.commit());
  CHECK(!ro.failed());
}

TEST_CASE("an engine operation whose write SQLite rejects changes nothing", "[sqlite]") {
  sqlite_engine e;  // private in-memory databases
  tfe::organization_options oo;
  oo.name = "acme";
  oo.email = "ops@acme.test";
  REQUIRE(e.create_organization(oo));
  tfe::workspace_options wo;
  wo.name = "prod";
  auto w = e.create_workspace("acme", wo);
  REQUIRE(w);
  const char* deny =
      "CREATE TRIGGER deny BEFORE UPDATE ON entities BEGIN SELECT RAISE(ABORT, 'denied by the test'); END";
  e.for_each_storage(
      [&](tfe_sqlite::sqlite_storage& s, std::string_view) { REQUIRE(exec(s.handle(), deny) == SQLITE_OK); });
  auto locked = e.lock_workspace(w->id.view(), "maintenance");
  REQUIRE(!locked);
  CHECK(locked.error().code == tfe::errc::storage_failure);
  CHECK(locked.error().message.find("denied by the test") != std::string::npos);
  CHECK(!e.read_workspace(w->id.view())->manually_locked);
  e.for_each_storage([&](tfe_sqlite::sqlite_storage& s, std::string_view) {
    CHECK(!s.failed());
    REQUIRE(exec(s.handle(), "DROP TRIGGER deny") == SQLITE_OK);
  });
  REQUIRE(e.lock_workspace(w->id.view(), "maintenance"));
  CHECK(e.read_workspace(w->id.view())->manually_locked);
  CHECK(e.sync_storage());  // in-memory databases: nothing to checkpoint
}

TEST_CASE("a failed commit fails the storage until it is opened again", "[sqlite]") {
  temp_dir dir;
  const std::string file = dir.path + "/s.db";
  tfe_sqlite::sqlite_storage s;
  REQUIRE(s.open(file));
  tfe::organization o;
  o.name = "acme";
  REQUIRE(s.insert(tfe::organization(o)));
  REQUIRE(s.commit());
  // A deferred foreign key that every new entity row violates: checked at COMMIT.
  REQUIRE(exec(s.handle(), "PRAGMA foreign_keys = ON") == SQLITE_OK);
  REQUIRE(exec(s.handle(),
               "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
               "CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);"
               "CREATE TRIGGER orphan AFTER INSERT ON entities BEGIN INSERT INTO child VALUES(1); END") == SQLITE_OK);
  o.name = "other";
  REQUIRE(s.insert(tfe::organization(o)));  // the statement passes; its transaction cannot commit
  auto c = s.commit();
  REQUIRE(!c);
  CHECK(c.error().code == tfe::errc::storage_failure);
  CHECK(s.failed());
  CHECK(!s.sync());
  o.name = "third";
  CHECK(!s.insert(tfe::organization(o)));
  CHECK(s.find(of<tfe::organization>, std::string("third")) == nullptr);
  // Reopening loads what the file holds: the failed transaction is gone.
  REQUIRE(s.open(file));
  CHECK(!s.failed());
  CHECK(s.size(of<tfe::organization>) == 1);
  CHECK(s.find(of<tfe::organization>, std::string("other")) == nullptr);
}

TEST_CASE("a clear SQLite rejects halfway keeps both tables", "[sqlite]") {
  tfe_sqlite::sqlite_storage s;
  tfe::organization o;
  o.name = "acme";
  REQUIRE(s.insert(std::move(o)));
  REQUIRE(s.put_blob("cv/1", "bytes"));
  REQUIRE(s.commit());
  REQUIRE(exec(s.handle(), "CREATE TRIGGER keep BEFORE DELETE ON blobs BEGIN SELECT RAISE(ABORT, 'kept'); END") ==
          SQLITE_OK);
  auto c = s.clear();  // the entities go, then the blobs cannot: the savepoint undoes both
  REQUIRE(!c);
  CHECK(c.error().code == tfe::errc::storage_failure);
  REQUIRE(s.commit());
  CHECK(!s.failed());
  REQUIRE(s.load());  // what the database holds
  CHECK(s.size(of<tfe::organization>) == 1);
  REQUIRE(s.get_blob("cv/1"));
  CHECK(*s.get_blob("cv/1") == "bytes");
}
