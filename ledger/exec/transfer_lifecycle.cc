// The transfer lifecycle (PIPL Art. 22; docs/LEDGER.md "Transfers"). transfer.propose, signed by
// seller and acquirer, names the scope, when it may take effect, until when subjects may object,
// and the hashes of the data inventory and of the notice. Where the network requires it an
// active regulator approves it (transfer.approve). Subjects object (transfer.object) until
// objection_until: their consents stay with the seller, which owes their erasure once the
// transfer completes. Either party cancels before effective_at (transfer.cancel), or completes
// it at or after effective_at (transfer.complete): the consents in scope and their subjects' open
// rights requests pass to the acquirer, with purposes unchanged, as do the agreements the
// proposal names (where their other party co-signs; otherwise they end) and the notices the
// moved consents were given under. Either party records batches of notice deliveries
// (transfer.notify: a Merkle root) and the seller attests what it deleted and what it keeps
// (transfer.attest). Each step is kept in the record's `steps`.

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

// Claims the seller's and the acquirer's signatures: the party that acts (the seller when both
// signed); tx_missing_signature when neither did.
Result<std::string> ClaimParty(Signers& signers, const TransferRecord& t) {
  const bool seller = signers.ClaimMember(t.transferor);
  const bool acquirer = signers.ClaimMember(t.transferee);
  if (!seller && !acquirer) {
    return Status::Error(
        Reason::kTxMissingSignature,
        "needs a signature of the seller " + t.transferor + " or the acquirer " + t.transferee);
  }
  return seller ? t.transferor : t.transferee;
}

// A step of a party on an open transfer: the party that signed (the seller when both did);
// tx_missing_signature when neither did, transfer_invalid_transition when `t` is closed. The
// members in `may_cosign` may sign too; those that did are added to `cosigned`.
Result<std::string> PartyStep(const ExecContext& ctx, const TransferRecord& t,
                              const std::vector<std::string>& may_cosign = {},
                              std::set<std::string>* cosigned = nullptr) {
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_ASSIGN_OR_RETURN(std::string by, ClaimParty(signers, t));
  for (const std::string& m : may_cosign) {
    if (signers.ClaimMember(m) && cosigned != nullptr) cosigned->insert(m);
  }
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (!t.open()) {
    return Status::Error(Reason::kTransferInvalidTransition,
                         std::string("the transfer is already ") + ToString(t.lifecycle->status));
  }
  return by;
}

// Appends a step taken by `by` in this tx. Notice batches and attestations each have a cap
// (transfer_too_many_steps), so neither party can fill the record and block the other's steps:
// 1 proposal + 1 approval + 1 cancellation or completion + 200 + 50 < kMaxTransferSteps.
constexpr std::size_t kMaxNotifySteps = 200;
constexpr std::size_t kMaxAttestSteps = 50;
Status AddStep(const ExecContext& ctx, TransferRecord& t, TransferStepKind kind, std::string by,
               TransferStep step = {}) {
  const std::size_t cap = kind == TransferStepKind::kNotify   ? kMaxNotifySteps
                          : kind == TransferStepKind::kAttest ? kMaxAttestSteps
                                                              : kMaxTransferSteps;
  const auto same = static_cast<std::size_t>(
      std::count_if(t.lifecycle->steps.begin(), t.lifecycle->steps.end(),
                    [&](const TransferStep& s) { return s.kind == kind; }));
  if (same >= cap || t.lifecycle->steps.size() >= kMaxTransferSteps) {
    return Status::Error(
        Reason::kTransferTooManySteps,
        "the transfer already records " + std::to_string(same) + " " + ToString(kind) + " steps");
  }
  step.kind = kind;
  step.tx = ctx.tx.id();
  step.at = ctx.time_ms;
  step.height = ctx.height;
  step.by = std::move(by);
  t.lifecycle->steps.push_back(std::move(step));
  return Status::Ok();
}

// The member on the other side of agreement `a` from `seller`.
const std::string& Counterparty(const AgreementRecord& a, std::string_view seller) {
  return a.terms.exporter == seller ? a.terms.importer : a.terms.exporter;
}

Result<AgreementRecord> SellerAgreement(const ExecContext& ctx, const Hash256& id,
                                        std::string_view seller, std::string_view acquirer) {
  CONSENTD_ASSIGN_OR_RETURN(auto a, ctx.state.Agreement(id));
  if (!a) return Status::Error(Reason::kTransferAgreementInvalid, "no agreement " + HexEncode(id));
  if (a->terms.exporter != seller && a->terms.importer != seller) {
    return Status::Error(Reason::kTransferAgreementInvalid,
                         "agreement " + HexEncode(id) + " is not the seller's");
  }
  if (Counterparty(*a, seller) == acquirer) {
    return Status::Error(Reason::kTransferAgreementInvalid,
                         "agreement " + HexEncode(id) + " is with the acquirer");
  }
  if (a->status() == AgreementStatus::kTerminated) {
    return Status::Error(Reason::kTransferAgreementInvalid,
                         "agreement " + HexEncode(id) + " is terminated");
  }
  return std::move(*a);
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
  for (const Hash256& id : b.agreements) {
    CONSENTD_RETURN_IF_ERROR(SellerAgreement(ctx, id, b.seller, b.acquirer).status());
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
  l.agreements = b.agreements;
  t.lifecycle = std::move(l);
  CONSENTD_RETURN_IF_ERROR(AddStep(ctx, t, TransferStepKind::kPropose, b.seller));
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
  CONSENTD_RETURN_IF_ERROR(AddStep(ctx, t, TransferStepKind::kApprove, by));
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
  CONSENTD_RETURN_IF_ERROR(AddStep(ctx, t, TransferStepKind::kCancel, by));
  Close(ctx, t, TransferStatus::kCancelled, std::move(by));
  t.lifecycle->cancel_reason = b.reason;
  PutTransfer(ctx, t);
  return Status::Ok();
}

Status ExecTransferComplete(ExecContext& ctx, const TransferComplete& b) {
  CONSENTD_ASSIGN_OR_RETURN(TransferRecord t, LifecycleTransfer(ctx, b.transfer_id));
  // The other parties of the agreements that go with it may co-sign, moving theirs.
  std::vector<AgreementRecord> agreements;
  std::vector<std::string> counterparties;
  for (const Hash256& id : t.lifecycle->agreements) {
    CONSENTD_ASSIGN_OR_RETURN(auto a, ctx.state.Agreement(id));
    if (!a) return Status::Error(Reason::kStoreCorruption, "a transfer names a missing agreement");
    // Since the proposal another transfer may have moved it: then it is no longer the seller's
    // to hand over (or it is with the acquirer already), and this one leaves it alone.
    const bool sellers = a->terms.exporter == t.transferor || a->terms.importer == t.transferor;
    if (!sellers || Counterparty(*a, t.transferor) == t.transferee) continue;
    counterparties.push_back(Counterparty(*a, t.transferor));
    agreements.push_back(std::move(*a));
  }
  std::set<std::string> assented;
  CONSENTD_ASSIGN_OR_RETURN(std::string by, PartyStep(ctx, t, counterparties, &assented));
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
      const Hash256 erasure = ErasureId(ctx.tx.id(), c.id);
      OpenErasure(ctx, c, t.transferor, RightsOrigin::kTransferObjection, erasure);
      ctx.state.PutIndex(keys::TransferDuty(t.id, erasure));
      continue;
    }
    if (moving.size() == max) {
      return Status::Error(Reason::kTransferTooLarge,
                           "more than " + std::to_string(max) + " consents move");
    }
    if (seen.insert(c.grant.subject.Binary()).second) subjects.push_back(c.grant.subject);
    moving.push_back(std::move(c));
  }
  std::set<std::pair<std::string, std::string>> notices;  // (controller, notice id) shown
  for (ConsentRecord& c : moving) {
    notices.emplace(c.grant.controller, c.grant.notice.notice_id);
    c.events.push_back(ConsentEvent{ConsentEventKind::kTransferred, ctx.time_ms, ctx.height,
                                    ctx.tx.id(), t.transferor, t.transferee, "", ""});
    ctx.state.PutConsent(c);
    ctx.state.PutIndex(keys::ControllerConsent(t.transferee, c.id));
    ctx.state.PutIndex(keys::TransferConsent(t.id, c.id));
  }
  // The notices the moved consents were given under: the acquirer holds a copy, so it can renew
  // them under the same notice (a notice id the acquirer already has is left as it is).
  for (const auto& [controller, notice_id] : notices) {
    CONSENTD_ASSIGN_OR_RETURN(auto have, ctx.state.Notice(t.transferee, notice_id));
    if (have) continue;
    CONSENTD_ASSIGN_OR_RETURN(auto n, ctx.state.Notice(controller, notice_id));
    if (!n) return Status::Error(Reason::kStoreCorruption, "a consent names a missing notice");
    n->controller = t.transferee;
    ctx.state.PutJson(keys::Notice(t.transferee, notice_id), n->ToJson());
    ++l.notices_moved;
  }
  // The agreements that go with it: moved where the other party co-signed, else ended.
  for (AgreementRecord& a : agreements) {
    AgreementEvent e{a.status(), ctx.time_ms, ctx.height, ctx.tx.id(), "", by, "", ""};
    if (a.status() != AgreementStatus::kTerminated &&
        assented.contains(Counterparty(a, t.transferor))) {
      std::string& side = a.terms.exporter == t.transferor ? a.terms.exporter : a.terms.importer;
      a.terms_json[a.terms.exporter == t.transferor ? "exporter" : "importer"] = t.transferee;
      side = t.transferee;
      e.reason = "transferred";
      e.from = t.transferor;
      e.to = t.transferee;
      ctx.state.PutIndex(keys::PartyAgreement(t.transferee, a.id));
      ++l.agreements_moved;
    } else if (a.status() != AgreementStatus::kTerminated) {
      e.status = AgreementStatus::kTerminated;
      e.reason = "transfer_not_assented";
      ++l.agreements_ended;
    } else {
      continue;  // ended since the proposal
    }
    a.events.push_back(std::move(e));
    ctx.state.PutAgreement(a);
  }
  // The moved subjects' open requests and erasure duties at the seller are the acquirer's now.
  for (const Subject& s : subjects) {
    CONSENTD_ASSIGN_OR_RETURN(auto ids, ctx.state.SubjectRightsIds(s));
    for (const Hash256& id : ids) {
      CONSENTD_ASSIGN_OR_RETURN(auto r, ctx.state.Rights(id));
      if (!r || !r->open() || r->controller != t.transferor) continue;
      r->controller = t.transferee;
      ctx.state.PutRights(*r);
      ctx.state.PutIndex(keys::TransferDuty(t.id, r->id));
      ++l.rights_moved;
    }
  }
  t.count = static_cast<std::int64_t>(moving.size());
  l.deletion_due = ctx.time_ms + ctx.genesis.params.rights_deadline_ms;
  CONSENTD_RETURN_IF_ERROR(AddStep(ctx, t, TransferStepKind::kComplete, by));
  Close(ctx, t, TransferStatus::kCompleted, std::move(by));
  PutTransfer(ctx, t);
  return Status::Ok();
}

Status ExecTransferNotify(ExecContext& ctx, const TransferNotify& b) {
  CONSENTD_ASSIGN_OR_RETURN(TransferRecord t, LifecycleTransfer(ctx, b.transfer_id));
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_ASSIGN_OR_RETURN(std::string by, ClaimParty(signers, t));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (t.lifecycle->status == TransferStatus::kCancelled) {
    return Status::Error(Reason::kTransferInvalidTransition, "the transfer is cancelled");
  }
  if (b.delivered_until < t.at || b.delivered_until > ctx.time_ms) {
    return Status::Error(Reason::kTransferInvalidTime,
                         "delivered_until must fall between the proposal and the block time");
  }
  TransferStep step;
  step.deliveries_root = b.deliveries_root;
  step.deliveries = b.deliveries;
  step.delivered_until = b.delivered_until;
  CONSENTD_RETURN_IF_ERROR(AddStep(ctx, t, TransferStepKind::kNotify, by, std::move(step)));
  t.lifecycle->notices_delivered += b.deliveries;
  PutTransfer(ctx, t);
  return Status::Ok();
}

Status ExecTransferAttest(ExecContext& ctx, const TransferAttest& b) {
  CONSENTD_ASSIGN_OR_RETURN(TransferRecord t, LifecycleTransfer(ctx, b.transfer_id));
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(t.transferor, "seller"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (t.lifecycle->status != TransferStatus::kCompleted) {
    return Status::Error(Reason::kTransferInvalidTransition,
                         std::string("the transfer is ") + ToString(t.lifecycle->status) +
                             "; the seller attests its deletion once it is completed");
  }
  if ((b.retained_until && *b.retained_until <= ctx.time_ms) ||
      (b.backups_purge_by && *b.backups_purge_by <= ctx.time_ms)) {
    return Status::Error(Reason::kTransferInvalidTime,
                         "retained_until and backups_purge_by must be after the block time");
  }
  // A later attestation may keep less, or keep it for less long, never postpone what it owes:
  // otherwise a seller could clear an overdue retention by attesting a later date.
  if (const auto& before = t.lifecycle->deletion) {
    const auto& kept = before->retained_categories;
    const bool more = std::any_of(
        b.retained_categories.begin(), b.retained_categories.end(),
        [&](const std::string& c) { return std::find(kept.begin(), kept.end(), c) == kept.end(); });
    const bool longer = b.retained_until && *b.retained_until > before->retained_until;
    const bool backups_later =
        b.backups == "scheduled" &&
        (before->backups == "purged" || *b.backups_purge_by > before->backups_purge_by);
    if (more || longer || backups_later) {
      return Status::Error(Reason::kTransferInvalidTime,
                           "a later attestation keeps no more, and no longer, than the one before");
    }
  }
  TransferDeletion d;
  d.tx = ctx.tx.id();
  d.at = ctx.time_ms;
  d.deleted_hash = b.deleted_hash;
  d.retained_categories = b.retained_categories;
  d.retained_until = b.retained_until.value_or(0);
  d.retention_basis = b.retention_basis.value_or("");
  d.backups = b.backups;
  d.backups_purge_by = b.backups_purge_by.value_or(0);
  d.attestations = t.lifecycle->deletion ? t.lifecycle->deletion->attestations + 1 : 1;
  CONSENTD_RETURN_IF_ERROR(AddStep(ctx, t, TransferStepKind::kAttest, t.transferor));
  t.lifecycle->deletion = std::move(d);
  PutTransfer(ctx, t);
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
