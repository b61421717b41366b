#pragma once

// VoteSet: the prevotes or the precommits of one round of one height, with the tally per value
// (a block id, or nil).
//
// Algorithm 1 counts, for each value, the distinct validators that signed a vote for it. An
// equivocating validator has signed for two values and so counts towards both: ignoring its
// second vote would let it hide a polka that honest validators already locked on, and stall
// them for ever (the simulator found exactly that). So a conflicting vote is kept and counted
// when the caller says its value matters (nil, or a block some proposal carries); the first
// conflict of each validator is reported once, as evidence. Count() counts validators, not
// votes, so rules 34 and 47 ("2f + 1 of anything") are not inflated by equivocation.
//
// Memory: at most `max_votes_per_validator` votes per validator. The caller checks signatures
// and membership before Add. Thread-compatible.

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "consensus/messages.h"

namespace consentd::consensus {

class VoteSet {
 public:
  VoteSet(VoteType type, std::size_t num_validators, std::size_t max_votes_per_validator = 4);

  enum class AddResult {
    kAdded,           // first vote of this validator
    kDuplicate,       // it already has a vote for this value here
    kConflict,        // a vote for another value: the first conflict of this validator
    kRepeatConflict,  // a further conflict of a validator already reported
  };
  struct Outcome {
    AddResult result;
    bool counted;  // the vote now counts towards its value
  };
  // `count_conflict`: whether to keep and count the vote if it conflicts with this
  // validator's earlier one(s). REQUIRES: index < size(), vote.type == type().
  Outcome Add(std::size_t index, const Vote& vote, bool count_conflict);

  VoteType type() const { return type_; }
  std::size_t size() const { return votes_.size(); }
  // The first vote of validator `index`, if any.
  const Vote* Get(std::size_t index) const;
  // Whether validator `index` has a vote for `block_id` here.
  bool Has(std::size_t index, const std::optional<Hash256>& block_id) const;

  // Number of validators with a vote, whatever its value.
  std::size_t Count() const { return count_; }
  // Number of validators with a vote for `block_id`.
  std::size_t CountFor(const std::optional<Hash256>& block_id) const;
  // A block (never nil) with at least `threshold` votes, if any.
  std::optional<Hash256> BlockWith(std::size_t threshold) const;
  // One vote per validator for `block_id`, in validator order.
  std::vector<Vote> VotesFor(const std::optional<Hash256>& block_id) const;
  // Every vote held (counted conflicts included), in validator order.
  std::vector<Vote> All() const;

 private:
  VoteType type_;
  std::size_t max_per_validator_;
  std::vector<std::vector<Vote>> votes_;  // per validator; the first one is its first vote
  std::vector<bool> conflict_reported_;
  std::vector<std::pair<std::optional<Hash256>, std::size_t>> tally_;
  std::size_t count_ = 0;
};

}  // namespace consentd::consensus
