#include "ledger/tx.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "crypto/sha256.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

using testing::TestChain;

// A signed consent.grant as JSON, re-signed after every mutation of the unsigned part.
class TxParseTest : public ::testing::Test {
 protected:
  Json Signed(Json body, TxType type = TxType::kConsentGrant,
              std::vector<std::string> signers = {"insurer-a", "alice"}) {
    Json unsigned_tx = Tx::MakeUnsigned(type, chain_.chain_id(), std::move(body), 7, 100);
    const Hash256 msg = Tx::SignHash(unsigned_tx);
    unsigned_tx["signatures"] = Json::array();
    for (const auto& s : signers) {
      const auto& k = chain_.Key(s);
      unsigned_tx["signatures"].push_back(
          Json{{"key", k.public_key().Hex()}, {"sig", HexEncode(k.Sign(msg))}});
    }
    return unsigned_tx;
  }
  Json Grant() { return chain_.GrantBody("alice"); }
  std::string Code(const Json& tx) {
    auto r = Tx::FromJson(tx, chain_.chain_id());
    return r.ok() ? "ok" : r.status().code();
  }
  std::string CodeForBody(Json body) { return Code(Signed(std::move(body))); }

  TestChain chain_;
};

TEST_F(TxParseTest, ValidGrantParsesWithIdsAndCanonicalForm) {
  const Json j = Signed(Grant());
  auto tx = Tx::FromJson(j, chain_.chain_id());
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  EXPECT_EQ((*tx)->type(), TxType::kConsentGrant);
  EXPECT_EQ((*tx)->nonce(), 7u);
  EXPECT_EQ((*tx)->expires_at_height(), 100u);
  // tx_id covers the unsigned form; the leaf covers the signed canonical form.
  Json unsigned_tx = j;
  unsigned_tx.erase("signatures");
  EXPECT_EQ((*tx)->id(), Tx::IdOf(unsigned_tx));
  EXPECT_EQ((*tx)->sign_hash(), Tx::SignHash(unsigned_tx));
  EXPECT_EQ((*tx)->leaf(), crypto::Sha256((*tx)->canonical()));
  EXPECT_EQ((*tx)->canonical(), CanonicalJson((*tx)->ToJson()));
  EXPECT_TRUE((*tx)->SignedBy(chain_.Key("alice").public_key()));
  EXPECT_FALSE((*tx)->SignedBy(chain_.Key("bob").public_key()));
  // Parsing the text form gives the same tx.
  auto again = Tx::Parse((*tx)->canonical(), chain_.chain_id());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->leaf(), (*tx)->leaf());
}

// The canonical forms are written directly (Tx::Build); they must equal the canonical JSON of
// the values, also for the largest nonce and several signers (tx strings are identifiers and
// codes, so escapes never occur in them).
TEST_F(TxParseTest, CanonicalFormIsTheCanonicalJsonOfToJson) {
  const Json body = Grant();
  Json unsigned_tx =
      Tx::MakeUnsigned(TxType::kConsentGrant, chain_.chain_id(), body, Tx::kMaxNonce, 1);
  const Hash256 msg = Tx::SignHash(unsigned_tx);
  Json j = unsigned_tx;
  j["signatures"] = Json::array();
  for (const char* signer : {"insurer-a", "alice", "bob"}) {
    const auto& k = chain_.Key(signer);
    j["signatures"].push_back(Json{{"key", k.public_key().Hex()}, {"sig", HexEncode(k.Sign(msg))}});
  }
  auto tx = Tx::FromCertifiedJson(j, chain_.chain_id(), kDefaultMaxTxBytes);
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  EXPECT_EQ((*tx)->canonical(), CanonicalJson((*tx)->ToJson()));
  EXPECT_EQ((*tx)->id(), Tx::IdOf(unsigned_tx));
  EXPECT_EQ((*tx)->sign_hash(), msg);
  EXPECT_EQ((*tx)->leaf(), crypto::Sha256((*tx)->canonical()));
  // The canonical text parses back to itself (signatures sorted by key, as CanonicalJson has
  // them in ToJson).
  auto again = Tx::Parse((*tx)->canonical(), chain_.chain_id());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->canonical(), (*tx)->canonical());
}

TEST_F(TxParseTest, SignatureOrderDoesNotChangeTheLeaf) {
  Json j = Signed(Grant());
  Json reversed = j;
  std::reverse(reversed["signatures"].begin(), reversed["signatures"].end());
  auto a = Tx::FromJson(j, chain_.chain_id());
  auto b = Tx::FromJson(reversed, chain_.chain_id());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->leaf(), (*b)->leaf());
  EXPECT_EQ((*a)->canonical(), (*b)->canonical());
}

TEST_F(TxParseTest, EnvelopeRejections) {
  Json j = Signed(Grant());
  Json t = j;
  t["type"] = "consent.steal";
  EXPECT_EQ(Code(t), "tx_unknown_type");
  t = j;
  t.erase("nonce");
  EXPECT_EQ(Code(t), "tx_missing_field");
  t = j;
  t["memo"] = "free text";
  EXPECT_EQ(Code(t), "tx_unknown_field");
  t = j;
  t["nonce"] = "7";
  EXPECT_EQ(Code(t), "tx_wrong_type");
  t = j;
  t["expires_at_height"] = 0;
  EXPECT_EQ(Code(t), "tx_invalid_value");
  t = j;
  t["chain_id"] = "other-chain";
  EXPECT_EQ(Code(t), "tx_wrong_chain");
  t = j;
  t.erase("signatures");
  EXPECT_EQ(Code(t), "tx_no_signatures");
  t = j;
  t["signatures"] = Json::array();
  EXPECT_EQ(Code(t), "tx_no_signatures");
  t = j;
  t["signatures"] = "not an array";
  EXPECT_EQ(Code(t), "tx_wrong_type");
  EXPECT_EQ(Code(Json::array()), "tx_wrong_type");
}

TEST_F(TxParseTest, SignatureRejections) {
  Json j = Signed(Grant());
  Json t = j;
  std::string sig = t["signatures"][0]["sig"];
  sig[10] = sig[10] == 'a' ? 'b' : 'a';
  t["signatures"][0]["sig"] = sig;
  EXPECT_EQ(Code(t), "tx_bad_signature");
  // A valid signature for another chain's tx does not verify here.
  t = j;
  t["nonce"] = 8;  // the signatures covered nonce 7
  EXPECT_EQ(Code(t), "tx_bad_signature");
  t = j;
  t["signatures"].push_back(t["signatures"][0]);
  EXPECT_EQ(Code(t), "tx_duplicate_signer");
  t = j;
  t["signatures"][0]["sig"] = "abcd";
  EXPECT_EQ(Code(t), "tx_invalid_value");
  t = j;
  t["signatures"][0]["key"] = std::string(64, 'f');  // not an x coordinate on the curve
  EXPECT_EQ(Code(t), "tx_invalid_value");
  t = j;
  t["signatures"][0]["by"] = "someone";
  EXPECT_EQ(Code(t), "tx_unknown_field");
  t = j;
  for (int i = 0; i < 17; ++i) t["signatures"].push_back(t["signatures"][0]);
  EXPECT_EQ(Code(t), "tx_array_too_long");
}

TEST_F(TxParseTest, BodySchemaRejections) {
  Json b = Grant();
  b["customer_name"] = "Zhang San";
  EXPECT_EQ(CodeForBody(b), "tx_unknown_field");
  b = Grant();
  b.erase("valid_until");
  EXPECT_EQ(CodeForBody(b), "tx_missing_field");
  b = Grant();
  b["separate"] = "yes";
  EXPECT_EQ(CodeForBody(b), "tx_wrong_type");
  b = Grant();
  b["purposes"] = {"Selling data to anyone"};
  EXPECT_EQ(CodeForBody(b), "tx_invalid_code");
  b = Grant();
  b["categories"] = Json::array();
  EXPECT_EQ(CodeForBody(b), "tx_array_empty");
  b = Grant();
  b["purposes"] = {"ClaimsHandling", "ClaimsHandling"};
  EXPECT_EQ(CodeForBody(b), "tx_duplicate_entry");
  b = Grant();
  Json many = Json::array();
  for (int i = 0; i < 33; ++i) many.push_back("Contact");
  b["categories"] = many;
  EXPECT_EQ(CodeForBody(b), "tx_array_too_long");
  b = Grant();
  b["controller"] = "Insurer A";  // free text where an identifier is expected
  EXPECT_EQ(CodeForBody(b), "tx_invalid_value");
  b = Grant();
  b["valid_from"] = -1;
  EXPECT_EQ(CodeForBody(b), "tx_invalid_value");
  b = Grant();
  b["subject"] = {{"key", chain_.SubjectHex("alice")}, {"name", "Alice"}};
  EXPECT_EQ(CodeForBody(b), "tx_unknown_field");
  b = Grant();
  b["subject"] = {{"key", chain_.SubjectHex("alice")}, {"ref", chain_.SubjectHex("alice")}};
  EXPECT_EQ(CodeForBody(b), "tx_invalid_value");
  b = Grant();
  b["subject"] = {{"ref", std::string(64, 'a')}};  // a ref subject needs evidence
  EXPECT_EQ(CodeForBody(b), "tx_missing_field");
  b = Grant();
  b["evidence_hash"] = std::string(64, 'a');  // key subjects sign instead
  EXPECT_EQ(CodeForBody(b), "tx_invalid_value");
  b = Grant();
  b["agreement"] = std::string(64, 'a');  // only for cross-border grants
  EXPECT_EQ(CodeForBody(b), "tx_invalid_value");
  b = Grant();
  b["jurisdictions"] = {"XX"};
  EXPECT_EQ(CodeForBody(b), "tx_invalid_code");
  b = Grant();
  b["notice"]["language"] = "en";
  EXPECT_EQ(CodeForBody(b), "tx_unknown_field");
}

TEST_F(TxParseTest, EveryTypeRejectsUnknownFields) {
  // Whatever the type, a body field outside the whitelist is refused before anything else
  // could store it.
  for (int t = 0; t < kTxTypeCount; ++t) {
    const auto type = static_cast<TxType>(t);
    Json tx = Signed(Json{{"phone_number", "13800138000"}}, type, {"insurer-a"});
    auto r = Tx::FromJson(tx, chain_.chain_id());
    ASSERT_FALSE(r.ok()) << ToString(type);
    EXPECT_TRUE(r.status().code() == "tx_unknown_field" || r.status().code() == "tx_missing_field")
        << ToString(type) << ": " << r.status().ToString();
    // schema_test adds extra fields to a valid body of every type at every object level.
  }
}

TEST_F(TxParseTest, TextLimits) {
  const std::string text = Signed(Grant()).dump();
  EXPECT_EQ(Tx::Parse(text, chain_.chain_id(), text.size() - 1).status().code(), "tx_too_large");
  EXPECT_EQ(Tx::Parse("{\"type\":1.5}", chain_.chain_id()).status().code(),
            "json_float_not_allowed");
  EXPECT_EQ(Tx::Parse("{\"a\":1,\"a\":2}", chain_.chain_id()).status().code(),
            "json_duplicate_key");
  EXPECT_EQ(Tx::Parse("[[[[[[[[[[1]]]]]]]]]]", chain_.chain_id()).status().code(), "json_too_deep");
  EXPECT_EQ(Tx::Parse("{", chain_.chain_id()).status().code(), "json_syntax");
}

TEST(TxTypeTest, NamesRoundTrip) {
  for (int t = 0; t < kTxTypeCount; ++t) {
    const auto type = static_cast<TxType>(t);
    auto back = ParseTxType(ToString(type));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, type);
  }
  EXPECT_FALSE(ParseTxType("consent.steal").has_value());
}

}  // namespace
}  // namespace consentd::ledger
