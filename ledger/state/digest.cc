#include "ledger/state/digest.h"

#include "crypto/sha256.h"
#include "crypto/tagged_hash.h"

namespace consentd::ledger {
namespace {

void PutLength(crypto::Sha256Hasher& h, std::size_t n) {
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                             static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  h.Update(ByteSpan(b, 4));
}

}  // namespace

Hash256 WriteSetHash(const WriteBatch& writes) {
  crypto::Sha256Hasher h;
  for (const auto& [key, value] : writes) {
    PutLength(h, key.size());
    h.Update(key);
    const std::uint8_t present = value ? 1 : 0;
    h.Update(ByteSpan(&present, 1));
    if (value) {
      PutLength(h, value->size());
      h.Update(*value);
    }
  }
  return h.Finish();
}

Hash256 NextStateDigest(const Hash256& previous, const WriteBatch& writes) {
  const Hash256 ws = WriteSetHash(writes);
  return crypto::TaggedHash(kStateDigestTag, [&] {
    Bytes buf(previous.begin(), previous.end());
    buf.insert(buf.end(), ws.begin(), ws.end());
    return buf;
  }());
}

}  // namespace consentd::ledger
