#pragma once

// Typed access to the ledger state over a ReadView (a store, a snapshot, or a block's
// overlay). StateReader is what queries and rule checks use; StateWriter adds the writes a
// transaction makes, always into an Overlay.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ledger/state/hot_cache.h"
#include "ledger/state/keys.h"
#include "ledger/state/overlay.h"
#include "ledger/state/records.h"
#include "ledger/store/store.h"

namespace consentd::ledger {

// Where a committed tx lives.
struct TxLocation {
  std::uint64_t height = 0;
  std::uint32_t index = 0;
  std::string canonical;  // the signed tx, canonical JSON
};

struct ValidatorSetEntry {
  std::uint64_t from_height = 0;
  std::vector<FixedBytes<32>> keys;
};

class StateReader {
 public:
  explicit StateReader(const ReadView& view) : view_(view) {}
  // Reads through `overlay` may use `cache` for keys the overlay chain has not written.
  StateReader(const Overlay& overlay, HotCache* cache)
      : view_(overlay), overlay_(&overlay), cache_(cache) {}

  const ReadView& view() const { return view_; }

  Result<std::optional<MemberRecord>> Member(std::string_view id) const;
  Result<std::optional<std::string>> MemberIdByKey(const FixedBytes<32>& key) const;
  Result<std::optional<std::string>> MemberIdByValidatorKey(const FixedBytes<32>& key) const;
  Result<std::optional<NoticeRecord>> Notice(std::string_view controller,
                                             std::string_view notice_id) const;
  Result<std::optional<ConsentRecord>> Consent(const Hash256& id) const;
  Result<std::vector<Hash256>> SubjectConsentIds(const Subject& subject) const;
  Result<std::optional<AgreementRecord>> Agreement(const Hash256& id) const;
  Result<std::optional<TransferRecord>> Transfer(const Hash256& id) const;
  Result<std::optional<SharingState>> Sharing(const Hash256& id) const;
  Result<std::optional<RightsRecord>> Rights(const Hash256& id) const;
  Result<std::optional<EntrustmentRecord>> Entrustment(const Hash256& id) const;
  // Every impact assessment `controller` has recorded.
  Result<std::vector<AssessmentState>> Assessments(std::string_view controller) const;
  // Every rights request and erasure obligation about `subject`, open or closed.
  Result<std::vector<Hash256>> SubjectRightsIds(const Subject& subject) const;
  Result<std::optional<TxLocation>> Tx(const Hash256& id) const;
  // Every validator-set change, by the height from which it applies, ascending.
  Result<std::vector<ValidatorSetEntry>> ValidatorHistory() const;
  Result<std::vector<FixedBytes<32>>> ValidatorKeysAt(std::uint64_t height) const;

  // Reads a JSON record; nullopt when absent; store_corruption when unparsable.
  Result<std::optional<Json>> GetJson(std::string_view key) const;

 protected:
  template <typename R>
  Result<std::optional<R>> GetRecord(std::string_view key) const;
  bool Cached(std::string_view key) const {
    return cache_ != nullptr && overlay_ != nullptr && !overlay_->Writes(key);
  }

  const ReadView& view_;
  const Overlay* overlay_ = nullptr;
  HotCache* cache_ = nullptr;
};

class StateWriter : public StateReader {
 public:
  explicit StateWriter(Overlay& overlay, HotCache* cache = nullptr)
      : StateReader(overlay, cache), overlay_(overlay) {}

  void PutJson(std::string key, const Json& record);
  void PutIndex(std::string key) { overlay_.Put(std::move(key), std::string()); }
  void PutRaw(std::string key, std::string value) {
    overlay_.Put(std::move(key), std::move(value));
  }
  void Delete(std::string key) { overlay_.Delete(std::move(key)); }

  void PutMember(const MemberRecord& m) { PutJson(keys::Member(m.id), m.ToJson()); }
  void PutConsent(const ConsentRecord& c) { overlay_.Put(keys::Consent(c.id), c.Canonical()); }
  void PutAgreement(const AgreementRecord& a) { PutJson(keys::Agreement(a.id), a.ToJson()); }
  void PutRights(const RightsRecord& r) { PutJson(keys::Rights(r.id), r.ToJson()); }
  void PutTx(const Hash256& id, std::uint64_t height, std::uint32_t index,
             std::string_view canonical);

 private:
  Overlay& overlay_;
};

}  // namespace consentd::ledger
