// FuzzCanonicalJson: see fuzz/targets.h.

#include "common/json.h"

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "fuzz/targets.h"

namespace consentd::fuzz {

void FuzzCanonicalJson(std::span<const std::uint8_t> data) {
  const std::string_view text = AsChars(data);
  const Result<Json> parsed = ParseJson(text);

  // Limits only ever take away: a document accepted under tight limits is accepted by default.
  const Result<Json> tight = ParseJson(text, JsonLimits{.max_bytes = 256, .max_depth = 4});
  if (tight.ok()) {
    FuzzCheck(parsed.ok(), "accepted under tight limits but refused by default");
    FuzzCheck(*tight == *parsed, "tight and default limits parse different values");
  }
  if (!parsed.ok()) {
    FuzzCheck(!parsed.status().code().empty(), "refusal without a code");
    return;
  }

  // The canonical form is itself strict JSON, parses to the same value and is a fixed point.
  const std::string canonical = CanonicalJson(*parsed);
  const Result<Json> again = ParseJson(canonical, JsonLimits{.max_bytes = canonical.size() + 1});
  FuzzCheck(again.ok(), "the canonical form of an accepted document does not parse");
  FuzzCheck(*again == *parsed, "the canonical form parses to another value");
  FuzzCheck(CanonicalJson(*again) == canonical, "canonical JSON is not a fixed point");
  FuzzCheck(canonical.size() <= text.size(), "canonical form longer than the input");

  std::string appended = "x";
  AppendCanonicalJson(*parsed, &appended);
  FuzzCheck(std::string_view(appended).substr(1) == canonical,
            "AppendCanonicalJson differs from CanonicalJson");
}

}  // namespace consentd::fuzz
