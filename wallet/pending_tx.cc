#include "wallet/pending_tx.h"

#include <algorithm>

#include "common/hex.h"
#include "wallet/tx_builder.h"

namespace consentd::wallet {
namespace {

Status Invalid(std::string m) { return Status::Error(Reason::kTxFileInvalid, std::move(m)); }

Result<std::uint64_t> UintField(const Json& j, const char* name, std::int64_t min) {
  if (!j.contains(name) || !j[name].is_number_integer()) {
    return Invalid(std::string("field ") + name + " must be an integer");
  }
  const std::int64_t v = j[name].get<std::int64_t>();
  if (v < min || v > kJsonMaxSafeInteger)
    return Invalid(std::string("field ") + name + " out of range");
  return static_cast<std::uint64_t>(v);
}

}  // namespace

Result<PendingTx> PendingTx::Create(ledger::TxType type, std::string chain_id, Json body,
                                    std::uint64_t nonce, std::uint64_t expires_at_height) {
  CONSENTD_RETURN_IF_ERROR(CheckBody(type, body));
  if (chain_id.empty()) return Invalid("chain_id is empty");
  if (nonce > static_cast<std::uint64_t>(ledger::Tx::kMaxNonce) || expires_at_height < 1 ||
      expires_at_height > static_cast<std::uint64_t>(kJsonMaxSafeInteger)) {
    return Invalid("nonce or expires_at_height out of range");
  }
  PendingTx tx;
  tx.type_ = type;
  tx.chain_id_ = std::move(chain_id);
  tx.body_ = std::move(body);
  tx.nonce_ = nonce;
  tx.expires_at_height_ = expires_at_height;
  tx.Derive();
  return tx;
}

void PendingTx::Derive() {
  unsigned_ = ledger::Tx::MakeUnsigned(type_, chain_id_, body_, nonce_, expires_at_height_);
  id_ = ledger::Tx::IdOf(unsigned_);
  sign_hash_ = ledger::Tx::SignHash(unsigned_);
}

Result<PendingTx> PendingTx::FromJson(const Json& json) {
  if (!json.is_object()) return Invalid("a tx file is a JSON object");
  for (const auto& [k, v] : json.items()) {
    if (k != "type" && k != "chain_id" && k != "body" && k != "nonce" && k != "expires_at_height" &&
        k != "signatures") {
      return Invalid("unknown field " + k);
    }
  }
  if (!json.contains("type") || !json["type"].is_string()) return Invalid("type must be a string");
  const auto type = ledger::ParseTxType(json["type"].get<std::string>());
  if (!type) return Invalid("unknown tx type " + json["type"].get<std::string>().substr(0, 40));
  if (!json.contains("chain_id") || !json["chain_id"].is_string()) {
    return Invalid("chain_id must be a string");
  }
  if (!json.contains("body")) return Invalid("missing field body");
  CONSENTD_ASSIGN_OR_RETURN(std::uint64_t nonce, UintField(json, "nonce", 0));
  CONSENTD_ASSIGN_OR_RETURN(std::uint64_t expires, UintField(json, "expires_at_height", 1));
  CONSENTD_ASSIGN_OR_RETURN(PendingTx tx, Create(*type, json["chain_id"].get<std::string>(),
                                                 json["body"], nonce, expires));
  if (json.contains("signatures")) {
    const Json& sigs = json["signatures"];
    if (!sigs.is_array()) return Invalid("signatures must be an array");
    for (std::size_t i = 0; i < sigs.size(); ++i) {
      const Json& s = sigs[i];
      const std::string where = "signatures[" + std::to_string(i) + "]";
      if (!s.is_object() || s.size() != 2 || !s.contains("key") || !s.contains("sig") ||
          !s["key"].is_string() || !s["sig"].is_string()) {
        return Invalid(where + " must be {\"key\": hex, \"sig\": hex}");
      }
      auto key = crypto::PublicKey::FromHex(s["key"].get<std::string>());
      if (!key.ok()) return Invalid(where + ".key: " + key.status().ToString());
      auto sig = HexDecodeFixed<64>(s["sig"].get<std::string>());
      if (!sig.ok()) return Invalid(where + ".sig: " + sig.status().ToString());
      Status st = tx.AddSignature(*key, *sig);
      if (st.reason() == Reason::kTxAlreadySigned) {
        return Status::Error(Reason::kTxDuplicateSigner, st.message());
      }
      CONSENTD_RETURN_IF_ERROR(st);
    }
  }
  return tx;
}

Result<PendingTx> PendingTx::Parse(std::string_view text) {
  JsonLimits limits;
  limits.max_bytes = ledger::kDefaultMaxTxBytes * 4;
  limits.max_depth = 8;
  auto json = ParseJson(text, limits);
  if (!json.ok()) return Invalid("not JSON: " + json.status().ToString());
  return FromJson(*json);
}

bool PendingTx::SignedBy(const crypto::PublicKey& key) const {
  return std::any_of(signatures_.begin(), signatures_.end(),
                     [&](const ledger::TxSignature& s) { return s.key == key; });
}

Status PendingTx::AddSignature(const crypto::PublicKey& key, const crypto::SignatureBytes& sig) {
  if (SignedBy(key)) {
    return Status::Error(Reason::kTxAlreadySigned,
                         "key " + key.Hex() + " has signed this tx already");
  }
  if (signatures_.size() >= ledger::kMaxTxSignatures) {
    return Status::Error(Reason::kTxArrayTooLong, "a tx carries at most 16 signatures");
  }
  if (!key.Verify(sign_hash_, sig)) {
    return Status::Error(Reason::kTxBadSignature, "signature by " + key.Hex() + " does not verify");
  }
  signatures_.push_back({key, sig});
  std::sort(
      signatures_.begin(), signatures_.end(),
      [](const ledger::TxSignature& a, const ledger::TxSignature& b) { return a.key < b.key; });
  return Status::Ok();
}

Status PendingTx::Sign(const crypto::PrivateKey& key) {
  return AddSignature(key.public_key(), key.Sign(sign_hash_));
}

Json PendingTx::ToJson() const {
  Json out = unsigned_;
  Json sigs = Json::array();
  for (const auto& s : signatures_)
    sigs.push_back(Json{{"key", s.key.Hex()}, {"sig", HexEncode(s.sig)}});
  out["signatures"] = std::move(sigs);
  return out;
}

Result<ledger::TxPtr> PendingTx::Complete() const {
  if (signatures_.empty()) {
    return Status::Error(Reason::kTxNoSignatures,
                         "the tx has no signatures yet (consentctl tx sign)");
  }
  return ledger::Tx::FromJson(ToJson(), chain_id_, ledger::kDefaultMaxTxBytes);
}

}  // namespace consentd::wallet
