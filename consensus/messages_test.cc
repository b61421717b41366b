#include "consensus/messages.h"

#include <gtest/gtest.h>

#include <iostream>

#include "common/hex.h"
#include "consensus/sign_bytes.h"
#include "consensus/test_util.h"
#include "crypto/sha256.h"
#include "crypto/tagged_hash.h"

namespace consentd::consensus {
namespace {

// The worked example of docs/CONSENSUS.md ("Sign bytes"). The key is BIP340 test vector 0's
// (secret 3) and the auxiliary randomness is zero, so every value below is reproducible by an
// independent implementation. The test prints the intermediate values that the document quotes.
TEST(SignBytesTest, WorkedExample) {
  auto key = crypto::PrivateKey::FromHex(
      "0000000000000000000000000000000000000000000000000000000000000003");
  ASSERT_TRUE(key.ok());
  const Hash256 block_id = crypto::Sha256("example block");
  const std::string chain = "consentd-example";

  const std::string vote_bytes = VoteSignBytes(chain, VoteType::kPrecommit, 7, 1, block_id);
  const Hash256 vote_hash = VoteSignHash(chain, VoteType::kPrecommit, 7, 1, block_id);
  const crypto::SignatureBytes vote_sig = key->SignWithAux(vote_hash, {});
  const std::string nil_bytes = VoteSignBytes(chain, VoteType::kPrevote, 7, 0, std::nullopt);
  const Hash256 nil_hash = VoteSignHash(chain, VoteType::kPrevote, 7, 0, std::nullopt);
  const std::string prop_bytes = ProposalSignBytes(chain, 7, 1, -1, block_id);
  const Hash256 prop_hash = ProposalSignHash(chain, 7, 1, -1, block_id);

  std::cout << "[worked example] public key       " << key->public_key().Hex() << "\n"
            << "[worked example] block_id         " << HexEncode(block_id) << "\n"
            << "[worked example] SHA256(tag)      " << HexEncode(crypto::Sha256(kVoteSignTag))
            << "\n"
            << "[worked example] precommit bytes  " << vote_bytes << "\n"
            << "[worked example] precommit hash   " << HexEncode(vote_hash) << "\n"
            << "[worked example] precommit sig    " << HexEncode(vote_sig) << "\n"
            << "[worked example] nil prevote bytes " << nil_bytes << "\n"
            << "[worked example] nil prevote hash  " << HexEncode(nil_hash) << "\n"
            << "[worked example] proposal bytes   " << prop_bytes << "\n"
            << "[worked example] proposal hash    " << HexEncode(prop_hash) << "\n";

  EXPECT_EQ(vote_bytes, "{\"block_id\":\"" + HexEncode(block_id) +
                            "\",\"chain_id\":\"consentd-example\",\"height\":7,\"round\":1,"
                            "\"type\":\"precommit\"}");
  EXPECT_EQ(nil_bytes,
            "{\"block_id\":null,\"chain_id\":\"consentd-example\",\"height\":7,\"round\":0,"
            "\"type\":\"prevote\"}");
  EXPECT_EQ(prop_bytes, "{\"block_id\":\"" + HexEncode(block_id) +
                            "\",\"chain_id\":\"consentd-example\",\"height\":7,\"pol_round\":-1,"
                            "\"round\":1,\"type\":\"proposal\"}");
  // The tagged hash is SHA256(SHA256(tag) || SHA256(tag) || bytes), spelled out.
  const Hash256 tag = crypto::Sha256(kVoteSignTag);
  Bytes preimage(tag.begin(), tag.end());
  preimage.insert(preimage.end(), tag.begin(), tag.end());
  preimage.insert(preimage.end(), vote_bytes.begin(), vote_bytes.end());
  EXPECT_EQ(vote_hash, crypto::Sha256(preimage));
  // Pinned values: a change here is a change of a public format.
  EXPECT_EQ(HexEncode(block_id),
            "a20082bbf9c7c0603767978e85a30d82d18fb7bfcb97741fa857b48621e17652");
  EXPECT_EQ(HexEncode(vote_hash),
            "a4e810e4b14eb7c45816cfffee3605628160843ff3f8d7b6daff9183de045931");
  EXPECT_EQ(HexEncode(vote_sig),
            "e353862f7c3a1f7c2e2e6d5b3d2c39866daad14c255b9433278b7b3d33e3a6e8"
            "ce42470ed95c64795b93f40c5f6dc6f226b1278792d9e4c7e130377548f78d36");
  EXPECT_EQ(HexEncode(nil_hash),
            "03cf82d7ac6dafd5a22161a745188a638e61c6190d2b22d9c2c5eace6822c742");
  EXPECT_EQ(HexEncode(prop_hash),
            "ed27618e3ef450cd948ec3ff7caf6112c6f7a8a723fe4d4342325a6333236939");
  EXPECT_TRUE(key->public_key().Verify(vote_hash, vote_sig));
}

TEST(SignBytesTest, EveryFieldIsCovered) {
  const Hash256 a = crypto::Sha256("a");
  const Hash256 base = VoteSignHash("c", VoteType::kPrevote, 1, 0, a);
  EXPECT_NE(base, VoteSignHash("d", VoteType::kPrevote, 1, 0, a));
  EXPECT_NE(base, VoteSignHash("c", VoteType::kPrecommit, 1, 0, a));
  EXPECT_NE(base, VoteSignHash("c", VoteType::kPrevote, 2, 0, a));
  EXPECT_NE(base, VoteSignHash("c", VoteType::kPrevote, 1, 1, a));
  EXPECT_NE(base, VoteSignHash("c", VoteType::kPrevote, 1, 0, std::nullopt));
  EXPECT_NE(ProposalSignHash("c", 1, 1, -1, a), ProposalSignHash("c", 1, 1, 0, a));
  // Chain ids are JSON strings: escaping is canonical, so odd ids cannot collide.
  EXPECT_NE(VoteSignBytes("a\"b", VoteType::kPrevote, 1, 0, a),
            VoteSignBytes("a\\\"b", VoteType::kPrevote, 1, 0, a));
  EXPECT_NE(VoteSignBytes("a\"b", VoteType::kPrevote, 1, 0, a).find("\"a\\\"b\""),
            std::string::npos);
  // The largest height JSON allows.
  EXPECT_NE(VoteSignBytes("c", VoteType::kPrevote, 9007199254740991ULL, 4294967295U, a)
                .find("\"height\":9007199254740991,\"round\":4294967295"),
            std::string::npos);
}

// The sign bytes are built by hand for speed; they must equal CanonicalJson of the object the
// format describes, for any chain id (escapes, non-ASCII) and any field values.
TEST(SignBytesTest, EqualCanonicalJsonOfTheDocumentedObject) {
  const std::vector<std::string> chains = {"",
                                           "consentd-main",
                                           "quote\" back\\slash",
                                           "ctl\x01\x1f\n\t",
                                           "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                                           "</script>"};
  const std::vector<std::uint64_t> heights = {0, 1, 4294967296ULL, 9007199254740991ULL};
  const std::vector<std::uint32_t> rounds = {0, 7, 4294967295U};
  for (const std::string& chain : chains) {
    for (std::uint64_t h : heights) {
      for (std::uint32_t r : rounds) {
        for (const std::optional<Hash256>& id :
             {std::optional<Hash256>(), std::optional<Hash256>(crypto::Sha256(chain))}) {
          for (VoteType type : {VoteType::kPrevote, VoteType::kPrecommit}) {
            const Json object{{"block_id", id ? Json(HexEncode(*id)) : Json(nullptr)},
                              {"chain_id", chain},
                              {"height", h},
                              {"round", r},
                              {"type", std::string(ToString(type))}};
            EXPECT_EQ(VoteSignBytes(chain, type, h, r, id), CanonicalJson(object));
          }
        }
        for (std::int32_t pol : {-1, 0, 2147483647}) {
          const Hash256 id = crypto::Sha256(chain + "p");
          const Json object{{"block_id", HexEncode(id)}, {"chain_id", chain}, {"height", h},
                            {"pol_round", pol},          {"round", r},        {"type", "proposal"}};
          EXPECT_EQ(ProposalSignBytes(chain, h, r, pol, id), CanonicalJson(object));
        }
      }
    }
  }
}

TEST(MessagesTest, VoteWireRoundTripAndSignature) {
  const auto keys = testing::SortedTestKeys(1);
  const Vote v = testing::SignVote(keys[0], VoteType::kPrecommit, 3, 2, crypto::Sha256("block"));
  EXPECT_TRUE(VerifySignature(testing::kChain, v));
  auto back = Vote::FromJson(*ParseJson(CanonicalJson(v.ToJson())));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, v);
  const Vote nil = testing::SignVote(keys[0], VoteType::kPrevote, 3, 0, std::nullopt);
  auto nil_back = Vote::FromJson(nil.ToJson());
  ASSERT_TRUE(nil_back.ok());
  EXPECT_EQ(*nil_back, nil);
  Vote tampered = v;
  tampered.round = 3;
  EXPECT_FALSE(VerifySignature(testing::kChain, tampered));
}

TEST(MessagesTest, VoteFromJsonRejections) {
  const auto keys = testing::SortedTestKeys(1);
  const Json good = testing::SignVote(keys[0], VoteType::kPrevote, 3, 0, std::nullopt).ToJson();
  const auto code = [](Json j) { return Vote::FromJson(j).status().code(); };
  Json j = good;
  j["type"] = "proposal";
  EXPECT_EQ(code(j), "vote_invalid");
  j = good;
  j["round"] = 4294967296LL;
  EXPECT_EQ(code(j), "vote_invalid");
  j = good;
  j["height"] = "3";
  EXPECT_EQ(code(j), "vote_invalid");
  j = good;
  j["block_id"] = "ab";
  EXPECT_EQ(code(j), "vote_invalid");
  j = good;
  j.erase("signature");
  EXPECT_EQ(code(j), "vote_invalid");
  j = good;
  j["x"] = 1;
  EXPECT_EQ(code(j), "vote_invalid");
  EXPECT_EQ(code(Json::array()), "vote_invalid");
}

TEST(MessagesTest, ProposalWireRoundTrip) {
  const auto keys = testing::SortedTestKeys(1);
  const Proposal p = testing::SignProposal(keys[0], 4, 2, 1, testing::Payload(4, "p"));
  EXPECT_TRUE(VerifySignature(testing::kChain, p));
  auto back = Proposal::FromJson(*ParseJson(CanonicalJson(p.ToJson())));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
  Json j = p.ToJson();
  j["pol_round"] = -2;
  EXPECT_EQ(Proposal::FromJson(j).status().code(), "proposal_invalid");
  j = p.ToJson();
  j["block"] = "zz";
  EXPECT_EQ(Proposal::FromJson(j).status().code(), "proposal_invalid");
  Proposal other = p;
  other.pol_round = -1;
  EXPECT_FALSE(VerifySignature(testing::kChain, other));
}

}  // namespace
}  // namespace consentd::consensus
