#pragma once

// What the reason catalogue (common/reasons.inc) says to the outside world: docs/API.md's
// "Errors" tables (the codes the HTTP API answers with), docs/CLI.md's "Reason codes" tables
// (the rest: peers, files, keys, receipts, the CLI), the OpenAPI file's
// `components.x-error-codes`, and `consentctl reasons`. ReasonDocsTest holds the docs equal to
// these.

#include <cstdint>
#include <string>

#include "common/json.h"

namespace consentd {

enum class ReasonScope : std::uint8_t {
  kApi,    // codes with an HTTP status: the API answers with them
  kLocal,  // codes that are never an API answer
};

// One "### group" heading and a table per group with a code of that scope, in catalogue order.
// kApi tables have the columns code, status, class, meaning; kLocal ones code, class, meaning.
std::string ReasonsMarkdown(ReasonScope scope);

// The entries of `components.x-error-codes` (docs/api/openapi.yaml), one per API code:
// "    code: {status: 400, class: 'invalid input', meaning: '...'}\n".
std::string ReasonsOpenApi();

// Every code: [{"code", "class", "http_status" (null when never an API answer), "meaning",
// "group"}], in catalogue order.
Json ReasonsJson();

}  // namespace consentd
