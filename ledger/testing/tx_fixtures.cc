#include "ledger/testing/tx_fixtures.h"

#include <iterator>
#include <string_view>
#include <utility>

#include "common/hex.h"
#include "ledger/tx.h"

namespace consentd::ledger::testing {

Json FixtureGrantBody(const std::string& controller, const std::string& subject_key_hex,
                      std::int64_t valid_from, std::int64_t valid_until) {
  return Json{{"controller", controller},
              {"subject", {{"key", subject_key_hex}}},
              {"purposes", {"ClaimsHandling"}},
              {"categories", {"Contact"}},
              {"recipients", Json::array()},
              {"jurisdictions", Json::array()},
              {"separate", false},
              {"notice", {{"notice_id", kFixtureNoticeId}, {"version", 1}}},
              {"collection_method", "app"},
              {"valid_from", valid_from},
              {"valid_until", valid_until}};
}

Json SignTxJson(Json unsigned_tx, const std::vector<const crypto::PrivateKey*>& keys,
                const FixedBytes<32>* aux) {
  const Hash256 msg = Tx::SignHash(unsigned_tx);
  Json signatures = Json::array();
  for (const crypto::PrivateKey* k : keys) {
    const crypto::SignatureBytes sig = aux != nullptr ? k->SignWithAux(msg, *aux) : k->Sign(msg);
    signatures.push_back(Json{{"key", k->public_key().Hex()}, {"sig", HexEncode(sig)}});
  }
  unsigned_tx["signatures"] = std::move(signatures);
  return unsigned_tx;
}

namespace {

constexpr std::pair<TxType, std::string_view> kBodies[] = {
    {TxType::kMemberRegister,
     R"({"jurisdiction":"CN","keys":["$K"],"member":"insurer-z","roles":["insurer"]})"},
    {TxType::kMemberUpdate, R"({"member":"insurer-z","validator_key":null})"},
    {TxType::kMemberSuspend, R"({"member":"insurer-z","reason":"breach"})"},
    {TxType::kNoticePublish,
     R"({"controller":"insurer-a","notice_hash":"$H","notice_id":"5f0c3a9e21d84b7c96e1a2b3c4d5e6f7","version":2})"},
    {TxType::kConsentGrant,
     R"({"categories":["Contact","Financial"],"collection_method":"app",)"
     R"("controller":"insurer-a","jurisdictions":[],"notice":{"notice_id":"5f0c3a9e21d84b7c96e1a2b3c4d5e6f7",)"
     R"("version":1},"purposes":["ClaimsHandling"],"recipients":[],"separate":false,)"
     R"("subject":{"key":"$K"},"valid_from":1767225600000,"valid_until":1830297600000})"},
    {TxType::kConsentWithdraw, R"({"consent_id":"$H"})"},
    {TxType::kConsentRevoke, R"({"consent_id":"$H","reason":"purpose_met"})"},
    {TxType::kAgreementCreate,
     R"({"categories":["Contact"],"destinations":["SG"],"exporter":"insurer-a",)"
     R"("filing_ref_hash":"$H","importer":"insurer-x","mechanism":"standard-contract",)"
     R"("purposes":["ClaimsHandling"],"valid_from":0,"valid_until":1})"},
    {TxType::kAgreementActivate, R"({"agreement_id":"$H"})"},
    {TxType::kAgreementSuspend, R"({"agreement_id":"$H","reason":"regulator_order"})"},
    {TxType::kAgreementTerminate, R"({"agreement_id":"$H","reason":"expired"})"},
    {TxType::kPortfolioTransfer,
     R"({"all_consents":true,"effective_at":5,"notice_hash":"$H","transferee":"insurer-b",)"
     R"("transferor":"insurer-a"})"},
    {TxType::kSharingRecord,
     R"({"categories":["Contact"],"destination":"CN","legal_basis":"consent",)"
     R"("purpose":"ClaimsHandling","recipient":"processor","sender":"insurer-a",)"
     R"("shared_at":7,"subject":{"ref":"$H"}})"},
    {TxType::kRightsRequest,
     R"({"controller":"insurer-a","kind":"delete","subject":{"key":"$K"}})"},
    {TxType::kRightsFulfil, R"({"attestation_hash":"$H","outcome":"fulfilled","request_id":"$H"})"},
    {TxType::kIncidentReport,
     R"({"affected_commitment":"$H","affected_count":3,"categories":["Contact"],)"
     R"("cause":"malware","controller":"insurer-a","detected_at":1,"harms":["low"],)"
     R"("notice_hash":"$H","remedies":["contained"]})"},
    {TxType::kTransferPropose,
     R"({"acquirer":"insurer-b","all_consents":true,"effective_at":9,"manifest_hash":"$H",)"
     R"("notice_hash":"$H","objection_until":8,"seller":"insurer-a"})"},
    {TxType::kTransferApprove, R"({"approval_ref_hash":"$H","transfer_id":"$H"})"},
    {TxType::kTransferObject, R"({"subject":{"key":"$K"},"transfer_id":"$H"})"},
    {TxType::kTransferCancel, R"({"reason":"parties_withdrew","transfer_id":"$H"})"},
    {TxType::kTransferComplete, R"({"transfer_id":"$H"})"},
    {TxType::kTransferNotify,
     R"({"deliveries":2,"deliveries_root":"$H","delivered_until":7,"transfer_id":"$H"})"},
    {TxType::kTransferAttest, R"({"backups":"scheduled","backups_purge_by":20,"deleted_hash":"$H",)"
                              R"("retained_categories":["Financial"],"retained_until":30,)"
                              R"("retention_basis":"statutory_retention","transfer_id":"$H"})"},
    {TxType::kIncidentUpdate,
     R"({"affected_count":5,"incident_id":"$H","remedies":["system_patched"],)"
     R"("subjects_notified_at":4})"},
    {TxType::kEntrustmentCreate,
     R"({"categories":["Contact"],"contract_hash":"$H","controller":"insurer-a",)"
     R"("processor":"processor","purposes":["ClaimsHandling"],"valid_from":1,"valid_until":9})"},
    {TxType::kEntrustmentTerminate, R"({"entrustment_id":"$H","reason":"party_request"})"},
    {TxType::kAssessmentRecord,
     R"({"assessment_hash":"$H","controller":"insurer-a","scopes":["sensitive","entrusted"],)"
     R"("valid_from":1,"valid_until":9})"},
};
static_assert(std::size(kBodies) == kTxTypeCount);

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

}  // namespace

std::string_view FixtureBodyTemplate(TxType type) {
  return kBodies[static_cast<std::size_t>(type)].second;
}

Json FixtureBody(TxType type, const std::string& hash_hex, const std::string& key_hex) {
  std::string text = ReplaceAll(std::string(FixtureBodyTemplate(type)), "$H", hash_hex);
  return Json::parse(ReplaceAll(std::move(text), "$K", key_hex));
}

}  // namespace consentd::ledger::testing
