#pragma once

// A customer's signed API request (docs/API.md, "Customers: signed requests"): a customer
// signs in with the BIP340 key that is their subject on the ledger, with no account and no
// token. Every request carries
//
//   Authorization: BIP340 key=<64 hex>,ts=<unix ms>,sig=<128 hex>
//
// (lower-case hex, no spaces, exactly these three fields in this order), where `sig` is the
// key's BIP340 signature over
//
//   sign hash = TaggedHash("consentd/request/v1",
//                          chain_id "\n" METHOD "\n" target "\n" hex(SHA-256(body)) "\n" ts)
//
// METHOD is the method as sent (GET, HEAD, POST), target the request-target exactly as sent
// (path and query, percent-encoding untouched), body the exact body bytes (empty for a GET),
// ts the same decimal as in the header. The node accepts it within kRequestWindowMs of its
// clock and only once (wallet code signs; node/http/auth.cc verifies).

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/schnorr.h"

namespace consentd::wallet {

inline constexpr std::string_view kRequestScheme = "BIP340";
// A signed request is accepted while the node's clock is within this many milliseconds of its
// `ts`, either side.
inline constexpr std::int64_t kRequestWindowMs = 30'000;

struct RequestToSign {
  std::string_view chain_id;
  std::string_view method;
  std::string_view target;
  std::string_view body;
  std::int64_t ts_ms = 0;
};

// The text under the tag, and its tagged hash.
std::string RequestSigningText(const RequestToSign& r);
Hash256 RequestSignHash(const RequestToSign& r);

// The Authorization header's value for `r` signed by `key`.
std::string SignRequest(const crypto::PrivateKey& key, const RequestToSign& r);

struct RequestSignature {
  crypto::PublicKey key;
  std::int64_t ts_ms;
  crypto::SignatureBytes sig;
};

// Parses "BIP340 key=...,ts=...,sig=..." (the whole header value). Errors: "auth_malformed"
// (wrong shape, upper-case or short hex, ts not a decimal in 0..2^53-1, a key that is not a
// curve point), each naming what is wrong.
Result<RequestSignature> ParseRequestSignature(std::string_view header);

}  // namespace consentd::wallet
