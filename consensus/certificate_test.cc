#include "consensus/certificate.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/hex.h"
#include "consensus/sign_bytes.h"
#include "consensus/test_util.h"

namespace consentd::consensus {
namespace {

using testing::kChain;
using testing::SignVote;

class CertificateTest : public ::testing::Test {
 protected:
  CertificateTest() : keys_(testing::SortedTestKeys(4)), set_(testing::SetOf(keys_)) {}

  CertSignature Sig(std::size_t i, VoteType type = VoteType::kPrecommit, std::uint64_t h = 5,
                    std::uint32_t r = 2) {
    const Vote v = SignVote(keys_[i], type, h, r, block_);
    return CertSignature{v.validator, v.signature};
  }
  CommitCertificate Cert(std::vector<std::size_t> signers) {
    CommitCertificate c{5, 2, block_, {}};
    for (std::size_t i : signers) c.precommits.push_back(Sig(i));
    return c;
  }

  std::vector<crypto::PrivateKey> keys_;
  ValidatorSet set_;
  Hash256 block_ = testing::IdOf(testing::Payload(5, "x"));
};

TEST_F(CertificateTest, QuorumOfPrecommitsVerifies) {
  EXPECT_TRUE(VerifyCertificate(Cert({0, 1, 2}), kChain, set_).ok());
  EXPECT_TRUE(VerifyCertificate(Cert({3, 0, 2, 1}), kChain, set_).ok());
  EXPECT_TRUE(VerifyCertificateFor(Cert({0, 1, 3}), kChain, set_, 5, block_).ok());
}

TEST_F(CertificateTest, TooFewSignatures) {
  EXPECT_EQ(VerifyCertificate(Cert({0, 1}), kChain, set_).code(), "cert_too_few_signatures");
  EXPECT_EQ(VerifyCertificate(Cert({}), kChain, set_).code(), "cert_too_few_signatures");
}

TEST_F(CertificateTest, DuplicateSigner) {
  EXPECT_EQ(VerifyCertificate(Cert({0, 1, 1}), kChain, set_).code(), "cert_duplicate_signer");
}

TEST_F(CertificateTest, UnknownSigner) {
  CommitCertificate c = Cert({0, 1});
  const crypto::PrivateKey outsider = testing::TestKey(77);
  const Vote v = SignVote(outsider, VoteType::kPrecommit, 5, 2, block_);
  c.precommits.push_back(CertSignature{v.validator, v.signature});
  const Status s = VerifyCertificate(c, kChain, set_);
  EXPECT_EQ(s.code(), "cert_unknown_signer");
  EXPECT_NE(s.message().find(outsider.public_key().Hex()), std::string::npos);
}

TEST_F(CertificateTest, BadSignatureNamesTheSigner) {
  CommitCertificate c = Cert({0, 1, 2});
  c.precommits[1].signature[10] ^= 1;
  const Status s = VerifyCertificate(c, kChain, set_);
  EXPECT_EQ(s.code(), "cert_bad_signature");
  EXPECT_NE(s.message().find(keys_[1].public_key().Hex()), std::string::npos) << s.ToString();
}

TEST_F(CertificateTest, SignaturesOverAnythingElseAreBad) {
  // A prevote, another round, another height or another chain: the signature covers them all.
  for (const CertSignature& wrong : {Sig(2, VoteType::kPrevote), Sig(2, VoteType::kPrecommit, 5, 3),
                                     Sig(2, VoteType::kPrecommit, 6, 2)}) {
    CommitCertificate c = Cert({0, 1});
    c.precommits.push_back(wrong);
    EXPECT_EQ(VerifyCertificate(c, kChain, set_).code(), "cert_bad_signature");
  }
  EXPECT_EQ(VerifyCertificate(Cert({0, 1, 2}), "other-chain", set_).code(), "cert_bad_signature");
  CommitCertificate other_block = Cert({0, 1, 2});
  other_block.block_id[0] ^= 1;
  EXPECT_EQ(VerifyCertificate(other_block, kChain, set_).code(), "cert_bad_signature");
}

TEST_F(CertificateTest, AVerifiedCertificateIsRememberedOnlyForTheSameBytes) {
  // A commit verifies a certificate the replica verified a moment before: the second check
  // finds it remembered. Any other byte is verified anew.
  const CommitCertificate c = Cert({0, 1, 2});
  ASSERT_TRUE(VerifyCertificate(c, kChain, set_).ok());
  EXPECT_TRUE(VerifyCertificate(c, kChain, set_).ok());
  CommitCertificate tampered = c;
  tampered.precommits[2].signature[0] ^= 1;
  EXPECT_EQ(VerifyCertificate(tampered, kChain, set_).code(), "cert_bad_signature");
  CommitCertificate other_signer = c;
  other_signer.precommits[2].validator = keys_[3].public_key();
  EXPECT_EQ(VerifyCertificate(other_signer, kChain, set_).code(), "cert_bad_signature");
  CommitCertificate other_round = c;
  other_round.round = 3;
  EXPECT_EQ(VerifyCertificate(other_round, kChain, set_).code(), "cert_bad_signature");
  EXPECT_EQ(VerifyCertificate(c, "other-chain", set_).code(), "cert_bad_signature");
  // The signer and quorum checks run on a remembered certificate too.
  const ValidatorSet without_first =
      std::move(ValidatorSet::Create(
                    {keys_[1].public_key(), keys_[2].public_key(), keys_[3].public_key()}))
          .value();
  EXPECT_EQ(VerifyCertificate(c, kChain, without_first).code(), "cert_unknown_signer");
  EXPECT_TRUE(VerifyCertificate(c, kChain, set_).ok());
}

TEST_F(CertificateTest, SignaturesCheckedAheadAreJudgedAgainstTheSetLater) {
  CertificateCache cache;
  const CommitCertificate c = Cert({0, 1, 2});
  CommitCertificate tampered = c;
  tampered.precommits[1].signature[0] ^= 1;
  EXPECT_FALSE(VerifyCertificateSignaturesAhead(tampered, kChain, cache));
  EXPECT_EQ(VerifyCertificate(tampered, kChain, set_, &cache).code(), "cert_bad_signature");
  EXPECT_FALSE(VerifyCertificateSignaturesAhead(c, "other-chain", cache));
  ASSERT_TRUE(VerifyCertificateSignaturesAhead(c, kChain, cache));
  const Hash256 digest = CertificateCache::Digest(
      c, VoteSignHash(kChain, VoteType::kPrecommit, c.height, c.round, c.block_id));
  EXPECT_TRUE(cache.Contains(digest));
  EXPECT_FALSE(CertificateCache().Contains(digest)) << "a cache of its own, not the process's";
  // Verified signatures do not make a quorum of another set, nor a quorum of too few.
  const ValidatorSet without_first =
      std::move(ValidatorSet::Create(
                    {keys_[1].public_key(), keys_[2].public_key(), keys_[3].public_key()}))
          .value();
  EXPECT_EQ(VerifyCertificate(c, kChain, without_first, &cache).code(), "cert_unknown_signer");
  const CommitCertificate two = Cert({0, 1});
  EXPECT_TRUE(VerifyCertificateSignaturesAhead(two, kChain, cache));
  EXPECT_EQ(VerifyCertificate(two, kChain, set_, &cache).code(), "cert_too_few_signatures");
  EXPECT_TRUE(VerifyCertificate(c, kChain, set_, &cache).ok());
}

TEST_F(CertificateTest, WrongHeightOrBlock) {
  EXPECT_EQ(VerifyCertificateFor(Cert({0, 1, 2}), kChain, set_, 6, block_).code(),
            "cert_wrong_height");
  Hash256 other = block_;
  other[31] ^= 1;
  EXPECT_EQ(VerifyCertificateFor(Cert({0, 1, 2}), kChain, set_, 5, other).code(),
            "cert_wrong_block");
}

TEST_F(CertificateTest, HeightBeyondSafeIntegersIsInvalid) {
  CommitCertificate c = Cert({0, 1, 2});
  c.height = std::uint64_t{1} << 60;
  EXPECT_EQ(VerifyCertificate(c, kChain, set_).code(), "cert_invalid");
}

TEST_F(CertificateTest, CanonicalJsonSortsSignaturesAndRoundTrips) {
  const CommitCertificate c = Cert({2, 0, 1});
  const Json json = c.ToJson();
  ASSERT_EQ(json["signatures"].size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(json["signatures"][i]["validator"], keys_[i].public_key().Hex());
  }
  const std::string text = CanonicalJson(json);
  EXPECT_EQ(text.rfind("{\"block_id\":\"" + HexEncode(block_) +
                           "\",\"height\":5,\"round\":2,"
                           "\"signatures\":[{\"sig\":\"",
                       0),
            0u)
      << text;
  auto back = CommitCertificate::FromJson(*ParseJson(text));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(VerifyCertificate(*back, kChain, set_).ok());
  EXPECT_EQ(CanonicalJson(back->ToJson()), text);
}

TEST_F(CertificateTest, FromJsonRejectsMalformedInput) {
  Json good = Cert({0, 1, 2}).ToJson();
  EXPECT_TRUE(CommitCertificate::FromJson(good).ok());
  Json extra = good;
  extra["extra"] = 1;
  EXPECT_EQ(CommitCertificate::FromJson(extra).status().code(), "cert_invalid");
  Json missing = good;
  missing.erase("round");
  EXPECT_EQ(CommitCertificate::FromJson(missing).status().code(), "cert_invalid");
  Json neg = good;
  neg["height"] = -1;
  EXPECT_EQ(CommitCertificate::FromJson(neg).status().code(), "cert_invalid");
  Json bad_sig = good;
  bad_sig["signatures"][0]["sig"] = "00";
  EXPECT_EQ(CommitCertificate::FromJson(bad_sig).status().code(), "cert_invalid");
  Json bad_key = good;
  bad_key["signatures"][0]["validator"] = std::string(64, 'g');
  EXPECT_EQ(CommitCertificate::FromJson(bad_key).status().code(), "cert_invalid");
  Json not_array = good;
  not_array["signatures"] = Json::object();
  EXPECT_EQ(CommitCertificate::FromJson(not_array).status().code(), "cert_invalid");
}

}  // namespace
}  // namespace consentd::consensus
