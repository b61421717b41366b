#pragma once

// Mempool: transactions waiting for a block. A tx enters only after its signatures were
// verified (Tx::Parse) and it executed successfully on top of the committed state plus every
// tx already waiting, in arrival order, so a client may submit a grant and its withdrawal back
// to back. Each tx is kept by its leaf hash, so block validation finds it already verified.
//
// Bounded by count and bytes; duplicates (by tx id) are refused; after each commit the block's
// txs leave, txs past their expires_at_height are evicted, and the rest are re-executed on the
// new head (those that no longer pass are dropped).
//
// Thread-safe: admission from HTTP and peer threads, candidates and updates from consensus.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/state/hot_cache.h"
#include "ledger/state/overlay.h"
#include "ledger/tx.h"

namespace consentd::node {

struct MempoolLimits {
  std::size_t max_txs = 50'000;
  std::size_t max_bytes = 128 << 20;
  // After a commit, re-execute at most this many waiting txs (the oldest); later ones keep the
  // verdict they were admitted with until their turn comes.
  std::size_t max_recheck = 5'000;
};

class Mempool {
 public:
  Mempool(ledger::Ledger* ledger, MempoolLimits limits);

  // Errors: "mempool_duplicate" (already waiting), "tx_duplicate" (already committed),
  // "mempool_full", and any state rule's reject code.
  Status Add(const ledger::TxPtr& tx, std::int64_t now_ms);

  ledger::TxPtr FindByLeaf(const Hash256& leaf) const;
  bool Contains(const Hash256& tx_id) const;
  // Waiting txs in arrival order, up to the limits.
  std::vector<ledger::TxPtr> Candidates(std::size_t max_txs, std::size_t max_bytes) const;
  // After a block committed: see the class comment. Returns the ids dropped as no longer valid.
  std::vector<Hash256> Update(const std::vector<ledger::TxPtr>& committed, std::int64_t now_ms);
  void Remove(const Hash256& tx_id);

  std::size_t size() const;
  std::size_t bytes() const;
  // Called (outside the lock) when the pool goes from empty to non-empty.
  void SetOnAvailable(std::function<void()> callback);

 private:
  struct Entry {
    ledger::TxPtr tx;
    std::uint64_t seq;
  };
  Status ExecutePendingLocked(const ledger::Tx& tx, std::int64_t now_ms);
  void RebaseLocked();
  void EraseLocked(const Hash256& tx_id);

  ledger::Ledger* ledger_;
  const MempoolLimits limits_;
  mutable std::mutex mu_;
  std::deque<Entry> order_;  // arrival order (entries of removed txs are skipped lazily)
  std::unordered_map<Hash256, ledger::TxPtr, Hash256Hasher> by_id_;
  std::unordered_map<Hash256, ledger::TxPtr, Hash256Hasher> by_leaf_;
  std::size_t bytes_ = 0;
  std::uint64_t next_seq_ = 0;
  // The committed state the pending overlay sits on, and the writes of the waiting txs.
  std::unique_ptr<ledger::ReadView> base_;
  std::unique_ptr<ledger::Overlay> pending_;
  ledger::HotCache cache_;
  std::uint64_t base_height_ = 0;
  std::function<void()> on_available_;
};

}  // namespace consentd::node
