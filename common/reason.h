#pragma once

// Reason codes: why an operation failed, as one enum over the whole project. Each code has one
// row in common/reasons.inc with its wire string (lower_snake_case, part of the public interface:
// the HTTP API, the CLI and the docs name it), its class, the HTTP status the API answers it with
// and its doc line. Status carries a Reason, so a typo in a code does not compile and a code
// cannot reach a user without a documented status.
//
// Thread-safety: the table is immutable after its first use (a function-local static).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace consentd {

// What the caller can do about it.
enum class ReasonClass : std::uint8_t {
  kInvalidInput,  // the request, file or argument is malformed: fix it, do not retry
  kRejected,      // well formed, but the ledger's rules or its state refuse it
  kDenied,        // the caller is not authenticated, or may not do this
  kUnavailable,   // not now: a limit, a node that is not ready, the network; retry later
  kInternal,      // the node's own fault: its storage, files, threads or an invariant
};

enum class Reason : std::uint16_t {
  kOk = 0,  // not a failure; Status::ok()
#define CONSENTD_REASON_GROUP(title)
#define CONSENTD_REASON(name, code, cls, http, doc) name,
#include "common/reasons.inc"
#undef CONSENTD_REASON
#undef CONSENTD_REASON_GROUP
};

struct ReasonInfo {
  Reason reason = Reason::kOk;
  std::string code;       // the wire string; empty for kOk
  std::string_view name;  // the enumerator, "kJsonSyntax"
  ReasonClass cls = ReasonClass::kInternal;
  int http_status = 0;  // 0: never an HTTP API answer (peers, files, the CLI)
  std::string_view doc;
  std::string_view group;  // the heading it is listed under in the docs
};

const ReasonInfo& InfoOf(Reason reason);
// Every reason but kOk, in the catalogue's order.
std::span<const ReasonInfo> AllReasons();

inline const std::string& ToString(Reason reason) { return InfoOf(reason).code; }
inline ReasonClass ClassOf(Reason reason) { return InfoOf(reason).cls; }
// nullopt for a string that is no reason code (kOk's empty string included).
std::optional<Reason> ParseReason(std::string_view code);

// "invalid input", "rejected", "denied", "unavailable", "internal".
std::string_view ToString(ReasonClass cls);

}  // namespace consentd
