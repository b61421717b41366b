#include "tests/faults/schedule.h"

#include <random>

namespace consentd::faults {

std::string Fault::Describe() const {
  const std::string n = "node" + std::to_string(node);
  const std::string o = "node" + std::to_string(other);
  const std::string hold = " for " + std::to_string(hold_ms) + "ms";
  switch (kind) {
    case FaultKind::kKillRestart:
      return "kill -9 " + n + hold + ", restart";
    case FaultKind::kStopCont:
      return "SIGSTOP " + n + hold + ", SIGCONT";
    case FaultKind::kWipeRestart:
      return "kill -9 " + n + ", wipe its data" + hold + ", restart";
    case FaultKind::kIsolate:
      return "isolate " + n + hold;
    case FaultKind::kSplit:
      return "split {" + n + "," + o + "} from the rest" + hold;
    case FaultKind::kOneWay:
      return "cut " + n + " -> " + o + " one way" + hold;
    case FaultKind::kIsolateLeader:
      return "isolate the next proposer" + hold;
    case FaultKind::kSlowLinks:
      return "delay every link of " + n + " by " + std::to_string(param) + "ms" + hold;
    case FaultKind::kClockOffset:
      return "restart " + n + " with its clock off by " + std::to_string(param) + "ms" + hold;
  }
  return "unknown fault";
}

std::vector<Fault> MakeSchedule(std::uint64_t seed, int count, int nodes,
                                std::optional<int> byzantine) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto honest = [&] {
    for (;;) {
      const int n = uniform(0, nodes - 1);
      if (!byzantine || n != *byzantine) return n;
    }
  };
  std::vector<Fault> out;
  for (int i = 0; i < count; ++i) {
    Fault f;
    f.kind = static_cast<FaultKind>(uniform(0, kFaultKindCount - 1));
    f.hold_ms = uniform(500, 2500);
    f.node = honest();
    do {
      f.other = uniform(0, nodes - 1);
    } while (f.other == f.node);
    switch (f.kind) {
      case FaultKind::kSlowLinks:
        f.param = uniform(20, 400);
        break;
      case FaultKind::kClockOffset:
        // Within the genesis clock drift bound (10 s) and beyond it, ahead and behind.
        f.param = (uniform(0, 1) == 0 ? -1 : 1) * uniform(1000, 15000);
        f.hold_ms += 1500;
        break;
      case FaultKind::kKillRestart:
      case FaultKind::kStopCont:
      case FaultKind::kWipeRestart:
      case FaultKind::kIsolate:
      case FaultKind::kSplit:
      case FaultKind::kOneWay:
      case FaultKind::kIsolateLeader:
        break;
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace consentd::faults
