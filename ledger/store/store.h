#pragma once

// The ledger's storage: an ordered key-value store with atomic batches and consistent
// snapshots. Two implementations share this interface and one test suite: LevelDB
// (leveldb_store.cc, the only file that includes LevelDB) and an in-memory map for tests.
//
// Thread-safety: every method may be called concurrently from many threads; a Write is atomic
// with respect to every reader (a reader sees all of a batch or none of it), and a ReadView
// from Snapshot() never changes.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace consentd::ledger {

// Keys in order, each either a value to put or nullopt to delete.
using WriteBatch = std::map<std::string, std::optional<std::string>, std::less<>>;

// Forward iteration over the keys that start with a prefix.
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid().
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual void Next() = 0;
  // An error met while iterating (Valid() is then false), e.g. "store_corruption".
  virtual Status status() const = 0;
};

class ReadView {
 public:
  virtual ~ReadView() = default;
  // nullopt when absent. Errors: "store_io", "store_corruption".
  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;
  // Keys starting with `prefix`, from the first key >= `start` (start empty = from the prefix).
  virtual std::unique_ptr<Cursor> Scan(std::string_view prefix,
                                       std::string_view start = {}) const = 0;
};

class Store : public ReadView {
 public:
  // Applies the batch atomically; with `sync`, it is durable (fsynced) when this returns.
  virtual Status Write(const WriteBatch& batch, bool sync) = 0;
  // A consistent view of the store as of now.
  virtual std::unique_ptr<ReadView> Snapshot() const = 0;
  // Approximate bytes on disk (0 for memory), for benchmarks and metrics.
  virtual std::uint64_t ApproximateSize() const = 0;
};

std::unique_ptr<Store> NewMemoryStore();

struct LevelDbOptions {
  std::size_t block_cache_bytes = 64 << 20;
  std::size_t write_buffer_bytes = 32 << 20;
  int bloom_bits_per_key = 10;
  // Read every block of every live table file once on open, verifying checksums. LevelDB opens
  // table files lazily, so without this a damaged table surfaces only when a read touches it.
  bool verify_on_open = false;
  // How much nicer than the process LevelDB's background work (flushes and compactions) runs.
  // On a node that shares its cores, a compaction then takes the CPU the consensus and API
  // threads leave idle rather than stalling a round. LevelDB throttles writes when compaction
  // falls behind, so the work still gets done. LevelDB runs every store's background work on
  // one thread per process: the last store to schedule work sets it. 0 leaves it alone.
  int background_nice = 10;
};

// The nice value LevelDB's background thread last ran work at, after applying
// background_nice; nullopt before any background work. For tests and diagnostics.
std::optional<int> LevelDbBackgroundNiceSeen();

// Opens (creating if missing) a LevelDB store in `dir` with paranoid checks on. Errors:
// "store_corruption" when LevelDB detects corruption (with verify_on_open, naming the damaged
// table file), "store_io" otherwise (including a directory locked by another process).
Result<std::unique_ptr<Store>> OpenLevelDbStore(const std::string& dir,
                                                const LevelDbOptions& options = {});

}  // namespace consentd::ledger
