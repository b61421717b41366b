#include "ledger/block.h"

#include "common/hex.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "crypto/tagged_hash.h"
#include "ledger/reject.h"
#include "ledger/schema.h"

namespace consentd::ledger {

Json BlockHeader::ToJson() const {
  return Json{{"chain_id", chain_id},
              {"height", height},
              {"time_ms", time_ms},
              {"prev_hash", HexEncode(prev_hash)},
              {"tx_root", HexEncode(tx_root)},
              {"tx_count", tx_count},
              {"state_digest", HexEncode(state_digest)},
              {"proposer", HexEncode(proposer)},
              {"validator_set_hash", HexEncode(validator_set_hash)}};
}

Result<BlockHeader> BlockHeader::FromJson(const Json& json) {
  BlockHeader h;
  FieldReader r(json, "header");
  const Json* chain = r.Raw("chain_id");
  h.height = static_cast<std::uint64_t>(r.Int("height", 1, kJsonMaxSafeInteger));
  h.time_ms = r.Time("time_ms");
  h.prev_hash = r.Hash("prev_hash");
  h.tx_root = r.Hash("tx_root");
  h.tx_count = static_cast<std::uint32_t>(r.Int("tx_count", 0, 1 << 24));
  h.state_digest = r.Hash("state_digest");
  h.proposer = r.Hash("proposer");
  h.validator_set_hash = r.Hash("validator_set_hash");
  Status st = r.Finish();
  if (!st.ok()) return Rejected(Reject::kBlockMalformed, st.message());
  if (!chain->is_string())
    return Rejected(Reject::kBlockMalformed, "header.chain_id must be a string");
  h.chain_id = chain->get<std::string>();
  return h;
}

Hash256 BlockHeader::Hash() const {
  thread_local crypto::TaggedHasher hasher(kBlockHashTag);
  return hasher.Hash(CanonicalJson(ToJson()));
}

std::string Block::Encode() const {
  // Canonical JSON: "header" sorts before "txs", and each part is already canonical.
  std::string out = "{\"header\":";
  AppendCanonicalJson(header.ToJson(), &out);
  out += ",\"txs\":[";
  for (std::size_t i = 0; i < txs.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += txs[i]->canonical();
  }
  out += "]}";
  return out;
}

Hash256 TxRoot(const std::vector<TxPtr>& txs) {
  std::vector<Hash256> leaves;
  leaves.reserve(txs.size());
  for (const TxPtr& tx : txs) leaves.push_back(tx->leaf());
  return crypto::MerkleRoot(leaves);
}

Result<Block> DecodeBlock(std::string_view payload, std::string_view chain_id,
                          std::size_t max_block_bytes, std::size_t max_tx_bytes,
                          const TxLookup& lookup, bool certified) {
  if (payload.size() > max_block_bytes) {
    return Rejected(Reject::kBlockTooLarge, "block of " + std::to_string(payload.size()) +
                                                " bytes exceeds " +
                                                std::to_string(max_block_bytes));
  }
  JsonLimits limits;
  limits.max_bytes = max_block_bytes;
  limits.max_depth = 10;
  auto json = ParseJson(payload, limits);
  if (!json.ok()) return Rejected(Reject::kBlockMalformed, json.status().ToString());
  FieldReader r(*json, "block");
  const Json* header = r.Object("header");
  const Json* txs = r.Raw("txs");
  Status st = r.Finish();
  if (!st.ok()) return Rejected(Reject::kBlockMalformed, st.message());
  if (!txs->is_array()) return Rejected(Reject::kBlockMalformed, "block.txs must be an array");
  Block block;
  CONSENTD_ASSIGN_OR_RETURN(block.header, BlockHeader::FromJson(*header));
  block.txs.reserve(txs->size());
  for (std::size_t i = 0; i < txs->size(); ++i) {
    const Json& tj = (*txs)[i];
    TxPtr tx;
    if (lookup && !certified) {
      // The leaf is the hash of the canonical signed tx, which is what the mempool keys by.
      tx = lookup(crypto::Sha256(CanonicalJson(tj)));
    }
    if (!tx) {
      auto parsed = certified ? Tx::FromCertifiedJson(tj, chain_id, max_tx_bytes)
                              : Tx::FromJson(tj, chain_id, max_tx_bytes);
      if (!parsed.ok()) {
        return Rejected(Reject::kBlockInvalidTx,
                        "tx " + std::to_string(i) + ": " + parsed.status().ToString());
      }
      tx = *parsed;
    }
    block.txs.push_back(std::move(tx));
  }
  return block;
}

}  // namespace consentd::ledger
