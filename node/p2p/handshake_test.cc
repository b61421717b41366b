#include "node/p2p/handshake.h"

#include <gtest/gtest.h>

namespace consentd::node::p2p {
namespace {

crypto::PrivateKey KeyFrom(std::uint8_t seed) {
  FixedBytes<32> secret{};
  secret.fill(seed);
  return crypto::PrivateKey::FromBytes(secret).value();
}

Nonce NonceFrom(std::uint8_t seed) {
  Nonce nonce{};
  nonce.fill(seed);
  return nonce;
}

CloseReason AllowAll(const crypto::PublicKey&) { return CloseReason::kNone; }

class HandshakeTest : public ::testing::Test {
 protected:
  const crypto::PrivateKey dialer_key_ = KeyFrom(1);
  const crypto::PrivateKey acceptor_key_ = KeyFrom(2);
  const crypto::PrivateKey other_key_ = KeyFrom(3);
  const std::string chain_ = "consentd-test";
};

TEST_F(HandshakeTest, MutualAuthenticationSucceeds) {
  Handshake dialer(Role::kDialer, chain_, dialer_key_, NonceFrom(0xd1));
  Handshake acceptor(Role::kAcceptor, chain_, acceptor_key_, NonceFrom(0xa1));

  const Handshake::Step a1 = acceptor.OnFrame(AsBytes(dialer.HelloFrame()), AllowAll);
  EXPECT_EQ(a1.error, CloseReason::kNone);
  EXPECT_TRUE(a1.reply.empty()) << "the acceptor signs nothing before the dialer's proof";
  EXPECT_FALSE(a1.authenticated);

  const Handshake::Step d1 = dialer.OnFrame(AsBytes(acceptor.HelloFrame()), AllowAll);
  EXPECT_EQ(d1.error, CloseReason::kNone);
  ASSERT_FALSE(d1.reply.empty());
  EXPECT_FALSE(d1.authenticated);

  const Handshake::Step a2 = acceptor.OnFrame(AsBytes(d1.reply), AllowAll);
  EXPECT_EQ(a2.error, CloseReason::kNone);
  EXPECT_TRUE(a2.authenticated);
  ASSERT_FALSE(a2.reply.empty());

  const Handshake::Step d2 = dialer.OnFrame(AsBytes(a2.reply), AllowAll);
  EXPECT_EQ(d2.error, CloseReason::kNone);
  EXPECT_TRUE(d2.authenticated);
  EXPECT_TRUE(d2.reply.empty());

  ASSERT_TRUE(dialer.peer_key().has_value());
  ASSERT_TRUE(acceptor.peer_key().has_value());
  EXPECT_EQ(*dialer.peer_key(), acceptor_key_.public_key());
  EXPECT_EQ(*acceptor.peer_key(), dialer_key_.public_key());
}

TEST_F(HandshakeTest, WrongChainIsRefusedByBothSides) {
  Handshake dialer(Role::kDialer, chain_, dialer_key_, NonceFrom(1));
  Handshake acceptor(Role::kAcceptor, "other-chain", acceptor_key_, NonceFrom(2));
  EXPECT_EQ(acceptor.OnFrame(AsBytes(dialer.HelloFrame()), AllowAll).error,
            CloseReason::kWrongChain);
  const Handshake::Step step = dialer.OnFrame(AsBytes(acceptor.HelloFrame()), AllowAll);
  EXPECT_EQ(step.error, CloseReason::kWrongChain);
  EXPECT_TRUE(step.reply.empty());
}

TEST_F(HandshakeTest, OtherVersionIsRefused) {
  Handshake acceptor(Role::kAcceptor, chain_, acceptor_key_, NonceFrom(2));
  Hello hello;
  hello.chain_id = chain_;
  hello.key = dialer_key_.public_key().bytes();
  std::string frame = EncodeHello(hello);
  frame[1] = 2;
  EXPECT_EQ(acceptor.OnFrame(AsBytes(frame), AllowAll).error, CloseReason::kVersionMismatch);
}

TEST_F(HandshakeTest, InvalidKeyIsRefused) {
  Handshake acceptor(Role::kAcceptor, chain_, acceptor_key_, NonceFrom(2));
  Hello hello;
  hello.chain_id = chain_;
  hello.key.fill(0xff);  // not the x coordinate of a curve point
  EXPECT_EQ(acceptor.OnFrame(AsBytes(EncodeHello(hello)), AllowAll).error, CloseReason::kBadKey);
}

TEST_F(HandshakeTest, KeyCheckRefusalStopsBeforeSigning) {
  Handshake dialer(Role::kDialer, chain_, dialer_key_, NonceFrom(1));
  Handshake acceptor(Role::kAcceptor, chain_, acceptor_key_, NonceFrom(2));
  int calls = 0;
  const auto refuse = [&](const crypto::PublicKey& key) {
    ++calls;
    EXPECT_EQ(key, acceptor_key_.public_key());
    return CloseReason::kKeyNotAllowed;
  };
  const Handshake::Step step = dialer.OnFrame(AsBytes(acceptor.HelloFrame()), refuse);
  EXPECT_EQ(step.error, CloseReason::kKeyNotAllowed);
  EXPECT_TRUE(step.reply.empty());
  EXPECT_EQ(calls, 1);
}

TEST_F(HandshakeTest, ConnectionToSelfIsDetected) {
  Handshake dialer(Role::kDialer, chain_, dialer_key_, NonceFrom(1));
  Handshake acceptor(Role::kAcceptor, chain_, dialer_key_, NonceFrom(2));
  EXPECT_EQ(acceptor.OnFrame(AsBytes(dialer.HelloFrame()), AllowAll).error, CloseReason::kSelf);
  EXPECT_EQ(dialer.OnFrame(AsBytes(acceptor.HelloFrame()), AllowAll).error, CloseReason::kSelf);
}

TEST_F(HandshakeTest, TamperedSignatureIsRefused) {
  Handshake dialer(Role::kDialer, chain_, dialer_key_, NonceFrom(1));
  Handshake acceptor(Role::kAcceptor, chain_, acceptor_key_, NonceFrom(2));
  ASSERT_EQ(acceptor.OnFrame(AsBytes(dialer.HelloFrame()), AllowAll).error, CloseReason::kNone);
  std::string auth = dialer.OnFrame(AsBytes(acceptor.HelloFrame()), AllowAll).reply;
  auth[10] ^= 1;
  EXPECT_EQ(acceptor.OnFrame(AsBytes(auth), AllowAll).error, CloseReason::kBadSignature);
}

// A dialer that signs the wrong nonce (its own instead of the acceptor's) is refused.
TEST_F(HandshakeTest, SignatureOverTheWrongNonceIsRefused) {
  const Nonce dialer_nonce = NonceFrom(1);
  Handshake dialer(Role::kDialer, chain_, dialer_key_, dialer_nonce);
  Handshake acceptor(Role::kAcceptor, chain_, acceptor_key_, NonceFrom(2));
  ASSERT_EQ(acceptor.OnFrame(AsBytes(dialer.HelloFrame()), AllowAll).error, CloseReason::kNone);
  const Hash256 digest = AuthDigest({.signer_role = Role::kDialer,
                                     .chain_id = chain_,
                                     .verifier_nonce = dialer_nonce,  // wrong: its own
                                     .signer_nonce = dialer_nonce,
                                     .signer_key = dialer_key_.public_key().bytes(),
                                     .verifier_key = acceptor_key_.public_key().bytes()});
  const std::string auth = EncodeAuth(dialer_key_.Sign(digest));
  EXPECT_EQ(acceptor.OnFrame(AsBytes(auth), AllowAll).error, CloseReason::kBadSignature);
}

// An attacker who recorded a whole dialer side of one handshake replays it on a new connection:
// the acceptor's fresh nonce differs, so the signature does not verify.
TEST_F(HandshakeTest, RecordedAuthCannotBeReplayedOnAnotherConnection) {
  Handshake dialer(Role::kDialer, chain_, dialer_key_, NonceFrom(1));
  Handshake acceptor(Role::kAcceptor, chain_, acceptor_key_, NonceFrom(2));
  const std::string hello = dialer.HelloFrame();
  ASSERT_EQ(acceptor.OnFrame(AsBytes(hello), AllowAll).error, CloseReason::kNone);
  const std::string auth = dialer.OnFrame(AsBytes(acceptor.HelloFrame()), AllowAll).reply;
  ASSERT_TRUE(acceptor.OnFrame(AsBytes(auth), AllowAll).authenticated);

  Handshake acceptor2(Role::kAcceptor, chain_, acceptor_key_, NonceFrom(3));
  ASSERT_EQ(acceptor2.OnFrame(AsBytes(hello), AllowAll).error, CloseReason::kNone);
  EXPECT_EQ(acceptor2.OnFrame(AsBytes(auth), AllowAll).error, CloseReason::kBadSignature);
}

// Even with the same acceptor nonce, a proof made for one peer does not convince another, nor
// the same peer on another chain.
TEST_F(HandshakeTest, AuthIsBoundToThePeerKeyAndTheChain) {
  const Nonce acceptor_nonce = NonceFrom(2);
  Handshake dialer(Role::kDialer, chain_, dialer_key_, NonceFrom(1));
  Handshake acceptor(Role::kAcceptor, chain_, acceptor_key_, acceptor_nonce);
  const std::string hello = dialer.HelloFrame();
  const std::string auth = dialer.OnFrame(AsBytes(acceptor.HelloFrame()), AllowAll).reply;

  Handshake other_peer(Role::kAcceptor, chain_, other_key_, acceptor_nonce);
  ASSERT_EQ(other_peer.OnFrame(AsBytes(hello), AllowAll).error, CloseReason::kNone);
  EXPECT_EQ(other_peer.OnFrame(AsBytes(auth), AllowAll).error, CloseReason::kBadSignature);

  Handshake other_chain(Role::kAcceptor, "other-chain", acceptor_key_, acceptor_nonce);
  Hello relabelled = DecodeHello(AsBytes(hello)).value();
  relabelled.chain_id = "other-chain";
  ASSERT_EQ(other_chain.OnFrame(AsBytes(EncodeHello(relabelled)), AllowAll).error,
            CloseReason::kNone);
  EXPECT_EQ(other_chain.OnFrame(AsBytes(auth), AllowAll).error, CloseReason::kBadSignature);
}

// An acceptor's proof cannot be presented as a dialer's.
TEST_F(HandshakeTest, AuthIsBoundToTheRole) {
  const Nonce dialer_nonce = NonceFrom(1), acceptor_nonce = NonceFrom(2);
  Handshake dialer(Role::kDialer, chain_, dialer_key_, dialer_nonce);
  Handshake acceptor(Role::kAcceptor, chain_, acceptor_key_, acceptor_nonce);
  ASSERT_EQ(acceptor.OnFrame(AsBytes(dialer.HelloFrame()), AllowAll).error, CloseReason::kNone);
  const Hash256 as_acceptor = AuthDigest({.signer_role = Role::kAcceptor,
                                          .chain_id = chain_,
                                          .verifier_nonce = acceptor_nonce,
                                          .signer_nonce = dialer_nonce,
                                          .signer_key = dialer_key_.public_key().bytes(),
                                          .verifier_key = acceptor_key_.public_key().bytes()});
  EXPECT_EQ(acceptor.OnFrame(AsBytes(EncodeAuth(dialer_key_.Sign(as_acceptor))), AllowAll).error,
            CloseReason::kBadSignature);
}

TEST_F(HandshakeTest, FramesOutOfOrderAreRefused) {
  const auto fresh = [&] {
    return Handshake(Role::kAcceptor, chain_, acceptor_key_, NonceFrom(2));
  };
  Handshake dialer(Role::kDialer, chain_, dialer_key_, NonceFrom(1));
  const std::string hello = dialer.HelloFrame();
  const std::string auth = EncodeAuth(crypto::SignatureBytes{});

  EXPECT_EQ(fresh().OnFrame(AsBytes(auth), AllowAll).error, CloseReason::kUnexpectedFrame);
  EXPECT_EQ(fresh().OnFrame(AsBytes(std::string("\x10payload")), AllowAll).error,
            CloseReason::kUnexpectedFrame);
  EXPECT_EQ(fresh().OnFrame(ByteSpan(), AllowAll).error, CloseReason::kEmptyFrame);
  EXPECT_EQ(fresh().OnFrame(AsBytes(hello.substr(0, 20)), AllowAll).error,
            CloseReason::kMalformedHello);

  Handshake twice = fresh();
  ASSERT_EQ(twice.OnFrame(AsBytes(hello), AllowAll).error, CloseReason::kNone);
  EXPECT_EQ(twice.OnFrame(AsBytes(hello), AllowAll).error, CloseReason::kUnexpectedFrame);

  Handshake short_auth = fresh();
  ASSERT_EQ(short_auth.OnFrame(AsBytes(hello), AllowAll).error, CloseReason::kNone);
  EXPECT_EQ(short_auth.OnFrame(AsBytes(auth.substr(0, 30)), AllowAll).error,
            CloseReason::kMalformedAuth);
}

}  // namespace
}  // namespace consentd::node::p2p
