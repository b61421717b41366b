#pragma once

// Blocks. The header commits to everything: the chain, the height and time, the previous
// block, the transactions (tx_root, tx_count), the state after applying them (state_digest),
// who proposed it and which validator set decides it.
//
//   block hash = TaggedHash("consentd/block/v1", canonical JSON of the header)
//   tx_root    = Merkle root (crypto/merkle.h) over the txs' leaf hashes, in block order
//   payload    = canonical JSON {"header": {...}, "txs": [signed tx, ...]}: what consensus
//                proposes and block sync ships
//
// docs/RECEIPTS.md specifies these bytes for independent verifiers.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "crypto/schnorr.h"
#include "ledger/tx.h"

namespace consentd::ledger {

inline constexpr std::string_view kBlockHashTag = "consentd/block/v1";

struct BlockHeader {
  std::string chain_id;
  std::uint64_t height = 0;
  std::int64_t time_ms = 0;
  Hash256 prev_hash{};
  Hash256 tx_root{};
  std::uint32_t tx_count = 0;
  Hash256 state_digest{};
  crypto::PublicKeyBytes proposer{};
  Hash256 validator_set_hash{};

  Json ToJson() const;
  // Errors: block_malformed naming the field.
  static Result<BlockHeader> FromJson(const Json& json);
  Hash256 Hash() const;
};

struct Block {
  BlockHeader header;
  std::vector<TxPtr> txs;

  Hash256 Hash() const { return header.Hash(); }
  std::string Encode() const;
};

// Given a tx's leaf hash, an already-verified Tx (e.g. from the mempool), or null.
using TxLookup = std::function<TxPtr(const Hash256& leaf)>;

// Decodes a payload: parses the header and every tx (verifying each tx's signatures unless
// `lookup` knows its leaf already, or `certified`: the caller has verified a commit
// certificate for this block, and then `lookup` is not consulted: parsing without verifying
// costs less than hashing for it). With `lookup`, a payload in Block::Encode's layout is split
// at its separators rather than parsed whole, and only the txs it does not know are parsed; the
// outcome is the same either way. Errors: block_malformed, block_too_large, block_invalid_tx.
Result<Block> DecodeBlock(std::string_view payload, std::string_view chain_id,
                          std::size_t max_block_bytes, std::size_t max_tx_bytes,
                          const TxLookup& lookup = nullptr, bool certified = false);

Hash256 TxRoot(const std::vector<TxPtr>& txs);

}  // namespace consentd::ledger
