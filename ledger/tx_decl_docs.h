#pragma once

// What the declarations (ledger/tx_decl.h) say to the outside world: a JSON Schema per
// transaction type (docs/api/schemas/<type>.json, written by `consentctl schema`) and the body
// and signer columns of docs/LEDGER.md's transaction table. Tests hold both equal to these.

#include <string>

#include "common/json.h"
#include "ledger/tx_decl.h"

namespace consentd::ledger {

// JSON Schema (draft 2020-12) of a type's body. Beside the standard keywords it carries the
// declaration itself, which the standard cannot say (field order, so which error wins; the
// cross-field rules and their reason codes): "x-consentd-fields" and "x-consentd-rules".
Json JsonSchemaOf(const TxDecl& decl);

// docs/LEDGER.md's body column: "member, roles[], keys[], jurisdiction, validator_key?".
std::string BodySummaryOf(const TxDecl& decl);

}  // namespace consentd::ledger
