#pragma once

// A signed transaction: the envelope {type, chain_id, body, nonce, expires_at_height,
// signatures:[{key, sig}]} of DESIGN.md section 5.
//
//   unsigned form = canonical JSON of {body, chain_id, expires_at_height, nonce, type}
//   tx_id         = SHA-256(unsigned form)            identity, replay protection, consent ids
//   sign hash     = TaggedHash("consentd/tx/v1", unsigned form)   what every signer signs
//   leaf hash     = SHA-256(canonical signed form)    the Merkle leaf in the block's tx_root
//
// Signatures are kept sorted by key, so the signed form is canonical however the signers'
// signatures were collected (docs/adr/001-merkle-leaves-bind-signatures.md explains the leaf).
//
// Tx::Parse does every check that needs no ledger state: envelope and body schema, vocabulary,
// chain id, size, and a valid BIP340 signature for every listed key. A parsed Tx is immutable
// and shared (TxPtr); the mempool parses once and block validation reuses the result.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "crypto/schnorr.h"
#include "ledger/tx_body.h"

namespace consentd::ledger {

inline constexpr std::string_view kTxSignTag = "consentd/tx/v1";
inline constexpr std::size_t kDefaultMaxTxBytes = 64 * 1024;
inline constexpr std::size_t kMaxTxSignatures = 16;

struct TxSignature {
  crypto::PublicKey key;
  crypto::SignatureBytes sig{};
};

class Tx;
using TxPtr = std::shared_ptr<const Tx>;

class Tx {
 public:
  // Parses untrusted text. Errors: json_* from the parser, tx_* schema codes, tx_wrong_chain,
  // tx_too_large, tx_no_signatures, tx_bad_signature, tx_duplicate_signer.
  static Result<TxPtr> Parse(std::string_view text, std::string_view chain_id,
                             std::size_t max_bytes = kDefaultMaxTxBytes);
  static Result<TxPtr> FromJson(const Json& value, std::string_view chain_id,
                                std::size_t max_bytes = kDefaultMaxTxBytes);
  // Every check but signature verification, for a tx inside a block whose commit certificate
  // has verified: the 2f+1 validators that signed it verified the signatures.
  static Result<TxPtr> FromCertifiedJson(const Json& value, std::string_view chain_id,
                                         std::size_t max_bytes = kDefaultMaxTxBytes);
  // Parses a tx read back from our own committed store: every check but signature
  // verification, which happened before it was committed.
  static Result<TxPtr> ParseCommitted(std::string_view canonical, std::string_view chain_id);

  // The unsigned envelope, for signers: what `SignHash(unsigned)` covers.
  // The largest nonce: a nonce is a 32-bit number (at most 10 digits), so it cannot spell a
  // mobile number (11 digits) or a resident ID (18).
  static constexpr std::int64_t kMaxNonce = 0xffff'ffffLL;
  static Json MakeUnsigned(TxType type, std::string_view chain_id, Json body, std::uint64_t nonce,
                           std::uint64_t expires_at_height);
  static Hash256 SignHash(const Json& unsigned_tx);
  static Hash256 IdOf(const Json& unsigned_tx);

  TxType type() const { return type_; }
  const TxBody& body() const { return body_; }
  const Json& body_json() const { return body_json_; }
  std::uint64_t nonce() const { return nonce_; }
  std::uint64_t expires_at_height() const { return expires_at_height_; }
  const std::vector<TxSignature>& signatures() const { return signatures_; }
  bool SignedBy(const crypto::PublicKey& key) const;

  const Hash256& id() const { return id_; }
  const Hash256& sign_hash() const { return sign_hash_; }
  const Hash256& leaf() const { return leaf_; }
  // Canonical JSON of the signed transaction.
  const std::string& canonical() const { return canonical_; }
  Json ToJson() const;

  template <typename T>
  const T& As() const {
    return std::get<T>(body_);
  }

 private:
  Tx() = default;
  static Result<TxPtr> Build(const Json& value, std::string_view chain_id, std::size_t max_bytes,
                             bool verify);

  TxType type_ = TxType::kMemberRegister;
  TxBody body_;
  Json body_json_;
  std::string chain_id_;
  std::uint64_t nonce_ = 0;
  std::uint64_t expires_at_height_ = 0;
  std::vector<TxSignature> signatures_;
  Hash256 id_{};
  Hash256 sign_hash_{};
  Hash256 leaf_{};
  std::string canonical_;
};

}  // namespace consentd::ledger
