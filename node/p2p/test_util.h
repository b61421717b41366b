#pragma once

// Helpers for the transport tests (test-only): deterministic keys, free loopback ports, and
// TestNode, a transport on 127.0.0.1 whose callbacks and log lines are recorded in a Hub that
// tests wait on. Waits are bounded; the bound is a failure timeout, never a synchronisation
// delay.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/schnorr.h"
#include "node/p2p/transport.h"

namespace consentd::node::p2p::test {

inline constexpr std::chrono::milliseconds kWait{20000};
inline constexpr std::string_view kChain = "consentd-test";

crypto::PrivateKey TestKey(std::uint8_t seed);
// A port that was free a moment ago (bound and released), for configs that must name peers
// before they listen.
std::uint16_t PickFreePort();

// Shared by every node of a test: one mutex guards all recorded state, every event notifies.
class Hub {
 public:
  // Waits until `pred` holds (called with the lock held); false after `timeout`.
  bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = kWait);
  // Runs `f` with the lock held.
  template <typename F>
  auto Locked(F f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f();
  }

 private:
  friend class TestNode;
  std::mutex mu_;
  std::condition_variable cv_;
};

struct Message {
  PeerId peer;
  std::uint8_t kind;
  std::string payload;
};

// What one node saw. Guarded by its Hub.
struct Events {
  std::map<PeerId, crypto::PublicKey> connected;  // currently connected
  int connects = 0;
  int disconnects = 0;
  std::vector<Message> messages;
  std::vector<std::string> log;

  bool Logged(std::string_view needle) const;
  int CountLogged(std::string_view needle) const;
  std::set<crypto::PublicKey> ConnectedKeys() const;
  // The connected peer id with `key`, or 0.
  PeerId PeerWith(const crypto::PublicKey& key) const;
};

class TestNode {
 public:
  // on_message throws (after recording the message) for frames of this kind.
  static constexpr std::uint8_t kThrowingKind = 99;

  // A transport on 127.0.0.1 with the test defaults (fast backoff, chain kChain), the given
  // key, allowing exactly the keys passed to Allow. `tweak` edits the config before Create.
  TestNode(Hub& hub, std::uint8_t key_seed,
           const std::function<void(TransportConfig&)>& tweak = {});
  ~TestNode();

  void Allow(const crypto::PublicKey& key);
  Status Start() { return transport_->Start(); }
  void Stop() { transport_->Stop(); }

  Transport& transport() { return *transport_; }
  const crypto::PrivateKey& key() const { return key_; }
  const crypto::PublicKey& public_key() const { return key_.public_key(); }
  std::uint16_t port() const { return transport_->listen_port(); }
  PeerAddress address() const { return {"127.0.0.1", port()}; }
  // REQUIRES: hub lock held (inside WaitUntil / Locked).
  const Events& events() const { return events_; }

 private:
  Hub& hub_;
  const crypto::PrivateKey key_;
  std::mutex allowed_mu_;
  std::set<crypto::PublicKey> allowed_;  // guarded by allowed_mu_
  Events events_;                        // guarded by hub_.mu_
  std::unique_ptr<Transport> transport_;
};

}  // namespace consentd::node::p2p::test
