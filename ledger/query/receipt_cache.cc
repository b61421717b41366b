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
  entry->header = CanonicalJson(block->header.ToJson());
  entry->block_hash = HexEncode(block->header.Hash());
  entry->certificate = CanonicalJson(block->certificate.ToJson());
  entry->validators = CanonicalJson(set.ToJson());
  entry->levels = Levels(block->leaves);
  entry->bytes = 1024 + entry->header.size() + entry->certificate.size() + entry->validators.size();
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

Result<std::optional<std::string>> ReceiptCache::BuildText(const Hash256& tx_id) {
  std::shared_ptr<const ReadView> view = ledger_->latest().view;
  StateReader state(*view);
  CONSENTD_ASSIGN_OR_RETURN(auto loc, state.Tx(tx_id));
  if (!loc) return std::optional<std::string>();
  CONSENTD_ASSIGN_OR_RETURN(auto entry, Load(*view, loc->height));
  if (!entry) return std::optional<std::string>();  // committed in a batch not yet visible
  const std::uint64_t size = entry->levels[0].size();
  if (loc->index >= size)
    return Status::Error(Reason::kStoreCorruption, "tx index beyond its block");
  // The members in canonical (sorted) order; the stored tx is canonical text already.
  std::string out;
  out.reserve(1024 + loc->canonical.size() + entry->header.size() + entry->certificate.size() +
              entry->validators.size());
  out += "{\"block_hash\":\"";
  out += entry->block_hash;
  out += "\",\"certificate\":";
  out += entry->certificate;
  out += ",\"chain_id\":";
  AppendCanonicalJson(Json(ledger_->genesis().chain_id), &out);
  out += ",\"header\":";
  out += entry->header;
  out += ",\"proof\":{\"index\":";
  out += std::to_string(loc->index);
  out += ",\"path\":[";
  bool first = true;
  for (const Hash256& p : PathFromLevels(entry->levels, loc->index)) {
    out += first ? "\"" : ",\"";
    out += HexEncode(p);
    out += '"';
    first = false;
  }
  out += "],\"tree_size\":";
  out += std::to_string(size);
  out += "},\"tx\":";
  out += loc->canonical;
  out += ",\"tx_id\":\"";
  out += HexEncode(tx_id);
  out += "\",\"validators\":";
  out += entry->validators;
  out += ",\"version\":";
  out += std::to_string(kReceiptVersion);
  out += '}';
  return std::optional<std::string>(std::move(out));
}

Result<std::optional<Json>> ReceiptCache::Build(const Hash256& tx_id) {
  CONSENTD_ASSIGN_OR_RETURN(auto text, BuildText(tx_id));
  if (!text) return std::optional<Json>();
  auto json = ParseJson(*text);
  if (!json.ok()) return Status::Error(Reason::kStoreCorruption, "unreadable committed tx");
  return std::optional<Json>(std::move(*json));
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
