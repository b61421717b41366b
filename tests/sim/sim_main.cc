// consentd-sim: runs simulated schedules of the consensus core and reports violations.
//
//   consentd-sim [--n N] [--scenario lossy|partition|crash|byzantine|twins|mixed|all]
//                [--start S] [--seeds K] [--jobs J] [--long] [--trace] [--variant ...]
//
// Runs seeds S .. S+K-1 (default 1 .. 100) for every selected (n, scenario); n defaults to 4
// and 7, scenario to all. --long is the search docs/CONSENSUS.md records: 100,000 seeds per
// (n, scenario) from a fresh start drawn from the OS (printed; give it back as --start to run
// the same schedules again), on every core. A failing schedule prints the exact command that
// replays it; --trace prints every event of each run. Exit status 1 when any schedule violated
// an invariant, 2 on bad arguments.
// --variant (ignore-locks, commit-on-weak-quorum, skip-signer-check) exists only in
// consentd-sim-unsafe, the build with the deliberately broken rules.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/sim/simulator.h"

namespace {

using namespace consentd::sim;

constexpr std::uint64_t kLongSeeds = 100'000;

int Usage(const char* argv0, int status) {
  (status == 0 ? std::cout : std::cerr)
      << "usage: " << argv0
      << " [--n N] [--scenario NAME|all] [--start S] [--seeds K] [--jobs J] [--long] [--trace]"
#ifdef CONSENTD_UNSAFE_VARIANTS
         " [--variant none|ignore-locks|commit-on-weak-quorum|skip-signer-check]"
#endif
         "\n"
         "  --n N          validators: 1 to "
      << kMaxSimValidators
      << " (default: 4 and 7)\n"
         "  --scenario S   lossy, partition, crash, byzantine, twins, mixed or all (default)\n"
         "  --start S      first seed (default 1)\n"
         "  --seeds K      seeds per (n, scenario) (default 100)\n"
         "  --jobs J       schedules run on J threads (default 1; with --long, every core)\n"
         "  --long         100,000 seeds per (n, scenario) from a fresh start, printed\n"
         "  --trace        print every event of each run (one thread)\n";
  return status;
}

std::optional<std::uint64_t> Number(const std::string& text) {
  if (text.empty() || text.size() > 19 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoull(text);
}

struct Totals {
  std::uint64_t runs = 0, failures = 0, events = 0, commits = 0;
  void Add(const Totals& o) {
    runs += o.runs;
    failures += o.failures;
    events += o.events;
    commits += o.commits;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> ns = {4, 7};
  std::vector<Scenario> scenarios(std::begin(kAllScenarios), std::end(kAllScenarios));
  std::optional<std::uint64_t> start;
  std::optional<std::uint64_t> count;
  std::optional<std::uint64_t> jobs;
  bool trace = false;
  bool long_run = false;
#ifdef CONSENTD_UNSAFE_VARIANTS
  UnsafeVariantForTest variant = UnsafeVariantForTest::kNone;
#endif
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::optional<std::string> value =
        i + 1 < argc ? std::optional<std::string>(argv[i + 1]) : std::nullopt;
    const auto number = [&]() -> std::optional<std::uint64_t> {
      ++i;
      return value ? Number(*value) : std::nullopt;
    };
    if (arg == "--help" || arg == "-h") {
      return Usage(argv[0], 0);
    } else if (arg == "--trace") {
      trace = true;
    } else if (arg == "--long") {
      long_run = true;
    } else if (arg == "--n") {
      const auto n = number();
      if (!n || *n < 1 || *n > kMaxSimValidators) return Usage(argv[0], 2);
      ns = {static_cast<std::size_t>(*n)};
    } else if (arg == "--scenario" && value) {
      ++i;
      if (*value != "all") {
        const auto s = ScenarioFromString(*value);
        if (!s) return Usage(argv[0], 2);
        scenarios = {*s};
      }
    } else if (arg == "--start") {
      if (!(start = number())) return Usage(argv[0], 2);
    } else if (arg == "--seeds") {
      if (!(count = number())) return Usage(argv[0], 2);
    } else if (arg == "--jobs") {
      if (!(jobs = number()) || *jobs < 1 || *jobs > 256) return Usage(argv[0], 2);
#ifdef CONSENTD_UNSAFE_VARIANTS
    } else if (arg == "--variant" && value) {
      ++i;
      const auto v = VariantFromString(*value);
      if (!v) return Usage(argv[0], 2);
      variant = *v;
#endif
    } else {
      return Usage(argv[0], 2);
    }
  }
  if (long_run) {
    if (!start) start = std::random_device{}() % 1'000'000'000ULL * 1000 + 1;
    if (!count) count = kLongSeeds;
    if (!jobs) jobs = std::max(1u, std::thread::hardware_concurrency());
  }
  const std::uint64_t first = start.value_or(1);
  const std::uint64_t seeds = count.value_or(100);
  const unsigned threads = trace ? 1 : static_cast<unsigned>(jobs.value_or(1));
  if (first > UINT64_MAX - seeds) return Usage(argv[0], 2);
  if (long_run || threads > 1) {
    std::cout << "seeds " << first << " .. " << first + seeds - 1 << " per (n, scenario) on "
              << threads << " thread(s); --start " << first << " --seeds " << seeds
              << " runs them again" << std::endl;
  }

  std::mutex out_mu;  // failure reports from several threads
  Totals all;
  const auto begin = std::chrono::steady_clock::now();
  for (std::size_t n : ns) {
    for (Scenario scenario : scenarios) {
      std::atomic<std::uint64_t> next{first};
      Totals totals;
      const auto case_begin = std::chrono::steady_clock::now();
      const auto work = [&] {
        Totals mine;
        for (std::uint64_t seed; (seed = next.fetch_add(1)) < first + seeds;) {
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
          ++mine.runs;
          mine.events += result.events;
          mine.commits += result.commits;
          if (trace) {
            std::cout << "# result: " << (result.violation ? "VIOLATION" : "ok")
                      << " trace_hash=" << std::hex << result.trace_hash << std::dec
                      << " events=" << result.events << " max_height=" << result.max_height
                      << " max_round=" << result.max_round << " end=" << result.end_ms << "ms\n";
          }
          if (result.violation) {
            ++mine.failures;
            std::lock_guard<std::mutex> lock(out_mu);
            std::cout << "FAIL " << ToString(result.violation->kind)
                      << " at t=" << result.violation->time_ms << "ms: " << result.violation->detail
                      << "\n"
                      << "  schedule: " << schedule.Describe() << "\n"
                      << "  replay:   " << ReplayCommand(schedule, argv[0])
                      << "   (add --trace for every event)" << std::endl;
          }
        }
        std::lock_guard<std::mutex> lock(out_mu);
        totals.Add(mine);
      };
      std::vector<std::thread> pool;
      for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
      work();
      for (std::thread& t : pool) t.join();
      all.Add(totals);
      if (ns.size() * scenarios.size() > 1 && (long_run || threads > 1)) {
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - case_begin).count();
        std::cout << "n=" << n << " " << ToString(scenario) << ": " << totals.runs << " schedules, "
                  << totals.failures << " failed, " << totals.commits << " commits in " << s << " s"
                  << std::endl;
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::cout << all.runs << " schedules, " << all.failures << " failed, " << all.events
            << " events, " << all.commits << " commits in " << seconds << " s ("
            << (seconds > 0 ? all.runs / seconds : 0.0) << " schedules/s)\n";
  return all.failures == 0 ? 0 : 1;
}
