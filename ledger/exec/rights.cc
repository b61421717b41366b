// rights.request / rights.fulfil (PIPL Arts. 44-47; GDPR 15-21), and the erasure obligations
// that withdrawals and revocations open. The ledger never holds the data itself: it records
// the request, its deadline (genesis rights_deadline_ms) and the controller's attestation that
// the off-ledger work is done, or the coded reason for a refusal.

#include "common/hex.h"
#include "ledger/exec/context.h"

namespace consentd::ledger::exec {
namespace {

// At most this many rights.request of one subject open at one controller at once
// (docs/LEDGER.md): each opens a legal deadline, so no one can flood a controller.
constexpr std::size_t kMaxOpenRightsRequests = 8;

void PutOpen(ExecContext& ctx, const RightsRecord& r) {
  ctx.state.PutRights(r);
  ctx.state.PutIndex(keys::RightsOpen(r.deadline, r.id));
  ctx.state.PutIndex(keys::RightsBySubject(r.subject, r.id));
}

// Is `subject` entitled to ask `controller`: do they hold, or have they held, a consent with
// it (as its original controller, or as a party to a transfer of it)?
Result<bool> HasConsentWith(ExecContext& ctx, const Subject& subject,
                            const std::string& controller) {
  CONSENTD_ASSIGN_OR_RETURN(auto ids, ctx.state.SubjectConsentIds(subject));
  for (const Hash256& id : ids) {
    CONSENTD_ASSIGN_OR_RETURN(auto c, ctx.state.Consent(id));
    if (!c) continue;
    if (c->grant.controller == controller) return true;
    for (const ConsentEvent& e : c->events) {
      if (e.from == controller || e.to == controller) return true;
    }
  }
  return false;
}

// Requests (origin "request") about `subject` still open at `controller`.
Result<std::size_t> OpenRequests(ExecContext& ctx, const Subject& subject,
                                 const std::string& controller) {
  CONSENTD_ASSIGN_OR_RETURN(auto ids, ctx.state.SubjectRightsIds(subject));
  std::size_t open = 0;
  for (const Hash256& id : ids) {
    CONSENTD_ASSIGN_OR_RETURN(auto r, ctx.state.Rights(id));
    if (r && r->open() && r->origin == RightsOrigin::kRequest && r->controller == controller)
      ++open;
  }
  return open;
}

}  // namespace

void OpenErasure(ExecContext& ctx, const ConsentRecord& consent, std::string_view controller,
                 RightsOrigin origin, const std::optional<Hash256>& id) {
  RightsRecord r;
  r.id = id.value_or(ctx.tx.id());
  r.controller = std::string(controller);
  r.subject = consent.grant.subject;
  r.kind = "delete";
  r.consent_id = consent.id;
  r.origin = origin;
  r.requested_at = ctx.time_ms;
  r.deadline = ctx.time_ms + ctx.genesis.params.rights_deadline_ms;
  r.status = RightsStatus::kOpen;
  r.height = ctx.height;
  PutOpen(ctx, r);
}

Status ExecRightsRequest(ExecContext& ctx, const RightsRequest& b) {
  CONSENTD_RETURN_IF_ERROR(
      RequireMember(ctx.state, b.controller, "controller", "insurer", true).status());
  CONSENTD_RETURN_IF_ERROR(RequireSubjectOrRecorder(ctx, b.subject, b.controller, "controller"));
  if (b.consent_id) {
    CONSENTD_ASSIGN_OR_RETURN(auto c, ctx.state.Consent(*b.consent_id));
    if (!c) return Status::Error(Reason::kConsentUnknown, "no consent " + HexEncode(*b.consent_id));
    if (c->grant.subject != b.subject) {
      return Status::Error(Reason::kTxInvalidValue, "the consent belongs to another subject");
    }
  }
  // Only someone entitled opens a legal deadline: a key subject who holds or held a consent
  // with the controller (a ref subject's request is the controller's own, signed above).
  if (b.subject.is_key()) {
    CONSENTD_ASSIGN_OR_RETURN(bool entitled, HasConsentWith(ctx, b.subject, b.controller));
    if (!entitled) {
      return Status::Error(Reason::kRightsNotEntitled,
                           "the subject has no consent, current or former, with " + b.controller);
    }
  }
  CONSENTD_ASSIGN_OR_RETURN(std::size_t open, OpenRequests(ctx, b.subject, b.controller));
  if (open >= kMaxOpenRightsRequests) {
    return Status::Error(Reason::kRightsTooManyOpen,
                         "the subject has " + std::to_string(open) + " requests open at " +
                             b.controller + " (at most " + std::to_string(kMaxOpenRightsRequests) +
                             ")");
  }
  RightsRecord r;
  r.id = ctx.tx.id();
  r.controller = b.controller;
  r.subject = b.subject;
  r.kind = b.kind;
  r.consent_id = b.consent_id;
  r.origin = RightsOrigin::kRequest;
  r.requested_at = ctx.time_ms;
  r.deadline = ctx.time_ms + ctx.genesis.params.rights_deadline_ms;
  r.status = RightsStatus::kOpen;
  r.height = ctx.height;
  PutOpen(ctx, r);
  return Status::Ok();
}

Status ExecRightsFulfil(ExecContext& ctx, const RightsFulfil& b) {
  CONSENTD_ASSIGN_OR_RETURN(auto found, ctx.state.Rights(b.request_id));
  if (!found)
    return Status::Error(Reason::kRightsUnknownRequest,
                         "no rights request " + HexEncode(b.request_id));
  RightsRecord r = std::move(*found);
  if (!r.open()) {
    return Status::Error(Reason::kRightsAlreadyClosed,
                         "request " + HexEncode(r.id) + " is " + ToString(r.status));
  }
  // A suspended controller still owes its answers.
  CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, r.controller, "controller", {}, true).status());
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(r.controller, "controller"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  ctx.state.Delete(keys::RightsOpen(r.deadline, r.id));
  r.status = b.outcome;
  r.closed_at = ctx.time_ms;
  r.reason = b.reason.value_or("");
  r.attestation_hash = b.attestation_hash;
  r.closed_by_tx = ctx.tx.id();
  ctx.state.PutRights(r);
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
