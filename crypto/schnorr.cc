#include "crypto/schnorr.h"

#include <openssl/crypto.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "common/hex.h"
#include "crypto/random.h"

namespace consentd::crypto {
namespace {

static_assert(sizeof(secp256k1_xonly_pubkey) == 64);
static_assert(sizeof(secp256k1_keypair) == 96);

// One context for the process, randomized once for side-channel protection. libsecp256k1
// allows concurrent use of a const context from many threads.
const secp256k1_context* Context() {
  static const secp256k1_context* ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (c == nullptr) std::abort();
    FixedBytes<32> seed{};
    if (RandomBytes(seed).ok()) {
      // Randomization is a hardening step; an unrandomized context is still correct, so a
      // failure here is not fatal.
      const int randomized = secp256k1_context_randomize(c, seed.data());
      static_cast<void>(randomized);
    }
    OPENSSL_cleanse(seed.data(), seed.size());
    return c;
  }();
  return ctx;
}

const secp256k1_xonly_pubkey* AsXonly(const FixedBytes<64>& raw) {
  return reinterpret_cast<const secp256k1_xonly_pubkey*>(raw.data());
}

}  // namespace

Result<PublicKey> PublicKey::Parse(const PublicKeyBytes& bytes) {
  // Parsing costs about a tenth of a verification, and a few member keys co-sign most
  // transactions: valid keys parsed lately are kept (bounded; emptied when full, so a flood of
  // fresh keys costs one clear per kMaxCached).
  constexpr std::size_t kMaxCached = 1024;
  static std::mutex mu;
  static std::unordered_map<PublicKeyBytes, PublicKey, Hash256Hasher> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(bytes); it != cache.end()) return it->second;
  }
  PublicKey key;
  key.bytes_ = bytes;
  auto* parsed = reinterpret_cast<secp256k1_xonly_pubkey*>(key.parsed_.data());
  if (secp256k1_xonly_pubkey_parse(Context(), parsed, bytes.data()) != 1) {
    return Status::Error(Reason::kKeyInvalid, "public key is not a valid x-only secp256k1 point");
  }
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= kMaxCached) cache.clear();
  cache.emplace(bytes, key);
  return key;
}

Result<PublicKey> PublicKey::FromHex(std::string_view hex) {
  CONSENTD_ASSIGN_OR_RETURN(auto bytes, HexDecodeFixed<32>(hex));
  return Parse(bytes);
}

std::string PublicKey::Hex() const { return HexEncode(bytes_); }

bool PublicKey::Verify(ByteSpan message, const SignatureBytes& sig) const {
  return secp256k1_schnorrsig_verify(Context(), sig.data(), message.data(), message.size(),
                                     AsXonly(parsed_)) == 1;
}

Result<PrivateKey> PrivateKey::Generate() {
  // A uniformly random 32-byte string is a valid key except with probability ~2^-128;
  // retry rather than reason about it.
  for (int attempt = 0; attempt < 8; ++attempt) {
    FixedBytes<32> secret{};
    CONSENTD_RETURN_IF_ERROR(RandomBytes(secret));
    auto key = FromBytes(secret);
    OPENSSL_cleanse(secret.data(), secret.size());
    if (key.ok()) return key;
  }
  return Status::Error(Reason::kRandomUnavailable, "could not draw a valid secret key");
}

Result<PrivateKey> PrivateKey::FromBytes(ByteSpan secret) {
  if (secret.size() != 32) {
    return Status::Error(Reason::kKeyInvalid, "secret key must be 32 bytes");
  }
  PrivateKey key;
  std::memcpy(key.secret_.data(), secret.data(), 32);
  auto* keypair = reinterpret_cast<secp256k1_keypair*>(key.keypair_.data());
  if (secp256k1_keypair_create(Context(), keypair, key.secret_.data()) != 1) {
    return Status::Error(Reason::kKeyInvalid, "secret key is zero or not below the curve order");
  }
  auto* xonly = reinterpret_cast<secp256k1_xonly_pubkey*>(key.public_key_.parsed_.data());
  if (secp256k1_keypair_xonly_pub(Context(), xonly, nullptr, keypair) != 1 ||
      secp256k1_xonly_pubkey_serialize(Context(), key.public_key_.bytes_.data(), xonly) != 1) {
    return Status::Error(Reason::kKeyInvalid, "could not derive the public key");
  }
  return key;
}

Result<PrivateKey> PrivateKey::FromHex(std::string_view hex) {
  CONSENTD_ASSIGN_OR_RETURN(auto bytes, HexDecodeFixed<32>(hex));
  auto key = FromBytes(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

PrivateKey::PrivateKey(PrivateKey&& other) noexcept
    : secret_(other.secret_), keypair_(other.keypair_), public_key_(other.public_key_) {
  other.Wipe();
}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    Wipe();
    secret_ = other.secret_;
    keypair_ = other.keypair_;
    public_key_ = other.public_key_;
    other.Wipe();
  }
  return *this;
}

PrivateKey::~PrivateKey() { Wipe(); }

void PrivateKey::Wipe() {
  OPENSSL_cleanse(secret_.data(), secret_.size());
  OPENSSL_cleanse(keypair_.data(), keypair_.size());
}

SignatureBytes PrivateKey::Sign(const Hash256& message) const {
  FixedBytes<32> aux{};
  (void)RandomBytes(aux);  // all-zero aux on failure: still a valid, secure signature
  SignatureBytes sig = SignWithAux(message, aux);
  OPENSSL_cleanse(aux.data(), aux.size());
  return sig;
}

SignatureBytes PrivateKey::SignWithAux(const Hash256& message, const FixedBytes<32>& aux) const {
  SignatureBytes sig{};
  const auto* keypair = reinterpret_cast<const secp256k1_keypair*>(keypair_.data());
  // Cannot fail for a keypair that secp256k1_keypair_create accepted.
  const int ok =
      secp256k1_schnorrsig_sign32(Context(), sig.data(), message.data(), keypair, aux.data());
  if (ok != 1) std::abort();
  return sig;
}

}  // namespace consentd::crypto
