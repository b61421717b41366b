// FuzzReceipt: see fuzz/targets.h.

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/hex.h"
#include "common/json.h"
#include "fuzz/targets.h"
#include "ledger/tx.h"
#include "wallet/receipt_verify.h"

namespace consentd::fuzz {
namespace {

// tests/fixtures/receipts/anchor.json: the chain and genesis validator set of the fixtures.
const wallet::TrustAnchor& FixtureAnchor() {
  static const wallet::TrustAnchor anchor{
      "fixture-chain",
      {HexDecodeFixed<32>("77963536fd0759bed12b76fe63744937d8db3bacae674b1b902fef8f11fce917")
           .value()}};
  return anchor;
}

bool SameVerdict(const wallet::ReceiptVerdict& a, const wallet::ReceiptVerdict& b) {
  if (a.ok() != b.ok() || a.status.code() != b.status.code()) return false;
  if (!a.ok()) return a.check == b.check;
  return a.receipt.tx_id == b.receipt.tx_id && a.receipt.block_hash == b.receipt.block_hash &&
         a.receipt.height == b.receipt.height && a.receipt.signers == b.receipt.signers;
}

}  // namespace

void FuzzReceipt(std::span<const std::uint8_t> data) {
  const wallet::TrustAnchor& anchor = FixtureAnchor();
  const wallet::ReceiptVerdict verdict = wallet::VerifyReceiptText(AsChars(data), anchor);
  if (!verdict.ok()) {
    FuzzCheck(!verdict.status.code().empty(), "a failed verdict without a code");
  }

  // The verdict depends on the document, not on its spelling: the canonical form of the same
  // JSON value gets the same verdict.
  const Result<Json> json = ParseJson(AsChars(data), JsonLimits{4 << 20, 16});
  if (!json.ok()) {
    FuzzCheck(!verdict.ok() && verdict.check == wallet::ReceiptCheck::kFormat,
              "unparsable text passed the format check");
    return;
  }
  const wallet::ReceiptVerdict canonical = wallet::VerifyReceiptText(CanonicalJson(*json), anchor);
  FuzzCheck(SameVerdict(verdict, canonical), "the canonical form gets another verdict");
  if (!verdict.ok()) return;

  // What an accepted receipt proves is consistent with the anchor and with its own tx.
  const wallet::VerifiedReceipt& r = verdict.receipt;
  FuzzCheck(r.chain_id == anchor.chain_id, "accepted a receipt of another chain");
  bool trusted_set = false;
  for (const Hash256& h : anchor.validator_set_hashes) trusted_set |= (h == r.validator_set_hash);
  FuzzCheck(trusted_set, "accepted a receipt of an untrusted validator set");
  FuzzCheck(r.validators > 0 && r.precommits >= 2 * r.validators / 3 + 1,
            "accepted a certificate below quorum");
  FuzzCheck(!r.signers.empty(), "accepted a tx without signers");
  FuzzCheck(json->contains("tx"), "accepted a receipt without a tx");
  const Result<ledger::TxPtr> tx = ledger::Tx::FromJson((*json)["tx"], anchor.chain_id);
  FuzzCheck(tx.ok(), "accepted a receipt whose tx the ledger refuses");
  FuzzCheck((*tx)->id() == r.tx_id, "the receipt's tx id is not its tx's id");
}

}  // namespace consentd::fuzz
