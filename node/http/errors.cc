#include "node/http/errors.h"

#include <array>

#include "ledger/store/store_fault.h"

namespace consentd::node::http {

int HttpStatusFor(std::string_view code) {
  if (code.starts_with("auth_")) return 401;
  if (code == "forbidden") return 403;
  if (code == "not_found") return 404;
  if (code == "request_timeout") return 408;
  if (code == "uri_too_long") return 414;
  if (code == "headers_too_long" || code == "too_many_headers") return 431;
  if (code == "mempool_duplicate" || code == "tx_duplicate") return 409;
  if (code.ends_with("too_large")) return 413;
  if (code == "rate_limited") return 429;
  if (code == "mempool_full" || code == "not_ready" || code == "too_many_streams" ||
      code == "too_many_connections" || code == "shutting_down" ||
      code == "too_many_signed_requests" || code == "access_log_unavailable")
    return 503;
  if (code == "commit_timeout") return 504;
  if (ledger::StoreFaultOf(code) || code == "internal") return 500;
  if (code.starts_with("json_") || code.starts_with("query_") || code == "bad_parameter" ||
      code == "bad_id" || code == "bad_request" || code == "unsupported_media_type")
    return 400;
  if (code.starts_with("tx_")) {
    // The tx's own form is 400; these depend on the chain's state, like every ledger rule.
    static constexpr std::array<std::string_view, 4> kStateful = {
        "tx_expired", "tx_expiry_too_far", "tx_missing_signature", "tx_unexpected_signer"};
    for (std::string_view s : kStateful) {
      if (code == s) return 422;
    }
    return 400;
  }
  return 422;  // a ledger rule refused the transaction
}

Json ErrorBody(std::string_view code, std::string_view message) {
  return Json{{"error", {{"code", code}, {"message", message}}}};
}

}  // namespace consentd::node::http
