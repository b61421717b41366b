#include "consensus/replica.h"

#include <gtest/gtest.h>

#include <deque>
#include <set>

#include "consensus/sign_bytes.h"
#include "consensus/test_util.h"

namespace consentd::consensus {
namespace {

using testing::All;
using testing::Harness;
using testing::IdOf;
using testing::Payload;

// The vote of `type` this replica broadcast in `actions`, if any.
std::optional<Vote> OwnVote(const std::vector<Action>& actions, VoteType type,
                            const crypto::PublicKey& self) {
  for (const Vote& v : testing::BroadcastVotes(actions)) {
    if (v.type == type && v.validator == self) return v;
  }
  return std::nullopt;
}

std::vector<ScheduleTimeout> TimersFor(const std::vector<Action>& actions, Step step) {
  std::vector<ScheduleTimeout> out;
  for (const ScheduleTimeout& t : All<ScheduleTimeout>(actions)) {
    if (t.step == step) out.push_back(t);
  }
  return out;
}

class ReplicaTest : public ::testing::Test {
 protected:
  const Bytes v_ = Payload(1, "v");
  const Bytes w_ = Payload(1, "w");
  const Hash256 vid_ = IdOf(v_);
  const Hash256 wid_ = IdOf(w_);

  // Height 1 decides v_ in round 0: proposed by validator 1 (its proposer), prevoted and
  // precommitted by validators `a` and `b` besides the harness's own replica.
  void DecideV(Harness& h, std::size_t a, std::size_t b) {
    h.ProposeFrom(1, 0, -1, v_);
    h.VoteFrom(a, VoteType::kPrevote, 0, vid_);
    h.VoteFrom(b, VoteType::kPrevote, 0, vid_);
    h.VoteFrom(a, VoteType::kPrecommit, 0, vid_);
    h.VoteFrom(b, VoteType::kPrecommit, 0, vid_);
  }
};

// ---------------------------------------------------------------------------------------------
// Four real replicas, messages delivered by hand in FIFO order.

class Cluster {
 public:
  explicit Cluster(std::size_t n) : keys_(testing::SortedTestKeys(n)) {
    const ValidatorSet set = testing::SetOf(keys_);
    for (std::size_t i = 0; i < n; ++i) {
      apps_.push_back(std::make_unique<testing::TestApp>(set));
      apps_[i]->tag = "node" + std::to_string(i);
      replicas_.push_back(std::make_unique<Replica>(testing::MakeConfig(keys_[i]), apps_[i].get(),
                                                    SafetyState{}, 1));
      checkers_.emplace_back(keys_[i].public_key());
    }
    commits_.resize(n);
  }

  // Starts everyone, then delivers messages and fires timers until each replica has committed
  // `heights` heights or `max_steps` events were handled.
  void Run(std::uint64_t heights, int max_steps = 5000) {
    for (std::size_t i = 0; i < replicas_.size(); ++i) Apply(i, Start{now_});
    for (int step = 0; step < max_steps && !Done(heights); ++step) {
      if (!queue_.empty()) {
        auto [to, message] = queue_.front();
        queue_.pop_front();
        if (const auto* p = std::get_if<Proposal>(&message)) {
          Apply(to, ProposalReceived{now_, *p, 0});
        } else {
          Apply(to, VoteReceived{now_, std::get<Vote>(message), 0});
        }
        continue;
      }
      // Idle: fire the earliest timer.
      auto it = std::min_element(timers_.begin(), timers_.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
      if (it == timers_.end()) break;
      const auto [at, target] = *it;
      timers_.erase(it);
      now_ = std::max(now_, at);
      Apply(target.first,
            TimeoutFired{now_, target.second.height, target.second.round, target.second.step});
    }
  }

  const std::vector<std::vector<Commit>>& commits() const { return commits_; }
  const std::vector<crypto::PrivateKey>& keys() const { return keys_; }

 private:
  bool Done(std::uint64_t heights) const {
    return std::all_of(commits_.begin(), commits_.end(),
                       [&](const auto& c) { return c.size() >= heights; });
  }

  void Apply(std::size_t i, const Event& e) {
    const std::vector<Action> actions = replicas_[i]->Handle(e);
    EXPECT_EQ(checkers_[i].Check(actions), "");
    for (const Action& a : actions) {
      if (const auto* b = std::get_if<Broadcast>(&a)) {
        for (std::size_t j = 0; j < replicas_.size(); ++j) {
          if (j != i) queue_.emplace_back(j, b->message);
        }
      } else if (const auto* t = std::get_if<ScheduleTimeout>(&a)) {
        timers_.emplace_back(now_ + t->duration_ms, std::make_pair(i, *t));
      } else if (const auto* c = std::get_if<Commit>(&a)) {
        commits_[i].push_back(*c);
      }
    }
  }

  std::vector<crypto::PrivateKey> keys_;
  std::vector<std::unique_ptr<testing::TestApp>> apps_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::vector<testing::PersistChecker> checkers_;
  std::deque<std::pair<std::size_t, Message>> queue_;
  std::vector<std::pair<std::int64_t, std::pair<std::size_t, ScheduleTimeout>>> timers_;
  std::vector<std::vector<Commit>> commits_;
  std::int64_t now_ = 0;
};

TEST(ReplicaClusterTest, FourReplicasCommitTheSameBlocks) {
  Cluster cluster(4);
  cluster.Run(3);
  const auto& commits = cluster.commits();
  const ValidatorSet set = testing::SetOf(cluster.keys());
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_GE(commits[i].size(), 3u) << "replica " << i;
    for (std::size_t h = 0; h < 3; ++h) {
      const Commit& c = commits[i][h];
      EXPECT_EQ(c.height, h + 1);
      EXPECT_EQ(c.block_id, commits[0][h].block_id) << "replica " << i << " height " << h + 1;
      EXPECT_EQ(c.block_id, IdOf(c.payload));
      EXPECT_TRUE(
          VerifyCertificateFor(c.certificate, testing::kChain, set, c.height, c.block_id).ok());
      // With no faults every height is decided in round 0, by its round-0 proposer.
      EXPECT_EQ(c.certificate.round, 0u);
      const std::size_t proposer = (h + 1) % 4;
      EXPECT_NE(std::string(AsChars(c.payload)).find("node" + std::to_string(proposer)),
                std::string::npos);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Proposing and pacing

TEST_F(ReplicaTest, ProposerWithPendingTxsProposesAtOnceAndPrevotesIt) {
  Harness h(4, 1);  // validator 1 proposes round 0 of height 1
  const std::vector<Action> actions = h.Start();
  const std::vector<Proposal> proposals = testing::BroadcastProposals(actions);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].height, 1u);
  EXPECT_EQ(proposals[0].round, 0u);
  EXPECT_EQ(proposals[0].pol_round, -1);
  EXPECT_TRUE(VerifySignature(testing::kChain, proposals[0]));
  const auto prevote = OwnVote(actions, VoteType::kPrevote, h.key(1).public_key());
  ASSERT_TRUE(prevote.has_value());
  EXPECT_EQ(prevote->block_id, proposals[0].block_id);
  EXPECT_EQ(h.replica().step(), Step::kPrevote);
  EXPECT_EQ(All<PersistSafetyState>(actions).size(), 2u);
}

TEST_F(ReplicaTest, ProposerWithoutTxsWaitsForTxsOrTheEmptyBlockInterval) {
  {
    Harness h(4, 1);
    h.txs_pending = false;
    std::vector<Action> actions = h.Start();
    EXPECT_TRUE(testing::BroadcastProposals(actions).empty());
    const auto timers = TimersFor(actions, Step::kPropose);
    ASSERT_EQ(timers.size(), 1u);
    EXPECT_EQ(timers[0].duration_ms, 700);  // empty_block_interval
    h.now = 100;
    actions = h.Handle(TxsAvailable{h.now});
    EXPECT_EQ(testing::BroadcastProposals(actions).size(), 1u);
  }
  {
    Harness h(4, 1);
    h.txs_pending = false;
    h.Start();
    const std::vector<Action> actions = h.FireNextTimer();
    EXPECT_EQ(h.now, 700);
    EXPECT_EQ(testing::BroadcastProposals(actions).size(), 1u);  // an empty block
  }
}

TEST_F(ReplicaTest, NonProposerRoundZeroTimeoutIncludesTheEmptyBlockInterval) {
  Harness h(4, 0);
  h.txs_pending = false;
  std::vector<Action> actions = h.Start();
  auto timers = TimersFor(actions, Step::kPropose);
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].duration_ms, 1000 + 700);
  // Transactions arrived: the proposer will not wait, so neither do we.
  h.now = 200;
  actions = h.Handle(TxsAvailable{h.now});
  timers = TimersFor(actions, Step::kPropose);
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].duration_ms, 1000);
  // The shortened timer fires first and ends the propose step.
  h.FireNextTimer();
  EXPECT_EQ(h.now, 1200);
  EXPECT_EQ(h.replica().step(), Step::kPrevote);
}

// ---------------------------------------------------------------------------------------------
// Locking (Algorithm 1, rules 22, 28, 36, 44)

TEST_F(ReplicaTest, LocksOnAPolkaAndPersistsTheLockWithThePrecommit) {
  Harness h(4, 0);
  h.Start();
  auto actions = h.ProposeFrom(1, 0, -1, v_);
  ASSERT_EQ(OwnVote(actions, VoteType::kPrevote, h.key(0).public_key())->block_id, vid_);
  h.VoteFrom(1, VoteType::kPrevote, 0, vid_);
  EXPECT_EQ(h.replica().locked_round(), -1);
  actions = h.VoteFrom(2, VoteType::kPrevote, 0, vid_);
  const auto precommit = OwnVote(actions, VoteType::kPrecommit, h.key(0).public_key());
  ASSERT_TRUE(precommit.has_value());
  EXPECT_EQ(precommit->block_id, vid_);
  EXPECT_EQ(h.replica().locked_round(), 0);
  EXPECT_EQ(h.replica().locked_block_id(), vid_);
  EXPECT_EQ(h.replica().valid_round(), 0);
  EXPECT_EQ(h.disk().locked_round, 0);
  EXPECT_EQ(h.disk().locked_block_id, vid_);
  EXPECT_EQ(h.disk().step, Step::kPrecommit);
}

// Locks v in round 0, then moves to round 1 through the precommit timeout.
void LockThenRoundOne(Harness& h, const Bytes& v) {
  h.Start();
  h.ProposeFrom(1, 0, -1, v);
  h.VoteFrom(1, VoteType::kPrevote, 0, IdOf(v));
  h.VoteFrom(2, VoteType::kPrevote, 0, IdOf(v));
  h.VoteFrom(1, VoteType::kPrecommit, 0, std::nullopt);
  h.VoteFrom(2, VoteType::kPrecommit, 0, std::nullopt);
  h.FireUntil(Step::kPrecommit);
  ASSERT_EQ(h.replica().round(), 1u);
  ASSERT_EQ(h.replica().locked_round(), 0);
}

TEST_F(ReplicaTest, LockedReplicaPrevotesNilForAnotherValue) {
  Harness h(4, 0);
  LockThenRoundOne(h, v_);
  const auto actions = h.ProposeFrom(2, 1, -1, w_);
  const auto prevote = OwnVote(actions, VoteType::kPrevote, h.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  EXPECT_FALSE(prevote->block_id.has_value());
}

TEST_F(ReplicaTest, LockedReplicaPrevotesItsLockedValueAgain) {
  Harness h(4, 0);
  LockThenRoundOne(h, v_);
  const auto actions = h.ProposeFrom(2, 1, -1, v_);
  EXPECT_EQ(OwnVote(actions, VoteType::kPrevote, h.key(0).public_key())->block_id, vid_);
}

TEST_F(ReplicaTest, LaterPolkaUnlocksAndProposalWaitsForIt) {
  Harness h(4, 0);
  LockThenRoundOne(h, v_);
  // Round 2 (proposer 3) re-proposes w with the polka of round 1, which we have not seen yet.
  h.ProposeFrom(3, 2, 1, w_);
  h.VoteFrom(1, VoteType::kPrevote, 2, std::nullopt);  // f + 1 senders in round 2: skip to it
  ASSERT_EQ(h.replica().round(), 2u);
  EXPECT_EQ(h.replica().step(), Step::kPropose);  // no polka for round 1 known: wait
  h.VoteFrom(1, VoteType::kPrevote, 1, wid_);
  h.VoteFrom(2, VoteType::kPrevote, 1, wid_);
  EXPECT_EQ(h.replica().step(), Step::kPropose);
  const auto actions = h.VoteFrom(3, VoteType::kPrevote, 1, wid_);
  // locked_round 0 <= pol_round 1: the newer polka wins over the lock.
  const auto prevote = OwnVote(actions, VoteType::kPrevote, h.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  EXPECT_EQ(prevote->block_id, wid_);
}

TEST_F(ReplicaTest, OlderPolkaDoesNotUnlock) {
  Harness h(4, 0);
  // Polka for w in round 0 that we did not take part in; we lock v in round 1.
  h.Start();
  h.VoteFrom(1, VoteType::kPrevote, 1, vid_);
  h.VoteFrom(2, VoteType::kPrevote, 1, vid_);  // skip to round 1
  ASSERT_EQ(h.replica().round(), 1u);
  h.ProposeFrom(2, 1, -1, v_);
  ASSERT_EQ(h.replica().locked_round(), 1);
  for (std::size_t i : {1, 2, 3}) h.VoteFrom(i, VoteType::kPrevote, 0, wid_);
  // Round 3 (our own round as proposer is 3; use round 4 = proposer 1) offers w with pol 0.
  h.ProposeFrom(1, 4, 0, w_);
  h.VoteFrom(1, VoteType::kPrecommit, 4, std::nullopt);
  const auto actions = h.VoteFrom(3, VoteType::kPrecommit, 4, std::nullopt);
  ASSERT_EQ(h.replica().round(), 4u);
  const auto prevote = OwnVote(actions, VoteType::kPrevote, h.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  EXPECT_FALSE(prevote->block_id.has_value());  // locked_round 1 > pol_round 0, v != w
}

TEST_F(ReplicaTest, ProposerReproposesItsValidValueWithThePolka) {
  Harness h(4, 0);  // validator 0 proposes round 3 of height 1
  LockThenRoundOne(h, v_);
  h.VoteFrom(1, VoteType::kPrevote, 3, std::nullopt);
  const auto actions = h.VoteFrom(2, VoteType::kPrevote, 3, std::nullopt);
  ASSERT_EQ(h.replica().round(), 3u);
  const auto proposals = testing::BroadcastProposals(actions);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].block_id, vid_);
  EXPECT_EQ(proposals[0].block, v_);
  EXPECT_EQ(proposals[0].pol_round, 0);
  // The polka that justifies pol_round 0 goes out with it, so peers that missed it can check.
  std::size_t relayed = 0;
  for (const Vote& v : testing::BroadcastVotes(actions)) {
    if (v.type == VoteType::kPrevote && v.round == 0 && v.block_id == vid_) ++relayed;
  }
  EXPECT_EQ(relayed, 3u);
  EXPECT_EQ(OwnVote(actions, VoteType::kPrevote, h.key(0).public_key())->block_id, vid_);
}

TEST_F(ReplicaTest, PolkaAfterNilPrecommitUpdatesValidValueButNotTheLock) {
  Harness h(4, 0);
  h.Start();
  h.ProposeFrom(1, 0, -1, v_);  // we prevote v
  h.VoteFrom(3, VoteType::kPrevote, 0, std::nullopt);
  h.VoteFrom(1, VoteType::kPrevote, 0, vid_);  // 3 prevotes: prevote timeout armed
  const auto actions = h.FireUntil(Step::kPrevote);
  const auto precommit = OwnVote(actions, VoteType::kPrecommit, h.key(0).public_key());
  ASSERT_TRUE(precommit.has_value());
  EXPECT_FALSE(precommit->block_id.has_value());
  h.VoteFrom(2, VoteType::kPrevote, 0, vid_);  // now a polka for v
  EXPECT_EQ(h.replica().valid_round(), 0);
  EXPECT_EQ(h.replica().locked_round(), -1);
}

TEST_F(ReplicaTest, NilPolkaPrecommitsNil) {
  Harness h(4, 0);
  h.Start();
  h.ProposeFrom(1, 0, -1, v_);
  h.VoteFrom(1, VoteType::kPrevote, 0, std::nullopt);
  h.VoteFrom(2, VoteType::kPrevote, 0, std::nullopt);
  const auto actions = h.VoteFrom(3, VoteType::kPrevote, 0, std::nullopt);
  const auto precommit = OwnVote(actions, VoteType::kPrecommit, h.key(0).public_key());
  ASSERT_TRUE(precommit.has_value());
  EXPECT_FALSE(precommit->block_id.has_value());
}

TEST_F(ReplicaTest, InvalidProposalGetsANilPrevote) {
  Harness h(4, 0);
  h.Start();
  const auto actions = h.ProposeFrom(1, 0, -1, Payload(1, "bad"));
  const auto prevote = OwnVote(actions, VoteType::kPrevote, h.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  EXPECT_FALSE(prevote->block_id.has_value());
}

// ---------------------------------------------------------------------------------------------
// Rounds and timeouts

TEST_F(ReplicaTest, SkipsToARoundWithFPlusOneSenders) {
  Harness h(4, 0);
  h.Start();
  h.VoteFrom(1, VoteType::kPrevote, 5, std::nullopt);
  EXPECT_EQ(h.replica().round(), 0u);  // one validator may be faulty
  h.VoteFrom(1, VoteType::kPrecommit, 5, std::nullopt);
  EXPECT_EQ(h.replica().round(), 0u);  // still one sender
  h.VoteFrom(2, VoteType::kPrecommit, 5, std::nullopt);
  EXPECT_EQ(h.replica().round(), 5u);
  EXPECT_EQ(h.replica().step(), Step::kPropose);
}

TEST_F(ReplicaTest, TimeoutsGrowLinearlyAndAreCapped) {
  Harness h(4, 0);
  std::vector<Action> actions = h.Start();
  std::vector<std::int64_t> propose, precommit;
  for (std::uint32_t r = 0; r < 9; ++r) {
    ASSERT_EQ(h.replica().round(), r);
    for (const auto& t : TimersFor(actions, Step::kPropose)) propose.push_back(t.duration_ms);
    if (h.replica().step() == Step::kPropose) h.FireUntil(Step::kPropose);  // prevote nil
    h.VoteFrom(1, VoteType::kPrevote, r, std::nullopt);
    h.VoteFrom(2, VoteType::kPrevote, r, std::nullopt);
    if (h.replica().step() == Step::kPrevote) h.FireUntil(Step::kPrevote);
    ASSERT_EQ(h.replica().step(), Step::kPrecommit);
    h.VoteFrom(1, VoteType::kPrecommit, r, std::nullopt);
    const auto armed = h.VoteFrom(2, VoteType::kPrecommit, r, std::nullopt);
    for (const auto& t : TimersFor(armed, Step::kPrecommit)) precommit.push_back(t.duration_ms);
    actions = h.FireUntil(Step::kPrecommit);
  }
  // min(1000 + 100 r, 1500), also in rounds 3 and 7, which are ours to propose.
  EXPECT_EQ(propose,
            (std::vector<std::int64_t>{1000, 1100, 1200, 1300, 1400, 1500, 1500, 1500, 1500}));
  EXPECT_EQ(precommit, (std::vector<std::int64_t>{200, 220, 240, 260, 280, 300, 320, 340, 360}));
}

TEST_F(ReplicaTest, RetransmitsItsOwnMessagesWithIdenticalSignatures) {
  Harness h(4, 0);
  h.Start();
  const auto first = h.ProposeFrom(1, 0, -1, v_);
  const auto prevote = OwnVote(first, VoteType::kPrevote, h.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  const std::size_t persisted = All<PersistSafetyState>(first).size();
  EXPECT_EQ(persisted, 1u);
  const auto again = h.FireUntil(Step::kPrevote);  // nobody else voted: a re-send tick
  const auto resent = OwnVote(again, VoteType::kPrevote, h.key(0).public_key());
  ASSERT_TRUE(resent.has_value());
  EXPECT_EQ(*resent, *prevote);
  EXPECT_TRUE(All<PersistSafetyState>(again).empty());
  EXPECT_TRUE(h.HasTimer(1, 0, Step::kPrevote));  // and keeps ticking
}

TEST_F(ReplicaTest, AfterARestartItResendsItsReplayedVotesOfTheRound) {
  // First life: a nil prevote at the propose timeout, then a nil precommit on a nil polka.
  Harness first(4, 0);
  first.Start();
  const auto timed_out = first.FireUntil(Step::kPropose);
  const auto prevote = OwnVote(timed_out, VoteType::kPrevote, first.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  first.VoteFrom(1, VoteType::kPrevote, 0, std::nullopt);
  const auto polka = first.VoteFrom(2, VoteType::kPrevote, 0, std::nullopt);
  const auto precommit = OwnVote(polka, VoteType::kPrecommit, first.key(0).public_key());
  ASSERT_TRUE(precommit.has_value());

  // Second life, from the persisted safety state, with the WAL's own votes replayed. Its
  // prevote for the proposal that now arrives is refused (the safety state is past it), so the
  // only way the others get a prevote from it is the replayed one, re-sent.
  Harness second(4, 0, testing::TestTimeouts(), first.disk(), 1);
  second.Start();
  second.Replay(*prevote);
  second.Replay(*precommit);
  const auto proposed = second.ProposeFrom(1, 0, -1, v_);
  EXPECT_FALSE(OwnVote(proposed, VoteType::kPrevote, second.key(0).public_key()).has_value());
  EXPECT_GE(second.replica().refused_signatures(), 1u);
  const auto tick = second.FireUntil(Step::kPrevote);
  const auto resent = OwnVote(tick, VoteType::kPrevote, second.key(0).public_key());
  ASSERT_TRUE(resent.has_value());
  EXPECT_EQ(*resent, *prevote);
  EXPECT_EQ(OwnVote(tick, VoteType::kPrecommit, second.key(0).public_key()), precommit);
  EXPECT_TRUE(All<PersistSafetyState>(tick).empty());  // nothing new was signed

  // A forged "own" vote is not adopted: only validly signed ones are re-sent.
  Vote forged = *prevote;
  forged.signature[3] ^= 1;
  second.Deliver(forged, /*from=*/0);
  const auto later = second.FireUntil(Step::kPrevote);
  for (const Vote& v : testing::BroadcastVotes(later)) EXPECT_NE(v, forged);
  EXPECT_EQ(OwnVote(later, VoteType::kPrevote, second.key(0).public_key()), prevote);
}

// ---------------------------------------------------------------------------------------------
// Untrusted input

TEST_F(ReplicaTest, InvalidSignaturesAndOutsidersAreDroppedAndCounted) {
  Harness h(4, 0);
  h.Start();
  h.ProposeFrom(1, 0, -1, v_);
  Vote forged = testing::SignVote(h.key(1), VoteType::kPrevote, 1, 0, vid_);
  forged.signature[5] ^= 0x10;
  h.Deliver(forged);
  Vote relabelled = testing::SignVote(h.key(1), VoteType::kPrevote, 1, 0, vid_);
  relabelled.validator = h.key(2).public_key();  // someone else's vote under 2's name
  h.Deliver(relabelled);
  h.Deliver(testing::SignVote(testing::TestKey(50), VoteType::kPrevote, 1, 0, vid_));
  h.Deliver(testing::SignProposal(h.key(3), 1, 0, -1, w_));  // 3 is not round 0's proposer
  EXPECT_EQ(h.replica().dropped(DropReason::kBadSignature), 2u);
  EXPECT_EQ(h.replica().dropped(DropReason::kUnknownValidator), 1u);
  EXPECT_EQ(h.replica().dropped(DropReason::kWrongProposer), 1u);
  EXPECT_EQ(h.replica().locked_round(), -1);  // none of them counted towards a polka
  EXPECT_EQ(h.replica().step(), Step::kPrevote);
  // The genuine votes still work.
  h.VoteFrom(1, VoteType::kPrevote, 0, vid_);
  h.VoteFrom(2, VoteType::kPrevote, 0, vid_);
  EXPECT_EQ(h.replica().locked_round(), 0);
  h.VoteFrom(2, VoteType::kPrevote, 0, vid_);
  EXPECT_EQ(h.replica().dropped(DropReason::kDuplicate), 1u);
}

TEST_F(ReplicaTest, BadPolRoundAndConflictingProposalsAreDropped) {
  Harness h(4, 0);
  h.Start();
  h.ProposeFrom(1, 0, 0, v_);  // pol_round must be below the round
  EXPECT_EQ(h.replica().dropped(DropReason::kBadPolRound), 1u);
  h.ProposeFrom(1, 0, -1, v_);
  h.ProposeFrom(1, 0, -1, w_);  // the proposer equivocates: the first one stands
  h.ProposeFrom(1, 0, -1, v_);
  EXPECT_EQ(h.replica().dropped(DropReason::kConflictingProposal), 1u);
  EXPECT_EQ(h.replica().dropped(DropReason::kDuplicate), 1u);
}

TEST_F(ReplicaTest, ConflictingVotesAreEvidenceOnce) {
  Harness h(4, 0);
  h.Start();
  h.VoteFrom(2, VoteType::kPrevote, 0, vid_);
  auto actions = h.VoteFrom(2, VoteType::kPrevote, 0, wid_);
  const auto evidence = All<Evidence>(actions);
  ASSERT_EQ(evidence.size(), 1u);
  EXPECT_EQ(evidence[0].a.block_id, vid_);
  EXPECT_EQ(evidence[0].b.block_id, wid_);
  EXPECT_EQ(evidence[0].a.validator, h.key(2).public_key());
  EXPECT_TRUE(VerifySignature(testing::kChain, evidence[0].a));
  EXPECT_TRUE(VerifySignature(testing::kChain, evidence[0].b));
  actions = h.VoteFrom(2, VoteType::kPrevote, 0, std::nullopt);
  EXPECT_TRUE(All<Evidence>(actions).empty());
  // A different round or type is not a conflict.
  actions = h.VoteFrom(2, VoteType::kPrecommit, 0, wid_);
  EXPECT_TRUE(All<Evidence>(actions).empty());
}

TEST_F(ReplicaTest, AnEquivocatorsVoteStillCountsTowardsARelayedPolka) {
  // Validator 3 prevoted w to us but v to others, who locked v with its vote. When v is
  // re-proposed with that polka, 3's vote for v must count here too, or we could never follow.
  Harness h(4, 0);
  h.Start();
  h.VoteFrom(3, VoteType::kPrevote, 0, wid_);
  h.ProposeFrom(2, 1, 0, v_);                          // round 1: v with pol_round 0
  h.VoteFrom(1, VoteType::kPrevote, 1, std::nullopt);  // f + 1 in round 1: skip to it
  ASSERT_EQ(h.replica().round(), 1u);
  h.VoteFrom(1, VoteType::kPrevote, 0, vid_);
  h.VoteFrom(2, VoteType::kPrevote, 0, vid_);
  const auto actions = h.VoteFrom(3, VoteType::kPrevote, 0, vid_);
  ASSERT_EQ(All<Evidence>(actions).size(), 1u);
  const auto prevote = OwnVote(actions, VoteType::kPrevote, h.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  EXPECT_EQ(prevote->block_id, vid_);
}

TEST_F(ReplicaTest, FutureRoundQuotaBoundsWhatOneValidatorCanMakeUsKeep) {
  Harness h(4, 0);
  h.Start();
  for (std::uint32_t r = 10; r < 30; ++r) h.VoteFrom(3, VoteType::kPrevote, r, std::nullopt);
  EXPECT_EQ(h.replica().dropped(DropReason::kRoundQuota), 16u);  // 4 rounds allowed
  EXPECT_EQ(h.replica().round(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Committing

TEST_F(ReplicaTest, CommitsWithACertificateThenPausesBeforeTheNextHeight) {
  Harness h(4, 0);
  h.Start();
  h.ProposeFrom(1, 0, -1, v_);
  h.VoteFrom(1, VoteType::kPrevote, 0, vid_);
  h.VoteFrom(2, VoteType::kPrevote, 0, vid_);
  h.VoteFrom(1, VoteType::kPrecommit, 0, vid_);
  const auto actions = h.VoteFrom(3, VoteType::kPrecommit, 0, vid_);
  const auto commits = All<Commit>(actions);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].height, 1u);
  EXPECT_EQ(commits[0].block_id, vid_);
  EXPECT_EQ(commits[0].payload, v_);
  EXPECT_EQ(commits[0].certificate.precommits.size(), 3u);
  EXPECT_TRUE(VerifyCertificateFor(commits[0].certificate, testing::kChain, h.set(), 1, vid_).ok());
  EXPECT_EQ(h.replica().height(), 2u);
  const auto waits = TimersFor(actions, Step::kPropose);
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0].height, 2u);
  EXPECT_EQ(waits[0].duration_ms, 50);  // commit_wait
  // Round 0 of height 2 starts when the pause is over (proposer 2: we wait for it).
  const auto next = h.FireNextTimer();
  EXPECT_EQ(h.replica().height(), 2u);
  EXPECT_EQ(TimersFor(next, Step::kPropose).size(), 1u);
}

TEST_F(ReplicaTest, ACommitTakesThePendingTxsUnlessTheDriverSaysSomeAreLeft) {
  for (const bool more_during_pause : {false, true}) {
    SCOPED_TRACE(more_during_pause ? "TxsAvailable during commit_wait" : "no more txs");
    Harness h(4, 2);  // validator 2 proposes round 0 of height 2
    h.Start();        // txs were pending at height 1
    h.txs_pending = false;
    DecideV(h, 1, 3);
    ASSERT_EQ(h.commits.size(), 1u);
    if (more_during_pause) EXPECT_TRUE(h.Handle(TxsAvailable{h.now}).empty());
    const auto next = h.FireNextTimer();  // commit_wait is over: round 0 of height 2
    ASSERT_EQ(h.replica().height(), 2u);
    if (more_during_pause) {
      EXPECT_EQ(testing::BroadcastProposals(next).size(), 1u);
    } else {
      EXPECT_TRUE(testing::BroadcastProposals(next).empty());
      const auto timers = TimersFor(next, Step::kPropose);
      ASSERT_EQ(timers.size(), 1u);
      EXPECT_EQ(timers[0].duration_ms, 700);  // empty_block_interval
    }
  }
}

TEST_F(ReplicaTest, PrecommitQuorumWithoutThePayloadFetchesTheBlock) {
  Harness h(4, 0);
  h.Start();
  h.VoteFrom(1, VoteType::kPrecommit, 0, vid_);
  h.VoteFrom(2, VoteType::kPrecommit, 0, vid_);
  const auto actions = h.Deliver(testing::SignVote(h.key(3), VoteType::kPrecommit, 1, 0, vid_), 33);
  EXPECT_TRUE(All<Commit>(actions).empty());
  const auto requests = All<RequestBlock>(actions);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].peer, 33u);
  EXPECT_EQ(requests[0].height, 1u);
  EXPECT_EQ(requests[0].peer_height, 0u);  // at our height, not ahead
  // The proposal turns up late: now the block is known and valid.
  h.ProposeFrom(1, 0, -1, v_);
  ASSERT_EQ(h.commits.size(), 1u);
  EXPECT_EQ(h.commits[0].block_id, vid_);
}

TEST_F(ReplicaTest, SyncedBlockWithAValidCertificateCommits) {
  Harness h(4, 0);
  h.Start();
  CommitCertificate cert{1, 4, vid_, {}};
  for (std::size_t i : {1, 2, 3}) {
    const Vote v = testing::SignVote(h.key(i), VoteType::kPrecommit, 1, 4, vid_);
    cert.precommits.push_back({v.validator, v.signature});
  }
  CommitCertificate short_cert = cert;
  short_cert.precommits.pop_back();
  h.Handle(BlockReceived{h.now, 1, v_, short_cert});
  EXPECT_EQ(h.replica().dropped(DropReason::kBadBlock), 1u);
  h.Handle(BlockReceived{h.now, 1, w_, cert});  // payload does not match the certificate
  EXPECT_EQ(h.replica().dropped(DropReason::kBadBlock), 2u);
  h.Handle(BlockReceived{h.now, 2, v_, cert});
  EXPECT_EQ(h.replica().dropped(DropReason::kStaleBlock), 1u);
  EXPECT_TRUE(h.commits.empty());
  h.Handle(BlockReceived{h.now, 1, v_, cert});
  ASSERT_EQ(h.commits.size(), 1u);
  EXPECT_EQ(h.commits[0].certificate, cert);
  EXPECT_EQ(h.replica().height(), 2u);
}

TEST_F(ReplicaTest, PeersAheadAreAskedForBlocks) {
  Harness h(4, 0);
  h.Start();
  // Two heights ahead: ask at once, but only once per interval.
  auto actions = h.Deliver(testing::SignVote(h.key(2), VoteType::kPrevote, 3, 0, std::nullopt), 7);
  auto requests = All<RequestBlock>(actions);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].peer, 7u);
  EXPECT_EQ(requests[0].height, 1u);
  EXPECT_EQ(requests[0].peer_height, 3u);
  actions = h.Deliver(testing::SignVote(h.key(2), VoteType::kPrecommit, 3, 0, std::nullopt), 7);
  EXPECT_TRUE(All<RequestBlock>(actions).empty());
  // One height ahead is normal for a moment; the next timer asks.
  actions = h.Deliver(testing::SignVote(h.key(1), VoteType::kPrevote, 2, 0, std::nullopt), 8);
  EXPECT_TRUE(All<RequestBlock>(actions).empty());
  actions = h.FireNextTimer();
  requests = All<RequestBlock>(actions);
  ASSERT_GE(requests.size(), 1u);
  EXPECT_TRUE(std::any_of(requests.begin(), requests.end(),
                          [](const RequestBlock& r) { return r.peer == 8 && r.height == 1; }));
}

TEST_F(ReplicaTest, NextHeightMessagesAreKeptAndReplayed) {
  Harness h(4, 0);
  h.Start();
  const Bytes next = Payload(2, "n");
  h.ProposeFrom(2, 0, -1, next, 2);  // height 2's round-0 proposer is 2
  DecideV(h, 1, 2);
  ASSERT_EQ(h.commits.size(), 1u);
  const auto actions = h.FireNextTimer();  // commit_wait over: round 0 of height 2
  const auto prevote = OwnVote(actions, VoteType::kPrevote, h.key(0).public_key());
  ASSERT_TRUE(prevote.has_value());
  EXPECT_EQ(prevote->height, 2u);
  EXPECT_EQ(prevote->block_id, IdOf(next));
}

TEST_F(ReplicaTest, LaggingPeerIsSentTheDecidingPrecommits) {
  Harness h(4, 0);
  h.Start();
  h.ProposeFrom(1, 0, -1, v_);
  h.VoteFrom(1, VoteType::kPrevote, 0, vid_);
  h.VoteFrom(2, VoteType::kPrevote, 0, vid_);
  h.VoteFrom(1, VoteType::kPrecommit, 0, vid_);
  h.VoteFrom(2, VoteType::kPrecommit, 0, vid_);
  ASSERT_EQ(h.commits.size(), 1u);
  const auto actions =
      h.Deliver(testing::SignVote(h.key(3), VoteType::kPrevote, 1, 1, std::nullopt), 9);
  EXPECT_EQ(h.replica().dropped(DropReason::kOldHeight), 1u);
  const auto sends = All<SendTo>(actions);
  ASSERT_EQ(sends.size(), 3u);
  for (const SendTo& s : sends) {
    EXPECT_EQ(s.peer, 9u);
    const Vote& v = std::get<Vote>(s.message);
    EXPECT_EQ(v.type, VoteType::kPrecommit);
    EXPECT_EQ(v.block_id, vid_);
    EXPECT_TRUE(VerifySignature(testing::kChain, v));
  }
}

// Sends to `peer` in `actions`: the precommits of `round`, as the set of their signers' indices.
std::set<std::size_t> RelayedPrecommitSigners(const Harness& h, const std::vector<Action>& actions,
                                              PeerId peer, std::uint32_t round) {
  std::set<std::size_t> out;
  for (const SendTo& s : All<SendTo>(actions)) {
    const Vote* v = std::get_if<Vote>(&s.message);
    if (s.peer != peer || v == nullptr || v->type != VoteType::kPrecommit || v->round != round) {
      continue;
    }
    EXPECT_TRUE(VerifySignature(testing::kChain, *v));
    out.insert(*h.set().IndexOf(v->validator));
  }
  return out;
}

// Found by the simulator (consentd-sim --n 4 --scenario mixed --start 7341563): a replica timed
// out of round 0 on three precommits, one of them from a validator that then crashed and forgot
// it; the other two stayed in round 0 for ever, each a precommit short. A peer still in the round
// we left now gets the precommits that ended it, whoever signed them.
TEST_F(ReplicaTest, APeerStillInARoundWeTimedOutOfIsSentThePrecommitsThatEndedIt) {
  Harness h(4, 0);
  h.Start();
  h.FireUntil(Step::kPropose);  // prevote nil
  h.VoteFrom(1, VoteType::kPrevote, 0, std::nullopt);
  h.VoteFrom(2, VoteType::kPrevote, 0, std::nullopt);  // nil polka: precommit nil
  ASSERT_EQ(h.replica().step(), Step::kPrecommit);
  h.VoteFrom(1, VoteType::kPrecommit, 0, vid_);
  h.VoteFrom(2, VoteType::kPrecommit, 0, std::nullopt);
  h.FireUntil(Step::kPrecommit);
  ASSERT_EQ(h.replica().round(), 1u);

  // Validator 3 is still in round 0: it re-sends its prevote there.
  const auto actions =
      h.Deliver(testing::SignVote(h.key(3), VoteType::kPrevote, 1, 0, std::nullopt), 9);
  EXPECT_EQ(RelayedPrecommitSigners(h, actions, 9, 0), (std::set<std::size_t>{0, 1, 2}));
  // Rate-limited like every reply to a laggard: nothing more until resend_interval_ms passes.
  const auto again =
      h.Deliver(testing::SignVote(h.key(3), VoteType::kPrecommit, 1, 0, std::nullopt), 9);
  EXPECT_TRUE(All<SendTo>(again).empty());
}

// A replica that skipped rounds on f + 1 senders shows a peer left behind those same senders,
// so the peer skips too.
TEST_F(ReplicaTest, APeerInARoundWeSkippedIsSentTheVotesThatMadeUsSkip) {
  Harness h(4, 0);
  h.Start();
  h.VoteFrom(1, VoteType::kPrevote, 5, std::nullopt);
  h.VoteFrom(2, VoteType::kPrecommit, 5, std::nullopt);
  ASSERT_EQ(h.replica().round(), 5u);
  const auto actions =
      h.Deliver(testing::SignVote(h.key(3), VoteType::kPrevote, 1, 0, std::nullopt), 9);
  std::set<std::size_t> senders;
  for (const SendTo& s : All<SendTo>(actions)) {
    const Vote* v = std::get_if<Vote>(&s.message);
    if (v != nullptr && v->round == 5) senders.insert(*h.set().IndexOf(v->validator));
  }
  EXPECT_GE(senders.size(), h.set().WeakQuorum());
  EXPECT_TRUE(senders.count(1) && senders.count(2));
}

TEST(DropReasonTest, EveryReasonHasADistinctLabel) {
  std::set<std::string_view> labels;
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    labels.insert(ToString(static_cast<DropReason>(i)));
  }
  EXPECT_EQ(labels.size(), kDropReasonCount);
  EXPECT_EQ(labels.count("unknown"), 0u);
  EXPECT_EQ(ToString(DropReason::kBadSignature), "bad_signature");
}

TEST_F(ReplicaTest, ObserverFollowsWithoutSigning) {
  // A replica whose key is not in the validator set commits what the validators decide.
  const auto keys = testing::SortedTestKeys(4);
  testing::TestApp app(testing::SetOf(keys));
  const crypto::PrivateKey outsider = testing::TestKey(60);
  Replica r(testing::MakeConfig(outsider), &app, SafetyState{}, 1);
  const Bytes v = Payload(1, "v");
  std::vector<Action> all;
  const auto feed = [&](const Event& e) {
    auto got = r.Handle(e);
    all.insert(all.end(), got.begin(), got.end());
  };
  feed(Start{0});
  feed(ProposalReceived{0, testing::SignProposal(keys[1], 1, 0, -1, v), 1});
  for (std::size_t i : {1, 2, 3}) {
    feed(VoteReceived{0, testing::SignVote(keys[i], VoteType::kPrevote, 1, 0, IdOf(v)), i});
    feed(VoteReceived{0, testing::SignVote(keys[i], VoteType::kPrecommit, 1, 0, IdOf(v)), i});
  }
  EXPECT_TRUE(All<PersistSafetyState>(all).empty());
  EXPECT_TRUE(testing::BroadcastVotes(all).empty());
  ASSERT_EQ(All<Commit>(all).size(), 1u);
  EXPECT_EQ(r.height(), 2u);
}

}  // namespace
}  // namespace consentd::consensus
