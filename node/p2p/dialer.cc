#include "node/p2p/dialer.h"

#include <chrono>
#include <utility>

#include "node/p2p/backoff.h"

namespace consentd::node::p2p {

Dialer::Dialer(boost::asio::io_context& ioc, const std::vector<PeerAddress>& addresses,
               std::int64_t backoff_initial_ms, std::int64_t backoff_max_ms, std::uint64_t seed,
               DialFn dial, IsConnectedFn is_connected)
    : backoff_initial_ms_(backoff_initial_ms),
      backoff_max_ms_(backoff_max_ms),
      dial_(std::move(dial)),
      is_connected_(std::move(is_connected)),
      rng_(seed) {
  slots_.reserve(addresses.size());
  for (const PeerAddress& address : addresses) slots_.emplace_back(ioc, address);
}

void Dialer::DialAll() {
  for (std::size_t i = 0; i < slots_.size(); ++i) Dial(i);
}

void Dialer::Stop() {
  stopped_ = true;
  for (Slot& slot : slots_) slot.timer.cancel();
}

void Dialer::LearnedKey(std::size_t index, const crypto::PublicKey& key) {
  slots_[index].learned_key = key;
}

void Dialer::Authenticated(std::size_t index) {
  slots_[index].failures = 0;
  slots_[index].failure_reported = false;
}

bool Dialer::FirstFailureSinceConnected(std::size_t index) {
  return !std::exchange(slots_[index].failure_reported, true);
}

void Dialer::Closed(std::size_t index, bool was_self) {
  Slot& slot = slots_[index];
  slot.conn = 0;
  if (was_self) {
    slot.self = true;
    return;
  }
  Schedule(index);
}

void Dialer::Wake(const crypto::PublicKey& key) {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (slot.dormant && slot.learned_key == key) {
      slot.dormant = false;
      slot.failures = 0;
      Schedule(i);
    }
  }
}

void Dialer::Dial(std::size_t index) {
  Slot& slot = slots_[index];
  if (stopped_ || slot.self || slot.conn != 0) return;
  if (slot.learned_key && is_connected_(*slot.learned_key)) {
    // Connected through a connection a dial of ours would not replace (transport: PeerTable::
    // Rests): wait until it drops.
    slot.dormant = true;
    slot.failures = 0;
    return;
  }
  slot.dormant = false;
  if (slot.dialled) reconnects_++;
  slot.dialled = true;
  slot.conn = dial_(index, slot.address);
  if (slot.conn == 0) Schedule(index);
}

void Dialer::Schedule(std::size_t index) {
  Slot& slot = slots_[index];
  if (stopped_ || slot.self) return;
  const std::int64_t delay =
      BackoffDelayMs(slot.failures, backoff_initial_ms_, backoff_max_ms_, rng_());
  if (slot.failures < 62) ++slot.failures;                     // the delay is capped long before
  slot.timer.expires_after(std::chrono::milliseconds(delay));  // cancels an earlier wait
  slot.timer.async_wait([this, index](const boost::system::error_code& ec) {
    if (!ec) Dial(index);
  });
}

}  // namespace consentd::node::p2p
