#pragma once

// What a validator signs. This is a public format: receipt verifiers in other layers, other
// languages and browsers recompute it, and docs/CONSENSUS.md specifies it byte for byte.
//
//   vote:     {"block_id":<lowercase hex or null>,"chain_id":<string>,"height":<int>,
//              "round":<int>,"type":"prevote"|"precommit"}
//   proposal: {"block_id":<lowercase hex>,"chain_id":<string>,"height":<int>,
//              "pol_round":<int, -1 = none>,"round":<int>,"type":"proposal"}
//
// serialised as canonical JSON (common/json.h), then hashed with the BIP340 tagged hash of tag
// "consentd/vote/v1" (crypto/tagged_hash.h). The signature is BIP340 over those 32 bytes. The
// chain id inside keeps a signature from being replayed on another chain; the "type" field
// keeps one kind of message from being passed off as another.
//
// REQUIRES (all functions): height <= 2^53 - 1 and chain_id valid UTF-8. Heights come from a
// replica's own state or are range-checked by the JSON readers before they get here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "consensus/messages.h"
#include "consensus/step.h"

namespace consentd::consensus {

inline constexpr std::string_view kVoteSignTag = "consentd/vote/v1";

// The canonical JSON text that is hashed (exposed for tests and documentation).
std::string VoteSignBytes(std::string_view chain_id, VoteType type, std::uint64_t height,
                          std::uint32_t round, const std::optional<Hash256>& block_id);
std::string ProposalSignBytes(std::string_view chain_id, std::uint64_t height, std::uint32_t round,
                              std::int32_t pol_round, const Hash256& block_id);

// TaggedHash("consentd/vote/v1", sign bytes): the 32-byte message that is signed.
Hash256 VoteSignHash(std::string_view chain_id, VoteType type, std::uint64_t height,
                     std::uint32_t round, const std::optional<Hash256>& block_id);
Hash256 ProposalSignHash(std::string_view chain_id, std::uint64_t height, std::uint32_t round,
                         std::int32_t pol_round, const Hash256& block_id);

Hash256 SignHash(std::string_view chain_id, const Vote& vote);
Hash256 SignHash(std::string_view chain_id, const Proposal& proposal);

// Whether the message's signature verifies under its own signer key. Says nothing about
// whether the signer is a validator: callers check that against a ValidatorSet.
bool VerifySignature(std::string_view chain_id, const Vote& vote);
bool VerifySignature(std::string_view chain_id, const Proposal& proposal);

}  // namespace consentd::consensus
