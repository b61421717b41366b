// Who is asking: bearer tokens (names, expiry, revocation, reload) and customers' signed
// requests (window, replay, every covered part), with the documented order of errors.

#include "node/http/auth.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "crypto/sha256.h"
#include "wallet/request_signature.h"

namespace consentd::node::http {
namespace {

constexpr std::int64_t kNow = 1'765'000'000'000;

ApiToken Token(std::string name, std::string secret, std::string role, std::string member = "") {
  ApiToken t;
  t.name = std::move(name);
  t.sha256 = crypto::Sha256(secret);
  t.role = std::move(role);
  t.member = std::move(member);
  return t;
}

std::vector<ApiToken> Tokens() {
  return {Token("claims-desk", "insurer-secret", "insurer", "insurer-a"),
          Token("audit-firm", "auditor-secret", "auditor"),
          Token("regulator", "regulator-secret", "regulator")};
}

struct Fixture {
  std::int64_t now = kNow;
  Authenticator auth{Tokens(), "local-4", [this] { return now; }, 4};
};

const SignedParts kNoParts{"GET", "/v1/status", ""};

TEST(AuthTest, NoHeaderIsPublic) {
  Fixture f;
  auto p = f.auth.Authenticate(std::nullopt, kNoParts);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role, Role::kPublic);
  EXPECT_FALSE(p->authenticated());
}

TEST(AuthTest, KnownTokensMapToTheirRoleMemberAndName) {
  Fixture f;
  auto insurer = f.auth.Authenticate("Bearer insurer-secret", kNoParts);
  ASSERT_TRUE(insurer.ok());
  EXPECT_EQ(insurer->role, Role::kInsurer);
  EXPECT_EQ(insurer->member, "insurer-a");
  EXPECT_EQ(insurer->name, "claims-desk");
  EXPECT_TRUE(insurer->may_see("insurer-a"));
  EXPECT_FALSE(insurer->may_see("insurer-b"));
  EXPECT_FALSE(insurer->sees_all());
  auto auditor = f.auth.Authenticate("Bearer auditor-secret", kNoParts);
  ASSERT_TRUE(auditor.ok());
  EXPECT_EQ(auditor->role, Role::kAuditor);
  EXPECT_TRUE(auditor->may_see("insurer-b"));
  EXPECT_EQ(f.auth.Authenticate("Bearer regulator-secret", kNoParts)->role, Role::kRegulator);
  EXPECT_NE(insurer->ScopeKey(), auditor->ScopeKey());
}

TEST(AuthTest, BadHeadersAndUnknownTokensAreRefused) {
  Fixture f;
  auto code = [&](const std::string& h) {
    return f.auth.Authenticate(h, kNoParts).status().code();
  };
  EXPECT_EQ(code("Bearer nope"), "auth_unknown_token");
  EXPECT_EQ(code("Basic aW5zdXJlcg=="), "auth_malformed");
  EXPECT_EQ(code("Bearer "), "auth_malformed");
  EXPECT_EQ(code(""), "auth_malformed");
  EXPECT_EQ(code("bearer insurer-secret"), "auth_malformed");
  EXPECT_EQ(code("Bearer " + std::string(600, 'x')), "auth_malformed");
  // The hash of a token is not a token.
  EXPECT_EQ(code("Bearer " + HexEncode(crypto::Sha256("auditor-secret"))), "auth_unknown_token");
}

TEST(AuthTest, ExpiredAndRevokedTokensAreRefusedAndReloadReplacesTheTable) {
  Fixture f;
  std::vector<ApiToken> tokens = Tokens();
  tokens[0].expires_at_ms = kNow + 1000;
  tokens[1].revoked_at_ms = kNow - 1;
  f.auth.Reload(tokens);
  EXPECT_TRUE(f.auth.Authenticate("Bearer insurer-secret", kNoParts).ok());
  f.now = kNow + 1000;  // expiry is exclusive: at expires_at the token is no longer valid
  EXPECT_EQ(f.auth.Authenticate("Bearer insurer-secret", kNoParts).status().code(),
            "auth_token_expired");
  EXPECT_EQ(f.auth.Authenticate("Bearer auditor-secret", kNoParts).status().code(),
            "auth_token_revoked");

  f.auth.Reload({Token("new-desk", "fresh-secret", "insurer", "insurer-b")});
  EXPECT_EQ(f.auth.token_count(), 1u);
  EXPECT_EQ(f.auth.Authenticate("Bearer regulator-secret", kNoParts).status().code(),
            "auth_unknown_token");
  auto fresh = f.auth.Authenticate("Bearer fresh-secret", kNoParts);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->member, "insurer-b");
}

crypto::PrivateKey Key(char fill) {
  auto k = crypto::PrivateKey::FromHex(std::string(64, fill));
  EXPECT_TRUE(k.ok());
  return std::move(*k);
}

std::string Sign(const crypto::PrivateKey& key, const SignedParts& p, std::int64_t ts,
                 std::string_view chain = "local-4") {
  return wallet::SignRequest(key, wallet::RequestToSign{chain, p.method, p.target, p.body, ts});
}

TEST(AuthTest, ACustomerSignsInWithTheirKeyOnceWithinTheWindow) {
  Fixture f;
  const crypto::PrivateKey key = Key('7');
  const SignedParts parts{"GET", "/v1/rights?limit=5", ""};
  const std::string header = Sign(key, parts, kNow - 1000);
  auto p = f.auth.Authenticate(header, parts);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->role, Role::kCustomer);
  EXPECT_TRUE(p->customer());
  ASSERT_TRUE(p->subject.has_value());
  EXPECT_EQ(p->subject->ToString(), "key:" + key.public_key().Hex());
  EXPECT_EQ(p->name, p->subject->ToString());
  EXPECT_FALSE(p->sees_all());
  EXPECT_FALSE(p->may_see(""));
  EXPECT_TRUE(p->is_subject(*p->subject));

  // Never twice.
  EXPECT_EQ(f.auth.Authenticate(header, parts).status().code(), "auth_replayed");
  // The same request signed by another key is another request.
  EXPECT_TRUE(f.auth.Authenticate(Sign(Key('8'), parts, kNow - 1000), parts).ok());
}

TEST(AuthTest, ASignatureCoversEveryPartAndTheWindowHasEdges) {
  Fixture f;
  const crypto::PrivateKey key = Key('7');
  const SignedParts parts{"POST", "/v1/txs", "{\"a\":1}"};
  const std::string header = Sign(key, parts, kNow);
  for (const SignedParts& other :
       {SignedParts{"GET", "/v1/txs", "{\"a\":1}"}, SignedParts{"POST", "/v1/txs?x", "{\"a\":1}"},
        SignedParts{"POST", "/v1/txs", "{\"a\":2}"}}) {
    EXPECT_EQ(f.auth.Authenticate(header, other).status().code(), "auth_bad_signature");
  }
  EXPECT_EQ(f.auth.Authenticate(Sign(key, parts, kNow, "other-chain"), parts).status().code(),
            "auth_bad_signature");
  const std::int64_t w = wallet::kRequestWindowMs;
  EXPECT_TRUE(f.auth.Authenticate(Sign(key, parts, kNow - w), parts).ok());
  EXPECT_TRUE(f.auth.Authenticate(Sign(key, parts, kNow + w), parts).ok());
  EXPECT_EQ(f.auth.Authenticate(Sign(key, parts, kNow - w - 1), parts).status().code(),
            "auth_stale");
  EXPECT_EQ(f.auth.Authenticate(Sign(key, parts, kNow + w + 1), parts).status().code(),
            "auth_stale");
}

TEST(AuthTest, WhichErrorWinsForSignedRequests) {
  Fixture f;
  const crypto::PrivateKey key = Key('7');
  const SignedParts parts{"GET", "/v1/members", ""};
  // A stale request with a bad signature: stale wins (checked before the signature).
  const std::string stale = Sign(key, parts, kNow - 60'000);
  EXPECT_EQ(f.auth.Authenticate(stale, SignedParts{"GET", "/v1/other", ""}).status().code(),
            "auth_stale");
  // A replayed header sent with another body: the signature fails first, so no one learns
  // whether the original was seen.
  const std::string good = Sign(key, parts, kNow);
  ASSERT_TRUE(f.auth.Authenticate(good, parts).ok());
  EXPECT_EQ(f.auth.Authenticate(good, SignedParts{"GET", "/v1/members", "x"}).status().code(),
            "auth_bad_signature");
  EXPECT_EQ(f.auth.Authenticate(good, parts).status().code(), "auth_replayed");
}

TEST(AuthTest, TheReplayGuardIsBoundedAndForgetsClosedWindows) {
  Fixture f;  // remembers at most 4
  const crypto::PrivateKey key = Key('7');
  for (int i = 0; i < 4; ++i) {
    const std::string target = "/v1/rights?limit=" + std::to_string(i + 1);
    const SignedParts q{"GET", target, ""};
    ASSERT_TRUE(f.auth.Authenticate(Sign(key, q, kNow + i), q).ok()) << i;
  }
  const SignedParts fifth{"GET", "/v1/rights?limit=9", ""};
  EXPECT_EQ(f.auth.Authenticate(Sign(key, fifth, kNow), fifth).status().code(),
            "too_many_signed_requests");
  // Once the first windows close, their entries go and there is room again.
  f.now = kNow + wallet::kRequestWindowMs + 2;
  EXPECT_TRUE(f.auth.Authenticate(Sign(key, fifth, f.now), fifth).ok());
}

}  // namespace
}  // namespace consentd::node::http
