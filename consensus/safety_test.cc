#include "consensus/safety.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "consensus/replica.h"
#include "consensus/test_util.h"
#include "crypto/sha256.h"

namespace consentd::consensus {
namespace {

using testing::All;
using testing::Harness;
using testing::IdOf;
using testing::Payload;

SafetyState At(std::uint64_t h, std::uint32_t r, Step s, const Hash256& hash) {
  SafetyState state;
  state.height = h;
  state.round = r;
  state.step = s;
  state.sign_hash = hash;
  return state;
}

TEST(DecideSignTest, RefusesLowerSignsHigherReusesIdentical) {
  const Hash256 x = crypto::Sha256("x");
  const Hash256 y = crypto::Sha256("y");
  const SafetyState last = At(5, 2, Step::kPrevote, x);
  // Lower height, round or step: refuse, whatever the value.
  EXPECT_EQ(DecideSign(last, 4, 9, Step::kPrecommit, y), SignDecision::kRefuse);
  EXPECT_EQ(DecideSign(last, 5, 1, Step::kPrecommit, y), SignDecision::kRefuse);
  EXPECT_EQ(DecideSign(last, 5, 2, Step::kPropose, y), SignDecision::kRefuse);
  EXPECT_EQ(DecideSign(last, 5, 2, Step::kPropose, x), SignDecision::kRefuse);
  // Same point: only the identical sign hash, re-sent with the persisted signature.
  EXPECT_EQ(DecideSign(last, 5, 2, Step::kPrevote, x), SignDecision::kReuse);
  EXPECT_EQ(DecideSign(last, 5, 2, Step::kPrevote, y), SignDecision::kRefuse);
  // Higher: sign.
  EXPECT_EQ(DecideSign(last, 5, 2, Step::kPrecommit, y), SignDecision::kSign);
  EXPECT_EQ(DecideSign(last, 5, 3, Step::kPropose, y), SignDecision::kSign);
  EXPECT_EQ(DecideSign(last, 6, 0, Step::kPropose, y), SignDecision::kSign);
  // A fresh validator may sign anything from height 1 on.
  EXPECT_EQ(DecideSign(SafetyState{}, 1, 0, Step::kPropose, y), SignDecision::kSign);
}

TEST(SafetyStateTest, JsonRoundTrip) {
  SafetyState s = At(9, 4, Step::kPrecommit, crypto::Sha256("h"));
  s.signature[0] = 0xab;
  s.locked_round = 3;
  s.locked_block_id = crypto::Sha256("b");
  auto back = SafetyState::FromJson(*ParseJson(CanonicalJson(s.ToJson())));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
  auto fresh = SafetyState::FromJson(SafetyState{}.ToJson());
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh, SafetyState{});
  EXPECT_TRUE(SafetyState{}.ToJson()["locked_block_id"].is_null());
}

TEST(SafetyStateTest, FromJsonRejectsInconsistentOrMalformedState) {
  const auto code = [](const Json& j) { return SafetyState::FromJson(j).status().code(); };
  SafetyState locked = At(9, 4, Step::kPrecommit, crypto::Sha256("h"));
  locked.locked_round = 3;
  locked.locked_block_id = crypto::Sha256("b");
  Json j = locked.ToJson();
  j["locked_block_id"] = nullptr;  // a lock round without a block
  EXPECT_EQ(code(j), "safety_state_invalid");
  j = SafetyState{}.ToJson();
  j["locked_block_id"] = HexEncode(crypto::Sha256("b"));  // a block without a lock round
  EXPECT_EQ(code(j), "safety_state_invalid");
  j = locked.ToJson();
  j["step"] = "commit";
  EXPECT_EQ(code(j), "safety_state_invalid");
  j = locked.ToJson();
  j["locked_round"] = -2;
  EXPECT_EQ(code(j), "safety_state_invalid");
  j = locked.ToJson();
  j["signature"] = "00";
  EXPECT_EQ(code(j), "safety_state_invalid");
  j = locked.ToJson();
  j.erase("round");
  EXPECT_EQ(code(j), "safety_state_invalid");
}

std::optional<Vote> OwnVote(const std::vector<Action>& actions, const crypto::PublicKey& self) {
  for (const Vote& v : testing::BroadcastVotes(actions)) {
    if (v.validator == self) return v;
  }
  return std::nullopt;
}

class ReplicaRestartTest : public ::testing::Test {
 protected:
  const Bytes v_ = Payload(1, "v");
  const Bytes w_ = Payload(1, "w");
};

// A replica prevotes, then "crashes": a new one built from the persisted state alone re-sends
// the identical signature for the same vote.
TEST_F(ReplicaRestartTest, ReemitsTheIdenticalSignature) {
  Harness before(4, 0);
  before.Start();
  const auto first = OwnVote(before.ProposeFrom(1, 0, -1, v_), before.key(0).public_key());
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(before.disk().step, Step::kPrevote);

  Harness after(4, 0, testing::TestTimeouts(), before.disk(), 1);
  after.Start();
  const auto actions = after.ProposeFrom(1, 0, -1, v_);
  const auto again = OwnVote(actions, after.key(0).public_key());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *first);  // same vote, same signature bytes
  EXPECT_TRUE(All<PersistSafetyState>(actions).empty());
  EXPECT_EQ(after.replica().refused_signatures(), 0u);
}

// ... and refuses to sign a different value at the same step.
TEST_F(ReplicaRestartTest, RefusesADifferentVoteAtTheSameStep) {
  Harness before(4, 0);
  before.Start();
  before.ProposeFrom(1, 0, -1, v_);  // prevote v persisted

  Harness after(4, 0, testing::TestTimeouts(), before.disk(), 1);
  after.Start();
  // The proposal never arrives this time: the propose timeout wants a nil prevote.
  const auto actions = after.FireUntil(Step::kPropose);
  EXPECT_FALSE(OwnVote(actions, after.key(0).public_key()).has_value());
  EXPECT_EQ(after.replica().refused_signatures(), 1u);
  EXPECT_EQ(after.replica().step(), Step::kPrevote);  // the protocol moves on regardless
  EXPECT_EQ(after.disk(), before.disk());
}

// A proposer that restarts in the round it proposed in cannot propose a second block.
TEST_F(ReplicaRestartTest, RestartedProposerDoesNotProposeAgain) {
  Harness before(4, 1);
  ASSERT_EQ(testing::BroadcastProposals(before.Start()).size(), 1u);
  Harness after(4, 1, testing::TestTimeouts(), before.disk(), 1);
  const auto actions = after.Start();
  EXPECT_TRUE(testing::BroadcastProposals(actions).empty());
  EXPECT_GE(after.replica().refused_signatures(), 1u);
  EXPECT_TRUE(after.HasTimer(1, 0, Step::kPropose));  // waits like any other validator
}

// The lock survives a restart from the persisted state alone, although the locked payload is
// gone: the replica still prevotes nil for another value, and as proposer offers a new block
// with no proof of lock (pol_round -1), for which it prevotes nil itself.
TEST_F(ReplicaRestartTest, LockSurvivesARestartWithoutThePayload) {
  Harness before(4, 0);
  before.Start();
  before.ProposeFrom(1, 0, -1, v_);
  before.VoteFrom(1, VoteType::kPrevote, 0, IdOf(v_));
  before.VoteFrom(2, VoteType::kPrevote, 0, IdOf(v_));
  ASSERT_EQ(before.disk().locked_round, 0);
  ASSERT_EQ(before.disk().step, Step::kPrecommit);

  Harness after(4, 0, testing::TestTimeouts(), before.disk(), 1);
  after.Start();
  EXPECT_EQ(after.replica().locked_round(), 0);
  after.VoteFrom(1, VoteType::kPrevote, 1, std::nullopt);
  after.VoteFrom(2, VoteType::kPrevote, 1, std::nullopt);
  ASSERT_EQ(after.replica().round(), 1u);
  auto prevote = OwnVote(after.ProposeFrom(2, 1, -1, w_), after.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  EXPECT_FALSE(prevote->block_id.has_value());
  EXPECT_EQ(after.disk().locked_round, 0);  // persisted again with the new signature
  EXPECT_EQ(after.disk().locked_block_id, IdOf(v_));

  after.VoteFrom(1, VoteType::kPrevote, 3, std::nullopt);
  const auto actions = after.VoteFrom(2, VoteType::kPrevote, 3, std::nullopt);
  ASSERT_EQ(after.replica().round(), 3u);  // our round to propose
  const auto proposals = testing::BroadcastProposals(actions);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].pol_round, -1);
  EXPECT_NE(proposals[0].block_id, IdOf(v_));
  prevote = OwnVote(actions, after.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  EXPECT_FALSE(prevote->block_id.has_value());
}

// A state from a later height (the store is behind the key file) blocks all signing below it.
TEST_F(ReplicaRestartTest, StateFromALaterHeightSignsNothingBelowIt) {
  SafetyState later;
  later.height = 5;
  later.step = Step::kPrecommit;
  Harness h(4, 1, testing::TestTimeouts(), later, 1);
  const auto actions = h.Start();
  EXPECT_TRUE(testing::BroadcastProposals(actions).empty());
  EXPECT_TRUE(All<PersistSafetyState>(actions).empty());
  EXPECT_GE(h.replica().refused_signatures(), 1u);
}

}  // namespace
}  // namespace consentd::consensus
