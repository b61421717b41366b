#pragma once

// Signer: produces a validator's BIP340 signatures over consensus sign hashes. The replica asks
// it only after the safety rules allowed the signature (consensus/safety.h); a remote signer or
// hardware module can implement it. LocalSigner holds the private key in memory.

#include "common/bytes.h"
#include "crypto/schnorr.h"

namespace consentd::consensus {

class Signer {
 public:
  virtual ~Signer() = default;
  virtual const crypto::PublicKey& public_key() const = 0;
  // BIP340 signature over the 32-byte sign hash.
  virtual crypto::SignatureBytes Sign(const Hash256& sign_hash) = 0;
};

class LocalSigner : public Signer {
 public:
  enum class Aux {
    kRandom,         // fresh auxiliary randomness from the OS per signature (BIP340's advice)
    kDeterministic,  // all-zero auxiliary data: reproducible signatures, for simulations
  };
  explicit LocalSigner(crypto::PrivateKey key, Aux aux = Aux::kRandom)
      : key_(std::move(key)), aux_(aux) {}

  const crypto::PublicKey& public_key() const override { return key_.public_key(); }
  crypto::SignatureBytes Sign(const Hash256& sign_hash) override {
    switch (aux_) {
      case Aux::kRandom:
        return key_.Sign(sign_hash);
      case Aux::kDeterministic:
        return key_.SignWithAux(sign_hash, FixedBytes<32>{});
    }
    return key_.Sign(sign_hash);
  }

 private:
  crypto::PrivateKey key_;
  Aux aux_;
};

}  // namespace consentd::consensus
