// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// journal_storage: a storage policy that appends every change as a checksummed record to a sink and
// rebuilds its state by replaying them (docs/storage.md). Standard library only.
#ifndef TFE_POLICIES_JOURNAL_STORAGE_HPP
#define TFE_POLICIES_JOURNAL_STORAGE_HPP

#include <tfe/config.hpp>
#include <tfe/detail/crc32.hpp>
#include <tfe/json.hpp>
#include <tfe/model/codec.hpp>
#include <tfe/policies/storage.hpp>
#include <tfe/result.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tfe {

/// Where a journal's records go. `append` stores bytes after everything appended before; its success
/// acknowledges them. `sync` makes everything appended durable (e.g. fdatasync); empty: nothing to do.
struct journal_sink {
  std::function<result<void>(std::string_view)> append;  ///< store bytes in order
  std::function<result<void>()> sync;                    ///< make appended bytes durable (optional)
};

/// A sink appending to `os`, a std::ostream (which must outlive it); sync() flushes the stream.
/// (A template, so tfe does not include <ostream> for it.)
template <class Ostream>
journal_sink ostream_sink(Ostream& os) {
  journal_sink s;
  s.append = [&os](std::string_view bytes) -> result<void> {
    os.write(bytes.data(), static_cast<std::ptrdiff_t>(bytes.size()));
    if (!os) return make_error(errc::storage_failure, "journal stream write failed");
    return {};
  };
  s.sync = [&os]() -> result<void> {
    os.flush();
    if (!os) return make_error(errc::storage_failure, "journal stream flush failed");
    return {};
  };
  return s;
}

/// What a replay found.
struct replay_report {
  std::size_t records = 0;        ///< records read from the valid prefix
  std::size_t transactions = 0;   ///< committed operations applied
  std::size_t bytes = 0;          ///< length of the valid prefix: the journal may be cut back to it
  std::size_t dropped_bytes = 0;  ///< bytes after the valid prefix (a torn, corrupt or uncommitted tail)
  std::string message;            ///< why a tail was dropped (empty when none was)
  /// True when the whole journal was applied.
  bool clean() const noexcept { return dropped_bytes == 0; }
};

/// The journal storage: memory_storage for reads, plus one checksummed record per change, grouped into
/// transactions by commit(), which the engine calls when an operation ends. Without a sink it behaves
/// exactly like memory_storage (nothing is encoded). A failed append fails the write (the entity stays
/// as it was) and every later write, until the host attaches a new sink.
///
/// Journal format: the 6-byte header "TFEJ1\n", then records `u32 length | u32 crc32(payload) | payload`
/// (little-endian). Payload: an op byte, then for entities a type byte and the entity's JSON
/// (tfe/model/codec.hpp) or key, for blobs the key length (u32), key and bytes. Ops: 'E' put entity,
/// 'D' erase entity, 'B' put blob, 'X' erase blob, 'C' clear, 'K' commit. Replay applies a transaction
/// only when its commit record is intact, so a state from the middle of an operation never comes back.
/// `Memory` is the in-memory image (memory_storage); the class is a template only so that a translation
/// unit that never uses it compiles none of it.
template <class Memory = memory_storage>
class basic_journal_storage {
 public:
  /// The bytes every journal starts with.
  static constexpr std::string_view header = "TFEJ1\n";

  /// Finds an entity by key.
  template <class T>
  const T* find(entity_tag<T> tag, const entity_key_t<T>& key) const noexcept {
    return mem_.find(tag, key);
  }
  /// Inserts a new entity (journaled first).
  template <class T>
  result<void> insert(T&& value) {
    using U = std::decay_t<T>;
    if (sink_.append)
      if (auto r = append_entity(value); !r) return r;
    return mem_.insert(U(std::forward<T>(value)));
  }
  /// Mutates an entity: the change is journaled before it is made.
  template <class T, class F>
  result<void> update(entity_tag<T> tag, const entity_key_t<T>& key, F&& fn) {
    if (!sink_.append) return mem_.update(tag, key, std::forward<F>(fn));
    const T* cur = mem_.find(tag, key);
    if (!cur) return make_error(errc::not_found, "no such entity");
    T next = *cur;
    fn(next);
    if (auto r = append_entity(next); !r) return r;
    return mem_.update(tag, key, [&](T& x) { x = std::move(next); });
  }
  /// Removes an entity.
  template <class T>
  result<void> erase(entity_tag<T> tag, const entity_key_t<T>& key) {
    if (sink_.append) {
      std::string p;
      p += 'D';
      p += type_code<T>();
      p += key_text(key);
      if (auto r = append_record(p); !r) return r;
    }
    return mem_.erase(tag, key);
  }
  /// Number of entities of type T.
  template <class T>
  std::size_t size(entity_tag<T> tag) const noexcept {
    return mem_.size(tag);
  }
  /// Calls fn(const T&) for each entity of type T.
  template <class T, class F>
  void for_each(entity_tag<T> tag, F&& fn) const {
    mem_.for_each(tag, std::forward<F>(fn));
  }

  /// Stores bytes under `key` (journaled).
  result<void> put_blob(std::string_view key, std::string bytes) {
    if (sink_.append) {
      std::string p;
      p.reserve(bytes.size() + key.size() + 8);
      p += 'B';
      put_u32(p, static_cast<std::uint32_t>(key.size()));
      p += key;
      p += bytes;
      if (auto r = append_record(p); !r) return r;
    }
    return mem_.put_blob(key, std::move(bytes));
  }
  /// The bytes under `key`, or nullptr.
  const std::string* get_blob(std::string_view key) const noexcept { return mem_.get_blob(key); }
  /// Removes the bytes under `key`.
  result<void> erase_blob(std::string_view key) {
    if (sink_.append) {
      std::string p = "X";
      p += key;
      if (auto r = append_record(p); !r) return r;
    }
    return mem_.erase_blob(key);
  }
  /// Removes everything.
  result<void> clear() {
    if (sink_.append)
      if (auto r = append_record("C"); !r) return r;
    return mem_.clear();
  }

  /// Ends a transaction: the writes since the last commit become one unit for replay.
  result<void> commit() {
    if (!pending_ || !sink_.append) return {};
    if (auto r = append_record("K"); !r) return r;
    pending_ = false;
    return {};
  }
  /// Makes every appended record durable through the sink's sync (after a commit).
  result<void> sync() {
    if (!dirty_ || !sink_.sync) return {};
    if (failed_) return make_error(errc::storage_failure, "journal sink failed earlier");
    if (auto r = sink_.sync(); !r) {
      failed_ = true;
      return r;
    }
    dirty_ = false;
    return {};
  }

  /// From now on, records go to `sink`; with `write_header` the journal header is written first.
  result<void> attach(journal_sink sink, bool write_header) {
    sink_ = std::move(sink);
    failed_ = false;
    pending_ = false;
    if (write_header && sink_.append) {
      if (auto r = sink_.append(header); !r) {
        failed_ = true;
        return r;
      }
      journal_bytes_ = header.size();
      dirty_ = true;
    }
    return {};
  }
  /// Stops journaling (the state stays in memory).
  void detach() { sink_ = journal_sink{}; }
  /// True when a sink is attached.
  bool attached() const noexcept { return static_cast<bool>(sink_.append); }
  /// True after a sink failure (writes fail until attach()).
  bool failed() const noexcept { return failed_; }
  /// True when records were appended since the last sync().
  bool dirty() const noexcept { return dirty_; }
  /// Bytes in the current journal (replayed prefix plus appended since).
  std::uint64_t journal_bytes() const noexcept { return journal_bytes_; }
  /// True when the journal is over `min_bytes` and four times the size of the last compacted image.
  bool needs_compaction(std::uint64_t min_bytes = 4u << 20) const noexcept {
    return journal_bytes_ > min_bytes && journal_bytes_ > 4 * last_image_bytes_;
  }

  /// Applies the journal `bytes` (call before attach(), on an empty storage). Stops at the first
  /// torn, corrupt or undecodable record and drops it, everything after it and the uncommitted writes
  /// before it; the report says where and why. Everything committed before is applied.
  replay_report replay(std::string_view bytes) {
    replay_report rep;
    if (bytes.empty()) return rep;
    if (bytes.substr(0, header.size()) != header) {
      rep.dropped_bytes = bytes.size();
      rep.message = "not a tfe journal (bad header): nothing replayed";
      return rep;
    }
    std::size_t pos = header.size();
    rep.bytes = pos;
    std::vector<std::string_view> txn;
    std::size_t records = 0;
    while (pos < bytes.size()) {
      if (bytes.size() - pos < 8) {
        rep.message = "torn record header at offset " + std::to_string(pos);
        break;
      }
      const std::uint32_t len = get_u32(bytes.data() + pos);
      const std::uint32_t crc = get_u32(bytes.data() + pos + 4);
      if (len == 0 || len > bytes.size() - pos - 8) {
        rep.message =
            "torn record at offset " + std::to_string(pos) + " (length " + std::to_string(len) + " runs past the end)";
        break;
      }
      const std::string_view payload = bytes.substr(pos + 8, len);
      if (detail::crc32(payload) != crc) {
        rep.message = "checksum mismatch in the record at offset " + std::to_string(pos);
        break;
      }
      pos += 8 + len;
      ++records;
      if (payload[0] != 'K') {
        txn.push_back(payload);
        continue;
      }
      // A committed transaction: check it decodes completely, then apply it.
      std::string why;
      if (!check_transaction(txn, why)) {
        rep.message = "undecodable record before offset " + std::to_string(pos) + ": " + why;
        break;
      }
      for (auto p : txn) apply(p);
      txn.clear();
      rep.records = records;
      ++rep.transactions;
      rep.bytes = pos;
    }
    if (rep.message.empty() && !txn.empty())
      rep.message = "uncommitted writes at the end (an operation cut short): dropped";
    rep.dropped_bytes = bytes.size() - rep.bytes;
    journal_bytes_ = rep.bytes;
    return rep;
  }

  /// A complete journal of the current state (header, one record per entity and blob, a commit):
  /// what compaction writes in place of the journal so far. Equal states give equal images.
  std::string image() const {
    std::string out(header);
    auto put_entity = [&](const auto& e) {
      std::string p;
      p += 'E';
      p += type_code<std::decay_t<decltype(e)>>();
      write_entity(p, e);
      frame(out, p);
    };
    std::vector<const organization*> orgs;
    mem_.for_each(of<organization>, [&](const organization& o) { orgs.push_back(&o); });
    std::sort(orgs.begin(), orgs.end(), [](auto* a, auto* b) { return a->name < b->name; });
    for (const organization* o : orgs) put_entity(*o);
    std::vector<const project*> projects;
    mem_.for_each(of<project>, [&](const project& p) { projects.push_back(&p); });
    std::sort(projects.begin(), projects.end(), [](auto* a, auto* b) { return a->id < b->id; });
    for (const project* p : projects) put_entity(*p);
    std::vector<const agent_pool*> pools;
    mem_.for_each(of<agent_pool>, [&](const agent_pool& p) { pools.push_back(&p); });
    std::sort(pools.begin(), pools.end(), [](auto* a, auto* b) { return a->id < b->id; });
    for (const agent_pool* p : pools) put_entity(*p);
    std::vector<const workspace*> wss;
    mem_.for_each(of<workspace>, [&](const workspace& w) { wss.push_back(&w); });
    std::sort(wss.begin(), wss.end(), [](auto* a, auto* b) { return a->id < b->id; });
    for (const workspace* w : wss) {
      put_entity(*w);
      for (const auto& id : w->configuration_versions)
        if (const auto* cv = mem_.find(of<configuration_version>, id)) put_entity(*cv);
      for (const auto& id : w->runs)
        if (const auto* r = mem_.find(of<run>, id)) put_entity(*r);
      for (const auto& id : w->state_versions)
        if (const auto* v = mem_.find(of<state_version>, id)) put_entity(*v);
    }
    std::vector<const run_comment*> comments;
    mem_.for_each(of<run_comment>, [&](const run_comment& c) { comments.push_back(&c); });
    std::sort(comments.begin(), comments.end(), [](auto* a, auto* b) {
      return a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id;
    });
    for (const auto* c : comments) put_entity(*c);
    mem_.for_each_blob([&](const std::string& key, const std::string& bytes) {
      std::string p = "B";
      put_u32(p, static_cast<std::uint32_t>(key.size()));
      p += key;
      p += bytes;
      frame(out, p);
    });
    frame(out, "K");
    return out;
  }
  /// Records that the journal was replaced by image() (`bytes` long): compaction bookkeeping.
  void compacted(std::uint64_t bytes) noexcept {
    journal_bytes_ = bytes;
    last_image_bytes_ = bytes;
  }

 private:
  // memory_storage plus a blob walk for image().
  struct memory : Memory {
    template <class F>
    void for_each_blob(F&& fn) const {
      std::vector<std::string> keys = blob_keys_;
      std::sort(keys.begin(), keys.end());
      for (const auto& k : keys)
        if (const std::string* b = this->get_blob(k)) fn(k, *b);
    }
    result<void> put_blob(std::string_view key, std::string bytes) {
      if (!this->get_blob(key)) blob_keys_.emplace_back(key);
      return Memory::put_blob(key, std::move(bytes));
    }
    result<void> erase_blob(std::string_view key) {
      blob_keys_.erase(std::remove(blob_keys_.begin(), blob_keys_.end(), key), blob_keys_.end());
      return Memory::erase_blob(key);
    }
    result<void> clear() {
      blob_keys_.clear();
      return Memory::clear();
    }
    std::vector<std::string> blob_keys_;
  };

  template <class T>
  static constexpr char type_code() noexcept {
    if constexpr (std::is_same_v<T, organization>) return 'o';
    else if constexpr (std::is_same_v<T, workspace>) return 'w';
    else if constexpr (std::is_same_v<T, configuration_version>) return 'c';
    else if constexpr (std::is_same_v<T, run>) return 'r';
    else if constexpr (std::is_same_v<T, project>) return 'p';
    else if constexpr (std::is_same_v<T, state_version>) return 's';
    else if constexpr (std::is_same_v<T, agent_pool>) return 'a';
    else return 'm';
  }
  static std::string_view key_text(const std::string& k) noexcept { return k; }
  static std::string_view key_text(const resource_id& k) noexcept { return k.view(); }

  static void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFu);
  }
  static std::uint32_t get_u32(const char* p) noexcept {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
  }
  static void frame(std::string& out, std::string_view payload) {
    put_u32(out, static_cast<std::uint32_t>(payload.size()));
    put_u32(out, detail::crc32(payload));
    out += payload;
  }

  template <class T>
  result<void> append_entity(const T& e) {
    std::string p;
    p.reserve(2048);
    p += 'E';
    p += type_code<T>();
    write_entity(p, e);
    return append_record(p);
  }
  result<void> append_record(std::string_view payload) {
    if (failed_) return make_error(errc::storage_failure, "journal sink failed earlier; the write was not made");
    std::string rec;
    rec.reserve(payload.size() + 8);
    frame(rec, payload);
    if (auto r = sink_.append(rec); !r) {
      failed_ = true;
      return make_error(errc::storage_failure, "journal append failed: " + r.error().message);
    }
    journal_bytes_ += rec.size();
    dirty_ = true;
    if (payload != "K") pending_ = true;
    return {};
  }

  // Decodes every record of a transaction without applying it.
  static bool check_transaction(const std::vector<std::string_view>& txn, std::string& why) {
    for (auto p : txn) {
      const char op = p[0];
      if (op == 'C') continue;
      if (op == 'X') continue;
      if (op == 'B') {
        if (p.size() < 5 || get_u32(p.data() + 1) > p.size() - 5) return (why = "bad blob record", false);
        continue;
      }
      if ((op != 'E' && op != 'D') || p.size() < 2) return (why = "unknown record type", false);
      const char t = p[1];
      if (t != 'o' && t != 'w' && t != 'c' && t != 'r' && t != 'm' && t != 'p' && t != 's' && t != 'a')
        return (why = "unknown entity type", false);
      if (op == 'D') continue;
      auto doc = json::parse(p.substr(2));
      if (!doc) return (why = "entity JSON: " + doc.error().message, false);
      bool ok = true;
      switch (t) {
        case 'o':
          ok = decodes<organization>(*doc, why);
          break;
        case 'w':
          ok = decodes<workspace>(*doc, why);
          break;
        case 'c':
          ok = decodes<configuration_version>(*doc, why);
          break;
        case 'r':
          ok = decodes<run>(*doc, why);
          break;
        case 'p':
          ok = decodes<project>(*doc, why);
          break;
        case 's':
          ok = decodes<state_version>(*doc, why);
          break;
        case 'a':
          ok = decodes<agent_pool>(*doc, why);
          break;
        default:
          ok = decodes<run_comment>(*doc, why);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }
  template <class T>
  static bool decodes(const json& doc, std::string& why) {
    T v;
    auto r = decode_entity(doc, v);
    if (!r) why = r.error().message;
    return static_cast<bool>(r);
  }

  // Applies one checked record to memory.
  void apply(std::string_view p) {
    const char op = p[0];
    if (op == 'C') {
      (void)mem_.clear();
    } else if (op == 'X') {
      (void)mem_.erase_blob(p.substr(1));
    } else if (op == 'B') {
      const std::uint32_t n = get_u32(p.data() + 1);
      (void)mem_.put_blob(p.substr(5, n), std::string(p.substr(5 + n)));
    } else if (op == 'D') {
      const std::string_view key = p.substr(2);
      switch (p[1]) {
        case 'o':
          (void)mem_.erase(of<organization>, std::string(key));
          break;
        case 'w':
          (void)mem_.erase(of<workspace>, resource_id(key));
          break;
        case 'c':
          (void)mem_.erase(of<configuration_version>, resource_id(key));
          break;
        case 'r':
          (void)mem_.erase(of<run>, resource_id(key));
          break;
        case 'p':
          (void)mem_.erase(of<project>, resource_id(key));
          break;
        case 's':
          (void)mem_.erase(of<state_version>, resource_id(key));
          break;
        case 'a':
          (void)mem_.erase(of<agent_pool>, resource_id(key));
          break;
        default:
          (void)mem_.erase(of<run_comment>, resource_id(key));
          break;
      }
    } else {
      const json doc = *json::parse(p.substr(2));
      switch (p[1]) {
        case 'o':
          put<organization>(doc);
          break;
        case 'w':
          put_workspace(doc);
          break;
        case 'c':
          put_indexed<configuration_version>(doc, &workspace::configuration_versions);
          break;
        case 'r':
          put_indexed<run>(doc, &workspace::runs);
          break;
        case 'p':
          put<project>(doc);
          break;
        case 's':
          put_indexed<state_version>(doc, &workspace::state_versions);
          break;
        case 'a':
          put<agent_pool>(doc);
          break;
        default:
          put<run_comment>(doc);
          break;
      }
    }
  }
  template <class T>
  void put(const json& doc) {
    T v;
    (void)decode_entity(doc, v);
    (void)mem_.insert(std::move(v));
  }
  // A workspace record carries no run or configuration version lists: keep the ones replay built.
  void put_workspace(const json& doc) {
    workspace w;
    (void)decode_entity(doc, w);
    if (const workspace* cur = mem_.find(of<workspace>, w.id)) {
      w.runs = cur->runs;
      w.configuration_versions = cur->configuration_versions;
      w.state_versions = cur->state_versions;
    }
    (void)mem_.insert(std::move(w));
  }
  // A new run or configuration version joins its workspace's list, in journal order.
  template <class T>
  void put_indexed(const json& doc, std::vector<resource_id> workspace::*list) {
    T v;
    (void)decode_entity(doc, v);
    if (!mem_.find(of<T>, v.id))
      (void)mem_.update(of<workspace>, v.workspace_id, [&](workspace& w) { (w.*list).push_back(v.id); });
    (void)mem_.insert(std::move(v));
  }

  memory mem_;
  journal_sink sink_;
  bool pending_ = false;  // writes since the last commit record
  bool dirty_ = false;    // appended since the last sync
  bool failed_ = false;
  std::uint64_t journal_bytes_ = 0;
  std::uint64_t last_image_bytes_ = 0;
};

/// The journal storage over memory_storage (the storage policy tfe-server and the tests use).
using journal_storage = basic_journal_storage<>;
static_assert(is_storage_policy_v<journal_storage>, "journal_storage must satisfy the storage contract");

}  // namespace tfe

#endif  // TFE_POLICIES_JOURNAL_STORAGE_HPP
