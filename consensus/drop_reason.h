#pragma once

// DropReason: why a replica did not use a message or block it received. Replica counts drops
// per reason (Replica::dropped), for metrics and tests; ToString gives the metric label.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace consentd::consensus {

// Why a received message or block was not used. Counted per reason (exported as metrics).
enum class DropReason : std::uint8_t {
  kOldHeight,            // for a height already decided here
  kFutureHeight,         // for a height beyond the next one, or the buffer is full
  kUnknownValidator,     // signer not in the validator set
  kBadSignature,         // signature does not verify
  kWrongProposer,        // proposal from someone other than the round's proposer
  kBadPolRound,          // proposal pol_round not in [-1, round)
  kConflictingProposal,  // a second, different proposal for a round
  kDuplicate,            // already have it
  kRoundQuota,           // the validator's future-round quota is used up, or round too old
  kBadBlock,             // synced block whose certificate or payload does not check out
  kStaleBlock,           // synced block for another height than the one being decided
};
inline constexpr std::size_t kDropReasonCount = 11;
std::string_view ToString(DropReason reason);

}  // namespace consentd::consensus
