// No personal data by construction: every transaction body is a whitelist. For each type, a
// valid body parses, and the same body with any extra field (at the top or inside a nested
// object) is rejected with tx_unknown_field before it could reach a block.

#include "ledger/schema.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "ledger/testing/test_chain.h"
#include "ledger/testing/tx_fixtures.h"
#include "ledger/tx.h"

namespace consentd::ledger {
namespace {

using testing::HashOf;
using testing::TestChain;

std::string H(std::string_view s) { return HexEncode(HashOf(s)); }

// A valid body of every type: the shared fixture bodies (ledger/testing/tx_fixtures.h).
std::map<TxType, Json> ValidBodies(TestChain& chain) {
  const std::string key = chain.Key("someone").public_key().Hex();
  std::map<TxType, Json> bodies;
  for (int i = 0; i < kTxTypeCount; ++i) {
    const auto type = static_cast<TxType>(i);
    bodies[type] = testing::FixtureBody(type, H("fixture"), key);
  }
  return bodies;
}

// Every path to a JSON object inside `j`, including the root ("").
void ObjectPaths(const Json& j, const std::string& path, std::vector<std::string>* out) {
  if (!j.is_object()) return;
  out->push_back(path);
  for (auto it = j.begin(); it != j.end(); ++it)
    ObjectPaths(it.value(), path + "/" + it.key(), out);
}

TEST(SchemaTest, EveryTypeIsAWhitelist) {
  TestChain chain;
  const auto bodies = ValidBodies(chain);
  ASSERT_EQ(bodies.size(), static_cast<std::size_t>(kTxTypeCount));
  for (const auto& [type, body] : bodies) {
    SCOPED_TRACE(ToString(type));
    auto ok = chain.TryMake(type, body, {"insurer-a"});
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    std::vector<std::string> paths;
    ObjectPaths(body, "", &paths);
    for (const std::string& path : paths) {
      for (const char* field : {"name", "phone", "id_card_number", "address", "note"}) {
        Json with = body;
        with[Json::json_pointer(path)][field] = "Zhang San, 13800138000";
        auto r = chain.TryMake(type, with, {"insurer-a"});
        ASSERT_FALSE(r.ok()) << path << "/" << field;
        EXPECT_EQ(r.status().code(), "tx_unknown_field") << path << "/" << field;
      }
    }
  }
}

TEST(SchemaTest, CodesAreNotFreeText) {
  TestChain chain;
  Json b = chain.GrantBody("someone");
  b["purposes"] = {"ClaimsHandling for Zhang San"};
  EXPECT_EQ(chain.TryMake(TxType::kConsentGrant, b, {"insurer-a"}).status().code(),
            "tx_invalid_code");
  b = chain.GrantBody("someone");
  b["recipients"] = {"Dr. Wang's clinic"};
  EXPECT_EQ(chain.TryMake(TxType::kConsentGrant, b, {"insurer-a"}).status().code(),
            "tx_invalid_value");
}

// Every path to a string inside `j` (object members and array items).
void StringPaths(const Json& j, const std::string& path, std::vector<std::string>* out) {
  if (j.is_string()) out->push_back(path);
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      StringPaths(it.value(), path + "/" + it.key(), out);
  }
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i)
      StringPaths(j[i], path + "/" + std::to_string(i), out);
  }
}

// docs/LEDGER.md, "No personal data": no string field of any transaction type can carry a name,
// a Chinese mobile number, an 18-character resident ID number, an e-mail address or free text,
// nor the hex of such text where a hash, id or key goes. Each is refused by the schema with a
// reason code, before any rule runs.
TEST(SchemaTest, NoStringFieldOfAnyTypeTakesPersonalData) {
  TestChain chain;
  const auto bodies = ValidBodies(chain);
  // 32 bytes of text, hex-encoded: what a hash field would hold if it carried words.
  const std::string text_hex =
      HexEncode(AsBytes(std::string_view("Zhang San 13812345678 Beijing 1").substr(0, 31))) + "2e";
  ASSERT_EQ(text_hex.size(), 64u);
  const std::vector<std::string> planted = {
      "Zhang San",
      "\xe5\xbc\xa0\xe4\xb8\x89",  // 张三
      "13812345678",
      "+86 138 1234 5678",
      "zhang-san-13812345678-709",
      "110101199003074258",
      "11010119900307425X",
      "zhang.san@example.com",
      "Please call Zhang San at 13812345678 about the claim",
      text_hex,
  };
  std::size_t fields = 0;
  for (const auto& [type, body] : bodies) {
    std::vector<std::string> paths;
    StringPaths(body, "", &paths);
    for (const std::string& path : paths) {
      ++fields;
      for (const std::string& value : planted) {
        SCOPED_TRACE(std::string(ToString(type)) + " " + path + " = " + value);
        Json with = body;
        with[Json::json_pointer(path)] = value;
        auto r = chain.TryMake(type, with, {"insurer-a"});
        ASSERT_FALSE(r.ok());
        EXPECT_TRUE(r.status().code() == "tx_invalid_value" ||
                    r.status().code() == "tx_invalid_code")
            << r.status().ToString();
      }
    }
  }
  EXPECT_GE(fields, 40u);  // every type's strings, the nested ones included

  // The nonce is 32 bits: a mobile number (11 digits) does not fit.
  Json tx = Tx::MakeUnsigned(TxType::kConsentWithdraw, chain.chain_id(),
                             bodies.at(TxType::kConsentWithdraw), 13812345678ULL, 10);
  tx["signatures"] = Json::array(
      {Json{{"key", chain.Key("insurer-a").public_key().Hex()}, {"sig", std::string(128, '0')}}});
  auto parsed = Tx::Parse(CanonicalJson(tx), chain.chain_id(), kDefaultMaxTxBytes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), "tx_invalid_value") << parsed.status().ToString();
}

TEST(SchemaTest, IdentifierAndHashFormats) {
  for (const char* ok : {"insurer-a", "insurer-1", "ab", "reinsurer-2026", "local-4"}) {
    EXPECT_TRUE(IsValidIdentifier(ok)) << ok;
  }
  for (const char* bad : {"a", "1insurer", "-a", "insurer-12345", "Insurer", "insurer_a",
                          "a234567890123456789012345678901234"}) {
    EXPECT_FALSE(IsValidIdentifier(bad)) << bad;
  }
  EXPECT_TRUE(IsValidNoticeId("5f0c3a9e21d84b7c96e1a2b3c4d5e6f7"));
  for (const char* bad : {"privacy", "5F0C3A9E21D84B7C96E1A2B3C4D5E6F7",
                          "5f0c3a9e21d84b7c96e1a2b3c4d5e6f", "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7a"}) {
    EXPECT_FALSE(IsValidNoticeId(bad)) << bad;
  }
  Hash256 h{};
  EXPECT_FALSE(LooksLikeText(h));  // zeros are not printable
  for (int i = 0; i < kTextLikeBytes; ++i) h[static_cast<std::size_t>(i)] = 'a';
  EXPECT_TRUE(LooksLikeText(h));
  h[0] = 0x01;
  EXPECT_FALSE(LooksLikeText(h));
  EXPECT_FALSE(LooksLikeText(HashOf("a real SHA-256 is almost never text")));
}

}  // namespace
}  // namespace consentd::ledger
