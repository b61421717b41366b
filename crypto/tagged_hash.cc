#include "crypto/tagged_hash.h"

namespace consentd::crypto {

Hash256 TaggedHash(std::string_view tag, ByteSpan message) {
  const Hash256 tag_hash = Sha256(tag);
  Sha256Hasher h;
  h.Update(tag_hash).Update(tag_hash).Update(message);
  return h.Finish();
}

TaggedHasher::TaggedHasher(std::string_view tag) : tag_(tag) {
  const Hash256 tag_hash = Sha256(tag);
  prefix_.Update(tag_hash).Update(tag_hash);
}

Hash256 TaggedHasher::Hash(ByteSpan message) {
  work_.CopyStateFrom(prefix_);
  return work_.Update(message).Finish();
}

Hash256 TaggedHasher::Hash(std::initializer_list<ByteSpan> parts) {
  work_.CopyStateFrom(prefix_);
  for (ByteSpan part : parts) work_.Update(part);
  return work_.Finish();
}

}  // namespace consentd::crypto
