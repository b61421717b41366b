// LedgerApp: block sync's decoding ahead is taken only for the very bytes it decoded.

#include "node/app.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/bytes.h"
#include "ledger/testing/test_chain.h"

namespace consentd::node {
namespace {

using ledger::TxType;
using ledger::testing::TestChain;

class LedgerAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.Do(TxType::kNoticePublish, chain_.PublishNotice(), {"insurer-a"}).ok());
    auto grant =
        chain_.Make(TxType::kConsentGrant, chain_.GrantBody("alice"), {"insurer-a", "alice"});
    const std::vector<ledger::TxPtr> txs{grant};
    auto built = chain_.ledger().BuildBlock(chain_.next_time(), Proposer(), txs);
    ASSERT_TRUE(built.ok());
    block_ = built->block;
    payload_ = block_.Encode();
    now_ = chain_.next_time();
  }
  crypto::PublicKeyBytes Proposer() { return chain_.Key("node-insurer-a").public_key().bytes(); }
  std::string Certified(std::string_view payload) {
    auto r = app_.ValidateCertified(block_.header.height, AsBytes(payload), block_.Hash(), now_);
    return r.ok() ? (*r == block_.Hash() ? "ok" : "other block") : r.status().code();
  }

  TestChain chain_;
  Mempool pool_{&chain_.ledger(), MempoolLimits{}};
  LedgerApp app_{&chain_.ledger(), &pool_, Proposer()};
  ledger::Block block_;
  std::string payload_;
  std::int64_t now_ = 0;
};

TEST_F(LedgerAppTest, AnOfferedDecodingIsTakenOnlyForTheSameBytes) {
  auto decoded = app_.DecodeCertified(payload_);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->Hash(), block_.Hash());
  EXPECT_EQ(decoded->Encode(), payload_);

  // Offered for these bytes: taken (the offer here is an error, so taking it shows).
  app_.OfferDecoded(payload_, Status::Error(Reason::kBlockMalformed, "decoded ahead"));
  EXPECT_EQ(Certified(payload_), "block_malformed");
  // Taken once: the same bytes again are decoded here.
  EXPECT_EQ(Certified(payload_), "ok");

  // Other bytes (the same block, laid out differently) are decoded here, and the offer is gone.
  app_.OfferDecoded(payload_, Status::Error(Reason::kBlockMalformed, "decoded ahead"));
  EXPECT_EQ(Certified(payload_ + " "), "ok");
  EXPECT_EQ(Certified(payload_), "ok");

  // A proposal is never taken from an offer; a cleared offer is not taken either.
  app_.OfferDecoded(payload_, Status::Error(Reason::kBlockMalformed, "decoded ahead"));
  auto proposal = app_.ValidateProposal(block_.header.height, AsBytes(payload_), now_);
  ASSERT_TRUE(proposal.ok()) << proposal.status().ToString();
  app_.OfferDecoded(payload_, Status::Error(Reason::kBlockMalformed, "decoded ahead"));
  app_.ClearOffered();
  EXPECT_EQ(Certified(payload_), "ok");

  // An offer of the right decoding is used like one made here.
  app_.OfferDecoded(payload_, std::move(decoded));
  EXPECT_EQ(Certified(payload_), "ok");
}

}  // namespace
}  // namespace consentd::node
