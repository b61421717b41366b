// Per-controller subject keys and key links (docs/WALLET.md): the derivation against vectors
// computed by an independent implementation, key links made, verified and refused, and the
// ledger's flows (grant, rights request, transfer, withdrawal) with derived keys.

#include "wallet/subject_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "common/file_util.h"
#include "common/hex.h"
#include "common/test_paths.h"
#include "crypto/tagged_hash.h"
#include "ledger/query/queries.h"
#include "ledger/testing/exec_fixture.h"

namespace consentd::wallet {
namespace {

const std::string kFixtures =
    std::string(consentd::testing::SourceDir()) + "/tests/fixtures/subject_keys/";

Json Fixture(const std::string& name) {
  auto text = ReadFile(kFixtures + name);
  EXPECT_TRUE(text.ok()) << name;
  auto j = ParseJson(text.ok() ? *text : "null");
  EXPECT_TRUE(j.ok()) << name;
  return j.ok() ? *j : Json();
}

crypto::PrivateKey Root(std::string_view seed) {
  return crypto::PrivateKey::FromBytes(crypto::Sha256(seed)).value();
}

crypto::PrivateKey Derived(const crypto::PrivateKey& root, const std::string& controller) {
  auto key = DeriveSubjectKey(root, controller);
  EXPECT_TRUE(key.ok()) << controller;
  return std::move(*key);
}

TEST(SubjectKeysTest, DerivationMatchesVectorsFromAnIndependentImplementation) {
  const Json doc = Fixture("vectors.json");
  ASSERT_GE(doc["vectors"].size(), 9u);
  for (const Json& v : doc["vectors"]) {
    auto root = crypto::PrivateKey::FromHex(v["root_secret"].get<std::string>());
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(root->public_key().Hex(), v["root_public_key"]);
    auto key = DeriveSubjectKey(*root, v["controller"].get<std::string>());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(HexEncode(key->secret()), v["secret"]) << v.dump();
    EXPECT_EQ(key->public_key().Hex(), v["public_key"]) << v.dump();
  }
}

TEST(SubjectKeysTest, TheDocumentedFormulaNothingElse) {
  const crypto::PrivateKey root = Root("formula");
  auto key = DeriveSubjectKey(root, "insurer-a");
  ASSERT_TRUE(key.ok());
  Bytes msg(root.secret().begin(), root.secret().end());
  for (char c : std::string("insurer-a")) msg.push_back(static_cast<std::uint8_t>(c));
  msg.push_back(0);
  msg.push_back(0);
  EXPECT_EQ(HexEncode(key->secret()),
            HexEncode(crypto::TaggedHash("consentd/subject-key/v1", msg)));
}

TEST(SubjectKeysTest, OneKeyPerControllerAndPerWalletTheSameEveryTime) {
  const crypto::PrivateKey root = Root("customer one");
  const crypto::PrivateKey other = Root("customer two");
  std::set<std::string> seen{root.public_key().Hex(), other.public_key().Hex()};
  for (const char* c :
       {"insurer-a", "insurer-b", "insurer-x", "ab", "a-very-long-member-id-of-32-ch"}) {
    auto k1 = DeriveSubjectKey(root, c);
    auto k2 = DeriveSubjectKey(other, c);
    ASSERT_TRUE(k1.ok() && k2.ok()) << c;
    EXPECT_TRUE(seen.insert(k1->public_key().Hex()).second) << c;
    EXPECT_TRUE(seen.insert(k2->public_key().Hex()).second) << c;
    EXPECT_EQ(DeriveSubjectKey(root, c)->public_key(), k1->public_key()) << c;
  }
  for (const char* bad :
       {"", "a", "Insurer-a", "insurer a", "insurer-a\n", "1nsurer", "zhang-san-13812345678"}) {
    auto k = DeriveSubjectKey(root, bad);
    ASSERT_FALSE(k.ok()) << bad;
    EXPECT_EQ(k.status().code(), "bad_controller") << bad;
  }
}

TEST(KeyLinkTest, TheFixtureVerifiesAndNamesItsKeys) {
  const Json doc = Fixture("key_link.json");
  auto link = VerifyKeyLink(doc, {"local-four", "regulator"});
  ASSERT_TRUE(link.ok()) << link.status().ToString();
  EXPECT_EQ(link->chain_id, "local-four");
  EXPECT_EQ(link->audience, "regulator");
  EXPECT_EQ(link->issued_at, 1767225600000);
  // The two keys are the example wallet's keys for insurer-a and insurer-b.
  const crypto::PrivateKey root = Root("consentd wallet root example");
  std::set<crypto::PublicKey> expected{DeriveSubjectKey(root, "insurer-a")->public_key(),
                                       DeriveSubjectKey(root, "insurer-b")->public_key()};
  EXPECT_EQ(std::set<crypto::PublicKey>(link->keys.begin(), link->keys.end()), expected);
  // The sign hash docs/WALLET.md prints for it.
  EXPECT_EQ(HexEncode(KeyLinkSignHash(*link)),
            "40c3e40c2808f7d15969468e820e9129a5247f446343ce3eb03ef5b66e369002");
  auto wrong_chain = VerifyKeyLink(doc, {"other-chain", std::nullopt});
  EXPECT_EQ(wrong_chain.status().code(), "link_wrong_chain");
  auto wrong_audience = VerifyKeyLink(doc, {std::nullopt, "insurer-b"});
  EXPECT_EQ(wrong_audience.status().code(), "link_wrong_audience");
}

TEST(KeyLinkTest, MadeBySeveralKeysAndVerified) {
  const crypto::PrivateKey root = Root("linker");
  std::vector<crypto::PrivateKey> keys;
  for (int i = 0; i < 16; ++i) {
    keys.push_back(Derived(root, "insurer-" + std::string(1, static_cast<char>('a' + i))));
  }
  for (std::size_t n : {std::size_t{2}, std::size_t{3}, std::size_t{16}}) {
    std::vector<const crypto::PrivateKey*> ptrs;
    for (std::size_t i = 0; i < n; ++i) ptrs.push_back(&keys[n - 1 - i]);  // any order in
    auto doc = MakeKeyLink(ptrs, "test-chain", "insurer-b", 1'000);
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    auto link = VerifyKeyLinkText(doc->dump(2), {"test-chain", "insurer-b"});
    ASSERT_TRUE(link.ok()) << link.status().ToString();
    ASSERT_EQ(link->keys.size(), n);
    for (std::size_t i = 1; i < n; ++i) EXPECT_LT(link->keys[i - 1], link->keys[i]);
  }
  auto one = MakeKeyLink({&keys[0]}, "test-chain", "regulator", 1);
  EXPECT_EQ(one.status().code(), "link_invalid");
  std::vector<const crypto::PrivateKey*> seventeen;
  for (auto& k : keys) seventeen.push_back(&k);
  seventeen.push_back(&root);
  EXPECT_EQ(MakeKeyLink(seventeen, "test-chain", "regulator", 1).status().code(), "link_invalid");
  EXPECT_EQ(MakeKeyLink({&keys[0], &keys[0]}, "test-chain", "regulator", 1).status().code(),
            "link_invalid");
  EXPECT_EQ(MakeKeyLink({&keys[0], &keys[1]}, "test-chain", "Zhang San", 1).status().code(),
            "link_invalid");
  EXPECT_EQ(MakeKeyLink({&keys[0], &keys[1]}, "test-chain", "regulator", -1).status().code(),
            "link_invalid");
}

TEST(KeyLinkTest, EveryAlterationIsRefusedWithItsReason) {
  const Json good = Fixture("key_link.json");
  const crypto::PrivateKey stranger = Root("stranger");
  const std::string stranger_key = stranger.public_key().Hex();
  struct Case {
    const char* what;
    std::function<void(Json&)> change;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"field missing", [](Json& d) { d.erase("audience"); }, "link_malformed"},
      {"field added", [](Json& d) { d["note"] = "x"; }, "link_malformed"},
      {"version 2", [](Json& d) { d["version"] = 2; }, "link_malformed"},
      {"other type", [](Json& d) { d["type"] = "consentd/tx"; }, "link_malformed"},
      {"audience as free text", [](Json& d) { d["audience"] = "Zhang San"; }, "link_malformed"},
      {"issued_at negative", [](Json& d) { d["issued_at"] = -5; }, "link_malformed"},
      {"issued_at text", [](Json& d) { d["issued_at"] = "1767225600000"; }, "link_malformed"},
      {"issued_at above 2^53", [](Json& d) { d["issued_at"] = std::uint64_t{1} << 60; },
       "link_malformed"},
      {"one key", [](Json& d) { d["keys"].erase(1); }, "link_malformed"},
      {"keys out of order", [](Json& d) { std::swap(d["keys"][0], d["keys"][1]); },
       "link_malformed"},
      {"key twice", [](Json& d) { d["keys"][1] = d["keys"][0]; }, "link_malformed"},
      {"upper-case key",
       [](Json& d) {
         std::string k = d["keys"][0];
         for (char& c : k) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         d["keys"][0] = k;
       },
       "link_malformed"},
      {"key not on the curve", [](Json& d) { d["keys"][0] = std::string(64, 'f'); },
       "link_malformed"},
      {"signature by the same key twice",
       [](Json& d) { d["signatures"].push_back(d["signatures"][0]); }, "link_malformed"},
      {"signature not hex", [](Json& d) { d["signatures"][0]["sig"] = std::string(128, 'z'); },
       "link_malformed"},
      {"signature with an extra field", [](Json& d) { d["signatures"][0]["at"] = 1; },
       "link_malformed"},
      {"signatures not an array", [](Json& d) { d["signatures"] = Json::object(); },
       "link_malformed"},
      {"a named key did not sign", [](Json& d) { d["signatures"].erase(1); },
       "link_signature_missing"},
      {"no signatures", [](Json& d) { d["signatures"] = Json::array(); }, "link_signature_missing"},
      {"signatures out of key order",
       [](Json& d) { std::swap(d["signatures"][0], d["signatures"][1]); },
       "link_signature_missing"},
      {"an unnamed key signed",
       [&](Json& d) {
         d["signatures"].push_back(Json{{"key", stranger_key}, {"sig", std::string(128, '0')}});
       },
       "link_unexpected_signer"},
      {"a third key named that did not sign",
       [&](Json& d) {
         std::vector<std::string> keys = d["keys"];
         keys.push_back(stranger_key);
         std::sort(keys.begin(), keys.end());
         d["keys"] = keys;
       },
       "link_signature_missing"},
      {"issued_at changed", [](Json& d) { d["issued_at"] = 1767225600001; }, "link_bad_signature"},
      {"audience changed", [](Json& d) { d["audience"] = "insurer-b"; }, "link_bad_signature"},
      {"signature altered",
       [](Json& d) {
         std::string s = d["signatures"][1]["sig"];
         s[10] = s[10] == '0' ? '1' : '0';
         d["signatures"][1]["sig"] = s;
       },
       "link_bad_signature"},
  };
  for (const Case& c : cases) {
    Json doc = good;
    c.change(doc);
    auto r = VerifyKeyLink(doc);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), c.code) << c.what << ": " << r.status().ToString();
  }
  EXPECT_EQ(VerifyKeyLinkText("{\"type\":").status().code(), "link_malformed");
  EXPECT_EQ(VerifyKeyLinkText("[]").status().code(), "link_malformed");
  EXPECT_EQ(VerifyKeyLinkText(std::string(kMaxKeyLinkBytes + 1, ' ')).status().code(),
            "link_malformed");
  // A malformed document is refused as malformed before any expectation is compared.
  Json both = good;
  both["version"] = 3;
  EXPECT_EQ(VerifyKeyLink(both, {"other", "other"}).status().code(), "link_malformed");
}

// The ledger's flows with derived keys: the subject key a customer uses with an insurer is the
// one derived for it; after a transfer the consent keeps the seller's key, and the customer
// withdraws and asks for their rights at the acquirer with it.
class DerivedKeysOnTheLedgerTest : public ledger::testing::ExecFixture {
 protected:
  void SetUp() override {
    Notice("insurer-a");
    Notice("insurer-b");
    const crypto::PrivateKey root = Root("carol's wallet");
    chain_.AddKey("carol@a", Derived(root, "insurer-a"));
    chain_.AddKey("carol@b", Derived(root, "insurer-b"));
  }
  Json Rights(const std::string& controller, const std::string& key) {
    return Json{{"controller", controller}, {"subject", Subject(key)}, {"kind", "access"}};
  }
};

TEST_F(DerivedKeysOnTheLedgerTest, GrantRightsTransferAndWithdrawal) {
  const Hash256 at_a = Commit(ledger::TxType::kConsentGrant,
                              chain_.GrantBody("carol@a", "insurer-a"), {"insurer-a", "carol@a"});
  const Hash256 at_b = Commit(ledger::TxType::kConsentGrant,
                              chain_.GrantBody("carol@b", "insurer-b"), {"insurer-b", "carol@b"});
  ledger::Queries q(chain_.ledger());
  // The two insurers hold different subjects: neither's key finds the other's consent.
  EXPECT_NE(chain_.SubjectHex("carol@a"), chain_.SubjectHex("carol@b"));
  for (const auto& [key, consent] : {std::pair{"carol@a", at_a}, std::pair{"carol@b", at_b}}) {
    auto page = q.SubjectConsents(*ledger::Subject::FromString("key:" + chain_.SubjectHex(key)),
                                  ledger::PageRequest{});
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->items.size(), 1u) << page->ToJson().dump();
    EXPECT_EQ(page->items[0]["id"], Hex(consent)) << page->ToJson().dump();
  }
  // A key is entitled to ask only where it holds or held a consent.
  EXPECT_EQ(Code(ledger::TxType::kRightsRequest, Rights("insurer-a", "carol@a"), {"carol@a"}),
            "ok");
  EXPECT_EQ(Code(ledger::TxType::kRightsRequest, Rights("insurer-a", "carol@b"), {"carol@b"}),
            "rights_not_entitled");
  // insurer-a's portfolio moves to insurer-b; carol's consent keeps the key it was granted under.
  const std::int64_t effective = chain_.next_time() + ledger::testing::kDay;
  Commit(ledger::TxType::kPortfolioTransfer,
         Json{{"transferor", "insurer-a"},
              {"transferee", "insurer-b"},
              {"consents", {Hex(at_a)}},
              {"effective_at", effective},
              {"notice_hash", Hex(ledger::testing::HashOf("new owner"))},
              {"approval_ref_hash", Hex(ledger::testing::HashOf("approval"))}},
         {"insurer-a", "insurer-b"});
  chain_.SetNextTime(effective + 1000);
  ASSERT_TRUE(chain_.Tick().ok());
  EXPECT_EQ((*ledger::Queries(chain_.ledger()).Consent(at_a).value())["controller"], "insurer-b");
  EXPECT_EQ(Code(ledger::TxType::kRightsRequest, Rights("insurer-b", "carol@a"), {"carol@a"}),
            "ok");
  EXPECT_EQ(Code(ledger::TxType::kConsentWithdraw, Json{{"consent_id", Hex(at_a)}}, {"carol@a"}),
            "ok");
  // The other key cannot withdraw it, though it is carol's too: the ledger knows keys only.
  EXPECT_EQ(Code(ledger::TxType::kConsentWithdraw, Json{{"consent_id", Hex(at_b)}}, {"carol@a"}),
            "tx_missing_signature");
  // To show insurer-b both keys are one customer's, carol links them.
  auto link = MakeKeyLink({&chain_.Key("carol@a"), &chain_.Key("carol@b")}, chain_.chain_id(),
                          "insurer-b", chain_.next_time());
  ASSERT_TRUE(link.ok());
  auto checked = VerifyKeyLink(*link, {chain_.chain_id(), "insurer-b"});
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_EQ(checked->keys.size(), 2u);
}

}  // namespace
}  // namespace consentd::wallet
