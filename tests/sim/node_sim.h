#pragma once

// The whole-node simulation: four real NodeCores (node/node_core.h) with real ledgers, mempools
// and ledger apps, each on its own SimEnv (virtual clock shared by all, in-memory disk for the
// safety state and WAL), joined by a simulated network, with clients submitting consent grants,
// all on one seeded event queue. A run has a fault phase (message loss, delays and reordering,
// partitions, crashes with the disk's unsynced writes lost or torn, failed fsyncs that stop a
// node until an operator restarts it) and then a healed phase.
//
// Invariants:
//   agreement   every node commits the same block, with the same state digest, at each height;
//   no loss     every tx that some node committed is on every node at the end;
//   no equivocation  an honest validator never signs two different votes for one step;
//   liveness    after the faults heal, every node commits at least 2 more blocks and every
//               grant the clients submitted is committed (a client sends a tx again when it
//               is not committed within 10 s: mempools are memory), within 60 s of virtual
//               time.
// A failure names its seed, and the same seed gives the same trace, byte for byte (signatures
// use fixed auxiliary randomness, and nothing reads a real clock or thread).
//
// The ledgers use the in-memory store and survive a crash whole (LevelDB's own crash safety is
// tested by tests/faults/storage_faults_test.cc on real files); what a crash takes from the
// disk here is the safety state's and the WAL's unsynced writes.

#include <cstdint>
#include <string>

#include "node/env.h"

namespace consentd::sim {

struct NodeSimOptions {
  std::uint64_t seed = 1;
  std::int64_t fault_phase_ms = 30'000;  // faults happen in [0, fault_phase_ms)
  std::int64_t heal_budget_ms = 60'000;  // liveness must hold this long after the faults end
  int grants = 24;                       // consent grants the clients submit in the fault phase
  bool crashes = true;
  bool partitions = true;
  bool disk_faults = true;
  // Wipes: a validator's data directory (ledger and WAL) is deleted while it is down, as an
  // operator restoring a broken disk does; its key and safety state stay. It restarts empty and
  // catches up by block sync. Off by default, so the other seeds keep their schedules.
  bool wipes = false;
  // The safety state's write order on every node; only kSafe is correct.
  node::AtomicWriteOrder safety_write_order = node::AtomicWriteOrder::kSafe;
};

struct NodeSimResult {
  bool ok = true;
  std::string failure;
  std::string trace;
  std::uint64_t min_height = 0;  // at the end
  std::uint64_t committed_txs = 0;
  std::uint64_t crashes = 0;
  std::uint64_t wipes = 0;
  std::uint64_t messages = 0;
  std::int64_t virtual_ms = 0;
};

NodeSimResult RunNodeSim(const NodeSimOptions& options);

}  // namespace consentd::sim
