#include "crypto/merkle.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/sha256.h"

namespace consentd::crypto {
namespace {

// An independent computation of RFC 6962's MTH, written straight from the definition with
// explicit byte strings (no shared helpers with the code under test).
Hash256 ReferenceRoot(const std::vector<Hash256>& d, std::size_t begin, std::size_t end) {
  const std::size_t n = end - begin;
  if (n == 0) return Sha256(ByteSpan());
  if (n == 1) {
    Bytes buf{0x00};
    buf.insert(buf.end(), d[begin].begin(), d[begin].end());
    return Sha256(buf);
  }
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  const Hash256 left = ReferenceRoot(d, begin, begin + k);
  const Hash256 right = ReferenceRoot(d, begin + k, end);
  Bytes buf{0x01};
  buf.insert(buf.end(), left.begin(), left.end());
  buf.insert(buf.end(), right.begin(), right.end());
  return Sha256(buf);
}

std::vector<Hash256> Leaves(std::size_t n) {
  std::vector<Hash256> leaves;
  for (std::size_t i = 0; i < n; ++i) leaves.push_back(Sha256(std::to_string(i)));
  return leaves;
}

TEST(MerkleTest, RootsMatchTheDefinition) {
  for (std::size_t n : {0, 1, 2, 3, 7, 8}) {
    const auto leaves = Leaves(n);
    EXPECT_EQ(MerkleRoot(leaves), ReferenceRoot(leaves, 0, n)) << n << " leaves";
  }
}

TEST(MerkleTest, EmptyRootIsHashOfNothing) { EXPECT_EQ(MerkleRoot({}), Sha256(ByteSpan())); }

TEST(MerkleTest, LeafIsNotANode) {
  // Domain separation: the root of one leaf differs from the raw leaf and from the node hash
  // of any pair that concatenates to it.
  const auto two = Leaves(2);
  EXPECT_NE(MerkleRoot(std::vector<Hash256>{two[0]}), two[0]);
  EXPECT_NE(MerkleLeafHash(two[0]), MerkleNodeHash(two[0], two[1]));
}

TEST(MerkleTest, EveryProofVerifiesAndEveryFlippedBitFails) {
  for (std::size_t n = 1; n <= 64; ++n) {
    const auto leaves = Leaves(n);
    const Hash256 root = MerkleRoot(leaves);
    for (std::size_t i = 0; i < n; ++i) {
      auto proof = MerkleProve(leaves, i);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(MerkleVerify(leaves[i], *proof, root)) << "n=" << n << " i=" << i;
      // Every bit for small trees; one bit per byte (rotating its position) above 16 leaves
      // keeps the sanitizer build fast.
      const int step = n <= 16 ? 1 : 8;
      for (std::size_t p = 0; p < proof->path.size(); ++p) {
        for (int bit = static_cast<int>(p % 8); bit < 256; bit += step) {
          MerkleProof bad = *proof;
          bad.path[p][bit / 8] ^= static_cast<std::uint8_t>(1 << (bit % 8));
          ASSERT_FALSE(MerkleVerify(leaves[i], bad, root))
              << n << "/" << i << "/" << p << "/" << bit;
        }
      }
      for (int bit = 0; bit < 256; ++bit) {
        Hash256 leaf = leaves[i];
        leaf[bit / 8] ^= static_cast<std::uint8_t>(1 << (bit % 8));
        ASSERT_FALSE(MerkleVerify(leaf, *proof, root));
        Hash256 bad_root = root;
        bad_root[bit / 8] ^= static_cast<std::uint8_t>(1 << (bit % 8));
        ASSERT_FALSE(MerkleVerify(leaves[i], *proof, bad_root));
      }
      // The proof is bound to its position and tree size.
      MerkleProof moved = *proof;
      moved.index = (i + 1) % n;
      if (n > 1 && leaves[moved.index] != leaves[i]) {
        EXPECT_FALSE(MerkleVerify(leaves[i], moved, root)) << n << "/" << i;
      }
      // A tree size that cannot hold the index fails. (A larger size whose path shape matches
      // still commits the leaf under the same root: the hash chain is identical, so that is
      // not a forgery; receipts also bind the size through the block's tx count.)
      MerkleProof resized = *proof;
      resized.tree_size = i;
      EXPECT_FALSE(MerkleVerify(leaves[i], resized, root)) << n << "/" << i;
      // Truncated or extended paths fail.
      if (!proof->path.empty()) {
        MerkleProof shorter = *proof;
        shorter.path.pop_back();
        EXPECT_FALSE(MerkleVerify(leaves[i], shorter, root));
      }
      MerkleProof longer = *proof;
      longer.path.push_back(root);
      EXPECT_FALSE(MerkleVerify(leaves[i], longer, root));
    }
  }
}

TEST(MerkleTest, ProveRejectsOutOfRangeIndex) {
  const auto leaves = Leaves(3);
  auto r = MerkleProve(leaves, 3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "merkle_index_out_of_range");
  MerkleProof bogus{.index = 5, .tree_size = 3, .path = {}};
  EXPECT_FALSE(MerkleVerify(leaves[0], bogus, MerkleRoot(leaves)));
}

}  // namespace
}  // namespace consentd::crypto
