#pragma once

// Schedule: everything random about one simulated run, drawn up front from (seed, n, scenario):
// who is faulty and how, the network's delay distributions, drop and duplicate rates,
// partitions over time and per round, crash and restart times, and when the network
// stabilises (GST). Running a schedule then consumes the same seeded RNG for per-message
// draws, so (seed, n, scenario[, variant]) replays a run exactly.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/params.h"
#include "consensus/replica.h"

namespace consentd::sim {

enum class Scenario {
  kLossy,      // delays, drops, duplicates, reordering; no faulty validator
  kPartition,  // partitions that change over time, plus loss
  kCrash,      // up to f validators crash and restart from their safety state only
  kByzantine,  // f byzantine validators (equivocating proposer, double voter, invalid blocks,
               // forged signatures, silence), plus loss and partitions
  kTwins,      // two replicas share one key; a different partition per round (Twins)
  kMixed,      // any of the above in one run, within the fault budget
};
inline constexpr Scenario kAllScenarios[] = {Scenario::kLossy, Scenario::kPartition,
                                             Scenario::kCrash, Scenario::kByzantine,
                                             Scenario::kTwins, Scenario::kMixed};
const char* ToString(Scenario scenario);
std::optional<Scenario> ScenarioFromString(const std::string& text);

enum class Behavior {
  kHonest,
  kSilent,         // sends nothing at all
  kEquivocator,    // as proposer, different blocks to different peers, and votes to match
  kDoubleVoter,    // every vote also signed for another value, sent to part of the peers
  kInvalidBlocks,  // proposes poisoned blocks and votes for invalid ids
  kForger,         // votes under other validators' names (bad signatures); as proposer,
                   // different blocks to each half with forged quorums for each
  kPromiscuous,    // prevotes and precommits every proposal it receives, at once; as
                   // proposer, a fresh block to half of the peers (the lock breaker's helper)
};
const char* ToString(Behavior behavior);

#ifdef CONSENTD_UNSAFE_VARIANTS
using consensus::UnsafeVariantForTest;
const char* ToString(UnsafeVariantForTest variant);
std::optional<UnsafeVariantForTest> VariantFromString(const std::string& text);
#endif

struct NodeSpec {
  std::uint32_t key = 0;  // validator key index; twins share one
  Behavior behavior = Behavior::kHonest;
  bool twin = false;
};

// Message delay in ms: uniform in [lo, hi], except with probability tail_ppm uniform in
// [tail_lo, tail_hi].
struct DelayModel {
  std::int64_t lo = 1;
  std::int64_t hi = 40;
  std::uint32_t tail_ppm = 0;
  std::int64_t tail_lo = 0;
  std::int64_t tail_hi = 0;
};

// Groups of nodes: a message from group a to group b != a is lost, or, when the cut is one-way,
// only when a < b (a firewall that drops one direction: a node can hear but not be heard).
struct Cut {
  std::vector<std::uint8_t> group;  // per node
  bool one_way = false;

  bool Blocks(std::uint32_t from, std::uint32_t to) const {
    return one_way ? group[from] < group[to] : group[from] != group[to];
  }
};

struct Partition {
  std::int64_t start_ms;
  std::int64_t end_ms;
  Cut cut;
};

struct CrashPlan {
  std::uint32_t node;
  std::int64_t crash_ms;
  std::int64_t restart_ms;
  // The crash lands after this many more actions of the node have been executed: 0 crashes
  // between two events, more crashes inside an action list (e.g. after a persist, before the
  // messages that follow it).
  std::uint32_t after_actions;
};

struct Schedule {
  std::uint64_t seed = 0;
  std::size_t n = 4;  // validators
  Scenario scenario = Scenario::kLossy;
  std::vector<NodeSpec> nodes;  // n, or n + 1 with twins
  consensus::TimeoutParams timeouts;
  DelayModel unstable_delays;
  DelayModel stable_delays;
  std::uint32_t drop_ppm = 0;  // before GST
  std::uint32_t dup_ppm = 0;   // throughout
  std::int64_t gst_ms = 0;     // from here on: no drops, partitions or crashes
  std::vector<Partition> partitions;
  // Twins-style, refined per step: before GST, a proposal, prevote or precommit of round
  // r < size() is subject to round_cuts[r][0, 1 or 2] (an empty group list = no cut).
  std::vector<std::array<Cut, 3>> round_cuts;
  std::vector<CrashPlan> crashes;
  std::int64_t tx_gap_max_ms = 600;  // transactions arrive every [0, this] ms
  std::uint64_t heights_after_gst = 2;
  std::int64_t liveness_bound_ms = 60'000;  // after GST
#ifdef CONSENTD_UNSAFE_VARIANTS
  UnsafeVariantForTest variant = UnsafeVariantForTest::kNone;
#endif

  bool IsHonest(std::uint32_t node) const;
  std::string Describe() const;
};

Schedule MakeSchedule(std::uint64_t seed, std::size_t n, Scenario scenario);

}  // namespace consentd::sim
