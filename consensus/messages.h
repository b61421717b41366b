#pragma once

// The signed consensus messages: a proposal (the proposer's block for a round) and a vote
// (prevote or precommit). Each carries its signer's key and a BIP340 signature over the tagged
// sign hash of consensus/sign_bytes.h; nothing else in a message is signed, so the fields
// outside the sign bytes (the payload of a proposal, whose id is signed) are checked by their
// receiver. Values: copy freely; no invariants are enforced by construction, since messages
// come from peers and are checked by the replica.

#include <cstdint>
#include <optional>
#include <variant>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "consensus/step.h"
#include "crypto/schnorr.h"

namespace consentd::consensus {

struct Vote {
  VoteType type;
  std::uint64_t height;
  std::uint32_t round;
  std::optional<Hash256> block_id;  // nullopt = nil
  crypto::PublicKey validator;
  crypto::SignatureBytes signature;

  // Wire form: {"block_id": hex|null, "height", "round", "signature", "type", "validator"}.
  Json ToJson() const;
  // Errors: "vote_invalid" (naming the field).
  static Result<Vote> FromJson(const Json& json);

  friend bool operator==(const Vote& a, const Vote& b) = default;
};

struct Proposal {
  std::uint64_t height;
  std::uint32_t round;
  std::int32_t pol_round;  // -1 = none; otherwise the round of the prevotes that justify it
  Hash256 block_id;        // as computed by the application from `block`
  Bytes block;             // opaque payload
  crypto::PublicKey proposer;
  crypto::SignatureBytes signature;

  // Wire form: {"block": hex, "block_id", "height", "pol_round", "proposer", "round",
  // "signature"}.
  Json ToJson() const;
  // Errors: "proposal_invalid" (naming the field).
  static Result<Proposal> FromJson(const Json& json);

  friend bool operator==(const Proposal& a, const Proposal& b) = default;
};

using Message = std::variant<Proposal, Vote>;

}  // namespace consentd::consensus
