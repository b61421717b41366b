#include "consensus/certificate.h"

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>

#include "common/hex.h"
#include "consensus/json_util.h"
#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"

namespace consentd::consensus {
namespace {

// Far above any validator set (ValidatorSet allows 1000): a hostile peer cannot make a node
// parse an unbounded list.
constexpr std::size_t kMaxCertSignatures = 1000;

// Whether every signature verifies against `hash`; remembered in `cache` when they do.
bool SignaturesVerify(const CommitCertificate& cert, const Hash256& hash,
                      const CertSignature** failed, CertificateCache* cache) {
  Hash256 digest{};
  if (cache != nullptr) {
    digest = CertificateCache::Digest(cert, hash);
    if (cache->Contains(digest)) return true;
  }
  for (const CertSignature& s : cert.precommits) {
    if (!s.validator.Verify(hash, s.signature)) {
      *failed = &s;
      return false;
    }
  }
  if (cache != nullptr) cache->Insert(digest);
  return true;
}

}  // namespace

Hash256 CertificateCache::Digest(const CommitCertificate& cert, const Hash256& sign_hash) {
  std::string bytes(sign_hash.begin(), sign_hash.end());
  bytes.reserve(32 + cert.precommits.size() * 96);
  for (const CertSignature& s : cert.precommits) {
    bytes.append(s.validator.bytes().begin(), s.validator.bytes().end());
    bytes.append(s.signature.begin(), s.signature.end());
  }
  return crypto::Sha256(bytes);
}

bool CertificateCache::Contains(const Hash256& digest) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::find(recent_.begin(), recent_.end(), digest) != recent_.end();
}

void CertificateCache::Insert(const Hash256& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  recent_[next_++ % recent_.size()] = digest;
}

Json CommitCertificate::ToJson() const {
  std::vector<const CertSignature*> sorted;
  sorted.reserve(precommits.size());
  for (const auto& s : precommits) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(), [](const CertSignature* a, const CertSignature* b) {
    return a->validator < b->validator;
  });
  Json sigs = Json::array();
  for (const CertSignature* s : sorted) {
    sigs.push_back(Json{{"sig", HexEncode(s->signature)}, {"validator", s->validator.Hex()}});
  }
  return Json{{"block_id", HexEncode(block_id)},
              {"height", height},
              {"round", round},
              {"signatures", std::move(sigs)}};
}

Result<CommitCertificate> CommitCertificate::FromJson(const Json& json) {
  const JsonReader r(json, Reason::kCertInvalid, "certificate");
  CONSENTD_RETURN_IF_ERROR(r.ExpectKeys({"block_id", "height", "round", "signatures"}));
  CommitCertificate cert;
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t height, r.Int("height", 0, kJsonMaxSafeInteger));
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t round,
                            r.Int("round", 0, std::numeric_limits<std::uint32_t>::max()));
  cert.height = static_cast<std::uint64_t>(height);
  cert.round = static_cast<std::uint32_t>(round);
  CONSENTD_ASSIGN_OR_RETURN(cert.block_id, r.Hash("block_id"));
  const Json& sigs = r.At("signatures");
  if (!sigs.is_array()) return r.Error("signatures", "not an array");
  if (sigs.size() > kMaxCertSignatures) return r.Error("signatures", "too many entries");
  cert.precommits.reserve(sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    const JsonReader entry(sigs[i], Reason::kCertInvalid,
                           "certificate signature " + std::to_string(i));
    CONSENTD_RETURN_IF_ERROR(entry.ExpectKeys({"sig", "validator"}));
    CONSENTD_ASSIGN_OR_RETURN(std::string key_hex, entry.String("validator"));
    auto key = crypto::PublicKey::FromHex(key_hex);
    if (!key.ok()) return entry.Error("validator", key.status().ToString());
    CONSENTD_ASSIGN_OR_RETURN(crypto::SignatureBytes sig, entry.Sig("sig"));
    cert.precommits.push_back(CertSignature{*key, sig});
  }
  return cert;
}

Status VerifyCertificate(const CommitCertificate& cert, std::string_view chain_id,
                         const ValidatorSet& validators, CertificateCache* cache) {
  if (cert.height > static_cast<std::uint64_t>(kJsonMaxSafeInteger)) {
    return Status::Error(Reason::kCertInvalid, "height beyond 2^53 - 1");
  }
  std::vector<bool> seen(validators.size(), false);
  for (const CertSignature& s : cert.precommits) {
    const std::optional<std::size_t> index = validators.IndexOf(s.validator);
    if (!index) {
      return Status::Error(Reason::kCertUnknownSigner,
                           "signer " + s.validator.Hex() + " is not in the validator set");
    }
    if (seen[*index]) {
      return Status::Error(Reason::kCertDuplicateSigner, "signer " + s.validator.Hex() + " twice");
    }
    seen[*index] = true;
  }
  if (cert.precommits.size() < validators.Quorum()) {
    return Status::Error(Reason::kCertTooFewSignatures, std::to_string(cert.precommits.size()) +
                                                            " signatures, quorum is " +
                                                            std::to_string(validators.Quorum()));
  }
  const Hash256 hash =
      VoteSignHash(chain_id, VoteType::kPrecommit, cert.height, cert.round, cert.block_id);
  const CertSignature* failed = nullptr;
  if (!SignaturesVerify(cert, hash, &failed, cache)) {
    return Status::Error(Reason::kCertBadSignature,
                         "signature of " + failed->validator.Hex() + " does not verify");
  }
  return Status::Ok();
}

bool VerifyCertificateSignaturesAhead(const CommitCertificate& cert, std::string_view chain_id,
                                      CertificateCache& cache) {
  if (cert.height > static_cast<std::uint64_t>(kJsonMaxSafeInteger)) return false;
  if (cert.precommits.size() > kMaxCertSignatures) return false;
  const Hash256 hash =
      VoteSignHash(chain_id, VoteType::kPrecommit, cert.height, cert.round, cert.block_id);
  const CertSignature* failed = nullptr;
  return SignaturesVerify(cert, hash, &failed, &cache);
}

Status VerifyCertificateFor(const CommitCertificate& cert, std::string_view chain_id,
                            const ValidatorSet& validators, std::uint64_t height,
                            const Hash256& block_id, CertificateCache* cache) {
  if (cert.height != height) {
    return Status::Error(Reason::kCertWrongHeight, "certificate is for height " +
                                                       std::to_string(cert.height) + ", expected " +
                                                       std::to_string(height));
  }
  if (cert.block_id != block_id) {
    return Status::Error(Reason::kCertWrongBlock, "certificate is for block " +
                                                      HexEncode(cert.block_id) + ", expected " +
                                                      HexEncode(block_id));
  }
  return VerifyCertificate(cert, chain_id, validators, cache);
}

}  // namespace consentd::consensus
