#pragma once

// One fault run: a 4-validator network of real consentd processes whose peer links all pass
// through Relays, clients submitting signed consent grants with ?wait=commit (every 200 is an
// acknowledged tx), and a seeded schedule of faults applied one after another, each healed
// before the next. After the schedule the network heals completely and the run checks what
// the network promised (issue 8):
//   - every acknowledged tx is committed on every node;
//   - all nodes have the same block hash and state digest at every height (no fork);
//   - every block's certificate verifies against the validator set;
//   - no honest validator was caught equivocating (no node logged evidence naming one);
//   - no node process died unless the schedule killed it;
//   - heights keep advancing after every heal and after the run.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace consentd::faults {

struct RunOptions {
  std::string scenario = "mixed";  // a label for the summary line
  std::uint64_t seed = 1;
  int faults = 10;
  std::optional<std::string> byzantine;  // --byzantine mode of node 3, if any
  int clients = 4;
  bool verbose = true;  // log each fault as it is applied
};

struct RunResult {
  std::string scenario;
  std::uint64_t seed = 0;
  int faults_injected = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t lost = 0;   // acknowledged but missing on some node
  std::uint64_t forks = 0;  // heights where two nodes disagree
  std::uint64_t height = 0;
  std::uint64_t failed_rounds = 0;  // rounds honest nodes left without a decision
  std::uint64_t evidence_against_byzantine = 0;
  double seconds = 0;
  std::vector<std::string> failures;

  bool ok() const { return failures.empty() && lost == 0 && forks == 0; }
  // "faults scenario=... seed=... faults=N acked=N lost=N forks=N height=N ... result=PASS"
  std::string SummaryLine() const;
  // The command that replays this run.
  std::string ReplayCommand(int faults, const std::optional<std::string>& byzantine) const;
};

RunResult RunFaults(const RunOptions& options);

}  // namespace consentd::faults
