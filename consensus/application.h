#pragma once

// Application: what the consensus core needs from the state machine it orders blocks for (the
// ledger in the node, a fake in tests). The replica calls it synchronously from inside
// Replica::Handle; it must be deterministic in its inputs, must not call back into the
// replica, and must not block. Committing is not a call: the replica emits a Commit action, and
// the driver applies it before it feeds the replica its next event, so BuildProposal and
// ValidateProposal for height h + 1 always see block h applied. Whether transactions wait is
// not a question either: the replica learns it from TxsAvailable events (see events.h), so its
// output depends on its events alone.

#include <cstdint>

#include "common/bytes.h"
#include "common/result.h"
#include "consensus/validator_set.h"

namespace consentd::consensus {

struct ProposedBlock {
  Hash256 id;     // the application's id of `payload` (e.g. its header hash)
  Bytes payload;  // opaque to consensus
};

class Application {
 public:
  virtual ~Application() = default;

  // Proposer side: a block for `height`. `time_ms` is the time of the event being handled.
  virtual ProposedBlock BuildProposal(std::uint64_t height, std::int64_t time_ms) = 0;

  // Checks a proposed payload for `height` and returns its id (ids are the application's to
  // compute), or why it is invalid. An invalid payload is the proposer's fault. `time_ms` is
  // the time of the event being handled (for rules such as a block time's drift).
  virtual Result<Hash256> ValidateProposal(std::uint64_t height, ByteSpan payload,
                                           std::int64_t time_ms) = 0;
  // The same for a payload whose commit certificate for `block_id` has already verified (block
  // sync): the application may skip checks the 2f+1 signers vouch for, such as its
  // transactions' signatures, but must still return the payload's own id.
  virtual Result<Hash256> ValidateCertified(std::uint64_t height, ByteSpan payload,
                                            const Hash256& block_id, std::int64_t time_ms) {
    (void)block_id;
    return ValidateProposal(height, payload, time_ms);
  }

  // The validator set that decides `height`. Changes decided at a height take effect at a
  // later height, so this is known before `height` starts. The replica copies it.
  virtual const ValidatorSet& ValidatorsFor(std::uint64_t height) = 0;
};

}  // namespace consentd::consensus
