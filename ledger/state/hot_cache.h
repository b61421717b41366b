#pragma once

// HotCache: parsed copies of committed records that almost every transaction reads and few
// change: members (M), notices (N) and the key -> member indexes (K, W). Executing a block
// then parses each of them once instead of once per transaction.
//
// Only committed data goes in: StateReader consults the cache only for keys that no overlay in
// its chain has written, and the ledger drops every key a commit writes. The ledger uses it
// from the consensus thread alone (BuildBlock, ExecuteBlock, Commit); the mutex only protects
// against accidental concurrent use.

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "ledger/state/records.h"
#include "ledger/store/store.h"

namespace consentd::ledger {

class HotCache {
 public:
  // Whether values under `key` are kept here.
  static bool Covers(std::string_view key);

  // Each returns the cached value, or calls `load` (returning Result<std::optional<T>>) and
  // caches what it found (absence included; errors are not cached).
  template <typename Load>
  Result<std::optional<MemberRecord>> Member(const std::string& key, Load&& load) {
    return Lookup(mu_, members_, key, load);
  }
  template <typename Load>
  Result<std::optional<NoticeRecord>> Notice(const std::string& key, Load&& load) {
    return Lookup(mu_, notices_, key, load);
  }
  template <typename Load>
  Result<std::optional<std::string>> Raw(const std::string& key, Load&& load) {
    return Lookup(mu_, raw_, key, load);
  }

  // Forgets every covered key the batch writes.
  void Invalidate(const WriteBatch& batch);
  void Clear();

 private:
  static constexpr std::size_t kMaxEntries = 100'000;
  template <typename Map, typename Load>
  static auto Lookup(std::mutex& mu, Map& map, const std::string& key, Load&& load)
      -> decltype(load());

  std::mutex mu_;
  std::unordered_map<std::string, std::optional<MemberRecord>> members_;
  std::unordered_map<std::string, std::optional<NoticeRecord>> notices_;
  std::unordered_map<std::string, std::optional<std::string>> raw_;
};

// `load` returns Result<std::optional<T>>; errors are returned and not cached.
template <typename Map, typename Load>
auto HotCache::Lookup(std::mutex& mu, Map& map, const std::string& key, Load&& load)
    -> decltype(load()) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = map.find(key); it != map.end()) return decltype(load())(it->second);
  }
  auto loaded = load();
  if (loaded.ok()) {
    std::lock_guard<std::mutex> lock(mu);
    if (map.size() >= kMaxEntries) map.clear();
    map.emplace(key, *loaded);
  }
  return loaded;
}

}  // namespace consentd::ledger
