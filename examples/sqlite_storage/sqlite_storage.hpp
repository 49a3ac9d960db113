// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// sqlite_storage: a tfe storage policy backed by SQLite (example). Reads come from memory; every write
// goes to SQLite first, inside one transaction per engine operation (commit()), then to memory.
#ifndef TFE_EXAMPLES_SQLITE_STORAGE_HPP
#define TFE_EXAMPLES_SQLITE_STORAGE_HPP

#include <tfe/tfe.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tfe_sqlite {

/// A storage policy keeping tfe's state in SQLite: tfe::memory_storage serves the reads, SQLite is
/// written first on every change. Tables: entities(type, key, seq, body) with the entity's JSON
/// (tfe/model/codec.hpp) and the order of first insertion, and blobs(key, bytes). A workspace's run
/// and configuration version lists are not stored: loading rebuilds them in seq order. The default
/// is a private in-memory database; open() switches to a file and loads what it holds.
///
/// Writes since the last commit() form one SQLite transaction (the engine commits once per
/// operation). A failed statement fails the write with errc::storage_failure and leaves memory as it
/// was. When SQLite loses writes memory already has (a failed COMMIT, or SQLite rolling back the
/// transaction by itself), the storage is failed: every later write and sync() fail until open() or
/// load(). Calls must be serialized (the engine calls a storage under its lock).
class sqlite_storage {
 public:
  /// Opens a private in-memory database (a failure shows up as storage_failure on the first write).
  sqlite_storage() { (void)open(":memory:"); }
  /// Not copyable: the storage owns its connection.
  sqlite_storage(const sqlite_storage&) = delete;
  /// Not copyable: the storage owns its connection.
  sqlite_storage& operator=(const sqlite_storage&) = delete;
  /// Closes the database; writes not yet committed are rolled back.
  ~sqlite_storage() = default;

  /// Switches to the database at `path` (created when missing unless `read_only`) and replaces the
  /// contents in memory with what it holds. On error nothing changes. After opening the databases of
  /// a running engine, call the engine's recover() to rebuild its indexes.
  tfe::result<void> open(const std::string& path, bool read_only = false) {
    connection next;
    const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path.c_str(), &next.db, flags, nullptr) != SQLITE_OK)
      return failure(next.db, "open '" + path + "'");
    sqlite3_busy_timeout(next.db, 2000);  // another process holding the file: wait, then fail the write
    if (!read_only) {
      const char* schema =
          "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
          "CREATE TABLE IF NOT EXISTS entities(type TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,"
          " body TEXT NOT NULL, PRIMARY KEY(type, key));"
          "CREATE TABLE IF NOT EXISTS blobs(key TEXT PRIMARY KEY, bytes BLOB NOT NULL);";
      if (sqlite3_exec(next.db, schema, nullptr, nullptr, nullptr) != SQLITE_OK)
        return failure(next.db, "create tables");
    }
    static constexpr std::array<const char*, op_count> sql = {
        "BEGIN IMMEDIATE",
        "COMMIT",
        "ROLLBACK",
        "INSERT INTO entities(type, key, body, seq) VALUES(?1, ?2, ?3, ?4)"
        " ON CONFLICT(type, key) DO UPDATE SET body = excluded.body",
        "DELETE FROM entities WHERE type = ?1 AND key = ?2",
        "INSERT INTO blobs(key, bytes) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET bytes = excluded.bytes",
        "DELETE FROM blobs WHERE key = ?1",
        "DELETE FROM entities",
        "DELETE FROM blobs",
        "SAVEPOINT tfe_clear",
        "RELEASE tfe_clear",
        "ROLLBACK TO tfe_clear",
    };
    for (std::size_t i = 0; i < op_count; ++i)
      if (sqlite3_prepare_v3(next.db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &next.stmts[i], nullptr) != SQLITE_OK)
        return failure(next.db, "prepare");
    tfe::memory_storage loaded;
    std::int64_t max_seq = 0;
    if (auto r = read_all(next.db, loaded, max_seq); !r) return r;
    swap(conn_, next);  // `next` closes the previous database
    adopt(std::move(loaded), max_seq);
    return {};
  }
  /// Replaces the contents in memory with what the database holds, rolling back uncommitted writes
  /// first; this also ends a failed state. On a load error memory is unchanged.
  tfe::result<void> load() {
    if (!conn_.db) return tfe::make_error(tfe::errc::storage_failure, "sqlite: no database");
    if (in_txn_) (void)step(op::rollback);
    in_txn_ = false;
    tfe::memory_storage loaded;
    std::int64_t max_seq = 0;
    if (auto r = read_all(conn_.db, loaded, max_seq); !r) return r;
    adopt(std::move(loaded), max_seq);
    return {};
  }

  /// Finds an entity by key (from memory).
  template <class T>
  const T* find(tfe::entity_tag<T> tag, const tfe::entity_key_t<T>& key) const noexcept {
    return mem_.find(tag, key);
  }
  /// Inserts an entity: written to SQLite, then to memory.
  template <class T>
  tfe::result<void> insert(T&& value) {
    using U = std::decay_t<T>;
    if (auto r = put_row(static_cast<const U&>(value)); !r) return r;
    return mem_.insert(U(std::forward<T>(value)));
  }
  /// Changes an entity: fn works on a copy, which is written to SQLite, then stored in memory.
  template <class T, class F>
  tfe::result<void> update(tfe::entity_tag<T> tag, const tfe::entity_key_t<T>& key, F&& fn) {
    const T* cur = mem_.find(tag, key);
    if (!cur) return tfe::make_error(tfe::errc::not_found, "no such entity");
    T next = *cur;
    fn(next);
    if (auto r = put_row(next); !r) return r;
    return mem_.update(tag, key, [&](T& x) { x = std::move(next); });
  }
  /// Removes an entity (no-op when absent).
  template <class T>
  tfe::result<void> erase(tfe::entity_tag<T> tag, const tfe::entity_key_t<T>& key) {
    if (auto r = write(op::erase_entity, {type_name<T>(), key_text(key)}); !r) return r;
    return mem_.erase(tag, key);
  }
  /// Number of entities of type T.
  template <class T>
  std::size_t size(tfe::entity_tag<T> tag) const noexcept {
    return mem_.size(tag);
  }
  /// Calls fn(const T&) for each entity of type T, in no particular order.
  template <class T, class F>
  void for_each(tfe::entity_tag<T> tag, F&& fn) const {
    mem_.for_each(tag, std::forward<F>(fn));
  }

  /// Stores bytes under `key`.
  tfe::result<void> put_blob(std::string_view key, std::string bytes) {
    if (auto r = write(op::put_blob, {key}, &bytes); !r) return r;
    return mem_.put_blob(key, std::move(bytes));
  }
  /// The bytes under `key`, or nullptr.
  const std::string* get_blob(std::string_view key) const noexcept { return mem_.get_blob(key); }
  /// Removes the bytes under `key`.
  tfe::result<void> erase_blob(std::string_view key) {
    if (auto r = write(op::erase_blob, {key}); !r) return r;
    return mem_.erase_blob(key);
  }
  /// Removes everything (both tables in one savepoint: all or nothing).
  tfe::result<void> clear() {
    auto r = write(op::savepoint, {});
    if (r) r = write(op::clear_entities, {});
    if (r) r = write(op::clear_blobs, {});
    if (in_txn_) {  // else SQLite ended the transaction, savepoint included
      if (!r) (void)step(op::rollback_to);
      (void)step(op::release);
    }
    if (!r) return r;
    return mem_.clear();
  }

  /// Commits the writes since the last commit as one transaction (the engine calls it per operation).
  tfe::result<void> commit() {
    if (!in_txn_) return {};
    const int rc = step(op::commit);
    if (rc == SQLITE_DONE) {
      in_txn_ = false;
      return {};
    }
    auto err = failure(conn_.db, "commit");
    if (!sqlite3_get_autocommit(conn_.db)) (void)step(op::rollback);
    in_txn_ = false;
    failed_ = err.value.message;
    return err;
  }
  /// Makes committed transactions durable: commits, then checkpoints the WAL (synced to disk).
  tfe::result<void> sync() {
    if (auto r = commit(); !r) return r;
    if (auto r = usable(); !r) return r;
    if (sqlite3_wal_checkpoint_v2(conn_.db, nullptr, SQLITE_CHECKPOINT_FULL, nullptr, nullptr) != SQLITE_OK)
      return failure(conn_.db, "checkpoint");
    return {};
  }

  /// True while writes wait for commit().
  bool in_transaction() const noexcept { return in_txn_; }
  /// True after SQLite lost writes memory has (writes fail until open() or load()).
  bool failed() const noexcept { return !failed_.empty(); }
  /// The SQLite connection, for inspection by hosts and tests (owned by the storage; may be null).
  sqlite3* handle() const noexcept { return conn_.db; }

 private:
  // The cached statements, in the order of the SQL in open().
  enum class op : std::size_t {
    begin,
    commit,
    rollback,
    upsert_entity,
    erase_entity,
    put_blob,
    erase_blob,
    clear_entities,
    clear_blobs,
    savepoint,
    release,
    rollback_to,
    count
  };
  static constexpr std::size_t op_count = static_cast<std::size_t>(op::count);

  // One open database and its prepared statements; closes both when destroyed.
  struct connection {
    sqlite3* db = nullptr;
    std::array<sqlite3_stmt*, op_count> stmts{};
    connection() = default;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection() {
      for (sqlite3_stmt* s : stmts) sqlite3_finalize(s);
      sqlite3_close_v2(db);  // rolls back an open transaction
    }
    friend void swap(connection& a, connection& b) noexcept {
      std::swap(a.db, b.db);
      std::swap(a.stmts, b.stmts);
    }
  };

  template <class T>
  static constexpr std::string_view type_name() noexcept {
    if constexpr (std::is_same_v<T, tfe::organization>) return "organization";
    else if constexpr (std::is_same_v<T, tfe::workspace>) return "workspace";
    else if constexpr (std::is_same_v<T, tfe::configuration_version>) return "configuration-version";
    else if constexpr (std::is_same_v<T, tfe::run>) return "run";
    else if constexpr (std::is_same_v<T, tfe::project>) return "project";
    else if constexpr (std::is_same_v<T, tfe::state_version>) return "state-version";
    else if constexpr (std::is_same_v<T, tfe::agent_pool>) return "agent-pool";
    else return "run-comment";
  }
  static std::string_view key_text(const std::string& k) noexcept { return k; }
  static std::string_view key_text(const tfe::resource_id& k) noexcept { return k.view(); }

  void adopt(tfe::memory_storage&& loaded, std::int64_t max_seq) {
    mem_ = std::move(loaded);
    next_seq_ = max_seq + 1;
    in_txn_ = false;
    failed_.clear();
  }
  static tfe::unexpected failure(sqlite3* db, const std::string& what) {
    return tfe::make_error(tfe::errc::storage_failure,
                           "sqlite: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
  }
  tfe::result<void> usable() const {
    if (!failed_.empty())
      return tfe::make_error(tfe::errc::storage_failure, "sqlite storage failed earlier (" + failed_ + ")");
    if (!conn_.db) return tfe::make_error(tfe::errc::storage_failure, "sqlite: no database");
    return {};
  }
  // Runs a cached statement once and resets it (sqlite3_errmsg keeps the error).
  int step(op s) {
    sqlite3_stmt* st = conn_.stmts[static_cast<std::size_t>(s)];
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
  }

  template <class T>
  tfe::result<void> put_row(const T& e) {
    const std::string body = tfe::encode_entity(e).dump();
    return write(op::upsert_entity, {type_name<T>(), key_text(tfe::key_of(e)), body}, nullptr, next_seq_++);
  }
  // One write statement, its text parameters first, then the blob bytes or the seq of an upsert.
  tfe::result<void> write(op s, std::initializer_list<std::string_view> text, const std::string* bytes = nullptr,
                          std::int64_t seq = 0) {
    if (auto r = usable(); !r) return r;
    if (!in_txn_) {
      if (step(op::begin) != SQLITE_DONE) return failure(conn_.db, "begin");
      in_txn_ = true;
      txn_writes_ = 0;
    }
    sqlite3_stmt* st = conn_.stmts[static_cast<std::size_t>(s)];
    int i = 0;
    for (std::string_view t : text) sqlite3_bind_text64(st, ++i, t.data(), t.size(), nullptr, SQLITE_UTF8);
    if (bytes) sqlite3_bind_blob64(st, ++i, bytes->data(), bytes->size(), nullptr);  // nullptr: SQLITE_STATIC
    if (s == op::upsert_entity) sqlite3_bind_int64(st, ++i, seq);
    if (step(s) == SQLITE_DONE) {
      ++txn_writes_;
      return {};
    }
    auto err = failure(conn_.db, "write");
    if (sqlite3_get_autocommit(conn_.db)) {  // SQLite rolled the whole transaction back
      in_txn_ = false;
      if (txn_writes_ > 0) failed_ = err.value.message;
    }
    return err;
  }

  // Reads every entity (in seq order) and blob of `db` into `out`, rebuilding the workspace lists.
  static tfe::result<void> read_all(sqlite3* db, tfe::memory_storage& out, std::int64_t& max_seq) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT type, key, seq, body FROM entities ORDER BY seq", -1, &st, nullptr) != SQLITE_OK)
      return failure(db, "load");
    std::vector<std::pair<tfe::resource_id, tfe::resource_id>> cvs, runs, svs;  // (workspace, id) in seq order
    tfe::result<void> res;
    int rc = SQLITE_DONE;
    while (res && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      const std::string_view type = column_text(st, 0), key = column_text(st, 1);
      max_seq = std::max<std::int64_t>(max_seq, sqlite3_column_int64(st, 2));
      auto doc = tfe::json::parse(column_text(st, 3));
      if (!doc) {
        res = tfe::make_error(tfe::errc::storage_failure, "sqlite: bad JSON in " + std::string(type) + " '" +
                                                              std::string(key) + "': " + doc.error().message);
        break;
      }
      if (type == type_name<tfe::organization>()) res = load_one<tfe::organization>(*doc, key, out);
      else if (type == type_name<tfe::workspace>()) res = load_one<tfe::workspace>(*doc, key, out);
      else if (type == type_name<tfe::configuration_version>())
        res = load_one<tfe::configuration_version>(*doc, key, out, &cvs);
      else if (type == type_name<tfe::run>()) res = load_one<tfe::run>(*doc, key, out, &runs);
      else if (type == type_name<tfe::run_comment>()) res = load_one<tfe::run_comment>(*doc, key, out);
      else if (type == type_name<tfe::project>()) res = load_one<tfe::project>(*doc, key, out);
      else if (type == type_name<tfe::state_version>()) res = load_one<tfe::state_version>(*doc, key, out, &svs);
      else if (type == type_name<tfe::agent_pool>()) res = load_one<tfe::agent_pool>(*doc, key, out);
      else res = tfe::make_error(tfe::errc::storage_failure, "sqlite: unknown entity type '" + std::string(type) + "'");
    }
    if (res && rc != SQLITE_DONE) res = failure(db, "load");
    sqlite3_finalize(st);
    if (!res) return res;
    using tfe::workspace;
    for (const auto& c : cvs)
      (void)out.update(tfe::of<workspace>, c.first,
                       [&](workspace& w) { w.configuration_versions.push_back(c.second); });
    for (const auto& r : runs)
      (void)out.update(tfe::of<workspace>, r.first, [&](workspace& w) { w.runs.push_back(r.second); });
    for (const auto& v : svs)
      (void)out.update(tfe::of<workspace>, v.first, [&](workspace& w) { w.state_versions.push_back(v.second); });
    if (sqlite3_prepare_v2(db, "SELECT key, bytes FROM blobs", -1, &st, nullptr) != SQLITE_OK)
      return failure(db, "load blobs");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const char* p = static_cast<const char*>(sqlite3_column_blob(st, 1));
      const auto n = static_cast<std::size_t>(sqlite3_column_bytes(st, 1));
      (void)out.put_blob(column_text(st, 0), p ? std::string(p, n) : std::string());
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return failure(db, "load blobs");
    return {};
  }
  template <class T>
  static tfe::result<void> load_one(const tfe::json& doc, std::string_view key, tfe::memory_storage& out,
                                    std::vector<std::pair<tfe::resource_id, tfe::resource_id>>* list = nullptr) {
    T v;
    if (auto r = tfe::decode_entity(doc, v); !r || key_text(tfe::key_of(v)) != key)
      return tfe::make_error(tfe::errc::storage_failure,
                             "sqlite: undecodable " + std::string(type_name<T>()) + " '" + std::string(key) + "'" +
                                 (r ? std::string(" (key differs)") : ": " + r.error().message));
    if constexpr (std::is_same_v<T, tfe::run> || std::is_same_v<T, tfe::configuration_version> ||
                  std::is_same_v<T, tfe::state_version>)
      if (list) list->emplace_back(v.workspace_id, v.id);
    return out.insert(std::move(v));
  }
  static std::string_view column_text(sqlite3_stmt* st, int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st, col))) : std::string_view();
  }

  connection conn_;
  tfe::memory_storage mem_;
  std::int64_t next_seq_ = 1;
  bool in_txn_ = false;
  std::size_t txn_writes_ = 0;  // statements that succeeded in the open transaction
  std::string failed_;          // why the storage failed (empty: it did not)
};

static_assert(tfe::is_storage_policy_v<sqlite_storage>, "sqlite_storage must satisfy the storage contract");

}  // namespace tfe_sqlite

#endif  // TFE_EXAMPLES_SQLITE_STORAGE_HPP
