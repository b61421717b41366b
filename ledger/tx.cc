#include "ledger/tx.h"

#include <algorithm>

#include "common/hex.h"
#include "crypto/sha256.h"
#include "crypto/tagged_hash.h"
#include "ledger/schema.h"

namespace consentd::ledger {
namespace {

Hash256 TxSignHash(std::string_view unsigned_canonical) {
  thread_local crypto::TaggedHasher hasher(kTxSignTag);
  return hasher.Hash(unsigned_canonical);
}

Result<std::vector<TxSignature>> ReadSignatures(const Json& value) {
  if (!value.is_array())
    return Status::Error(Reason::kTxWrongType, "tx.signatures must be an array");
  if (value.empty())
    return Status::Error(Reason::kTxNoSignatures, "a transaction needs a signature");
  if (value.size() > kMaxTxSignatures) {
    return Status::Error(Reason::kTxArrayTooLong,
                         "at most " + std::to_string(kMaxTxSignatures) + " signatures");
  }
  std::vector<TxSignature> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string path = "tx.signatures[" + std::to_string(i) + "]";
    FieldReader r(value[i], path);
    auto key = r.Key("key");
    const Json* sig = r.Raw("sig");
    CONSENTD_RETURN_IF_ERROR(r.Finish());
    if (!sig->is_string())
      return Status::Error(Reason::kTxWrongType, path + ".sig must be a hex string");
    auto parsed = HexDecodeFixed<64>(sig->get_ref<const std::string&>());
    if (!parsed.ok()) {
      return Status::Error(Reason::kTxInvalidValue,
                           path + ".sig must be 128 lowercase hex characters");
    }
    out.push_back(TxSignature{*key, *parsed});
  }
  std::sort(out.begin(), out.end(),
            [](const TxSignature& a, const TxSignature& b) { return a.key < b.key; });
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i].key == out[i - 1].key) {
      return Status::Error(Reason::kTxDuplicateSigner, "key " + out[i].key.Hex() + " signs twice");
    }
  }
  return out;
}

}  // namespace

Json Tx::MakeUnsigned(TxType type, std::string_view chain_id, Json body, std::uint64_t nonce,
                      std::uint64_t expires_at_height) {
  return Json{{"type", ToString(type)},
              {"chain_id", std::string(chain_id)},
              {"body", std::move(body)},
              {"nonce", nonce},
              {"expires_at_height", expires_at_height}};
}

Hash256 Tx::SignHash(const Json& unsigned_tx) { return TxSignHash(CanonicalJson(unsigned_tx)); }

Hash256 Tx::IdOf(const Json& unsigned_tx) { return crypto::Sha256(CanonicalJson(unsigned_tx)); }

Result<TxPtr> Tx::Parse(std::string_view text, std::string_view chain_id, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Status::Error(Reason::kTxTooLarge, "transaction of " + std::to_string(text.size()) +
                                                  " bytes exceeds " + std::to_string(max_bytes));
  }
  JsonLimits limits;
  limits.max_bytes = max_bytes;
  limits.max_depth = 8;
  CONSENTD_ASSIGN_OR_RETURN(Json value, ParseJson(text, limits));
  return FromJson(value, chain_id, max_bytes);
}

Result<TxPtr> Tx::FromJson(const Json& value, std::string_view chain_id, std::size_t max_bytes) {
  return Build(value, chain_id, max_bytes, /*verify=*/true);
}

Result<TxPtr> Tx::FromCertifiedJson(const Json& value, std::string_view chain_id,
                                    std::size_t max_bytes) {
  return Build(value, chain_id, max_bytes, /*verify=*/false);
}

Result<TxPtr> Tx::ParseCommitted(std::string_view canonical, std::string_view chain_id) {
  auto value = ParseJson(canonical);
  if (!value.ok()) return Status::Error(Reason::kStoreCorruption, "unreadable committed tx");
  auto tx = Build(*value, chain_id, canonical.size(), /*verify=*/false);
  if (!tx.ok())
    return Status::Error(Reason::kStoreCorruption, "committed tx: " + tx.status().ToString());
  return tx;
}

Result<TxPtr> Tx::Build(const Json& value, std::string_view chain_id, std::size_t max_bytes,
                        bool verify) {
  FieldReader r(value, "tx");
  const Json* type_field = r.Raw("type");
  const Json* chain_field = r.Raw("chain_id");
  const Json* body = r.Raw("body");
  const std::int64_t nonce = r.Int("nonce", 0, kMaxNonce);
  const std::int64_t expires = r.Int("expires_at_height", 1, kJsonMaxSafeInteger);
  if (r.ok() && !r.Has("signatures")) {
    return Status::Error(Reason::kTxNoSignatures, "missing field tx.signatures");
  }
  const Json* sigs = r.Raw("signatures");
  CONSENTD_RETURN_IF_ERROR(r.Finish());

  if (!type_field->is_string())
    return Status::Error(Reason::kTxWrongType, "tx.type must be a string");
  const std::string& type_name = type_field->get_ref<const std::string&>();
  const auto type = ParseTxType(type_name);
  if (!type) {
    return Status::Error(Reason::kTxUnknownType,
                         "unknown transaction type \"" + type_name.substr(0, 40) + "\"");
  }
  if (!chain_field->is_string())
    return Status::Error(Reason::kTxWrongType, "tx.chain_id must be a string");
  const std::string& got_chain = chain_field->get_ref<const std::string&>();
  if (got_chain != chain_id) {
    return Status::Error(Reason::kTxWrongChain, "transaction is for chain \"" +
                                                    got_chain.substr(0, 64) + "\", this is \"" +
                                                    std::string(chain_id) + "\"");
  }

  auto tx = std::shared_ptr<Tx>(new Tx());
  tx->type_ = *type;
  CONSENTD_ASSIGN_OR_RETURN(tx->body_, ParseBody(*type, *body));
  CONSENTD_ASSIGN_OR_RETURN(tx->signatures_, ReadSignatures(*sigs));
  tx->body_json_ = *body;
  tx->chain_id_ = std::string(chain_id);
  tx->nonce_ = static_cast<std::uint64_t>(nonce);
  tx->expires_at_height_ = static_cast<std::uint64_t>(expires);

  // Both canonical forms are written directly, without building the unsigned and signed
  // values: their keys sort as body, chain_id, expires_at_height, nonce, [signatures,] type, so
  // the signed form is the unsigned one with the signatures spliced in before "type" (the
  // result equals CanonicalJson(ToJson()); TxParseTest.CanonicalFormIsTheCanonicalJsonOfToJson).
  std::string unsigned_canonical;
  unsigned_canonical.reserve(256);
  unsigned_canonical.append("{\"body\":");
  AppendCanonicalJson(*body, &unsigned_canonical);
  unsigned_canonical.append(",\"chain_id\":");
  AppendCanonicalJson(*chain_field, &unsigned_canonical);
  unsigned_canonical.append(",\"expires_at_height\":");
  unsigned_canonical.append(std::to_string(tx->expires_at_height_));
  unsigned_canonical.append(",\"nonce\":");
  unsigned_canonical.append(std::to_string(tx->nonce_));
  const std::size_t type_at = unsigned_canonical.size();
  unsigned_canonical.append(",\"type\":\"");
  unsigned_canonical.append(ToString(*type));
  unsigned_canonical.append("\"}");
  tx->id_ = crypto::Sha256(unsigned_canonical);
  tx->sign_hash_ = TxSignHash(unsigned_canonical);
  for (const TxSignature& s : tx->signatures_) {
    if (verify && !s.key.Verify(tx->sign_hash_, s.sig)) {
      return Status::Error(Reason::kTxBadSignature,
                           "signature by " + s.key.Hex() + " does not verify");
    }
  }
  std::string& canonical = tx->canonical_;
  canonical.reserve(unsigned_canonical.size() + 16 + tx->signatures_.size() * 170);
  canonical.append(unsigned_canonical, 0, type_at);
  canonical.append(",\"signatures\":[");
  for (std::size_t i = 0; i < tx->signatures_.size(); ++i) {
    if (i > 0) canonical.push_back(',');
    canonical.append("{\"key\":\"");
    canonical.append(tx->signatures_[i].key.Hex());
    canonical.append("\",\"sig\":\"");
    canonical.append(HexEncode(tx->signatures_[i].sig));
    canonical.append("\"}");
  }
  canonical.push_back(']');
  canonical.append(unsigned_canonical, type_at);
  if (tx->canonical_.size() > max_bytes) {
    return Status::Error(Reason::kTxTooLarge,
                         "transaction exceeds " + std::to_string(max_bytes) + " bytes");
  }
  tx->leaf_ = crypto::Sha256(tx->canonical_);
  return TxPtr(std::move(tx));
}

bool Tx::SignedBy(const crypto::PublicKey& key) const {
  return std::any_of(signatures_.begin(), signatures_.end(),
                     [&](const TxSignature& s) { return s.key == key; });
}

Json Tx::ToJson() const {
  Json tx = MakeUnsigned(type_, chain_id_, body_json_, nonce_, expires_at_height_);
  Json sigs = Json::array();
  for (const TxSignature& s : signatures_) {
    sigs.push_back(Json{{"key", s.key.Hex()}, {"sig", HexEncode(s.sig)}});
  }
  tx["signatures"] = std::move(sigs);
  return tx;
}

}  // namespace consentd::ledger
