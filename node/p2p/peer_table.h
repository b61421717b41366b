#pragma once

// The authenticated connections, at most one per peer key, and the rule that decides which
// connection to keep when two join the same pair of keys (docs/P2P.md, "Duplicate
// connections"). Thread-safe: the io thread adds and removes; Send, Broadcast and Peers look up
// from any thread.

#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "crypto/schnorr.h"
#include "node/p2p/connection.h"
#include "node/p2p/transport.h"

namespace consentd::node::p2p {

class PeerTable {
 public:
  explicit PeerTable(const crypto::PublicKey& own_key) : own_key_(own_key) {}

  // Whether a new connection to `peer` (dialled by us when `outbound`) is kept rather than the
  // one registered for `peer`, if any. Both ends apply this to the same pair of connections and
  // so close the same one: keep the connection dialled by the smaller key; when one key dialled
  // both, keep the newer (that side restarted, or the old connection is half-open).
  bool WouldKeep(bool outbound, const crypto::PublicKey& peer) const;

  struct AddResult {
    bool added = false;                    // false: an existing connection is kept instead
    std::shared_ptr<Connection> replaced;  // the connection `conn` displaced, if any
  };
  // REQUIRES: conn->authenticated().
  AddResult Add(const std::shared_ptr<Connection>& conn);
  // Unregisters `conn`; false if it was not registered (never added, or replaced).
  bool Remove(const Connection& conn);
  void Clear();

  bool Has(const crypto::PublicKey& key) const;
  // Whether our dial slot for `peer` may rest: a connection to it is registered and a dial of
  // ours would not replace it (the connection is ours, or the peer's key is the smaller and so
  // its dial wins). A pair whose only connection was dialled by the larger key (it came back
  // first after a restart) thus still moves to the one the smaller key dials.
  bool Rests(const crypto::PublicKey& peer) const;
  std::shared_ptr<Connection> Find(PeerId id) const;
  std::vector<std::shared_ptr<Connection>> All() const;

 private:
  bool KeepNewLocked(bool outbound, const crypto::PublicKey& peer, const Connection& old) const;

  const crypto::PublicKey own_key_;
  mutable std::mutex mu_;
  std::map<PeerId, std::shared_ptr<Connection>> by_id_;   // guarded by mu_
  std::unordered_map<crypto::PublicKey, PeerId> by_key_;  // guarded by mu_
};

}  // namespace consentd::node::p2p
