#include "bench/bench_chain.h"

#include <cstdio>

#include "crypto/sha256.h"

namespace consentd::ledger {

void BenchChain::BuildConsents(std::uint64_t n, std::vector<Hash256>* ids,
                               std::vector<std::string>* subjects) {
  const std::string insurer_hex = chain->Key("insurer-a").public_key().Hex();
  std::int64_t t = chain->ledger().head().time_ms + 1000;
  // Subject keys for a million subjects would take minutes to derive; use x-only keys from a
  // cheap hash chain instead (any 32 bytes that parse as a key will do here).
  std::uint64_t made = 0;
  Hash256 seed = crypto::Sha256("bench subjects " + std::to_string(ids->size()));
  while (made < n) {
    std::vector<TxPtr> txs;
    for (int i = 0; i < 1000 && made < n; ++i) {
      for (;;) {
        seed = crypto::Sha256(seed);
        if (crypto::PublicKey::Parse(seed).ok()) break;
      }
      const std::string key_hex = HexEncode(seed);
      Json body = GrantBody(0);
      body["subject"] = {{"key", key_hex}};
      txs.push_back(Unverified(TxType::kConsentGrant, body, {insurer_hex, key_hex}));
      ids->push_back(txs.back()->id());
      if (subjects) subjects->push_back("key:" + key_hex);
      ++made;
    }
    Commit(txs, t += 1000);
    if (made % 100000 == 0)
      std::fprintf(stderr, "  %llu consents\n", static_cast<unsigned long long>(made));
  }
}

}  // namespace consentd::ledger
