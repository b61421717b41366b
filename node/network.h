#pragma once

// What the consensus driver needs from the peer network; node/p2p's Transport provides it in
// the daemon, tests provide an in-memory one.

#include <cstdint>
#include <string>

namespace consentd::node {

using PeerId = std::uint64_t;

class Network {
 public:
  virtual ~Network() = default;
  // False when the frame could not be queued (peer gone, queue full). Thread-safe.
  virtual bool Send(PeerId peer, std::uint8_t kind, std::string payload) = 0;
  virtual void Broadcast(std::uint8_t kind, const std::string& payload) = 0;
};

}  // namespace consentd::node
