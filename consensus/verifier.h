#pragma once

// SignatureVerifier: checks the signature on a consensus message for the replica, which asks it
// about every message that arrives from outside (never its own). Without one, the replica runs
// BIP340 verification each time. Where one process holds many replicas that receive the same
// messages (the simulator: every broadcast reaches n - 1 of them), they may share a verifier that
// remembers what verified; verification is a pure function of the bytes, so a remembered answer
// is always the answer verification would give.
//
// Thread-compatible: one thread at a time.

#include "common/bytes.h"
#include "crypto/schnorr.h"

namespace consentd::consensus {

class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  // Whether `signature` is a valid BIP340 signature by `key` over `sign_hash`.
  virtual bool Verify(const crypto::PublicKey& key, const Hash256& sign_hash,
                      const crypto::SignatureBytes& signature) = 0;
};

}  // namespace consentd::consensus
