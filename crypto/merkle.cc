#include "crypto/merkle.h"

#include "crypto/sha256.h"

namespace consentd::crypto {
namespace {

// Hashes pairs of `level` into the next level up; an odd last node moves up unchanged. This
// bottom-up pairing yields exactly the RFC 6962 split-at-largest-power-of-two tree.
std::vector<Hash256> NextLevel(const std::vector<Hash256>& level) {
  std::vector<Hash256> up;
  up.reserve((level.size() + 1) / 2);
  for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
    up.push_back(MerkleNodeHash(level[i], level[i + 1]));
  }
  if (level.size() % 2 == 1) up.push_back(level.back());
  return up;
}

std::vector<Hash256> LeafLevel(std::span<const Hash256> leaves) {
  std::vector<Hash256> level;
  level.reserve(leaves.size());
  for (const Hash256& leaf : leaves) level.push_back(MerkleLeafHash(leaf));
  return level;
}

}  // namespace

Hash256 MerkleLeafHash(const Hash256& leaf) {
  thread_local Sha256Hasher h;
  const std::uint8_t prefix = 0x00;
  return h.Update(ByteSpan(&prefix, 1)).Update(leaf).Finish();
}

Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right) {
  thread_local Sha256Hasher h;
  const std::uint8_t prefix = 0x01;
  return h.Update(ByteSpan(&prefix, 1)).Update(left).Update(right).Finish();
}

Hash256 MerkleRoot(std::span<const Hash256> leaves) {
  if (leaves.empty()) return Sha256(ByteSpan());
  std::vector<Hash256> level = LeafLevel(leaves);
  while (level.size() > 1) level = NextLevel(level);
  return level.front();
}

Result<MerkleProof> MerkleProve(std::span<const Hash256> leaves, std::uint64_t index) {
  if (index >= leaves.size()) {
    return Status::Error(
        Reason::kMerkleIndexOutOfRange,
        "leaf " + std::to_string(index) + " of a tree of " + std::to_string(leaves.size()));
  }
  MerkleProof proof;
  proof.index = index;
  proof.tree_size = leaves.size();
  std::vector<Hash256> level = LeafLevel(leaves);
  std::uint64_t i = index;
  while (level.size() > 1) {
    const std::uint64_t sibling = i ^ 1;
    if (sibling < level.size()) proof.path.push_back(level[sibling]);
    level = NextLevel(level);
    i >>= 1;
  }
  return proof;
}

bool MerkleVerify(const Hash256& leaf, const MerkleProof& proof, const Hash256& root) {
  // RFC 9162 section 2.1.3.2.
  if (proof.index >= proof.tree_size) return false;
  std::uint64_t fn = proof.index;
  std::uint64_t sn = proof.tree_size - 1;
  Hash256 r = MerkleLeafHash(leaf);
  for (const Hash256& p : proof.path) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = MerkleNodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

}  // namespace consentd::crypto
