#include "wallet/receipt_verify.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <set>

#include "common/file_util.h"
#include "common/hex.h"
#include "common/test_paths.h"
#include "ledger/genesis.h"
#include "wallet/testing/receipt_fixtures.h"

namespace consentd::wallet {
namespace {

const std::string kDir = std::string(consentd::testing::SourceDir()) + "/tests/fixtures/receipts/";

std::string Read(const std::string& name) {
  auto text = ReadFile(kDir + name);
  EXPECT_TRUE(text.ok()) << name << ": " << text.status().ToString();
  return text.ok() ? *text : std::string();
}

Json ReadJson(const std::string& name) {
  auto j = ParseJson(Read(name));
  EXPECT_TRUE(j.ok()) << name;
  return j.ok() ? *j : Json();
}

TrustAnchor AnchorFromFile(const std::string& name) {
  auto anchor = TrustAnchor::FromJson(ReadJson(name));
  EXPECT_TRUE(anchor.ok()) << anchor.status().ToString();
  return anchor.ok() ? *anchor : TrustAnchor{};
}

TEST(ReceiptFixtures, EveryFixtureGetsItsVerdictFromBothAnchorForms) {
  const Json manifest = ReadJson("manifest.json");
  ASSERT_TRUE(manifest.contains("fixtures"));
  const TrustAnchor by_hash = AnchorFromFile("anchor.json");
  const TrustAnchor by_genesis = AnchorFromFile("genesis.json");
  EXPECT_EQ(by_hash.chain_id, by_genesis.chain_id);
  EXPECT_EQ(by_hash.validator_set_hashes, by_genesis.validator_set_hashes);

  int valid = 0;
  int tampered = 0;
  for (const Json& f : manifest["fixtures"]) {
    const std::string file = f["file"].get<std::string>();
    const std::string expect = f["expect"].get<std::string>();
    for (const TrustAnchor* anchor : {&by_hash, &by_genesis}) {
      const ReceiptVerdict v = VerifyReceiptText(Read(file), *anchor);
      if (expect == "ok") {
        EXPECT_TRUE(v.ok()) << file << ": " << v.status.ToString();
      } else {
        EXPECT_EQ(v.status.code(), expect) << file << ": " << v.status.ToString();
        EXPECT_EQ(ToString(v.check), f["check"].get<std::string>()) << file;
        EXPECT_FALSE(v.status.message().empty()) << file;
      }
    }
    (expect == "ok" ? valid : tampered)++;
  }
  EXPECT_GE(valid, 4);
  EXPECT_GE(tampered, 15);
}

TEST(ReceiptFixtures, ManifestCoversEveryCheckOfTheIssue) {
  std::set<std::string> codes;
  const Json manifest = ReadJson("manifest.json");
  for (const Json& f : manifest["fixtures"]) codes.insert(f["expect"]);
  for (const char* code :
       {"ok", "receipt_tx_id_mismatch", "receipt_tx_bad_signature", "receipt_merkle_mismatch",
        "receipt_header_hash_mismatch", "cert_too_few_signatures", "cert_duplicate_signer",
        "cert_unknown_signer", "cert_bad_signature", "receipt_wrong_chain",
        "receipt_unknown_validator_set"}) {
    EXPECT_TRUE(codes.contains(code)) << code;
  }
}

TEST(ReceiptFixtures, RegeneratingYieldsTheCommittedFiles) {
  auto files = testing::GenerateReceiptFixtures();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    const std::string name = entry.path().filename().string();
    if (name != "README.md") on_disk.insert(name);
  }
  std::set<std::string> generated;
  for (const auto& [name, text] : *files) {
    generated.insert(name);
    EXPECT_EQ(Read(name), text) << name
                                << " differs from the generator's output; regenerate "
                                   "with build/wallet/gen_receipt_fixtures";
  }
  EXPECT_EQ(on_disk, generated);
}

// Applies `mutate` to every scalar leaf of `j` in turn, calling `check` with the mutated copy
// and the leaf's JSON pointer.
void ForEachLeaf(const Json& root, const Json& node, const std::string& pointer,
                 const std::function<void(const std::string&)>& visit) {
  if (node.is_object()) {
    for (const auto& [k, v] : node.items()) ForEachLeaf(root, v, pointer + "/" + k, visit);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      ForEachLeaf(root, node[i], pointer + "/" + std::to_string(i), visit);
    }
  } else {
    visit(pointer);
  }
}

// DESIGN.md section 7: "a tampered byte anywhere fails with a reason". Every hex string gets a
// byte flipped, every integer moves by one, every other string changes, every bool flips.
TEST(ReceiptVerify, AnyChangedValueAnywhereFails) {
  const TrustAnchor anchor = AnchorFromFile("anchor.json");
  for (const char* file : {"valid-consent-grant.json", "valid-notice-publish.json"}) {
    const Json receipt = ReadJson(file);
    ASSERT_TRUE(VerifyReceipt(receipt, anchor).ok());
    int leaves = 0;
    ForEachLeaf(receipt, receipt, "", [&](const std::string& pointer) {
      Json copy = receipt;
      Json& v = copy[Json::json_pointer(pointer)];
      if (v.is_string()) {
        auto bytes = HexDecode(v.get<std::string>());
        if (bytes.ok() && !bytes->empty()) {
          (*bytes)[bytes->size() / 2] ^= 0x80;
          v = HexEncode(*bytes);
        } else {
          v = v.get<std::string>() + "x";
        }
      } else if (v.is_number_integer()) {
        v = v.get<std::int64_t>() + 1;
      } else if (v.is_boolean()) {
        v = !v.get<bool>();
      } else {
        return;  // null: nothing to change
      }
      ++leaves;
      const ReceiptVerdict verdict = VerifyReceipt(copy, anchor);
      EXPECT_FALSE(verdict.ok()) << file << " still verifies with " << pointer << " changed";
    });
    EXPECT_GT(leaves, 30) << file;
  }
}

TEST(ReceiptVerify, ReportsWhatTheReceiptProves) {
  const TrustAnchor anchor = AnchorFromFile("genesis.json");
  const Json receipt = ReadJson("valid-consent-grant.json");
  const ReceiptVerdict v = VerifyReceipt(receipt, anchor);
  ASSERT_TRUE(v.ok()) << v.status.ToString();
  EXPECT_EQ(v.receipt.chain_id, "fixture-chain");
  EXPECT_EQ(HexEncode(v.receipt.tx_id), receipt["tx_id"].get<std::string>());
  EXPECT_EQ(v.receipt.tx_type, "consent.grant");
  EXPECT_EQ(v.receipt.signers.size(), 2u);
  EXPECT_EQ(v.receipt.height, 2u);
  EXPECT_EQ(v.receipt.precommits, 4u);
  EXPECT_EQ(v.receipt.validators, 4u);
}

TEST(ReceiptVerify, GarbageIsAFormatFailureNotACrash) {
  const TrustAnchor anchor = AnchorFromFile("anchor.json");
  for (const char* text : {"", "null", "[]", "{}", "{\"version\":1}", "{\"version\":2}",
                           "{\"version\":\"1\"}", "not json", "{\"version\":1,\"a\":1.5}"}) {
    const ReceiptVerdict v = VerifyReceiptText(text, anchor);
    EXPECT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.check, ReceiptCheck::kFormat) << text;
  }
  EXPECT_EQ(VerifyReceiptText("{\"version\":2}", anchor).status.code(), "receipt_version");
  // Wrong types in every field of a real receipt.
  const Json receipt = ReadJson("valid-consent-grant.json");
  for (const auto& [key, value] : receipt.items()) {
    for (const Json& replacement : {Json(), Json(7), Json("x"), Json::array(), Json::object()}) {
      Json copy = receipt;
      copy[key] = replacement;
      EXPECT_FALSE(VerifyReceipt(copy, anchor).ok()) << key << " = " << replacement.dump();
    }
  }
}

TEST(ReceiptVerify, ARepeatedKeyOrAFloatIsMalformed) {
  // The browser verifier (web/src/js/receipt.js, tests/web/receipt_fixtures.mjs) holds the same
  // texts to the same verdict, though JSON.parse keeps the last of repeated keys and reads 1.0
  // as 1.
  const TrustAnchor anchor = AnchorFromFile("anchor.json");
  const std::string text = ReadJson("valid-consent-grant.json").dump();
  ASSERT_TRUE(VerifyReceiptText(text, anchor).ok());
  std::string float_version = text;
  const std::size_t at = float_version.find("\"version\":1");
  ASSERT_NE(at, std::string::npos);
  float_version.insert(at + 11, ".0");
  for (const std::string& bad : {"{\"version\":1," + text.substr(1),
                                 "{\"tx\\u005fid\":\"00\"," + text.substr(1), float_version}) {
    const ReceiptVerdict v = VerifyReceiptText(bad, anchor);
    EXPECT_EQ(v.status.code(), "receipt_malformed") << bad.substr(0, 40);
    EXPECT_EQ(v.check, ReceiptCheck::kFormat);
  }
}

TEST(TrustAnchor, ParsesEitherFormAndRejectsBadOnes) {
  auto a = TrustAnchor::FromJson(Json{
      {"chain_id", "c"}, {"validator_set_hashes", {std::string(64, 'a'), std::string(64, 'b')}}});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->validator_set_hashes.size(), 2u);
  EXPECT_EQ(a->ToJson()["chain_id"], "c");
  for (const Json& bad :
       {Json(), Json{{"chain_id", "c"}}, Json{{"chain_id", ""}, {"validator_set_hash", ""}},
        Json{{"chain_id", "c"}, {"validator_set_hash", "AB"}},
        Json{{"chain_id", "c"}, {"validator_set_hashes", "ab"}}}) {
    EXPECT_EQ(TrustAnchor::FromJson(bad).status().code(), "anchor_invalid") << bad.dump();
  }
}

TEST(TrustAnchor, AListedLaterValidatorSetIsTrustedToo) {
  // A receipt signed by a set the anchor lists besides the genesis set verifies.
  const Json forged = ReadJson("other-validator-set.json");
  TrustAnchor anchor = AnchorFromFile("anchor.json");
  EXPECT_EQ(VerifyReceipt(forged, anchor).status.code(), "receipt_unknown_validator_set");
  auto set = consensus::ValidatorSet::FromJson(forged["validators"]);
  ASSERT_TRUE(set.ok());
  anchor.validator_set_hashes.push_back(set->Hash());
  EXPECT_TRUE(VerifyReceipt(forged, anchor).ok());
}

}  // namespace
}  // namespace consentd::wallet
