#pragma once

// Dials the configured peer addresses and redials them. One slot per address: after its
// connection ends or fails, a slot waits a backoff delay (node/p2p/backoff.h) and dials again,
// except while the key it leads to is connected through another connection (the slot is
// dormant until that key drops) or when it leads to ourselves (never dialled again).
// io thread only, except reconnects().

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <vector>

#include "crypto/schnorr.h"
#include "node/p2p/transport.h"

namespace consentd::node::p2p {

class Dialer {
 public:
  // Opens a connection for slot `index` to `address`: its id, or 0 if none could be opened.
  using DialFn = std::function<PeerId(std::size_t index, const PeerAddress& address)>;
  using IsConnectedFn = std::function<bool(const crypto::PublicKey& key)>;

  Dialer(boost::asio::io_context& ioc, const std::vector<PeerAddress>& addresses,
         std::int64_t backoff_initial_ms, std::int64_t backoff_max_ms, std::uint64_t seed,
         DialFn dial, IsConnectedFn is_connected);
  Dialer(const Dialer&) = delete;
  Dialer& operator=(const Dialer&) = delete;

  std::size_t size() const { return slots_.size(); }
  void DialAll();
  // Cancels the timers; dials no more.
  void Stop();

  // Events of the connection opened for slot `index`.
  void LearnedKey(std::size_t index, const crypto::PublicKey& key);  // from the peer's Hello
  void Authenticated(std::size_t index);
  void Closed(std::size_t index, bool was_self);
  // `key` has no connection any more: the slots that lead to it dial again.
  void Wake(const crypto::PublicKey& key);

  int failures(std::size_t index) const { return slots_[index].failures; }
  // True the first time it is asked after start or after the slot last authenticated: the
  // transport logs that failure at info and the ones that follow at debug.
  bool FirstFailureSinceConnected(std::size_t index);
  // Dials of an address after its first one. Thread-safe.
  std::uint64_t reconnects() const { return reconnects_.load(); }

 private:
  struct Slot {
    Slot(boost::asio::io_context& ioc, PeerAddress a) : address(std::move(a)), timer(ioc) {}
    PeerAddress address;
    boost::asio::steady_timer timer;
    std::optional<crypto::PublicKey> learned_key;  // from the last Hello on this address
    int failures = 0;      // dials since the last authenticated one; drives the backoff
    bool dialled = false;  // later dials count as reconnects
    PeerId conn = 0;       // the live connection of this slot, 0 if none
    bool dormant = false;  // waiting for its key to drop
    bool self = false;     // our own listener
    bool failure_reported = false;
  };

  void Dial(std::size_t index);
  void Schedule(std::size_t index);

  const std::int64_t backoff_initial_ms_;
  const std::int64_t backoff_max_ms_;
  const DialFn dial_;
  const IsConnectedFn is_connected_;
  std::mt19937_64 rng_;
  std::vector<Slot> slots_;
  bool stopped_ = false;
  std::atomic<std::uint64_t> reconnects_{0};
};

}  // namespace consentd::node::p2p
