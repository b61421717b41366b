#pragma once

// Env: the node's window on the world outside its own memory, as LevelDB has one: the clocks,
// the threads, and the files the node reads and writes itself (consensus WAL, safety state,
// config, API tokens, log, backups). Nothing in node/ outside this file's implementation and the
// transports (node/p2p/, node/http/) reads a clock, starts a thread or touches a file any other
// way; scripts/check-layering enforces it. (The ledger's LevelDB store has LevelDB's own Env.)
// The production Env
// (Env::Default) is the operating system; the simulated one (tests/sim/sim_env.h) runs on
// virtual time with an in-memory disk that forgets or tears what was not synced when it
// "crashes", so the node's durability rules can be tested over thousands of seeded schedules
// and any failure replays from its seed.
//
// Durability contract, the one POSIX file systems give and the simulated disk enforces:
//   - WritableFile::Append is visible at once but durable only after Sync();
//   - a file's creation, a rename or a removal is durable only after SyncDir() of its
//     directory;
//   - at a crash, whatever was not durable may be lost, kept, or (for appended bytes) kept in
//     part.
//
// Thread-safety: the production Env may be used from any thread. SimEnv is single-threaded,
// like the simulation that owns it.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace consentd::node {

// A file open for writing at its end.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Errors of every method: "file_write", naming the path and the cause.
  virtual Status Append(std::string_view data) = 0;
  // Makes every byte appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  // Cuts the file to `size` bytes (not durable until Sync); later appends go after them.
  virtual Status Truncate(std::uint64_t size) = 0;
  virtual std::uint64_t size() const = 0;
};

// A file open for reading from its start.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to `n` bytes into `buf`; 0 at the end of the file. Errors: "file_read".
  virtual Result<std::size_t> Read(char* buf, std::size_t n) = 0;
};

// A thread an Env started. The destructor joins it.
class Thread {
 public:
  virtual ~Thread() = default;
  // Waits until the body has returned. Not from the thread itself (IsCurrent).
  virtual void Join() = 0;
  virtual bool IsCurrent() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The wall clock, Unix milliseconds (block times, deadlines, logs).
  virtual std::int64_t NowMs() = 0;
  // A clock that never goes back, milliseconds from an arbitrary origin (durations).
  virtual std::int64_t MonotonicMs() = 0;

  virtual bool FileExists(const std::string& path) = 0;
  // Errors: "file_not_found", "file_read", "file_too_large" (more than `max_bytes`).
  virtual Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) = 0;
  // Opens `path` for appending, creating it (with `mode`) when missing. Errors: "file_write".
  virtual Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path,
                                                               mode_t mode) = 0;
  // Creates `path` empty (truncating it when it exists). Errors: "file_write".
  virtual Result<std::unique_ptr<WritableFile>> CreateFile(const std::string& path,
                                                           mode_t mode) = 0;
  // Errors: "file_not_found", "file_read".
  virtual Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) = 0;
  // Creates `path` and any missing parents (mode 0755 before the umask). Errors: "file_write".
  virtual Status CreateDirs(const std::string& path) = 0;
  // Removes `path` and everything under it; a missing path is not an error. Errors:
  // "file_write".
  virtual Status RemoveTree(const std::string& path) = 0;
  // Errors: "file_write". Renames directories too.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Makes creations, renames and removals inside `dir` durable. Errors: "file_write".
  virtual Status SyncDir(const std::string& dir) = 0;

  // Runs `body` on a new thread named `name` (at most 15 characters show in `top -H`).
  // Errors: "thread_start" (the system has no thread to give; SimEnv never does: a simulated
  // node runs on the simulation's one thread).
  virtual Result<std::unique_ptr<Thread>> StartThread(std::string name,
                                                      std::function<void()> body) = 0;

  // The operating system. Never destroyed.
  static Env* Default();
};

// How WriteFileAtomic orders its steps. Only kSafe is correct; the others exist so the storage
// simulation (tests/sim/storage_sim_test.cc) can show that it catches an unsafe order.
enum class AtomicWriteOrder {
  kSafe,        // write temp, fsync it, rename over the target, fsync the directory
  kNoFileSync,  // UNSAFE: renames a temp file whose data may not be on disk yet
  kNoDirSync,   // UNSAFE: the rename may not be on disk when the call returns
};

// Replaces `path` with `data` so that a crash leaves the old content or the new, never a torn
// file, and the new is durable when this returns (temp file `path.tmp`). Errors: "file_write".
Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data, mode_t mode,
                       AtomicWriteOrder order = AtomicWriteOrder::kSafe);

}  // namespace consentd::node
