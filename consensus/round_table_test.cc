#include "consensus/round_table.h"

#include <gtest/gtest.h>

#include "consensus/test_util.h"

namespace consentd::consensus {
namespace {

TEST(RoundTableTest, FutureRoundsAreBoundedPerValidator) {
  RoundTable table(4, 8, 2);
  table.SetCurrent(3);
  EXPECT_TRUE(table.Admit(2, 1));  // past and current rounds are always admitted
  EXPECT_TRUE(table.Admit(3, 1));
  ASSERT_TRUE(table.Admit(10, 1));
  table.MarkSender(10, 1);
  ASSERT_TRUE(table.Admit(11, 1));
  table.MarkSender(11, 1);
  EXPECT_TRUE(table.Admit(10, 1));   // a round it is already in
  EXPECT_FALSE(table.Admit(12, 1));  // a third future round
  EXPECT_TRUE(table.Admit(12, 2));   // other validators have their own quota
  // Once the replica reaches those rounds they no longer count as future.
  table.SetCurrent(11);
  EXPECT_TRUE(table.Admit(12, 1));
}

TEST(RoundTableTest, OldRoundsAreEvictedButNotTheLockedOrValidOnes) {
  RoundTable table(4, 3, 4);
  table.SetKeep(1, 2);
  for (std::uint32_t r = 0; r <= 6; ++r) {
    table.SetCurrent(r);
    ASSERT_NE(table.Open(r), nullptr);
  }
  // Kept: rounds 1 and 2 (lock, valid value) and the current one; others evicted.
  EXPECT_EQ(table.Find(0), nullptr);
  EXPECT_NE(table.Find(1), nullptr);
  EXPECT_NE(table.Find(2), nullptr);
  EXPECT_EQ(table.Find(5), nullptr);
  EXPECT_NE(table.Find(6), nullptr);
  EXPECT_EQ(table.rounds().size(), 3u);
  // A message for a round older than everything kept cannot create it when the table is full.
  EXPECT_EQ(table.Open(0), nullptr);
}

TEST(RoundTableTest, SkipThresholdCountsDistinctSendersAboveTheCurrentRound) {
  RoundTable table(4, 8, 4);
  table.SetCurrent(0);
  table.MarkSender(3, 0);
  table.MarkSender(3, 0);
  EXPECT_FALSE(table.HighestRoundWithSenders(2).has_value());
  table.MarkSender(3, 2);
  table.MarkSender(5, 1);
  EXPECT_EQ(table.HighestRoundWithSenders(2), 3u);
  EXPECT_EQ(table.HighestRoundWithSenders(1), 5u);
}

TEST(RoundTableTest, FindsValidProposalsAndReproposedBlocks) {
  const auto keys = testing::SortedTestKeys(4);
  RoundTable table(4, 8, 4);
  const Bytes v = testing::Payload(1, "v");
  const Proposal p = testing::SignProposal(keys[2], 1, 3, 1, v);
  table.Open(3)->proposal = ReceivedProposal{p, true};
  EXPECT_NE(table.FindValidProposal(p.block_id), nullptr);
  EXPECT_TRUE(table.Proposed(3, p.block_id));  // the round's proposal
  EXPECT_TRUE(table.Proposed(1, p.block_id));  // re-proposed with pol_round 1
  EXPECT_FALSE(table.Proposed(2, p.block_id));
  table.Open(4)->proposal =
      ReceivedProposal{testing::SignProposal(keys[3], 1, 4, -1, testing::Payload(1, "bad")), false};
  EXPECT_EQ(table.FindValidProposal(testing::IdOf(testing::Payload(1, "bad"))), nullptr);
}

}  // namespace
}  // namespace consentd::consensus
