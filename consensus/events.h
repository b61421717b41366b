#pragma once

// The inputs of Replica::Handle. Every event carries the time at which the driver hands it
// over (`now_ms`, Unix milliseconds from the driver's clock, or virtual time in a simulation):
// the replica reads no clock of its own. `from` identifies the peer connection a message
// arrived on; the replica only ever echoes it back in SendTo and RequestBlock actions.

#include <cstdint>
#include <variant>

#include "common/bytes.h"
#include "consensus/certificate.h"
#include "consensus/messages.h"
#include "consensus/step.h"

namespace consentd::consensus {

using PeerId = std::uint64_t;

// The driver is ready: start (or resume) deciding the start height. Sent once.
struct Start {
  std::int64_t now_ms;
};

struct ProposalReceived {
  std::int64_t now_ms;
  Proposal proposal;
  PeerId from;
};

struct VoteReceived {
  std::int64_t now_ms;
  Vote vote;
  PeerId from;
};

// A ScheduleTimeout the replica asked for has expired. Stale ones are ignored, so the driver
// need not cancel timers.
struct TimeoutFired {
  std::int64_t now_ms;
  std::uint64_t height;
  std::uint32_t round;
  Step step;
};

// Transactions wait to be proposed: the mempool went from empty to non-empty, or a commit left
// some in it (the driver feeds one after applying such a commit; a commit itself tells the
// replica nothing, so it assumes the block took them all). Paces empty blocks: a round-0
// proposer with none waits for this event or the empty-block interval.
struct TxsAvailable {
  std::int64_t now_ms;
};

// A block with its commit certificate, fetched by block sync (typically after a RequestBlock).
struct BlockReceived {
  std::int64_t now_ms;
  std::uint64_t height;
  Bytes payload;
  CommitCertificate certificate;
};

using Event =
    std::variant<Start, ProposalReceived, VoteReceived, TimeoutFired, TxsAvailable, BlockReceived>;

}  // namespace consentd::consensus
