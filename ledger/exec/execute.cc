#include <algorithm>

#include "common/hex.h"
#include "ledger/exec/context.h"

namespace consentd::ledger::exec {

bool IsInternalError(const Status& status) {
  return !status.ok() && ClassOf(status.reason()) == ReasonClass::kInternal;
}

// Claims the signatures of active regulators; returns the first one's id, or empty.
Result<std::string> ClaimRegulators(const ExecContext& ctx, Signers& signers) {
  std::string first;
  for (const std::string& id : signers.Members()) {
    CONSENTD_ASSIGN_OR_RETURN(auto m, ctx.state.Member(id));
    if (m && m->active() && m->HasRole("regulator")) {
      signers.ClaimMember(id);
      if (first.empty()) first = id;
    }
  }
  return first;
}

Result<PartyOrRegulator> ClaimPartyOrRegulator(const ExecContext& ctx, Signers& signers,
                                               std::string_view first, std::string_view second,
                                               std::string_view who) {
  PartyOrRegulator out;
  if (signers.ClaimMember(first)) out.by = std::string(first);
  if (signers.ClaimMember(second) && out.by.empty()) out.by = std::string(second);
  CONSENTD_ASSIGN_OR_RETURN(out.regulator, ClaimRegulators(ctx, signers));
  if (out.by.empty()) out.by = out.regulator;
  if (out.by.empty()) {
    return Status::Error(Reason::kTxMissingSignature,
                         "needs a signature of " + std::string(who) + " or a regulator");
  }
  return out;
}

Status RequirePeriod(const ExecContext& ctx, std::int64_t valid_from, std::int64_t valid_until,
                     Reason reason) {
  if (valid_from < valid_until && valid_until > ctx.time_ms) return Status::Ok();
  return Status::Error(reason,
                       "valid_from must be before valid_until, and valid_until in the future");
}

Status RequireSubjectOrRecorder(const ExecContext& ctx, const Subject& subject,
                                std::string_view recorder, std::string_view recorder_role) {
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  if (subject.is_key()) {
    CONSENTD_RETURN_IF_ERROR(signers.RequireKey(subject.id, "subject"));
  } else {
    CONSENTD_RETURN_IF_ERROR(signers.RequireMember(recorder, recorder_role));
  }
  return signers.NoOthers();
}

Status RequireTransferParties(const ExecContext& ctx, std::string_view from,
                              std::string_view from_role, std::string_view to,
                              std::string_view to_role, std::int64_t effective_at) {
  CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, from, from_role, "insurer").status());
  CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, to, to_role, "insurer").status());
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(from, from_role));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(to, to_role));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (effective_at < ctx.time_ms) {
    return Status::Error(Reason::kTransferInvalidTime, "effective_at is in the past");
  }
  return Status::Ok();
}

Result<Signers> Signers::Resolve(const Tx& tx, const StateReader& state) {
  Signers s;
  for (const TxSignature& sig : tx.signatures()) {
    Entry e{sig.key.bytes(), std::nullopt, false};
    CONSENTD_ASSIGN_OR_RETURN(e.member, state.MemberIdByKey(sig.key.bytes()));
    s.entries_.push_back(std::move(e));
  }
  return s;
}

bool Signers::ClaimMember(std::string_view member) {
  bool found = false;
  for (Entry& e : entries_) {
    if (e.member && *e.member == member) {
      e.claimed = true;
      found = true;
    }
  }
  return found;
}

Status Signers::RequireMember(std::string_view member, std::string_view role_in_tx) {
  if (ClaimMember(member)) return Status::Ok();
  return Status::Error(
      Reason::kTxMissingSignature,
      "needs a signature of " + std::string(role_in_tx) + " " + std::string(member));
}

bool Signers::ClaimKey(const FixedBytes<32>& key) {
  for (Entry& e : entries_) {
    if (e.key == key) {
      e.claimed = true;
      return true;
    }
  }
  return false;
}

Status Signers::RequireKey(const FixedBytes<32>& key, std::string_view who) {
  if (ClaimKey(key)) return Status::Ok();
  return Status::Error(Reason::kTxMissingSignature, "needs a signature of the " + std::string(who));
}

std::vector<std::string> Signers::Members() const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) {
    if (e.member && std::find(out.begin(), out.end(), *e.member) == out.end()) {
      out.push_back(*e.member);
    }
  }
  return out;
}

Status Signers::NoOthers() const {
  for (const Entry& e : entries_) {
    if (!e.claimed) {
      return Status::Error(Reason::kTxUnexpectedSigner,
                           "signature by " + HexEncode(e.key) + " has no part in this transaction");
    }
  }
  return Status::Ok();
}

Result<MemberRecord> RequireMember(const StateReader& state, std::string_view id,
                                   std::string_view what, std::string_view role,
                                   bool allow_suspended) {
  CONSENTD_ASSIGN_OR_RETURN(auto member, state.Member(id));
  if (!member) {
    return Status::Error(Reason::kMemberUnknown,
                         std::string(what) + " \"" + std::string(id) + "\" is not a member");
  }
  if (!allow_suspended && member->suspended) {
    return Status::Error(Reason::kMemberSuspended,
                         std::string(what) + " \"" + std::string(id) + "\" is suspended");
  }
  if (!role.empty() && !member->HasRole(role)) {
    return Status::Error(Reason::kMemberRoleMissing, std::string(what) + " \"" + std::string(id) +
                                                         "\" does not have the role " +
                                                         std::string(role));
  }
  return *member;
}

Status CheckExpiry(const Genesis& genesis, std::uint64_t height, const Tx& tx) {
  if (tx.expires_at_height() < height) {
    return Status::Error(Reason::kTxExpired,
                         "expired at height " + std::to_string(tx.expires_at_height()));
  }
  if (tx.expires_at_height() >
      height + static_cast<std::uint64_t>(genesis.params.max_tx_lifetime)) {
    return Status::Error(Reason::kTxExpiryTooFar,
                         "expires_at_height may be at most " +
                             std::to_string(genesis.params.max_tx_lifetime) + " blocks ahead");
  }
  return Status::Ok();
}

Status Execute(ExecContext& ctx) {
  const Tx& tx = ctx.tx;
  CONSENTD_RETURN_IF_ERROR(CheckExpiry(ctx.genesis, ctx.height, tx));
  CONSENTD_ASSIGN_OR_RETURN(auto existing, ctx.state.view().Get(keys::Tx(tx.id())));
  if (existing) {
    return Status::Error(Reason::kTxDuplicate,
                         "transaction " + HexEncode(tx.id()) + " is already committed");
  }

  Status st = std::visit(
      [&](const auto& body) -> Status {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, MemberRegister>) return ExecMemberRegister(ctx, body);
        if constexpr (std::is_same_v<T, MemberUpdate>) return ExecMemberUpdate(ctx, body);
        if constexpr (std::is_same_v<T, MemberSuspend>) return ExecMemberSuspend(ctx, body);
        if constexpr (std::is_same_v<T, NoticePublish>) return ExecNoticePublish(ctx, body);
        if constexpr (std::is_same_v<T, ConsentGrant>) return ExecConsentGrant(ctx, body);
        if constexpr (std::is_same_v<T, ConsentWithdraw>) return ExecConsentWithdraw(ctx, body);
        if constexpr (std::is_same_v<T, ConsentRevoke>) return ExecConsentRevoke(ctx, body);
        if constexpr (std::is_same_v<T, AgreementCreate>) return ExecAgreementCreate(ctx, body);
        if constexpr (std::is_same_v<T, AgreementActivate>) return ExecAgreementActivate(ctx, body);
        if constexpr (std::is_same_v<T, AgreementEnd>) {
          return ExecAgreementEnd(ctx, body, tx.type() == TxType::kAgreementTerminate);
        }
        if constexpr (std::is_same_v<T, PortfolioTransfer>) return ExecPortfolioTransfer(ctx, body);
        if constexpr (std::is_same_v<T, SharingRecord>) return ExecSharingRecord(ctx, body);
        if constexpr (std::is_same_v<T, RightsRequest>) return ExecRightsRequest(ctx, body);
        if constexpr (std::is_same_v<T, RightsFulfil>) return ExecRightsFulfil(ctx, body);
        if constexpr (std::is_same_v<T, IncidentReport>) return ExecIncidentReport(ctx, body);
        if constexpr (std::is_same_v<T, TransferPropose>) return ExecTransferPropose(ctx, body);
        if constexpr (std::is_same_v<T, TransferApprove>) return ExecTransferApprove(ctx, body);
        if constexpr (std::is_same_v<T, TransferObject>) return ExecTransferObject(ctx, body);
        if constexpr (std::is_same_v<T, TransferCancel>) return ExecTransferCancel(ctx, body);
        if constexpr (std::is_same_v<T, TransferComplete>) return ExecTransferComplete(ctx, body);
        if constexpr (std::is_same_v<T, TransferNotify>) return ExecTransferNotify(ctx, body);
        if constexpr (std::is_same_v<T, TransferAttest>) return ExecTransferAttest(ctx, body);
        if constexpr (std::is_same_v<T, IncidentUpdate>) return ExecIncidentUpdate(ctx, body);
        if constexpr (std::is_same_v<T, EntrustmentCreate>) return ExecEntrustmentCreate(ctx, body);
        if constexpr (std::is_same_v<T, EntrustmentTerminate>) {
          return ExecEntrustmentTerminate(ctx, body);
        }
        if constexpr (std::is_same_v<T, AssessmentRecord>) return ExecAssessmentRecord(ctx, body);
      },
      tx.body());
  if (!st.ok()) return st;
  ctx.state.PutTx(tx.id(), ctx.height, ctx.index, tx.canonical());
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
