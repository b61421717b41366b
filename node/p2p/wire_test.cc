#include "node/p2p/wire.h"

#include <gtest/gtest.h>

#include "common/hex.h"

namespace consentd::node::p2p {
namespace {

template <std::size_t N>
FixedBytes<N> Filled(std::uint8_t start) {
  FixedBytes<N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(start + i);
  return out;
}

Hello SampleHello() {
  Hello hello;
  hello.chain_id = "consentd-local-4";
  hello.key = Filled<32>(0x10);
  hello.nonce = Filled<32>(0xa0);
  return hello;
}

TEST(WireTest, HelloRoundTrips) {
  const Hello hello = SampleHello();
  const std::string frame = EncodeHello(hello);
  ASSERT_EQ(frame.size(), 3 + hello.chain_id.size() + 64);
  const Result<Hello> decoded = DecodeHello(AsBytes(frame));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->version, kProtocolVersion);
  EXPECT_EQ(decoded->chain_id, hello.chain_id);
  EXPECT_EQ(decoded->key, hello.key);
  EXPECT_EQ(decoded->nonce, hello.nonce);
}

// The byte-exact example of docs/P2P.md.
TEST(WireTest, HelloBytesMatchTheDocumentation) {
  EXPECT_EQ(HexEncode(AsBytes(EncodeHello(SampleHello()))),
            "000110636f6e73656e74642d6c6f63616c2d34"
            "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
            "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
}

TEST(WireTest, HelloOfAnotherVersionDecodesOnlyTheVersion) {
  const std::string frame = std::string("\x00\x02whatever", 10);
  const Result<Hello> decoded = DecodeHello(AsBytes(frame));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->version, 2);
  EXPECT_TRUE(decoded->chain_id.empty());
}

TEST(WireTest, MalformedHellosAreRejected) {
  const std::string good = EncodeHello(SampleHello());
  const std::string cases[] = {
      "",
      std::string("\x00", 1),
      std::string("\x00\x01", 2),
      good.substr(0, good.size() - 1),                              // truncated nonce
      good + "x",                                                   // trailing byte
      std::string("\x01") + good.substr(1),                         // wrong kind
      std::string("\x00\x01\xff", 3) + std::string(255 + 64, 'a'),  // chain id too long
  };
  for (const std::string& frame : cases) {
    const Result<Hello> decoded = DecodeHello(AsBytes(frame));
    ASSERT_FALSE(decoded.ok()) << HexEncode(AsBytes(frame));
    EXPECT_EQ(decoded.status().code(), "p2p_malformed_hello");
  }
}

TEST(WireTest, AuthRoundTripsAndRejectsWrongSizes) {
  const crypto::SignatureBytes sig = Filled<64>(0x40);
  const std::string frame = EncodeAuth(sig);
  ASSERT_EQ(frame.size(), 65u);
  EXPECT_EQ(frame[0], static_cast<char>(kKindAuth));
  const Result<crypto::SignatureBytes> decoded = DecodeAuth(AsBytes(frame));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, sig);
  EXPECT_FALSE(DecodeAuth(AsBytes(frame.substr(0, 64))).ok());
  EXPECT_FALSE(DecodeAuth(AsBytes(frame + "x")).ok());
  EXPECT_FALSE(DecodeAuth(AsBytes(std::string("\x00") + frame.substr(1))).ok());
}

// The byte-exact transcript and digest of docs/P2P.md (dialer signing).
TEST(WireTest, AuthTranscriptMatchesTheDocumentation) {
  const Nonce verifier_nonce = Filled<32>(0xa0);
  const Nonce signer_nonce = Filled<32>(0xc0);
  const crypto::PublicKeyBytes signer_key = Filled<32>(0x10);
  const crypto::PublicKeyBytes verifier_key = Filled<32>(0x30);
  const AuthContext context{.signer_role = Role::kDialer,
                            .chain_id = "consentd-local-4",
                            .verifier_nonce = verifier_nonce,
                            .signer_nonce = signer_nonce,
                            .signer_key = signer_key,
                            .verifier_key = verifier_key};
  EXPECT_EQ(HexEncode(AuthTranscript(context)),
            "010110636f6e73656e74642d6c6f63616c2d34"
            "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
            "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
            "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
            "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f");
  EXPECT_EQ(HexEncode(AuthDigest(context)),
            "5d9ee3de7e7bd00041ba133279bc1590850e8fb1f5575f71c9856af09f03b5d0");
}

TEST(WireTest, EveryBoundFieldChangesTheDigest) {
  const Nonce n1 = Filled<32>(1), n2 = Filled<32>(2);
  const crypto::PublicKeyBytes k1 = Filled<32>(3), k2 = Filled<32>(4);
  const AuthContext base{Role::kDialer, "chain", n1, n2, k1, k2};
  const Hash256 digest = AuthDigest(base);
  EXPECT_NE(digest, AuthDigest({Role::kAcceptor, "chain", n1, n2, k1, k2}));
  EXPECT_NE(digest, AuthDigest({Role::kDialer, "chain2", n1, n2, k1, k2}));
  EXPECT_NE(digest, AuthDigest({Role::kDialer, "chain", n2, n1, k1, k2}));
  EXPECT_NE(digest, AuthDigest({Role::kDialer, "chain", n1, n1, k1, k2}));
  EXPECT_NE(digest, AuthDigest({Role::kDialer, "chain", n1, n2, k2, k1}));
  EXPECT_NE(digest, AuthDigest({Role::kDialer, "chain", n1, n2, k1, k1}));
}

}  // namespace
}  // namespace consentd::node::p2p
