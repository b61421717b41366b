#pragma once

// RememberingVerifier: a consensus::SignatureVerifier that verifies each distinct (key, sign
// hash, signature) once and remembers the answer. One simulation shares one among all its
// replicas: every broadcast reaches n - 1 of them, and BIP340 verification was 90% of the
// simulator's time. The answer is a pure function of those bytes, so sharing it changes no run:
// a schedule's trace is the same with or without it (RememberingVerifierTest).
//
// Memory grows with the distinct signatures of one run (a few thousand); a simulation owns it
// and drops it at the end. Thread-compatible.

#include <array>
#include <cstdint>
#include <unordered_map>

#include "consensus/verifier.h"

namespace consentd::sim {

class RememberingVerifier : public consensus::SignatureVerifier {
 public:
  bool Verify(const crypto::PublicKey& key, const Hash256& sign_hash,
              const crypto::SignatureBytes& signature) override;

  std::uint64_t verified() const { return verified_; }      // verifications run
  std::uint64_t remembered() const { return remembered_; }  // answers found remembered

 private:
  using Entry = std::array<std::uint8_t, 128>;  // key || sign hash || signature
  struct EntryHash {
    std::size_t operator()(const Entry& e) const;
  };
  std::unordered_map<Entry, bool, EntryHash> answers_;
  std::uint64_t verified_ = 0;
  std::uint64_t remembered_ = 0;
};

}  // namespace consentd::sim
