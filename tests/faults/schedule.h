#pragma once

// A fault schedule: the perturbations one fault run injects, in order, drawn from a seeded RNG
// so that a failing run replays exactly from its seed. Pure: no processes, no clock.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace consentd::faults {

enum class FaultKind {
  kKillRestart,    // kill -9 `node`, hold, restart it
  kStopCont,       // SIGSTOP `node`, hold, SIGCONT
  kWipeRestart,    // kill -9 `node`, delete its data directory, restart (it block-syncs)
  kIsolate,        // cut every link of `node` both ways (a minority partition)
  kSplit,          // {node, other} against the other two: no side has a quorum
  kOneWay,         // bytes from `node` to `other` are dropped, the other way passes
  kIsolateLeader,  // isolate the proposer of the next height
  kSlowLinks,      // every link of `node` delayed by `param` ms
  kClockOffset,    // restart `node` with its clock off by `param` ms, hold, restart it right
};
inline constexpr int kFaultKindCount = 9;

struct Fault {
  FaultKind kind;
  int node = 0;
  int other = 0;
  int hold_ms = 0;  // how long the perturbation lasts before it heals
  int param = 0;    // delay or clock offset, ms
  std::string Describe() const;
};

// `count` faults for a network of `nodes` validators. Faults that take a node down or isolate
// it never pick `byzantine` (then a single fault never leaves fewer than 2f+1 honest nodes
// without a partition, and every partition heals).
std::vector<Fault> MakeSchedule(std::uint64_t seed, int count, int nodes,
                                std::optional<int> byzantine);

}  // namespace consentd::faults
