#pragma once

// Merkle tree over 32-byte leaves (tx ids in block order), RFC 6962 / RFC 9162 style:
//   leaf hash  = SHA-256(0x00 || leaf)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
// A tree of n > 1 leaves splits at k, the largest power of two below n. The domain prefixes
// keep a leaf from ever being passed off as an inner node. docs/RECEIPTS.md restates this for
// independent verifiers.

#include <cstdint>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"

namespace consentd::crypto {

// An inclusion proof: the sibling hashes from the leaf up to the root (RFC 9162 audit path).
struct MerkleProof {
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
  std::vector<Hash256> path;
};

Hash256 MerkleLeafHash(const Hash256& leaf);
Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right);

Hash256 MerkleRoot(std::span<const Hash256> leaves);

// Errors: "merkle_index_out_of_range".
Result<MerkleProof> MerkleProve(std::span<const Hash256> leaves, std::uint64_t index);

// True when `proof` shows that `leaf` is at proof.index in a tree of proof.tree_size leaves
// whose root is `root`.
bool MerkleVerify(const Hash256& leaf, const MerkleProof& proof, const Hash256& root);

}  // namespace consentd::crypto
