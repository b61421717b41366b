#pragma once

// SHA-256 through OpenSSL's EVP interface. The one-shot functions reuse a per-thread digest
// context and a fetched EVP_MD, which is about three times faster than EVP_Digest per call.

#include <memory>
#include <string_view>

#include "common/bytes.h"

namespace consentd::crypto {

Hash256 Sha256(ByteSpan data);
inline Hash256 Sha256(std::string_view data) { return Sha256(AsBytes(data)); }

// Incremental hashing. Thread-compatible: one instance per thread.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  Sha256Hasher& Update(ByteSpan data);
  Sha256Hasher& Update(std::string_view data) { return Update(AsBytes(data)); }
  // Returns the digest and resets the hasher for reuse.
  Hash256 Finish();

  // Makes this hasher continue from `other`'s current state (used to resume from a
  // precomputed prefix, as tagged hashes do).
  void CopyStateFrom(const Sha256Hasher& other);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentd::crypto
