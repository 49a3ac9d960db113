// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// posix_data_dir: an engine's journal_storage kept in a directory of journal files (tfe-server
// --data-dir): replay at start, fsync before acknowledging, compaction, and a lock against a second
// process. An optional OS adapter: tfe.hpp never includes it (docs/storage.md#data-directory).
#ifndef TFE_PERSISTENCE_POSIX_DATA_DIR_HPP
#define TFE_PERSISTENCE_POSIX_DATA_DIR_HPP

#include <tfe/config.hpp>
#include <tfe/policies/journal_storage.hpp>
#include <tfe/result.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tfe {

/// Settings of a data directory.
struct data_dir_options {
  bool fsync = true;                           ///< sync() calls fdatasync: acknowledged writes survive power loss
  std::uint64_t compact_min_bytes = 4u << 20;  ///< journals above this and 4x their live size are compacted
};

/// A directory holding one journal file per engine storage ("global.journal", "shard-00.journal", ...)
/// and a lock file. Open it, load() the engine from it, then call sync() before acknowledging writes.
class posix_data_dir {
 public:
  /// Opens (creating when needed) and locks `dir`; errc::conflict when another process holds it.
  static result<std::unique_ptr<posix_data_dir>> open(const std::string& dir, data_dir_options options = {}) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return os_error("cannot create data directory " + dir);
    std::unique_ptr<posix_data_dir> d(new posix_data_dir(dir, options));
    const std::string lock_path = dir + "/lock";
    d->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d->lock_fd_ < 0) return os_error("cannot open " + lock_path);
    if (::flock(d->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      char buf[32] = {};
      const ssize_t n = ::pread(d->lock_fd_, buf, sizeof buf - 1, 0);
      std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("unknown");
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return make_error(errc::conflict, "data directory " + dir + " is in use by another process (pid " + holder +
                                            "); stop it or choose another directory");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(d->lock_fd_, 0) == 0) (void)!::pwrite(d->lock_fd_, pid.data(), pid.size(), 0);
    return d;
  }

  posix_data_dir(const posix_data_dir&) = delete;
  posix_data_dir& operator=(const posix_data_dir&) = delete;
  /// Closes the journals and releases the lock.
  ~posix_data_dir() {
    for (auto& kv : files_)
      if (kv.second >= 0) ::close(kv.second);
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  }

  /// Replays every journal into `eng`'s storages, cuts torn tails off (kept beside as
  /// "<name>.journal.torn"), attaches the files as sinks, rebuilds the engine (recover()) and compacts
  /// every journal to one image of the state (so a restart never grows the directory).
  /// Returns a one-paragraph report for the log. Call once, before the engine serves anything.
  template <class Engine>
  result<std::string> load(Engine& eng) {
    static_assert(std::is_same_v<typename Engine::storage_type, journal_storage>,
                  "posix_data_dir needs an engine whose storage_type is tfe::journal_storage");
    std::string report;
    std::size_t transactions = 0, bytes = 0;
    result<void> failure;
    eng.for_each_storage([&](journal_storage& s, std::string_view name) {
      if (!failure) return;
      auto r = load_one(s, std::string(name), report, transactions, bytes);
      if (!r) failure = r;
    });
    if (!failure) return failure.error();
    if (auto r = eng.recover(); !r)
      return make_error(r.error().code, "the data in " + dir_ + " is inconsistent: " + r.error().message +
                                            (r.error().pointer.empty() ? "" : " at " + r.error().pointer));
    // recover() rewrote the whole state into the journals: make each one image of it.
    if (auto r = compact_all(eng); !r) return r.error();
    return "replayed " + std::to_string(transactions) + " transactions (" + std::to_string(bytes) + " bytes) from " +
           dir_ + report;
  }

  /// Makes every committed write durable (fdatasync with options.fsync) and compacts large journals.
  /// Call before acknowledging a request that wrote; thread-safe.
  template <class Engine>
  result<void> sync(Engine& eng) {
    result<void> out;
    eng.for_each_storage([&](journal_storage& s, std::string_view name) {
      if (auto r = s.sync(); !r) {
        if (out) out = r;
        return;
      }
      if (s.needs_compaction(opts_.compact_min_bytes))
        if (auto r = compact(s, std::string(name)); !r && out) out = r;
    });
    return out;
  }

  /// Compacts every journal now (each becomes one image of its storage's state).
  template <class Engine>
  result<void> compact_all(Engine& eng) {
    result<void> out;
    eng.for_each_storage([&](journal_storage& s, std::string_view name) {
      if (auto r = s.sync(); !r) {
        if (out) out = r;
        return;
      }
      if (auto r = compact(s, std::string(name)); !r && out) out = r;
    });
    return out;
  }

  /// The directory.
  const std::string& path() const noexcept { return dir_; }

 private:
  posix_data_dir(std::string dir, data_dir_options o) : dir_(std::move(dir)), opts_(o) {}

  static unexpected os_error(std::string what) {
    return make_error(errc::storage_failure, what + ": " + std::strerror(errno));
  }
  std::string journal_path(const std::string& name) const { return dir_ + "/" + name + ".journal"; }

  static bool read_all(int fd, std::string& out) {
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) out.append(buf, static_cast<std::size_t>(n));
      else if (n == 0) return true;
      else if (errno != EINTR) return false;
    }
  }
  static bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n > 0) bytes.remove_prefix(static_cast<std::size_t>(n));
      else if (n < 0 && errno == EINTR) continue;
      else return false;
    }
    return true;
  }
  bool sync_dir() const {
    const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
  }

  // Records collect in a buffer and reach the file in one write(2) at sync() (the point where a write
  // is acknowledged), or as soon as 1 MiB is waiting: one system call per request instead of one per
  // record. Both functions run under the lock of the storage they belong to.
  journal_sink sink_for(int fd) const {
    journal_sink k;
    auto buffer = std::make_shared<std::string>();
    k.append = [fd, buffer](std::string_view bytes) -> result<void> {
      buffer->append(bytes.data(), bytes.size());
      if (buffer->size() < (std::size_t{1} << 20)) return {};
      const bool ok = write_all(fd, *buffer);
      buffer->clear();
      if (!ok) return os_error("journal write failed");
      return {};
    };
    const bool fsync = opts_.fsync;
    k.sync = [fd, buffer, fsync]() -> result<void> {
      if (!buffer->empty()) {
        const bool ok = write_all(fd, *buffer);
        buffer->clear();
        if (!ok) return os_error("journal write failed");
      }
      if (fsync && ::fdatasync(fd) != 0) return os_error("journal fdatasync failed");
      return {};
    };
    return k;
  }

  result<void> load_one(journal_storage& s, const std::string& name, std::string& report, std::size_t& transactions,
                        std::size_t& bytes) {
    const std::string path = journal_path(name);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return os_error("cannot open " + path);
    files_[name] = fd;
    std::string data;
    if (!read_all(fd, data)) return os_error("cannot read " + path);
    const replay_report rep = s.replay(data);
    if (!data.empty() && rep.bytes == 0)
      return make_error(errc::storage_failure, path + " is not a tfe journal; refusing to overwrite it");
    transactions += rep.transactions;
    bytes += rep.bytes;
    if (!rep.clean()) {
      // Keep what is dropped for inspection, then cut the journal back to its valid prefix.
      const std::string torn = path + ".torn";
      const int tf = ::open(torn.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (tf >= 0) {
        (void)write_all(tf, std::string_view(data).substr(rep.bytes));
        ::close(tf);
      }
      if (::ftruncate(fd, static_cast<off_t>(rep.bytes)) != 0) return os_error("cannot truncate " + path);
      report += "; " + name + ": " + rep.message + " (" + std::to_string(rep.dropped_bytes) +
                " bytes dropped, kept in " + torn + ")";
    }
    return s.attach(sink_for(fd), data.empty());
  }

  // Writes the storage's image beside the journal, syncs it and renames it over the journal.
  result<void> compact(journal_storage& s, const std::string& name) {
    const std::string path = journal_path(name), tmp = path + ".compact";
    const std::string image = s.image();
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return os_error("cannot create " + tmp);
    if (!write_all(fd, image) || ::fsync(fd) != 0) {
      ::close(fd);
      return os_error("cannot write " + tmp);
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return os_error("cannot rename " + tmp);
    (void)sync_dir();
    const int nfd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC, 0644);
    if (nfd < 0) return os_error("cannot reopen " + path);
    ::close(files_[name]);
    files_[name] = nfd;
    s.compacted(image.size());
    return s.attach(sink_for(nfd), false);
  }

  std::string dir_;
  data_dir_options opts_;
  int lock_fd_ = -1;
  std::map<std::string, int> files_;
};

}  // namespace tfe

#endif  // TFE_PERSISTENCE_POSIX_DATA_DIR_HPP
