#pragma once

// The API's error vocabulary: every error body is {"error": {"code", "message"}} and its HTTP
// status is the reason's row in common/reasons.inc (docs/API.md, "Errors", is that table).

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace consentd::node::http {

// The reason's HTTP status. A reason that is never an API answer (status 0 in the catalogue:
// peers, files, the CLI) is the node's own fault if it reaches a client, so 500.
int HttpStatusFor(Reason reason);

Json ErrorBody(Reason reason, std::string_view message);
inline Json ErrorBody(const Status& status) { return ErrorBody(status.reason(), status.message()); }

}  // namespace consentd::node::http
