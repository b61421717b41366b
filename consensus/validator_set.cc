#include "consensus/validator_set.h"

#include <algorithm>

#include "crypto/tagged_hash.h"

namespace consentd::consensus {
namespace {

constexpr std::string_view kValsetTag = "consentd/valset/v1";

// A bound far above any real deployment, so a hostile genesis or sync peer cannot make a node
// allocate without limit.
constexpr std::size_t kMaxValidators = 1000;

}  // namespace

ValidatorSet::ValidatorSet(std::vector<crypto::PublicKey> sorted_keys)
    : keys_(std::move(sorted_keys)) {
  hash_ = crypto::TaggedHash(kValsetTag, AsBytes(CanonicalJson(ToJson())));
}

Result<ValidatorSet> ValidatorSet::Create(std::vector<crypto::PublicKey> keys) {
  if (keys.empty()) return Status::Error(Reason::kValsetEmpty, "a validator set needs a validator");
  if (keys.size() > kMaxValidators) {
    return Status::Error(Reason::kValsetInvalid,
                         "more than " + std::to_string(kMaxValidators) + " validators");
  }
  std::sort(keys.begin(), keys.end());
  const auto dup = std::adjacent_find(keys.begin(), keys.end());
  if (dup != keys.end()) {
    return Status::Error(Reason::kValsetDuplicateKey, "validator " + dup->Hex() + " appears twice");
  }
  return ValidatorSet(std::move(keys));
}

Result<ValidatorSet> ValidatorSet::FromJson(const Json& json) {
  if (!json.is_array())
    return Status::Error(Reason::kValsetInvalid, "validator set is not an array");
  if (json.size() > kMaxValidators) {
    return Status::Error(Reason::kValsetInvalid,
                         "more than " + std::to_string(kMaxValidators) + " validators");
  }
  std::vector<crypto::PublicKey> keys;
  keys.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (!json[i].is_string()) {
      return Status::Error(Reason::kValsetInvalid,
                           "entry " + std::to_string(i) + " is not a string");
    }
    auto key = crypto::PublicKey::FromHex(json[i].get<std::string>());
    if (!key.ok()) return key.status().WithContext("validator " + std::to_string(i));
    keys.push_back(*key);
  }
  return Create(std::move(keys));
}

Json ValidatorSet::ToJson() const {
  Json out = Json::array();
  for (const auto& key : keys_) out.push_back(key.Hex());
  return out;
}

std::optional<std::size_t> ValidatorSet::IndexOf(const crypto::PublicKey& key) const {
  const auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
  if (it == keys_.end() || !(*it == key)) return std::nullopt;
  return static_cast<std::size_t>(it - keys_.begin());
}

std::size_t ValidatorSet::ProposerIndex(std::uint64_t height, std::uint32_t round) const {
  const std::uint64_t n = keys_.size();
  // (height + round) mod n without overflow for any height.
  return static_cast<std::size_t>((height % n + round % n) % n);
}

}  // namespace consentd::consensus
