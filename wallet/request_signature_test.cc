#include "wallet/request_signature.h"

#include <gtest/gtest.h>

#include "common/file_util.h"
#include "common/hex.h"
#include "common/json.h"
#include "common/test_paths.h"

namespace consentd::wallet {
namespace {

crypto::PrivateKey Key(char fill) {
  auto k = crypto::PrivateKey::FromHex(std::string(64, fill));
  EXPECT_TRUE(k.ok());
  return std::move(*k);
}

RequestToSign Example() {
  return RequestToSign{"local-4", "GET", "/v1/subjects/key:ab/consents?limit=10", "",
                       1'765'000'000'000};
}

// The worked example docs/API.md shows ("Customers: signed requests") is this fixture; a
// client written from the docs reproduces it byte for byte.
TEST(RequestSignature, TheDocumentedExampleIsReproduced) {
  auto text = ReadFile(std::string(consentd::testing::SourceDir()) +
                       "/tests/fixtures/request_signature/example.json");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  auto fx = ParseJson(*text);
  ASSERT_TRUE(fx.ok());
  const Json& in = fx->at("request");
  const std::string chain = in.at("chain_id"), method = in.at("method"), target = in.at("target"),
                    body = in.at("body");
  const RequestToSign r{chain, method, target, body, in.at("ts").get<std::int64_t>()};
  EXPECT_EQ(RequestSigningText(r), fx->at("signing_text").get<std::string>());
  EXPECT_EQ(HexEncode(RequestSignHash(r)), fx->at("sign_hash").get<std::string>());

  auto key = crypto::PrivateKey::FromHex(fx->at("secret_key").get<std::string>());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->public_key().Hex(), fx->at("key").get<std::string>());
  // The fixture's signature uses all-zero auxiliary randomness, so it is reproducible.
  const auto sig = key->SignWithAux(RequestSignHash(r), FixedBytes<32>{});
  const std::string header = std::string(kRequestScheme) + " key=" + key->public_key().Hex() +
                             ",ts=" + std::to_string(r.ts_ms) + ",sig=" + HexEncode(sig);
  EXPECT_EQ(header, fx->at("authorization").get<std::string>());
  auto parsed = ParseRequestSignature(header);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->key.Verify(RequestSignHash(r), parsed->sig));
}

TEST(RequestSignature, SignedHeaderParsesAndVerifiesOnlyForTheSameRequest) {
  const crypto::PrivateKey key = Key('3');
  RequestToSign r = Example();
  const std::string header = SignRequest(key, r);
  auto p = ParseRequestSignature(header);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->key, key.public_key());
  EXPECT_EQ(p->ts_ms, r.ts_ms);
  EXPECT_TRUE(p->key.Verify(RequestSignHash(r), p->sig));

  // Every part of the request is covered.
  const std::string body = "{}";
  for (int part = 0; part < 5; ++part) {
    RequestToSign other = Example();
    if (part == 0) other.chain_id = "other-chain";
    if (part == 1) other.method = "POST";
    if (part == 2) other.target = "/v1/subjects/key:ab/consents?limit=11";
    if (part == 3) other.body = body;
    if (part == 4) other.ts_ms += 1;
    EXPECT_FALSE(p->key.Verify(RequestSignHash(other), p->sig)) << "part " << part;
  }
}

TEST(RequestSignature, EveryMalformedHeaderIsRefusedWithItsCode) {
  const crypto::PrivateKey key = Key('3');
  const std::string good = SignRequest(key, Example());
  const std::string k = key.public_key().Hex();
  const std::string sig = good.substr(good.find("sig=") + 4);
  std::string upper = k;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::vector<std::string> bad = {
      "",
      "BIP340",
      "BIP340 ",
      "bip340 key=" + k + ",ts=1,sig=" + sig,
      "Bearer key=" + k + ",ts=1,sig=" + sig,
      "BIP340  key=" + k + ",ts=1,sig=" + sig,
      "BIP340 key=" + upper + ",ts=1,sig=" + sig,
      "BIP340 key=" + k.substr(2) + ",ts=1,sig=" + sig,
      "BIP340 ts=1,key=" + k + ",sig=" + sig,
      "BIP340 key=" + k + ", ts=1,sig=" + sig,
      "BIP340 key=" + k + ",ts=01,sig=" + sig,
      "BIP340 key=" + k + ",ts=-1,sig=" + sig,
      "BIP340 key=" + k + ",ts=,sig=" + sig,
      "BIP340 key=" + k + ",ts=9007199254740992,sig=" + sig,
      "BIP340 key=" + k + ",ts=1,sig=" + sig + ",x=1",
      "BIP340 key=" + k + ",ts=1,sig=" + sig.substr(1),
      "BIP340 key=" + k + ",ts=1",
      // x = 5 is not the x coordinate of a curve point
      "BIP340 key=" + std::string(63, '0') + "5,ts=1,sig=" + sig,
  };
  for (const std::string& h : bad) {
    auto p = ParseRequestSignature(h);
    ASSERT_FALSE(p.ok()) << h;
    EXPECT_EQ(p.status().code(), "auth_malformed") << h;
  }
  EXPECT_TRUE(ParseRequestSignature("BIP340 key=" + k + ",ts=0,sig=" + sig).ok());
  EXPECT_TRUE(ParseRequestSignature("BIP340 key=" + k + ",ts=9007199254740991,sig=" + sig).ok());
}

}  // namespace
}  // namespace consentd::wallet
