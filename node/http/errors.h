#pragma once

// The API's error vocabulary: every error body is {"error": {"code", "message"}} and its HTTP
// status follows from the code (docs/API.md, "Errors", lists them all).

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace consentd::node::http {

// 400 request form (json_*, schema tx_* codes, bad_parameter, bad_id, query_bad_*),
// 401 auth_*, 403 forbidden, 404 not_found, 409 duplicates, 413 *too_large,
// 422 ledger rules, 429 rate_limited, 500 store_* / internal, 503 mempool_full / not_ready /
// too_many_streams, 504 commit_timeout.
int HttpStatusFor(std::string_view code);

Json ErrorBody(std::string_view code, std::string_view message);
inline Json ErrorBody(const Status& status) { return ErrorBody(status.code(), status.message()); }

}  // namespace consentd::node::http
