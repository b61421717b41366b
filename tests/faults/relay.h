#pragma once

// Relays: the controllable TCP links between the validators of a fault test. Every node dials
// its peers through a relay of its own (one per ordered pair: node `from` dialling node `to`),
// so the test decides, per direction, whether bytes pass and how late they arrive:
//
//   Cut(a, b)        bytes from a to b are dropped, on every connection between them, whichever
//                    side dialled (a one-way cut; Cut both ways for a partition);
//   SetDelay(a, b)   bytes from a to b are held for that long (order kept): a slow link.
//
// A change to a link closes the connections carrying it, so a healed link starts from clean
// streams (the nodes reconnect by themselves); while both directions are cut, new connections
// are accepted and closed at once. One I/O thread (Boost.Asio) runs every relay; the control
// methods may be called from any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace consentd::faults {

class Relays {
 public:
  explicit Relays(int nodes);
  ~Relays();
  Relays(const Relays&) = delete;
  Relays& operator=(const Relays&) = delete;

  // Listens on an ephemeral 127.0.0.1 port for node `from`'s connections to node `to`, whose
  // peer port is `target_port`. Returns the relay's port (0 if it could not listen).
  int Add(int from, int to, int target_port);

  void Cut(int from, int to);
  void Heal(int from, int to);
  void SetDelay(int from, int to, int delay_ms);
  // Cuts or heals every link of `node`, both ways.
  void Isolate(int node);
  // Every link passes again, without delay.
  void HealAll();

  bool IsCut(int from, int to) const;
  std::uint64_t bytes_forwarded() const { return forwarded_; }
  std::uint64_t bytes_dropped() const { return dropped_; }
  std::uint64_t connections() const { return connections_; }

 private:
  class Impl;
  struct Link {
    std::atomic<bool> cut{false};
    std::atomic<int> delay_ms{0};
  };
  Link& link(int from, int to) const { return links_[from * nodes_ + to]; }
  // Closes the connections of relays (a, b) and (b, a).
  void Reset(int a, int b);

  int nodes_;
  std::unique_ptr<Link[]> links_;
  std::atomic<std::uint64_t> forwarded_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentd::faults
