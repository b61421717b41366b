#pragma once

// Overlay: the writes of a block (or of one transaction inside it) layered over a read view.
// Reads see the overlay's own writes first; Scan merges both in key order. Executing a block
// never touches the store: the overlay's write set becomes the block's batch at commit, and its
// sorted contents feed the state digest. Nested overlays give each transaction all-or-nothing
// writes: on success the child is merged into the block's overlay, on rejection discarded.
//
// Thread-compatible: one thread at a time.

#include <string>
#include <string_view>

#include "ledger/store/store.h"

namespace consentd::ledger {

class Overlay final : public ReadView {
 public:
  // `base` must outlive the overlay.
  explicit Overlay(const ReadView* base) : base_(base) {}
  // An overlay over another overlay (a transaction inside a block).
  explicit Overlay(const Overlay* parent) : base_(parent), parent_(parent) {}

  Result<std::optional<std::string>> Get(std::string_view key) const override;
  std::unique_ptr<Cursor> Scan(std::string_view prefix, std::string_view start = {}) const override;

  void Put(std::string key, std::string value) { writes_[std::move(key)] = std::move(value); }
  void Delete(std::string key) { writes_[std::move(key)] = std::nullopt; }

  const WriteBatch& writes() const { return writes_; }
  // Whether this overlay or a parent overlay has written `key`.
  bool Writes(std::string_view key) const {
    return writes_.find(key) != writes_.end() || (parent_ != nullptr && parent_->Writes(key));
  }
  WriteBatch TakeWrites() { return std::move(writes_); }
  // Moves a top-level overlay (one over a read view, not over a parent overlay) onto another
  // view, keeping its writes: the mempool's pending writes carried over to a newer snapshot.
  void MoveTo(const ReadView* base) {
    if (parent_ == nullptr) base_ = base;
  }
  // Applies a child overlay's writes on top of this one's.
  void Absorb(Overlay&& child);

 private:
  const ReadView* base_;
  const Overlay* parent_ = nullptr;
  WriteBatch writes_;
};

}  // namespace consentd::ledger
