#pragma once

// Query-string parameters of the HTTP API, parsed strictly: every route names the parameters it
// takes, an unknown or repeated one is an error, numbers are plain decimal within bounds, ids
// are 64 lower- or upper-case hex digits. Errors: "bad_parameter", "bad_id".

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"
#include "ledger/query/queries.h"

namespace consentd::node::http {

using QueryParams = std::multimap<std::string, std::string>;

// A 32-byte id in hex; `what` names it in the error.
Result<Hash256> ParseId(std::string_view what, std::string_view text);

class Params {
 public:
  explicit Params(const QueryParams& query) : query_(query) {}

  // Refuses any parameter not in `allowed`, and any given twice.
  Status Only(std::initializer_list<std::string_view> allowed) const;

  std::optional<std::string> Get(const std::string& name) const;
  // A decimal integer in [min, max].
  Result<std::optional<std::uint64_t>> Uint(const std::string& name, std::uint64_t min,
                                            std::uint64_t max) const;
  // A time in milliseconds since the epoch (0 .. 2^53-1).
  Result<std::optional<std::int64_t>> Time(const std::string& name) const;
  // `cursor` (opaque, at most 256 characters) and `limit` (1 .. ledger::kMaxPageLimit).
  Result<ledger::PageRequest> Page() const;

 private:
  const QueryParams& query_;
};

// A request target split into its percent-decoded path and its query parameters ("a=1&b=x%20y";
// '+' in the query is a space, as browsers and form encoders send it). nullopt when the target
// is not origin-form ("/..."), or a %-escape is not two hex digits.
struct Target {
  std::string path;
  QueryParams query;
};
std::optional<Target> ParseTarget(std::string_view target);

// Decimal digits only, no sign, at most 16 digits. nullopt otherwise.
std::optional<std::uint64_t> ParseDecimal(std::string_view text);

}  // namespace consentd::node::http
