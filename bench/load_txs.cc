#include "bench/load_txs.h"

#include <utility>

#include "common/hex.h"
#include "common/json.h"
#include "crypto/sha256.h"
#include "ledger/tx.h"
#include "wallet/tx_builder.h"

namespace consentd::bench {
Result<crypto::PrivateKey> SubjectKey(const std::string& run, std::uint64_t index) {
  return crypto::PrivateKey::FromBytes(
      crypto::Sha256("consentd load subject " + run + " " + std::to_string(index)));
}

TxMaker::TxMaker(std::string chain_id, std::map<std::string, const crypto::PrivateKey*> insurers,
                 std::uint64_t expires_at_height, std::uint64_t first_nonce)
    : chain_id_(std::move(chain_id)),
      insurers_(std::move(insurers)),
      expires_at_height_(expires_at_height),
      nonce_(first_nonce) {}

Result<LoadTx> TxMaker::Sign(ledger::TxType type, const std::map<std::string, std::string>& values,
                             const std::vector<const crypto::PrivateKey*>& signers) {
  CONSENTD_ASSIGN_OR_RETURN(Json body, wallet::BuildBody(type, values));
  Json tx =
      ledger::Tx::MakeUnsigned(type, chain_id_, std::move(body), nonce_++, expires_at_height_);
  const Hash256 msg = ledger::Tx::SignHash(tx);
  LoadTx out;
  out.type = type;
  out.id_hex = HexEncode(ledger::Tx::IdOf(tx));
  tx["signatures"] = Json::array();
  for (const crypto::PrivateKey* k : signers) {
    tx["signatures"].push_back(
        Json{{"key", k->public_key().Hex()}, {"sig", HexEncode(k->Sign(msg))}});
  }
  out.json = CanonicalJson(tx);
  return out;
}

Result<LoadTx> TxMaker::Notice(const std::string& controller, const std::string& notice_id) {
  auto it = insurers_.find(controller);
  if (it == insurers_.end()) return Status::Error(Reason::kUsage, "no key for " + controller);
  return Sign(ledger::TxType::kNoticePublish,
              {{"controller", controller},
               {"notice_id", notice_id},
               {"version", "1"},
               {"notice_hash", HexEncode(crypto::Sha256("load notice " + notice_id))}},
              {it->second});
}

Result<LoadTx> TxMaker::Grant(const std::string& controller, const crypto::PrivateKey& subject,
                              const std::string& recipient, const std::string& notice_id,
                              std::int64_t now_ms) {
  auto it = insurers_.find(controller);
  if (it == insurers_.end()) return Status::Error(Reason::kUsage, "no key for " + controller);
  return Sign(ledger::TxType::kConsentGrant,
              {{"controller", controller},
               {"subject", "key:" + subject.public_key().Hex()},
               {"purposes", "ClaimsHandling"},
               {"categories", "Contact"},
               {"recipients", recipient},
               {"separate", recipient.empty() ? "false" : "true"},
               {"notice", notice_id + ":1"},
               {"collection_method", "app"},
               {"valid_from", std::to_string(now_ms - 3'600'000)},
               {"valid_until", std::to_string(now_ms + 365LL * 24 * 3'600'000)}},
              {it->second, &subject});
}

Result<LoadTx> TxMaker::Sharing(const std::string& sender, const std::string& recipient,
                                const crypto::PrivateKey& subject, std::int64_t shared_at) {
  auto it = insurers_.find(sender);
  if (it == insurers_.end()) return Status::Error(Reason::kUsage, "no key for " + sender);
  return Sign(ledger::TxType::kSharingRecord,
              {{"sender", sender},
               {"recipient", recipient},
               {"subject", "key:" + subject.public_key().Hex()},
               {"purpose", "ClaimsHandling"},
               {"categories", "Contact"},
               {"destination", "CN"},
               {"legal_basis", "consent"},
               {"shared_at", std::to_string(shared_at)}},
              {it->second});
}

Result<LoadTx> TxMaker::Withdraw(const std::string& consent_id, const crypto::PrivateKey& subject) {
  return Sign(ledger::TxType::kConsentWithdraw, {{"consent_id", consent_id}}, {&subject});
}

}  // namespace consentd::bench
