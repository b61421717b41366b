// In-memory Store for tests: an immutable std::map behind a shared_ptr, replaced on every
// Write (copy-on-write). Snapshots and cursors hold the version they started with, so readers
// never see a partial batch and never block writers.

#include <mutex>

#include "ledger/store/store.h"

namespace consentd::ledger {
namespace {

using Map = std::map<std::string, std::string, std::less<>>;
using MapPtr = std::shared_ptr<const Map>;

class MapCursor final : public Cursor {
 public:
  MapCursor(MapPtr map, std::string_view prefix, std::string_view start)
      : map_(std::move(map)), prefix_(prefix) {
    it_ = map_->lower_bound(start.empty() || start < prefix ? prefix : start);
  }
  bool Valid() const override {
    return it_ != map_->end() && std::string_view(it_->first).starts_with(prefix_);
  }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  void Next() override { ++it_; }
  Status status() const override { return Status::Ok(); }

 private:
  MapPtr map_;
  std::string prefix_;
  Map::const_iterator it_;
};

class MapView final : public ReadView {
 public:
  explicit MapView(MapPtr map) : map_(std::move(map)) {}
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = map_->find(key);
    if (it == map_->end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  std::unique_ptr<Cursor> Scan(std::string_view prefix, std::string_view start) const override {
    return std::make_unique<MapCursor>(map_, prefix, start);
  }

 private:
  MapPtr map_;
};

class MemoryStore final : public Store {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return MapView(Current()).Get(key);
  }
  std::unique_ptr<Cursor> Scan(std::string_view prefix, std::string_view start) const override {
    return std::make_unique<MapCursor>(Current(), prefix, start);
  }
  Status Write(const WriteBatch& batch, bool) override {
    std::lock_guard<std::mutex> write_lock(write_mu_);
    auto next = std::make_shared<Map>(*Current());
    for (const auto& [k, v] : batch) {
      if (v) {
        (*next)[k] = *v;
      } else {
        next->erase(k);
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    map_ = std::move(next);
    return Status::Ok();
  }
  std::unique_ptr<ReadView> Snapshot() const override {
    return std::make_unique<MapView>(Current());
  }
  std::uint64_t ApproximateSize() const override { return 0; }

 private:
  MapPtr Current() const {
    std::lock_guard<std::mutex> lock(mu_);
    return map_;
  }

  mutable std::mutex mu_;  // guards map_ (the pointer)
  std::mutex write_mu_;    // serialises writers
  MapPtr map_ = std::make_shared<Map>();
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace consentd::ledger
