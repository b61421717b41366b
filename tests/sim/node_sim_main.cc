// consentd-node-sim: runs the whole-node simulation (tests/sim/node_sim.h) over a range of
// seeds; a failure prints its seed, the invariant and the trace, and exits 1.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "node/log.h"
#include "tests/sim/node_sim.h"
#include "tests/sim/storage_sim.h"

namespace {

constexpr const char* kUsage =
    R"(consentd-node-sim [--start S] [--seeds N] [--variant safe|no-file-sync|no-dir-sync]
                  [--no-crashes] [--no-partitions] [--no-disk-faults] [--wipes] [--trace]

Runs four real NodeCores with real ledgers on simulated disks, clocks and network through a
fault phase (loss, delay, partitions, crashes, failed fsyncs, power cuts) and a healed phase,
seeds S..S+N-1 (default 1, 100), checking agreement, that no committed tx is lost, that honest
validators never sign two votes, and liveness after healing. --variant picks the safety state's
write order (only "safe" is correct). --wipes adds a fault: a validator's data directory is
deleted while it is down (its key and safety state stay) and it catches up from empty. Exit 0
when every seed passes, 1 otherwise.
)";

}  // namespace

int main(int argc, char** argv) {
  using consentd::sim::NodeSimOptions;
  using consentd::sim::RunNodeSim;
  consentd::node::Logger::SetLevel(std::getenv("CONSENTD_SIM_LOG")
                                       ? consentd::node::LogLevel::kDebug
                                       : consentd::node::LogLevel::kError);
  std::uint64_t start = 1, seeds = 100;
  NodeSimOptions base;
  bool trace = false;
  std::string variant = "safe";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto need = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "consentd-node-sim: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--start") {
      start = std::strtoull(need().c_str(), nullptr, 10);
    } else if (arg == "--seeds") {
      seeds = std::strtoull(need().c_str(), nullptr, 10);
    } else if (arg == "--variant") {
      variant = need();
      const auto order = consentd::sim::WriteOrderFromString(variant);
      if (!order) {
        std::fprintf(stderr, "consentd-node-sim: unknown variant %s\n\n%s", variant.c_str(),
                     kUsage);
        return 2;
      }
      base.safety_write_order = *order;
    } else if (arg == "--no-crashes") {
      base.crashes = false;
    } else if (arg == "--no-partitions") {
      base.partitions = false;
    } else if (arg == "--no-disk-faults") {
      base.disk_faults = false;
    } else if (arg == "--wipes") {
      base.wipes = true;
    } else if (arg == "--trace") {
      trace = true;
    } else {
      std::fprintf(stderr, "consentd-node-sim: unknown argument %s\n\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  std::uint64_t failed = 0, txs = 0, crashes = 0, min_height = ~0ull;
  for (std::uint64_t seed = start; seed < start + seeds; ++seed) {
    NodeSimOptions o = base;
    o.seed = seed;
    const auto r = RunNodeSim(o);
    if (trace) std::fputs(r.trace.c_str(), stdout);
    txs += r.committed_txs;
    crashes += r.crashes;
    if (r.min_height < min_height) min_height = r.min_height;
    if (!r.ok) {
      ++failed;
      std::printf(
          "FAIL seed %llu (%s): %s\n  replay: consentd-node-sim --start %llu --seeds 1 "
          "--variant %s --trace\n",
          static_cast<unsigned long long>(seed), variant.c_str(), r.failure.c_str(),
          static_cast<unsigned long long>(seed), variant.c_str());
      if (failed >= 10) break;
    }
  }
  std::printf(
      "consentd-node-sim: seeds %llu..%llu (%s): %llu failed; %llu txs committed, %llu "
      "crashes and stops, lowest final height %llu\n",
      static_cast<unsigned long long>(start), static_cast<unsigned long long>(start + seeds - 1),
      variant.c_str(), static_cast<unsigned long long>(failed),
      static_cast<unsigned long long>(txs), static_cast<unsigned long long>(crashes),
      static_cast<unsigned long long>(min_height));
  return failed == 0 ? 0 : 1;
}
