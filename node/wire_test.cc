#include "node/wire.h"

#include <gtest/gtest.h>

#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"

namespace consentd::node::wire {
namespace {

crypto::PrivateKey Key() {
  return std::move(crypto::PrivateKey::FromBytes(crypto::Sha256("wire")).value());
}

TEST(WireTest, ProposalRoundTripWithRawBlock) {
  const auto key = Key();
  consensus::Proposal p{
      7, 2, 1, crypto::Sha256("block"), Bytes{0, 1, 2, 255, '{', '"'}, key.public_key(), {}};
  p.signature = key.Sign(consensus::SignHash("c", p));
  auto back = DecodeProposal(EncodeProposal(p));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
}

TEST(WireTest, VoteStatusSyncRoundTrips) {
  const auto key = Key();
  consensus::Vote v{consensus::VoteType::kPrecommit, 9, 0, std::nullopt, key.public_key(), {}};
  v.signature = key.Sign(consensus::SignHash("c", v));
  EXPECT_EQ(DecodeVote(EncodeVote(v)).value(), v);
  auto s = DecodeStatus(EncodeStatus({42, crypto::Sha256("h")}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->height, 42u);
  auto r = DecodeSyncRequest(EncodeSyncRequest({5, 10}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->from_height, 5u);
  EXPECT_EQ(r->count, 10u);
  consensus::CommitCertificate cert{3, 0, crypto::Sha256("b"), {}};
  auto blocks = DecodeSyncResponse(EncodeSyncResponse({{3, "payload", cert}}));
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 1u);
  EXPECT_EQ((*blocks)[0].payload, "payload");
  EXPECT_EQ((*blocks)[0].certificate, cert);
  const std::string encoded = EncodeTxs({"a", "", "ccc"});  // the decoded views point into it
  auto txs = DecodeTxs(encoded);
  ASSERT_TRUE(txs.ok());
  EXPECT_EQ(*txs, (std::vector<std::string_view>{"a", "", "ccc"}));
}

TEST(WireTest, MalformedInputIsRejectedNotTrusted) {
  for (std::string_view bad : {std::string_view(""), std::string_view("\x00\x00\x00\x05{}", 6),
                               std::string_view("\xff\xff\xff\xff", 4)}) {
    EXPECT_EQ(DecodeProposal(bad).status().code(), "wire_malformed");
    EXPECT_EQ(DecodeTxs(bad).status().code(), "wire_malformed");
    EXPECT_EQ(DecodeSyncResponse(bad).status().code(), "wire_malformed");
  }
  EXPECT_EQ(DecodeVote("{}").status().code(), "wire_malformed");
  EXPECT_EQ(DecodeStatus("{\"height\":-1,\"block_hash\":\"00\"}").status().code(),
            "wire_malformed");
  EXPECT_EQ(DecodeSyncRequest("{\"from_height\":1,\"count\":100000}").status().code(),
            "wire_malformed");
  EXPECT_EQ(DecodeSyncRequest("{\"from_height\":0,\"count\":1}").status().code(), "wire_malformed");
  // A tx count that promises more than the bytes hold.
  EXPECT_EQ(DecodeTxs(std::string("\x00\x00\x00\x02\x00\x00\x00\x01"
                                  "a",
                                  9))
                .status()
                .code(),
            "wire_malformed");
  EXPECT_EQ(DecodeTxs(std::string("\x00\x00\x00\x00"
                                  "x",
                                  5))
                .status()
                .code(),
            "wire_malformed");
}

}  // namespace
}  // namespace consentd::node::wire
