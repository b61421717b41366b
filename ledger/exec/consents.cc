// consent.grant, consent.withdraw, consent.revoke (DESIGN.md section 5; PIPL Arts. 14, 15, 23,
// 28-29, 31, 39, 47). A consent's id is the tx id of its grant.

#include <algorithm>

#include "common/hex.h"
#include "ledger/exec/context.h"
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger::exec {
namespace {

bool AnySensitive(const std::vector<std::string>& categories) {
  return std::any_of(categories.begin(), categories.end(), [](const std::string& c) {
    const vocab::Code* code = vocab::Categories().Find(c);
    return code != nullptr && code->sensitive;
  });
}

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// The consent must exist and not have ended (withdrawn, revoked, superseded or expired).
Result<ConsentRecord> ActiveConsent(ExecContext& ctx, const Hash256& id) {
  CONSENTD_ASSIGN_OR_RETURN(auto c, ctx.state.Consent(id));
  if (!c) return Status::Error(Reason::kConsentUnknown, "no consent " + HexEncode(id));
  const ConsentStatus status = c->StatusAt(ctx.time_ms);
  switch (status) {
    case ConsentStatus::kGiven:
    case ConsentStatus::kRenewed:
    case ConsentStatus::kTransferred:
      return *c;
    case ConsentStatus::kUnknown:
    case ConsentStatus::kWithdrawn:
    case ConsentStatus::kRevoked:
    case ConsentStatus::kExpired:
    case ConsentStatus::kSuperseded:
      break;
  }
  return Status::Error(Reason::kConsentNotActive,
                       "consent " + HexEncode(id) + " is " + ToString(status));
}

Status CheckCrossBorder(ExecContext& ctx, const ConsentGrant& b, const MemberRecord& controller) {
  if (b.jurisdictions.empty()) return Status::Ok();
  if (Contains(b.jurisdictions, controller.jurisdiction)) {
    return Status::Error(Reason::kTxInvalidValue,
                         "body.jurisdictions lists destinations abroad, not the controller's own " +
                             controller.jurisdiction);
  }
  if (!b.agreement) {
    return Status::Error(Reason::kConsentAgreementRequired,
                         "a cross-border grant must name an active agreement (PIPL Art. 38-39)");
  }
  CONSENTD_ASSIGN_OR_RETURN(auto a, ctx.state.Agreement(*b.agreement));
  if (!a)
    return Status::Error(Reason::kAgreementUnknown, "no agreement " + HexEncode(*b.agreement));
  if (!a->ActiveAt(ctx.time_ms)) {
    return Status::Error(Reason::kAgreementNotActive, "agreement " + HexEncode(a->id) + " is " +
                                                          ToString(a->StatusAt(ctx.time_ms)));
  }
  const AgreementCreate& t = a->terms;
  auto covers_all = [](const std::vector<std::string>& have, const std::vector<std::string>& need) {
    return std::all_of(need.begin(), need.end(),
                       [&](const std::string& n) { return Contains(have, n); });
  };
  if (t.exporter != b.controller || !Contains(b.recipients, t.importer) ||
      !covers_all(t.destinations, b.jurisdictions) || !covers_all(t.purposes, b.purposes) ||
      !covers_all(t.categories, b.categories)) {
    return Status::Error(Reason::kAgreementDoesNotCover,
                         "the agreement must be exported by the controller, imported by a named "
                         "recipient, and cover every destination, purpose and category");
  }
  return Status::Ok();
}

}  // namespace

Status ExecConsentGrant(ExecContext& ctx, const ConsentGrant& b) {
  CONSENTD_ASSIGN_OR_RETURN(auto controller,
                            RequireMember(ctx.state, b.controller, "controller", "insurer"));
  // Signers: the controller, and the subject (or its delegate) when the subject has a key.
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(b.controller, "controller"));
  if (b.subject.is_key()) {
    if (b.delegate) {
      CONSENTD_RETURN_IF_ERROR(signers.RequireKey(b.delegate->bytes(), "delegate"));
    } else {
      CONSENTD_RETURN_IF_ERROR(signers.RequireKey(b.subject.id, "subject"));
    }
  }
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());

  CONSENTD_ASSIGN_OR_RETURN(auto notice, ctx.state.Notice(b.controller, b.notice.notice_id));
  if (!notice || notice->Find(b.notice.version) == nullptr) {
    return Status::Error(Reason::kNoticeUnknown,
                         "controller " + b.controller + " has not published notice " +
                             b.notice.notice_id + " version " + std::to_string(b.notice.version));
  }
  if (b.valid_from >= b.valid_until || b.valid_until <= ctx.time_ms) {
    return Status::Error(Reason::kConsentInvalidPeriod,
                         "valid_from must be before valid_until, and valid_until in the future");
  }
  for (const std::string& r : b.recipients) {
    if (r == b.controller) {
      return Status::Error(Reason::kTxInvalidValue,
                           "the controller is not a third-party recipient");
    }
    CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, r, "recipient").status());
  }
  // Separate consent: sensitive data (Arts. 28-29), third parties (Art. 23), abroad (Art. 39).
  const bool sensitive = AnySensitive(b.categories);
  if (!b.separate && (sensitive || !b.recipients.empty() || !b.jurisdictions.empty())) {
    return Status::Error(Reason::kConsentSeparateRequired,
                         std::string("separate consent is required for ") +
                             (sensitive               ? "sensitive categories"
                              : !b.recipients.empty() ? "third-party recipients"
                                                      : "cross-border transfer"));
  }
  // Minors under 14: a guardian consents for them (Art. 31).
  if (b.subject.is_key() && Contains(b.categories, "MinorUnder14") && !b.delegate) {
    return Status::Error(Reason::kConsentGuardianRequired,
                         "a minor's consent must be given by a guardian (body.delegate)");
  }
  CONSENTD_RETURN_IF_ERROR(CheckCrossBorder(ctx, b, controller));

  std::optional<ConsentRecord> superseded;
  if (b.supersedes) {
    auto old = ActiveConsent(ctx, *b.supersedes);
    if (!old.ok()) {
      if (old.status().reason() == Reason::kConsentUnknown || exec::IsInternalError(old.status())) {
        return old.status();
      }
      return Status::Error(Reason::kConsentSupersedeInvalid, old.status().message());
    }
    if (old->grant.subject != b.subject || old->ControllerAt(ctx.time_ms) != b.controller) {
      return Status::Error(Reason::kConsentSupersedeInvalid,
                           "a renewal must have the same subject and controller as the consent it "
                           "supersedes");
    }
    if (old->HasTransferPendingAt(ctx.time_ms)) {
      return Status::Error(Reason::kConsentSupersedeInvalid, "the consent is being transferred");
    }
    superseded = std::move(*old);
  }

  ConsentRecord c;
  c.id = ctx.tx.id();
  c.grant = b;
  c.grant_json = ctx.tx.body_json();
  c.recorded_at = ctx.time_ms;
  c.height = ctx.height;
  c.events.push_back(ConsentEvent{ConsentEventKind::kGranted, ctx.time_ms, ctx.height, ctx.tx.id(),
                                  "", "", "", ""});
  ctx.state.PutConsent(c);
  ctx.state.PutIndex(keys::SubjectConsent(b.subject, c.id));
  ctx.state.PutIndex(keys::ControllerConsent(b.controller, c.id));
  if (superseded) {
    superseded->events.push_back(ConsentEvent{ConsentEventKind::kSuperseded, ctx.time_ms,
                                              ctx.height, ctx.tx.id(), "", "", "", ""});
    ctx.state.PutConsent(*superseded);
  }
  return Status::Ok();
}

Status ExecConsentWithdraw(ExecContext& ctx, const ConsentWithdraw& b) {
  CONSENTD_ASSIGN_OR_RETURN(ConsentRecord c, ActiveConsent(ctx, b.consent_id));
  // A copy: appending to c.events below may move the string ControllerAt refers to.
  const std::string controller = c.ControllerAt(ctx.time_ms);
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  // PIPL Art. 15: withdrawal as easy as granting: the subject (or its delegate) alone.
  if (c.grant.subject.is_key()) {
    if (b.evidence_hash) {
      return Status::Error(Reason::kTxInvalidValue, "body.evidence_hash is only for ref subjects");
    }
    const bool by_subject = signers.ClaimKey(c.grant.subject.id);
    const bool by_delegate = c.grant.delegate && signers.ClaimKey(c.grant.delegate->bytes());
    if (!by_subject && !by_delegate) {
      return Status::Error(Reason::kTxMissingSignature,
                           "needs a signature of the subject or its delegate");
    }
  } else {
    if (!b.evidence_hash) {
      return Status::Error(
          Reason::kTxMissingField,
          "a ref subject's withdrawal needs body.evidence_hash from the controller");
    }
    CONSENTD_RETURN_IF_ERROR(signers.RequireMember(controller, "controller"));
  }
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());

  c.events.push_back(ConsentEvent{ConsentEventKind::kWithdrawn, ctx.time_ms, ctx.height,
                                  ctx.tx.id(), "", "", "", ""});
  ctx.state.PutConsent(c);
  OpenErasure(ctx, c, controller, RightsOrigin::kWithdrawal);
  return Status::Ok();
}

Status ExecConsentRevoke(ExecContext& ctx, const ConsentRevoke& b) {
  CONSENTD_ASSIGN_OR_RETURN(ConsentRecord c, ActiveConsent(ctx, b.consent_id));
  // A copy: appending to c.events below may move the string ControllerAt refers to.
  const std::string controller = c.ControllerAt(ctx.time_ms);
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  std::string by;
  if (signers.ClaimMember(controller)) {
    by = controller;
  } else {
    for (const std::string& id : signers.Members()) {
      CONSENTD_ASSIGN_OR_RETURN(auto m, ctx.state.Member(id));
      if (m && m->active() && m->HasRole("regulator")) {
        signers.ClaimMember(id);
        by = id;
        break;
      }
    }
  }
  if (by.empty()) {
    return Status::Error(Reason::kTxMissingSignature,
                         "needs a signature of the controller " + controller + " or a regulator");
  }
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  c.events.push_back(ConsentEvent{ConsentEventKind::kRevoked, ctx.time_ms, ctx.height, ctx.tx.id(),
                                  "", "", b.reason, by});
  ctx.state.PutConsent(c);
  OpenErasure(ctx, c, controller, RightsOrigin::kRevocation);
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
