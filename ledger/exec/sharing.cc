// sharing.record: an insurer records that it gave a subject's data to a recipient. It is
// *rejected*, not merely logged, unless the sharing was lawful at shared_at (ledger/state/
// check.h); the justifying consents and agreement are stored with it for auditors.

#include <algorithm>

#include "common/hex.h"
#include "ledger/exec/context.h"
#include "ledger/state/check.h"

namespace consentd::ledger::exec {
namespace {

// A sharing with the controller's processor under its entrustment (PIPL Art. 21): within the
// contract's parties, purposes, categories and period, domestic, and for data the controller
// itself may process for that purpose (the check with the controller as recipient). Returns the
// consents that allow the controller's own processing.
Result<std::vector<Hash256>> EntrustedSharing(const ExecContext& ctx, const SharingRecord& b,
                                              const MemberRecord& sender) {
  CONSENTD_ASSIGN_OR_RETURN(auto e, ctx.state.Entrustment(*b.entrustment));
  if (!e) {
    return Status::Error(Reason::kEntrustmentUnknown,
                         "no entrustment.create " + HexEncode(*b.entrustment));
  }
  const EntrustmentCreate& t = e->terms;
  if (t.controller != b.sender || t.processor != b.recipient) {
    return Status::Error(Reason::kEntrustmentDoesNotCover,
                         "the entrustment is of " + t.processor + " by " + t.controller);
  }
  if (!e->ActiveAt(b.shared_at)) {
    return Status::Error(Reason::kEntrustmentNotActive,
                         "the entrustment is not in force at shared_at");
  }
  auto has = [](const std::vector<std::string>& list, const std::string& code) {
    return std::find(list.begin(), list.end(), code) != list.end();
  };
  const bool covered = has(t.purposes, b.purpose) &&
                       std::all_of(b.categories.begin(), b.categories.end(),
                                   [&](const std::string& c) { return has(t.categories, c); });
  if (!covered || b.destination != sender.jurisdiction) {
    return Status::Error(Reason::kEntrustmentDoesNotCover,
                         covered ? "entrusted processing is domestic: abroad, record the sharing "
                                   "on the basis of consent under an agreement"
                                 : "the entrustment does not cover this purpose or category");
  }
  CheckRequest req;
  req.subject = b.subject;
  req.recipient = b.sender;  // the controller's own processing, done by its processor
  req.purpose = b.purpose;
  req.categories = b.categories;
  req.at = b.shared_at;
  req.sender = b.sender;
  CONSENTD_ASSIGN_OR_RETURN(CheckResult check, Check(ctx.state, req));
  if (!check.allowed) return Status::Error(ReasonOf(check.reason), check.detail);
  return check.consents;
}

}  // namespace

Status ExecSharingRecord(ExecContext& ctx, const SharingRecord& b) {
  CONSENTD_ASSIGN_OR_RETURN(auto sender, RequireMember(ctx.state, b.sender, "sender", "insurer"));
  CONSENTD_ASSIGN_OR_RETURN(auto recipient, RequireMember(ctx.state, b.recipient, "recipient"));
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(b.sender, "sender"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (b.shared_at > ctx.time_ms) {
    return Status::Error(Reason::kSharingInFuture, "shared_at is after the block time");
  }
  if (b.shared_at < ctx.time_ms - ctx.genesis.params.max_backdate_ms) {
    return Status::Error(Reason::kSharingTooOld,
                         "shared_at is more than " +
                             std::to_string(ctx.genesis.params.max_backdate_ms) +
                             " ms before the block time");
  }

  SharingState s;
  if (b.legal_basis == "legal_obligation") {
    // A statutory disclosure to a regulator needs no consent (PIPL Art. 13(3)).
    if (!recipient.HasRole("regulator")) {
      return Status::Error(Reason::kSharingRecipientNotRegulator,
                           "legal_obligation covers disclosures to regulators only");
    }
  } else if (b.legal_basis == "consent") {
    CheckRequest req;
    req.subject = b.subject;
    req.recipient = b.recipient;
    req.purpose = b.purpose;
    req.categories = b.categories;
    if (b.destination != sender.jurisdiction) req.jurisdiction = b.destination;
    req.at = b.shared_at;
    req.sender = b.sender;
    CONSENTD_ASSIGN_OR_RETURN(CheckResult check, Check(ctx.state, req));
    if (!check.allowed) return Status::Error(ReasonOf(check.reason), check.detail);
    s.consents = check.consents;
    s.agreement = check.agreement;
    CONSENTD_RETURN_IF_ERROR(RequireAssessments(ctx, b, sender));
  } else if (b.legal_basis == "entrusted") {
    CONSENTD_ASSIGN_OR_RETURN(s.consents, EntrustedSharing(ctx, b, sender));
    s.entrustment = b.entrustment;
    CONSENTD_RETURN_IF_ERROR(RequireAssessments(ctx, b, sender));
  } else {
    return Status::Error(
        Reason::kSharingBasisUnsupported,
        "the ledger records sharing on the basis of consent, entrusted or legal_obligation");
  }

  s.id = ctx.tx.id();
  s.event = b;
  s.event_json = ctx.tx.body_json();
  s.at = ctx.time_ms;
  s.height = ctx.height;
  ctx.state.PutJson(keys::Sharing(s.id), s.ToJson());
  ctx.state.PutIndex(keys::SharingBySubject(b.subject, b.shared_at, s.id));
  ctx.state.PutIndex(keys::SharingBySender(b.sender, b.shared_at, s.id));
  if (s.agreement) ctx.state.PutIndex(keys::SharingByAgreement(*s.agreement, b.shared_at, s.id));
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
