#pragma once

// Who is asking: bearer tokens and roles of the HTTP API.
//
// The config stores only the SHA-256 of each token with its role (insurer, auditor, regulator)
// and, for an insurer, the member it speaks for. A request without an Authorization header is
// public; with one, the token must be known. Insurers see their own subjects', agreements' and
// records' data; auditors and regulators see everything (docs/API.md, "Access").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "node/config.h"

namespace consentd::node::http {

enum class Role { kPublic, kInsurer, kAuditor, kRegulator };

const char* ToString(Role role);

struct Principal {
  Role role = Role::kPublic;
  std::string member;  // insurers only

  bool authenticated() const { return role != Role::kPublic; }
  // Auditors and regulators see every member's data.
  bool sees_all() const { return role == Role::kAuditor || role == Role::kRegulator; }
  // May this principal see data that involves `member`?
  bool may_see(std::string_view member_id) const { return sees_all() || member == member_id; }
};

class Authenticator {
 public:
  explicit Authenticator(const std::vector<TokenConfig>& tokens);

  // `header` is the Authorization header's value, nullopt when absent.
  // Errors: "auth_malformed" (not "Bearer <token>"), "auth_unknown_token".
  Result<Principal> Authenticate(std::optional<std::string_view> header) const;

 private:
  struct Entry {
    Hash256 sha256;
    Role role;
    std::string member;
  };
  std::vector<Entry> entries_;
};

}  // namespace consentd::node::http
