#pragma once

// SimEnv: node::Env on virtual time with an in-memory disk that keeps the POSIX durability
// contract of node/env.h to the letter, and breaks every promise it is allowed to break when
// the simulation "pulls the plug":
//
//   - each file has its visible bytes and its durable bytes (as of its last successful Sync);
//   - name operations (create, rename, remove) form an ordered metadata journal that a
//     SyncDir commits whole, as ext4 and XFS commit theirs;
//   - Crash() keeps a random prefix of the uncommitted name operations (each one whole: a
//     rename is atomic), and for every file whose bytes are not durable, the durable bytes plus
//     a random prefix of what was appended after them (a lost or torn write), or either version
//     when the file was cut or rewritten since.
//
// Faults on request: the next N syncs fail (and make nothing durable), a read returns one byte
// flipped, and a power cut after N more mutating operations (every operation after it fails, as
// in a dying process, until Crash()). Every choice comes from the SimRng, so a seed replays the
// same disk byte for byte. Single-threaded.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/env.h"
#include "tests/sim/sim_rng.h"

namespace consentd::sim {

class SimEnv final : public node::Env {
 public:
  // The virtual wall clock starts at `start_ms` (Unix ms); the monotonic one at 0.
  SimEnv(std::uint64_t seed, std::int64_t start_ms = 1'767'225'600'000);

  // --- node::Env ---
  std::int64_t NowMs() override { return start_ms_ + elapsed_ms_; }
  std::int64_t MonotonicMs() override { return elapsed_ms_; }
  bool FileExists(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) override;
  Result<std::unique_ptr<node::WritableFile>> OpenAppendable(const std::string& path,
                                                             mode_t mode) override;
  Result<std::unique_ptr<node::WritableFile>> CreateFile(const std::string& path,
                                                         mode_t mode) override;
  Result<std::unique_ptr<node::SequentialFile>> OpenSequential(const std::string& path) override;
  // Directories are implicit on the simulated disk: a path names a file, its directories are
  // the prefixes before each '/'.
  Status CreateDirs(const std::string& path) override;
  Status RemoveTree(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  // Always "thread_start": a simulated node runs on the simulation's one thread.
  Result<std::unique_ptr<node::Thread>> StartThread(std::string name,
                                                    std::function<void()> body) override;

  // --- the simulation's controls ---
  void Advance(std::int64_t ms) { elapsed_ms_ += ms; }
  // Sets the virtual time (a simulation whose nodes share one clock). REQUIRES: not backwards.
  void SetElapsed(std::int64_t ms) { elapsed_ms_ = ms; }
  // The machine loses power: undurable state is kept, lost or torn as described above, and
  // open WritableFiles stop working (a new life opens files again).
  void Crash();
  // The next `n` Sync/SyncDir calls fail with "file_write" and make nothing durable.
  void FailSyncs(int n) { failing_syncs_ = n; }
  // The next read of `path` returns its bytes with one flipped (the file itself is intact).
  void CorruptNextRead(const std::string& path) { corrupt_reads_.insert(path); }
  // After `n` more mutating operations (append, sync, truncate, create, rename, remove,
  // directory sync) every operation fails until Crash(): the process is dying mid-way.
  void PowerCutAfter(std::uint64_t n) { ops_left_ = n; }
  bool power_cut() const { return ops_left_ && *ops_left_ == 0; }
  // Disarms pending fsync failures and power cuts (the faults are over).
  void Disarm() {
    failing_syncs_ = 0;
    ops_left_.reset();
  }
  // How many operations an injected fault made fail so far.
  std::uint64_t faults_struck() const { return faults_struck_; }

  // Counts, for traces and tests.
  std::uint64_t mutating_ops() const { return mutating_ops_; }
  std::uint64_t crashes() const { return crashes_; }
  // The visible bytes of `path` (nullopt when missing), for checks.
  std::optional<std::string> Peek(const std::string& path) const;

 private:
  struct Inode {
    std::string data;     // visible
    std::string durable;  // as of the last successful Sync
  };
  using InodePtr = std::shared_ptr<Inode>;
  class File;
  // A name operation: `from` unbound (if set), then `to` bound to `inode` (if set).
  struct NameOp {
    std::string to;
    std::string from;
    InodePtr inode;
  };
  static void Apply(const NameOp& op, std::map<std::string, InodePtr>* names);

  // Counts a mutating operation; an error when the power is cut.
  Status Mutate(const std::string& what, const std::string& path);
  Status SyncInode(const InodePtr& inode, const std::string& path);

  SimRng rng_;
  std::int64_t start_ms_;
  std::int64_t elapsed_ms_ = 0;
  std::map<std::string, InodePtr> names_;          // visible directory entries
  std::map<std::string, InodePtr> durable_names_;  // as of the last SyncDir
  std::vector<NameOp> journal_;                    // name operations since
  std::uint64_t life_ = 0;                         // files opened in an earlier life fail
  int failing_syncs_ = 0;
  std::set<std::string> corrupt_reads_;
  std::optional<std::uint64_t> ops_left_;
  std::uint64_t mutating_ops_ = 0;
  std::uint64_t crashes_ = 0;
  std::uint64_t faults_struck_ = 0;
};

}  // namespace consentd::sim
