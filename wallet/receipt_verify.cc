#include "wallet/receipt_verify.h"

#include <algorithm>
#include <optional>

#include "common/hex.h"
#include "consensus/certificate.h"
#include "consensus/validator_set.h"
#include "crypto/merkle.h"
#include "ledger/block.h"
#include "ledger/query/receipt.h"
#include "ledger/tx.h"

namespace consentd::wallet {
namespace {

// Receipts are of committed txs, whose size limit is the chain's parameter; the anchor does not
// carry it, so allow far more than any chain would.
constexpr std::size_t kMaxReceiptTxBytes = 1 << 20;
constexpr std::size_t kMaxReceiptBytes = 4 << 20;
// A Merkle path of a tree of at most 2^64 leaves.
constexpr std::size_t kMaxPathLength = 64;

ReceiptVerdict Fail(ReceiptCheck check, Reason code, std::string message) {
  ReceiptVerdict v;
  v.check = check;
  v.status = Status::Error(code, std::move(message));
  return v;
}

ReceiptVerdict Malformed(std::string message) {
  return Fail(ReceiptCheck::kFormat, Reason::kReceiptMalformed, std::move(message));
}

// The parsed parts of a receipt, before any check of what they claim.
struct Parts {
  std::string chain_id;
  const Json* tx = nullptr;
  Hash256 tx_id{};
  crypto::MerkleProof proof;
  ledger::BlockHeader header;
  Hash256 block_hash{};
  consensus::CommitCertificate certificate;
  std::optional<consensus::ValidatorSet> validators;
};

std::optional<Hash256> HashField(const Json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_string()) return std::nullopt;
  auto h = HexDecodeFixed<32>(j[name].get_ref<const std::string&>());
  if (!h.ok()) return std::nullopt;
  return *h;
}

std::optional<std::uint64_t> UintField(const Json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_number_integer()) return std::nullopt;
  const std::int64_t v = j[name].get<std::int64_t>();
  if (v < 0 || v > kJsonMaxSafeInteger) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

// Only the listed keys, each present.
bool HasExactly(const Json& j, std::initializer_list<const char*> keys) {
  if (!j.is_object() || j.size() != keys.size()) return false;
  return std::all_of(keys.begin(), keys.end(), [&](const char* k) { return j.contains(k); });
}

std::optional<ReceiptVerdict> ParseParts(const Json& r, Parts* out) {
  if (!r.is_object()) return Malformed("a receipt is a JSON object");
  if (!r.contains("version") || !r["version"].is_number_integer()) {
    return Malformed("missing or non-integer field version");
  }
  if (r["version"].get<std::int64_t>() != ledger::kReceiptVersion) {
    return Fail(ReceiptCheck::kFormat, Reason::kReceiptVersion,
                "receipt version " + r["version"].dump() + " is not supported (expected " +
                    std::to_string(ledger::kReceiptVersion) + ")");
  }
  if (!HasExactly(r, {"version", "chain_id", "tx", "tx_id", "proof", "header", "block_hash",
                      "certificate", "validators"})) {
    return Malformed(
        "a receipt has exactly the fields version, chain_id, tx, tx_id, proof, header, "
        "block_hash, certificate, validators");
  }
  if (!r["chain_id"].is_string()) return Malformed("chain_id must be a string");
  out->chain_id = r["chain_id"].get<std::string>();
  if (!r["tx"].is_object()) return Malformed("tx must be an object");
  out->tx = &r["tx"];
  const auto tx_id = HashField(r, "tx_id");
  if (!tx_id) return Malformed("tx_id must be 64 lowercase hex characters");
  out->tx_id = *tx_id;

  const Json& proof = r["proof"];
  if (!HasExactly(proof, {"index", "tree_size", "path"})) {
    return Malformed("proof has exactly the fields index, tree_size, path");
  }
  const auto index = UintField(proof, "index");
  const auto size = UintField(proof, "tree_size");
  if (!index || !size) return Malformed("proof.index and proof.tree_size must be integers >= 0");
  if (!proof["path"].is_array() || proof["path"].size() > kMaxPathLength) {
    return Malformed("proof.path must be an array of at most 64 hashes");
  }
  out->proof.index = *index;
  out->proof.tree_size = *size;
  for (const Json& p : proof["path"]) {
    if (!p.is_string()) return Malformed("proof.path entries must be hex strings");
    auto h = HexDecodeFixed<32>(p.get_ref<const std::string&>());
    if (!h.ok()) return Malformed("proof.path entry: " + h.status().ToString());
    out->proof.path.push_back(*h);
  }

  auto header = ledger::BlockHeader::FromJson(r["header"]);
  if (!header.ok()) return Malformed("header: " + header.status().ToString());
  out->header = std::move(*header);

  const auto block_hash = HashField(r, "block_hash");
  if (!block_hash) return Malformed("block_hash must be 64 lowercase hex characters");
  out->block_hash = *block_hash;

  auto cert = consensus::CommitCertificate::FromJson(r["certificate"]);
  if (!cert.ok()) return Malformed(cert.status().ToString());
  out->certificate = std::move(*cert);

  auto set = consensus::ValidatorSet::FromJson(r["validators"]);
  if (!set.ok()) return Malformed("validators: " + set.status().ToString());
  out->validators = std::move(*set);
  return std::nullopt;
}

}  // namespace

const char* ToString(ReceiptCheck check) {
  switch (check) {
    case ReceiptCheck::kFormat:
      return "format";
    case ReceiptCheck::kChain:
      return "chain";
    case ReceiptCheck::kValidatorSet:
      return "validator_set";
    case ReceiptCheck::kTx:
      return "tx";
    case ReceiptCheck::kMerklePath:
      return "merkle_path";
    case ReceiptCheck::kHeaderHash:
      return "header_hash";
    case ReceiptCheck::kCertificate:
      return "certificate";
  }
  return "?";
}

Result<TrustAnchor> TrustAnchor::FromGenesis(const ledger::Genesis& genesis) {
  CONSENTD_ASSIGN_OR_RETURN(consensus::ValidatorSet set, genesis.Validators());
  return TrustAnchor{genesis.chain_id, {set.Hash()}};
}

Result<TrustAnchor> TrustAnchor::FromJson(const Json& json) {
  auto invalid = [](const std::string& m) { return Status::Error(Reason::kAnchorInvalid, m); };
  if (!json.is_object()) return invalid("a trust anchor is a JSON object");
  if (json.contains("members")) {  // a genesis file
    CONSENTD_ASSIGN_OR_RETURN(ledger::Genesis genesis, ledger::Genesis::FromJson(json));
    return FromGenesis(genesis);
  }
  if (!json.contains("chain_id") || !json["chain_id"].is_string() ||
      json["chain_id"].get_ref<const std::string&>().empty()) {
    return invalid("chain_id must be a non-empty string");
  }
  TrustAnchor anchor;
  anchor.chain_id = json["chain_id"].get<std::string>();
  Json hashes = Json::array();
  if (json.contains("validator_set_hash")) hashes.push_back(json["validator_set_hash"]);
  if (json.contains("validator_set_hashes")) {
    if (!json["validator_set_hashes"].is_array())
      return invalid("validator_set_hashes must be an array");
    for (const Json& h : json["validator_set_hashes"]) hashes.push_back(h);
  }
  if (hashes.empty()) return invalid("needs validator_set_hash (or validator_set_hashes)");
  for (const Json& h : hashes) {
    if (!h.is_string()) return invalid("a validator-set hash must be a hex string");
    auto bytes = HexDecodeFixed<32>(h.get_ref<const std::string&>());
    if (!bytes.ok()) return invalid("validator-set hash: " + bytes.status().ToString());
    anchor.validator_set_hashes.push_back(*bytes);
  }
  return anchor;
}

Json TrustAnchor::ToJson() const {
  Json hashes = Json::array();
  for (const Hash256& h : validator_set_hashes) hashes.push_back(HexEncode(h));
  return Json{{"chain_id", chain_id}, {"validator_set_hashes", hashes}};
}

ReceiptVerdict VerifyReceipt(const Json& receipt, const TrustAnchor& anchor) {
  Parts p;
  if (auto failed = ParseParts(receipt, &p)) return std::move(*failed);

  // Chain: a receipt of another chain proves nothing here, however well signed.
  const Json& tx_chain = (*p.tx).contains("chain_id") ? (*p.tx)["chain_id"] : Json();
  for (const auto& [what, value] :
       {std::pair<const char*, std::string>{"receipt", p.chain_id},
        {"header", p.header.chain_id},
        {"tx", tx_chain.is_string() ? tx_chain.get<std::string>() : std::string("(none)")}}) {
    if (value != anchor.chain_id) {
      return Fail(ReceiptCheck::kChain, Reason::kReceiptWrongChain,
                  std::string("the ") + what + " is for chain \"" + value.substr(0, 64) +
                      "\", the trust anchor is for \"" + anchor.chain_id + "\"");
    }
  }

  // Validator set: only the anchor's sets are trusted to sign.
  const consensus::ValidatorSet& set = *p.validators;
  if (std::find(anchor.validator_set_hashes.begin(), anchor.validator_set_hashes.end(),
                set.Hash()) == anchor.validator_set_hashes.end()) {
    return Fail(ReceiptCheck::kValidatorSet, Reason::kReceiptUnknownValidatorSet,
                "the receipt's validator set hashes to " + HexEncode(set.Hash()) +
                    ", which the trust anchor does not list");
  }
  if (p.header.validator_set_hash != set.Hash()) {
    return Fail(ReceiptCheck::kValidatorSet, Reason::kReceiptValidatorSetMismatch,
                "the header names validator set " + HexEncode(p.header.validator_set_hash) +
                    ", the receipt carries " + HexEncode(set.Hash()));
  }

  // The tx: its id first (a changed tx changes its id), then its signatures.
  auto tx = ledger::Tx::FromJson(*p.tx, anchor.chain_id, kMaxReceiptTxBytes);
  if (!tx.ok()) {
    if (tx.status().reason() != Reason::kTxBadSignature) {
      return Fail(ReceiptCheck::kTx, Reason::kReceiptTxInvalid, "tx: " + tx.status().ToString());
    }
    // Everything but the signatures parsed, so the rest is exactly the unsigned envelope.
    Json unsigned_tx = *p.tx;
    unsigned_tx.erase("signatures");
    if (ledger::Tx::IdOf(unsigned_tx) != p.tx_id) {
      return Fail(ReceiptCheck::kTx, Reason::kReceiptTxIdMismatch,
                  "the tx hashes to " + HexEncode(ledger::Tx::IdOf(unsigned_tx)) +
                      ", the receipt's tx_id is " + HexEncode(p.tx_id));
    }
    return Fail(ReceiptCheck::kTx, Reason::kReceiptTxBadSignature, tx.status().message());
  }
  if ((*tx)->id() != p.tx_id) {
    return Fail(ReceiptCheck::kTx, Reason::kReceiptTxIdMismatch,
                "the tx hashes to " + HexEncode((*tx)->id()) + ", the receipt's tx_id is " +
                    HexEncode(p.tx_id));
  }

  // Merkle path from the tx's leaf to the header's tx_root.
  if (p.proof.tree_size != p.header.tx_count) {
    return Fail(ReceiptCheck::kMerklePath, Reason::kReceiptMerkleMismatch,
                "proof.tree_size " + std::to_string(p.proof.tree_size) + " but the header has " +
                    std::to_string(p.header.tx_count) + " txs");
  }
  if (!crypto::MerkleVerify((*tx)->leaf(), p.proof, p.header.tx_root)) {
    return Fail(ReceiptCheck::kMerklePath, Reason::kReceiptMerkleMismatch,
                "the tx's leaf " + HexEncode((*tx)->leaf()) + " at index " +
                    std::to_string(p.proof.index) + " does not lead to tx_root " +
                    HexEncode(p.header.tx_root));
  }

  // Header hash.
  const Hash256 header_hash = p.header.Hash();
  if (header_hash != p.block_hash) {
    return Fail(ReceiptCheck::kHeaderHash, Reason::kReceiptHeaderHashMismatch,
                "the header hashes to " + HexEncode(header_hash) +
                    ", the receipt's block_hash is " + HexEncode(p.block_hash));
  }

  // 2f+1 distinct validators precommitted this block at this height.
  Status cert = consensus::VerifyCertificateFor(p.certificate, anchor.chain_id, set,
                                                p.header.height, p.block_hash);
  if (!cert.ok()) return Fail(ReceiptCheck::kCertificate, cert.reason(), cert.message());

  ReceiptVerdict v;
  VerifiedReceipt& out = v.receipt;
  out.chain_id = anchor.chain_id;
  out.tx_id = p.tx_id;
  out.tx_type = ledger::ToString((*tx)->type());
  for (const auto& s : (*tx)->signatures()) out.signers.push_back(s.key.Hex());
  out.height = p.header.height;
  out.block_time_ms = p.header.time_ms;
  out.block_hash = p.block_hash;
  out.round = p.certificate.round;
  out.precommits = p.certificate.precommits.size();
  out.validators = set.size();
  out.validator_set_hash = set.Hash();
  return v;
}

ReceiptVerdict VerifyReceiptText(std::string_view text, const TrustAnchor& anchor) {
  auto json = ParseJson(text, JsonLimits{kMaxReceiptBytes, 16});
  if (!json.ok()) return Malformed("not a JSON document: " + json.status().ToString());
  return VerifyReceipt(*json, anchor);
}

}  // namespace consentd::wallet
