#include "ledger/query/receipt_cache.h"

#include "common/hex.h"
#include "crypto/merkle.h"
#include "ledger/query/receipt.h"
#include "ledger/state/state.h"

namespace consentd::ledger {

ReceiptCache::ReceiptCache(const Ledger* ledger, std::size_t max_bytes)
    : ledger_(ledger), max_bytes_(max_bytes) {}

std::vector<std::vector<Hash256>> ReceiptCache::Levels(const std::vector<Hash256>& leaves) {
  std::vector<std::vector<Hash256>> levels(1);
  levels[0].reserve(leaves.size());
  for (const Hash256& leaf : leaves) levels[0].push_back(crypto::MerkleLeafHash(leaf));
  while (levels.back().size() > 1) {
    const std::vector<Hash256>& below = levels.back();
    std::vector<Hash256> up;
    up.reserve((below.size() + 1) / 2);
    for (std::size_t i = 0; i + 1 < below.size(); i += 2) {
      up.push_back(crypto::MerkleNodeHash(below[i], below[i + 1]));
    }
    if (below.size() % 2 == 1) up.push_back(below.back());
    levels.push_back(std::move(up));
  }
  return levels;
}

std::vector<Hash256> ReceiptCache::PathFromLevels(const std::vector<std::vector<Hash256>>& levels,
                                                  std::uint64_t index) {
  std::vector<Hash256> path;
  for (std::size_t l = 0; l + 1 < levels.size(); ++l) {
    const std::uint64_t sibling = index ^ 1;
    if (sibling < levels[l].size()) path.push_back(levels[l][sibling]);
    index >>= 1;
  }
  return path;
}

Result<std::shared_ptr<const ReceiptCache::Entry>> ReceiptCache::Load(const ReadView& view,
                                                                      std::uint64_t height) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(height);
    if (it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.at);
      ++hits_;
      return it->second.entry;
    }
    ++misses_;
  }
  CONSENTD_ASSIGN_OR_RETURN(auto block, Ledger::ReadBlock(view, height));
  if (!block) return std::shared_ptr<const Entry>();
  CONSENTD_ASSIGN_OR_RETURN(consensus::ValidatorSet set, ledger_->ValidatorsFor(height));
  auto entry = std::make_shared<Entry>();
  entry->header = block->header.ToJson();
  entry->block_hash = HexEncode(block->header.Hash());
  entry->certificate = block->certificate.ToJson();
  entry->validators = set.ToJson();
  entry->levels = Levels(block->leaves);
  entry->bytes = 4096;
  for (const auto& level : entry->levels) entry->bytes += level.size() * sizeof(Hash256);

  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.count(height) == 0 && entry->bytes <= max_bytes_) {
    lru_.push_front(height);
    entries_[height] = Slot{entry, lru_.begin()};
    bytes_ += entry->bytes;
    while (bytes_ > max_bytes_) {
      auto last = entries_.find(lru_.back());
      bytes_ -= last->second.entry->bytes;
      entries_.erase(last);
      lru_.pop_back();
    }
  }
  return std::shared_ptr<const Entry>(std::move(entry));
}

Result<std::optional<Json>> ReceiptCache::Build(const Hash256& tx_id) {
  auto view = std::shared_ptr<const ReadView>(ledger_->Snapshot());
  StateReader state(*view);
  CONSENTD_ASSIGN_OR_RETURN(auto loc, state.Tx(tx_id));
  if (!loc) return std::optional<Json>();
  CONSENTD_ASSIGN_OR_RETURN(auto entry, Load(*view, loc->height));
  if (!entry) return std::optional<Json>();  // committed in a batch not yet visible
  const std::uint64_t size = entry->levels[0].size();
  if (loc->index >= size) return Status::Error("store_corruption", "tx index beyond its block");
  auto tx = ParseJson(loc->canonical);
  if (!tx.ok()) return Status::Error("store_corruption", "unreadable committed tx");
  Json path = Json::array();
  for (const Hash256& p : PathFromLevels(entry->levels, loc->index)) path.push_back(HexEncode(p));
  return std::optional<Json>(
      Json{{"version", kReceiptVersion},
           {"chain_id", ledger_->genesis().chain_id},
           {"tx", std::move(*tx)},
           {"tx_id", HexEncode(tx_id)},
           {"proof", {{"index", loc->index}, {"tree_size", size}, {"path", std::move(path)}}},
           {"header", entry->header},
           {"block_hash", entry->block_hash},
           {"certificate", entry->certificate},
           {"validators", entry->validators}});
}

std::uint64_t ReceiptCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

std::uint64_t ReceiptCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

}  // namespace consentd::ledger
