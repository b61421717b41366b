#include "tests/sim/remembering_verifier.h"

#include <algorithm>
#include <cstring>

namespace consentd::sim {

std::size_t RememberingVerifier::EntryHash::operator()(const Entry& e) const {
  // The signature's bytes are uniformly distributed already: its first eight will do.
  std::uint64_t h = 0;
  std::memcpy(&h, e.data() + 64, sizeof(h));
  return static_cast<std::size_t>(h);
}

bool RememberingVerifier::Verify(const crypto::PublicKey& key, const Hash256& sign_hash,
                                 const crypto::SignatureBytes& signature) {
  Entry entry;
  std::copy(key.bytes().begin(), key.bytes().end(), entry.begin());
  std::copy(sign_hash.begin(), sign_hash.end(), entry.begin() + 32);
  std::copy(signature.begin(), signature.end(), entry.begin() + 64);
  if (const auto it = answers_.find(entry); it != answers_.end()) {
    ++remembered_;
    return it->second;
  }
  ++verified_;
  const bool valid = key.Verify(sign_hash, signature);
  answers_.emplace(entry, valid);
  return valid;
}

}  // namespace consentd::sim
