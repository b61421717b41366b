#pragma once

// Offline receipt verification (DESIGN.md section 7; docs/RECEIPTS.md is the byte-level
// specification). A receipt is the document ledger/query/receipt.h builds and the node serves at
// GET /v1/receipts/{tx_id}; a customer checks it against a trust anchor they were given (the
// genesis file, or a chain id and a validator-set hash) without trusting the node that served
// it, and without any network.
//
// The checks run in this order; the first failure is the verdict:
//   format        the document's shape                    receipt_malformed, receipt_version
//   chain         chain ids of receipt, tx and header     receipt_wrong_chain
//   validator set the receipt's set hashes to a trusted   receipt_unknown_validator_set,
//                 hash, and the header names that set     receipt_validator_set_mismatch
//   tx            the tx parses (schema, vocabulary),     receipt_tx_invalid,
//                 its id is tx_id, every signature        receipt_tx_id_mismatch,
//                 verifies                                receipt_tx_bad_signature
//   merkle path   leaf + path give header.tx_root         receipt_merkle_mismatch
//   header hash   TaggedHash(block, header) = block_hash  receipt_header_hash_mismatch
//   certificate   2f+1 distinct validators of the set     cert_wrong_height, cert_wrong_block,
//                 precommitted block_hash at its height   cert_unknown_signer,
//                                                         cert_duplicate_signer,
//                                                         cert_too_few_signatures,
//                                                         cert_bad_signature, cert_invalid
// The certificate codes are consensus/certificate.h's: the node applies the same rule.
//
// Pure functions over their inputs; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "ledger/genesis.h"

namespace consentd::wallet {

// What the customer trusts: the chain and the validator sets whose signatures count. A receipt
// from a height decided by a set not listed here (after a validator-set change) needs that
// set's hash added by someone the customer trusts.
struct TrustAnchor {
  std::string chain_id;
  std::vector<Hash256> validator_set_hashes;

  // The chain id and the genesis validator set. Errors: those of Genesis::Validators().
  static Result<TrustAnchor> FromGenesis(const ledger::Genesis& genesis);
  // {"chain_id": ..., "validator_set_hash": hex} or {"chain_id", "validator_set_hashes": [hex]},
  // or a genesis document. Errors: "anchor_invalid", genesis_invalid.
  static Result<TrustAnchor> FromJson(const Json& json);
  Json ToJson() const;
};

enum class ReceiptCheck : std::uint8_t {
  kFormat,
  kChain,
  kValidatorSet,
  kTx,
  kMerklePath,
  kHeaderHash,
  kCertificate,
};
const char* ToString(ReceiptCheck check);  // "format", "chain", ..., "certificate"

// What a verified receipt proves, for display.
struct VerifiedReceipt {
  std::string chain_id;
  Hash256 tx_id{};
  std::string tx_type;
  std::vector<std::string> signers;  // tx signer keys, hex
  std::uint64_t height = 0;
  std::int64_t block_time_ms = 0;
  Hash256 block_hash{};
  std::uint32_t round = 0;
  std::size_t precommits = 0;
  std::size_t validators = 0;
  Hash256 validator_set_hash{};
};

struct ReceiptVerdict {
  bool ok() const { return status.ok(); }
  Status status;                               // OK, or the reason code and why
  ReceiptCheck check = ReceiptCheck::kFormat;  // the failed check (meaningless when ok)
  VerifiedReceipt receipt;                     // filled when ok
};

ReceiptVerdict VerifyReceipt(const Json& receipt, const TrustAnchor& anchor);
// Parses `text` (at most 4 MiB, strict JSON) first; unparsable text is a format failure.
ReceiptVerdict VerifyReceiptText(std::string_view text, const TrustAnchor& anchor);

}  // namespace consentd::wallet
