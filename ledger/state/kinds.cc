#include "ledger/state/kinds.h"

namespace consentd::ledger {

// Each switch is exhaustive (-Wswitch, -Werror): a new enumerator does not compile until it
// has its name. The return after each is unreachable for a valid value.

const char* ToString(ConsentStatus status) {
  switch (status) {
    case ConsentStatus::kUnknown:
      return "Unknown";
    case ConsentStatus::kGiven:
      return "Given";
    case ConsentStatus::kRenewed:
      return "Renewed";
    case ConsentStatus::kTransferred:
      return "Transferred";
    case ConsentStatus::kWithdrawn:
      return "Withdrawn";
    case ConsentStatus::kRevoked:
      return "Revoked";
    case ConsentStatus::kExpired:
      return "Expired";
    case ConsentStatus::kSuperseded:
      return "Superseded";
  }
  return "Unknown";
}

const char* ToString(ConsentEventKind kind) {
  switch (kind) {
    case ConsentEventKind::kGranted:
      return "granted";
    case ConsentEventKind::kTransferred:
      return "transferred";
    case ConsentEventKind::kSuperseded:
      return "superseded";
    case ConsentEventKind::kWithdrawn:
      return "withdrawn";
    case ConsentEventKind::kRevoked:
      return "revoked";
  }
  return "granted";
}

bool Ends(ConsentEventKind kind) {
  switch (kind) {
    case ConsentEventKind::kSuperseded:
    case ConsentEventKind::kWithdrawn:
    case ConsentEventKind::kRevoked:
      return true;
    case ConsentEventKind::kGranted:
    case ConsentEventKind::kTransferred:
      return false;
  }
  return false;
}

const char* ToString(AgreementStatus status) {
  switch (status) {
    case AgreementStatus::kPending:
      return "Pending";
    case AgreementStatus::kActive:
      return "Active";
    case AgreementStatus::kSuspended:
      return "Suspended";
    case AgreementStatus::kTerminated:
      return "Terminated";
  }
  return "Pending";
}

const char* ToString(MemberEventKind kind) {
  switch (kind) {
    case MemberEventKind::kRegistered:
      return "registered";
    case MemberEventKind::kUpdated:
      return "updated";
    case MemberEventKind::kSuspended:
      return "suspended";
    case MemberEventKind::kReinstated:
      return "reinstated";
  }
  return "registered";
}

const char* ToString(RightsStatus status) {
  switch (status) {
    case RightsStatus::kOpen:
      return "open";
    case RightsStatus::kFulfilled:
      return "fulfilled";
    case RightsStatus::kRefused:
      return "refused";
  }
  return "open";
}

const char* ToString(RightsOrigin origin) {
  switch (origin) {
    case RightsOrigin::kRequest:
      return "request";
    case RightsOrigin::kWithdrawal:
      return "withdrawal";
    case RightsOrigin::kRevocation:
      return "revocation";
    case RightsOrigin::kTransferObjection:
      return "transfer_objection";
  }
  return "request";
}

const char* ToString(TransferStatus status) {
  switch (status) {
    case TransferStatus::kProposed:
      return "proposed";
    case TransferStatus::kApproved:
      return "approved";
    case TransferStatus::kCancelled:
      return "cancelled";
    case TransferStatus::kCompleted:
      return "completed";
  }
  return "proposed";
}

const char* ToString(TransferStepKind kind) {
  switch (kind) {
    case TransferStepKind::kPropose:
      return "propose";
    case TransferStepKind::kApprove:
      return "approve";
    case TransferStepKind::kNotify:
      return "notify";
    case TransferStepKind::kCancel:
      return "cancel";
    case TransferStepKind::kComplete:
      return "complete";
    case TransferStepKind::kAttest:
      return "attest";
  }
  return "propose";
}

}  // namespace consentd::ledger
