#include "node/http/auth.h"

#include <openssl/crypto.h>

#include "crypto/sha256.h"

namespace consentd::node::http {

const char* ToString(Role role) {
  switch (role) {
    case Role::kPublic:
      return "public";
    case Role::kInsurer:
      return "insurer";
    case Role::kAuditor:
      return "auditor";
    case Role::kRegulator:
      return "regulator";
  }
  return "public";
}

Authenticator::Authenticator(const std::vector<TokenConfig>& tokens) {
  for (const TokenConfig& t : tokens) {
    Role role = Role::kPublic;
    if (t.role == "insurer") role = Role::kInsurer;
    if (t.role == "auditor") role = Role::kAuditor;
    if (t.role == "regulator") role = Role::kRegulator;
    if (role == Role::kPublic) continue;  // config validation refuses other roles
    entries_.push_back(Entry{t.sha256, role, t.member});
  }
}

Result<Principal> Authenticator::Authenticate(std::optional<std::string_view> header) const {
  if (!header) return Principal{};
  constexpr std::string_view kScheme = "Bearer ";
  if (header->size() <= kScheme.size() || header->substr(0, kScheme.size()) != kScheme) {
    return Status::Error("auth_malformed", "Authorization must be \"Bearer <token>\"");
  }
  const std::string_view token = header->substr(kScheme.size());
  if (token.size() > 512) return Status::Error("auth_malformed", "the token is too long");
  const Hash256 digest = crypto::Sha256(token);
  // Compare against every entry in constant time, so timing tells nothing about which matched.
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    if (CRYPTO_memcmp(e.sha256.data(), digest.data(), digest.size()) == 0) found = &e;
  }
  if (!found) return Status::Error("auth_unknown_token", "the token is not known to this node");
  return Principal{found->role, found->member};
}

}  // namespace consentd::node::http
