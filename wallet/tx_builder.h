#pragma once

// Transaction builders for every tx type (docs/LEDGER.md), made from the ledger's declaration
// of each type (ledger/tx_decl.h: fields, doc lines, builder defaults): BuildBody, which turns text
// values (what a user types as command-line flags, or an app collects in a form) into a body and
// checks it with the ledger's own schema and vocabulary validation (ledger::ParseBody) before
// anything is signed. A body that BuildBody returns passes every stateless check a node applies;
// rules that need the ledger's state (is the controller an active insurer? is the consent live?)
// are the node's to judge.
//
// Text forms of the values:
//   identifier, code         as is                          insurer-a, ClaimsHandling
//   list                     comma-separated, may be empty  Contact,Health
//   hash, key                64 lowercase hex characters
//   time                     Unix ms, or RFC 3339 UTC       1767225600000, 2026-01-01T00:00:00Z
//   int                      decimal
//   bool                     true | false
//   subject                  key:<hex> | ref:<hex>
//   notice                   <notice_id>:<version>          5f0c3a9e21d84b7c96e1a2b3c4d5e6f7:1
//   key or none              a key, or "none" (member.update validator_key: remove)
//
// Stateless and thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "ledger/tx_body.h"
#include "ledger/tx_decl.h"

namespace consentd::wallet {

// The text form of a field, for --help: "identifier", "code list", "key or none", ...
std::string TextFormOf(const ledger::FieldDecl& field);

// Parses a time: Unix milliseconds, or RFC 3339 UTC ("2026-01-01T00:00:00Z", optional
// ".mmm" fraction). Errors: "usage".
Result<std::int64_t> ParseTime(std::string_view text);

// Builds and checks a body. `values` maps body field names to text. Errors: "usage" (an
// unknown field, a required field missing, text not of the field's form) and the ledger's
// schema codes (tx_invalid_code for a code outside the vocabulary, tx_invalid_value, ...).
Result<Json> BuildBody(ledger::TxType type, const std::map<std::string, std::string>& values);

// Checks a body given as JSON with the ledger's schema and vocabularies.
Status CheckBody(ledger::TxType type, const Json& body);

}  // namespace consentd::wallet
