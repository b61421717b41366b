#include "ledger/state/state.h"

#include "common/hex.h"

namespace consentd::ledger {

Result<std::optional<Json>> StateReader::GetJson(std::string_view key) const {
  CONSENTD_ASSIGN_OR_RETURN(auto raw, view_.Get(key));
  if (!raw) return std::optional<Json>();
  // Records are our own canonical JSON, read back from a checksummed store: nlohmann's plain
  // parser suffices (the strict one guards untrusted input).
  Json json = Json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::Error(Reason::kStoreCorruption, "unreadable record");
  return std::optional<Json>(std::move(json));
}

template <typename R>
Result<std::optional<R>> StateReader::GetRecord(std::string_view key) const {
  CONSENTD_ASSIGN_OR_RETURN(auto json, GetJson(key));
  if (!json) return std::optional<R>();
  CONSENTD_ASSIGN_OR_RETURN(R record, R::FromJson(std::move(*json)));
  return std::optional<R>(std::move(record));
}

Result<std::optional<MemberRecord>> StateReader::Member(std::string_view id) const {
  const std::string key = keys::Member(id);
  if (Cached(key)) return cache_->Member(key, [&] { return GetRecord<MemberRecord>(key); });
  return GetRecord<MemberRecord>(key);
}

Result<std::optional<std::string>> StateReader::MemberIdByKey(const FixedBytes<32>& key) const {
  const std::string k = keys::MemberKey(key);
  if (Cached(k)) return cache_->Raw(k, [&] { return view_.Get(k); });
  return view_.Get(k);
}

Result<std::optional<std::string>> StateReader::MemberIdByValidatorKey(
    const FixedBytes<32>& key) const {
  const std::string k = keys::ValidatorKey(key);
  if (Cached(k)) return cache_->Raw(k, [&] { return view_.Get(k); });
  return view_.Get(k);
}

Result<std::optional<NoticeRecord>> StateReader::Notice(std::string_view controller,
                                                        std::string_view notice_id) const {
  const std::string key = keys::Notice(controller, notice_id);
  if (Cached(key)) return cache_->Notice(key, [&] { return GetRecord<NoticeRecord>(key); });
  return GetRecord<NoticeRecord>(key);
}

Result<std::optional<ConsentRecord>> StateReader::Consent(const Hash256& id) const {
  return GetRecord<ConsentRecord>(keys::Consent(id));
}

Result<std::vector<Hash256>> StateReader::SubjectConsentIds(const Subject& subject) const {
  std::vector<Hash256> ids;
  auto cursor = view_.Scan(keys::SubjectConsentPrefix(subject));
  for (; cursor->Valid(); cursor->Next()) ids.push_back(keys::TrailingId(cursor->key()));
  CONSENTD_RETURN_IF_ERROR(cursor->status());
  return ids;
}

Result<std::vector<Hash256>> StateReader::SubjectRightsIds(const Subject& subject) const {
  std::vector<Hash256> ids;
  auto cursor = view_.Scan(keys::RightsBySubjectPrefix(subject));
  for (; cursor->Valid(); cursor->Next()) ids.push_back(keys::TrailingId(cursor->key()));
  CONSENTD_RETURN_IF_ERROR(cursor->status());
  return ids;
}

Result<std::optional<AgreementRecord>> StateReader::Agreement(const Hash256& id) const {
  return GetRecord<AgreementRecord>(keys::Agreement(id));
}

Result<std::optional<TransferRecord>> StateReader::Transfer(const Hash256& id) const {
  return GetRecord<TransferRecord>(keys::Transfer(id));
}

Result<std::optional<SharingState>> StateReader::Sharing(const Hash256& id) const {
  return GetRecord<SharingState>(keys::Sharing(id));
}

Result<std::optional<RightsRecord>> StateReader::Rights(const Hash256& id) const {
  return GetRecord<RightsRecord>(keys::Rights(id));
}

Result<std::optional<EntrustmentRecord>> StateReader::Entrustment(const Hash256& id) const {
  return GetRecord<EntrustmentRecord>(keys::Entrustment(id));
}

Result<std::vector<AssessmentState>> StateReader::Assessments(std::string_view controller) const {
  std::vector<AssessmentState> out;
  auto cursor = view_.Scan(keys::AssessmentPrefix(controller));
  for (; cursor->Valid(); cursor->Next()) {
    CONSENTD_ASSIGN_OR_RETURN(auto a, GetRecord<AssessmentState>(cursor->key()));
    if (!a) return Status::Error(Reason::kStoreCorruption, "an assessment vanished");
    out.push_back(std::move(*a));
  }
  CONSENTD_RETURN_IF_ERROR(cursor->status());
  return out;
}

Result<std::optional<TxLocation>> StateReader::Tx(const Hash256& id) const {
  CONSENTD_ASSIGN_OR_RETURN(auto raw, view_.Get(keys::Tx(id)));
  if (!raw) return std::optional<TxLocation>();
  if (raw->size() < 12) return Status::Error(Reason::kStoreCorruption, "short tx record");
  TxLocation loc;
  loc.height = keys::ReadBigEndian(*raw);
  loc.index =
      static_cast<std::uint32_t>(keys::ReadBigEndian(std::string(4, '\0') + raw->substr(8, 4)));
  loc.canonical = raw->substr(12);
  return std::optional<TxLocation>(std::move(loc));
}

Result<std::vector<ValidatorSetEntry>> StateReader::ValidatorHistory() const {
  std::vector<ValidatorSetEntry> out;
  auto cursor = view_.Scan(std::string(1, keys::kValidators));
  for (; cursor->Valid(); cursor->Next()) {
    ValidatorSetEntry e;
    e.from_height = keys::ReadBigEndian(cursor->key().substr(1));
    auto json = ParseJson(cursor->value());
    if (!json.ok() || !json->is_array()) {
      return Status::Error(Reason::kStoreCorruption, "unreadable validator set record");
    }
    for (const Json& k : *json) {
      if (!k.is_string()) return Status::Error(Reason::kStoreCorruption, "bad validator key");
      auto bytes = HexDecodeFixed<32>(k.get_ref<const std::string&>());
      if (!bytes.ok()) return Status::Error(Reason::kStoreCorruption, "bad validator key");
      e.keys.push_back(*bytes);
    }
    out.push_back(std::move(e));
  }
  CONSENTD_RETURN_IF_ERROR(cursor->status());
  return out;
}

Result<std::vector<FixedBytes<32>>> StateReader::ValidatorKeysAt(std::uint64_t height) const {
  CONSENTD_ASSIGN_OR_RETURN(auto history, ValidatorHistory());
  const std::vector<FixedBytes<32>>* keys = nullptr;
  for (const auto& e : history) {
    if (e.from_height <= height) keys = &e.keys;
  }
  if (keys == nullptr) return Status::Error(Reason::kStoreCorruption, "no validator set recorded");
  return *keys;
}

void StateWriter::PutJson(std::string key, const Json& record) {
  overlay_.Put(std::move(key), CanonicalJson(record));
}

void StateWriter::PutTx(const Hash256& id, std::uint64_t height, std::uint32_t index,
                        std::string_view canonical) {
  std::string value = keys::BigEndian(height);
  value.append(keys::BigEndian(index).substr(4));
  value.append(canonical);
  overlay_.Put(keys::Tx(id), std::move(value));
}

}  // namespace consentd::ledger
