#pragma once

// What one transaction's execution sees: the block it is in, the genesis rules, and the state
// (through a StateWriter over the tx's own overlay). Executors read, check every rule, and only
// then write; a rejected tx's overlay is discarded by the caller.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ledger/genesis.h"
#include "ledger/state/state.h"
#include "ledger/tx.h"

namespace consentd::ledger::exec {

struct ExecContext {
  const Genesis& genesis;
  std::uint64_t height;
  std::int64_t time_ms;  // block time: "now" for every rule
  std::uint32_t index;   // position in the block
  const Tx& tx;
  StateWriter& state;
};

// Runs every rule for ctx.tx and writes its effects. Errors: the tx's reject code, or a
// store error (store_io, store_corruption) that is the node's fault rather than the tx's.
Status Execute(ExecContext& ctx);

// The check of Execute that reads nothing: expiry at `height` (kExpired, kExpiryTooFar). The
// mempool admits a peer's relayed tx on it (and its own memory of committed txs) alone.
Status CheckExpiry(const Genesis& genesis, std::uint64_t height, const Tx& tx);

// True for errors that are not the transaction's fault: a reason of class kInternal (store_io,
// store_corruption: damaged or unavailable storage). Every other error of Execute is the tx's
// rejection.
bool IsInternalError(const Status& status);

// Signature bookkeeping: maps each signature's key to the member it belongs to, lets rules
// claim the signatures they need, and finally rejects any signature no rule claimed.
class Signers {
 public:
  static Result<Signers> Resolve(const Tx& tx, const StateReader& state);

  // Claims the signatures of `member`'s keys; tx_missing_signature if there are none.
  Status RequireMember(std::string_view member, std::string_view role_in_tx);
  // Claims them if present; returns whether there were any.
  bool ClaimMember(std::string_view member);
  // Claims the signature of `key`; tx_missing_signature naming `who` if absent.
  Status RequireKey(const FixedBytes<32>& key, std::string_view who);
  bool ClaimKey(const FixedBytes<32>& key);
  // Distinct members among the signers (whether claimed or not).
  std::vector<std::string> Members() const;
  // tx_unexpected_signer for the first signature no rule claimed.
  Status NoOthers() const;

 private:
  struct Entry {
    FixedBytes<32> key;
    std::optional<std::string> member;
    bool claimed = false;
  };
  std::vector<Entry> entries_;
};

// The member `id`, which must exist (member_unknown), be active unless `allow_suspended`
// (member_suspended) and hold `role` when given (member_role_missing). `what` names its part in
// the tx for error messages.
Result<MemberRecord> RequireMember(const StateReader& state, std::string_view id,
                                   std::string_view what, std::string_view role = {},
                                   bool allow_suspended = false);

// Per-type executors (one file each).
Status ExecMemberRegister(ExecContext& ctx, const MemberRegister& b);
Status ExecMemberUpdate(ExecContext& ctx, const MemberUpdate& b);
Status ExecMemberSuspend(ExecContext& ctx, const MemberSuspend& b);
Status ExecNoticePublish(ExecContext& ctx, const NoticePublish& b);
Status ExecConsentGrant(ExecContext& ctx, const ConsentGrant& b);
Status ExecConsentWithdraw(ExecContext& ctx, const ConsentWithdraw& b);
Status ExecConsentRevoke(ExecContext& ctx, const ConsentRevoke& b);
Status ExecAgreementCreate(ExecContext& ctx, const AgreementCreate& b);
Status ExecAgreementActivate(ExecContext& ctx, const AgreementActivate& b);
Status ExecAgreementEnd(ExecContext& ctx, const AgreementEnd& b, bool terminate);
// The one signature a subject's own act takes: the subject's key, or for a ref subject the member
// that records it (`recorder`, called `recorder_role` in errors); no other signer.
Status RequireSubjectOrRecorder(const ExecContext& ctx, const Subject& subject,
                                std::string_view recorder, std::string_view recorder_role);

// The two parties of a transfer: active insurers (member_*), both signing and no one else
// (tx_missing_signature, tx_unexpected_signer), effective_at not before the block time
// (transfer_invalid_time).
Status RequireTransferParties(const ExecContext& ctx, std::string_view from,
                              std::string_view from_role, std::string_view to,
                              std::string_view to_role, std::int64_t effective_at);

// Claims the signatures of every active regulator among `signers`; the first one's id, or empty.
Result<std::string> ClaimRegulators(const ExecContext& ctx, Signers& signers);

// A step either party of a record or any active regulator may take: claims the signatures of
// `first`, `second` and the regulators; `by` is who acts (first, else second, else the first
// regulator), `regulator` the first regulator that signed (or empty). tx_missing_signature,
// naming `who`, when none did.
struct PartyOrRegulator {
  std::string by;
  std::string regulator;
};
Result<PartyOrRegulator> ClaimPartyOrRegulator(const ExecContext& ctx, Signers& signers,
                                               std::string_view first, std::string_view second,
                                               std::string_view who);

// A record's validity (agreements, entrustments, assessments): valid_from before valid_until,
// and valid_until after the block time; else `reason`.
Status RequirePeriod(const ExecContext& ctx, std::int64_t valid_from, std::int64_t valid_until,
                     Reason reason);

// Whether `c` can move from `transferor` now: live, controlled by it, no transfer pending
// (consent_not_active, transfer_consent_not_owned).
Status Movable(const ExecContext& ctx, const ConsentRecord& c, std::string_view transferor);
Status ExecPortfolioTransfer(ExecContext& ctx, const PortfolioTransfer& b);
Status ExecTransferPropose(ExecContext& ctx, const TransferPropose& b);
Status ExecTransferApprove(ExecContext& ctx, const TransferApprove& b);
Status ExecTransferObject(ExecContext& ctx, const TransferObject& b);
Status ExecTransferCancel(ExecContext& ctx, const TransferCancel& b);
Status ExecTransferComplete(ExecContext& ctx, const TransferComplete& b);
Status ExecTransferNotify(ExecContext& ctx, const TransferNotify& b);
Status ExecTransferAttest(ExecContext& ctx, const TransferAttest& b);
Status ExecSharingRecord(ExecContext& ctx, const SharingRecord& b);
Status ExecRightsRequest(ExecContext& ctx, const RightsRequest& b);
Status ExecRightsFulfil(ExecContext& ctx, const RightsFulfil& b);
Status ExecIncidentReport(ExecContext& ctx, const IncidentReport& b);
Status ExecIncidentUpdate(ExecContext& ctx, const IncidentUpdate& b);
Status ExecEntrustmentCreate(ExecContext& ctx, const EntrustmentCreate& b);
Status ExecEntrustmentTerminate(ExecContext& ctx, const EntrustmentTerminate& b);
Status ExecAssessmentRecord(ExecContext& ctx, const AssessmentRecord& b);
// Where the genesis parameter assessment_required is on: the sender's impact assessment
// covering each kind of processing this sharing is (assessment_required).
Status RequireAssessments(const ExecContext& ctx, const SharingRecord& b,
                          const MemberRecord& sender);

// Opens an erasure obligation (a "delete" rights record) on a withdrawal, a revocation or an
// objection to a completed transfer: PIPL Art. 47 starts the clock. Its id is the tx's, or `id`
// where one tx opens several.
void OpenErasure(ExecContext& ctx, const ConsentRecord& consent, std::string_view controller,
                 RightsOrigin origin, const std::optional<Hash256>& id = std::nullopt);

}  // namespace consentd::ledger::exec
