// FuzzTx: see fuzz/targets.h.

#include "ledger/tx.h"

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/json.h"
#include "fuzz/targets.h"

namespace consentd::fuzz {
namespace {

bool SameTx(const ledger::Tx& a, const ledger::Tx& b) {
  return a.id() == b.id() && a.sign_hash() == b.sign_hash() && a.leaf() == b.leaf() &&
         a.canonical() == b.canonical() && a.type() == b.type() && a.nonce() == b.nonce() &&
         a.expires_at_height() == b.expires_at_height() &&
         a.signatures().size() == b.signatures().size() && a.body_json() == b.body_json();
}

}  // namespace

void FuzzTx(std::span<const std::uint8_t> data) {
  const std::string_view text = AsChars(data);
  const Result<ledger::TxPtr> tx = ledger::Tx::Parse(text, kFuzzChainId);
  if (!tx.ok()) {
    FuzzCheck(!tx.status().code().empty(), "refusal without a code");
    return;
  }
  const ledger::Tx& t = **tx;
  FuzzCheck(!t.signatures().empty(), "an accepted tx without signatures");
  FuzzCheck(t.canonical().size() <= ledger::kDefaultMaxTxBytes, "an accepted tx over the limit");
  FuzzCheck(t.canonical() == CanonicalJson(t.ToJson()), "canonical() is not the canonical ToJson");

  // Identity comes from the unsigned envelope alone, and every listed key signed it.
  const Json unsigned_tx = ledger::Tx::MakeUnsigned(t.type(), kFuzzChainId, t.body_json(),
                                                    t.nonce(), t.expires_at_height());
  FuzzCheck(ledger::Tx::IdOf(unsigned_tx) == t.id(), "tx id differs from IdOf(unsigned)");
  FuzzCheck(ledger::Tx::SignHash(unsigned_tx) == t.sign_hash(), "sign hash differs");
  for (const ledger::TxSignature& s : t.signatures()) {
    FuzzCheck(s.key.Verify(t.sign_hash(), s.sig), "an accepted signature does not verify");
    FuzzCheck(t.SignedBy(s.key), "SignedBy misses a signer");
  }

  // What the node stores and relays (the canonical form) parses back to the same tx, through
  // admission and through the committed-store path.
  const Result<ledger::TxPtr> again = ledger::Tx::Parse(t.canonical(), kFuzzChainId);
  FuzzCheck(again.ok(), "the canonical form of an accepted tx is refused");
  FuzzCheck(SameTx(t, **again), "the canonical form parses to another tx");
  const Result<ledger::TxPtr> stored = ledger::Tx::ParseCommitted(t.canonical(), kFuzzChainId);
  FuzzCheck(stored.ok(), "ParseCommitted refuses an accepted tx");
  FuzzCheck(SameTx(t, **stored), "ParseCommitted reads another tx");

  // Another chain never accepts it (the chain id is signed).
  FuzzCheck(!ledger::Tx::Parse(t.canonical(), "other-chain").ok(), "accepted on another chain");
}

}  // namespace consentd::fuzz
