#include "ledger/testing/tx_fixtures.h"

#include "common/hex.h"
#include "ledger/tx.h"

namespace consentd::ledger::testing {

Json FixtureGrantBody(const std::string& controller, const std::string& subject_key_hex,
                      std::int64_t valid_from, std::int64_t valid_until) {
  return Json{{"controller", controller},
              {"subject", {{"key", subject_key_hex}}},
              {"purposes", {"ClaimsHandling"}},
              {"categories", {"Contact"}},
              {"recipients", Json::array()},
              {"jurisdictions", Json::array()},
              {"separate", false},
              {"notice", {{"notice_id", kFixtureNoticeId}, {"version", 1}}},
              {"collection_method", "app"},
              {"valid_from", valid_from},
              {"valid_until", valid_until}};
}

Json SignTxJson(Json unsigned_tx, const std::vector<const crypto::PrivateKey*>& keys,
                const FixedBytes<32>* aux) {
  const Hash256 msg = Tx::SignHash(unsigned_tx);
  Json signatures = Json::array();
  for (const crypto::PrivateKey* k : keys) {
    const crypto::SignatureBytes sig = aux != nullptr ? k->SignWithAux(msg, *aux) : k->Sign(msg);
    signatures.push_back(Json{{"key", k->public_key().Hex()}, {"sig", HexEncode(sig)}});
  }
  unsigned_tx["signatures"] = std::move(signatures);
  return unsigned_tx;
}

}  // namespace consentd::ledger::testing
