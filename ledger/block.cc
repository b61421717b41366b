#include "ledger/block.h"

#include <algorithm>
#include <optional>

#include "common/hex.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "crypto/tagged_hash.h"
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
  if (!st.ok()) return Status::Error(Reason::kBlockMalformed, st.message());
  if (!chain->is_string())
    return Status::Error(Reason::kBlockMalformed, "header.chain_id must be a string");
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

namespace {

// Where the object or array that starts at `at` ends (one past its closing bracket), or npos.
// Only brackets outside strings count; the text between is not validated here.
std::size_t ValueEnd(std::string_view s, std::size_t at) {
  int depth = 0;
  for (std::size_t i = at; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\') ++i;
      }
      if (i >= s.size()) return std::string_view::npos;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

bool Consume(std::string_view s, std::size_t* at, std::string_view token) {
  if (s.substr(*at, token.size()) != token) return false;
  *at += token.size();
  return true;
}

// One tx of a block, given its parsed JSON: the known tx of the same leaf, else parsed here.
Result<TxPtr> DecodeTx(const Json& tj, std::size_t index, std::string_view chain_id,
                       std::size_t max_tx_bytes, const TxLookup& lookup, bool certified) {
  if (lookup && !certified) {
    // The leaf is the hash of the canonical signed tx, which is what the mempool keys by.
    if (TxPtr known = lookup(crypto::Sha256(CanonicalJson(tj)))) return known;
  }
  auto parsed = certified ? Tx::FromCertifiedJson(tj, chain_id, max_tx_bytes)
                          : Tx::FromJson(tj, chain_id, max_tx_bytes);
  if (!parsed.ok()) {
    return Status::Error(Reason::kBlockInvalidTx,
                         "tx " + std::to_string(index) + ": " + parsed.status().ToString());
  }
  return parsed;
}

// The common case of a proposal: exactly Block::Encode's bytes, most of whose txs the mempool
// holds. The payload is split at its canonical layout without parsing it whole; a tx whose
// bytes hash to a known leaf is taken as it is, and only the others are parsed, one by one.
// Returns nothing on any other layout and on any error, and the caller decodes the general way:
// what it returns is what that would (DecodeTest.TheCanonicalLayoutDecodesAsTheGeneralWay).
std::optional<Block> DecodeCanonical(std::string_view payload, std::string_view chain_id,
                                     std::size_t max_tx_bytes, const TxLookup& lookup) {
  // Depth limits as the general way's: the block is level 1, its txs level 3 (of 10).
  JsonLimits header_limits;
  header_limits.max_bytes = payload.size();
  header_limits.max_depth = 9;
  JsonLimits tx_limits;
  tx_limits.max_bytes = payload.size();
  tx_limits.max_depth = 8;

  std::size_t at = 0;
  if (!Consume(payload, &at, "{\"header\":") || payload.substr(at, 1) != "{") return std::nullopt;
  const std::size_t header_end = ValueEnd(payload, at);
  if (header_end == std::string_view::npos) return std::nullopt;
  auto header_json = ParseJson(payload.substr(at, header_end - at), header_limits);
  if (!header_json.ok()) return std::nullopt;
  auto header = BlockHeader::FromJson(*header_json);
  if (!header.ok()) return std::nullopt;
  at = header_end;
  if (!Consume(payload, &at, ",\"txs\":[")) return std::nullopt;

  Block block;
  block.header = std::move(*header);
  // The count is the header's claim, checked later against the txs: bounded by the bytes here.
  block.txs.reserve(std::min<std::size_t>(block.header.tx_count, payload.size() / 64));
  if (!Consume(payload, &at, "]")) {
    while (true) {
      if (payload.substr(at, 1) != "{") return std::nullopt;
      const std::size_t end = ValueEnd(payload, at);
      if (end == std::string_view::npos) return std::nullopt;
      const std::string_view text = payload.substr(at, end - at);
      TxPtr tx = lookup(crypto::Sha256(text));
      if (!tx) {
        auto tj = ParseJson(text, tx_limits);
        if (!tj.ok()) return std::nullopt;
        auto decoded = DecodeTx(*tj, block.txs.size(), chain_id, max_tx_bytes, lookup, false);
        if (!decoded.ok()) return std::nullopt;
        tx = std::move(*decoded);
      }
      block.txs.push_back(std::move(tx));
      at = end;
      if (Consume(payload, &at, "]")) break;
      if (!Consume(payload, &at, ",")) return std::nullopt;
    }
  }
  if (!Consume(payload, &at, "}") || at != payload.size()) return std::nullopt;
  return block;
}

}  // namespace

Result<Block> DecodeBlock(std::string_view payload, std::string_view chain_id,
                          std::size_t max_block_bytes, std::size_t max_tx_bytes,
                          const TxLookup& lookup, bool certified) {
  if (payload.size() > max_block_bytes) {
    return Status::Error(Reason::kBlockTooLarge, "block of " + std::to_string(payload.size()) +
                                                     " bytes exceeds " +
                                                     std::to_string(max_block_bytes));
  }
  if (lookup && !certified) {
    if (auto block = DecodeCanonical(payload, chain_id, max_tx_bytes, lookup)) {
      return std::move(*block);
    }
  }
  JsonLimits limits;
  limits.max_bytes = max_block_bytes;
  limits.max_depth = 10;
  auto json = ParseJson(payload, limits);
  if (!json.ok()) return Status::Error(Reason::kBlockMalformed, json.status().ToString());
  FieldReader r(*json, "block");
  const Json* header = r.Object("header");
  const Json* txs = r.Raw("txs");
  Status st = r.Finish();
  if (!st.ok()) return Status::Error(Reason::kBlockMalformed, st.message());
  if (!txs->is_array()) return Status::Error(Reason::kBlockMalformed, "block.txs must be an array");
  Block block;
  CONSENTD_ASSIGN_OR_RETURN(block.header, BlockHeader::FromJson(*header));
  block.txs.reserve(txs->size());
  for (std::size_t i = 0; i < txs->size(); ++i) {
    CONSENTD_ASSIGN_OR_RETURN(TxPtr tx,
                              DecodeTx((*txs)[i], i, chain_id, max_tx_bytes, lookup, certified));
    block.txs.push_back(std::move(tx));
  }
  return block;
}

}  // namespace consentd::ledger
