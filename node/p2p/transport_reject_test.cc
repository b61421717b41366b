// The transport refuses what it must (unknown keys, other chains, bad proofs, garbage, oversize
// frames), closes only the offending connection, counts it, and keeps serving a good peer.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "node/p2p/test_peer.h"
#include "node/p2p/test_util.h"
#include "node/p2p/transport.h"
#include "node/p2p/wire.h"

namespace consentd::node::p2p {
namespace {

using test::Hub;
using test::kChain;
using test::TestNode;
using test::TestPeer;

constexpr std::size_t kMaxFrame = 64 << 10;

class TransportRejectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestNode>(hub_, 1, [](TransportConfig& c) {
      c.max_frame_bytes = kMaxFrame;
      c.max_queue_bytes = 1 << 20;
      c.handshake_timeout_ms = 1000;
    });
    ASSERT_TRUE(server_->Start().ok());
    good_ = std::make_unique<TestNode>(hub_, 2,
                                       [&](TransportConfig& c) { c.peers = {server_->address()}; });
    server_->Allow(good_->public_key());
    server_->Allow(raw_key_.public_key());
    good_->Allow(server_->public_key());
    ASSERT_TRUE(good_->Start().ok());
    ASSERT_TRUE(hub_.WaitUntil([&] {
      return server_->events().PeerWith(good_->public_key()) != 0 &&
             good_->events().PeerWith(server_->public_key()) != 0;
    }));
  }

  // The server still serves its good peer: a frame each way arrives intact.
  void ExpectGoodExchange() {
    const std::string ping = "ping " + std::to_string(++exchanges_);
    PeerId good_on_server = 0, server_on_good = 0;
    std::size_t good_seen = 0, server_seen = 0;
    hub_.Locked([&] {
      good_on_server = server_->events().PeerWith(good_->public_key());
      server_on_good = good_->events().PeerWith(server_->public_key());
      good_seen = good_->events().messages.size();
      server_seen = server_->events().messages.size();
    });
    ASSERT_TRUE(server_->transport().Send(good_on_server, 30, ping));
    ASSERT_TRUE(good_->transport().Send(server_on_good, 31, ping + " back"));
    ASSERT_TRUE(hub_.WaitUntil([&] {
      return good_->events().messages.size() > good_seen &&
             server_->events().messages.size() > server_seen;
    }));
    hub_.Locked([&] {
      EXPECT_EQ(good_->events().messages.back().payload, ping);
      EXPECT_EQ(server_->events().messages.back().payload, ping + " back");
    });
  }

  bool WaitServerLogged(const std::string& needle) {
    return hub_.WaitUntil([&] { return server_->events().Logged(needle); });
  }

  // A raw peer with an allowed key that completed the handshake.
  void ConnectAuthenticated(TestPeer& peer) {
    ASSERT_FALSE(peer.Connect(server_->port()));
    ASSERT_FALSE(peer.Upgrade());
    ASSERT_FALSE(peer.Authenticate(raw_key_, kChain));
    ASSERT_TRUE(
        hub_.WaitUntil([&] { return server_->events().PeerWith(raw_key_.public_key()) != 0; }));
  }

  bool RawKeyConnected() {
    return hub_.Locked([&] { return server_->events().PeerWith(raw_key_.public_key()) != 0; });
  }

  bool WaitRawKeyDisconnected() {
    return hub_.WaitUntil([&] { return server_->events().PeerWith(raw_key_.public_key()) == 0; });
  }

  Transport::Counters counters() { return server_->transport().counters(); }

  Hub hub_;
  std::unique_ptr<TestNode> server_;
  std::unique_ptr<TestNode> good_;
  const crypto::PrivateKey raw_key_ = test::TestKey(9);
  int exchanges_ = 0;
};

TEST_F(TransportRejectTest, UnknownKeyIsRefused) {
  TestNode intruder(hub_, 7, [&](TransportConfig& c) { c.peers = {server_->address()}; });
  intruder.Allow(server_->public_key());
  ASSERT_TRUE(intruder.Start().ok());
  ASSERT_TRUE(WaitServerLogged("reason=key_not_allowed"));
  // The intruder hears why (the close frame names the reason) and is never connected.
  ASSERT_TRUE(
      hub_.WaitUntil([&] { return intruder.events().Logged("peer said key_not_allowed"); }));
  EXPECT_GE(counters().unknown_key_rejections, 1u);
  hub_.Locked([&] {
    EXPECT_EQ(intruder.events().connects, 0);
    EXPECT_EQ(server_->events().PeerWith(intruder.public_key()), 0u);
  });
  intruder.Stop();
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, WrongChainIsRefused) {
  TestNode stranger(hub_, 8, [&](TransportConfig& c) {
    c.chain_id = "another-chain";
    c.peers = {server_->address()};
  });
  stranger.Allow(server_->public_key());
  server_->Allow(stranger.public_key());
  ASSERT_TRUE(stranger.Start().ok());
  ASSERT_TRUE(WaitServerLogged("reason=wrong_chain"));
  EXPECT_GE(counters().auth_failures, 1u);
  ASSERT_TRUE(hub_.WaitUntil([&] { return stranger.events().Logged("reason=wrong_chain"); }));
  EXPECT_GE(stranger.transport().counters().auth_failures, 1u);
  hub_.Locked([&] {
    EXPECT_EQ(stranger.events().connects, 0);
    EXPECT_EQ(server_->events().PeerWith(stranger.public_key()), 0u);
  });
  stranger.Stop();
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, PeerSigningTheWrongNonceIsRefused) {
  TestPeer peer;
  ASSERT_FALSE(peer.Connect(server_->port()));
  ASSERT_FALSE(peer.Upgrade());
  ASSERT_FALSE(peer.Authenticate(raw_key_, kChain, TestPeer::Fault::kSignOwnNonce));
  EXPECT_TRUE(peer.WaitClosedByServer());
  ASSERT_TRUE(WaitServerLogged("reason=bad_signature"));
  EXPECT_EQ(counters().auth_failures, 1u);
  EXPECT_FALSE(RawKeyConnected());
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, RandomBytesAreClosedAndCounted) {
  std::mt19937 rng(42);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  TestPeer peer;
  ASSERT_FALSE(peer.Connect(server_->port()));
  ASSERT_FALSE(peer.WriteRaw(garbage));
  EXPECT_TRUE(peer.WaitClosedByServer());
  ASSERT_TRUE(WaitServerLogged("reason=upgrade_failed"));
  EXPECT_EQ(counters().malformed_frames, 1u);
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, SilentConnectionTimesOut) {
  TestPeer peer;
  ASSERT_FALSE(peer.Connect(server_->port()));
  EXPECT_TRUE(peer.WaitClosedByServer());
  ASSERT_TRUE(WaitServerLogged("reason=handshake_timeout"));
  EXPECT_EQ(counters().auth_failures, 1u);
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, NodeFrameBeforeTheHandshakeIsClosedAndCounted) {
  TestPeer peer;
  ASSERT_FALSE(peer.Connect(server_->port()));
  ASSERT_FALSE(peer.Upgrade());
  ASSERT_FALSE(peer.SendBinary("\x10hello before hello"));
  EXPECT_TRUE(peer.WaitClosedByServer());
  ASSERT_TRUE(WaitServerLogged("reason=unexpected_frame"));
  EXPECT_EQ(counters().malformed_frames, 1u);
  EXPECT_EQ(counters().frames_in, 0u);
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, LargeFrameBeforeTheHandshakeIsRefusedAsOversize) {
  TestPeer peer;
  ASSERT_FALSE(peer.Connect(server_->port()));
  ASSERT_FALSE(peer.Upgrade());
  // Far below max_frame_bytes, but an unauthenticated peer gets only kMaxHandshakeFrameBytes.
  ASSERT_FALSE(peer.SendBinary(std::string(kMaxHandshakeFrameBytes + 1, '\0')));
  EXPECT_TRUE(peer.WaitClosedByServer());
  ASSERT_TRUE(WaitServerLogged("reason=oversize_frame"));
  EXPECT_EQ(counters().oversize_frames, 1u);
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, TextFrameIsClosedAndCounted) {
  TestPeer peer;
  ConnectAuthenticated(peer);
  ASSERT_FALSE(peer.SendText("a text frame"));
  EXPECT_TRUE(peer.WaitClosedByServer());
  ASSERT_TRUE(WaitServerLogged("reason=text_frame"));
  EXPECT_EQ(counters().malformed_frames, 1u);
  ASSERT_TRUE(WaitRawKeyDisconnected());
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, FrameAtTheLimitPassesAndOneByteMoreIsClosedAndCounted) {
  TestPeer peer;
  ConnectAuthenticated(peer);
  std::string frame(kMaxFrame, 'z');
  frame[0] = 16;
  ASSERT_FALSE(peer.SendBinary(frame));
  ASSERT_TRUE(hub_.WaitUntil([&] {
    const auto& messages = server_->events().messages;
    return !messages.empty() && messages.back().payload.size() == kMaxFrame - 1;
  }));
  ASSERT_FALSE(peer.SendBinary(frame + "z"));
  EXPECT_TRUE(peer.WaitClosedByServer());
  ASSERT_TRUE(WaitServerLogged("reason=oversize_frame"));
  EXPECT_EQ(counters().oversize_frames, 1u);
  ASSERT_TRUE(WaitRawKeyDisconnected());
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, EmptyFrameAfterAuthIsClosedAndCounted) {
  TestPeer peer;
  ConnectAuthenticated(peer);
  ASSERT_FALSE(peer.SendBinary(""));
  EXPECT_TRUE(peer.WaitClosedByServer());
  ASSERT_TRUE(WaitServerLogged("reason=empty_frame"));
  EXPECT_EQ(counters().malformed_frames, 1u);
  ExpectGoodExchange();
}

TEST_F(TransportRejectTest, HandshakeFrameAfterAuthIsClosedAndCounted) {
  TestPeer peer;
  ConnectAuthenticated(peer);
  Hello hello;
  hello.chain_id = std::string(kChain);
  hello.key = raw_key_.public_key().bytes();
  ASSERT_FALSE(peer.SendBinary(EncodeHello(hello)));
  EXPECT_TRUE(peer.WaitClosedByServer());
  ASSERT_TRUE(WaitServerLogged("reason=unexpected_frame"));
  EXPECT_EQ(counters().malformed_frames, 1u);
  ExpectGoodExchange();
}

}  // namespace
}  // namespace consentd::node::p2p
