// The simulator has teeth: each deliberately unsafe variant of the core (compiled only into
// consentd_consensus_unsafe) is run on the simulator's own seeded schedules until an invariant
// catches it, within a budget far below the CI suite's 2,000 schedules. Each caught schedule is
// then replayed with the variant switched off, which must keep every invariant: the violation
// is the variant's doing, not the schedule's.

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>

#include "common/test_paths.h"
#include "tests/sim/invariants.h"
#include "tests/sim/schedule.h"
#include "tests/sim/simulator.h"

namespace consentd::sim {
namespace {

struct TeethCase {
  const char* name;
  UnsafeVariantForTest variant;
  std::set<ViolationKind> expected;  // how the flaw must show
  const char* detail;                // and a word the first report must contain ("" = any)
  std::vector<std::size_t> ns;
  std::vector<Scenario> scenarios;
  std::uint64_t budget;  // schedules at most
};

class TeethTest : public ::testing::TestWithParam<TeethCase> {};

TEST_P(TeethTest, InvariantsCatchTheUnsafeVariant) {
  const TeethCase& c = GetParam();
  const std::string binary =
      std::string(consentd::testing::BuildDir()) + "/tests/sim/consentd-sim-unsafe";
  std::uint64_t tried = 0;
  std::optional<Schedule> caught;
  std::optional<Violation> violation;
  for (std::uint64_t seed = 1; tried < c.budget && !caught; ++seed) {
    for (std::size_t n : c.ns) {
      for (Scenario scenario : c.scenarios) {
        if (caught || tried >= c.budget) break;
        Schedule schedule = MakeSchedule(seed, n, scenario);
        schedule.variant = c.variant;
        const SimResult result = RunSchedule(schedule);
        ++tried;
        if (result.violation) {
          caught = schedule;
          violation = result.violation;
        }
      }
    }
  }
  ASSERT_TRUE(caught.has_value()) << c.name << ": no invariant caught it in " << tried
                                  << " schedules";
  std::cout << "[teeth] " << c.name << ": caught after " << tried << " schedules as "
            << ToString(violation->kind) << ": " << violation->detail
            << "\n[teeth]   replay: " << ReplayCommand(*caught, binary) << "\n";
  EXPECT_EQ(c.expected.count(violation->kind), 1u)
      << "unexpected kind " << ToString(violation->kind) << ": " << violation->detail;
  EXPECT_NE(violation->detail.find(c.detail), std::string::npos) << violation->detail;

  // The same schedule with the variant off keeps every invariant.
  Schedule safe = *caught;
  safe.variant = UnsafeVariantForTest::kNone;
  const SimResult control = RunSchedule(safe);
  EXPECT_FALSE(control.violation.has_value())
      << ToString(control.violation->kind) << ": " << control.violation->detail;
}

// Where locks matter most: twins, byzantine voters and mixed faults (measured in Release over
// 3,000 seeds each: the unsafe variant forks 0.9%, 0.5% and 0.4% of these schedules).
const std::vector<Scenario> kAdversarial = {Scenario::kTwins, Scenario::kByzantine,
                                            Scenario::kMixed};

INSTANTIATE_TEST_SUITE_P(
    Variants, TeethTest,
    ::testing::Values(
        // Without locks, a block with 2f + 1 precommits in one round can be replaced by
        // another in a later round: a fork certificate, or two honest nodes disagreeing.
        TeethCase{"ignore-locks",
                  UnsafeVariantForTest::kIgnoreLocks,
                  {ViolationKind::kConflictingQuorums, ViolationKind::kAgreement},
                  "",
                  {4},
                  kAdversarial,
                  1200},
        // f + 1 precommits are not a certificate anyone else accepts.
        TeethCase{"commit-on-weak-quorum",
                  UnsafeVariantForTest::kCommitOnWeakQuorum,
                  {ViolationKind::kCertificate},
                  "cert_too_few_signatures",
                  {4, 7},
                  {Scenario::kLossy, Scenario::kPartition},
                  200},
        // Unverified votes let a forger speak for honest validators: forged certificates, or
        // "evidence" against honest validators made of forged signatures.
        TeethCase{
            "skip-signer-check",
            UnsafeVariantForTest::kSkipSignerCheck,
            {ViolationKind::kCertificate, ViolationKind::kBogusEvidence, ViolationKind::kAgreement},
            "",
            {4, 7},
            {Scenario::kByzantine, Scenario::kMixed},
            400}),
    [](const ::testing::TestParamInfo<TeethCase>& info) {
      std::string name = info.param.name;
      for (char& ch : name) {
        if (ch == '-') ch = '_';
      }
      return name;
    });

}  // namespace
}  // namespace consentd::sim
