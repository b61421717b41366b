// No personal data by construction: every transaction body is a whitelist. For each type, a
// valid body parses, and the same body with any extra field (at the top or inside a nested
// object) is rejected with tx_unknown_field before it could reach a block.

#include <gtest/gtest.h>

#include "common/hex.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

using testing::HashOf;
using testing::kGenesisTime;
using testing::kYear;
using testing::TestChain;

std::string H(std::string_view s) { return HexEncode(HashOf(s)); }

std::map<TxType, Json> ValidBodies(TestChain& chain) {
  const std::string key = chain.Key("someone").public_key().Hex();
  const Json subject{{"key", key}};
  return {
      {TxType::kMemberRegister, Json{{"member", "insurer-c"},
                                     {"roles", {"insurer"}},
                                     {"keys", {key}},
                                     {"jurisdiction", "CN"}}},
      {TxType::kMemberUpdate, Json{{"member", "insurer-c"}, {"jurisdiction", "HK"}}},
      {TxType::kMemberSuspend, Json{{"member", "insurer-c"}, {"reason", "breach"}}},
      {TxType::kNoticePublish, chain.PublishNotice()},
      {TxType::kConsentGrant, chain.GrantBody("someone")},
      {TxType::kConsentWithdraw, Json{{"consent_id", H("c")}}},
      {TxType::kConsentRevoke, Json{{"consent_id", H("c")}, {"reason", "purpose_met"}}},
      {TxType::kAgreementCreate, Json{{"exporter", "insurer-a"},
                                      {"importer", "insurer-x"},
                                      {"mechanism", "scc"},
                                      {"filing_ref_hash", H("f")},
                                      {"destinations", {"SG"}},
                                      {"purposes", {"Reinsurance"}},
                                      {"categories", {"Contact"}},
                                      {"valid_from", kGenesisTime},
                                      {"valid_until", kGenesisTime + kYear}}},
      {TxType::kAgreementActivate, Json{{"agreement_id", H("a")}}},
      {TxType::kAgreementSuspend, Json{{"agreement_id", H("a")}, {"reason", "breach"}}},
      {TxType::kAgreementTerminate, Json{{"agreement_id", H("a")}, {"reason", "breach"}}},
      {TxType::kPortfolioTransfer, Json{{"transferor", "insurer-a"},
                                        {"transferee", "insurer-b"},
                                        {"all_consents", true},
                                        {"effective_at", kGenesisTime},
                                        {"notice_hash", H("n")}}},
      {TxType::kSharingRecord, Json{{"sender", "insurer-a"},
                                    {"recipient", "processor"},
                                    {"subject", subject},
                                    {"purpose", "ClaimsHandling"},
                                    {"categories", {"Contact"}},
                                    {"destination", "CN"},
                                    {"legal_basis", "consent"},
                                    {"shared_at", kGenesisTime}}},
      {TxType::kRightsRequest,
       Json{{"controller", "insurer-a"}, {"subject", subject}, {"kind", "delete"}}},
      {TxType::kRightsFulfil,
       Json{{"request_id", H("r")}, {"outcome", "fulfilled"}, {"attestation_hash", H("x")}}},
      {TxType::kIncidentReport, Json{{"controller", "insurer-a"},
                                     {"detected_at", kGenesisTime},
                                     {"categories", {"Contact"}},
                                     {"cause", "malware"},
                                     {"harms", {"low"}},
                                     {"remedies", {"contained"}},
                                     {"affected_count", 1},
                                     {"affected_commitment", H("ac")},
                                     {"notice_hash", H("n")}}},
  };
}

// Every path to a JSON object inside `j`, including the root ("").
void ObjectPaths(const Json& j, const std::string& path, std::vector<std::string>* out) {
  if (!j.is_object()) return;
  out->push_back(path);
  for (auto it = j.begin(); it != j.end(); ++it)
    ObjectPaths(it.value(), path + "/" + it.key(), out);
}

TEST(SchemaTest, EveryTypeIsAWhitelist) {
  TestChain chain;
  const auto bodies = ValidBodies(chain);
  ASSERT_EQ(bodies.size(), static_cast<std::size_t>(kTxTypeCount));
  for (const auto& [type, body] : bodies) {
    SCOPED_TRACE(ToString(type));
    auto ok = chain.TryMake(type, body, {"insurer-a"});
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    std::vector<std::string> paths;
    ObjectPaths(body, "", &paths);
    for (const std::string& path : paths) {
      for (const char* field : {"name", "phone", "id_card_number", "address", "note"}) {
        Json with = body;
        with[Json::json_pointer(path)][field] = "Zhang San, 13800138000";
        auto r = chain.TryMake(type, with, {"insurer-a"});
        ASSERT_FALSE(r.ok()) << path << "/" << field;
        EXPECT_EQ(r.status().code(), "tx_unknown_field") << path << "/" << field;
      }
    }
  }
}

TEST(SchemaTest, CodesAreNotFreeText) {
  TestChain chain;
  Json b = chain.GrantBody("someone");
  b["purposes"] = {"ClaimsHandling for Zhang San"};
  EXPECT_EQ(chain.TryMake(TxType::kConsentGrant, b, {"insurer-a"}).status().code(),
            "tx_invalid_code");
  b = chain.GrantBody("someone");
  b["recipients"] = {"Dr. Wang's clinic"};
  EXPECT_EQ(chain.TryMake(TxType::kConsentGrant, b, {"insurer-a"}).status().code(),
            "tx_invalid_value");
}

}  // namespace
}  // namespace consentd::ledger
