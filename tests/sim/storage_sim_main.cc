// consentd-storage-sim: runs the storage simulation (tests/sim/storage_sim.h) over a range of
// seeds; a failure prints its seed, the invariant and the trace, and exits 1.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/sim/storage_sim.h"

namespace {

constexpr const char* kUsage =
    R"(consentd-storage-sim [--start S] [--seeds N] [--variant safe|no-file-sync|no-dir-sync]
                     [--lives N] [--trace]

Runs the node's safety state and WAL (the production code) on a simulated disk through crashes,
failed fsyncs, power cuts mid-write, torn writes and corrupted reads, seeds S..S+N-1 (default
1, 1000). --variant picks the safety state's write order (only "safe" is correct). --trace
prints each run's trace. Exit 0 when every seed keeps every invariant, 1 otherwise.
)";

}  // namespace

int main(int argc, char** argv) {
  using consentd::sim::RunStorageSim;
  using consentd::sim::StorageSimOptions;
  std::uint64_t start = 1, seeds = 1000;
  StorageSimOptions base;
  bool trace = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    auto need = [&]() -> std::string {
      if (value == nullptr) {
        std::fprintf(stderr, "consentd-storage-sim: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      ++i;
      return value;
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--start") {
      start = std::strtoull(need().c_str(), nullptr, 10);
    } else if (arg == "--seeds") {
      seeds = std::strtoull(need().c_str(), nullptr, 10);
    } else if (arg == "--lives") {
      base.lives = std::atoi(need().c_str());
    } else if (arg == "--variant") {
      const std::string v = need();
      const auto order = consentd::sim::WriteOrderFromString(v);
      if (!order) {
        std::fprintf(stderr, "consentd-storage-sim: unknown variant %s\n\n%s", v.c_str(), kUsage);
        return 2;
      }
      base.safety_write_order = *order;
    } else if (arg == "--trace") {
      trace = true;
    } else {
      std::fprintf(stderr, "consentd-storage-sim: unknown argument %s\n\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  std::uint64_t failed = 0, signatures = 0, crashes = 0, faults = 0;
  for (std::uint64_t seed = start; seed < start + seeds; ++seed) {
    StorageSimOptions o = base;
    o.seed = seed;
    const auto r = RunStorageSim(o);
    if (trace) std::fputs(r.trace.c_str(), stdout);
    signatures += r.acknowledged_signatures;
    crashes += r.crashes;
    faults += r.faults;
    if (!r.ok) {
      ++failed;
      std::printf(
          "FAIL seed %llu (%s): %s\n  replay: consentd-storage-sim --start %llu --seeds 1 "
          "--variant %s --trace\n",
          static_cast<unsigned long long>(seed), consentd::sim::ToString(o.safety_write_order),
          r.failure.c_str(), static_cast<unsigned long long>(seed),
          consentd::sim::ToString(o.safety_write_order));
      if (failed >= 10) break;
    }
  }
  std::printf(
      "consentd-storage-sim: seeds %llu..%llu (%s): %llu failed; %llu signatures, %llu "
      "crashes, %llu faults\n",
      static_cast<unsigned long long>(start), static_cast<unsigned long long>(start + seeds - 1),
      consentd::sim::ToString(base.safety_write_order), static_cast<unsigned long long>(failed),
      static_cast<unsigned long long>(signatures), static_cast<unsigned long long>(crashes),
      static_cast<unsigned long long>(faults));
  return failed == 0 ? 0 : 1;
}
