#include "consensus/drop_reason.h"

namespace consentd::consensus {

std::string_view ToString(DropReason reason) {
  switch (reason) {
    case DropReason::kOldHeight:
      return "old_height";
    case DropReason::kFutureHeight:
      return "future_height";
    case DropReason::kUnknownValidator:
      return "unknown_validator";
    case DropReason::kBadSignature:
      return "bad_signature";
    case DropReason::kWrongProposer:
      return "wrong_proposer";
    case DropReason::kBadPolRound:
      return "bad_pol_round";
    case DropReason::kConflictingProposal:
      return "conflicting_proposal";
    case DropReason::kDuplicate:
      return "duplicate";
    case DropReason::kRoundQuota:
      return "round_quota";
    case DropReason::kBadBlock:
      return "bad_block";
    case DropReason::kStaleBlock:
      return "stale_block";
  }
  return "unknown";
}

}  // namespace consentd::consensus
