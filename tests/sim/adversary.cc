#include "tests/sim/adversary.h"

#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"
#include "tests/sim/fake_app.h"

namespace consentd::sim {

using consensus::Message;
using consensus::Proposal;
using consensus::Vote;

Adversary::Adversary(Behavior behavior, std::string chain_id, std::size_t self,
                     std::vector<const crypto::PrivateKey*> keys, std::size_t num_nodes,
                     SimRng* rng)
    : behavior_(behavior),
      chain_id_(std::move(chain_id)),
      self_(self),
      keys_(std::move(keys)),
      num_nodes_(num_nodes),
      rng_(rng) {}

Proposal Adversary::Resign(Proposal p, Bytes block) {
  p.block = std::move(block);
  p.pol_round = -1;  // a fresh block: nothing to justify, the strongest lie against locks
  p.block_id = crypto::Sha256(p.block);
  p.signature = keys_[self_]->SignWithAux(consensus::SignHash(chain_id_, p), {});
  return p;
}

Vote Adversary::Resign(Vote v, const std::optional<Hash256>& block_id) {
  v.block_id = block_id;
  v.signature = keys_[self_]->SignWithAux(consensus::SignHash(chain_id_, v), {});
  return v;
}

Vote Adversary::Forge(const Vote& v, std::size_t as_validator) {
  Vote forged = v;
  forged.validator = keys_[as_validator]->public_key();
  for (std::size_t i = 0; i < forged.signature.size(); i += 8) {
    const std::uint64_t r = rng_->Next();
    for (std::size_t j = 0; j < 8; ++j)
      forged.signature[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
  }
  return forged;
}

Bytes Adversary::Alternative(const Bytes& block, bool poison) {
  std::optional<FakeBlock> b = DecodeBlock(block);
  if (!b) return block;
  b->salt ^= 0x80000000u;
  if (poison) b->poisoned = true;
  if (!poison && !b->txs.empty()) b->txs.pop_back();  // a different, still valid block
  return EncodeBlock(*b);
}

std::vector<std::pair<std::uint32_t, Message>> Adversary::Transform(
    std::uint32_t from, const Message& m, std::optional<std::uint32_t> peer) {
  std::vector<std::uint32_t> to;
  if (peer) {
    to.push_back(*peer);
  } else {
    for (std::uint32_t i = 0; i < num_nodes_; ++i) {
      if (i != from) to.push_back(i);
    }
  }
  std::vector<std::pair<std::uint32_t, Message>> out;
  const auto* p = std::get_if<Proposal>(&m);
  const auto* v = std::get_if<Vote>(&m);
  const bool own =
      p ? p->proposer == keys_[self_]->public_key() : v->validator == keys_[self_]->public_key();
  if (!own || behavior_ == Behavior::kSilent || behavior_ == Behavior::kHonest) {
    if (behavior_ != Behavior::kSilent) {
      for (std::uint32_t t : to) out.emplace_back(t, m);
    }
    return out;
  }
  if (splits_.size() > 16) splits_.erase(splits_.begin());

  if (p) {
    switch (behavior_) {
      case Behavior::kEquivocator:
      case Behavior::kForger:
      case Behavior::kPromiscuous:
      case Behavior::kInvalidBlocks: {
        const bool poison = behavior_ == Behavior::kInvalidBlocks;
        const Proposal alt = Resign(*p, Alternative(p->block, poison));
        Split split{p->block_id, alt.block_id, std::vector<bool>(num_nodes_, poison)};
        for (std::uint32_t t : to) {
          if (!poison) split.gets_alternative[t] = rng_->Below(2) == 1;
          out.emplace_back(t, split.gets_alternative[t] ? Message(alt) : m);
        }
        if (behavior_ == Behavior::kForger) {
          // Forged prevote and precommit quorums for each half's block.
          for (std::uint32_t t : to) {
            const Hash256 id = split.gets_alternative[t] ? alt.block_id : p->block_id;
            for (std::size_t k = 0; k < keys_.size(); ++k) {
              for (auto type : {consensus::VoteType::kPrevote, consensus::VoteType::kPrecommit}) {
                out.emplace_back(
                    t, Forge(Vote{type, p->height, p->round, id, keys_[k]->public_key(), {}}, k));
              }
            }
          }
        }
        splits_[{p->height, p->round}] = std::move(split);
        return out;
      }
      case Behavior::kDoubleVoter:
      case Behavior::kSilent:
      case Behavior::kHonest:
        break;
    }
    for (std::uint32_t t : to) out.emplace_back(t, m);
    return out;
  }

  // Own votes.
  const auto split = splits_.find({v->height, v->round});
  for (std::uint32_t t : to) {
    switch (behavior_) {
      case Behavior::kEquivocator:
      case Behavior::kInvalidBlocks:
        // Vote for whatever this peer was shown.
        if (split != splits_.end() && v->block_id == split->second.original &&
            split->second.gets_alternative[t]) {
          out.emplace_back(t, Resign(*v, split->second.alternative));
        } else if (behavior_ == Behavior::kInvalidBlocks && v->block_id && rng_->Below(2) == 0) {
          out.emplace_back(t, Resign(*v, crypto::Sha256(AsBytes(std::string("adversary ") +
                                                                std::to_string(rng_->Next())))));
        } else {
          out.emplace_back(t, m);
        }
        break;
      case Behavior::kDoubleVoter: {
        const std::optional<Hash256> other =
            v->block_id ? std::nullopt
                        : std::optional<Hash256>(crypto::Sha256(
                              AsBytes(std::string("adversary round ") + std::to_string(v->round))));
        const std::uint64_t pick = rng_->Below(5);  // 2/5 original, 2/5 other, 1/5 both
        if (pick != 2 && pick != 3) out.emplace_back(t, m);
        if (pick >= 2) out.emplace_back(t, Resign(*v, other));
        break;
      }
      case Behavior::kForger:
        out.emplace_back(t, m);
        for (std::size_t k = 0; k < keys_.size(); ++k) {
          if (k != self_) out.emplace_back(t, Forge(*v, k));
        }
        break;
      case Behavior::kPromiscuous:
      case Behavior::kSilent:
      case Behavior::kHonest:
        out.emplace_back(t, m);
        break;
    }
  }
  return out;
}

std::vector<std::pair<std::uint32_t, Message>> Adversary::OnReceive(std::uint32_t self_node,
                                                                    const Message& m) {
  std::vector<std::pair<std::uint32_t, Message>> out;
  const auto* p = std::get_if<Proposal>(&m);
  if (behavior_ != Behavior::kPromiscuous || p == nullptr) return out;
  if (!endorsed_.emplace(p->height, p->round, p->block_id).second) return out;
  if (endorsed_.size() > 64) endorsed_.erase(endorsed_.begin());
  // Endorse every block it is shown, in every round, without looking at locks or validity.
  for (auto type : {consensus::VoteType::kPrevote, consensus::VoteType::kPrecommit}) {
    const Vote v = Resign(
        Vote{type, p->height, p->round, p->block_id, keys_[self_]->public_key(), {}}, p->block_id);
    for (std::uint32_t t = 0; t < num_nodes_; ++t) {
      if (t != self_node) out.emplace_back(t, v);
    }
  }
  return out;
}

}  // namespace consentd::sim
