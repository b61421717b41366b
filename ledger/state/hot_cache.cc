#include "ledger/state/hot_cache.h"

#include "ledger/state/keys.h"

namespace consentd::ledger {

bool HotCache::Covers(std::string_view key) {
  if (key.empty()) return false;
  switch (key[0]) {
    case keys::kMember:
    case keys::kNotice:
    case keys::kMemberKey:
    case keys::kValidatorKey:
      return true;
    default:
      return false;
  }
}

void HotCache::Invalidate(const WriteBatch& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, value] : batch) {
    if (!Covers(key)) continue;
    members_.erase(key);
    notices_.erase(key);
    raw_.erase(key);
  }
}

void HotCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  members_.clear();
  notices_.clear();
  raw_.clear();
}

}  // namespace consentd::ledger
