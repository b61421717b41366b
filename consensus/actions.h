#pragma once

// The outputs of Replica::Handle, to be executed by the driver in the order given. The order
// matters: a PersistSafetyState must be durable (written and fsynced) before any later action
// of the same list is executed, because the messages after it carry the signature it records.
// A Commit must be applied to the application before the next event is handed to the replica.

#include <cstdint>
#include <variant>

#include "common/bytes.h"
#include "consensus/certificate.h"
#include "consensus/events.h"
#include "consensus/messages.h"
#include "consensus/safety.h"
#include "consensus/step.h"

namespace consentd::consensus {

// Send to every validator peer.
struct Broadcast {
  Message message;
};

struct SendTo {
  PeerId peer;
  Message message;
};

// Deliver TimeoutFired{height, round, step} after duration_ms.
struct ScheduleTimeout {
  std::uint64_t height;
  std::uint32_t round;
  Step step;
  std::int64_t duration_ms;
};

struct PersistSafetyState {
  SafetyState state;
};

// Ask `peer` for the committed block at `height` with its certificate (answered, if at all,
// with a BlockReceived event). `peer_height` is the highest height the peer's own messages were
// at, 0 if none was above ours: such a peer has committed every height below it.
struct RequestBlock {
  PeerId peer;
  std::uint64_t height;
  std::uint64_t peer_height = 0;
};

// `payload` is decided at `height`; `certificate` proves it (VerifyCertificate passes).
struct Commit {
  std::uint64_t height;
  Hash256 block_id;
  Bytes payload;
  CommitCertificate certificate;
};

// Two validly signed votes by one validator for one (height, round, type) with different
// values: proof of equivocation.
struct Evidence {
  Vote a;
  Vote b;
};

using Action = std::variant<Broadcast, SendTo, ScheduleTimeout, PersistSafetyState, RequestBlock,
                            Commit, Evidence>;

}  // namespace consentd::consensus
