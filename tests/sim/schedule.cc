#include "tests/sim/schedule.h"

#include <algorithm>
#include <sstream>

#include "tests/sim/sim_rng.h"

namespace consentd::sim {

const char* ToString(Scenario scenario) {
  switch (scenario) {
    case Scenario::kLossy:
      return "lossy";
    case Scenario::kPartition:
      return "partition";
    case Scenario::kCrash:
      return "crash";
    case Scenario::kByzantine:
      return "byzantine";
    case Scenario::kTwins:
      return "twins";
    case Scenario::kMixed:
      return "mixed";
  }
  return "lossy";
}

std::optional<Scenario> ScenarioFromString(const std::string& text) {
  for (Scenario s : kAllScenarios) {
    if (text == ToString(s)) return s;
  }
  return std::nullopt;
}

const char* ToString(Behavior behavior) {
  switch (behavior) {
    case Behavior::kHonest:
      return "honest";
    case Behavior::kSilent:
      return "silent";
    case Behavior::kEquivocator:
      return "equivocator";
    case Behavior::kDoubleVoter:
      return "double-voter";
    case Behavior::kInvalidBlocks:
      return "invalid-blocks";
    case Behavior::kForger:
      return "forger";
    case Behavior::kPromiscuous:
      return "promiscuous";
  }
  return "honest";
}

#ifdef CONSENTD_UNSAFE_VARIANTS
const char* ToString(UnsafeVariantForTest variant) {
  switch (variant) {
    case UnsafeVariantForTest::kNone:
      return "none";
    case UnsafeVariantForTest::kIgnoreLocks:
      return "ignore-locks";
    case UnsafeVariantForTest::kCommitOnWeakQuorum:
      return "commit-on-weak-quorum";
    case UnsafeVariantForTest::kSkipSignerCheck:
      return "skip-signer-check";
  }
  return "none";
}

std::optional<UnsafeVariantForTest> VariantFromString(const std::string& text) {
  for (auto v :
       {UnsafeVariantForTest::kNone, UnsafeVariantForTest::kIgnoreLocks,
        UnsafeVariantForTest::kCommitOnWeakQuorum, UnsafeVariantForTest::kSkipSignerCheck}) {
    if (text == ToString(v)) return v;
  }
  return std::nullopt;
}
#endif

bool Schedule::IsHonest(std::uint32_t node) const {
  return nodes[node].behavior == Behavior::kHonest && !nodes[node].twin;
}

namespace {

constexpr std::int64_t kMaxGstMs = 3000;

Behavior RandomByzantine(SimRng& rng) {
  static const std::vector<Behavior> kinds = {Behavior::kSilent,      Behavior::kEquivocator,
                                              Behavior::kDoubleVoter, Behavior::kInvalidBlocks,
                                              Behavior::kForger,      Behavior::kPromiscuous};
  return rng.Pick(kinds);
}

Cut RandomCut(SimRng& rng, std::size_t nodes) {
  Cut cut;
  cut.group.resize(nodes);
  if (rng.Below(2) == 0) {
    // One node alone, often only one way: it hears everyone but nobody hears it (or the
    // reverse), the asymmetry that splits who sees a quorum.
    cut.group[rng.Below(nodes)] = 1;
    cut.one_way = rng.Below(3) != 0;
    if (cut.one_way && rng.Below(2) == 0) {
      for (auto& g : cut.group) g = static_cast<std::uint8_t>(1 - g);
    }
    return cut;
  }
  // Two or three random groups.
  const std::uint64_t groups = 2 + rng.Below(2);
  for (auto& x : cut.group) x = static_cast<std::uint8_t>(rng.Below(groups));
  cut.one_way = rng.Below(4) == 0;
  return cut;
}

DelayModel RandomUnstableDelays(SimRng& rng) {
  DelayModel d;
  switch (rng.Below(4)) {
    case 0:  // uniform, wide
      d.lo = 1;
      d.hi = rng.Between(20, 150);
      break;
    case 1:  // bimodal: near and far peers
      d.lo = 1;
      d.hi = 10;
      d.tail_ppm = 500'000;
      d.tail_lo = 150;
      d.tail_hi = 300;
      break;
    default:  // mostly fast with a heavy tail beyond the round timeouts: messages arrive
              // rounds late, the reordering that locks exist for
      d.lo = 1;
      d.hi = 30;
      d.tail_ppm = static_cast<std::uint32_t>(rng.Between(50'000, 300'000));
      d.tail_lo = 100;
      d.tail_hi = rng.Between(300, 1500);
      break;
  }
  return d;
}

}  // namespace

Schedule MakeSchedule(std::uint64_t seed, std::size_t n, Scenario scenario) {
  SimRng rng(MixSeed(MixSeed(seed, n), static_cast<std::uint64_t>(scenario)));
  Schedule s;
  s.seed = seed;
  s.n = n;
  s.scenario = scenario;
  const std::size_t f = (n - 1) / 3;

  s.timeouts.propose_base = 300;
  s.timeouts.propose_delta = 100;
  s.timeouts.prevote_base = 150;
  s.timeouts.prevote_delta = 50;
  s.timeouts.precommit_base = 150;
  s.timeouts.precommit_delta = 50;
  s.timeouts.max_timeout = 2000;
  s.timeouts.commit_wait = 20;
  s.timeouts.empty_block_interval = 200;

  for (std::uint32_t i = 0; i < n; ++i) s.nodes.push_back(NodeSpec{i, Behavior::kHonest, false});

  // Fault budget: at most f validator keys are faulty (byzantine, twinned or crashing).
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  rng.Shuffle(order);
  std::vector<std::uint32_t> crashing;
  bool twins = false;
  for (std::size_t k = 0; k < f; ++k) {
    const std::uint32_t node = order[k];
    Scenario kind = scenario;
    if (scenario == Scenario::kMixed) {
      kind = rng.Pick(std::vector<Scenario>{Scenario::kLossy, Scenario::kCrash,
                                            Scenario::kByzantine, Scenario::kTwins});
    } else if (scenario == Scenario::kTwins && k > 0) {
      kind = rng.Pick(std::vector<Scenario>{Scenario::kLossy, Scenario::kByzantine});
    }
    switch (kind) {
      case Scenario::kCrash:
        crashing.push_back(node);
        break;
      case Scenario::kByzantine:
        s.nodes[node].behavior = RandomByzantine(rng);
        break;
      case Scenario::kTwins:
        if (!twins) {
          twins = true;
          s.nodes[node].twin = true;
          s.nodes.push_back(NodeSpec{node, Behavior::kHonest, true});
        }
        break;
      case Scenario::kLossy:
      case Scenario::kPartition:
      case Scenario::kMixed:
        break;
    }
  }
  const std::size_t nodes = s.nodes.size();

  s.gst_ms = rng.Between(0, kMaxGstMs);
  s.unstable_delays = RandomUnstableDelays(rng);
  s.stable_delays = DelayModel{1, rng.Between(5, 40), 0, 0, 0};
  s.drop_ppm = scenario == Scenario::kCrash && rng.Chance(300'000)
                   ? 0
                   : static_cast<std::uint32_t>(rng.Between(0, 300'000));
  s.dup_ppm = static_cast<std::uint32_t>(rng.Between(0, 100'000));
  s.tx_gap_max_ms = rng.Between(50, 1500);

  const bool partitions =
      scenario == Scenario::kPartition ||
      ((scenario == Scenario::kByzantine || scenario == Scenario::kMixed) && rng.Chance(500'000));
  if (partitions && s.gst_ms > 0) {
    std::int64_t t = rng.Between(0, s.gst_ms / 2);
    while (t < s.gst_ms) {
      const std::int64_t end = std::min(s.gst_ms, t + rng.Between(100, 1500));
      s.partitions.push_back(Partition{t, end, RandomCut(rng, nodes)});
      t = end + rng.Between(0, 500);
    }
  }
  const bool round_cuts =
      twins || (scenario == Scenario::kPartition && rng.Chance(500'000)) ||
      ((scenario == Scenario::kByzantine || scenario == Scenario::kMixed) && rng.Chance(300'000));
  if (round_cuts) {
    const std::size_t rounds = 2 + rng.Below(7);
    for (std::size_t r = 0; r < rounds; ++r) {
      std::array<Cut, 3> steps;
      for (Cut& cut : steps) {
        if (rng.Below(3) != 0) cut = RandomCut(rng, nodes);
      }
      s.round_cuts.push_back(std::move(steps));
    }
  }
  for (std::uint32_t node : crashing) {
    std::int64_t t = rng.Between(0, s.gst_ms);
    const std::uint64_t times = 1 + rng.Below(3);
    for (std::uint64_t i = 0; i < times && t < s.gst_ms; ++i) {
      const std::int64_t restart = std::min(s.gst_ms, t + rng.Between(20, 1200));
      s.crashes.push_back(CrashPlan{node, t, restart, static_cast<std::uint32_t>(rng.Below(4))});
      t = restart + rng.Between(1, 800);
    }
  }
  return s;
}

std::string Schedule::Describe() const {
  std::ostringstream out;
  out << "n=" << n << " scenario=" << ToString(scenario) << " seed=" << seed << " gst=" << gst_ms
      << "ms drop=" << drop_ppm / 10000.0 << "% dup=" << dup_ppm / 10000.0 << "% delay=["
      << unstable_delays.lo << "," << unstable_delays.hi << "]";
  if (unstable_delays.tail_ppm > 0) {
    out << "+" << unstable_delays.tail_ppm / 10000.0 << "%[" << unstable_delays.tail_lo << ","
        << unstable_delays.tail_hi << "]";
  }
  out << " partitions=" << partitions.size() << " round_cuts=" << round_cuts.size()
      << " crashes=" << crashes.size() << " nodes:";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    out << " " << i << "=k" << nodes[i].key << (nodes[i].twin ? "/twin" : "");
    if (nodes[i].behavior != Behavior::kHonest) out << "/" << ToString(nodes[i].behavior);
  }
  return out.str();
}

}  // namespace consentd::sim
