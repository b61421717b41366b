// consentd-sim: runs simulated schedules of the consensus core and reports violations.
//
//   consentd-sim [--n 4|7] [--scenario lossy|partition|crash|byzantine|twins|mixed|all]
//                [--start S] [--seeds N] [--trace] [--variant ...]
//
// Runs seeds S .. S+N-1 (default 1 .. 100) for every selected (n, scenario); n and scenario
// default to all. A failing schedule prints the exact command that replays it; --trace prints
// every event of each run. Exit status 1 when any schedule violated an invariant.
// --variant (ignore-locks, commit-on-weak-quorum, skip-signer-check) exists only in
// consentd-sim-unsafe, the build with the deliberately broken rules.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "tests/sim/simulator.h"

namespace {

int Usage(const char* argv0) {
  std::cerr << "usage: " << argv0
            << " [--n 4|7] [--scenario NAME|all] [--start S] [--seeds N] [--trace]"
#ifdef CONSENTD_UNSAFE_VARIANTS
               " [--variant none|ignore-locks|commit-on-weak-quorum|skip-signer-check]"
#endif
               "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace consentd::sim;
  std::vector<std::size_t> ns = {4, 7};
  std::vector<Scenario> scenarios(std::begin(kAllScenarios), std::end(kAllScenarios));
  std::uint64_t start = 1;
  std::uint64_t count = 100;
  bool trace = false;
#ifdef CONSENTD_UNSAFE_VARIANTS
  UnsafeVariantForTest variant = UnsafeVariantForTest::kNone;
#endif
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--trace") {
      trace = true;
    } else if (arg == "--n" && has_value) {
      const std::size_t n = std::strtoull(argv[++i], nullptr, 10);
      if (n < 1 || n > 64) return Usage(argv[0]);
      ns = {n};
    } else if (arg == "--scenario" && has_value) {
      const std::string name = argv[++i];
      if (name != "all") {
        const auto s = ScenarioFromString(name);
        if (!s) return Usage(argv[0]);
        scenarios = {*s};
      }
    } else if (arg == "--start" && has_value) {
      start = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--seeds" && has_value) {
      count = std::strtoull(argv[++i], nullptr, 10);
#ifdef CONSENTD_UNSAFE_VARIANTS
    } else if (arg == "--variant" && has_value) {
      const auto v = VariantFromString(argv[++i]);
      if (!v) return Usage(argv[0]);
      variant = *v;
#endif
    } else {
      return Usage(argv[0]);
    }
  }

  std::uint64_t runs = 0, failures = 0, events = 0, commits = 0;
  const auto begin = std::chrono::steady_clock::now();
  for (std::size_t n : ns) {
    for (Scenario scenario : scenarios) {
      for (std::uint64_t seed = start; seed < start + count; ++seed) {
        Schedule schedule = MakeSchedule(seed, n, scenario);
#ifdef CONSENTD_UNSAFE_VARIANTS
        schedule.variant = variant;
#endif
        SimOptions options;
        if (trace) {
          std::cout << "# " << schedule.Describe() << "\n";
          options.trace = &std::cout;
        }
        const SimResult result = RunSchedule(schedule, options);
        ++runs;
        events += result.events;
        commits += result.commits;
        if (trace) {
          std::cout << "# result: " << (result.violation ? "VIOLATION" : "ok")
                    << " trace_hash=" << std::hex << result.trace_hash << std::dec
                    << " events=" << result.events << " max_height=" << result.max_height
                    << " max_round=" << result.max_round << " end=" << result.end_ms << "ms\n";
        }
        if (result.violation) {
          ++failures;
          std::cout << "FAIL " << ToString(result.violation->kind)
                    << " at t=" << result.violation->time_ms << "ms: " << result.violation->detail
                    << "\n"
                    << "  schedule: " << schedule.Describe() << "\n"
                    << "  replay:   " << ReplayCommand(schedule, argv[0])
                    << "   (add --trace for every event)\n";
        }
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::cout << runs << " schedules, " << failures << " failed, " << events << " events, " << commits
            << " commits in " << seconds << " s (" << (seconds > 0 ? runs / seconds : 0.0)
            << " schedules/s)\n";
  return failures == 0 ? 0 : 1;
}
