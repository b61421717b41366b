#pragma once

// CommitCertificate: the precommit signatures of at least a quorum of the validator set for one
// block in one round of one height. It is stored with the block and is what block sync, the
// ledger and offline receipt verification check, with VerifyCertificate, against the validator
// set of that height. Each signature is a precommit vote signature (consensus/sign_bytes.h) over
// VoteSignHash(chain_id, precommit, height, round, block_id).

#include <cstdint>
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

// Checks, cheapest first: every signer is in `validators` ("cert_unknown_signer") and appears
// once ("cert_duplicate_signer"); there are at least validators.Quorum() of them
// ("cert_too_few_signatures"); every signature verifies ("cert_bad_signature", naming the
// signer). A height beyond 2^53 - 1 is "cert_invalid".
Status VerifyCertificate(const CommitCertificate& cert, std::string_view chain_id,
                         const ValidatorSet& validators);

// Block sync checks a response's certificates' signatures ahead, on another thread (safe from
// any thread): whether they all verify, which VerifyCertificate then finds remembered. Only the
// signatures: whether the signers are a quorum of the right set, VerifyCertificate judges each
// time.
bool VerifyCertificateSignaturesAhead(const CommitCertificate& cert, std::string_view chain_id);

// VerifyCertificate, and the certificate is for `height` ("cert_wrong_height") and `block_id`
// ("cert_wrong_block").
Status VerifyCertificateFor(const CommitCertificate& cert, std::string_view chain_id,
                            const ValidatorSet& validators, std::uint64_t height,
                            const Hash256& block_id);

}  // namespace consentd::consensus
