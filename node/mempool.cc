#include "node/mempool.h"

#include <algorithm>

#include "common/hex.h"
#include "ledger/exec/context.h"
#include "ledger/state/keys.h"

namespace consentd::node {

Mempool::Mempool(ledger::Ledger* ledger, MempoolLimits limits) : ledger_(ledger), limits_(limits) {
  std::lock_guard<std::mutex> lock(mu_);
  RebaseLocked();
}

void Mempool::SetOnAvailable(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(mu_);
  on_available_ = std::move(callback);
}

void Mempool::RebaseLocked() {
  pending_.reset();
  base_ = ledger_->Snapshot();
  pending_ = std::make_unique<ledger::Overlay>(base_.get());
  base_height_ = ledger_->head().height;
  blocks_since_rebase_ = 0;
  cache_.Clear();
}

void Mempool::MoveBaseLocked() {
  std::unique_ptr<ledger::ReadView> next = ledger_->Snapshot();
  pending_->MoveTo(next.get());
  base_ = std::move(next);
  base_height_ = ledger_->head().height;
  ++blocks_since_rebase_;
}

void Mempool::RememberCommittedLocked(const Hash256& leaf) {
  verified_.erase(leaf);
  if (!committed_.insert(leaf).second) return;
  committed_order_.push_back(leaf);
  while (committed_order_.size() > limits_.max_committed) {
    committed_.erase(committed_order_.front());
    committed_order_.pop_front();
  }
}

Status Mempool::ExecutePendingLocked(const ledger::Tx& tx, std::int64_t now_ms) {
  const ledger::Head head = ledger_->head();
  ledger::Overlay tx_overlay(static_cast<const ledger::Overlay*>(pending_.get()));
  ledger::StateWriter w(tx_overlay, &cache_);
  ledger::exec::ExecContext ctx{ledger_->genesis(),
                                head.height + 1,
                                std::max(now_ms, head.time_ms + 1),
                                static_cast<std::uint32_t>(by_id_.size()),
                                tx,
                                w};
  CONSENTD_RETURN_IF_ERROR(ledger::exec::Execute(ctx));
  pending_->Absorb(std::move(tx_overlay));
  return Status::Ok();
}

Status Mempool::Add(const ledger::TxPtr& tx, std::int64_t now_ms) {
  return AddAndNotify(tx, now_ms, /*relayed=*/false);
}

Status Mempool::AddRelayed(const ledger::TxPtr& tx, std::int64_t now_ms) {
  return AddAndNotify(tx, now_ms, /*relayed=*/true);
}

Status Mempool::AddAndNotify(const ledger::TxPtr& tx, std::int64_t now_ms, bool relayed) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool was_empty = false;
    CONSENTD_RETURN_IF_ERROR(AddLocked(tx, now_ms, relayed, &was_empty));
    if (was_empty) notify = on_available_;
  }
  if (notify) notify();
  return Status::Ok();
}

Status Mempool::AddLocked(const ledger::TxPtr& tx, std::int64_t now_ms, bool relayed,
                          bool* was_empty) {
  if (by_id_.count(tx->id()) > 0) {
    // A block holding it may have committed a moment ago, before Update() has run: then the
    // client is told what is now true.
    if (base_height_ != ledger_->head().height) {
      Status committed = ledger_->CheckTx(*tx, now_ms);
      if (committed.reason() == Reason::kTxDuplicate) return committed;
    }
    return Status::Error(Reason::kMempoolDuplicate,
                         "transaction " + HexEncode(tx->id()) + " is already waiting");
  }
  if (by_id_.size() >= limits_.max_txs || bytes_ + tx->canonical().size() > limits_.max_bytes) {
    return Status::Error(Reason::kMempoolFull, "the mempool is full; retry later");
  }
  // A commit whose Update() has not run yet leaves the base one block behind, which is fine
  // for admission; a larger gap means commits bypassed Update().
  if (ledger_->head().height > base_height_ + 1) RebaseLocked();
  if (relayed) {
    // No store read: a tx committed longer ago than this pool remembers fails in the block.
    if (committed_.count(tx->leaf()) > 0) {
      return Status::Error(Reason::kTxDuplicate,
                           "transaction " + HexEncode(tx->id()) + " is already committed");
    }
    CONSENTD_RETURN_IF_ERROR(
        ledger::exec::CheckExpiry(ledger_->genesis(), ledger_->head().height + 1, *tx));
    unexecuted_.insert(tx->id());
  } else {
    Status st = ExecutePendingLocked(*tx, now_ms);
    if (!st.ok() && !unexecuted_.empty() && !ledger::exec::IsInternalError(st)) {
      ExecuteRelayedLocked(now_ms);
      st = ExecutePendingLocked(*tx, now_ms);
    }
    CONSENTD_RETURN_IF_ERROR(st);
  }
  *was_empty = by_id_.empty();
  order_.push_back(Entry{tx, next_seq_++});
  by_id_.emplace(tx->id(), tx);
  by_leaf_.emplace(tx->leaf(), tx);
  bytes_ += tx->canonical().size();
  return Status::Ok();
}

void Mempool::ExecuteRelayedLocked(std::int64_t now_ms) {
  for (const Entry& e : order_) {
    if (unexecuted_.empty()) break;
    if (unexecuted_.erase(e.tx->id()) == 0) continue;  // executed, or no longer waiting
    Status st = ExecutePendingLocked(*e.tx, now_ms);
    if (!st.ok() && !ledger::exec::IsInternalError(st)) EraseLocked(e.tx->id());
  }
}

ledger::TxPtr Mempool::FindByLeaf(const Hash256& leaf) const {
  ledger::TxPtr tx;
  Recall(leaf, &tx);
  return tx;
}

Mempool::Seen Mempool::Recall(const Hash256& leaf, ledger::TxPtr* tx) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = by_leaf_.find(leaf); it != by_leaf_.end()) {
    if (tx != nullptr) *tx = it->second;
    return Seen::kWaiting;
  }
  if (committed_.count(leaf) > 0) return Seen::kCommitted;
  if (auto it = verified_.find(leaf); it != verified_.end()) {
    if (tx != nullptr) *tx = it->second;
    return Seen::kVerified;
  }
  return Seen::kNo;
}

void Mempool::RememberVerified(const std::vector<ledger::TxPtr>& txs) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const ledger::TxPtr& tx : txs) {
    const Hash256& leaf = tx->leaf();
    if (by_leaf_.count(leaf) > 0 || committed_.count(leaf) > 0) continue;
    if (!verified_.emplace(leaf, tx).second) continue;
    verified_order_.push_back(leaf);
  }
  // Evict the oldest; entries already gone (committed since) just leave the queue.
  while (verified_order_.size() > limits_.max_verified) {
    verified_.erase(verified_order_.front());
    verified_order_.pop_front();
  }
}

bool Mempool::Contains(const Hash256& tx_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.count(tx_id) > 0;
}

std::vector<ledger::TxPtr> Mempool::Candidates(std::size_t max_txs, std::size_t max_bytes) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ledger::TxPtr> out;
  std::size_t bytes = 0;
  for (const Entry& e : order_) {
    if (out.size() >= max_txs) break;
    if (by_id_.count(e.tx->id()) == 0) continue;  // removed
    if (bytes + e.tx->canonical().size() > max_bytes) break;
    bytes += e.tx->canonical().size();
    out.push_back(e.tx);
  }
  return out;
}

void Mempool::EraseLocked(const Hash256& tx_id) {
  auto it = by_id_.find(tx_id);
  if (it == by_id_.end()) return;
  bytes_ -= it->second->canonical().size();
  by_leaf_.erase(it->second->leaf());
  unexecuted_.erase(tx_id);
  by_id_.erase(it);
}

void Mempool::Remove(const Hash256& tx_id) {
  std::lock_guard<std::mutex> lock(mu_);
  EraseLocked(tx_id);
}

std::vector<Hash256> Mempool::Update(const std::vector<ledger::TxPtr>& committed,
                                     std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  bool all_waiting = true;
  for (const ledger::TxPtr& tx : committed) {
    all_waiting = all_waiting && by_id_.count(tx->id()) > 0;
    EraseLocked(tx->id());
    RememberCommittedLocked(tx->leaf());
  }
  // The pending writes stay valid on the new head when the block only did what this pool had
  // already executed (its txs all came from here). Otherwise re-execute the waiting txs.
  const std::uint64_t head = ledger_->head().height;
  const bool recheck = !all_waiting || head != base_height_ + 1 || by_id_.empty() ||
                       blocks_since_rebase_ + 1 >= limits_.rebase_every;
  if (recheck) {
    RebaseLocked();
  } else {
    MoveBaseLocked();
  }
  // Compact the arrival queue, evict expired txs and re-execute the oldest waiting ones.
  std::deque<Entry> kept;
  std::vector<Hash256> dropped;
  const std::uint64_t next_height = head + 1;
  std::size_t rechecked = 0;
  for (Entry& e : order_) {
    if (by_id_.count(e.tx->id()) == 0) continue;
    if (e.tx->expires_at_height() < next_height) {
      dropped.push_back(e.tx->id());
      EraseLocked(e.tx->id());
      continue;
    }
    if (recheck && rechecked < limits_.max_recheck && unexecuted_.count(e.tx->id()) == 0) {
      ++rechecked;
      Status st = ExecutePendingLocked(*e.tx, now_ms);
      if (!st.ok() && !ledger::exec::IsInternalError(st)) {
        dropped.push_back(e.tx->id());
        EraseLocked(e.tx->id());
        continue;
      }
    }
    kept.push_back(std::move(e));
  }
  order_ = std::move(kept);
  return dropped;
}

std::size_t Mempool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}

std::size_t Mempool::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace consentd::node
