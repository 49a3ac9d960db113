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
/// Journal format: the 6-byte header "TFEJ2\n", then records `u32 length | u32 crc32(payload) | payload`
/// (little-endian). Payload: an op byte, then for entities a type byte and the entity's JSON
/// (tfe/model/codec.hpp; only the fields that differ from a default entity's) or key, for blobs the key length (u32),
/// key and bytes. Ops: 'E' put entity, 'P' patch entity (type byte, key length (u32), key, then a JSON object of the
/// stored fields an update changed), 'D' erase entity, 'B' put blob, 'X' erase blob, 'C' clear, 'K' commit. Replay
/// applies a transaction only when its commit record is intact, so a state from the middle of an operation never comes
/// back. Journals of format 1 ("TFEJ1\n", no patch records) replay too. `Memory` is the in-memory image
/// (memory_storage); the class is a template only so that a translation unit that never uses it compiles none of it.
template <class Memory = memory_storage>
class basic_journal_storage {
 public:
  /// The bytes every journal written now starts with (format 2: with patch records).
  static constexpr std::string_view header = "TFEJ2\n";
  /// The header of format 1 (no patch records), still replayed.
  static constexpr std::string_view header_v1 = "TFEJ1\n";

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
    if constexpr (std::is_same_v<T, workspace>) {
      // A workspace's indexes (the ids of all its runs, versions and states) are not journaled and the
      // engine only ever appends to them: change it in place and keep only its data and the indexes'
      // sizes to put back, rather than copying every id of a long history at every update.
      result<void> appended;
      auto found = mem_.update(tag, key, [&](workspace& x) {
        const workspace_data before = x;
        const std::size_t runs = x.runs.size(), cvs = x.configuration_versions.size(), svs = x.state_versions.size();
        fn(x);
        appended = append_patch(key, before, x);
        if (appended) return;
        static_cast<workspace_data&>(x) = before;
        x.runs.resize(runs);
        x.configuration_versions.resize(cvs);
        x.state_versions.resize(svs);
      });
      if (!found) return found;
      return appended;
    }
    const T* cur = mem_.find(tag, key);
    if (!cur) return make_error(errc::not_found, "no such entity");
    T next = *cur;
    fn(next);
    if (auto r = append_patch(key, *cur, next); !r) return r;
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
      std::string& p = begin_record('B');
      put_u32(p, static_cast<std::uint32_t>(key.size()));
      p += key;
      p += bytes;
      if (auto r = end_record(); !r) return r;
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
    if (bytes.substr(0, header.size()) != header && bytes.substr(0, header_v1.size()) != header_v1) {
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
      std::string p(1, 'E');
      write_put(p, e);
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
    write_put(begin_record('E'), e);
    return end_record();
  }
  // The payload of a put record after its op byte: the type byte and the fields off their defaults.
  template <class T>
  static void write_put(std::string& p, const T& e) {
    p += type_code<T>();
    (void)write_changed(p, default_entity<T>(), e);
  }
  // A default-constructed entity: replay decodes every put record onto one, so a put record leaves
  // out the fields that still hold their defaults.
  template <class T>
  static const T& default_entity() {
    static const T d{};
    return d;
  }
  // Appends a JSON object of the stored fields of `after` that differ from `before`; true when any did.
  template <class T, class Before>
  static bool write_changed(std::string& out, const Before& before, const T& after) {
    json_writer w(out);
    w.begin_object();
    bool changed = false;
    visit_fields(of<T>, [&](const auto& f) {
      if constexpr (std::decay_t<decltype(f)>::has_member) {
        if (!f.is_stored() || before.*f.member == after.*f.member) return;
        w.key(f.name);
        if constexpr (std::is_same_v<std::decay_t<decltype(after.*f.member)>, detail::status_times>)
          write_changed_times(w, before.*f.member, after.*f.member);
        else detail::write_value(w, after.*f.member);
        changed = true;
      }
    });
    w.end_object();
    return changed;
  }
  // An update journals only the stored fields it changed; an update that changed none writes nothing.
  template <class T, class Before>
  result<void> append_patch(const entity_key_t<T>& key, const Before& before, const T& after) {
    std::string& p = begin_record('P');
    p += type_code<T>();
    const std::string_view k = key_text(key);
    put_u32(p, static_cast<std::uint32_t>(k.size()));
    p += k;
    if (!write_changed(p, before, after)) return {};
    return end_record();
  }
  // The statuses whose time changed (status timestamps merge when decoded; null clears one).
  static void write_changed_times(json_writer& w, const detail::status_times& before,
                                  const detail::status_times& after) {
    w.begin_object();
    for (std::size_t i = 0; i < run_status_count; ++i) {
      if (before[i] == after[i]) continue;
      w.key(to_string(all_run_statuses[i]));
      if (after[i] == run::no_time) w.null_value();
      else detail::write_value(w, from_unix_ms(after[i]));
    }
    w.end_object();
  }
  // A record is built in one buffer kept between records (no allocation per record): room for its
  // length and checksum, then the payload (begin_record), then the two filled in (end_record).
  std::string& begin_record(char op) {
    record_.assign(8, '\0');
    record_ += op;
    return record_;
  }
  result<void> end_record() {
    if (failed_) return make_error(errc::storage_failure, "journal sink failed earlier; the write was not made");
    const std::string_view payload = std::string_view(record_).substr(8);
    const std::uint32_t len = static_cast<std::uint32_t>(payload.size()), crc = detail::crc32(payload);
    for (int i = 0; i < 4; ++i) {
      record_[static_cast<std::size_t>(i)] = static_cast<char>((len >> (8 * i)) & 0xFFu);
      record_[static_cast<std::size_t>(4 + i)] = static_cast<char>((crc >> (8 * i)) & 0xFFu);
    }
    if (auto r = sink_.append(record_); !r) {
      failed_ = true;
      return make_error(errc::storage_failure, "journal append failed: " + r.error().message);
    }
    journal_bytes_ += record_.size();
    dirty_ = true;
    if (payload != "K") pending_ = true;
    if (record_.capacity() > (64u << 10)) std::string().swap(record_);  // after a large blob
    return {};
  }
  result<void> append_record(std::string_view payload) {
    begin_record(payload[0]) += payload.substr(1);
    return end_record();
  }

  // Calls fn(of<T>) for the entity type T of a record's type byte; false for an unknown byte.
  template <class F>
  static bool with_type(char t, F&& fn) {
    switch (t) {
      case 'o':
        fn(of<organization>);
        return true;
      case 'w':
        fn(of<workspace>);
        return true;
      case 'c':
        fn(of<configuration_version>);
        return true;
      case 'r':
        fn(of<run>);
        return true;
      case 'p':
        fn(of<project>);
        return true;
      case 's':
        fn(of<state_version>);
        return true;
      case 'a':
        fn(of<agent_pool>);
        return true;
      case 'm':
        fn(of<run_comment>);
        return true;
      default:
        return false;
    }
  }
  template <class T>
  static entity_key_t<T> make_key(std::string_view k) {
    return entity_key_t<T>(k);
  }

  // A patch record's parts (after the op byte): type byte, key, JSON text. False when malformed.
  struct patch_parts {
    char type = 0;
    std::string_view key, doc;
  };
  static bool split_patch(std::string_view p, patch_parts& out) {
    if (p.size() < 6) return false;
    const std::uint32_t n = get_u32(p.data() + 2);
    if (n > p.size() - 6) return false;
    out.type = p[1];
    out.key = p.substr(6, n);
    out.doc = p.substr(6 + n);
    return true;
  }

  // Decodes every record of a transaction without applying it, and checks that every patch finds its
  // entity: in memory or put earlier in the transaction, and not erased or cleared since.
  bool check_transaction(const std::vector<std::string_view>& txn, std::string& why) const {
    std::vector<std::pair<std::string, bool>> touched;  // type byte + key, exists after the record
    bool cleared = false;
    auto exists = [&](char t, std::string_view key) {
      std::string k(1, t);
      k += key;
      for (auto it = touched.rbegin(); it != touched.rend(); ++it)
        if (it->first == k) return it->second;
      bool found = false;
      if (!cleared)
        with_type(t, [&](auto tag) {
          using T = typename tag_type<decltype(tag)>::type;
          found = mem_.find(tag, make_key<T>(key)) != nullptr;
        });
      return found;
    };
    auto touch = [&](char t, std::string_view key, bool alive) {
      std::string k(1, t);
      k += key;
      touched.emplace_back(std::move(k), alive);
    };
    for (auto p : txn) {
      const char op = p[0];
      if (op == 'C') {
        cleared = true;
        touched.clear();
        continue;
      }
      if (op == 'X') continue;
      if (op == 'B') {
        if (p.size() < 5 || get_u32(p.data() + 1) > p.size() - 5) return (why = "bad blob record", false);
        continue;
      }
      if ((op != 'E' && op != 'D' && op != 'P') || p.size() < 2) return (why = "unknown record type", false);
      patch_parts patch;
      if (op == 'P' && !split_patch(p, patch)) return (why = "bad patch record", false);
      bool ok = true;
      const bool known = with_type(p[1], [&](auto tag) {
        using T = typename tag_type<decltype(tag)>::type;
        if (op == 'D') {
          touch(p[1], p.substr(2), false);
          return;
        }
        if (op == 'P' && (!key_fits<T>(patch.key) || !exists(p[1], patch.key))) {
          why = "patch of a missing " + std::string(1, p[1]) + " entity";
          ok = false;
          return;
        }
        auto doc = json::parse(op == 'P' ? patch.doc : p.substr(2));
        if (!doc) {
          why = "entity JSON: " + doc.error().message;
          ok = false;
          return;
        }
        T v{};
        if (auto r = decode_entity(*doc, v); !r) {
          why = r.error().message;
          ok = false;
          return;
        }
        if (op == 'E') touch(p[1], key_text(key_of(v)), true);
      });
      if (!known) return (why = "unknown entity type", false);
      if (!ok) return false;
    }
    return true;
  }
  template <class Tag>
  struct tag_type;
  template <class T>
  struct tag_type<entity_tag<T>> {
    using type = T;
  };
  template <class T>
  static bool key_fits(std::string_view key) noexcept {
    if constexpr (std::is_same_v<entity_key_t<T>, resource_id>) return key.size() <= resource_id::max_size;
    else return true;
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
      with_type(p[1], [&](auto tag) {
        using T = typename tag_type<decltype(tag)>::type;
        (void)mem_.erase(tag, make_key<T>(p.substr(2)));
      });
    } else if (op == 'P') {
      patch_parts patch;
      (void)split_patch(p, patch);
      const json doc = *json::parse(patch.doc);
      with_type(patch.type, [&](auto tag) {
        using T = typename tag_type<decltype(tag)>::type;
        (void)mem_.update(tag, make_key<T>(patch.key), [&](T& x) { (void)decode_entity(doc, x); });
      });
    } else {
      const json doc = *json::parse(p.substr(2));
      with_type(p[1], [&](auto tag) {
        using T = typename tag_type<decltype(tag)>::type;
        if constexpr (std::is_same_v<T, workspace>) put_workspace(doc);
        else if constexpr (std::is_same_v<T, configuration_version>)
          put_indexed<T>(doc, &workspace::configuration_versions);
        else if constexpr (std::is_same_v<T, run>) put_indexed<T>(doc, &workspace::runs);
        else if constexpr (std::is_same_v<T, state_version>) put_indexed<T>(doc, &workspace::state_versions);
        else put<T>(doc);
      });
    }
  }
  template <class T>
  void put(const json& doc) {
    T v{};
    (void)decode_entity(doc, v);
    (void)mem_.insert(std::move(v));
  }
  // A workspace record carries no run or configuration version lists: keep the ones replay built.
  void put_workspace(const json& doc) {
    workspace w{};
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
    T v{};
    (void)decode_entity(doc, v);
    if (!mem_.find(of<T>, v.id))
      (void)mem_.update(of<workspace>, v.workspace_id, [&](workspace& w) { (w.*list).push_back(v.id); });
    (void)mem_.insert(std::move(v));
  }

  memory mem_;
  journal_sink sink_;
  std::string record_;    // the record being written
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
