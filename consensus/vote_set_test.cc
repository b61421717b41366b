#include "consensus/vote_set.h"

#include <gtest/gtest.h>

#include "consensus/test_util.h"

namespace consentd::consensus {
namespace {

using testing::SignVote;

class VoteSetTest : public ::testing::Test {
 protected:
  std::vector<crypto::PrivateKey> keys_ = testing::SortedTestKeys(4);
  Hash256 a_ = testing::IdOf(testing::Payload(1, "a"));
  Hash256 b_ = testing::IdOf(testing::Payload(1, "b"));
  Vote V(std::size_t i, const std::optional<Hash256>& id) {
    return SignVote(keys_[i], VoteType::kPrevote, 1, 0, id);
  }
};

TEST_F(VoteSetTest, TalliesPerValue) {
  VoteSet set(VoteType::kPrevote, 4);
  EXPECT_EQ(set.Add(0, V(0, a_), true).result, VoteSet::AddResult::kAdded);
  EXPECT_EQ(set.Add(1, V(1, a_), true).result, VoteSet::AddResult::kAdded);
  EXPECT_EQ(set.Add(2, V(2, std::nullopt), true).result, VoteSet::AddResult::kAdded);
  EXPECT_EQ(set.Count(), 3u);
  EXPECT_EQ(set.CountFor(a_), 2u);
  EXPECT_EQ(set.CountFor(std::nullopt), 1u);
  EXPECT_EQ(set.CountFor(b_), 0u);
  EXPECT_EQ(set.BlockWith(2), a_);
  EXPECT_FALSE(set.BlockWith(3).has_value());
  EXPECT_EQ(set.Add(3, V(3, a_), true).result, VoteSet::AddResult::kAdded);
  EXPECT_EQ(set.BlockWith(3), a_);
  const std::vector<Vote> for_a = set.VotesFor(a_);
  ASSERT_EQ(for_a.size(), 3u);
  EXPECT_EQ(for_a[0].validator, keys_[0].public_key());
  EXPECT_EQ(for_a[2].validator, keys_[3].public_key());
}

TEST_F(VoteSetTest, NilNeverCountsAsABlock) {
  VoteSet set(VoteType::kPrevote, 4);
  for (std::size_t i = 0; i < 4; ++i)
    ASSERT_EQ(set.Add(i, V(i, std::nullopt), true).result, VoteSet::AddResult::kAdded);
  EXPECT_FALSE(set.BlockWith(1).has_value());
  EXPECT_EQ(set.CountFor(std::nullopt), 4u);
}

TEST_F(VoteSetTest, ConflictsAreReportedOnceAndCountOnlyWhenTheyMatter) {
  VoteSet set(VoteType::kPrevote, 4);
  ASSERT_EQ(set.Add(0, V(0, a_), false).result, VoteSet::AddResult::kAdded);
  EXPECT_EQ(set.Add(0, V(0, a_), true).result, VoteSet::AddResult::kDuplicate);
  // A conflicting vote whose value does not matter is evidence, not a vote.
  const VoteSet::Outcome first = set.Add(0, V(0, b_), false);
  EXPECT_EQ(first.result, VoteSet::AddResult::kConflict);
  EXPECT_FALSE(first.counted);
  EXPECT_EQ(set.CountFor(b_), 0u);
  // When it matters, the equivocator counts for both values, but once in Count().
  const VoteSet::Outcome again = set.Add(0, V(0, b_), true);
  EXPECT_EQ(again.result, VoteSet::AddResult::kRepeatConflict);
  EXPECT_TRUE(again.counted);
  EXPECT_EQ(set.CountFor(a_), 1u);
  EXPECT_EQ(set.CountFor(b_), 1u);
  EXPECT_EQ(set.Count(), 1u);
  EXPECT_TRUE(set.Has(0, b_));
  EXPECT_FALSE(set.Has(0, std::nullopt));
  EXPECT_EQ(set.Add(0, V(0, b_), true).result, VoteSet::AddResult::kDuplicate);
  ASSERT_NE(set.Get(0), nullptr);
  EXPECT_EQ(set.Get(0)->block_id, a_);  // the first vote
  EXPECT_EQ(set.Get(1), nullptr);
  EXPECT_EQ(set.Get(99), nullptr);
  EXPECT_EQ(set.VotesFor(b_).size(), 1u);
}

TEST_F(VoteSetTest, VotesPerValidatorAreBounded) {
  VoteSet set(VoteType::kPrevote, 4, 2);
  ASSERT_TRUE(set.Add(1, V(1, a_), true).counted);
  ASSERT_TRUE(set.Add(1, V(1, b_), true).counted);
  const VoteSet::Outcome third = set.Add(1, V(1, std::nullopt), true);
  EXPECT_EQ(third.result, VoteSet::AddResult::kRepeatConflict);
  EXPECT_FALSE(third.counted);
  EXPECT_EQ(set.CountFor(std::nullopt), 0u);
}

}  // namespace
}  // namespace consentd::consensus
