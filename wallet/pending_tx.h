#pragma once

// A transaction being signed, possibly by several parties at different times and places (a
// customer signs on a phone, the insurer co-signs later). Its file form is the tx envelope of
// docs/LEDGER.md with the signatures collected so far, which may be none:
//
//   {"type", "chain_id", "body", "nonce", "expires_at_height", "signatures": [{key, sig}...]}
//
// Loading a file checks the body against the ledger's schema and vocabularies and verifies
// every signature already present, so a tampered file is caught before anyone adds to it.
// Every signature covers TaggedHash("consentd/tx/v1", canonical unsigned envelope), so adding
// one never invalidates the others. Complete() turns it into a ledger::Tx, ready to submit.
//
// A value type; not thread-safe for concurrent mutation.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "crypto/schnorr.h"
#include "ledger/tx.h"

namespace consentd::wallet {

class PendingTx {
 public:
  // REQUIRES: `body` passed CheckBody(type, body) (tx_builder.h); Create re-checks it.
  // Errors: the ledger's schema codes.
  static Result<PendingTx> Create(ledger::TxType type, std::string chain_id, Json body,
                                  std::uint64_t nonce, std::uint64_t expires_at_height);
  // Errors: "tx_file_invalid" (shape), the ledger's schema codes, tx_bad_signature,
  // tx_duplicate_signer.
  static Result<PendingTx> FromJson(const Json& json);
  static Result<PendingTx> Parse(std::string_view text);

  // Adds `key`'s signature. Errors: "tx_already_signed" (this key signed already),
  // tx_array_too_long (16 signatures).
  Status Sign(const crypto::PrivateKey& key);
  // Adds a signature made elsewhere. Errors: tx_bad_signature, "tx_already_signed".
  Status AddSignature(const crypto::PublicKey& key, const crypto::SignatureBytes& sig);

  ledger::TxType type() const { return type_; }
  const std::string& chain_id() const { return chain_id_; }
  const Json& body() const { return body_; }
  const Json& unsigned_json() const { return unsigned_; }
  const Hash256& id() const { return id_; }
  const Hash256& sign_hash() const { return sign_hash_; }
  const std::vector<ledger::TxSignature>& signatures() const { return signatures_; }
  bool SignedBy(const crypto::PublicKey& key) const;

  // The file form, signatures sorted by key.
  Json ToJson() const;
  // The signed tx with every check a node applies before it looks at the state. Errors:
  // tx_no_signatures, and those of ledger::Tx::FromJson.
  Result<ledger::TxPtr> Complete() const;

 private:
  PendingTx() = default;
  void Derive();

  ledger::TxType type_ = ledger::TxType::kMemberRegister;
  std::string chain_id_;
  Json body_;
  std::uint64_t nonce_ = 0;
  std::uint64_t expires_at_height_ = 0;
  Json unsigned_;
  Hash256 id_{};
  Hash256 sign_hash_{};
  std::vector<ledger::TxSignature> signatures_;
};

}  // namespace consentd::wallet
