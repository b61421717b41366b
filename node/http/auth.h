#pragma once

// Who is asking (docs/API.md, "Access"). A request names its principal in one Authorization
// header, in one of two schemes:
//
//   Bearer <token>   an operator-issued token (node/api_tokens.h): a named insurer, auditor or
//                    regulator. Only the token's SHA-256 is kept; expired and revoked tokens
//                    are refused; the table is replaced on SIGHUP (Reload).
//   BIP340 key=..,ts=..,sig=..
//                    a customer, signed in with the subject key their wallet holds
//                    (wallet/request_signature.h): the signature covers the chain id, method,
//                    target, body hash and timestamp; it is accepted within
//                    wallet::kRequestWindowMs of this node's clock, and only once.
//
// Without the header a request is anonymous. Which error wins when several apply: the header's
// shape (auth_malformed), then for tokens auth_unknown_token / auth_token_revoked /
// auth_token_expired, for signatures auth_stale, auth_bad_signature, auth_replayed.
//
// Thread-safety: every method may be called from any thread.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ledger/subject.h"
#include "node/api_tokens.h"

namespace consentd::node::http {

enum class Role { kPublic, kInsurer, kAuditor, kRegulator, kCustomer };

const char* ToString(Role role);

struct Principal {
  Role role = Role::kPublic;
  std::string member;  // insurers only
  // Who this is in logs and the access log: the token's name, or a customer's "key:<hex>".
  std::string name;
  std::optional<ledger::Subject> subject;  // customers only: their subject key

  bool authenticated() const { return role != Role::kPublic; }
  bool customer() const { return role == Role::kCustomer; }
  // Auditors and regulators see every member's data.
  bool sees_all() const { return role == Role::kAuditor || role == Role::kRegulator; }
  // May this principal see data of `member` as a whole (its reports, its audit entries)?
  bool may_see(std::string_view member_id) const {
    return sees_all() || (role == Role::kInsurer && member == member_id);
  }
  // Is `s` this customer's own subject?
  bool is_subject(const ledger::Subject& s) const { return subject && *subject == s; }
  // Two principals with the same scope key are answered alike (the answer cache's key).
  std::string ScopeKey() const;
};

// What a customer's signature covers, as the request arrived.
struct SignedParts {
  std::string_view method;  // as sent: GET, HEAD, POST
  std::string_view target;  // the request-target exactly as sent
  std::string_view body;
};

class Authenticator {
 public:
  using NowMs = std::function<std::int64_t()>;  // unix milliseconds
  static constexpr std::size_t kMaxRemembered = 262'144;

  Authenticator(std::vector<ApiToken> tokens, std::string chain_id, NowMs now_ms,
                std::size_t max_remembered = kMaxRemembered);

  // Replaces the token table (SIGHUP); requests in flight keep the table they started with.
  void Reload(std::vector<ApiToken> tokens);
  std::size_t token_count() const;

  // `header` is the Authorization header's value, nullopt when absent. Errors (401 unless
  // said): "auth_malformed", "auth_unknown_token", "auth_token_revoked", "auth_token_expired",
  // "auth_stale", "auth_bad_signature", "auth_replayed", "too_many_signed_requests" (503: the
  // replay guard is full of signatures still inside their window).
  Result<Principal> Authenticate(std::optional<std::string_view> header, const SignedParts& parts);

 private:
  struct Entry {
    Hash256 sha256;
    Role role;
    std::string member;
    std::string name;
    std::optional<std::int64_t> expires_at_ms;
    std::optional<std::int64_t> revoked_at_ms;
  };
  using Table = std::vector<Entry>;

  Result<Principal> Bearer(std::string_view token) const;
  Result<Principal> Signed(std::string_view header, const SignedParts& parts);
  // Remembers a signature until its window closes; false if it was seen already.
  Result<bool> Remember(const Hash256& digest, std::int64_t expires_ms, std::int64_t now_ms);

  const std::string chain_id_;
  const NowMs now_ms_;
  const std::size_t max_remembered_;

  mutable std::mutex mu_;
  std::shared_ptr<const Table> table_;                // guarded by mu_
  std::set<Hash256> seen_;                            // guarded by mu_
  std::multimap<std::int64_t, Hash256> seen_expiry_;  // guarded by mu_
};

}  // namespace consentd::node::http
