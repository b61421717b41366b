#pragma once

// CommitCertificate: the precommit signatures of at least a quorum of the validator set for one
// block in one round of one height. It is stored with the block and is what block sync, the
// ledger and offline receipt verification check, with VerifyCertificate, against the validator
// set of that height. Each signature is a precommit vote signature (consensus/sign_bytes.h) over
// VoteSignHash(chain_id, precommit, height, round, block_id).

#include <array>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "consensus/validator_set.h"
#include "crypto/schnorr.h"

namespace consentd::consensus {

struct CertSignature {
  crypto::PublicKey validator;
  crypto::SignatureBytes signature;

  friend bool operator==(const CertSignature& a, const CertSignature& b) = default;
};

struct CommitCertificate {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  Hash256 block_id{};
  std::vector<CertSignature> precommits;

  // Canonical form: {"block_id", "height", "round", "signatures": [{"sig", "validator"}...]}
  // with the signatures sorted by validator key bytes.
  Json ToJson() const;
  // Accepts the signatures in any order (VerifyCertificate judges them). Errors:
  // "cert_invalid" (naming the field).
  static Result<CommitCertificate> FromJson(const Json& json);

  friend bool operator==(const CommitCertificate& a, const CommitCertificate& b) = default;
};

// Certificates whose signatures verified lately, by a digest of everything the signatures
// cover and the signatures themselves. A block's certificate is verified where it arrives (a
// synced block by the replica, or ahead by block sync) and again where the ledger commits it;
// with one cache shared by those checks the second finds it here. Only a successful
// verification is remembered, and verification is a pure function of these bytes, so a hit
// gives the answer the check would. Owned by whoever shares it (the node's ledger); no
// process-wide state. Thread-safe.
class CertificateCache {
 public:
  static Hash256 Digest(const CommitCertificate& cert, const Hash256& sign_hash);
  bool Contains(const Hash256& digest) const;
  void Insert(const Hash256& digest);

 private:
  mutable std::mutex mu_;
  // Room for a sync response's certificates checked ahead (up to 64) and the few in use.
  std::array<Hash256, 128> recent_{};
  std::size_t next_ = 0;
};

// Checks, cheapest first: every signer is in `validators` ("cert_unknown_signer") and appears
// once ("cert_duplicate_signer"); there are at least validators.Quorum() of them
// ("cert_too_few_signatures"); every signature verifies ("cert_bad_signature", naming the
// signer). A height beyond 2^53 - 1 is "cert_invalid".
// With a `cache`, signatures it remembers as verified are not verified again, and verified
// ones are remembered.
Status VerifyCertificate(const CommitCertificate& cert, std::string_view chain_id,
                         const ValidatorSet& validators, CertificateCache* cache = nullptr);

// Block sync checks a response's certificates' signatures ahead, on another thread: whether
// they all verify, which VerifyCertificate with the same `cache` then finds remembered. Only
// the signatures: whether the signers are a quorum of the right set, VerifyCertificate judges
// each time.
bool VerifyCertificateSignaturesAhead(const CommitCertificate& cert, std::string_view chain_id,
                                      CertificateCache& cache);

// VerifyCertificate, and the certificate is for `height` ("cert_wrong_height") and `block_id`
// ("cert_wrong_block").
Status VerifyCertificateFor(const CommitCertificate& cert, std::string_view chain_id,
                            const ValidatorSet& validators, std::uint64_t height,
                            const Hash256& block_id, CertificateCache* cache = nullptr);

}  // namespace consentd::consensus
