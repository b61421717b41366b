#include "consensus/sign_bytes.h"

#include <cassert>

#include "common/hex.h"
#include "common/json.h"
#include "crypto/tagged_hash.h"

namespace consentd::consensus {

// The sign bytes are written directly rather than through a Json object: this runs for every
// vote sent or received, and the fixed key order below is the canonical (sorted) order, which
// sign_bytes_test checks against CanonicalJson of the equivalent object. Only the chain id, a
// free string, goes through the canonical serialiser for its escaping.
namespace {

void AppendHeader(std::string& out, const std::optional<Hash256>& block_id,
                  std::string_view chain_id, std::uint64_t height) {
  assert(height <= static_cast<std::uint64_t>(kJsonMaxSafeInteger));
  out += "{\"block_id\":";
  if (block_id) {
    out += '"';
    out += HexEncode(*block_id);
    out += '"';
  } else {
    out += "null";
  }
  out += ",\"chain_id\":";
  AppendCanonicalJson(Json(std::string(chain_id)), &out);
  out += ",\"height\":";
  out += std::to_string(height);
}

}  // namespace

std::string VoteSignBytes(std::string_view chain_id, VoteType type, std::uint64_t height,
                          std::uint32_t round, const std::optional<Hash256>& block_id) {
  std::string out;
  out.reserve(160 + chain_id.size());
  AppendHeader(out, block_id, chain_id, height);
  out += ",\"round\":";
  out += std::to_string(round);
  out += ",\"type\":\"";
  out += ToString(type);
  out += "\"}";
  return out;
}

std::string ProposalSignBytes(std::string_view chain_id, std::uint64_t height, std::uint32_t round,
                              std::int32_t pol_round, const Hash256& block_id) {
  std::string out;
  out.reserve(180 + chain_id.size());
  AppendHeader(out, block_id, chain_id, height);
  out += ",\"pol_round\":";
  out += std::to_string(pol_round);
  out += ",\"round\":";
  out += std::to_string(round);
  out += ",\"type\":\"proposal\"}";
  return out;
}

Hash256 VoteSignHash(std::string_view chain_id, VoteType type, std::uint64_t height,
                     std::uint32_t round, const std::optional<Hash256>& block_id) {
  return crypto::TaggedHash(kVoteSignTag,
                            AsBytes(VoteSignBytes(chain_id, type, height, round, block_id)));
}

Hash256 ProposalSignHash(std::string_view chain_id, std::uint64_t height, std::uint32_t round,
                         std::int32_t pol_round, const Hash256& block_id) {
  return crypto::TaggedHash(
      kVoteSignTag, AsBytes(ProposalSignBytes(chain_id, height, round, pol_round, block_id)));
}

Hash256 SignHash(std::string_view chain_id, const Vote& vote) {
  return VoteSignHash(chain_id, vote.type, vote.height, vote.round, vote.block_id);
}

Hash256 SignHash(std::string_view chain_id, const Proposal& proposal) {
  return ProposalSignHash(chain_id, proposal.height, proposal.round, proposal.pol_round,
                          proposal.block_id);
}

bool VerifySignature(std::string_view chain_id, const Vote& vote) {
  return vote.validator.Verify(SignHash(chain_id, vote), vote.signature);
}

bool VerifySignature(std::string_view chain_id, const Proposal& proposal) {
  return proposal.proposer.Verify(SignHash(chain_id, proposal), proposal.signature);
}

}  // namespace consentd::consensus
