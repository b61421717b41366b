#pragma once

// RoundTable: what a replica has received for the height it is deciding, by round: the
// proposal, the prevotes and the precommits, and who sent anything (for the f + 1 round skip).
// It bounds memory against byzantine peers:
//   * rounds above the current one: each validator may appear in at most
//     `max_future_rounds_per_validator` of them (Admit), so at most n * that many such rounds;
//   * rounds up to the current one: at most `max_rounds`, evicting the lowest, never the
//     current round nor the rounds set by SetKeep (the lock and the valid value's polka), which
//     alone may take the count past the bound, by at most two.
// Only verified messages should be stored; Admit is checked first so that rejected messages
// never create a round. Thread-compatible.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "consensus/messages.h"
#include "consensus/vote_set.h"

namespace consentd::consensus {

struct ReceivedProposal {
  Proposal proposal;
  bool valid;  // the application accepted the payload and its id is proposal.block_id
};

class RoundTable {
 public:
  struct Round {
    explicit Round(std::size_t n)
        : prevotes(VoteType::kPrevote, n), precommits(VoteType::kPrecommit, n), senders(n) {}
    VoteSet& Votes(VoteType type) { return type == VoteType::kPrevote ? prevotes : precommits; }
    const VoteSet& Votes(VoteType type) const {
      return type == VoteType::kPrevote ? prevotes : precommits;
    }

    VoteSet prevotes;
    VoteSet precommits;
    std::optional<ReceivedProposal> proposal;
    std::vector<bool> senders;
    std::size_t num_senders = 0;
  };

  RoundTable(std::size_t num_validators, std::size_t max_rounds,
             std::size_t max_future_rounds_per_validator);

  // Makes `round` the current round and evicts old rounds beyond the bound.
  void SetCurrent(std::uint32_t round);
  // Rounds that are never evicted (-1 = none).
  void SetKeep(std::int32_t locked_round, std::int32_t valid_round);

  // Whether validator `index` may add a message for `round` (the future-round quota).
  bool Admit(std::uint32_t round, std::size_t index) const;
  // The round, created if needed; nullptr when it is older than everything kept and the table
  // is full.
  Round* Open(std::uint32_t round);
  const Round* Find(std::uint32_t round) const;
  void MarkSender(std::uint32_t round, std::size_t index);

  const std::map<std::uint32_t, Round>& rounds() const { return rounds_; }
  // The highest round above the current one with at least `threshold` distinct senders.
  std::optional<std::uint32_t> HighestRoundWithSenders(std::size_t threshold) const;
  // Whether a vote for `block_id` in `round` matters: the round's proposal carries that block,
  // or a later proposal re-proposes it with pol_round == round.
  bool Proposed(std::uint32_t round, const Hash256& block_id) const;
  // A valid proposal of any round whose block id is `block_id`.
  const Proposal* FindValidProposal(const Hash256& block_id) const;

 private:
  bool Evictable(std::uint32_t round) const;
  // Evicts the lowest evictable round if it is below `limit`; false when there is none.
  bool EvictBelow(std::uint32_t limit);

  std::size_t n_;
  std::size_t max_rounds_;
  std::size_t max_future_rounds_;
  std::uint32_t current_ = 0;
  std::int64_t keep_a_ = -1;
  std::int64_t keep_b_ = -1;
  std::map<std::uint32_t, Round> rounds_;
};

}  // namespace consentd::consensus
