#include "node/p2p/transport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "node/p2p/test_peer.h"
#include "node/p2p/test_util.h"

namespace consentd::node::p2p {
namespace {

using test::Hub;
using test::kChain;
using test::TestNode;
using test::TestPeer;

// Node `i` of a network that lists every address, its own included (as a real config does),
// and allows every key of it.
std::unique_ptr<TestNode> MakeNode(Hub& hub, const std::vector<std::uint8_t>& seeds,
                                   const std::vector<std::uint16_t>& ports, std::size_t i) {
  auto node = std::make_unique<TestNode>(hub, seeds[i], [&](TransportConfig& c) {
    c.listen_port = ports[i];
    for (std::uint16_t port : ports) c.peers.push_back({"127.0.0.1", port});
  });
  for (std::uint8_t seed : seeds) node->Allow(test::TestKey(seed).public_key());
  return node;
}

std::vector<std::unique_ptr<TestNode>> MakeNetwork(Hub& hub, const std::vector<std::uint8_t>& seeds,
                                                   const std::vector<std::uint16_t>& ports) {
  std::vector<std::unique_ptr<TestNode>> nodes;
  for (std::size_t i = 0; i < seeds.size(); ++i) nodes.push_back(MakeNode(hub, seeds, ports, i));
  return nodes;
}

// The end state of duplicate resolution: every node has exactly one connection to each other
// node, the one dialled by the smaller key, and has reported exactly those to its handler.
// REQUIRES: hub lock held.
bool Settled(const std::vector<TestNode*>& nodes) {
  for (TestNode* node : nodes) {
    const std::vector<Transport::PeerInfo> peers = node->transport().Peers();
    const auto& connected = node->events().connected;
    if (peers.size() != nodes.size() - 1 || connected.size() != nodes.size() - 1) return false;
    for (const Transport::PeerInfo& peer : peers) {
      if (peer.outbound != (node->public_key() < peer.key)) return false;
      const auto it = connected.find(peer.id);
      if (it == connected.end() || it->second != peer.key) return false;
    }
  }
  return true;
}

std::vector<TestNode*> Raw(const std::vector<std::unique_ptr<TestNode>>& nodes) {
  std::vector<TestNode*> out;
  for (const auto& node : nodes) out.push_back(node.get());
  return out;
}

// Binary payloads of varied sizes (zero bytes, high bytes, one of 1 MiB), tagged with sender
// and sequence number so that order and integrity can be checked.
std::string Payload(std::size_t from, int seq) {
  std::string out = "from=" + std::to_string(from) + " seq=" + std::to_string(seq) + "|";
  const std::size_t size = seq == 0 ? (1 << 20) : (static_cast<std::size_t>(seq) * 997) % 5000;
  for (std::size_t j = 0; j < size; ++j) out.push_back(static_cast<char>((j * 31 + seq) & 0xff));
  return out;
}

std::uint8_t KindFor(int seq) { return static_cast<std::uint8_t>(16 + seq % 240); }

TEST(TransportTest, ThreeNodesConnectPairwiseAndExchangeFramesInOrder) {
  Hub hub;
  const std::vector<std::uint16_t> ports = {test::PickFreePort(), test::PickFreePort(),
                                            test::PickFreePort()};
  auto nodes = MakeNetwork(hub, {1, 2, 3}, ports);
  for (auto& node : nodes) ASSERT_TRUE(node->Start().ok());
  const std::vector<TestNode*> all = Raw(nodes);
  ASSERT_TRUE(hub.WaitUntil([&] { return Settled(all); }));
  // Each found its own address in the list and stopped dialling it.
  ASSERT_TRUE(hub.WaitUntil([&] {
    return std::all_of(all.begin(), all.end(),
                       [](TestNode* n) { return n->events().Logged("event=self_dial"); });
  }));

  constexpr int kFrames = 40;
  std::vector<std::vector<PeerId>> ids(3, std::vector<PeerId>(3, 0));  // ids[x][y]: y on x
  hub.Locked([&] {
    for (std::size_t x = 0; x < 3; ++x) {
      for (std::size_t y = 0; y < 3; ++y) {
        if (x != y) ids[x][y] = all[x]->events().PeerWith(all[y]->public_key());
      }
    }
  });
  for (std::size_t x = 0; x < 3; ++x) {
    for (std::size_t y = 0; y < 3; ++y) {
      if (x == y) continue;
      for (int seq = 0; seq < kFrames; ++seq) {
        ASSERT_TRUE(all[x]->transport().Send(ids[x][y], KindFor(seq), Payload(x, seq)));
      }
    }
  }
  ASSERT_TRUE(hub.WaitUntil([&] {
    return std::all_of(all.begin(), all.end(),
                       [&](TestNode* n) { return n->events().messages.size() == 2 * kFrames; });
  }));
  hub.Locked([&] {
    for (std::size_t y = 0; y < 3; ++y) {
      for (std::size_t x = 0; x < 3; ++x) {
        if (x == y) continue;
        int seq = 0;
        for (const test::Message& m : all[y]->events().messages) {
          if (m.peer != ids[y][x]) continue;
          EXPECT_EQ(m.kind, KindFor(seq));
          EXPECT_TRUE(m.payload == Payload(x, seq)) << "from " << x << " to " << y << " #" << seq;
          ++seq;
        }
        EXPECT_EQ(seq, kFrames);
      }
    }
  });

  for (std::size_t x = 0; x < 3; ++x) {
    all[x]->transport().Broadcast(250, "broadcast from " + std::to_string(x));
  }
  ASSERT_TRUE(hub.WaitUntil([&] {
    return std::all_of(all.begin(), all.end(),
                       [&](TestNode* n) { return n->events().messages.size() == 2 * kFrames + 2; });
  }));
  hub.Locked([&] {
    for (std::size_t y = 0; y < 3; ++y) {
      for (std::size_t x = 0; x < 3; ++x) {
        if (x == y) continue;
        const auto& messages = all[y]->events().messages;
        const bool got = std::any_of(messages.begin(), messages.end(), [&](const test::Message& m) {
          return m.peer == ids[y][x] && m.kind == 250 &&
                 m.payload == "broadcast from " + std::to_string(x);
        });
        EXPECT_TRUE(got) << x << " -> " << y;
      }
      // The connections are the ones that settled: nothing flapped meanwhile.
      EXPECT_EQ(all[y]->events().connected.size(), 2u);
      for (std::size_t x = 0; x < 3; ++x) {
        if (x != y) {
          EXPECT_EQ(all[y]->events().PeerWith(all[x]->public_key()), ids[y][x]);
        }
      }
    }
  });
  for (TestNode* node : all) {
    const Transport::Counters c = node->transport().counters();
    EXPECT_EQ(c.frames_in, 2u * kFrames + 2);
    // Counted when a write completes, which may come just after the peer has read it: each
    // connection's last frame may still be uncounted, every earlier one is.
    EXPECT_GE(c.frames_out, 2u * kFrames);
    EXPECT_LE(c.frames_out, 2u * kFrames + 2);
    EXPECT_EQ(c.malformed_frames + c.oversize_frames + c.auth_failures, 0u);
    EXPECT_EQ(c.send_drops, 0u);
  }
}

TEST(TransportTest, DuplicateConnectionsResolveToTheOneDialledByTheSmallerKey) {
  Hub hub;
  const std::vector<std::uint16_t> ports = {test::PickFreePort(), test::PickFreePort()};
  auto nodes = MakeNetwork(hub, {4, 5}, ports);
  for (auto& node : nodes) ASSERT_TRUE(node->Start().ok());
  const std::vector<TestNode*> all = Raw(nodes);
  ASSERT_TRUE(hub.WaitUntil([&] { return Settled(all); }));

  TestNode& a = *all[0];
  TestNode& b = *all[1];
  PeerId b_on_a = 0, a_on_b = 0;
  int connects_a = 0, connects_b = 0;
  hub.Locked([&] {
    b_on_a = a.events().PeerWith(b.public_key());
    a_on_b = b.events().PeerWith(a.public_key());
    connects_a = a.events().connects;
    connects_b = b.events().connects;
  });
  // Round trips; meanwhile the losing side's dialler must stay quiet (dormant), not redial.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(a.transport().Send(b_on_a, 16, "ping " + std::to_string(i)));
    ASSERT_TRUE(hub.WaitUntil([&] { return b.events().messages.size() == std::size_t(i) + 1; }));
    ASSERT_TRUE(b.transport().Send(a_on_b, 17, "pong " + std::to_string(i)));
    ASSERT_TRUE(hub.WaitUntil([&] { return a.events().messages.size() == std::size_t(i) + 1; }));
  }
  hub.Locked([&] {
    EXPECT_EQ(a.events().PeerWith(b.public_key()), b_on_a);
    EXPECT_EQ(b.events().PeerWith(a.public_key()), a_on_b);
    EXPECT_EQ(a.events().connects, connects_a);
    EXPECT_EQ(b.events().connects, connects_b);
    EXPECT_TRUE(Settled(all));
  });
  EXPECT_EQ(a.transport().counters().reconnects, 0u);
  EXPECT_EQ(b.transport().counters().reconnects, 0u);
}

TEST(TransportTest, PeersReconnectAfterARestartOnTheSamePort) {
  Hub hub;
  const std::vector<std::uint16_t> ports = {test::PickFreePort(), test::PickFreePort(),
                                            test::PickFreePort()};
  auto nodes = MakeNetwork(hub, {6, 7, 8}, ports);
  for (auto& node : nodes) ASSERT_TRUE(node->Start().ok());
  ASSERT_TRUE(hub.WaitUntil([&] { return Settled(Raw(nodes)); }));
  TestNode& a = *nodes[0];
  TestNode& b = *nodes[1];
  const std::uint64_t reconnects_a = a.transport().counters().reconnects;
  const std::uint64_t reconnects_b = b.transport().counters().reconnects;
  int failed_dials_a = 0, failed_dials_b = 0;
  hub.Locked([&] {
    failed_dials_a = a.events().CountLogged("event=dial_failed");
    failed_dials_b = b.events().CountLogged("event=dial_failed");
  });

  nodes[2]->Stop();
  nodes[2].reset();
  // Both notice, and each redials the dead address at least once (refused: nobody listens).
  ASSERT_TRUE(hub.WaitUntil([&] {
    return a.events().connected.size() == 1 && b.events().connected.size() == 1 &&
           a.events().CountLogged("event=dial_failed") > failed_dials_a &&
           b.events().CountLogged("event=dial_failed") > failed_dials_b;
  }));
  EXPECT_GT(a.transport().counters().reconnects, reconnects_a);
  EXPECT_GT(b.transport().counters().reconnects, reconnects_b);

  // The same key comes back on the same port.
  nodes[2] = MakeNode(hub, {6, 7, 8}, ports, 2);
  ASSERT_TRUE(nodes[2]->Start().ok());
  const std::vector<TestNode*> all = Raw(nodes);
  ASSERT_TRUE(hub.WaitUntil([&] { return Settled(all); }));

  TestNode& c = *nodes[2];
  PeerId c_on_a = 0, b_on_c = 0;
  hub.Locked([&] {
    c_on_a = a.events().PeerWith(c.public_key());
    b_on_c = c.events().PeerWith(b.public_key());
  });
  ASSERT_TRUE(a.transport().Send(c_on_a, 20, "welcome back"));
  ASSERT_TRUE(c.transport().Send(b_on_c, 21, "hello again"));
  ASSERT_TRUE(
      hub.WaitUntil([&] { return !c.events().messages.empty() && !b.events().messages.empty(); }));
  hub.Locked([&] {
    EXPECT_EQ(c.events().messages.front().payload, "welcome back");
    EXPECT_EQ(b.events().messages.front().payload, "hello again");
  });
}

TEST(TransportTest, SlowPeerMakesSendFailWithoutBlockingOrGrowingPastTheLimit) {
  constexpr std::size_t kQueueLimit = 1 << 20;
  Hub hub;
  TestNode server(hub, 1, [](TransportConfig& c) {
    c.max_frame_bytes = 256 << 10;
    c.max_queue_bytes = kQueueLimit;
  });
  const crypto::PrivateKey slow_key = test::TestKey(9);
  server.Allow(slow_key.public_key());
  ASSERT_TRUE(server.Start().ok());

  // Completes the handshake, then never reads again; a small receive window fills fast.
  TestPeer slow;
  ASSERT_FALSE(slow.Connect(server.port(), /*receive_buffer_bytes=*/4096));
  ASSERT_FALSE(slow.Upgrade());
  ASSERT_FALSE(slow.Authenticate(slow_key, kChain));
  PeerId slow_id = 0;
  ASSERT_TRUE(hub.WaitUntil(
      [&] { return (slow_id = server.events().PeerWith(slow_key.public_key())) != 0; }));

  // Send until the queue refuses, then keep going: the queue may drain a little as the kernel
  // takes more, but it never holds more than the limit, and no Send waits for the network.
  const std::string payload(64 << 10, 'x');
  auto slowest = std::chrono::steady_clock::duration::zero();
  std::size_t most_queued = 0;
  int accepted_before_refusal = -1;
  int refused = 0;
  for (int i = 0; i < 4000 && (refused == 0 || i < accepted_before_refusal + 200); ++i) {
    const auto start = std::chrono::steady_clock::now();
    const bool ok = server.transport().Send(slow_id, 16, payload);
    slowest = std::max(slowest, std::chrono::steady_clock::now() - start);
    if (!ok && refused++ == 0) accepted_before_refusal = i;
    const std::vector<Transport::PeerInfo> peers = server.transport().Peers();
    ASSERT_EQ(peers.size(), 1u);
    most_queued = std::max(most_queued, peers[0].queued_bytes);
  }
  // 4000 x 64 KiB is far beyond any socket buffer.
  ASSERT_GT(refused, 0) << "Send never refused";
  EXPECT_GE(accepted_before_refusal, static_cast<int>(kQueueLimit / payload.size()) - 1);
  EXPECT_LT(slowest, std::chrono::milliseconds(500));
  EXPECT_LE(most_queued, kQueueLimit);
  EXPECT_GT(most_queued, kQueueLimit - payload.size() - 1);
  EXPECT_EQ(server.transport().counters().send_drops, static_cast<std::uint64_t>(refused));
  ASSERT_TRUE(hub.WaitUntil([&] { return server.events().Logged("event=queue_full"); }));
}

TEST(TransportTest, StopClosesEverythingAndSilencesCallbacks) {
  Hub hub;
  const std::vector<std::uint16_t> ports = {test::PickFreePort(), test::PickFreePort()};
  auto nodes = MakeNetwork(hub, {1, 2}, ports);
  for (auto& node : nodes) ASSERT_TRUE(node->Start().ok());
  ASSERT_TRUE(hub.WaitUntil([&] { return Settled(Raw(nodes)); }));
  TestNode& a = *nodes[0];
  TestNode& b = *nodes[1];
  PeerId b_on_a = 0;
  hub.Locked([&] { b_on_a = a.events().PeerWith(b.public_key()); });

  const auto start = std::chrono::steady_clock::now();
  a.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  int a_events = 0;
  hub.Locked([&] {
    a_events =
        a.events().connects + a.events().disconnects + static_cast<int>(a.events().messages.size());
  });
  ASSERT_TRUE(hub.WaitUntil([&] { return b.events().connected.empty(); }));
  EXPECT_FALSE(a.transport().Send(b_on_a, 16, "after stop"));
  EXPECT_TRUE(a.transport().Peers().empty());
  a.Stop();  // idempotent
  hub.Locked([&] {
    EXPECT_EQ(
        a.events().connects + a.events().disconnects + static_cast<int>(a.events().messages.size()),
        a_events);
  });
  EXPECT_EQ(a.transport().Start().code(), "p2p_state");
}

TEST(TransportTest, ACallbackThatThrowsDoesNotBreakTheConnection) {
  Hub hub;
  const std::vector<std::uint16_t> ports = {test::PickFreePort(), test::PickFreePort()};
  auto nodes = MakeNetwork(hub, {1, 2}, ports);
  for (auto& node : nodes) ASSERT_TRUE(node->Start().ok());
  ASSERT_TRUE(hub.WaitUntil([&] { return Settled(Raw(nodes)); }));
  TestNode& a = *nodes[0];
  TestNode& b = *nodes[1];
  PeerId b_on_a = 0, a_on_b = 0;
  hub.Locked([&] {
    b_on_a = a.events().PeerWith(b.public_key());
    a_on_b = b.events().PeerWith(a.public_key());
  });
  ASSERT_TRUE(a.transport().Send(b_on_a, TestNode::kThrowingKind, "boom"));
  ASSERT_TRUE(a.transport().Send(b_on_a, 16, "still reading"));
  ASSERT_TRUE(hub.WaitUntil([&] { return b.events().messages.size() == 2; }));
  hub.Locked([&] {
    EXPECT_EQ(b.events().messages[1].payload, "still reading");
    EXPECT_TRUE(b.events().Logged("event=callback_threw callback=on_message"));
    EXPECT_EQ(b.events().PeerWith(a.public_key()), a_on_b);
  });
  ASSERT_TRUE(b.transport().Send(a_on_b, 16, "and writing"));
  ASSERT_TRUE(hub.WaitUntil([&] { return a.events().messages.size() == 1; }));
}

TEST(TransportTest, BadConfigAndListenErrorsAreReported) {
  const crypto::PrivateKey key = test::TestKey(1);
  const auto allow = [](const crypto::PublicKey&) { return true; };
  TransportConfig config;
  config.chain_id = std::string(kChain);
  {
    TransportConfig bad = config;
    bad.chain_id.clear();
    const auto created = Transport::Create(bad, &key, allow, {});
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.status().code(), "p2p_config");
    EXPECT_NE(created.status().message().find("chain_id"), std::string::npos);
  }
  {
    TransportConfig bad = config;
    bad.max_queue_bytes = bad.max_frame_bytes - 1;
    EXPECT_EQ(Transport::Create(bad, &key, allow, {}).status().code(), "p2p_config");
  }
  EXPECT_EQ(Transport::Create(config, nullptr, allow, {}).status().code(), "p2p_config");
  EXPECT_EQ(Transport::Create(config, &key, nullptr, {}).status().code(), "p2p_config");

  Hub hub;
  TestNode first(hub, 1);
  ASSERT_TRUE(first.Start().ok());
  TestNode second(hub, 2, [&](TransportConfig& c) { c.listen_port = first.port(); });
  const Status status = second.Start();
  EXPECT_EQ(status.code(), "p2p_listen");
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << status.ToString();
  EXPECT_EQ(first.Start().code(), "p2p_state");
}

}  // namespace
}  // namespace consentd::node::p2p
