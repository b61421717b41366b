// consentd_faults: runs fault schedules against real consentd processes (see fault_run.h and
// docs/RELIABILITY.md). Prints one summary line per run; a failing run prints its seed and the
// command that replays it, and the program exits 1.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tests/faults/fault_run.h"

namespace {

constexpr const char* kUsage =
    R"(consentd_faults - fault injection against a local 4-validator network

Usage:
  consentd_faults --ci            the short suite (about 5 minutes, 68 faults): what CTest runs;
                                  base seed 1 unless --seed is given
  consentd_faults --long          the long suite (about 30 minutes, 500 faults); base seed from
                                  the clock unless --seed is given
  consentd_faults --scenario NAME --seed N --faults N [--byzantine MODE]   one run (a replay)

Options:
  --seed N            base seed of the suite (default: 1 with --ci, else from the clock;
                      always printed)
  --byzantine MODE    node3 runs --byzantine=MODE: silent | equivocate | double-vote |
                      invalid-proposal
  --clients N         concurrent ?wait=commit clients (default 4)
  --quiet             do not print each fault as it is applied
)";

constexpr std::uint64_t kCiSeed = 1;

struct Plan {
  std::string scenario;
  int faults;
  std::optional<std::string> byzantine;
};

std::vector<Plan> Suite(bool long_mode) {
  const int mixed = long_mode ? 100 : 36;
  const int byz = long_mode ? 50 : 8;
  std::vector<Plan> plans;
  for (int i = 0; i < (long_mode ? 3 : 1); ++i) plans.push_back({"mixed", mixed, std::nullopt});
  for (const char* mode : {"equivocate", "double-vote", "invalid-proposal", "silent"}) {
    plans.push_back({std::string("byzantine-") + mode, byz, std::string(mode)});
  }
  return plans;
}

}  // namespace

int main(int argc, char** argv) {
  using consentd::faults::RunFaults;
  using consentd::faults::RunOptions;
  std::optional<bool> long_mode;
  std::optional<Plan> single;
  std::optional<std::uint64_t> seed_given;
  int clients = 4;
  bool verbose = true;
  Plan one{"mixed", 10, std::nullopt};
  bool one_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "consentd_faults: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--ci") {
      long_mode = false;
    } else if (arg == "--long") {
      long_mode = true;
    } else if (arg == "--seed") {
      seed_given = std::strtoull(next().c_str(), nullptr, 10);
    } else if (arg == "--scenario") {
      one.scenario = next();
      one_given = true;
    } else if (arg == "--faults") {
      one.faults = std::atoi(next().c_str());
      one_given = true;
    } else if (arg == "--byzantine") {
      one.byzantine = next();
      one_given = true;
    } else if (arg == "--clients") {
      clients = std::max(1, std::atoi(next().c_str()));
    } else if (arg == "--quiet") {
      verbose = false;
    } else {
      std::fprintf(stderr, "consentd_faults: unknown argument %s\n\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  // CI replays the same schedules every run (a red run is reproducible from its log alone);
  // the long suite and single runs without --seed search fresh ground from the clock.
  const bool ci_suite = long_mode == std::optional<bool>{false} && !one_given;
  std::uint64_t seed =
      ci_suite ? kCiSeed
               : static_cast<std::uint64_t>(
                     std::chrono::system_clock::now().time_since_epoch().count() % 1'000'000'007);
  if (seed_given) seed = *seed_given;
  std::vector<Plan> plans;
  if (one_given || !long_mode) {
    plans = one_given ? std::vector<Plan>{one} : Suite(false);
  } else {
    plans = Suite(*long_mode);
  }
  std::printf("consentd_faults: base seed %llu, %zu run(s)\n",
              static_cast<unsigned long long>(seed), plans.size());
  std::fflush(stdout);
  int failed = 0;
  int total_faults = 0;
  std::uint64_t total_acked = 0;
  std::uint64_t total_lost = 0;
  std::uint64_t total_forks = 0;
  for (std::size_t k = 0; k < plans.size(); ++k) {
    RunOptions o;
    o.scenario = plans[k].scenario;
    o.seed = seed + k;
    o.faults = plans[k].faults;
    o.byzantine = plans[k].byzantine;
    o.clients = clients;
    o.verbose = verbose;
    const auto r = RunFaults(o);
    std::printf("%s\n", r.SummaryLine().c_str());
    total_faults += r.faults_injected;
    total_acked += r.acknowledged;
    total_lost += r.lost;
    total_forks += r.forks;
    if (!r.ok()) {
      ++failed;
      for (const auto& f : r.failures) std::printf("  FAILURE: %s\n", f.c_str());
      std::printf("  replay: %s\n", r.ReplayCommand(o.faults, o.byzantine).c_str());
    }
    std::fflush(stdout);
  }
  std::printf(
      "faults total runs=%zu failed=%d faults=%d acked=%llu lost=%llu forks=%llu result=%s\n",
      plans.size(), failed, total_faults, static_cast<unsigned long long>(total_acked),
      static_cast<unsigned long long>(total_lost), static_cast<unsigned long long>(total_forks),
      failed == 0 ? "PASS" : "FAIL");
  return failed == 0 ? 0 : 1;
}
