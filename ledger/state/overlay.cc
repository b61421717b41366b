#include "ledger/state/overlay.h"

namespace consentd::ledger {
namespace {

// Merges a base cursor with the overlay's writes (which win on equal keys; deletions hide).
class MergedCursor final : public Cursor {
 public:
  MergedCursor(std::unique_ptr<Cursor> base, const WriteBatch& writes, std::string_view prefix,
               std::string_view start)
      : base_(std::move(base)), writes_(writes), prefix_(prefix) {
    it_ = writes_.lower_bound(start.empty() || start < prefix ? prefix : start);
    Settle();
  }
  bool Valid() const override { return use_ != Source::kNone; }
  std::string_view key() const override {
    return use_ == Source::kOverlay ? std::string_view(it_->first) : base_->key();
  }
  std::string_view value() const override {
    return use_ == Source::kOverlay ? std::string_view(*it_->second) : base_->value();
  }
  void Next() override {
    if (use_ == Source::kOverlay) {
      ++it_;
    } else {
      base_->Next();
    }
    Settle();
  }
  Status status() const override { return base_->status(); }

 private:
  enum class Source { kNone, kBase, kOverlay };

  bool OverlayValid() const {
    return it_ != writes_.end() && std::string_view(it_->first).starts_with(prefix_);
  }

  // Positions on the next visible entry: skips base keys shadowed by the overlay and overlay
  // deletions.
  void Settle() {
    for (;;) {
      const bool ov = OverlayValid();
      const bool bv = base_->Valid();
      if (!ov && !bv) {
        use_ = Source::kNone;
        return;
      }
      if (ov && bv && base_->key() == it_->first) {
        base_->Next();  // shadowed by the overlay
        continue;
      }
      if (ov && (!bv || std::string_view(it_->first) < base_->key())) {
        if (!it_->second) {
          ++it_;  // deleted in the overlay
          continue;
        }
        use_ = Source::kOverlay;
        return;
      }
      use_ = Source::kBase;
      return;
    }
  }

  std::unique_ptr<Cursor> base_;
  const WriteBatch& writes_;
  std::string prefix_;
  WriteBatch::const_iterator it_;
  Source use_ = Source::kNone;
};

}  // namespace

Result<std::optional<std::string>> Overlay::Get(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second;
  return base_->Get(key);
}

std::unique_ptr<Cursor> Overlay::Scan(std::string_view prefix, std::string_view start) const {
  return std::make_unique<MergedCursor>(base_->Scan(prefix, start), writes_, prefix, start);
}

void Overlay::Absorb(Overlay&& child) {
  for (auto& [k, v] : child.writes_) writes_[k] = std::move(v);
  child.writes_.clear();
}

}  // namespace consentd::ledger
