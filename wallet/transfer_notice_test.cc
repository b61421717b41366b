#include "wallet/transfer_notice.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "crypto/merkle.h"

namespace consentd::wallet {
namespace {

Hash256 Filled(std::uint8_t b) {
  Hash256 h;
  h.fill(b);
  return h;
}

NoticeDelivery Delivery(const std::string& subject, std::int64_t at, std::uint8_t nonce) {
  NoticeDelivery d;
  d.transfer_id = Filled(0x11);
  d.subject = *ledger::Subject::FromString(subject);
  d.delivered_at = at;
  d.nonce = Filled(nonce);
  return d;
}

const std::string kKey = "key:79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
// (Not 0x33 bytes: a reference of printable bytes is refused as text, as on the ledger.)
std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}
const std::string kRef = "ref:" + Repeat("a3", 32);

TEST(TransferNoticeTest, LeavesAndRootMatchAnIndependentImplementation) {
  // Computed with Python's hashlib from the formula in docs/RECEIPTS.md "Transfer notices".
  const NoticeDelivery a = Delivery(kKey, 1767225600000, 0x22);
  const NoticeDelivery b = Delivery(kRef, 1767225600001, 0x44);
  EXPECT_EQ(HexEncode(NoticeDeliveryLeaf(a)),
            "d0d30142117a67c08d2dbde26eb71212414580d314e5d6397f2abfed89fdff96");
  EXPECT_EQ(HexEncode(NoticeDeliveryLeaf(b)),
            "82b5fb307e7b2e2c1656248e0c298e8d5bafabdb9567ae57930ea217a06d8fe5");
  auto batch = BuildNoticeBatch({a, b});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(HexEncode(batch->root),
            "309173b1ecaf0eb864efd84ef0952afc3556ba9db6e08d526ef1177b0cfd481a");
  EXPECT_EQ(batch->delivered_until, 1767225600001);
}

TEST(TransferNoticeTest, EveryProofOfEveryBatchSizeVerifies) {
  for (std::size_t n = 1; n <= 40; ++n) {
    SCOPED_TRACE(n);
    std::vector<NoticeDelivery> ds;
    std::vector<Hash256> leaves;
    for (std::size_t i = 0; i < n; ++i) {
      ds.push_back(Delivery(i % 2 ? kKey : kRef, static_cast<std::int64_t>(1000 + i),
                            static_cast<std::uint8_t>(i)));
      leaves.push_back(NoticeDeliveryLeaf(ds.back()));
    }
    auto batch = BuildNoticeBatch(ds);
    ASSERT_TRUE(batch.ok());
    EXPECT_EQ(batch->root, crypto::MerkleRoot(leaves));  // the block tree's own code
    ASSERT_EQ(batch->proofs.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      auto v = VerifyNoticeProof(batch->proofs[i]);
      ASSERT_TRUE(v.ok()) << i << ": " << v.status().ToString();
      EXPECT_EQ(v->index, i);
      EXPECT_EQ(v->tree_size, n);
      EXPECT_EQ(v->delivery.delivered_at, static_cast<std::int64_t>(1000 + i));
    }
  }
}

TEST(TransferNoticeTest, AChangedProofFails) {
  std::vector<NoticeDelivery> ds;
  for (int i = 0; i < 5; ++i) ds.push_back(Delivery(kKey, 1000 + i, static_cast<std::uint8_t>(i)));
  auto batch = BuildNoticeBatch(ds);
  ASSERT_TRUE(batch.ok());
  const Json good = batch->proofs[3];
  auto code = [](const Json& p) { return VerifyNoticeProof(p).status().reason(); };
  Json p = good;
  p["delivered_at"] = 999;
  EXPECT_EQ(code(p), Reason::kNoticeProofMismatch);
  p = good;
  p["index"] = 2;
  EXPECT_EQ(code(p), Reason::kNoticeProofMismatch);
  p = good;
  p["subject"] = ledger::Subject::FromString(kRef)->ToJson();
  EXPECT_EQ(code(p), Reason::kNoticeProofMismatch);
  p = good;
  p["nonce"] = std::string(64, 'a');
  EXPECT_EQ(code(p), Reason::kNoticeProofMismatch);
  p = good;
  p["index"] = 5;  // past the tree
  EXPECT_EQ(code(p), Reason::kNoticeProofMalformed);
  p = good;
  p["extra"] = 1;
  EXPECT_EQ(code(p), Reason::kNoticeProofMalformed);
  p = good;
  p["format"] = "consentd/transfer-notice-proof/v2";
  EXPECT_EQ(code(p), Reason::kNoticeProofMalformed);
  p = good;
  p["path"] = Json::array();
  for (int i = 0; i < 65; ++i) p["path"].push_back(std::string(64, '0'));
  EXPECT_EQ(code(p), Reason::kNoticeProofMalformed);
  p = good;
  p["tree_size"] = -1;
  EXPECT_EQ(code(p), Reason::kNoticeProofMalformed);
  EXPECT_EQ(code(Json::array()), Reason::kNoticeProofMalformed);
}

TEST(TransferNoticeTest, TheRootMustBeOneTheLedgerHolds) {
  auto batch = BuildNoticeBatch({Delivery(kKey, 5, 1), Delivery(kRef, 6, 2)});
  ASSERT_TRUE(batch.ok());
  auto v = VerifyNoticeProof(batch->proofs[0]);
  ASSERT_TRUE(v.ok());
  const std::string root = HexEncode(batch->root);
  Json ledger{
      {"items", Json::array({Json{{"deliveries_root", std::string(64, '0')}, {"deliveries", 2}},
                             Json{{"deliveries_root", root}, {"deliveries", 2}}})}};
  EXPECT_TRUE(NoticeRootOnLedger(*v, ledger).ok());
  ledger["items"][1]["deliveries"] = 3;  // the same root over another size is not this batch
  EXPECT_EQ(NoticeRootOnLedger(*v, ledger).reason(), Reason::kNoticeProofNotOnLedger);
  EXPECT_EQ(NoticeRootOnLedger(*v, Json::object()).reason(), Reason::kNoticeProofNotOnLedger);
}

TEST(TransferNoticeTest, DeliveryLinesAreStrictAndDrawFreshNonces) {
  const Hash256 t = Filled(0x11);
  auto a = ParseDeliveryLine(t, Json{{"subject", kKey}, {"delivered_at", 7}});
  auto b = ParseDeliveryLine(t, Json{{"subject", kKey}, {"delivered_at", 7}});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_EQ(a->delivered_at, 7);
  for (const Json& bad :
       {Json{{"subject", kKey}}, Json{{"subject", "Zhang San"}, {"delivered_at", 7}},
        Json{{"subject", kKey}, {"delivered_at", -1}},
        Json{{"subject", kKey}, {"delivered_at", 1.5}},
        Json{{"subject", kKey}, {"delivered_at", 7}, {"name", "x"}}, Json("key:00")}) {
    EXPECT_EQ(ParseDeliveryLine(t, bad).status().reason(), Reason::kNoticeBatchInvalid) << bad;
  }
  EXPECT_EQ(BuildNoticeBatch({}).status().reason(), Reason::kNoticeBatchInvalid);
  NoticeDelivery other = Delivery(kKey, 1, 1);
  other.transfer_id = Filled(0x12);
  EXPECT_EQ(BuildNoticeBatch({Delivery(kKey, 1, 1), other}).status().reason(),
            Reason::kNoticeBatchInvalid);
}

}  // namespace
}  // namespace consentd::wallet
