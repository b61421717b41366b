#pragma once

// The HTTP API's bearer tokens as operators run them (docs/CONFIG.md, "API tokens"): each is a
// named principal (who holds it), with a role, the member an insurer token speaks for, an
// optional expiry and a revocation mark. Only the token's SHA-256 is ever stored.
//
// Tokens come from the config (`http.tokens`, read at start) and from the tokens file
// (`http.tokens_file`, default api_tokens.json in the home), which `consentctl token issue` and
// `consentctl token revoke` edit and the node re-reads on SIGHUP without a restart:
//
//   {"tokens": [{"name": "claims-desk", "sha256": "<64 hex>", "role": "insurer",
//                "member": "insurer-a", "issued_at": <unix ms>, "expires_at": <unix ms>,
//                "revoked_at": <unix ms>}]}
//
// `expires_at` and `revoked_at` are optional; names are unique across both sources.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "node/env.h"

namespace consentd::node {

struct ApiToken {
  std::string name;    // who holds it: 1..64 printable ASCII characters
  Hash256 sha256{};    // SHA-256 of the bearer token; the token itself is never stored
  std::string role;    // insurer | auditor | regulator
  std::string member;  // the member an insurer token speaks for (empty otherwise)
  std::int64_t issued_at_ms = 0;
  std::optional<std::int64_t> expires_at_ms;
  std::optional<std::int64_t> revoked_at_ms;
};

// One entry, from config or file; `path` names it in errors ("http.tokens[2]").
// `name_required`: the tokens file needs names; an unnamed config token is called after its
// role and member ("insurer:insurer-a"). Errors: "config_invalid".
Result<ApiToken> ParseApiToken(const Json& j, const std::string& path, bool name_required);
Json ToJson(const ApiToken& t);

// The tokens file; a missing file holds no tokens. Errors: "config_invalid", "file_*".
Result<std::vector<ApiToken>> ReadTokensFile(const std::string& path, Env* env = Env::Default());
// Written atomically, mode 0600.
Status WriteTokensFile(const std::string& path, const std::vector<ApiToken>& tokens,
                       Env* env = Env::Default());

// A fresh bearer token: 24 bytes from the OS CSPRNG as 48 hex digits. Errors:
// "random_unavailable".
Result<std::string> GenerateToken();

// Both sources together; a name used twice is "config_invalid".
Result<std::vector<ApiToken>> MergeTokens(std::vector<ApiToken> from_config,
                                          std::vector<ApiToken> from_file);

}  // namespace consentd::node
