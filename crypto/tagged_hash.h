#pragma once

// BIP340-style tagged hashes: SHA256(SHA256(tag) || SHA256(tag) || message). Every signed or
// hashed message kind has its own tag (e.g. "consentd/tx/v1", "consentd/vote/v1"), so a
// signature or hash of one kind can never be passed off as another.

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "crypto/sha256.h"

namespace consentd::crypto {

Hash256 TaggedHash(std::string_view tag, ByteSpan message);

// A tag whose 64-byte prefix is absorbed once; Hash() then costs one copy of the digest state
// plus the message. Thread-compatible: one instance per thread (Hash mutates scratch state).
class TaggedHasher {
 public:
  explicit TaggedHasher(std::string_view tag);

  const std::string& tag() const { return tag_; }
  Hash256 Hash(ByteSpan message);
  Hash256 Hash(std::string_view message) { return Hash(AsBytes(message)); }
  // Hash of the concatenation of the parts, without building it.
  Hash256 Hash(std::initializer_list<ByteSpan> parts);

 private:
  std::string tag_;
  Sha256Hasher prefix_;
  Sha256Hasher work_;
};

}  // namespace consentd::crypto
