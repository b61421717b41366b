#include "consensus/round_table.h"

#include <algorithm>

namespace consentd::consensus {

RoundTable::RoundTable(std::size_t num_validators, std::size_t max_rounds,
                       std::size_t max_future_rounds_per_validator)
    : n_(num_validators),
      max_rounds_(max_rounds < 1 ? 1 : max_rounds),
      max_future_rounds_(max_future_rounds_per_validator) {}

bool RoundTable::Evictable(std::uint32_t round) const {
  return round < current_ && round != keep_a_ && round != keep_b_;
}

bool RoundTable::EvictBelow(std::uint32_t limit) {
  for (auto it = rounds_.begin(); it != rounds_.end() && it->first < limit; ++it) {
    if (Evictable(it->first)) {
      rounds_.erase(it);
      return true;
    }
  }
  return false;
}

void RoundTable::SetCurrent(std::uint32_t round) {
  current_ = round;
  std::size_t kept_old = 0;
  for (const auto& [r, unused] : rounds_) kept_old += r <= current_ ? 1 : 0;
  while (kept_old > max_rounds_ && EvictBelow(current_)) --kept_old;
}

void RoundTable::SetKeep(std::int32_t locked_round, std::int32_t valid_round) {
  keep_a_ = locked_round;
  keep_b_ = valid_round;
}

bool RoundTable::Admit(std::uint32_t round, std::size_t index) const {
  if (round <= current_) return true;
  std::size_t future = 0;
  for (auto it = rounds_.upper_bound(current_); it != rounds_.end(); ++it) {
    if (!it->second.senders[index]) continue;
    if (it->first == round) return true;
    ++future;
  }
  return future < max_future_rounds_;
}

RoundTable::Round* RoundTable::Open(std::uint32_t round) {
  auto it = rounds_.find(round);
  if (it != rounds_.end()) return &it->second;
  if (round <= current_) {
    std::size_t kept_old = 0;
    for (const auto& [r, unused] : rounds_) kept_old += r <= current_ ? 1 : 0;
    // An old round may only displace older ones; the current round always gets a place.
    if (kept_old >= max_rounds_ && !EvictBelow(std::min(round, current_)) && round < current_) {
      return nullptr;
    }
  }
  return &rounds_.emplace(round, Round(n_)).first->second;
}

const RoundTable::Round* RoundTable::Find(std::uint32_t round) const {
  const auto it = rounds_.find(round);
  return it == rounds_.end() ? nullptr : &it->second;
}

void RoundTable::MarkSender(std::uint32_t round, std::size_t index) {
  Round* r = Open(round);
  if (r == nullptr || r->senders[index]) return;
  r->senders[index] = true;
  ++r->num_senders;
}

std::optional<std::uint32_t> RoundTable::HighestRoundWithSenders(std::size_t threshold) const {
  for (auto it = rounds_.rbegin(); it != rounds_.rend() && it->first > current_; ++it) {
    if (it->second.num_senders >= threshold) return it->first;
  }
  return std::nullopt;
}

bool RoundTable::Proposed(std::uint32_t round, const Hash256& block_id) const {
  for (const auto& [r, entry] : rounds_) {
    if (!entry.proposal || entry.proposal->proposal.block_id != block_id) continue;
    if (r == round || entry.proposal->proposal.pol_round == static_cast<std::int64_t>(round)) {
      return true;
    }
  }
  return false;
}

const Proposal* RoundTable::FindValidProposal(const Hash256& block_id) const {
  for (const auto& [r, round] : rounds_) {
    if (round.proposal && round.proposal->valid && round.proposal->proposal.block_id == block_id) {
      return &round.proposal->proposal;
    }
  }
  return nullptr;
}

}  // namespace consentd::consensus
