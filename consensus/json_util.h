#pragma once

// Strict field readers for the consensus JSON forms (votes, proposals, certificates, safety
// state, timeout parameters). Each form is an object with exactly the documented keys: unknown
// or missing keys, wrong types and out-of-range integers are errors carrying the form's reason
// code (e.g. "vote_invalid") and the offending key. Never throws.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"

namespace consentd::consensus {

class JsonReader {
 public:
  // `code` is the reason code of every error, `what` names the form in messages.
  JsonReader(const Json& json, Reason code, std::string what);

  // Checks that the value is an object whose keys are exactly `keys`.
  Status ExpectKeys(std::initializer_list<std::string_view> keys) const;

  // An integer in [min, max]; both bounds must lie within +-(2^53 - 1).
  Result<std::int64_t> Int(std::string_view key, std::int64_t min, std::int64_t max) const;
  Result<std::string> String(std::string_view key) const;
  // Lowercase hex of exactly 32 bytes.
  Result<Hash256> Hash(std::string_view key) const;
  Result<FixedBytes<64>> Sig(std::string_view key) const;
  Result<Bytes> HexBytes(std::string_view key) const;
  bool IsNull(std::string_view key) const;
  const Json& At(std::string_view key) const;

  Status Error(std::string_view key, std::string_view problem) const;

 private:
  const Json& json_;
  Reason code_;
  std::string what_;
};

}  // namespace consentd::consensus
