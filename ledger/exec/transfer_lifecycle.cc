// The transfer lifecycle (PIPL Art. 22; docs/LEDGER.md "Transfers"). transfer.propose, signed by
// seller and acquirer, names the scope, when it may take effect, until when subjects may object,
// and the hashes of the data inventory and of the notice. Where the network requires it an
// active regulator approves it (transfer.approve). Subjects object (transfer.object) until
// objection_until: their consents stay with the seller, which owes their erasure once the
// transfer completes. Either party cancels before effective_at (transfer.cancel), or completes
// it at or after effective_at (transfer.complete): the consents in scope and their subjects' open
// rights requests pass to the acquirer, with purposes unchanged.

#include <algorithm>
#include <set>
#include <string>

#include "common/hex.h"
#include "crypto/tagged_hash.h"
#include "ledger/exec/context.h"

namespace consentd::ledger::exec {
namespace {

// The lifecycle transfer `id` (transfer_unknown for none, or for a one-step portfolio.transfer).
Result<TransferRecord> LifecycleTransfer(const ExecContext& ctx, const Hash256& id) {
  CONSENTD_ASSIGN_OR_RETURN(auto t, ctx.state.Transfer(id));
  if (!t || !t->lifecycle) {
    return Status::Error(Reason::kTransferUnknown, "no transfer.propose " + HexEncode(id));
  }
  return std::move(*t);
}

void PutTransfer(ExecContext& ctx, const TransferRecord& t) {
  ctx.state.PutJson(keys::Transfer(t.id), t.ToJson());
}

// A step of a party on an open transfer: the party that signed (the seller when both did);
// tx_missing_signature when neither did, transfer_invalid_transition when `t` is closed.
Result<std::string> PartyStep(const ExecContext& ctx, const TransferRecord& t) {
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  const bool seller = signers.ClaimMember(t.transferor);
  const bool acquirer = signers.ClaimMember(t.transferee);
  if (!seller && !acquirer) {
    return Status::Error(
        Reason::kTxMissingSignature,
        "needs a signature of the seller " + t.transferor + " or the acquirer " + t.transferee);
  }
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (!t.open()) {
    return Status::Error(Reason::kTransferInvalidTransition,
                         std::string("the transfer is already ") + ToString(t.lifecycle->status));
  }
  return seller ? t.transferor : t.transferee;
}

// Ends the transfer (cancelled or completed) by `by`'s tx.
void Close(const ExecContext& ctx, TransferRecord& t, TransferStatus status, std::string by) {
  t.lifecycle->status = status;
  t.lifecycle->closed_by = std::move(by);
  t.lifecycle->closed_at = ctx.time_ms;
  t.lifecycle->closed_height = ctx.height;
}

Result<bool> Objected(const ExecContext& ctx, const Hash256& transfer, const Subject& subject) {
  CONSENTD_ASSIGN_OR_RETURN(auto v,
                            ctx.state.view().Get(keys::TransferObjection(transfer, subject)));
  return v.has_value();
}

// The consents in the transfer's scope, as they are now: the listed ones, or every consent the
// seller's index names.
Result<std::vector<ConsentRecord>> Scope(const ExecContext& ctx, const TransferRecord& t) {
  std::vector<ConsentRecord> out;
  if (!t.all_consents) {
    for (const Hash256& id : t.lifecycle->consents) {
      CONSENTD_ASSIGN_OR_RETURN(auto c, ctx.state.Consent(id));
      if (!c) return Status::Error(Reason::kStoreCorruption, "a transfer names a missing consent");
      out.push_back(std::move(*c));
    }
    return out;
  }
  auto cursor = ctx.state.view().Scan(keys::ControllerConsentPrefix(t.transferor));
  for (; cursor->Valid(); cursor->Next()) {
    CONSENTD_ASSIGN_OR_RETURN(auto c, ctx.state.Consent(keys::TrailingId(cursor->key())));
    if (!c)
      return Status::Error(Reason::kStoreCorruption, "controller index names a missing consent");
    out.push_back(std::move(*c));
  }
  CONSENTD_RETURN_IF_ERROR(cursor->status());
  return out;
}

// The erasure obligation an objector's consent opens at completion: one per consent.
Hash256 ErasureId(const Hash256& tx, const Hash256& consent) {
  Bytes message(tx.begin(), tx.end());
  message.insert(message.end(), consent.begin(), consent.end());
  return crypto::TaggedHash("consentd/transfer-erasure/v1", message);
}

}  // namespace

Status ExecTransferPropose(ExecContext& ctx, const TransferPropose& b) {
  CONSENTD_RETURN_IF_ERROR(
      RequireTransferParties(ctx, b.seller, "seller", b.acquirer, "acquirer", b.effective_at));
  if (b.objection_until <= ctx.time_ms || b.objection_until > b.effective_at) {
    return Status::Error(Reason::kTransferInvalidTime,
                         "objection_until must be after the block time and at most effective_at");
  }
  for (const Hash256& id : b.consents) {
    CONSENTD_ASSIGN_OR_RETURN(auto c, ctx.state.Consent(id));
    if (!c) return Status::Error(Reason::kConsentUnknown, "no consent " + HexEncode(id));
    CONSENTD_RETURN_IF_ERROR(Movable(ctx, *c, b.seller));
  }
  TransferRecord t;
  t.id = ctx.tx.id();
  t.transferor = b.seller;
  t.transferee = b.acquirer;
  t.all_consents = b.all_consents;
  t.effective_at = b.effective_at;
  t.objection_until = b.objection_until;
  t.notice_hash = b.notice_hash;
  t.at = ctx.time_ms;
  t.height = ctx.height;
  TransferLifecycle l;
  l.manifest_hash = b.manifest_hash;
  l.consents = b.consents;
  t.lifecycle = std::move(l);
  PutTransfer(ctx, t);
  return Status::Ok();
}

Status ExecTransferApprove(ExecContext& ctx, const TransferApprove& b) {
  CONSENTD_ASSIGN_OR_RETURN(TransferRecord t, LifecycleTransfer(ctx, b.transfer_id));
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_ASSIGN_OR_RETURN(std::string by, ClaimRegulators(ctx, signers));
  if (by.empty()) {
    return Status::Error(Reason::kTxMissingSignature, "needs a signature of an active regulator");
  }
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (t.lifecycle->status != TransferStatus::kProposed) {
    return Status::Error(Reason::kTransferInvalidTransition,
                         std::string("the transfer is ") + ToString(t.lifecycle->status) +
                             "; only a proposed transfer is approved");
  }
  t.lifecycle->status = TransferStatus::kApproved;
  t.lifecycle->approved_by = by;
  t.lifecycle->approved_at = ctx.time_ms;
  t.approval_ref_hash = b.approval_ref_hash;
  PutTransfer(ctx, t);
  return Status::Ok();
}

Status ExecTransferObject(ExecContext& ctx, const TransferObject& b) {
  CONSENTD_ASSIGN_OR_RETURN(TransferRecord t, LifecycleTransfer(ctx, b.transfer_id));
  CONSENTD_RETURN_IF_ERROR(RequireSubjectOrRecorder(ctx, b.subject, t.transferor, "seller"));
  if (!t.open() || ctx.time_ms > t.objection_until) {
    return Status::Error(Reason::kTransferObjectionClosed,
                         t.open()
                             ? "objections closed at " + std::to_string(t.objection_until)
                             : std::string("the transfer is ") + ToString(t.lifecycle->status));
  }
  CONSENTD_ASSIGN_OR_RETURN(bool objected, Objected(ctx, t.id, b.subject));
  if (objected) {
    return Status::Error(Reason::kTransferAlreadyObjected, "the subject has already objected");
  }
  bool covered = false;
  CONSENTD_ASSIGN_OR_RETURN(auto ids, ctx.state.SubjectConsentIds(b.subject));
  for (const Hash256& id : ids) {
    if (!t.all_consents && std::find(t.lifecycle->consents.begin(), t.lifecycle->consents.end(),
                                     id) == t.lifecycle->consents.end()) {
      continue;
    }
    CONSENTD_ASSIGN_OR_RETURN(auto c, ctx.state.Consent(id));
    if (c && Movable(ctx, *c, t.transferor).ok()) {
      covered = true;
      break;
    }
  }
  if (!covered) {
    return Status::Error(Reason::kTransferSubjectNotCovered,
                         "the subject has no live consent in the transfer's scope");
  }
  ctx.state.PutIndex(keys::TransferObjection(t.id, b.subject));
  ++t.lifecycle->objections;
  PutTransfer(ctx, t);
  return Status::Ok();
}

Status ExecTransferCancel(ExecContext& ctx, const TransferCancel& b) {
  CONSENTD_ASSIGN_OR_RETURN(TransferRecord t, LifecycleTransfer(ctx, b.transfer_id));
  CONSENTD_ASSIGN_OR_RETURN(std::string by, PartyStep(ctx, t));
  if (ctx.time_ms >= t.effective_at) {
    return Status::Error(Reason::kTransferInvalidTransition,
                         "a transfer is cancelled only before its effective_at");
  }
  Close(ctx, t, TransferStatus::kCancelled, std::move(by));
  t.lifecycle->cancel_reason = b.reason;
  PutTransfer(ctx, t);
  return Status::Ok();
}

Status ExecTransferComplete(ExecContext& ctx, const TransferComplete& b) {
  CONSENTD_ASSIGN_OR_RETURN(TransferRecord t, LifecycleTransfer(ctx, b.transfer_id));
  CONSENTD_ASSIGN_OR_RETURN(std::string by, PartyStep(ctx, t));
  if (ctx.time_ms < t.effective_at) {
    return Status::Error(Reason::kTransferNotYetEffective,
                         "the transfer takes effect at " + std::to_string(t.effective_at));
  }
  if (ctx.genesis.params.transfer_approval_required &&
      t.lifecycle->status != TransferStatus::kApproved) {
    return Status::Error(Reason::kTransferApprovalRequired,
                         "no regulator has approved the transfer");
  }
  CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, t.transferee, "acquirer", "insurer").status());

  CONSENTD_ASSIGN_OR_RETURN(std::vector<ConsentRecord> scope, Scope(ctx, t));
  const auto max = static_cast<std::size_t>(ctx.genesis.params.max_transfer_consents);
  std::vector<ConsentRecord> moving;
  std::vector<Subject> subjects;  // of the moving consents, distinct
  std::set<std::string> seen;
  TransferLifecycle& l = *t.lifecycle;
  for (ConsentRecord& c : scope) {
    if (!Movable(ctx, c, t.transferor).ok()) {
      ++l.skipped;
      continue;
    }
    CONSENTD_ASSIGN_OR_RETURN(bool objected, Objected(ctx, t.id, c.grant.subject));
    if (objected) {
      ++l.kept;
      ++l.erasures;
      OpenErasure(ctx, c, t.transferor, RightsOrigin::kTransferObjection,
                  ErasureId(ctx.tx.id(), c.id));
      continue;
    }
    if (moving.size() == max) {
      return Status::Error(Reason::kTransferTooLarge,
                           "more than " + std::to_string(max) + " consents move");
    }
    if (seen.insert(c.grant.subject.Binary()).second) subjects.push_back(c.grant.subject);
    moving.push_back(std::move(c));
  }
  for (ConsentRecord& c : moving) {
    c.events.push_back(ConsentEvent{ConsentEventKind::kTransferred, ctx.time_ms, ctx.height,
                                    ctx.tx.id(), t.transferor, t.transferee, "", ""});
    ctx.state.PutConsent(c);
    ctx.state.PutIndex(keys::ControllerConsent(t.transferee, c.id));
    ctx.state.PutIndex(keys::TransferConsent(t.id, c.id));
  }
  // The moved subjects' open requests and erasure duties at the seller are the acquirer's now.
  for (const Subject& s : subjects) {
    CONSENTD_ASSIGN_OR_RETURN(auto ids, ctx.state.SubjectRightsIds(s));
    for (const Hash256& id : ids) {
      CONSENTD_ASSIGN_OR_RETURN(auto r, ctx.state.Rights(id));
      if (!r || !r->open() || r->controller != t.transferor) continue;
      r->controller = t.transferee;
      ctx.state.PutRights(*r);
      ++l.rights_moved;
    }
  }
  t.count = static_cast<std::int64_t>(moving.size());
  Close(ctx, t, TransferStatus::kCompleted, std::move(by));
  PutTransfer(ctx, t);
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
