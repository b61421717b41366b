#include "ledger/tx_body.h"

#include <array>

#include "ledger/reject.h"
#include "ledger/schema.h"
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger {
namespace {

using vocab::CodeList;

constexpr std::array<const char*, kTxTypeCount> kNames = {
    "member.register",    "member.update",     "member.suspend",      "notice.publish",
    "consent.grant",      "consent.withdraw",  "consent.revoke",      "agreement.create",
    "agreement.activate", "agreement.suspend", "agreement.terminate", "portfolio.transfer",
    "sharing.record",     "rights.request",    "rights.fulfil",       "incident.report",
};

template <typename T>
Result<TxBody> Done(FieldReader& r, T body) {
  CONSENTD_RETURN_IF_ERROR(r.Finish());
  return TxBody(std::move(body));
}

Result<TxBody> ParseMemberRegister(FieldReader& r) {
  MemberRegister b;
  b.member = r.Identifier("member");
  b.roles = r.Codes("roles", vocab::Roles(), 1, vocab::Roles().codes().size());
  b.keys = r.Keys("keys", 1, kMaxKeys);
  b.jurisdiction = r.Code("jurisdiction", vocab::Jurisdictions());
  b.validator_key = r.OptionalKey("validator_key");
  return Done(r, std::move(b));
}

Result<TxBody> ParseMemberUpdate(FieldReader& r) {
  MemberUpdate b;
  b.member = r.Identifier("member");
  if (r.Has("roles")) b.roles = r.Codes("roles", vocab::Roles(), 1, vocab::Roles().codes().size());
  if (r.Has("keys")) b.keys = r.Keys("keys", 1, kMaxKeys);
  b.jurisdiction = r.OptionalCode("jurisdiction", vocab::Jurisdictions());
  if (r.Has("validator_key")) {
    b.change_validator_key = true;
    // null removes the member's validator key; a key sets it.
    b.validator_key = r.OptionalKey("validator_key");
  }
  if (r.Has("reinstate")) {
    b.reinstate = r.Bool("reinstate");
    if (r.ok() && !b.reinstate) r.Fail(Reject::kInvalidValue, "body.reinstate may only be true");
  }
  if (r.ok() && !b.roles && !b.keys && !b.jurisdiction && !b.change_validator_key && !b.reinstate) {
    r.Fail(Reject::kMissingField, "member.update must change at least one field");
  }
  return Done(r, std::move(b));
}

Result<TxBody> ParseMemberSuspend(FieldReader& r) {
  MemberSuspend b;
  b.member = r.Identifier("member");
  b.reason = r.Code("reason", vocab::SuspendReasons());
  return Done(r, std::move(b));
}

Result<TxBody> ParseNoticePublish(FieldReader& r) {
  NoticePublish b;
  b.controller = r.Identifier("controller");
  b.notice_id = r.NoticeId("notice_id");
  b.version = r.Int("version", 1, 1'000'000);
  b.notice_hash = r.Hash("notice_hash");
  return Done(r, std::move(b));
}

Result<Subject> ReadSubject(FieldReader& r) {
  const Json* s = r.Object("subject");
  if (s == nullptr) return Rejected(Reject::kMissingField, "missing field body.subject");
  return Subject::FromJson(*s, "body.subject");
}

Result<TxBody> ParseConsentGrant(FieldReader& r) {
  ConsentGrant b;
  b.controller = r.Identifier("controller");
  auto subject = ReadSubject(r);
  if (r.ok() && !subject.ok()) return subject.status();
  if (subject.ok()) b.subject = *subject;
  b.purposes = r.Codes("purposes", vocab::Purposes(), 1, kMaxCodes);
  b.categories = r.Codes("categories", vocab::Categories(), 1, kMaxCodes);
  b.recipients = r.Identifiers("recipients", 0, kMaxCodes);
  b.jurisdictions = r.Codes("jurisdictions", vocab::Jurisdictions(), 0, kMaxCodes);
  b.agreement = r.OptionalHash("agreement");
  b.separate = r.Bool("separate");
  if (const Json* n = r.Object("notice")) {
    FieldReader nr(*n, "body.notice");
    b.notice.notice_id = nr.NoticeId("notice_id");
    b.notice.version = nr.Int("version", 1, 1'000'000);
    CONSENTD_RETURN_IF_ERROR(nr.Finish());
  }
  b.collection_method = r.Code("collection_method", vocab::CollectionMethods());
  b.valid_from = r.Time("valid_from");
  b.valid_until = r.Time("valid_until");
  b.supersedes = r.OptionalHash("supersedes");
  b.delegate = r.OptionalKey("delegate");
  b.evidence_hash = r.OptionalHash("evidence_hash");
  if (r.ok()) {
    if (b.subject.is_key() && b.evidence_hash) {
      r.Fail(Reject::kInvalidValue,
             "body.evidence_hash is only for ref subjects (key subjects sign)");
    } else if (!b.subject.is_key() && !b.evidence_hash) {
      r.Fail(Reject::kMissingField, "a ref subject needs body.evidence_hash");
    } else if (!b.subject.is_key() && b.delegate) {
      r.Fail(Reject::kInvalidValue, "body.delegate is only for key subjects");
    } else if (b.agreement && b.jurisdictions.empty()) {
      r.Fail(Reject::kInvalidValue, "body.agreement is only for cross-border grants");
    }
  }
  return Done(r, std::move(b));
}

Result<TxBody> ParseConsentWithdraw(FieldReader& r) {
  ConsentWithdraw b;
  b.consent_id = r.Hash("consent_id");
  b.evidence_hash = r.OptionalHash("evidence_hash");
  return Done(r, std::move(b));
}

Result<TxBody> ParseConsentRevoke(FieldReader& r) {
  ConsentRevoke b;
  b.consent_id = r.Hash("consent_id");
  b.reason = r.Code("reason", vocab::RevokeReasons());
  return Done(r, std::move(b));
}

Result<TxBody> ParseAgreementCreate(FieldReader& r) {
  AgreementCreate b;
  b.exporter = r.Identifier("exporter");
  b.importer = r.Identifier("importer");
  b.mechanism = r.Code("mechanism", vocab::Mechanisms());
  b.filing_ref_hash = r.Hash("filing_ref_hash");
  b.destinations = r.Codes("destinations", vocab::Jurisdictions(), 1, kMaxCodes);
  b.purposes = r.Codes("purposes", vocab::Purposes(), 1, kMaxCodes);
  b.categories = r.Codes("categories", vocab::Categories(), 1, kMaxCodes);
  b.valid_from = r.Time("valid_from");
  b.valid_until = r.Time("valid_until");
  if (r.ok() && b.exporter == b.importer) {
    r.Fail(Reject::kInvalidValue, "exporter and importer must differ");
  }
  return Done(r, std::move(b));
}

Result<TxBody> ParseAgreementActivate(FieldReader& r) {
  AgreementActivate b;
  b.agreement_id = r.Hash("agreement_id");
  b.approval_ref_hash = r.OptionalHash("approval_ref_hash");
  return Done(r, std::move(b));
}

Result<TxBody> ParseAgreementEnd(FieldReader& r) {
  AgreementEnd b;
  b.agreement_id = r.Hash("agreement_id");
  b.reason = r.Code("reason", vocab::SuspendReasons());
  return Done(r, std::move(b));
}

Result<TxBody> ParsePortfolioTransfer(FieldReader& r) {
  PortfolioTransfer b;
  b.transferor = r.Identifier("transferor");
  b.transferee = r.Identifier("transferee");
  const bool has_all = r.Has("all_consents");
  const bool has_list = r.Has("consents");
  if (r.ok() && has_all == has_list) {
    r.Fail(Reject::kInvalidValue,
           "name the consents: exactly one of body.consents or body.all_consents");
  }
  if (has_all) {
    b.all_consents = r.Bool("all_consents");
    if (r.ok() && !b.all_consents)
      r.Fail(Reject::kInvalidValue, "body.all_consents may only be true");
  } else {
    b.consents = r.Hashes("consents", 1, kMaxTransferList);
  }
  b.effective_at = r.Time("effective_at");
  b.notice_hash = r.Hash("notice_hash");
  b.approval_ref_hash = r.OptionalHash("approval_ref_hash");
  if (r.ok() && b.transferor == b.transferee) {
    r.Fail(Reject::kInvalidValue, "transferor and transferee must differ");
  }
  return Done(r, std::move(b));
}

Result<TxBody> ParseSharingRecord(FieldReader& r) {
  SharingRecord b;
  b.sender = r.Identifier("sender");
  b.recipient = r.Identifier("recipient");
  auto subject = ReadSubject(r);
  if (r.ok() && !subject.ok()) return subject.status();
  if (subject.ok()) b.subject = *subject;
  b.purpose = r.Code("purpose", vocab::Purposes());
  b.categories = r.Codes("categories", vocab::Categories(), 1, kMaxCodes);
  b.destination = r.Code("destination", vocab::Jurisdictions());
  b.legal_basis = r.Code("legal_basis", vocab::LegalBases());
  b.shared_at = r.Time("shared_at");
  if (r.ok() && b.sender == b.recipient) {
    r.Fail(Reject::kInvalidValue, "sender and recipient must differ");
  }
  return Done(r, std::move(b));
}

Result<TxBody> ParseRightsRequest(FieldReader& r) {
  RightsRequest b;
  b.controller = r.Identifier("controller");
  auto subject = ReadSubject(r);
  if (r.ok() && !subject.ok()) return subject.status();
  if (subject.ok()) b.subject = *subject;
  b.kind = r.Code("kind", vocab::RightsKinds());
  b.consent_id = r.OptionalHash("consent_id");
  b.evidence_hash = r.OptionalHash("evidence_hash");
  if (r.ok()) {
    if (b.subject.is_key() && b.evidence_hash) {
      r.Fail(Reject::kInvalidValue, "body.evidence_hash is only for ref subjects");
    } else if (!b.subject.is_key() && !b.evidence_hash) {
      r.Fail(Reject::kMissingField, "a ref subject needs body.evidence_hash");
    }
  }
  return Done(r, std::move(b));
}

Result<TxBody> ParseRightsFulfil(FieldReader& r) {
  RightsFulfil b;
  b.request_id = r.Hash("request_id");
  b.refused = r.Enum("outcome", {"fulfilled", "refused"}) == "refused";
  b.reason = r.OptionalCode("reason", vocab::RefusalReasons());
  b.attestation_hash = r.Hash("attestation_hash");
  if (r.ok()) {
    if (b.refused && !b.reason) {
      r.Fail(Reject::kRightsRefusalReason, "a refusal needs body.reason");
    } else if (!b.refused && b.reason) {
      r.Fail(Reject::kInvalidValue, "body.reason is only for refusals");
    }
  }
  return Done(r, std::move(b));
}

Result<TxBody> ParseIncidentReport(FieldReader& r) {
  IncidentReport b;
  b.controller = r.Identifier("controller");
  b.detected_at = r.Time("detected_at");
  b.categories = r.Codes("categories", vocab::Categories(), 1, kMaxCodes);
  b.cause = r.Code("cause", vocab::IncidentCauses());
  b.harms = r.Codes("harms", vocab::IncidentHarms(), 1, kMaxCodes);
  b.remedies = r.Codes("remedies", vocab::IncidentRemedies(), 1, kMaxCodes);
  b.affected_count = r.Int("affected_count", 0, kJsonMaxSafeInteger);
  b.affected_commitment = r.Hash("affected_commitment");
  b.notice_hash = r.Hash("notice_hash");
  b.regulator_notified_at = r.OptionalTime("regulator_notified_at");
  b.subjects_notified_at = r.OptionalTime("subjects_notified_at");
  return Done(r, std::move(b));
}

}  // namespace

const char* ToString(TxType type) { return kNames[static_cast<std::size_t>(type)]; }

std::optional<TxType> ParseTxType(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (name == kNames[i]) return static_cast<TxType>(i);
  }
  return std::nullopt;
}

Result<TxBody> ParseBody(TxType type, const Json& body) {
  FieldReader r(body, "body");
  switch (type) {
    case TxType::kMemberRegister:
      return ParseMemberRegister(r);
    case TxType::kMemberUpdate:
      return ParseMemberUpdate(r);
    case TxType::kMemberSuspend:
      return ParseMemberSuspend(r);
    case TxType::kNoticePublish:
      return ParseNoticePublish(r);
    case TxType::kConsentGrant:
      return ParseConsentGrant(r);
    case TxType::kConsentWithdraw:
      return ParseConsentWithdraw(r);
    case TxType::kConsentRevoke:
      return ParseConsentRevoke(r);
    case TxType::kAgreementCreate:
      return ParseAgreementCreate(r);
    case TxType::kAgreementActivate:
      return ParseAgreementActivate(r);
    case TxType::kAgreementSuspend:
    case TxType::kAgreementTerminate:
      return ParseAgreementEnd(r);
    case TxType::kPortfolioTransfer:
      return ParsePortfolioTransfer(r);
    case TxType::kSharingRecord:
      return ParseSharingRecord(r);
    case TxType::kRightsRequest:
      return ParseRightsRequest(r);
    case TxType::kRightsFulfil:
      return ParseRightsFulfil(r);
    case TxType::kIncidentReport:
      return ParseIncidentReport(r);
  }
  return Rejected(Reject::kUnknownType, "unknown transaction type");
}

}  // namespace consentd::ledger
