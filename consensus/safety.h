#pragma once

// SafetyState: the last signature a validator gave, and its lock, as persisted beside the key
// file. It is what makes a restart unable to double-sign:
//
//   * before a replica emits a message it signed, it emits PersistSafetyState with the new
//     state, and the driver makes that durable before it sends anything after it;
//   * the replica never signs at a (height, round, step) below the persisted one, and at the
//     same (height, round, step) only re-emits the persisted signature over the same sign hash;
//   * the lock (locked_round, locked_block_id) travels with every signature, so a replica
//     restarted from this state alone still refuses to prevote against its lock.
//
// The default value is a validator that has never signed (height 0 is genesis and is never
// decided by consensus).

#include <cstdint>
#include <optional>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "consensus/step.h"
#include "crypto/schnorr.h"

namespace consentd::consensus {

struct SafetyState {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  Step step = Step::kPropose;
  Hash256 sign_hash{};                 // the tagged hash last signed
  crypto::SignatureBytes signature{};  // the signature over it
  std::int32_t locked_round = -1;      // -1 = not locked
  std::optional<Hash256> locked_block_id;

  // {"height", "locked_block_id": hex|null, "locked_round", "round", "sign_hash",
  //  "signature", "step": "propose"|"prevote"|"precommit"}
  Json ToJson() const;
  // Errors: "safety_state_invalid" (also when locked_round and locked_block_id disagree about
  // whether there is a lock).
  static Result<SafetyState> FromJson(const Json& json);

  friend bool operator==(const SafetyState& a, const SafetyState& b) = default;
};

enum class SignDecision {
  kSign,    // above the last signature: sign, persist, then send
  kReuse,   // same (height, round, step) and sign hash: re-send the persisted signature
  kRefuse,  // below the last signature, or a different value at the same step
};

// The safety rule itself, for a request to sign `sign_hash` at (height, round, step).
SignDecision DecideSign(const SafetyState& last, std::uint64_t height, std::uint32_t round,
                        Step step, const Hash256& sign_hash);

}  // namespace consentd::consensus
