// The simulator's unit tests and the CI suite of simulated schedules.
//
// CiSuite runs seeds 1..CONSENTD_SIM_SEEDS (default 500) for each n in {4, 7} and each of the
// six scenarios: 6,000 schedules by default; fixed seeds, so CI replays. Fresh seeds are
// consentd-sim --long's (docs/CONSENSUS.md, "Runs and what they found"). A failure prints the
// command that replays it.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>
#include <sstream>

#include "common/test_paths.h"
#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"
#include "tests/sim/fake_app.h"
#include "tests/sim/invariants.h"
#include "tests/sim/remembering_verifier.h"
#include "tests/sim/schedule.h"
#include "tests/sim/sim_rng.h"
#include "tests/sim/simulator.h"

namespace consentd::sim {
namespace {

// ---------------------------------------------------------------------------------------------
// SimRng

TEST(SimRngTest, EngineIsTheStandardMersenneTwister) {
  // [rand.predef]: the 10000th output of a default-seeded mt19937_64.
  SimRng rng(5489);
  std::uint64_t v = 0;
  for (int i = 0; i < 10000; ++i) v = rng.Next();
  EXPECT_EQ(v, 9981545732273789042ULL);
}

TEST(SimRngTest, BoundedDrawsStayInRangeAndCoverIt) {
  SimRng rng(1);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const std::uint64_t x = rng.Below(7);
    ASSERT_LT(x, 7u);
    ++seen[x];
  }
  for (int count : seen) EXPECT_GT(count, 800);  // ~1000 each
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t x = rng.Between(-3, 3);
    ASSERT_GE(x, -3);
    ASSERT_LE(x, 3);
  }
  EXPECT_EQ(rng.Between(5, 5), 5);
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(rng.Chance(0));
    EXPECT_TRUE(rng.Chance(1'000'000));
  }
}

TEST(SimRngTest, SameSeedSameSequence) {
  SimRng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.Below(1000);
    EXPECT_EQ(x, b.Below(1000));
    differs = differs || x != c.Below(1000);
  }
  EXPECT_TRUE(differs);
}

// ---------------------------------------------------------------------------------------------
// FakeApp

TEST(FakeAppTest, BlocksRoundTripAndHonestValidation) {
  FakeBlock b{7, 2, 9, false, {1, 5, 9}};
  const Bytes payload = EncodeBlock(b);
  const auto back = DecodeBlock(payload);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->height, 7u);
  EXPECT_EQ(back->txs, (std::vector<std::uint64_t>{1, 5, 9}));
  auto id = ValidateBlock(7, payload);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, crypto::Sha256(payload));
  EXPECT_EQ(ValidateBlock(8, payload).status().code(), "block_wrong_height");
  b.poisoned = true;
  EXPECT_EQ(ValidateBlock(7, EncodeBlock(b)).status().code(), "block_invalid_tx");
  b.poisoned = false;
  b.txs = {5, 1};
  EXPECT_EQ(ValidateBlock(7, EncodeBlock(b)).status().code(), "block_wrong_tx_root");
  Bytes truncated = payload;
  truncated.pop_back();
  EXPECT_EQ(ValidateBlock(7, truncated).status().code(), "block_malformed");
}

TEST(FakeAppTest, MempoolPacesAndCommitsRemoveTxs) {
  const auto set = consensus::ValidatorSet::Create(
      {crypto::PrivateKey::FromHex(std::string(63, '0') + "3")->public_key()});
  ASSERT_TRUE(set.ok());
  FakeApp app(&*set, 0);
  EXPECT_FALSE(app.has_txs());
  EXPECT_TRUE(app.AddTx(4));  // empty -> non-empty
  EXPECT_FALSE(app.AddTx(2));
  const consensus::ProposedBlock block = app.BuildProposal(1, 0);
  EXPECT_EQ(DecodeBlock(block.payload)->txs, (std::vector<std::uint64_t>{2, 4}));
  app.ApplyCommit(StoredBlock{1, block.id, block.payload, {}});
  EXPECT_FALSE(app.has_txs());
  EXPECT_FALSE(app.AddTx(4));  // already committed
  EXPECT_EQ(app.tip(), 1u);
  EXPECT_NE(app.BlockAt(1), nullptr);
  EXPECT_EQ(app.BlockAt(2), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Schedules and determinism

TEST(ScheduleTest, DrawnDeterministicallyWithinTheFaultBudget) {
  for (std::size_t n : {4, 7}) {
    for (Scenario scenario : kAllScenarios) {
      for (std::uint64_t seed = 1; seed <= 50; ++seed) {
        const Schedule a = MakeSchedule(seed, n, scenario);
        EXPECT_EQ(a.Describe(), MakeSchedule(seed, n, scenario).Describe());
        std::set<std::uint32_t> faulty;
        for (const NodeSpec& node : a.nodes) {
          if (node.behavior != Behavior::kHonest || node.twin) faulty.insert(node.key);
        }
        for (const CrashPlan& c : a.crashes) {
          faulty.insert(a.nodes[c.node].key);
          EXPECT_LE(c.restart_ms, a.gst_ms);
        }
        EXPECT_LE(faulty.size(), (n - 1) / 3) << a.Describe();
      }
    }
  }
  EXPECT_NE(MakeSchedule(1, 4, Scenario::kMixed).Describe(),
            MakeSchedule(2, 4, Scenario::kMixed).Describe());
}

TEST(DeterminismTest, ReplayingASeedGivesTheSameTrace) {
  for (Scenario scenario : kAllScenarios) {
    for (std::size_t n : {4, 7}) {
      const Schedule schedule = MakeSchedule(11, n, scenario);
      const SimResult a = RunSchedule(schedule);
      const SimResult b = RunSchedule(schedule);
      EXPECT_EQ(a.trace_hash, b.trace_hash) << schedule.Describe();
      EXPECT_EQ(a.events, b.events);
      EXPECT_EQ(a.commits, b.commits);
      EXPECT_EQ(a.end_ms, b.end_ms);
      const SimResult other = RunSchedule(MakeSchedule(12, n, scenario));
      EXPECT_NE(a.trace_hash, other.trace_hash) << schedule.Describe();
    }
  }
}

TEST(DeterminismTest, TraceOutputIsReproducible) {
  const Schedule schedule = MakeSchedule(3, 4, Scenario::kByzantine);
  std::ostringstream first, second;
  SimOptions options;
  options.trace = &first;
  const SimResult a = RunSchedule(schedule, options);
  options.trace = &second;
  const SimResult b = RunSchedule(schedule, options);
  EXPECT_EQ(first.str(), second.str());
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_NE(first.str().find("COMMIT"), std::string::npos);
}

// The command a failure prints really replays the schedule: same events, same trace hash.
TEST(DeterminismTest, PrintedReplayCommandReproducesTheRun) {
  const Schedule schedule = MakeSchedule(5, 4, Scenario::kMixed);
  const SimResult expected = RunSchedule(schedule);
  const std::string command = ReplayCommand(schedule, std::string(consentd::testing::BuildDir()) +
                                                          "/tests/sim/consentd-sim") +
                              " --trace";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr) << command;
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  ASSERT_EQ(pclose(pipe), 0) << command << "\n" << output.substr(0, 2000);
  std::ostringstream hash;
  hash << "trace_hash=" << std::hex << expected.trace_hash << " ";
  EXPECT_NE(output.find(hash.str()), std::string::npos) << command;
  EXPECT_NE(output.find("events=" + std::to_string(expected.events) + " "), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Schedules that once failed (docs/CONSENSUS.md, "Runs and what they found").

struct Regression {
  std::size_t n;
  Scenario scenario;
  std::uint64_t seed;
};

// Both stalled after GST for the same reason: a replica left a round on a precommit of a
// validator that then crashed and forgot it, so the others, still in that round, were each a
// precommit short for ever. Fixed by relaying the votes that end a round to a peer still in it
// (Replica::AppendRoundChange).
constexpr Regression kRegressions[] = {
    {4, Scenario::kMixed, 7341563},
    {4, Scenario::kCrash, 7340295},
};

TEST(RegressionTest, SchedulesThatOnceFailedKeepEveryInvariant) {
  const std::string binary = std::string(consentd::testing::BuildDir()) + "/tests/sim/consentd-sim";
  for (const Regression& r : kRegressions) {
    const Schedule schedule = MakeSchedule(r.seed, r.n, r.scenario);
    const SimResult result = RunSchedule(schedule);
    EXPECT_FALSE(result.violation.has_value())
        << ToString(result.violation->kind) << ": " << result.violation->detail
        << "\n  replay: " << ReplayCommand(schedule, binary);
    EXPECT_GE(result.max_height, schedule.heights_after_gst) << schedule.Describe();
  }
}

// ---------------------------------------------------------------------------------------------
// RememberingVerifier

TEST(RememberingVerifierTest, RemembersBothAnswersAndGivesVerificationsOwn) {
  const auto key = crypto::PrivateKey::FromBytes(crypto::Sha256("verifier test key"));
  ASSERT_TRUE(key.ok());
  const Hash256 message = crypto::Sha256("message");
  const crypto::SignatureBytes good = key->SignWithAux(message, {});
  crypto::SignatureBytes bad = good;
  bad[10] ^= 1;
  RememberingVerifier verifier;
  EXPECT_TRUE(verifier.Verify(key->public_key(), message, good));
  EXPECT_TRUE(verifier.Verify(key->public_key(), message, good));
  EXPECT_FALSE(verifier.Verify(key->public_key(), message, bad));
  EXPECT_FALSE(verifier.Verify(key->public_key(), message, bad));
  EXPECT_FALSE(verifier.Verify(key->public_key(), crypto::Sha256("other"), good));
  EXPECT_EQ(verifier.verified(), 3u);
  EXPECT_EQ(verifier.remembered(), 2u);
}

// Sharing one verifier among the replicas of a run is only a speed-up: every run is the same,
// event for event, as when each replica verifies every signature itself (byzantine schedules
// include forged signatures).
TEST(RememberingVerifierTest, ASharedVerifierChangesNoRun) {
  std::uint64_t bad_signatures = 0;
  for (Scenario scenario : {Scenario::kByzantine, Scenario::kMixed, Scenario::kCrash}) {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      const Schedule schedule = MakeSchedule(seed, 4, scenario);
      SimOptions own;
      own.share_verifier = false;
      const SimResult a = RunSchedule(schedule);
      const SimResult b = RunSchedule(schedule, own);
      EXPECT_EQ(a.trace_hash, b.trace_hash) << schedule.Describe();
      EXPECT_EQ(a.events, b.events);
      EXPECT_EQ(a.dropped_bad_signature, b.dropped_bad_signature);
      bad_signatures += b.dropped_bad_signature;
    }
  }
  EXPECT_GT(bad_signatures, 0u);  // forged signatures were among those compared
}

// ---------------------------------------------------------------------------------------------
// The checker itself catches what it should.

class CheckerTest : public ::testing::Test {
 protected:
  CheckerTest() {
    for (std::uint32_t i = 0; i < 4; ++i) {
      keys_.push_back(std::move(
          crypto::PrivateKey::FromBytes(crypto::Sha256("checker key " + std::to_string(i)))
              .value()));
    }
    std::sort(keys_.begin(), keys_.end(),
              [](const auto& a, const auto& b) { return a.public_key() < b.public_key(); });
    std::vector<crypto::PublicKey> pubs;
    for (const auto& k : keys_) pubs.push_back(k.public_key());
    set_.emplace(std::move(consensus::ValidatorSet::Create(pubs)).value());
  }
  Checker MakeChecker() { return Checker(kSimChainId, &*set_, {0, 1, 2, 3}, {0, 1, 2}); }

  consensus::Vote SignedVote(std::size_t k, consensus::VoteType type, std::uint64_t h,
                             std::uint32_t r, const std::optional<Hash256>& id) {
    consensus::Vote v{type, h, r, id, keys_[k].public_key(), {}};
    v.signature = keys_[k].SignWithAux(consensus::SignHash(kSimChainId, v), {});
    return v;
  }
  consensus::Commit CommitOf(const FakeBlock& block, std::size_t signers) {
    const Bytes payload = EncodeBlock(block);
    consensus::Commit c{block.height, crypto::Sha256(payload), payload, {}};
    c.certificate = {block.height, 0, c.block_id, {}};
    for (std::size_t k = 0; k < signers; ++k) {
      const auto v = SignedVote(k, consensus::VoteType::kPrecommit, block.height, 0, c.block_id);
      c.certificate.precommits.push_back({v.validator, v.signature});
    }
    return c;
  }
  consensus::Proposal ProposalOf(const consensus::Commit& c) {
    return consensus::Proposal{c.height, 0, -1, c.block_id, c.payload, keys_[0].public_key(), {}};
  }

  std::vector<crypto::PrivateKey> keys_;
  std::optional<consensus::ValidatorSet> set_;
};

TEST_F(CheckerTest, AgreementValidityAndCertificates) {
  Checker checker = MakeChecker();
  const consensus::Commit a = CommitOf(FakeBlock{1, 0, 1, false, {}}, 3);
  const consensus::Commit b = CommitOf(FakeBlock{1, 0, 2, false, {}}, 3);
  checker.OnProposalSent(ProposalOf(a));
  checker.OnProposalSent(ProposalOf(b));
  checker.OnCommit(0, a, 1);
  checker.OnCommit(1, a, 2);
  EXPECT_FALSE(checker.violation().has_value());
  checker.OnCommit(2, b, 3);
  ASSERT_TRUE(checker.violation().has_value());
  EXPECT_EQ(checker.violation()->kind, ViolationKind::kAgreement);

  Checker weak = MakeChecker();
  const consensus::Commit c = CommitOf(FakeBlock{1, 0, 1, false, {}}, 2);
  weak.OnProposalSent(ProposalOf(c));
  weak.OnCommit(0, c, 1);
  ASSERT_TRUE(weak.violation().has_value());
  EXPECT_EQ(weak.violation()->kind, ViolationKind::kCertificate);

  Checker unproposed = MakeChecker();
  unproposed.OnCommit(0, a, 1);
  ASSERT_TRUE(unproposed.violation().has_value());
  EXPECT_EQ(unproposed.violation()->kind, ViolationKind::kValidity);

  Checker poisoned = MakeChecker();
  const consensus::Commit p = CommitOf(FakeBlock{1, 0, 1, true, {}}, 3);
  poisoned.OnProposalSent(ProposalOf(p));
  poisoned.OnCommit(0, p, 1);
  ASSERT_TRUE(poisoned.violation().has_value());
  EXPECT_EQ(poisoned.violation()->kind, ViolationKind::kValidity);
}

TEST_F(CheckerTest, TwoBlocksWithPrecommitQuorumsAtOneHeightAreAFork) {
  const Hash256 a = crypto::Sha256("a");
  const Hash256 b = crypto::Sha256("b");
  Checker checker = MakeChecker();
  for (std::size_t k = 0; k < 3; ++k) {
    checker.OnPrecommitSigned(SignedVote(k, consensus::VoteType::kPrecommit, 4, 0, a), 1);
    checker.OnPrecommitSigned(SignedVote(k, consensus::VoteType::kPrecommit, 4, 1, std::nullopt),
                              1);
  }
  // b in a later round, and a at another height: no fork until b has a quorum of its own.
  checker.OnPrecommitSigned(SignedVote(3, consensus::VoteType::kPrecommit, 4, 2, b), 2);
  checker.OnPrecommitSigned(SignedVote(0, consensus::VoteType::kPrecommit, 4, 2, b), 2);
  for (std::size_t k = 0; k < 3; ++k) {
    checker.OnPrecommitSigned(SignedVote(k, consensus::VoteType::kPrecommit, 5, 0, b), 2);
  }
  EXPECT_FALSE(checker.violation().has_value());
  checker.OnPrecommitSigned(SignedVote(1, consensus::VoteType::kPrecommit, 4, 2, b), 3);
  ASSERT_TRUE(checker.violation().has_value());
  EXPECT_EQ(checker.violation()->kind, ViolationKind::kConflictingQuorums);
}

TEST_F(CheckerTest, DoubleSigningAndPersistOrder) {
  const Hash256 x = crypto::Sha256("x");
  const consensus::Vote v1 = SignedVote(1, consensus::VoteType::kPrevote, 3, 1, x);
  const consensus::Vote v2 = SignedVote(1, consensus::VoteType::kPrevote, 3, 1, std::nullopt);
  consensus::SafetyState disk{
      3, 1, consensus::Step::kPrevote, consensus::SignHash(kSimChainId, v1), v1.signature, -1, {}};
  Checker checker = MakeChecker();
  checker.OnOwnMessageSent(1, disk, v1, 1);
  checker.OnOwnMessageSent(1, disk, v1, 2);  // a re-send is fine
  EXPECT_FALSE(checker.violation().has_value());
  disk.sign_hash = consensus::SignHash(kSimChainId, v2);
  checker.OnOwnMessageSent(1, disk, v2, 3);
  ASSERT_TRUE(checker.violation().has_value());
  EXPECT_EQ(checker.violation()->kind, ViolationKind::kDoubleSign);

  Checker order = MakeChecker();
  consensus::SafetyState behind{3, 0, consensus::Step::kPrecommit, {}, {}, -1, {}};
  order.OnOwnMessageSent(1, behind, v1, 1);
  ASSERT_TRUE(order.violation().has_value());
  EXPECT_EQ(order.violation()->kind, ViolationKind::kPersistOrder);
}

TEST_F(CheckerTest, EvidenceMustNameAFaultyValidator) {
  const Hash256 x = crypto::Sha256("x");
  Checker checker = MakeChecker();
  checker.OnEvidence(0,
                     {SignedVote(3, consensus::VoteType::kPrevote, 2, 0, x),
                      SignedVote(3, consensus::VoteType::kPrevote, 2, 0, std::nullopt)},
                     1);
  EXPECT_FALSE(checker.violation().has_value());  // validator 3 is not honest here
  checker.OnEvidence(0,
                     {SignedVote(1, consensus::VoteType::kPrevote, 2, 0, x),
                      SignedVote(1, consensus::VoteType::kPrevote, 2, 0, std::nullopt)},
                     2);
  ASSERT_TRUE(checker.violation().has_value());
  EXPECT_EQ(checker.violation()->kind, ViolationKind::kEvidenceAgainstHonest);
}

// ---------------------------------------------------------------------------------------------
// The CI suite

std::uint64_t SeedsPerCase() {
  const char* env = std::getenv("CONSENTD_SIM_SEEDS");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 500;
}

class CiSuite : public ::testing::TestWithParam<std::tuple<std::size_t, Scenario>> {};

TEST_P(CiSuite, EverySeedKeepsEveryInvariant) {
  const auto [n, scenario] = GetParam();
  const std::uint64_t seeds = SeedsPerCase();
  const std::string binary = std::string(consentd::testing::BuildDir()) + "/tests/sim/consentd-sim";
  std::uint64_t failures = 0, commits = 0, evidence = 0, bad_signatures = 0, events = 0;
  std::uint64_t multi_round = 0;
  const auto begin = std::chrono::steady_clock::now();
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    const Schedule schedule = MakeSchedule(seed, n, scenario);
    const SimResult result = RunSchedule(schedule);
    commits += result.commits;
    evidence += result.evidence;
    bad_signatures += result.dropped_bad_signature;
    events += result.events;
    multi_round += result.max_round > 0 ? 1 : 0;
    if (result.violation) {
      ++failures;
      ADD_FAILURE() << ToString(result.violation->kind) << " at t=" << result.violation->time_ms
                    << "ms: " << result.violation->detail << "\n  schedule: " << schedule.Describe()
                    << "\n  replay:   " << ReplayCommand(schedule, binary);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::cout << "[sim] n=" << n << " " << ToString(scenario) << ": " << seeds << " schedules in "
            << seconds << " s (" << seeds / seconds << "/s), " << events / seeds
            << " events/schedule, " << commits << " commits, " << evidence << " evidence, "
            << multi_round << " runs with a commit after round 0\n";
  EXPECT_EQ(failures, 0u);
  // The suite must actually exercise what it claims to.
  EXPECT_GT(commits, seeds * n);
  EXPECT_GT(multi_round, 0u);
  if (scenario == Scenario::kByzantine || scenario == Scenario::kTwins) {
    EXPECT_GT(evidence, 0u);
  }
  if (scenario == Scenario::kByzantine) {
    EXPECT_GT(bad_signatures, 0u);
  }
}

std::string CaseName(const ::testing::TestParamInfo<CiSuite::ParamType>& info) {
  return "n" + std::to_string(std::get<0>(info.param)) + "_" + ToString(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(CiSuite, CiSuite,
                         ::testing::Combine(::testing::Values(std::size_t{4}, std::size_t{7}),
                                            ::testing::ValuesIn(kAllScenarios)),
                         CaseName);

}  // namespace
}  // namespace consentd::sim
