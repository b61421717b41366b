// LevelDB-backed Store: the only file in the project that includes LevelDB headers.
// paranoid_checks is on, so LevelDB reports corruption instead of skipping damaged data; we
// map its errors to "store_corruption" or "store_io" and never ignore them.

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>
#include <leveldb/write_batch.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>
#include <system_error>

#include "ledger/store/store.h"

namespace consentd::ledger {
namespace {

constexpr int kNoNiceSeen = 1000;
std::atomic<int> background_nice_seen{kNoNiceSeen};

// The default Env, except that the work it schedules on its background thread runs `delta`
// nicer than the process (Linux threads each have their own nice value).
class NicedEnv final : public leveldb::EnvWrapper {
 public:
  explicit NicedEnv(int delta) : leveldb::EnvWrapper(leveldb::Env::Default()), delta_(delta) {}

  void Schedule(void (*function)(void*), void* arg) override {
    target()->Schedule(&Run, new Work{function, arg, delta_});
  }

 private:
  struct Work {
    void (*function)(void*);
    void* arg;
    int delta;
  };

  static void Run(void* raw) {
    const std::unique_ptr<Work> work(static_cast<Work*>(raw));
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    errno = 0;
    const int process = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::getpid()));  // main thread
    const int want = std::min(19, (errno == 0 ? process : 0) + work->delta);
    errno = 0;
    int now = ::getpriority(PRIO_PROCESS, tid);
    // Lowering a thread's nice value may be refused without privileges: then it stays nicer.
    if (errno == 0 && now != want && ::setpriority(PRIO_PROCESS, tid, want) == 0) now = want;
    background_nice_seen.store(now);
    work->function(work->arg);
  }

  const int delta_;
};

// One Env per nice delta, living as long as the process (LevelDB's own Env::Default does too).
leveldb::Env* EnvForNice(int delta) {
  if (delta <= 0) return leveldb::Env::Default();
  static std::mutex mu;
  static std::map<int, std::unique_ptr<NicedEnv>>* envs =
      new std::map<int, std::unique_ptr<NicedEnv>>;
  std::lock_guard<std::mutex> lock(mu);
  auto& env = (*envs)[delta];
  if (!env) env = std::make_unique<NicedEnv>(delta);
  return env.get();
}

Status FromLevelDb(const leveldb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Error(Reason::kStoreCorruption, s.ToString());
  return Status::Error(Reason::kStoreIo, s.ToString());
}

Status FromLevelDbNamingFile(const leveldb::Status& s, const std::string& path) {
  return FromLevelDb(s).WithContext("table file " + path);
}

// Reads every block of one table file with checksums verified, bypassing the block cache. A
// file that no longer exists was deleted by a background compaction since it was listed: its
// data lives on in the compaction's output, which is checked too, or the compaction failed.
Status VerifyTable(const std::string& path, const leveldb::FilterPolicy* filter) {
  leveldb::Env* env = leveldb::Env::Default();
  std::uint64_t size = 0;
  leveldb::Status s = env->GetFileSize(path, &size);
  if (s.IsNotFound()) return Status::Ok();
  if (!s.ok()) return FromLevelDbNamingFile(s, path);
  leveldb::RandomAccessFile* raw_file = nullptr;
  s = env->NewRandomAccessFile(path, &raw_file);
  if (s.IsNotFound()) return Status::Ok();
  if (!s.ok()) return FromLevelDbNamingFile(s, path);
  const std::unique_ptr<leveldb::RandomAccessFile> file(raw_file);
  leveldb::Options o;
  o.paranoid_checks = true;
  o.filter_policy = filter;
  leveldb::Table* raw_table = nullptr;
  s = leveldb::Table::Open(o, file.get(), size, &raw_table);
  if (!s.ok()) return FromLevelDbNamingFile(s, path);
  const std::unique_ptr<leveldb::Table> table(raw_table);  // destroyed before `file`
  leveldb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  const std::unique_ptr<leveldb::Iterator> it(table->NewIterator(ro));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
  }
  if (!it->status().ok()) return FromLevelDbNamingFile(it->status(), path);
  return Status::Ok();
}

// Verifies every live table file. Live files come from the current version (the
// "leveldb.sstables" property, lines " <number>:<size>[...]"), never from a directory listing,
// so the half-written output of a running compaction is not mistaken for damage. The log (the
// data not yet in a table) was already checked by DB::Open under paranoid_checks.
Status VerifyTables(leveldb::DB* db, const std::string& dir, const leveldb::FilterPolicy* filter) {
  std::string listing;
  if (!db->GetProperty("leveldb.sstables", &listing)) {
    return Status::Error(Reason::kStoreIo, "cannot list the table files of " + dir);
  }
  std::istringstream lines(listing);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != ' ') continue;  // "--- level N ---" headers
    const std::size_t colon = line.find(':');
    std::uint64_t number = 0;
    const char* end = line.data() + (colon == std::string::npos ? line.size() : colon);
    const auto parsed = std::from_chars(line.data() + 1, end, number);
    if (colon == std::string::npos || parsed.ec != std::errc() || parsed.ptr != end) {
      return Status::Error(Reason::kStoreIo,
                           "unexpected table listing line in " + dir + ": " + line);
    }
    char name[32];
    std::snprintf(name, sizeof name, "/%06llu", static_cast<unsigned long long>(number));
    std::string path = dir + name + ".ldb";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) path = dir + name + ".sst";  // pre-1.14 name
    CONSENTD_RETURN_IF_ERROR(VerifyTable(path, filter));
  }
  return Status::Ok();
}

std::string_view View(const leveldb::Slice& s) { return std::string_view(s.data(), s.size()); }

// The DB with the cache and filter policy it uses; shared by the store and its snapshots so
// that a snapshot never outlives what it reads through. The DB closes first.
struct Db {
  std::unique_ptr<leveldb::Cache> cache;
  std::unique_ptr<const leveldb::FilterPolicy> filter;
  std::unique_ptr<leveldb::DB> db;
  ~Db() { db.reset(); }
};

class LevelDbCursor final : public Cursor {
 public:
  // Holds `db` so the iterator never outlives the DB it reads.
  LevelDbCursor(std::shared_ptr<Db> db, const leveldb::ReadOptions& options,
                std::string_view prefix, std::string_view start)
      : db_(std::move(db)), it_(db_->db->NewIterator(options)), prefix_(prefix) {
    const std::string_view from = start.empty() || start < prefix ? prefix : start;
    it_->Seek(leveldb::Slice(from.data(), from.size()));
  }
  bool Valid() const override { return it_->Valid() && View(it_->key()).starts_with(prefix_); }
  std::string_view key() const override { return View(it_->key()); }
  std::string_view value() const override { return View(it_->value()); }
  void Next() override { it_->Next(); }
  Status status() const override { return FromLevelDb(it_->status()); }

 private:
  std::shared_ptr<Db> db_;
  std::unique_ptr<leveldb::Iterator> it_;
  std::string prefix_;
};

// A read view pinned to a LevelDB snapshot (or to the latest state when snapshot is null).
class LevelDbView final : public ReadView {
 public:
  LevelDbView(std::shared_ptr<Db> db, const leveldb::Snapshot* snapshot)
      : db_(std::move(db)), snapshot_(snapshot) {}
  ~LevelDbView() override {
    if (snapshot_ != nullptr) db_->db->ReleaseSnapshot(snapshot_);
  }
  LevelDbView(const LevelDbView&) = delete;
  LevelDbView& operator=(const LevelDbView&) = delete;

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    std::string value;
    const leveldb::Status s =
        db_->db->Get(Options(), leveldb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromLevelDb(s);
    return std::optional<std::string>(std::move(value));
  }
  std::unique_ptr<Cursor> Scan(std::string_view prefix, std::string_view start) const override {
    return std::make_unique<LevelDbCursor>(db_, Options(), prefix, start);
  }

 private:
  leveldb::ReadOptions Options() const {
    leveldb::ReadOptions o;
    o.verify_checksums = true;
    o.snapshot = snapshot_;
    return o;
  }

  std::shared_ptr<Db> db_;
  const leveldb::Snapshot* snapshot_;
};

class LevelDbStore final : public Store {
 public:
  explicit LevelDbStore(std::shared_ptr<Db> db) : db_(std::move(db)), latest_(db_, nullptr) {}

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return latest_.Get(key);
  }
  std::unique_ptr<Cursor> Scan(std::string_view prefix, std::string_view start) const override {
    return latest_.Scan(prefix, start);
  }
  Status Write(const WriteBatch& batch, bool sync) override {
    leveldb::WriteBatch b;
    for (const auto& [k, v] : batch) {
      if (v) {
        b.Put(leveldb::Slice(k), leveldb::Slice(*v));
      } else {
        b.Delete(leveldb::Slice(k));
      }
    }
    leveldb::WriteOptions o;
    o.sync = sync;
    return FromLevelDb(db_->db->Write(o, &b));
  }
  std::unique_ptr<ReadView> Snapshot() const override {
    return std::make_unique<LevelDbView>(db_, db_->db->GetSnapshot());
  }
  std::uint64_t ApproximateSize() const override {
    const std::string lo(1, '\0');
    const std::string hi(64, '\xff');
    leveldb::Range range(lo, hi);
    std::uint64_t size = 0;
    db_->db->GetApproximateSizes(&range, 1, &size);
    return size;
  }

 private:
  std::shared_ptr<Db> db_;
  LevelDbView latest_;
};

}  // namespace

std::optional<int> LevelDbBackgroundNiceSeen() {
  const int seen = background_nice_seen.load();
  if (seen == kNoNiceSeen) return std::nullopt;
  return seen;
}

Result<std::unique_ptr<Store>> OpenLevelDbStore(const std::string& dir,
                                                const LevelDbOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Error(Reason::kStoreIo, "cannot create " + dir + ": " + ec.message());
  auto db = std::make_shared<Db>();
  db->cache.reset(leveldb::NewLRUCache(options.block_cache_bytes));
  db->filter.reset(leveldb::NewBloomFilterPolicy(options.bloom_bits_per_key));
  leveldb::Options o;
  o.create_if_missing = true;
  o.paranoid_checks = true;
  o.block_cache = db->cache.get();
  o.filter_policy = db->filter.get();
  o.write_buffer_size = options.write_buffer_bytes;
  o.env = EnvForNice(options.background_nice);
  leveldb::DB* raw = nullptr;
  const leveldb::Status s = leveldb::DB::Open(o, dir, &raw);
  if (!s.ok()) return FromLevelDb(s);
  db->db.reset(raw);
  if (options.verify_on_open) {
    CONSENTD_RETURN_IF_ERROR(VerifyTables(db->db.get(), dir, db->filter.get()));
  }
  return std::unique_ptr<Store>(std::make_unique<LevelDbStore>(std::move(db)));
}

}  // namespace consentd::ledger
