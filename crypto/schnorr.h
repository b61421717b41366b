#pragma once

// BIP340 Schnorr signatures over secp256k1: 32-byte x-only public keys, 64-byte signatures.
// crypto/schnorr.cc is the only file in the project that includes <secp256k1*.h> (checked by
// scripts/check-layering).
//
// PublicKey holds the parsed curve point beside its bytes, so a key parsed once (a validator,
// a member, a cached tx signer) verifies without re-parsing (parsing costs ~11% of a verify).
// PrivateKey wipes its secret from memory when destroyed.
//
// Thread-safety: all functions and const methods may be called from any thread.

#include <compare>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"

namespace consentd::crypto {

using PublicKeyBytes = FixedBytes<32>;
using SignatureBytes = FixedBytes<64>;

class PublicKey {
 public:
  // Errors: "key_invalid" (not the x coordinate of a curve point), "hex_*" for FromHex.
  static Result<PublicKey> Parse(const PublicKeyBytes& bytes);
  static Result<PublicKey> FromHex(std::string_view hex);

  const PublicKeyBytes& bytes() const { return bytes_; }
  std::string Hex() const;

  // BIP340 verification of `sig` over `message` (any length; we sign 32-byte tagged hashes).
  bool Verify(ByteSpan message, const SignatureBytes& sig) const;

  friend bool operator==(const PublicKey& a, const PublicKey& b) { return a.bytes_ == b.bytes_; }
  friend auto operator<=>(const PublicKey& a, const PublicKey& b) { return a.bytes_ <=> b.bytes_; }

 private:
  friend class PrivateKey;
  PublicKey() = default;

  PublicKeyBytes bytes_{};
  alignas(8) FixedBytes<64> parsed_{};  // secp256k1_xonly_pubkey, opaque here
};

class PrivateKey {
 public:
  // A fresh key from the OS CSPRNG. Errors: "random_unavailable".
  static Result<PrivateKey> Generate();
  // Errors: "key_invalid" (zero, or not below the curve order), "hex_*" for FromHex.
  static Result<PrivateKey> FromBytes(ByteSpan secret);
  static Result<PrivateKey> FromHex(std::string_view hex);

  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  const PublicKey& public_key() const { return public_key_; }
  // The 32 secret bytes, for encrypting into a key file. Do not copy them elsewhere.
  ByteSpan secret() const { return secret_; }

  // Signs a 32-byte message with fresh auxiliary randomness (BIP340's recommended hardening;
  // should the OS CSPRNG fail, the signature is still valid and secure, only deterministic).
  SignatureBytes Sign(const Hash256& message) const;
  // Signs with the given auxiliary randomness: reproducible, for test vectors.
  SignatureBytes SignWithAux(const Hash256& message, const FixedBytes<32>& aux) const;

 private:
  PrivateKey() = default;
  void Wipe();

  FixedBytes<32> secret_{};
  alignas(8) FixedBytes<96> keypair_{};  // secp256k1_keypair, opaque here
  PublicKey public_key_;
};

}  // namespace consentd::crypto

template <>
struct std::hash<consentd::crypto::PublicKey> {
  std::size_t operator()(const consentd::crypto::PublicKey& k) const noexcept {
    std::size_t h;
    static_assert(sizeof(h) <= 32);
    std::memcpy(&h, k.bytes().data(), sizeof(h));  // uniformly distributed already
    return h;
  }
};
