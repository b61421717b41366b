#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "common/hex.h"

namespace consentd::crypto {
namespace {

struct Vector {
  const char* msg_hex;
  const char* digest_hex;
};

// NIST CAVP SHA256ShortMsg.rsp (byte-oriented), the first lengths, plus the FIPS 180-2
// examples "abc" and the 448-bit message.
constexpr Vector kNistShortMsg[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"d3", "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1"},
    {"11af", "5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98"},
    {"b4190e", "dff2e73091f6c05e528896c4c831b9448653dc2ff043528f6769437bc7b975c2"},
    {"74ba2521", "b16aa56be3880d18cd41e68384cf1ec8c17680c45a02b1575dc1518923ae8b0e"},
    {"c299209682", "f0887fe961c9cd3beab957e8222494abb969b1ce4c6557976df8b0f6d20e9166"},
    {"e1dc724d5621", "eca0a060b489636225b4fa64d267dabbe44273067ac679f20820bddc6b6a90ac"},
    {"06e076f5a442d5", "3fd877e27450e6bbd5d74bb82f9870c64c66e109418baa8e6bbcff355e287926"},
    {"5738c929c4f4ccb6", "963bb88f27f512777aab6c8b1a02c70ec0ad651d428f870036e1917120fb48bf"},
    {"3334c58075d3f4139e", "078da3d77ed43bd3037a433fd0341855023793f9afd08b4b08ea1e5597ceef20"},
    {"616263", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"6162636462636465636465666465666765666768666768696768696a68696a6b696a6b6c6a6b6c6d6b6c6d6e6c"
     "6d6e6f6d6e6f706e6f7071",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

TEST(Sha256Test, NistShortMessages) {
  for (const Vector& v : kNistShortMsg) {
    auto msg = HexDecode(v.msg_hex);
    ASSERT_TRUE(msg.ok());
    EXPECT_EQ(HexEncode(Sha256(*msg)), v.digest_hex) << "msg " << v.msg_hex;
  }
}

TEST(Sha256Test, IncrementalEqualsOneShotAndResets) {
  Sha256Hasher h;
  const Hash256 split = h.Update("ab").Update("").Update("c").Finish();
  EXPECT_EQ(HexEncode(split), kNistShortMsg[10].digest_hex);
  // Finish resets: hashing again starts from empty.
  EXPECT_EQ(HexEncode(h.Finish()), kNistShortMsg[0].digest_hex);
}

TEST(Sha256Test, CopyStateResumesFromPrefix) {
  Sha256Hasher prefix, work;
  prefix.Update("ab");
  work.CopyStateFrom(prefix);
  EXPECT_EQ(HexEncode(work.Update("c").Finish()), kNistShortMsg[10].digest_hex);
  work.CopyStateFrom(prefix);
  EXPECT_EQ(work.Update("c").Finish(), Sha256("abc"));
}

TEST(Sha256Test, MillionA) {
  // FIPS 180-2 long example: one million 'a'.
  EXPECT_EQ(HexEncode(Sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace consentd::crypto
