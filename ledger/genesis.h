#pragma once

// The genesis file: what every validator of a chain agrees on before the first block. Chain
// id and time, the founding members with their roles and keys, the governance threshold, the
// consensus timeouts and the ledger's parameters. Loaded from JSON and validated with errors
// that name the offending field ("genesis_invalid").
//
// {
//   "chain_id": "local-4",
//   "genesis_time_ms": 1767225600000,
//   "governance_threshold": 3,
//   "members": [{"id": "insurer-a", "roles": ["insurer"], "keys": ["<hex>"],
//                "jurisdiction": "CN", "validator_key": "<hex>"}, ...],
//   "consensus": { TimeoutParams, see consensus/params.h },
//   "params": { LedgerParams, below; every field optional with the default shown }
// }

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "consensus/params.h"
#include "consensus/validator_set.h"
#include "ledger/tx_body.h"

namespace consentd::ledger {

struct LedgerParams {
  std::int64_t rights_deadline_ms = 15LL * 24 * 3600 * 1000;   // 15 days to answer a request
  std::int64_t objection_window_ms = 30LL * 24 * 3600 * 1000;  // after a portfolio transfer
  std::int64_t max_backdate_ms = 24LL * 3600 * 1000;           // sharing.record shared_at
  std::int64_t max_clock_drift_ms = 10'000;                    // block time vs local clock
  std::int64_t max_block_txs = 2000;
  std::int64_t max_block_bytes = 8 << 20;
  std::int64_t max_tx_bytes = 64 << 10;
  std::int64_t max_tx_lifetime = 100'000;        // expires_at_height - height, in blocks
  std::int64_t validator_change_delay = 2;       // blocks until a validator-set change applies
  std::int64_t max_transfer_consents = 100'000;  // consents one portfolio.transfer may move
  // A transfer completes only after an active regulator's transfer.approve, and the one-step
  // portfolio.transfer is refused. Written to the genesis only when true, so a genesis without
  // it keeps its hash.
  bool transfer_approval_required = false;
  // A sharing of sensitive data, abroad, entrusted or to a third party needs the sender's impact
  // assessment covering it (PIPL Art. 55; assessment.record). Written only when true.
  bool assessment_required = false;

  Json ToJson() const;
  static Result<LedgerParams> FromJson(const Json& json);
};

struct Genesis {
  std::string chain_id;
  std::int64_t genesis_time_ms = 0;
  std::int64_t governance_threshold = 1;
  std::vector<MemberRegister> members;
  consensus::TimeoutParams consensus;
  LedgerParams params;

  // The initial validator set: every member's validator_key.
  Result<consensus::ValidatorSet> Validators() const;
  Json ToJson() const;
  // TaggedHash("consentd/genesis/v1", canonical JSON): the prev_hash of block 1 and part of
  // every node's identity check.
  Hash256 Hash() const;

  // Errors: "genesis_invalid" naming the field, json_* for unparsable text.
  static Result<Genesis> FromJson(const Json& json);
  static Result<Genesis> Parse(std::string_view text);
  static Result<Genesis> Load(const std::string& path);
};

}  // namespace consentd::ledger
