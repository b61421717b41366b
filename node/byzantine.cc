#include "node/byzantine.h"

#include <algorithm>

#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"
#include "node/log.h"
#include "node/wire.h"

namespace consentd::node {

std::optional<ByzantineMode> ParseByzantineMode(std::string_view text) {
  if (text == "silent") return ByzantineMode::kSilent;
  if (text == "equivocate") return ByzantineMode::kEquivocate;
  if (text == "double-vote") return ByzantineMode::kDoubleVote;
  if (text == "invalid-proposal") return ByzantineMode::kInvalidProposal;
  return std::nullopt;
}

std::string_view ToString(ByzantineMode mode) {
  switch (mode) {
    case ByzantineMode::kSilent:
      return "silent";
    case ByzantineMode::kEquivocate:
      return "equivocate";
    case ByzantineMode::kDoubleVote:
      return "double-vote";
    case ByzantineMode::kInvalidProposal:
      return "invalid-proposal";
  }
  return "unknown";
}

ByzantineNetwork::ByzantineNetwork(ByzantineMode mode, Network* inner, const ledger::Ledger* ledger,
                                   const crypto::PrivateKey* key, PeerList peers)
    : mode_(mode), inner_(inner), ledger_(ledger), key_(key), peers_(std::move(peers)) {
  LogWarn("byzantine", "enabled", {{"mode", std::string(ToString(mode_))}});
}

bool ByzantineNetwork::IsOwnConsensus(std::uint8_t kind, const std::string& payload) const {
  if (kind == static_cast<std::uint8_t>(wire::Kind::kProposal)) {
    auto p = wire::DecodeProposal(payload);
    return p.ok() && p->proposer == key_->public_key();
  }
  if (kind == static_cast<std::uint8_t>(wire::Kind::kVote)) {
    auto v = wire::DecodeVote(payload);
    return v.ok() && v->validator == key_->public_key();
  }
  return false;
}

std::optional<std::string> ByzantineNetwork::RebuiltProposal(const std::string& payload,
                                                             bool corrupt_state) {
  auto p = wire::DecodeProposal(payload);
  if (!p.ok()) return std::nullopt;
  const auto& genesis = ledger_->genesis();
  auto block = ledger::DecodeBlock(AsChars(ByteSpan(p->block)), genesis.chain_id,
                                   static_cast<std::size_t>(genesis.params.max_block_bytes),
                                   static_cast<std::size_t>(genesis.params.max_tx_bytes));
  if (!block.ok()) return std::nullopt;
  ledger::Block other;
  if (corrupt_state) {
    other = std::move(*block);
    other.header.state_digest[0] ^= 0x5a;
  } else {
    // The same txs a millisecond later: a different block that is valid all the same.
    auto built =
        ledger_->BuildBlock(block->header.time_ms + 1, block->header.proposer, block->txs, nullptr);
    if (!built.ok()) return std::nullopt;
    other = std::move(built->block);
  }
  const std::string encoded = other.Encode();
  p->block.assign(encoded.begin(), encoded.end());
  p->block_id = other.Hash();
  p->signature = key_->Sign(consensus::SignHash(genesis.chain_id, *p));
  return wire::EncodeProposal(*p);
}

std::pair<std::string, std::string> ByzantineNetwork::Rewrite(std::uint8_t kind,
                                                              const std::string& payload) {
  const bool proposal = kind == static_cast<std::uint8_t>(wire::Kind::kProposal);
  switch (mode_) {
    case ByzantineMode::kSilent:
      return {"", ""};
    case ByzantineMode::kEquivocate: {
      if (!proposal) return {payload, payload};
      auto other = RebuiltProposal(payload, /*corrupt_state=*/false);
      return {payload, other.value_or(payload)};
    }
    case ByzantineMode::kInvalidProposal: {
      if (!proposal) return {payload, payload};
      auto bad = RebuiltProposal(payload, /*corrupt_state=*/true);
      return {bad.value_or(""), bad.value_or("")};
    }
    case ByzantineMode::kDoubleVote: {
      if (proposal) return {payload, payload};
      auto v = wire::DecodeVote(payload);
      if (!v.ok()) return {payload, payload};
      consensus::Vote other = *v;
      const std::string seed = "byzantine " + std::to_string(v->height) + "/" +
                               std::to_string(v->round) + (v->block_id ? "b" : "n");
      other.block_id = crypto::Sha256(seed);
      other.signature = key_->Sign(consensus::SignHash(ledger_->genesis().chain_id, other));
      return {payload, wire::EncodeVote(other)};
    }
  }
  return {payload, payload};
}

bool ByzantineNetwork::Send(PeerId peer, std::uint8_t kind, std::string payload) {
  if (!IsOwnConsensus(kind, payload)) return inner_->Send(peer, kind, std::move(payload));
  auto [first, second] = Rewrite(kind, payload);
  std::vector<PeerId> peers = peers_();
  std::sort(peers.begin(), peers.end());
  const auto it = std::find(peers.begin(), peers.end(), peer);
  const bool first_half = it == peers.end() || (it - peers.begin()) % 2 == 0;
  const std::string& chosen = first_half ? first : second;
  ++rewritten_;
  if (chosen.empty()) return true;
  return inner_->Send(peer, kind, chosen);
}

void ByzantineNetwork::Broadcast(std::uint8_t kind, const std::string& payload) {
  if (!IsOwnConsensus(kind, payload)) return inner_->Broadcast(kind, payload);
  auto [first, second] = Rewrite(kind, payload);
  std::vector<PeerId> peers = peers_();
  std::sort(peers.begin(), peers.end());
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const std::string& chosen = i % 2 == 0 ? first : second;
    if (!chosen.empty()) inner_->Send(peers[i], kind, chosen);
  }
  if (++rewritten_ % 100 == 1) {
    LogWarn("byzantine", "rewrote_messages",
            {{"mode", std::string(ToString(mode_))}, {"count", rewritten_}});
  }
}

}  // namespace consentd::node
