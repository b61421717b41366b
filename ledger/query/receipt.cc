#include "ledger/query/receipt.h"

#include "common/hex.h"
#include "crypto/merkle.h"
#include "ledger/state/state.h"

namespace consentd::ledger {

Result<std::optional<Json>> BuildReceipt(
    const ReadView& view, const Genesis& genesis, const Hash256& tx_id,
    const std::function<Result<consensus::ValidatorSet>(std::uint64_t)>& validators) {
  StateReader state(view);
  CONSENTD_ASSIGN_OR_RETURN(auto loc, state.Tx(tx_id));
  if (!loc) return std::optional<Json>();
  CONSENTD_ASSIGN_OR_RETURN(auto block, Ledger::ReadBlock(view, loc->height));
  if (!block) return std::optional<Json>();  // committed in a batch not yet visible
  if (loc->index >= block->leaves.size()) {
    return Status::Error(Reason::kStoreCorruption, "tx index beyond its block");
  }
  CONSENTD_ASSIGN_OR_RETURN(crypto::MerkleProof proof,
                            crypto::MerkleProve(block->leaves, loc->index));
  CONSENTD_ASSIGN_OR_RETURN(consensus::ValidatorSet set, validators(loc->height));
  auto tx = ParseJson(loc->canonical);
  if (!tx.ok()) return Status::Error(Reason::kStoreCorruption, "unreadable committed tx");
  Json path = Json::array();
  for (const Hash256& p : proof.path) path.push_back(HexEncode(p));
  return std::optional<Json>(
      Json{{"version", kReceiptVersion},
           {"chain_id", genesis.chain_id},
           {"tx", std::move(*tx)},
           {"tx_id", HexEncode(tx_id)},
           {"proof", {{"index", proof.index}, {"tree_size", proof.tree_size}, {"path", path}}},
           {"header", block->header.ToJson()},
           {"block_hash", HexEncode(block->header.Hash())},
           {"certificate", block->certificate.ToJson()},
           {"validators", set.ToJson()}});
}

}  // namespace consentd::ledger
