#pragma once

// The state digest: a commitment to the ledger state after each block, so two nodes that
// diverge can never both sign the same next header.
//
//   write_set_hash = SHA-256( for each (key, value) of the block's writes in key order:
//                               u32be(len key) key, then 0x01 u32be(len value) value
//                               or 0x00 for a deletion )
//   digest(h)      = TaggedHash("consentd/state/v1", digest(h-1) || write_set_hash)
//   digest(0)      = the same over the genesis writes, with 32 zero bytes as digest(-1)

#include "common/bytes.h"
#include "ledger/store/store.h"

namespace consentd::ledger {

inline constexpr std::string_view kStateDigestTag = "consentd/state/v1";

Hash256 WriteSetHash(const WriteBatch& writes);
Hash256 NextStateDigest(const Hash256& previous, const WriteBatch& writes);

}  // namespace consentd::ledger
