#include "consensus/validator_set.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/hex.h"
#include "consensus/test_util.h"
#include "crypto/tagged_hash.h"

namespace consentd::consensus {
namespace {

using testing::TestKeys;

std::vector<crypto::PublicKey> Pubs(std::size_t n) {
  std::vector<crypto::PublicKey> pubs;
  for (const auto& k : TestKeys(n)) pubs.push_back(k.public_key());
  return pubs;
}

TEST(ValidatorSetTest, QuorumsForOneToTen) {
  const std::size_t quorum[] = {0, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7};
  const std::size_t weak[] = {0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4};
  for (std::size_t n = 1; n <= 10; ++n) {
    auto set = ValidatorSet::Create(Pubs(n));
    ASSERT_TRUE(set.ok());
    EXPECT_EQ(set->Quorum(), quorum[n]) << "n=" << n;
    EXPECT_EQ(set->WeakQuorum(), weak[n]) << "n=" << n;
    // Any two quorums share at least f + 1 validators, so at least one honest one.
    EXPECT_GE(2 * set->Quorum() - n, set->WeakQuorum()) << "n=" << n;
    // The honest validators alone (n - f) form a quorum.
    EXPECT_LE(set->Quorum(), n - (set->WeakQuorum() - 1)) << "n=" << n;
  }
}

TEST(ValidatorSetTest, SortedByKeyBytesWhateverTheInputOrder) {
  std::vector<crypto::PublicKey> pubs = Pubs(7);
  auto a = ValidatorSet::Create(pubs);
  std::reverse(pubs.begin(), pubs.end());
  auto b = ValidatorSet::Create(pubs);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(*a == *b);
  EXPECT_EQ(a->Hash(), b->Hash());
  for (std::size_t i = 1; i < a->size(); ++i) {
    EXPECT_LT(a->at(i - 1).bytes(), a->at(i).bytes());
  }
  for (std::size_t i = 0; i < a->size(); ++i) EXPECT_EQ(a->IndexOf(a->at(i)), i);
}

TEST(ValidatorSetTest, HashIsPinnedAndChangesWithTheSet) {
  auto four = ValidatorSet::Create(Pubs(4));
  auto five = ValidatorSet::Create(Pubs(5));
  ASSERT_TRUE(four.ok() && five.ok());
  EXPECT_NE(four->Hash(), five->Hash());
  // TaggedHash("consentd/valset/v1", canonical JSON array of the sorted hex keys). Pinned so
  // that a change of the format (which receipts depend on) cannot go unnoticed.
  std::string text = "[";
  for (std::size_t i = 0; i < four->size(); ++i) {
    text += (i ? ",\"" : "\"") + four->at(i).Hex() + "\"";
  }
  text += "]";
  EXPECT_EQ(CanonicalJson(four->ToJson()), text);
  EXPECT_EQ(four->Hash(), crypto::TaggedHash("consentd/valset/v1", AsBytes(text)));
  EXPECT_EQ(HexEncode(four->Hash()),
            "5dd91c2e6fff217c3d97e9e1e7332fa7da7828af9db8e80c2e7764547dbf4baf");
}

TEST(ValidatorSetTest, ProposerRotatesByHeightPlusRound) {
  auto set = ValidatorSet::Create(Pubs(4));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Proposer(0, 0), set->at(0));
  EXPECT_EQ(set->Proposer(1, 0), set->at(1));
  EXPECT_EQ(set->Proposer(1, 1), set->at(2));
  EXPECT_EQ(set->Proposer(3, 2), set->at(1));
  EXPECT_EQ(set->ProposerIndex(9007199254740991ULL, 4294967295U),
            (9007199254740991ULL + 4294967295ULL) % 4);
  // Every validator proposes exactly once in any n consecutive rounds.
  for (std::uint64_t h = 1; h < 4; ++h) {
    std::vector<int> count(4, 0);
    for (std::uint32_t r = 5; r < 9; ++r) ++count[set->ProposerIndex(h, r)];
    EXPECT_EQ(count, std::vector<int>(4, 1));
  }
}

TEST(ValidatorSetTest, RejectsEmptyAndDuplicateKeys) {
  EXPECT_EQ(ValidatorSet::Create({}).status().code(), "valset_empty");
  std::vector<crypto::PublicKey> pubs = Pubs(3);
  pubs.push_back(pubs[1]);
  EXPECT_EQ(ValidatorSet::Create(pubs).status().code(), "valset_duplicate_key");
}

TEST(ValidatorSetTest, JsonRoundTripAndRejections) {
  auto set = ValidatorSet::Create(Pubs(5));
  ASSERT_TRUE(set.ok());
  auto back = ValidatorSet::FromJson(set->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == *set);

  EXPECT_EQ(ValidatorSet::FromJson(Json::object()).status().code(), "valset_invalid");
  EXPECT_EQ(ValidatorSet::FromJson(Json::array({1})).status().code(), "valset_invalid");
  EXPECT_EQ(ValidatorSet::FromJson(Json::array()).status().code(), "valset_empty");
  Json upper = set->ToJson();
  std::string key = upper[0].get<std::string>();
  std::transform(key.begin(), key.end(), key.begin(), ::toupper);
  upper[0] = key;
  EXPECT_EQ(ValidatorSet::FromJson(upper).status().code(), "hex_invalid_char");
  EXPECT_EQ(ValidatorSet::FromJson(Json::array({std::string(64, '0')})).status().code(),
            "key_invalid");
}

TEST(ValidatorSetTest, IndexOfUnknownKeyIsEmpty) {
  auto set = ValidatorSet::Create(Pubs(4));
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(set->IndexOf(testing::TestKey(99).public_key()).has_value());
  EXPECT_FALSE(set->Contains(testing::TestKey(99).public_key()));
}

}  // namespace
}  // namespace consentd::consensus
