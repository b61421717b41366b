// sharing.record: an insurer records that it gave a subject's data to a recipient. It is
// *rejected*, not merely logged, unless the sharing was lawful at shared_at (ledger/state/
// check.h); the justifying consents and agreement are stored with it for auditors.

#include "common/hex.h"
#include "ledger/exec/context.h"
#include "ledger/state/check.h"

namespace consentd::ledger::exec {

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
  } else {
    return Status::Error(Reason::kSharingBasisUnsupported,
                         "the ledger records sharing on the basis of consent or legal_obligation");
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
