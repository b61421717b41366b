#pragma once

// The transaction fixtures every test suite shares: the one consent grant body they start from
// and the one way they sign a tx. TestChain (ledger/testing/test_chain.h), the receipt fixtures
// (wallet/testing/) and the real-process harness (tests/integration/harness.h) all build on
// these, so a schema change is made here once.

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "crypto/schnorr.h"
#include "ledger/tx_body.h"

namespace consentd::ledger::testing {

// The notice every fixture's grants refer to (version 1).
inline constexpr char kFixtureNoticeId[] = "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7";

// A domestic consent.grant body: `controller` may use the subject's (by key, hex) contact data
// for claims handling, collected by app, valid in [valid_from, valid_until).
Json FixtureGrantBody(const std::string& controller, const std::string& subject_key_hex,
                      std::int64_t valid_from, std::int64_t valid_until);

// One body of each tx type that passes the schema (docs/LEDGER.md), as JSON text in which $H
// stands for a document hash and $K for a subject's or member's key (hex). The fuzz corpus and
// the web verifier's parity cases start from these.
std::string_view FixtureBodyTemplate(TxType type);
// The template with $H and $K replaced.
Json FixtureBody(TxType type, const std::string& hash_hex, const std::string& key_hex);

// `unsigned_tx` (Tx::MakeUnsigned) with a signature by each of `keys`, in order. With `aux`,
// BIP340 auxiliary randomness is fixed, so the bytes are the same every run (committed
// fixtures); without it, fresh.
Json SignTxJson(Json unsigned_tx, const std::vector<const crypto::PrivateKey*>& keys,
                const FixedBytes<32>* aux = nullptr);

}  // namespace consentd::ledger::testing
