#pragma once

// ReceiptCache: receipts for a server that hands out many. A committed block never changes, so
// the proof material of recently asked blocks (header, block hash, certificate, validator set,
// and every level of the Merkle tree over its leaves) is kept, and a receipt then costs one tx
// lookup and a walk up the cached tree instead of parsing the block record and rehashing all
// of its leaves. Customers ask for receipts of recent transactions, so the newest blocks are
// the hot ones. Bounded by bytes, least recently used out first.
//
// The receipts are byte for byte those of BuildReceipt (receipt.h); receipt_cache_test.cc
// checks that for every tx of blocks of many sizes.
//
// Thread-safe.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "ledger/ledger.h"

namespace consentd::ledger {

class ReceiptCache {
 public:
  explicit ReceiptCache(const Ledger* ledger, std::size_t max_bytes = 64 << 20);

  // The receipt of committed tx `tx_id` as canonical JSON text, or nullopt when it is not
  // committed. Spliced from the canonical text of its parts (the stored tx, and the header,
  // certificate and validator set kept in the cache), so serving one parses no JSON.
  Result<std::optional<std::string>> BuildText(const Hash256& tx_id);
  // The same receipt as a Json value.
  Result<std::optional<Json>> Build(const Hash256& tx_id);

  std::uint64_t hits() const;
  std::uint64_t misses() const;

  // RFC 9162 audit path of leaf `index` from the levels of a tree (levels[0]: leaf hashes;
  // each level pairs the one below left to right, an odd last node moving up unchanged).
  static std::vector<Hash256> PathFromLevels(const std::vector<std::vector<Hash256>>& levels,
                                             std::uint64_t index);
  static std::vector<std::vector<Hash256>> Levels(const std::vector<Hash256>& leaves);

 private:
  // Canonical JSON text of each part.
  struct Entry {
    std::string header;
    std::string block_hash;  // hex
    std::string certificate;
    std::string validators;
    std::vector<std::vector<Hash256>> levels;
    std::size_t bytes = 0;
  };
  Result<std::shared_ptr<const Entry>> Load(const ReadView& view, std::uint64_t height);

  const Ledger* ledger_;
  const std::size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<std::uint64_t> lru_;  // most recent first
  struct Slot {
    std::shared_ptr<const Entry> entry;
    std::list<std::uint64_t>::iterator at;
  };
  std::unordered_map<std::uint64_t, Slot> entries_;
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace consentd::ledger
