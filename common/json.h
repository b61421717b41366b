#pragma once

// Canonical JSON (DESIGN.md section 4): RFC 8785 (JCS) restricted to integers. Everything the
// ledger hashes or signs is serialised by CanonicalJson; everything that arrives from a client,
// a peer or a file is read by ParseJson, which refuses whatever could make two parties disagree
// about the bytes (floats, duplicate keys, invalid UTF-8) or exhaust the node (size, depth).
//
// Values are nlohmann::json. Integers are limited to the range a JavaScript verifier represents
// exactly, +-(2^53 - 1), so browsers and other third-party verifiers agree on every digit.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace consentd {

using Json = nlohmann::json;

// Largest integer magnitude allowed in canonical JSON (Number.MAX_SAFE_INTEGER).
inline constexpr std::int64_t kJsonMaxSafeInteger = (std::int64_t{1} << 53) - 1;

struct JsonLimits {
  std::size_t max_bytes = 1 << 20;  // whole document
  int max_depth = 32;               // nested objects/arrays; the top-level value is depth 1
};

// Refusals: the json_* codes of common/reasons.inc.

// Parses untrusted text strictly. Insignificant whitespace is accepted (clients may pretty-print);
// canonical form is what CanonicalJson produces.
Result<Json> ParseJson(std::string_view text, const JsonLimits& limits = {});

// Serialises per JCS: keys sorted by UTF-16 code units, no whitespace, minimal string escapes
// (\b \t \n \f \r \" \\ and \u00xx for other control characters; everything else, U+2028
// included, is written as UTF-8), integers in plain decimal.
// REQUIRES: `value` holds no floating-point number or binary value, and its strings are valid
// UTF-8. ParseJson guarantees both; code that builds values must keep to integers.
std::string CanonicalJson(const Json& value);
void AppendCanonicalJson(const Json& value, std::string* out);
// The canonical form of one string or integer, for writers that build canonical text directly.
void AppendCanonicalString(std::string_view s, std::string* out);
void AppendCanonicalInteger(std::int64_t v, std::string* out);
void AppendCanonicalInteger(std::uint64_t v, std::string* out);

}  // namespace consentd
