#pragma once

// Receipts: the self-contained proof that a transaction is committed (DESIGN.md section 7),
// verifiable offline against the chain id and the validator-set hash a customer was given.
// docs/RECEIPTS.md specifies every byte; wallet/receipt_verify.h verifies.
//
// {
//   "version": 1,
//   "chain_id": "local-4",
//   "tx": { signed tx, canonical },
//   "tx_id": hex,                       SHA-256 of the unsigned tx
//   "proof": {"index": i, "tree_size": n, "path": [hex, ...]},   RFC 9162 audit path of the
//                                        leaf SHA-256(canonical signed tx) to header.tx_root
//   "header": { block header },
//   "block_hash": hex,                  TaggedHash("consentd/block/v1", canonical header)
//   "certificate": { commit certificate },
//   "validators": [hex keys, sorted]    the set that decides header.height
// }

#include <functional>
#include <optional>

#include "common/json.h"
#include "common/result.h"
#include "ledger/genesis.h"
#include "ledger/ledger.h"
#include "ledger/store/store.h"

namespace consentd::ledger {

inline constexpr int kReceiptVersion = 1;

// The receipt of committed tx `tx_id`, or nullopt when it is not committed. `validators` is
// the validator set of the tx's height (from Ledger::ValidatorsFor).
Result<std::optional<Json>> BuildReceipt(
    const ReadView& view, const Genesis& genesis, const Hash256& tx_id,
    const std::function<Result<consensus::ValidatorSet>(std::uint64_t)>& validators);

}  // namespace consentd::ledger
