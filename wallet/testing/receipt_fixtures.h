#pragma once

// The shared receipt fixtures of tests/fixtures/receipts/: valid receipts, one tampered variant
// per verification check, and the trust anchor they are judged against. Every verifier of
// receipts (wallet/receipt_verify.h, the browser verifier) must reach the verdict that
// manifest.json names for each file.
//
// Generated in-process and deterministically: a ledger with a fixed test genesis commits blocks
// whose transactions and commit certificates are signed by keys derived from names, with fixed
// BIP340 auxiliary randomness, so regenerating yields identical bytes (receipt_fixtures_test
// checks that the committed files are what this produces). Regenerate with
//   build/wallet/gen_receipt_fixtures tests/fixtures/receipts

#include <map>
#include <string>

#include "common/result.h"

namespace consentd::wallet::testing {

// File name -> contents for every fixture file, manifest.json included.
Result<std::map<std::string, std::string>> GenerateReceiptFixtures();

}  // namespace consentd::wallet::testing
