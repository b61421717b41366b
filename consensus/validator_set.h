#pragma once

// ValidatorSet: the n equal-weight validators that decide a height, with the quorum sizes and
// the proposer rotation derived from them. Keys are kept sorted by their 32 bytes, so the order
// of a genesis file does not matter and every node derives the same indices, proposers and
// hash. With n = 3f + 1, Quorum() is 2f + 1 and WeakQuorum() is f + 1; for other n they are the
// smallest sizes such that two quorums share more than n - Quorum() validators.
//
// An immutable value; thread-safe for concurrent const use.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "crypto/schnorr.h"

namespace consentd::consensus {

class ValidatorSet {
 public:
  // Errors: "valset_empty", "valset_duplicate_key" (naming the key).
  static Result<ValidatorSet> Create(std::vector<crypto::PublicKey> keys);
  // From a JSON array of lowercase-hex keys, in any order. Errors: "valset_invalid", the key
  // parse errors, and those of Create.
  static Result<ValidatorSet> FromJson(const Json& json);
  // The array of lowercase-hex keys in sorted order.
  Json ToJson() const;

  std::size_t size() const { return keys_.size(); }
  // REQUIRES: i < size().
  const crypto::PublicKey& at(std::size_t i) const { return keys_[i]; }
  const std::vector<crypto::PublicKey>& keys() const { return keys_; }
  std::optional<std::size_t> IndexOf(const crypto::PublicKey& key) const;
  bool Contains(const crypto::PublicKey& key) const { return IndexOf(key).has_value(); }

  // 2n/3 + 1 (integer division): enough matching votes to lock or commit.
  std::size_t Quorum() const { return 2 * size() / 3 + 1; }
  // n - Quorum() + 1 (f + 1): enough to be sure one honest validator is among them.
  std::size_t WeakQuorum() const { return size() - Quorum() + 1; }

  // keys[(height + round) mod n].
  std::size_t ProposerIndex(std::uint64_t height, std::uint32_t round) const;
  const crypto::PublicKey& Proposer(std::uint64_t height, std::uint32_t round) const {
    return keys_[ProposerIndex(height, round)];
  }

  // TaggedHash("consentd/valset/v1", CanonicalJson(ToJson())): what a receipt verifier pins.
  const Hash256& Hash() const { return hash_; }

  friend bool operator==(const ValidatorSet& a, const ValidatorSet& b) {
    return a.keys_ == b.keys_;
  }

 private:
  explicit ValidatorSet(std::vector<crypto::PublicKey> sorted_keys);

  std::vector<crypto::PublicKey> keys_;
  Hash256 hash_;
};

}  // namespace consentd::consensus
