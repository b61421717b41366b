#include "node/p2p/peer_table.h"

namespace consentd::node::p2p {

bool PeerTable::KeepNewLocked(bool outbound, const crypto::PublicKey& peer,
                              const Connection& old) const {
  const crypto::PublicKey& new_dialer = outbound ? own_key_ : peer;
  const crypto::PublicKey& old_dialer = old.outbound() ? own_key_ : *old.peer_key();
  if (new_dialer != old_dialer) return new_dialer < old_dialer;
  return true;
}

bool PeerTable::WouldKeep(bool outbound, const crypto::PublicKey& peer) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = by_key_.find(peer);
  return it == by_key_.end() || KeepNewLocked(outbound, peer, *by_id_.at(it->second));
}

PeerTable::AddResult PeerTable::Add(const std::shared_ptr<Connection>& conn) {
  const crypto::PublicKey& key = *conn->peer_key();
  AddResult result;
  std::lock_guard<std::mutex> lock(mu_);
  if (const auto it = by_key_.find(key); it != by_key_.end()) {
    const auto old = by_id_.find(it->second);
    if (!KeepNewLocked(conn->outbound(), key, *old->second)) return result;
    result.replaced = std::move(old->second);
    by_id_.erase(old);
  }
  by_id_.emplace(conn->id(), conn);
  by_key_.insert_or_assign(key, conn->id());
  result.added = true;
  return result;
}

bool PeerTable::Remove(const Connection& conn) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = by_id_.find(conn.id());
  if (it == by_id_.end()) return false;
  by_id_.erase(it);
  const auto k = by_key_.find(*conn.peer_key());
  if (k != by_key_.end() && k->second == conn.id()) by_key_.erase(k);
  return true;
}

void PeerTable::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  by_id_.clear();
  by_key_.clear();
}

bool PeerTable::Has(const crypto::PublicKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_key_.contains(key);
}

bool PeerTable::Rests(const crypto::PublicKey& peer) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = by_key_.find(peer);
  if (it == by_key_.end()) return false;
  return by_id_.at(it->second)->outbound() || peer < own_key_;
}

std::shared_ptr<Connection> PeerTable::Find(PeerId id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Connection>> PeerTable::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Connection>> out;
  out.reserve(by_id_.size());
  for (const auto& [id, conn] : by_id_) out.push_back(conn);
  return out;
}

}  // namespace consentd::node::p2p
