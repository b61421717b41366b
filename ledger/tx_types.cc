// The transaction types: one declaration each (ledger/tx_decl.h). Fields are read, and their
// errors reported, in the order written here; rules run after the fields, in the order written.
// Adding a type: a body struct and TxType in tx_body.h, its declaration here, its execution rule
// in ledger/exec/, its tests (docs/DEVELOPMENT.md, "Adding a transaction type").

#include "ledger/tx_decl_builder.h"

namespace consentd::ledger {
namespace {

using namespace decl;  // NOLINT(google-build-using-namespace): the declarations' own vocabulary

constexpr std::string_view kGovernance = "the governance threshold of distinct active members";
constexpr std::string_view kPurposes = "purposes (docs/VOCABULARY.md: purposes)";
constexpr std::string_view kCategories = "data categories (docs/VOCABULARY.md: categories)";
constexpr std::string_view kJurisdiction = "ISO 3166-1 alpha-2 code (docs/VOCABULARY.md)";
constexpr std::string_view kSuspendReason = "docs/VOCABULARY.md: suspend reasons";
constexpr std::string_view kSubjectDoc = "the customer: key:<hex> (their wallet) or ref:<hex>";
constexpr std::string_view kTransferNotice = "hash of the notice to the subjects";

// Fields several types declare alike.
FieldDecl PurposesField() { return Codes("purposes", vocab::Purposes(), 1, kMaxCodes, kPurposes); }
FieldDecl CategoriesField() {
  return Codes("categories", vocab::Categories(), 1, kMaxCodes, kCategories);
}
FieldDecl ValidFrom() { return Time("valid_from", "start of validity"); }
FieldDecl ValidUntil() { return Time("valid_until", "end of validity"); }
FieldDecl RegulatorNotifiedAt() {
  return Optional(Time("regulator_notified_at", "when the regulator was told"));
}
FieldDecl SubjectsNotifiedAt() {
  return Optional(Time("subjects_notified_at", "when the subjects were told"));
}

// Shared by the transfer types: the transfer a step names, and the choice of scope.
FieldDecl TransferIdField() { return Hash("transfer_id", "the transfer.propose tx id"); }
RuleDecl OneScope() {
  return ExactlyOneOf("consents", "all_consents",
                      "name the consents: exactly one of body.consents or body.all_consents");
}

std::vector<TxDecl> Declare() {
  const auto roles_max = static_cast<std::int64_t>(vocab::Roles().codes().size());
  std::vector<TxDecl> d;

  d.push_back(
      BodyDecl<MemberRegister>(TxType::kMemberRegister, "member.register", kGovernance)
          .Field(&MemberRegister::member, Identifier("member", "the new member's id"))
          .Field(&MemberRegister::roles,
                 Codes("roles", vocab::Roles(), 1, roles_max,
                       "insurer, regulator, auditor, processor (docs/VOCABULARY.md: roles)"))
          .Field(&MemberRegister::keys, Keys("keys", 1, kMaxKeys, "the member's signing keys"))
          .Field(&MemberRegister::jurisdiction,
                 Code("jurisdiction", vocab::Jurisdictions(), kJurisdiction))
          .Field(&MemberRegister::validator_key,
                 Optional(Key("validator_key", "node key joining the validator set")))
          .Build());

  d.push_back(
      BodyDecl<MemberUpdate>(TxType::kMemberUpdate, "member.update", kGovernance)
          .Field(&MemberUpdate::member, Identifier("member", "the member's id"))
          .Field(&MemberUpdate::roles,
                 Optional(Codes("roles", vocab::Roles(), 1, roles_max, "the new roles")))
          .Field(&MemberUpdate::keys,
                 Optional(Keys("keys", 1, kMaxKeys, "the new signing keys (replace the old)")))
          .Field(&MemberUpdate::jurisdiction,
                 Optional(Code("jurisdiction", vocab::Jurisdictions(), kJurisdiction)))
          .Field(&MemberUpdate::validator_key,
                 Nullable(Key("validator_key", "the new node key; null removes it")))
          .Field(&MemberUpdate::reinstate, True("reinstate", "true lifts a suspension"))
          .Rule(AtLeastOneOf({"roles", "keys", "jurisdiction", "validator_key", "reinstate"},
                             "member.update must change at least one field"))
          .Build());

  d.push_back(
      BodyDecl<MemberSuspend>(TxType::kMemberSuspend, "member.suspend",
                              "one active regulator (for a non-regulator member), or the "
                              "governance threshold")
          .Field(&MemberSuspend::member, Identifier("member", "the member's id"))
          .Field(&MemberSuspend::reason, Code("reason", vocab::SuspendReasons(), kSuspendReason))
          .Build());

  d.push_back(
      BodyDecl<NoticePublish>(TxType::kNoticePublish, "notice.publish", "the controller")
          .Field(&NoticePublish::controller,
                 Identifier("controller", "the insurer publishing the notice"))
          .Field(&NoticePublish::notice_id,
                 NoticeId("notice_id", "the notice's random 128-bit id, 32 hex digits"))
          .Field(&NoticePublish::version,
                 Int("version", 1, kMaxNoticeVersion, "version, higher than the last"))
          .Field(&NoticePublish::notice_hash, Hash("notice_hash", "SHA-256 of the notice document"))
          .Build());

  d.push_back(
      BodyDecl<ConsentGrant>(TxType::kConsentGrant, "consent.grant",
                             "the controller, and the subject's key (or its delegate's) for a key "
                             "subject; for a ref subject the controller alone with evidence_hash")
          .Field(&ConsentGrant::controller,
                 Identifier("controller", "the insurer receiving consent"))
          .Field(&ConsentGrant::subject, SubjectField("subject", kSubjectDoc))
          .Field(&ConsentGrant::purposes, PurposesField())
          .Field(&ConsentGrant::categories, CategoriesField())
          .Field(&ConsentGrant::recipients,
                 Default(Identifiers("recipients", 0, kMaxCodes,
                                     "third-party member ids (none: the controller only)"),
                         "-"))
          .Field(&ConsentGrant::jurisdictions,
                 Default(Codes("jurisdictions", vocab::Jurisdictions(), 0, kMaxCodes,
                               "destinations abroad (none: domestic only)"),
                         "-"))
          .Field(&ConsentGrant::agreement,
                 Optional(Hash("agreement", "the cross-border agreement's id")))
          .Field(
              &ConsentGrant::separate,
              Default(Bool("separate", "separate consent (sensitive data, a third party, abroad)"),
                      "false"))
          .Field(&ConsentGrant::notice,
                 Notice("notice", "the published notice shown: <notice_id>:<version>"))
          .Field(&ConsentGrant::collection_method,
                 Code("collection_method", vocab::CollectionMethods(),
                      "app, in_person, paper, phone, web (docs/VOCABULARY.md)"))
          .Field(&ConsentGrant::valid_from, ValidFrom())
          .Field(&ConsentGrant::valid_until, ValidUntil())
          .Field(&ConsentGrant::supersedes,
                 Optional(Hash("supersedes", "the consent id this grant renews")))
          .Field(&ConsentGrant::delegate,
                 Optional(Key("delegate", "guardian or agent key that signs for the subject")))
          .Field(&ConsentGrant::evidence_hash,
                 Optional(Hash("evidence_hash", "ref subjects: hash of the controller's evidence")))
          .Rule(Forbidden("evidence_hash", When::kKeySubject,
                          "body.evidence_hash is only for ref subjects (key subjects sign)"))
          .Rule(Required("evidence_hash", When::kRefSubject, Reason::kTxMissingField,
                         "a ref subject needs body.evidence_hash"))
          .Rule(Forbidden("delegate", When::kRefSubject, "body.delegate is only for key subjects"))
          .Rule(Forbidden("agreement", When::kEmpty,
                          "body.agreement is only for cross-border grants", "jurisdictions"))
          .Build());

  d.push_back(BodyDecl<ConsentWithdraw>(
                  TxType::kConsentWithdraw, "consent.withdraw",
                  "the subject (or its delegate) alone; for a ref subject the current controller "
                  "with evidence_hash")
                  .Field(&ConsentWithdraw::consent_id, Hash("consent_id", "the grant's tx id"))
                  .Field(&ConsentWithdraw::evidence_hash,
                         Optional(Hash("evidence_hash", "ref subjects: hash of the evidence")))
                  .Build());

  d.push_back(BodyDecl<ConsentRevoke>(TxType::kConsentRevoke, "consent.revoke",
                                      "the current controller or any active regulator")
                  .Field(&ConsentRevoke::consent_id, Hash("consent_id", "the grant's tx id"))
                  .Field(&ConsentRevoke::reason, Code("reason", vocab::RevokeReasons(),
                                                      "docs/VOCABULARY.md: revoke reasons"))
                  .Build());

  d.push_back(
      BodyDecl<AgreementCreate>(TxType::kAgreementCreate, "agreement.create",
                                "exporter and importer")
          .Field(&AgreementCreate::exporter, Identifier("exporter", "the exporting insurer"))
          .Field(&AgreementCreate::importer, Identifier("importer", "the importing member"))
          .Field(&AgreementCreate::mechanism,
                 Code("mechanism", vocab::Mechanisms(), "docs/VOCABULARY.md: mechanisms"))
          .Field(&AgreementCreate::filing_ref_hash,
                 Hash("filing_ref_hash", "hash of the filing reference"))
          .Field(&AgreementCreate::destinations,
                 Codes("destinations", vocab::Jurisdictions(), 1, kMaxCodes, kJurisdiction))
          .Field(&AgreementCreate::purposes, PurposesField())
          .Field(&AgreementCreate::categories, CategoriesField())
          .Field(&AgreementCreate::valid_from, ValidFrom())
          .Field(&AgreementCreate::valid_until, ValidUntil())
          .Rule(Distinct("exporter", "importer"))
          .Build());

  d.push_back(BodyDecl<AgreementActivate>(
                  TxType::kAgreementActivate, "agreement.activate",
                  "exporter and importer (and a regulator if a regulator suspended it)")
                  .Field(&AgreementActivate::agreement_id,
                         Hash("agreement_id", "the agreement.create tx id"))
                  .Field(&AgreementActivate::approval_ref_hash,
                         Optional(Hash("approval_ref_hash", "cac-assessment: the approval's hash")))
                  .Build());

  for (auto [t, name] : {std::pair{TxType::kAgreementSuspend, "agreement.suspend"},
                         std::pair{TxType::kAgreementTerminate, "agreement.terminate"}}) {
    d.push_back(
        BodyDecl<AgreementEnd>(t, name, "exporter, importer or a regulator")
            .Field(&AgreementEnd::agreement_id, Hash("agreement_id", "the agreement.create tx id"))
            .Field(&AgreementEnd::reason, Code("reason", vocab::SuspendReasons(), kSuspendReason))
            .Build());
  }

  d.push_back(
      BodyDecl<PortfolioTransfer>(TxType::kPortfolioTransfer, "portfolio.transfer",
                                  "transferor and transferee")
          .Field(&PortfolioTransfer::transferor,
                 Identifier("transferor", "the insurer handing over"))
          .Field(&PortfolioTransfer::transferee,
                 Identifier("transferee", "the insurer taking over"))
          .Field(&PortfolioTransfer::consents,
                 Optional(Hashes("consents", 1, kMaxTransferList,
                                 "the consent ids (or all_consents: true)")))
          .Field(&PortfolioTransfer::all_consents,
                 True("all_consents", "true: every live consent of the transferor"))
          .Field(&PortfolioTransfer::effective_at, Time("effective_at", "when the consents move"))
          .Field(&PortfolioTransfer::notice_hash, Hash("notice_hash", kTransferNotice))
          .Field(&PortfolioTransfer::approval_ref_hash,
                 Optional(Hash("approval_ref_hash", "the regulator approval's hash")))
          .Rule(OneScope())
          .Rule(Distinct("transferor", "transferee"))
          .Build());

  d.push_back(
      BodyDecl<SharingRecord>(TxType::kSharingRecord, "sharing.record", "the sender")
          .Field(&SharingRecord::sender, Identifier("sender", "the member sharing the data"))
          .Field(&SharingRecord::recipient, Identifier("recipient", "the member receiving it"))
          .Field(&SharingRecord::subject, SubjectField("subject", kSubjectDoc))
          .Field(&SharingRecord::purpose, Code("purpose", vocab::Purposes(), kPurposes))
          .Field(&SharingRecord::categories, CategoriesField())
          .Field(&SharingRecord::destination,
                 Code("destination", vocab::Jurisdictions(), kJurisdiction))
          .Field(&SharingRecord::legal_basis,
                 Code("legal_basis", vocab::LegalBases(), "docs/VOCABULARY.md: legal bases"))
          .Field(&SharingRecord::shared_at, Time("shared_at", "when it was shared"))
          .Field(&SharingRecord::entrustment,
                 Optional(Hash("entrustment", "basis entrusted: the entrustment.create tx id")))
          .Rule(Distinct("sender", "recipient"))
          .Rule(Required("entrustment", When::kEquals, Reason::kTxMissingField,
                         "an entrusted sharing needs body.entrustment", "legal_basis", "entrusted"))
          .Rule(Forbidden("entrustment", When::kNotEquals,
                          "body.entrustment is only for entrusted sharing", "legal_basis",
                          "entrusted"))
          .Build());

  d.push_back(
      BodyDecl<RightsRequest>(TxType::kRightsRequest, "rights.request",
                              "the subject's key; for a ref subject the controller with "
                              "evidence_hash")
          .Field(&RightsRequest::controller, Identifier("controller", "the insurer asked"))
          .Field(&RightsRequest::subject, SubjectField("subject", kSubjectDoc))
          .Field(&RightsRequest::kind,
                 Code("kind", vocab::RightsKinds(), "docs/VOCABULARY.md: rights kinds"))
          .Field(&RightsRequest::consent_id, Optional(Hash("consent_id", "the consent concerned")))
          .Field(&RightsRequest::evidence_hash,
                 Optional(Hash("evidence_hash", "ref subjects: hash of the evidence")))
          .Rule(Forbidden("evidence_hash", When::kKeySubject,
                          "body.evidence_hash is only for ref subjects"))
          .Rule(Required("evidence_hash", When::kRefSubject, Reason::kTxMissingField,
                         "a ref subject needs body.evidence_hash"))
          .Build());

  d.push_back(
      BodyDecl<RightsFulfil>(TxType::kRightsFulfil, "rights.fulfil", "the request's controller")
          .Field(&RightsFulfil::request_id, Hash("request_id", "the request's id"))
          .Field(&RightsFulfil::outcome,
                 Enum("outcome", {"fulfilled", "refused"}, "fulfilled or refused"))
          .Field(&RightsFulfil::reason,
                 Optional(Code("reason", vocab::RefusalReasons(),
                               "refusals: docs/VOCABULARY.md refusal reasons")))
          .Field(&RightsFulfil::attestation_hash,
                 Hash("attestation_hash", "hash of the controller's attestation"))
          .Rule(Required("reason", When::kEquals, Reason::kRightsRefusalReasonRequired,
                         "a refusal needs body.reason", "outcome", "refused"))
          .Rule(Forbidden("reason", When::kEquals, "body.reason is only for refusals", "outcome",
                          "fulfilled"))
          .Build());

  d.push_back(
      BodyDecl<IncidentReport>(TxType::kIncidentReport, "incident.report", "the controller")
          .Field(&IncidentReport::controller, Identifier("controller", "the reporting insurer"))
          .Field(&IncidentReport::detected_at, Time("detected_at", "when it was detected"))
          .Field(&IncidentReport::categories, CategoriesField())
          .Field(&IncidentReport::cause,
                 Code("cause", vocab::IncidentCauses(), "docs/VOCABULARY.md: incident causes"))
          .Field(&IncidentReport::harms, Codes("harms", vocab::IncidentHarms(), 1, kMaxCodes,
                                               "docs/VOCABULARY.md: incident harms"))
          .Field(&IncidentReport::remedies,
                 Codes("remedies", vocab::IncidentRemedies(), 1, kMaxCodes,
                       "docs/VOCABULARY.md: incident remedies"))
          .Field(&IncidentReport::affected_count,
                 Int("affected_count", 0, kJsonMaxSafeInteger, "number of affected subjects"))
          .Field(&IncidentReport::affected_commitment,
                 Hash("affected_commitment", "commitment to the affected subjects"))
          .Field(&IncidentReport::notice_hash, Hash("notice_hash", "hash of the incident notice"))
          .Field(&IncidentReport::regulator_notified_at, RegulatorNotifiedAt())
          .Field(&IncidentReport::subjects_notified_at, SubjectsNotifiedAt())
          .Build());

  // The transfer lifecycle (docs/LEDGER.md "Transfers").
  d.push_back(
      BodyDecl<TransferPropose>(TxType::kTransferPropose, "transfer.propose", "seller and acquirer")
          .Field(&TransferPropose::seller, Identifier("seller", "the insurer handing over"))
          .Field(&TransferPropose::acquirer, Identifier("acquirer", "the insurer taking over"))
          .Field(&TransferPropose::consents,
                 Optional(Hashes("consents", 1, kMaxTransferList,
                                 "the consent ids (or all_consents: true)")))
          .Field(&TransferPropose::all_consents,
                 True("all_consents", "true: every live consent of the seller at completion"))
          .Field(&TransferPropose::effective_at,
                 Time("effective_at", "the earliest time the transfer may complete"))
          .Field(&TransferPropose::objection_until,
                 Time("objection_until", "subjects may object until then (at most effective_at)"))
          .Field(&TransferPropose::manifest_hash,
                 Hash("manifest_hash", "hash of the data inventory (categories and counts)"))
          .Field(&TransferPropose::notice_hash, Hash("notice_hash", kTransferNotice))
          .Field(&TransferPropose::agreements,
                 Optional(Hashes("agreements", 1, kMaxTransferAgreements,
                                 "the seller's agreements that go with it (moved if the other "
                                 "party co-signs the completion, else ended)")))
          .Rule(OneScope())
          .Rule(Distinct("seller", "acquirer"))
          .Build());

  d.push_back(
      BodyDecl<TransferApprove>(TxType::kTransferApprove, "transfer.approve", "an active regulator")
          .Field(&TransferApprove::transfer_id, TransferIdField())
          .Field(&TransferApprove::approval_ref_hash,
                 Hash("approval_ref_hash", "hash of the regulator's approval"))
          .Build());

  d.push_back(BodyDecl<TransferObject>(TxType::kTransferObject, "transfer.object",
                                       "the subject's key; for a ref subject the seller with "
                                       "evidence_hash")
                  .Field(&TransferObject::transfer_id, TransferIdField())
                  .Field(&TransferObject::subject, SubjectField("subject", kSubjectDoc))
                  .Field(&TransferObject::evidence_hash,
                         Optional(Hash("evidence_hash", "ref subjects: hash of the evidence")))
                  .Rule(Forbidden("evidence_hash", When::kKeySubject,
                                  "body.evidence_hash is only for ref subjects"))
                  .Rule(Required("evidence_hash", When::kRefSubject, Reason::kTxMissingField,
                                 "a ref subject needs body.evidence_hash"))
                  .Build());

  d.push_back(BodyDecl<TransferCancel>(TxType::kTransferCancel, "transfer.cancel",
                                       "the seller or the acquirer")
                  .Field(&TransferCancel::transfer_id, TransferIdField())
                  .Field(&TransferCancel::reason,
                         Enum("reason", {"parties_withdrew", "approval_refused", "terms_changed"},
                              "why: parties_withdrew, approval_refused or terms_changed"))
                  .Build());

  d.push_back(BodyDecl<TransferComplete>(TxType::kTransferComplete, "transfer.complete",
                                         "the seller or the acquirer")
                  .Field(&TransferComplete::transfer_id, TransferIdField())
                  .Build());

  d.push_back(BodyDecl<TransferNotify>(TxType::kTransferNotify, "transfer.notify",
                                       "the seller or the acquirer")
                  .Field(&TransferNotify::transfer_id, TransferIdField())
                  .Field(&TransferNotify::deliveries_root,
                         Hash("deliveries_root",
                              "Merkle root over the batch's delivery leaves (docs/RECEIPTS.md)"))
                  .Field(&TransferNotify::deliveries,
                         Int("deliveries", 1, kMaxNoticeBatch, "number of leaves under the root"))
                  .Field(&TransferNotify::delivered_until,
                         Time("delivered_until", "the latest delivery time in the batch"))
                  .Build());

  d.push_back(
      BodyDecl<TransferAttest>(TxType::kTransferAttest, "transfer.attest", "the seller")
          .Field(&TransferAttest::transfer_id, TransferIdField())
          .Field(&TransferAttest::deleted_hash,
                 Hash("deleted_hash", "hash of the deletion report (categories and counts)"))
          .Field(&TransferAttest::retained_categories,
                 Default(Codes("retained_categories", vocab::Categories(), 0, kMaxCodes,
                               "categories kept under a legal retention duty (none: nothing)"),
                         "-"))
          .Field(&TransferAttest::retained_until,
                 Optional(Time("retained_until", "when the kept categories are deleted")))
          .Field(&TransferAttest::retention_basis,
                 Optional(Enum("retention_basis",
                               {"statutory_retention", "litigation_hold", "regulator_order"},
                               "why they are kept: statutory_retention, litigation_hold or "
                               "regulator_order")))
          .Field(&TransferAttest::backups,
                 Enum("backups", {"purged", "scheduled"},
                      "the transferred data in backups: purged, or scheduled for purging"))
          .Field(&TransferAttest::backups_purge_by,
                 Optional(Time("backups_purge_by", "scheduled backups: purged by then")))
          .Rule(Required("retained_until", When::kNotEmpty, Reason::kTxMissingField,
                         "kept categories need body.retained_until", "retained_categories"))
          .Rule(Required("retention_basis", When::kNotEmpty, Reason::kTxMissingField,
                         "kept categories need body.retention_basis", "retained_categories"))
          .Rule(Forbidden("retained_until", When::kEmpty,
                          "body.retained_until is only for kept categories", "retained_categories"))
          .Rule(Forbidden("retention_basis", When::kEmpty,
                          "body.retention_basis is only for kept categories",
                          "retained_categories"))
          .Rule(Required("backups_purge_by", When::kEquals, Reason::kTxMissingField,
                         "scheduled backups need body.backups_purge_by", "backups", "scheduled"))
          .Rule(Forbidden("backups_purge_by", When::kEquals,
                          "body.backups_purge_by is only for scheduled backups", "backups",
                          "purged"))
          .Build());

  d.push_back(
      BodyDecl<IncidentUpdate>(TxType::kIncidentUpdate, "incident.update",
                               "the incident's controller")
          .Field(&IncidentUpdate::incident_id, Hash("incident_id", "the incident.report tx id"))
          .Field(&IncidentUpdate::regulator_notified_at, RegulatorNotifiedAt())
          .Field(&IncidentUpdate::subjects_notified_at, SubjectsNotifiedAt())
          .Field(&IncidentUpdate::remedies,
                 Optional(Codes("remedies", vocab::IncidentRemedies(), 1, kMaxCodes,
                                "further remedies (docs/VOCABULARY.md: incident remedies)")))
          .Field(&IncidentUpdate::affected_count,
                 Optional(Int("affected_count", 0, kJsonMaxSafeInteger,
                              "the affected subjects as now known")))
          .Field(&IncidentUpdate::affected_commitment,
                 Optional(Hash("affected_commitment", "commitment to the affected subjects")))
          .Field(&IncidentUpdate::notice_hash,
                 Optional(Hash("notice_hash", "hash of a further notice")))
          .Rule(AtLeastOneOf({"regulator_notified_at", "subjects_notified_at", "remedies",
                              "affected_count", "affected_commitment", "notice_hash"},
                             "incident.update must give at least one field"))
          .Build());

  d.push_back(BodyDecl<EntrustmentCreate>(TxType::kEntrustmentCreate, "entrustment.create",
                                          "controller and processor")
                  .Field(&EntrustmentCreate::controller,
                         Identifier("controller", "the insurer entrusting its processing"))
                  .Field(&EntrustmentCreate::processor,
                         Identifier("processor", "the member processing on its behalf"))
                  .Field(&EntrustmentCreate::purposes, PurposesField())
                  .Field(&EntrustmentCreate::categories, CategoriesField())
                  .Field(&EntrustmentCreate::contract_hash,
                         Hash("contract_hash", "hash of the entrustment contract"))
                  .Field(&EntrustmentCreate::valid_from, ValidFrom())
                  .Field(&EntrustmentCreate::valid_until, ValidUntil())
                  .Rule(Distinct("controller", "processor"))
                  .Build());

  d.push_back(BodyDecl<EntrustmentTerminate>(TxType::kEntrustmentTerminate, "entrustment.terminate",
                                             "the controller, the processor or an active regulator")
                  .Field(&EntrustmentTerminate::entrustment_id,
                         Hash("entrustment_id", "the entrustment.create tx id"))
                  .Field(&EntrustmentTerminate::reason,
                         Code("reason", vocab::SuspendReasons(), kSuspendReason))
                  .Build());

  d.push_back(
      BodyDecl<AssessmentRecord>(TxType::kAssessmentRecord, "assessment.record", "the controller")
          .Field(&AssessmentRecord::controller,
                 Identifier("controller", "the insurer that assessed its processing"))
          .Field(&AssessmentRecord::assessment_hash,
                 Hash("assessment_hash", "hash of the impact assessment report"))
          .Field(&AssessmentRecord::scopes,
                 Codes("scopes", vocab::AssessmentScopes(), 1, kMaxCodes,
                       "what it covers (docs/VOCABULARY.md: assessment scopes)"))
          .Field(&AssessmentRecord::valid_from, ValidFrom())
          .Field(&AssessmentRecord::valid_until, ValidUntil())
          .Build());
  return d;
}

}  // namespace

const std::vector<TxDecl>& TxDecls() {
  static const std::vector<TxDecl> decls = Declare();
  return decls;
}

}  // namespace consentd::ledger
