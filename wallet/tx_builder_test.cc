#include "wallet/tx_builder.h"

#include <gtest/gtest.h>

#include <string>

namespace consentd::wallet {
namespace {

using ledger::TxType;

const std::string kKey1 = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const std::string kHash = std::string(64, 'a');

std::map<std::string, std::string> Grant() {
  return {{"controller", "insurer-a"},
          {"subject", "key:" + kKey1},
          {"purposes", "ClaimsHandling"},
          {"categories", "Contact,Financial"},
          {"notice", "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7:1"},
          {"collection_method", "app"},
          {"valid_from", "2026-01-01T00:00:00Z"},
          {"valid_until", "1830297600000"}};
}

TEST(TxBuilder, TextFormsComeFromTheDeclarations) {
  const ledger::TxDecl& update = ledger::DeclOf(TxType::kMemberUpdate);
  EXPECT_EQ(TextFormOf(*update.Find("roles")), "code list");
  EXPECT_EQ(TextFormOf(*update.Find("validator_key")), "key or none");
  EXPECT_EQ(TextFormOf(*ledger::DeclOf(TxType::kRightsFulfil).Find("outcome")),
            "fulfilled|refused");
  EXPECT_EQ(TextFormOf(*ledger::DeclOf(TxType::kConsentGrant).Find("notice")), "notice:version");
}

TEST(TxBuilder, BuildsAGrantWithDefaultsAndTimeForms) {
  auto body = BuildBody(TxType::kConsentGrant, Grant());
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["subject"]["key"], kKey1);
  EXPECT_EQ((*body)["categories"], Json({"Contact", "Financial"}));
  EXPECT_EQ((*body)["recipients"], Json::array());
  EXPECT_EQ((*body)["separate"], false);
  EXPECT_EQ((*body)["notice"],
            Json({{"notice_id", "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7"}, {"version", 1}}));
  EXPECT_EQ((*body)["valid_from"], 1767225600000);
  EXPECT_EQ((*body)["valid_until"], 1830297600000);
  EXPECT_FALSE(body->contains("agreement"));
}

TEST(TxBuilder, VocabularyIsCheckedBeforeSigning) {
  auto fields = Grant();
  fields["purposes"] = "Marketing,NotAPurpose";
  EXPECT_EQ(BuildBody(TxType::kConsentGrant, fields).status().code(), "tx_invalid_code");
  fields = Grant();
  fields["collection_method"] = "carrier-pigeon";
  EXPECT_EQ(BuildBody(TxType::kConsentGrant, fields).status().code(), "tx_invalid_code");
}

TEST(TxBuilder, UsageErrorsNameTheField) {
  auto fields = Grant();
  fields.erase("valid_until");
  auto r = BuildBody(TxType::kConsentGrant, fields);
  EXPECT_EQ(r.status().code(), "usage");
  EXPECT_NE(r.status().message().find("valid_until"), std::string::npos);
  fields = Grant();
  fields["colour"] = "blue";
  EXPECT_EQ(BuildBody(TxType::kConsentGrant, fields).status().code(), "usage");
  fields = Grant();
  fields["separate"] = "yes";
  EXPECT_EQ(BuildBody(TxType::kConsentGrant, fields).status().code(), "usage");
  fields = Grant();
  fields["subject"] = "customer-1";
  EXPECT_EQ(BuildBody(TxType::kConsentGrant, fields).status().code(), "usage");
  fields = Grant();
  fields["valid_from"] = "2026-13-01T00:00:00Z";
  EXPECT_EQ(BuildBody(TxType::kConsentGrant, fields).status().code(), "usage");
  fields = Grant();
  fields["notice"] = "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7:one";
  EXPECT_EQ(BuildBody(TxType::kConsentGrant, fields).status().code(), "usage");
}

TEST(TxBuilder, SchemaValuesAreTheLedgersToJudge) {
  auto fields = Grant();
  fields["subject"] = "key:" + std::string(64, 'g');
  EXPECT_FALSE(BuildBody(TxType::kConsentGrant, fields).ok());
  EXPECT_EQ(BuildBody(TxType::kConsentWithdraw, {{"consent_id", "ABC"}}).status().code(),
            "tx_invalid_value");
}

TEST(TxBuilder, ParseTime) {
  EXPECT_EQ(ParseTime("0").value(), 0);
  EXPECT_EQ(ParseTime("1970-01-01T00:00:01.250Z").value(), 1250);
  EXPECT_EQ(ParseTime("2026-01-01T00:00:00Z").value(), 1767225600000);
  for (const char* bad :
       {"", "-5", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00+08:00",
        "2026-01-01T00:00:00.5Z", "tomorrow", "99999999999999999999"}) {
    EXPECT_EQ(ParseTime(bad).status().code(), "usage") << bad;
  }
}

// A valid body of every type builds from text; each type's minimal required fields.
TEST(TxBuilder, EveryTypeBuildsFromText) {
  const std::map<TxType, std::map<std::string, std::string>> cases = {
      {TxType::kMemberRegister,
       {{"member", "insurer-z"}, {"roles", "insurer"}, {"keys", kKey1}, {"jurisdiction", "CN"}}},
      {TxType::kMemberUpdate, {{"member", "insurer-z"}, {"validator_key", "none"}}},
      {TxType::kMemberSuspend, {{"member", "insurer-z"}, {"reason", "breach"}}},
      {TxType::kNoticePublish,
       {{"controller", "insurer-a"},
        {"notice_id", "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7"},
        {"version", "2"},
        {"notice_hash", kHash}}},
      {TxType::kConsentGrant, Grant()},
      {TxType::kConsentWithdraw, {{"consent_id", kHash}}},
      {TxType::kConsentRevoke, {{"consent_id", kHash}, {"reason", "purpose_met"}}},
      {TxType::kAgreementCreate,
       {{"exporter", "insurer-a"},
        {"importer", "insurer-x"},
        {"mechanism", "standard-contract"},
        {"filing_ref_hash", kHash},
        {"destinations", "SG"},
        {"purposes", "ClaimsHandling"},
        {"categories", "Contact"},
        {"valid_from", "0"},
        {"valid_until", "1"}}},
      {TxType::kAgreementActivate, {{"agreement_id", kHash}}},
      {TxType::kAgreementSuspend, {{"agreement_id", kHash}, {"reason", "regulator_order"}}},
      {TxType::kAgreementTerminate, {{"agreement_id", kHash}, {"reason", "expired"}}},
      {TxType::kPortfolioTransfer,
       {{"transferor", "insurer-a"},
        {"transferee", "insurer-b"},
        {"all_consents", "true"},
        {"effective_at", "5"},
        {"notice_hash", kHash}}},
      {TxType::kSharingRecord,
       {{"sender", "insurer-a"},
        {"recipient", "processor"},
        {"subject", "ref:" + kHash},
        {"purpose", "ClaimsHandling"},
        {"categories", "Contact"},
        {"destination", "CN"},
        {"legal_basis", "consent"},
        {"shared_at", "7"}}},
      {TxType::kRightsRequest,
       {{"controller", "insurer-a"}, {"subject", "key:" + kKey1}, {"kind", "delete"}}},
      {TxType::kRightsFulfil,
       {{"request_id", kHash}, {"outcome", "fulfilled"}, {"attestation_hash", kHash}}},
      {TxType::kIncidentReport,
       {{"controller", "insurer-a"},
        {"detected_at", "1"},
        {"categories", "Contact"},
        {"cause", "malware"},
        {"harms", "low"},
        {"remedies", "contained"},
        {"affected_count", "3"},
        {"affected_commitment", kHash},
        {"notice_hash", kHash}}},
      {TxType::kTransferPropose,
       {{"seller", "insurer-a"},
        {"acquirer", "insurer-b"},
        {"all_consents", "true"},
        {"effective_at", "9"},
        {"objection_until", "8"},
        {"manifest_hash", kHash},
        {"notice_hash", kHash}}},
      {TxType::kTransferApprove, {{"transfer_id", kHash}, {"approval_ref_hash", kHash}}},
      {TxType::kTransferObject, {{"transfer_id", kHash}, {"subject", "key:" + kKey1}}},
      {TxType::kTransferCancel, {{"transfer_id", kHash}, {"reason", "parties_withdrew"}}},
      {TxType::kTransferComplete, {{"transfer_id", kHash}}},
      {TxType::kTransferNotify,
       {{"transfer_id", kHash},
        {"deliveries_root", kHash},
        {"deliveries", "2"},
        {"delivered_until", "7"}}},
      {TxType::kTransferAttest,
       {{"transfer_id", kHash},
        {"deleted_hash", kHash},
        {"retained_categories", "Financial"},
        {"retained_until", "30"},
        {"retention_basis", "statutory_retention"},
        {"backups", "scheduled"},
        {"backups_purge_by", "20"}}},
      {TxType::kIncidentUpdate, {{"incident_id", kHash}, {"affected_count", "5"}}},
      {TxType::kEntrustmentCreate,
       {{"controller", "insurer-a"},
        {"processor", "processor"},
        {"purposes", "ClaimsHandling"},
        {"categories", "Contact"},
        {"contract_hash", kHash},
        {"valid_from", "1"},
        {"valid_until", "9"}}},
      {TxType::kEntrustmentTerminate, {{"entrustment_id", kHash}, {"reason", "party_request"}}},
      {TxType::kAssessmentRecord,
       {{"controller", "insurer-a"},
        {"assessment_hash", kHash},
        {"scopes", "sensitive,entrusted"},
        {"valid_from", "1"},
        {"valid_until", "9"}}},
  };
  EXPECT_EQ(cases.size(), static_cast<std::size_t>(ledger::kTxTypeCount));
  for (const auto& [type, fields] : cases) {
    auto body = BuildBody(type, fields);
    EXPECT_TRUE(body.ok()) << ledger::ToString(type) << ": " << body.status().ToString();
  }
}

}  // namespace
}  // namespace consentd::wallet
