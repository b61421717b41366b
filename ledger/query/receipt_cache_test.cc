#include "ledger/query/receipt_cache.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "ledger/query/receipt.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

TEST(ReceiptCacheTest, PathFromLevelsIsTheRfc9162AuditPath) {
  for (std::size_t n = 1; n <= 70; ++n) {
    std::vector<Hash256> leaves;
    for (std::size_t i = 0; i < n; ++i) leaves.push_back(crypto::Sha256(std::to_string(i)));
    const auto levels = ReceiptCache::Levels(leaves);
    EXPECT_EQ(levels.back().size(), 1u);
    EXPECT_EQ(levels.back()[0], crypto::MerkleRoot(leaves)) << n;
    for (std::size_t i = 0; i < n; ++i) {
      auto proof = crypto::MerkleProve(leaves, i);
      ASSERT_TRUE(proof.ok());
      EXPECT_EQ(ReceiptCache::PathFromLevels(levels, i), proof->path) << n << " " << i;
    }
  }
}

class ReceiptCacheChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.Do(TxType::kNoticePublish, chain_.PublishNotice(), {"insurer-a"}).ok());
    int subject = 0;
    for (int size : {1, 2, 3, 5, 8, 13}) {
      std::vector<TxPtr> txs;
      for (int i = 0; i < size; ++i) {
        const std::string s = "subject-" + std::to_string(subject++);
        txs.push_back(chain_.Make(TxType::kConsentGrant, chain_.GrantBody(s), {"insurer-a", s}));
        ids_.push_back(txs.back()->id());
      }
      ASSERT_TRUE(chain_.CommitBlock(txs).ok());
    }
  }
  Json Reference(const Hash256& id) {
    auto view = std::shared_ptr<const ReadView>(chain_.ledger().Snapshot());
    auto r = BuildReceipt(*view, chain_.genesis(), id,
                          [&](std::uint64_t h) { return chain_.ledger().ValidatorsFor(h); });
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : Json();
  }
  testing::TestChain chain_;
  std::vector<Hash256> ids_;
};

TEST_F(ReceiptCacheChainTest, SameReceiptsAsBuildReceipt) {
  ReceiptCache cache(&chain_.ledger());
  for (int round = 0; round < 2; ++round) {  // misses first, then hits
    for (const Hash256& id : ids_) {
      // The spliced text is byte for byte the canonical JSON of the reference receipt.
      auto text = cache.BuildText(id);
      ASSERT_TRUE(text.ok() && text->has_value());
      EXPECT_EQ(**text, CanonicalJson(Reference(id)));
      auto r = cache.Build(id);
      ASSERT_TRUE(r.ok() && r->has_value());
      EXPECT_EQ(CanonicalJson(**r), CanonicalJson(Reference(id)));
    }
  }
  EXPECT_EQ(cache.misses(), 6u);                 // one per block
  EXPECT_EQ(cache.hits(), 4 * ids_.size() - 6);  // BuildText and Build each look up
  auto none = cache.Build(crypto::Sha256("not a tx"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto none_text = cache.BuildText(crypto::Sha256("not a tx"));
  ASSERT_TRUE(none_text.ok());
  EXPECT_FALSE(none_text->has_value());
}

TEST_F(ReceiptCacheChainTest, ATinyCacheEvictsAndStaysCorrect) {
  ReceiptCache cache(&chain_.ledger(), /*max_bytes=*/5000);  // about one block
  for (int round = 0; round < 2; ++round) {
    for (const Hash256& id : ids_) {
      auto r = cache.Build(id);
      ASSERT_TRUE(r.ok() && r->has_value());
      EXPECT_EQ(CanonicalJson(**r), CanonicalJson(Reference(id)));
    }
  }
  EXPECT_EQ(cache.misses(), 12u);  // every block twice: nothing survived the other blocks
}

}  // namespace
}  // namespace consentd::ledger
