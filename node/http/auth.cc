#include "node/http/auth.h"

#include <openssl/crypto.h>

#include "common/clock.h"
#include "crypto/sha256.h"
#include "wallet/request_signature.h"

namespace consentd::node::http {
namespace {

Role RoleOf(std::string_view role) {
  if (role == "insurer") return Role::kInsurer;
  if (role == "auditor") return Role::kAuditor;
  if (role == "regulator") return Role::kRegulator;
  return Role::kPublic;
}

}  // namespace

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
    case Role::kCustomer:
      return "customer";
  }
  return "public";
}

std::string Principal::ScopeKey() const {
  std::string key = ToString(role);
  key += ':';
  key += subject ? subject->ToString() : member;
  return key;
}

Authenticator::Authenticator(std::vector<ApiToken> tokens, std::string chain_id, NowMs now_ms,
                             std::size_t max_remembered)
    : chain_id_(std::move(chain_id)), now_ms_(std::move(now_ms)), max_remembered_(max_remembered) {
  Reload(std::move(tokens));
}

void Authenticator::Reload(std::vector<ApiToken> tokens) {
  auto table = std::make_shared<Table>();
  for (ApiToken& t : tokens) {
    const Role role = RoleOf(t.role);
    if (role == Role::kPublic) continue;  // ParseApiToken refuses other roles
    table->push_back(Entry{t.sha256, role, std::move(t.member), std::move(t.name), t.expires_at_ms,
                           t.revoked_at_ms});
  }
  std::lock_guard<std::mutex> lock(mu_);
  table_ = std::move(table);
}

std::size_t Authenticator::token_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return table_->size();
}

Result<Principal> Authenticator::Authenticate(std::optional<std::string_view> header,
                                              const SignedParts& parts) {
  if (!header) return Principal{};
  constexpr std::string_view kBearer = "Bearer ";
  if (header->starts_with(kBearer)) return Bearer(header->substr(kBearer.size()));
  if (header->starts_with(wallet::kRequestScheme)) return Signed(*header, parts);
  return Status::Error(Reason::kAuthMalformed,
                       "Authorization must be \"Bearer <token>\" or a customer's "
                       "\"BIP340 key=...,ts=...,sig=...\"");
}

Result<Principal> Authenticator::Bearer(std::string_view token) const {
  if (token.empty()) return Status::Error(Reason::kAuthMalformed, "the bearer token is empty");
  if (token.size() > 512) return Status::Error(Reason::kAuthMalformed, "the token is too long");
  const Hash256 digest = crypto::Sha256(token);
  std::shared_ptr<const Table> table;
  {
    std::lock_guard<std::mutex> lock(mu_);
    table = table_;
  }
  // Compare against every entry in constant time, so timing tells nothing about which matched.
  const Entry* found = nullptr;
  for (const Entry& e : *table) {
    if (CRYPTO_memcmp(e.sha256.data(), digest.data(), digest.size()) == 0) found = &e;
  }
  if (!found)
    return Status::Error(Reason::kAuthUnknownToken, "the token is not known to this node");
  if (found->revoked_at_ms)
    return Status::Error(Reason::kAuthTokenRevoked, "the token was revoked");
  if (found->expires_at_ms && now_ms_() >= *found->expires_at_ms) {
    return Status::Error(Reason::kAuthTokenExpired, "the token expired");
  }
  Principal p;
  p.role = found->role;
  p.member = found->member;
  p.name = found->name;
  return p;
}

Result<Principal> Authenticator::Signed(std::string_view header, const SignedParts& parts) {
  CONSENTD_ASSIGN_OR_RETURN(wallet::RequestSignature s, wallet::ParseRequestSignature(header));
  const std::int64_t now = now_ms_();
  if (s.ts_ms < now - wallet::kRequestWindowMs || s.ts_ms > now + wallet::kRequestWindowMs) {
    return Status::Error(Reason::kAuthStale, "ts is " + std::to_string(s.ts_ms - now) +
                                                 " ms from this node's clock; a signed request is "
                                                 "accepted within " +
                                                 std::to_string(wallet::kRequestWindowMs) + " ms");
  }
  const wallet::RequestToSign r{chain_id_, parts.method, parts.target, parts.body, s.ts_ms};
  const Hash256 hash = wallet::RequestSignHash(r);
  if (!s.key.Verify(hash, s.sig)) {
    return Status::Error(Reason::kAuthBadSignature,
                         "the signature does not match this request (chain id, method, target, "
                         "body and ts) under that key");
  }
  // The same request signed by two keys are two requests: remember (key, sign hash).
  std::string both(reinterpret_cast<const char*>(s.key.bytes().data()), s.key.bytes().size());
  both.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  CONSENTD_ASSIGN_OR_RETURN(
      bool fresh, Remember(crypto::Sha256(both), s.ts_ms + wallet::kRequestWindowMs, now));
  if (!fresh)
    return Status::Error(Reason::kAuthReplayed, "this signed request was already answered");
  Principal p;
  p.role = Role::kCustomer;
  p.subject = ledger::Subject{ledger::Subject::Kind::kKey, s.key.bytes()};
  p.name = p.subject->ToString();
  return p;
}

Result<bool> Authenticator::Remember(const Hash256& digest, std::int64_t expires_ms,
                                     std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  while (!seen_expiry_.empty() && seen_expiry_.begin()->first < now_ms) {
    seen_.erase(seen_expiry_.begin()->second);
    seen_expiry_.erase(seen_expiry_.begin());
  }
  if (seen_.contains(digest)) return false;
  if (seen_.size() >= max_remembered_) {
    return Status::Error(Reason::kTooManySignedRequests,
                         "this node holds as many signed requests as it can check for replay; "
                         "retry in a few seconds");
  }
  seen_.insert(digest);
  seen_expiry_.emplace(expires_ms, digest);
  return true;
}

}  // namespace consentd::node::http
