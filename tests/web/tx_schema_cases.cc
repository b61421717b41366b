// Prints, as JSON, bodies of every transaction type with what the ledger's parser answers for
// each: {"cases": [{"type", "body", "code", "message"}]} ("ok" and "" when it accepts). Each
// fixture body (ledger/testing/tx_fixtures.h) is tried as is and with each declared field
// removed, null, and replaced by a value of each JSON kind, with an unknown field added, and
// in a few shapes that break each cross-field rule. tests/web/schema_parity.mjs holds the web
// verifier (web/src/js/schema.js) to the same answers, word for word.
#include <cstdio>
#include <string>

#include "common/hex.h"
#include "common/json.h"
#include "crypto/sha256.h"
#include "ledger/testing/tx_fixtures.h"
#include "ledger/tx_body.h"
#include "ledger/tx_decl.h"

namespace consentd {
namespace {

using ledger::TxType;

const std::string kKey = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

void Add(Json& cases, TxType type, const Json& body) {
  const auto parsed = ledger::ParseBody(type, body);
  cases.push_back(Json{{"type", ledger::ToString(type)},
                       {"body", body},
                       {"code", parsed.ok() ? "ok" : parsed.status().code()},
                       {"message", parsed.ok() ? "" : parsed.status().message()}});
}

int Run() {
  const std::string hash = HexEncode(crypto::Sha256("document"));
  const Json values = Json::array({nullptr, 5, -1, true, false, "insurer-b", "Zhang San",
                                   std::string(64, 'a'), kKey, hash, Json::array(),
                                   Json::array({"Contact"}), Json::array({"Contact", "Contact"}),
                                   Json::object(), Json{{"key", kKey}}, Json{{"ref", hash}}});
  Json cases = Json::array();
  for (const ledger::TxDecl& d : ledger::TxDecls()) {
    const Json base = ledger::testing::FixtureBody(d.type, hash, kKey);
    Add(cases, d.type, base);
    Json extra = base;
    extra["name"] = "Zhang San";
    Add(cases, d.type, extra);
    Add(cases, d.type, Json::array());
    for (const ledger::FieldDecl& f : d.fields) {
      Json without = base;
      without.erase(std::string(f.name));
      Add(cases, d.type, without);
      for (const Json& v : values) {
        Json changed = base;
        changed[std::string(f.name)] = v;
        Add(cases, d.type, changed);
      }
    }
  }
  // Shapes the rules are about, each field valid.
  Json grant = ledger::testing::FixtureBody(TxType::kConsentGrant, hash, kKey);
  Json ref_grant = grant;
  ref_grant["subject"] = Json{{"ref", hash}};
  Add(cases, TxType::kConsentGrant, ref_grant);
  ref_grant["evidence_hash"] = hash;
  Add(cases, TxType::kConsentGrant, ref_grant);
  ref_grant["delegate"] = kKey;
  Add(cases, TxType::kConsentGrant, ref_grant);
  grant["evidence_hash"] = hash;
  Add(cases, TxType::kConsentGrant, grant);
  grant.erase("evidence_hash");
  grant["agreement"] = hash;
  Add(cases, TxType::kConsentGrant, grant);
  grant["jurisdictions"] = Json::array({"SG"});
  Add(cases, TxType::kConsentGrant, grant);
  Json transfer = ledger::testing::FixtureBody(TxType::kPortfolioTransfer, hash, kKey);
  transfer["consents"] = Json::array({hash});
  Add(cases, TxType::kPortfolioTransfer, transfer);
  transfer.erase("all_consents");
  Add(cases, TxType::kPortfolioTransfer, transfer);
  transfer.erase("consents");
  Add(cases, TxType::kPortfolioTransfer, transfer);
  transfer["transferee"] = "insurer-a";
  Add(cases, TxType::kPortfolioTransfer, transfer);
  Json fulfil = ledger::testing::FixtureBody(TxType::kRightsFulfil, hash, kKey);
  fulfil["reason"] = "manifestly_unfounded";
  Add(cases, TxType::kRightsFulfil, fulfil);
  fulfil["outcome"] = "refused";
  Add(cases, TxType::kRightsFulfil, fulfil);
  fulfil.erase("reason");
  Add(cases, TxType::kRightsFulfil, fulfil);
  Json request = ledger::testing::FixtureBody(TxType::kRightsRequest, hash, kKey);
  request["evidence_hash"] = hash;
  Add(cases, TxType::kRightsRequest, request);
  request["subject"] = Json{{"ref", hash}};
  Add(cases, TxType::kRightsRequest, request);
  request.erase("evidence_hash");
  Add(cases, TxType::kRightsRequest, request);
  Json update{{"member", "insurer-b"}};
  Add(cases, TxType::kMemberUpdate, update);
  update["jurisdiction"] = nullptr;
  Add(cases, TxType::kMemberUpdate, update);
  update["reinstate"] = true;
  Add(cases, TxType::kMemberUpdate, update);
  Json sharing = ledger::testing::FixtureBody(TxType::kSharingRecord, hash, kKey);
  sharing["recipient"] = sharing["sender"];
  Add(cases, TxType::kSharingRecord, sharing);
  std::puts(Json{{"cases", std::move(cases)}}.dump().c_str());
  return 0;
}

}  // namespace
}  // namespace consentd

int main() { return consentd::Run(); }
