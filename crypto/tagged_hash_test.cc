#include "crypto/tagged_hash.h"

#include <gtest/gtest.h>

#include "common/hex.h"

namespace consentd::crypto {
namespace {

TEST(TaggedHashTest, MatchesTheDefinition) {
  const std::string tag = "consentd/tx/v1";
  const std::string msg = "{\"a\":1}";
  const Hash256 t = Sha256(tag);
  std::string concat(t.begin(), t.end());
  concat.append(t.begin(), t.end());
  concat += msg;
  EXPECT_EQ(TaggedHash(tag, AsBytes(msg)), Sha256(concat));
}

TEST(TaggedHashTest, KnownValueForBip340Tag) {
  // SHA256("BIP0340/challenge") = 7bb52d7a... (printf BIP0340/challenge | sha256sum), so the
  // tagged hash of the empty message is SHA-256 of that digest twice.
  EXPECT_EQ(
      HexEncode(TaggedHash("BIP0340/challenge", ByteSpan())),
      HexEncode(Sha256(HexDecode("7bb52d7a9fef58323eb1bf7a407db382d2f3f2d81bb1224f49fe518f6d48d37c"
                                 "7bb52d7a9fef58323eb1bf7a407db382d2f3f2d81bb1224f49fe518f6d48d37c")
                           .value())));
}

TEST(TaggedHashTest, PrecomputedHasherAgreesAndIsReusable) {
  TaggedHasher hasher("consentd/vote/v1");
  EXPECT_EQ(hasher.tag(), "consentd/vote/v1");
  for (const char* msg :
       {"", "x", "a longer message that spans more than one block of sixty-four bytes"}) {
    EXPECT_EQ(hasher.Hash(std::string_view(msg)), TaggedHash("consentd/vote/v1", AsBytes(msg)));
  }
  EXPECT_EQ(hasher.Hash({AsBytes("ab"), AsBytes("c")}),
            TaggedHash("consentd/vote/v1", AsBytes("abc")));
}

TEST(TaggedHashTest, DifferentTagsDiffer) {
  EXPECT_NE(TaggedHash("consentd/tx/v1", AsBytes("m")),
            TaggedHash("consentd/vote/v1", AsBytes("m")));
}

}  // namespace
}  // namespace consentd::crypto
