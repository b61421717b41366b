// FuzzRequestSignature: see fuzz/targets.h.

#include "wallet/request_signature.h"

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/hex.h"
#include "common/json.h"
#include "fuzz/targets.h"

namespace consentd::fuzz {
namespace {

// tests/fixtures/request_signature/example.json: the request its signature covers (the seed
// corpus holds that signature, so the verifying branch is reached).
constexpr std::string_view kChain = "local-4";
constexpr std::string_view kTarget =
    "/v1/subjects/key:f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9/"
    "consents?limit=10";

}  // namespace

void FuzzRequestSignature(std::span<const std::uint8_t> data) {
  const std::string_view header = AsChars(data);
  const Result<wallet::RequestSignature> parsed = wallet::ParseRequestSignature(header);
  if (!parsed.ok()) {
    FuzzCheck(parsed.status().code() == "auth_malformed", "a refusal without auth_malformed");
    return;
  }
  // The grammar has one spelling per value: what parsed prints back to the same bytes.
  const std::string printed = std::string(wallet::kRequestScheme) + " key=" + parsed->key.Hex() +
                              ",ts=" + std::to_string(parsed->ts_ms) +
                              ",sig=" + HexEncode(parsed->sig);
  FuzzCheck(printed == header, "an accepted header that is not in its one spelling");
  FuzzCheck(parsed->ts_ms >= 0 && parsed->ts_ms <= kJsonMaxSafeInteger, "ts out of range");

  // A signature that covers the fixture's request covers nothing else.
  wallet::RequestToSign request{kChain, "GET", kTarget, "", parsed->ts_ms};
  if (!parsed->key.Verify(wallet::RequestSignHash(request), parsed->sig)) return;
  request.method = "POST";
  FuzzCheck(!parsed->key.Verify(wallet::RequestSignHash(request), parsed->sig),
            "a request signature verifies for another method");
}

}  // namespace consentd::fuzz
