#pragma once

// Signed transactions for the load generator (bench/load.cc), built before any timing starts:
// notices, consent grants (co-signed by the controlling insurer and the subject's own key),
// sharing records (signed by the sending insurer) and withdrawals (signed by the subject).
// Bodies come from wallet::BuildBody, so each passes the ledger's stateless checks; the state
// rules (a published notice, a live consent) are the caller's to order. Not thread-safe; use
// one TxMaker per thread (with disjoint nonce ranges).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/schnorr.h"
#include "ledger/tx_body.h"

namespace consentd::bench {

struct LoadTx {
  std::string json;    // the signed envelope, canonical
  std::string id_hex;  // tx id (for a grant: the consent id)
  ledger::TxType type = ledger::TxType::kConsentGrant;
};

// A customer of the load: a key derived from (run, index), so keys need no storage.
Result<crypto::PrivateKey> SubjectKey(const std::string& run, std::uint64_t index);

class TxMaker {
 public:
  // `insurers` maps member ids to their signing keys (not owned; they must outlive this).
  TxMaker(std::string chain_id, std::map<std::string, const crypto::PrivateKey*> insurers,
          std::uint64_t expires_at_height, std::uint64_t first_nonce);

  Result<LoadTx> Notice(const std::string& controller, const std::string& notice_id);
  // A grant of `controller` for `subject`, naming `recipient` (may be empty) as a separate
  // third-party recipient, under notice `notice_id`:1.
  Result<LoadTx> Grant(const std::string& controller, const crypto::PrivateKey& subject,
                       const std::string& recipient, const std::string& notice_id,
                       std::int64_t now_ms);
  // `sender` shares `subject`'s contact data with `recipient` at `shared_at` (both in CN).
  Result<LoadTx> Sharing(const std::string& sender, const std::string& recipient,
                         const crypto::PrivateKey& subject, std::int64_t shared_at);
  Result<LoadTx> Withdraw(const std::string& consent_id, const crypto::PrivateKey& subject);

 private:
  Result<LoadTx> Sign(ledger::TxType type, const std::map<std::string, std::string>& values,
                      const std::vector<const crypto::PrivateKey*>& signers);

  std::string chain_id_;
  std::map<std::string, const crypto::PrivateKey*> insurers_;
  std::uint64_t expires_at_height_;
  std::uint64_t nonce_;
};

}  // namespace consentd::bench
