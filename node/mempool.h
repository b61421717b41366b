#pragma once

// Mempool: transactions waiting for a block. A tx enters only after its signatures were
// verified (Tx::Parse). A tx submitted to this node (Add) must also execute successfully on
// top of the committed state plus the waiting txs this pool executed, in arrival order, so a
// client may submit a grant and its withdrawal back to back. A tx relayed by a peer
// (AddRelayed) waits unexecuted: its origin node executed it, and the block that carries it
// executes it again (a proposer's BuildBlock drops it then if it fails). When a submitted tx
// fails, the relayed txs still unexecuted are executed first, in arrival order, and it is
// tried once more: a withdrawal sent here right after its grant was sent to another node
// passes. Each tx is kept by its leaf hash, so block validation finds it already verified.
//
// Bounded by count and bytes; duplicates (by tx id) are refused; after each commit the block's
// txs leave and txs past their expires_at_height are evicted. When every tx of the block was
// waiting here, the pending writes simply move onto the new head (the block did what this pool
// had already executed); otherwise, and every `rebase_every` blocks, the waiting txs are
// re-executed on the new head and those that no longer pass are dropped.
//
// It also remembers, by leaf hash, txs committed lately and txs verified in a proposal but not
// waiting here, so that a tx arriving again (gossip after the block that carried it) is neither
// parsed nor verified a second time.
//
// Thread-safe: admission from HTTP and peer threads, candidates and updates from consensus.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
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
  // Re-execute the waiting txs at least every this many blocks even when nothing forced it.
  std::uint64_t rebase_every = 32;
  // How many verified-but-not-waiting txs and committed leaf hashes are remembered.
  std::size_t max_verified = 20'000;
  std::size_t max_committed = 200'000;
};

class Mempool {
 public:
  Mempool(ledger::Ledger* ledger, MempoolLimits limits);

  // Errors: "mempool_duplicate" (already waiting), "tx_duplicate" (already committed),
  // "mempool_full", and any state rule's reject code.
  Status Add(const ledger::TxPtr& tx, std::int64_t now_ms);
  // A tx relayed by a peer: admitted unexecuted (see the class comment). Checked: expiry,
  // duplicates (waiting, or committed lately: no store read) and the limits. Errors:
  // "mempool_duplicate", "tx_duplicate", "tx_expired", "tx_expiry_too_far", "mempool_full".
  Status AddRelayed(const ledger::TxPtr& tx, std::int64_t now_ms);

  // A waiting tx, or one remembered as verified, by its leaf hash.
  ledger::TxPtr FindByLeaf(const Hash256& leaf) const;
  // What this node knows of the tx with leaf hash `leaf`; for kWaiting and kVerified, `tx`
  // receives it.
  enum class Seen { kNo, kWaiting, kCommitted, kVerified };
  Seen Recall(const Hash256& leaf, ledger::TxPtr* tx = nullptr) const;
  // Txs whose signatures were verified elsewhere (a proposal's txs): remembered, bounded.
  void RememberVerified(const std::vector<ledger::TxPtr>& txs);
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
  Status AddAndNotify(const ledger::TxPtr& tx, std::int64_t now_ms, bool relayed);
  Status AddLocked(const ledger::TxPtr& tx, std::int64_t now_ms, bool relayed, bool* was_empty);
  Status ExecutePendingLocked(const ledger::Tx& tx, std::int64_t now_ms);
  // Executes the waiting relayed txs not executed yet, in arrival order; drops those that fail.
  void ExecuteRelayedLocked(std::int64_t now_ms);
  void RebaseLocked();
  void MoveBaseLocked();
  void RememberCommittedLocked(const Hash256& leaf);
  void EraseLocked(const Hash256& tx_id);

  ledger::Ledger* ledger_;
  const MempoolLimits limits_;
  mutable std::mutex mu_;
  std::deque<Entry> order_;  // arrival order (entries of removed txs are skipped lazily)
  std::unordered_map<Hash256, ledger::TxPtr, Hash256Hasher> by_id_;
  std::unordered_map<Hash256, ledger::TxPtr, Hash256Hasher> by_leaf_;
  std::unordered_set<Hash256, Hash256Hasher> unexecuted_;  // relayed txs, by id
  std::size_t bytes_ = 0;
  std::uint64_t next_seq_ = 0;
  // The committed state the pending overlay sits on, and the writes of the waiting txs.
  std::unique_ptr<ledger::ReadView> base_;
  std::unique_ptr<ledger::Overlay> pending_;
  ledger::HotCache cache_;
  std::uint64_t base_height_ = 0;
  std::uint64_t blocks_since_rebase_ = 0;
  std::function<void()> on_available_;
  // Remembered leaves, each with its arrival order for eviction (oldest first).
  std::unordered_map<Hash256, ledger::TxPtr, Hash256Hasher> verified_;
  std::deque<Hash256> verified_order_;
  std::unordered_set<Hash256, Hash256Hasher> committed_;
  std::deque<Hash256> committed_order_;
};

}  // namespace consentd::node
