#pragma once

// FakeApp: the deterministic application behind each simulated node. A block is a small binary
// payload (height, proposer tag, salt, a "poisoned" flag and pseudo-transactions); its id is the
// SHA-256 of the payload. Honest validation rejects poisoned blocks, blocks for another height,
// and malformed payloads, so byzantine nodes can propose invalid blocks. The node's committed
// chain (its "store") lives here too and survives a simulated crash; the mempool does not.

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "common/bytes.h"
#include "consensus/application.h"
#include "consensus/certificate.h"
#include "consensus/validator_set.h"

namespace consentd::sim {

struct FakeBlock {
  std::uint64_t height = 0;
  std::uint32_t proposer = 0;  // tag of the building node
  std::uint32_t salt = 0;      // distinguishes blocks one node builds for one height
  bool poisoned = false;       // honest validation rejects it
  std::vector<std::uint64_t> txs;
};

Bytes EncodeBlock(const FakeBlock& block);
std::optional<FakeBlock> DecodeBlock(ByteSpan payload);
// The honest validation rule; returns the block id.
Result<Hash256> ValidateBlock(std::uint64_t height, ByteSpan payload);

struct StoredBlock {
  std::uint64_t height;
  Hash256 id;
  Bytes payload;
  consensus::CommitCertificate certificate;
};

class FakeApp : public consensus::Application {
 public:
  FakeApp(const consensus::ValidatorSet* validators, std::uint32_t tag)
      : validators_(validators), tag_(tag) {}

  consensus::ProposedBlock BuildProposal(std::uint64_t height, std::int64_t time_ms) override;
  Result<Hash256> ValidateProposal(std::uint64_t height, ByteSpan payload, std::int64_t) override {
    return ValidateBlock(height, payload);
  }
  bool has_txs() const { return !mempool_.empty(); }
  const consensus::ValidatorSet& ValidatorsFor(std::uint64_t) override { return *validators_; }

  // Returns true when the mempool went from empty to non-empty.
  bool AddTx(std::uint64_t tx);
  void ClearMempool() { mempool_.clear(); }
  void ApplyCommit(StoredBlock block);
  // The committed block at `height`, if this node has it.
  const StoredBlock* BlockAt(std::uint64_t height) const;
  std::uint64_t tip() const { return chain_.size(); }
  const std::vector<StoredBlock>& chain() const { return chain_; }

 private:
  const consensus::ValidatorSet* validators_;
  std::uint32_t tag_;
  std::uint32_t builds_ = 0;
  std::set<std::uint64_t> mempool_;
  std::set<std::uint64_t> committed_txs_;
  std::vector<StoredBlock> chain_;
};

}  // namespace consentd::sim
