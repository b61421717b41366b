#include "consensus/vote_set.h"

#include <cassert>

namespace consentd::consensus {

VoteSet::VoteSet(VoteType type, std::size_t num_validators, std::size_t max_votes_per_validator)
    : type_(type),
      max_per_validator_(max_votes_per_validator < 1 ? 1 : max_votes_per_validator),
      votes_(num_validators),
      conflict_reported_(num_validators, false) {}

VoteSet::Outcome VoteSet::Add(std::size_t index, const Vote& vote, bool count_conflict) {
  assert(index < votes_.size() && vote.type == type_);
  std::vector<Vote>& mine = votes_[index];
  if (Has(index, vote.block_id)) return {AddResult::kDuplicate, false};
  AddResult result = AddResult::kAdded;
  if (!mine.empty()) {
    result = conflict_reported_[index] ? AddResult::kRepeatConflict : AddResult::kConflict;
    conflict_reported_[index] = true;
    if (!count_conflict || mine.size() >= max_per_validator_) return {result, false};
  } else {
    ++count_;
  }
  mine.push_back(vote);
  for (auto& [value, count] : tally_) {
    if (value == vote.block_id) {
      ++count;
      return {result, true};
    }
  }
  tally_.emplace_back(vote.block_id, 1);
  return {result, true};
}

const Vote* VoteSet::Get(std::size_t index) const {
  if (index >= votes_.size() || votes_[index].empty()) return nullptr;
  return &votes_[index].front();
}

bool VoteSet::Has(std::size_t index, const std::optional<Hash256>& block_id) const {
  if (index >= votes_.size()) return false;
  for (const Vote& v : votes_[index]) {
    if (v.block_id == block_id) return true;
  }
  return false;
}

std::size_t VoteSet::CountFor(const std::optional<Hash256>& block_id) const {
  for (const auto& [value, count] : tally_) {
    if (value == block_id) return count;
  }
  return 0;
}

std::optional<Hash256> VoteSet::BlockWith(std::size_t threshold) const {
  for (const auto& [value, count] : tally_) {
    if (value && count >= threshold) return value;
  }
  return std::nullopt;
}

std::vector<Vote> VoteSet::VotesFor(const std::optional<Hash256>& block_id) const {
  std::vector<Vote> out;
  for (const auto& mine : votes_) {
    for (const Vote& v : mine) {
      if (v.block_id == block_id) out.push_back(v);
    }
  }
  return out;
}

std::vector<Vote> VoteSet::All() const {
  std::vector<Vote> out;
  for (const auto& mine : votes_) out.insert(out.end(), mine.begin(), mine.end());
  return out;
}

}  // namespace consentd::consensus
