#pragma once

// The storage simulation: the node's own durable state (the consensus safety state and WAL,
// node/safety_file.h and node/wal.h, the production code) on SimEnv's in-memory disk, driven
// through many lives by a seeded schedule of what the consensus driver does with them (persist
// the safety state, then append its own signed message with fsync and send it; append peers'
// messages without fsync; start a new height) and of storage faults (failed fsyncs, power cuts
// in the middle of any write sequence, lost and torn unsynced writes, corrupted reads).
//
// After every crash the next life recovers as the driver does, and the invariants are checked:
//   safety    the recovered safety state is never behind one whose write was acknowledged
//             (else a restarted validator could sign twice at a height) and always readable;
//   own log   every own message acknowledged as sent is in the recovered WAL of its height;
//   no junk   the recovered WAL is a prefix of what was appended (never invented or reordered).
// A failure names its seed; the same seed gives the same trace, byte for byte.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/env.h"

namespace consentd::sim {

struct StorageSimOptions {
  std::uint64_t seed = 1;
  int lives = 24;           // crashes and restarts per run
  int steps_per_life = 40;  // driver operations per life at most
  // The safety state's write order; only kSafe is correct (the others show the checks bite).
  node::AtomicWriteOrder safety_write_order = node::AtomicWriteOrder::kSafe;
};

struct StorageSimResult {
  bool ok = true;
  std::string failure;  // the first invariant broken, with its life and step
  std::string trace;    // every operation and recovery, one line each
  std::uint64_t acknowledged_signatures = 0;
  std::uint64_t crashes = 0;
  std::uint64_t faults = 0;
};

StorageSimResult RunStorageSim(const StorageSimOptions& options);

// "safe" | "no-file-sync" | "no-dir-sync", and back (nullopt for anything else).
const char* ToString(node::AtomicWriteOrder order);
std::optional<node::AtomicWriteOrder> WriteOrderFromString(std::string_view name);

}  // namespace consentd::sim
