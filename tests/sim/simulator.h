#pragma once

// The deterministic simulator: real consensus::Replicas, one per simulated node, on a simulated
// network with a virtual clock and one seeded RNG (tests/sim/sim_rng.h). Each node is a driver
// around its replica: it executes the replica's actions in order, keeps the persisted safety
// state on its "disk" and the committed chain in its FakeApp (both survive a crash, nothing
// else does), and answers block requests from its chain. The run is judged by the Checker
// (tests/sim/invariants.h) and ends at the first violation, when every honest node has
// committed Schedule::heights_after_gst heights after GST (success), or at the liveness bound.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "tests/sim/invariants.h"
#include "tests/sim/schedule.h"

namespace consentd::sim {

inline constexpr char kSimChainId[] = "consentd-sim";
inline constexpr std::size_t kMaxSimValidators = 64;

struct SimOptions {
  std::ostream* trace = nullptr;  // one line per event when set
  // Replicas share one RememberingVerifier (the default); false: each verifies every signature
  // itself, as a node does (RememberingVerifierTest compares the two).
  bool share_verifier = true;
};

struct SimResult {
  std::optional<Violation> violation;
  std::uint64_t trace_hash = 0;  // digest of every event and action, for replay checks
  std::uint64_t events = 0;
  std::uint64_t messages = 0;               // packets put on the network (before loss)
  std::uint64_t commits = 0;                // Commit actions, all nodes
  std::uint64_t evidence = 0;               // Evidence actions, all nodes
  std::uint64_t max_height = 0;             // highest height committed by an honest node
  std::uint64_t max_round = 0;              // highest round an honest node reached
  std::uint64_t dropped_bad_signature = 0;  // by honest replicas
  std::int64_t end_ms = 0;
};

// Runs one schedule (schedule.n <= kMaxSimValidators). Thread-safe: schedules may run on
// several threads at once, each with its own options.
SimResult RunSchedule(const Schedule& schedule, const SimOptions& options = {});

// The command that replays `schedule` ("consentd-sim --n 4 --scenario lossy --start 7
// --seeds 1", with --variant for unsafe variants), prefixed by `binary`. Add --trace to it to
// print every event.
std::string ReplayCommand(const Schedule& schedule, const std::string& binary);

}  // namespace consentd::sim
