// portfolio.transfer (PIPL Art. 22): the named consents (a list, or every active consent of the
// transferor) pass to the transferee at effective_at with their purposes unchanged; a new
// purpose needs a new grant. Subjects are notified (notice_hash) and may withdraw, and the
// objection window is recorded so reports can count withdrawals inside it.

#include "common/hex.h"
#include "ledger/exec/context.h"

namespace consentd::ledger::exec {

Status Movable(const ExecContext& ctx, const ConsentRecord& c, std::string_view transferor) {
  const ConsentStatus status = c.StatusAt(ctx.time_ms);
  if (status != ConsentStatus::kGiven && status != ConsentStatus::kRenewed &&
      status != ConsentStatus::kTransferred) {
    return Status::Error(Reason::kConsentNotActive,
                         "consent " + HexEncode(c.id) + " is " + ToString(status));
  }
  if (c.ControllerAt(ctx.time_ms) != transferor || c.HasTransferPendingAt(ctx.time_ms)) {
    return Status::Error(
        Reason::kTransferConsentNotOwned,
        "consent " + HexEncode(c.id) + " is not controlled by " + std::string(transferor));
  }
  return Status::Ok();
}

Status ExecPortfolioTransfer(ExecContext& ctx, const PortfolioTransfer& b) {
  if (ctx.genesis.params.transfer_approval_required) {
    return Status::Error(Reason::kTransferApprovalRequired,
                         "this network requires a regulator's approval: use transfer.propose");
  }
  CONSENTD_RETURN_IF_ERROR(RequireTransferParties(ctx, b.transferor, "transferor", b.transferee,
                                                  "transferee", b.effective_at));

  const auto max = static_cast<std::size_t>(ctx.genesis.params.max_transfer_consents);
  std::vector<ConsentRecord> moving;
  if (b.all_consents) {
    auto cursor = ctx.state.view().Scan(keys::ControllerConsentPrefix(b.transferor));
    for (; cursor->Valid(); cursor->Next()) {
      CONSENTD_ASSIGN_OR_RETURN(auto c, ctx.state.Consent(keys::TrailingId(cursor->key())));
      if (!c)
        return Status::Error(Reason::kStoreCorruption, "controller index names a missing consent");
      if (!Movable(ctx, *c, b.transferor).ok()) continue;  // ended or already moved: skip
      if (moving.size() == max) {
        return Status::Error(Reason::kTransferTooLarge, "more than " + std::to_string(max) +
                                                            " consents; transfer them in lists");
      }
      moving.push_back(std::move(*c));
    }
    CONSENTD_RETURN_IF_ERROR(cursor->status());
  } else {
    if (b.consents.size() > max) {
      return Status::Error(Reason::kTransferTooLarge,
                           "more than " + std::to_string(max) + " consents");
    }
    for (const Hash256& id : b.consents) {
      CONSENTD_ASSIGN_OR_RETURN(auto c, ctx.state.Consent(id));
      if (!c) return Status::Error(Reason::kConsentUnknown, "no consent " + HexEncode(id));
      CONSENTD_RETURN_IF_ERROR(Movable(ctx, *c, b.transferor));
      moving.push_back(std::move(*c));
    }
  }

  for (ConsentRecord& c : moving) {
    c.events.push_back(ConsentEvent{ConsentEventKind::kTransferred, b.effective_at, ctx.height,
                                    ctx.tx.id(), b.transferor, b.transferee, "", ""});
    ctx.state.PutConsent(c);
    ctx.state.PutIndex(keys::ControllerConsent(b.transferee, c.id));
    ctx.state.PutIndex(keys::TransferConsent(ctx.tx.id(), c.id));
  }
  TransferRecord t;
  t.id = ctx.tx.id();
  t.transferor = b.transferor;
  t.transferee = b.transferee;
  t.all_consents = b.all_consents;
  t.count = static_cast<std::int64_t>(moving.size());
  t.effective_at = b.effective_at;
  t.objection_until = b.effective_at + ctx.genesis.params.objection_window_ms;
  t.notice_hash = b.notice_hash;
  t.approval_ref_hash = b.approval_ref_hash;
  t.at = ctx.time_ms;
  t.height = ctx.height;
  ctx.state.PutJson(keys::Transfer(t.id), t.ToJson());
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
