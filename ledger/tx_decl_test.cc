#include "ledger/tx_decl.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "common/test_paths.h"
#include "ledger/tx_decl_docs.h"

namespace consentd::ledger {
namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(testing::SourceDir()) + "/" + relative);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

TEST(TxDeclTest, OneWellFormedDeclarationPerTypeInEnumOrder) {
  ASSERT_EQ(TxDecls().size(), static_cast<std::size_t>(kTxTypeCount));
  for (int i = 0; i < kTxTypeCount; ++i) {
    const TxDecl& d = TxDecls()[i];
    SCOPED_TRACE(ToString(d.type));
    EXPECT_EQ(static_cast<int>(d.type), i);
    EXPECT_EQ(ParseTxType(d.name), d.type);
    EXPECT_EQ(std::string_view(ToString(d.type)), d.name);
    EXPECT_FALSE(d.fields.empty());
    EXPECT_FALSE(d.signed_by.empty());
    // The body struct the declaration fills is the one TxBody holds for the type.
    EXPECT_TRUE(d.make().index() < std::variant_size_v<TxBody>);
    std::set<std::string_view> names;
    for (const FieldDecl& f : d.fields) {
      SCOPED_TRACE(std::string(f.name));
      EXPECT_TRUE(names.insert(f.name).second) << "declared twice";
      EXPECT_FALSE(f.doc.empty());
      EXPECT_TRUE(f.read != nullptr);
      EXPECT_EQ(f.type == FieldType::kCode, f.vocab != nullptr);
      EXPECT_EQ(f.type == FieldType::kEnum, !f.allowed.empty());
      if (f.list) {
        EXPECT_LE(f.min, f.max);
        EXPECT_GE(f.max, 1);
        if (f.min == 0) EXPECT_FALSE(f.required) << "a list that may be empty may be absent";
      }
      if (f.nullable) EXPECT_FALSE(f.required);
    }
    for (const RuleDecl& r : d.rules) {
      SCOPED_TRACE(r.message);
      EXPECT_FALSE(r.message.empty());
      EXPECT_FALSE(r.fields.empty());
      for (std::string_view f : r.fields) EXPECT_NE(d.Find(f), nullptr) << f;
      if (!r.other.empty()) EXPECT_NE(d.Find(r.other), nullptr) << r.other;
      if (r.when == When::kKeySubject || r.when == When::kRefSubject) {
        EXPECT_NE(d.Find("subject"), nullptr);
      }
    }
  }
  // Both agreement.suspend and agreement.terminate fill AgreementEnd.
  EXPECT_EQ(DeclOf(TxType::kAgreementSuspend).make().index(),
            DeclOf(TxType::kAgreementTerminate).make().index());
}

TEST(TxDeclTest, EveryEnumValueHasAMeaning) {
  // rights.fulfil's outcome is read into a RightsStatus: each allowed name must map to one.
  const FieldDecl* outcome = DeclOf(TxType::kRightsFulfil).Find("outcome");
  ASSERT_NE(outcome, nullptr);
  for (std::string_view a : outcome->allowed) EXPECT_TRUE(FromWire<RightsStatus>(a)) << a;
}

TEST(TxDeclTest, TheCommittedSchemasAreTheDeclarations) {
  // docs/api/schemas/ is what outside clients and the web app read. Regenerate it with:
  //   consentctl schema --out docs/api/schemas
  const std::string dir = std::string(testing::SourceDir()) + "/docs/api/schemas";
  std::set<std::string> expected;
  for (const TxDecl& d : TxDecls()) {
    const std::string file = std::string(ToString(d.type)) + ".json";
    expected.insert(file);
    EXPECT_EQ(ReadSource("docs/api/schemas/" + file), JsonSchemaOf(d).dump(1) + "\n")
        << "docs/api/schemas/" << file << " is stale: consentctl schema --out docs/api/schemas";
  }
  std::set<std::string> present;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    present.insert(e.path().filename().string());
  }
  EXPECT_EQ(present, expected) << "docs/api/schemas/ holds a file no declaration makes";
}

TEST(TxDeclTest, SchemasCarryTheOrderAndTheRules) {
  const Json s = JsonSchemaOf(DeclOf(TxType::kPortfolioTransfer));
  EXPECT_EQ(s.at("x-consentd-fields").at(0).at("name"), "transferor");
  EXPECT_EQ(s.at("additionalProperties"), false);
  EXPECT_EQ(s.at("oneOf").size(), 2u);
  bool distinct = false;
  for (const Json& r : s.at("x-consentd-rules")) {
    distinct = distinct || (r.at("kind") == "distinct" &&
                            r.at("message") == "transferor and transferee must differ");
  }
  EXPECT_TRUE(distinct);
  const Json g = JsonSchemaOf(DeclOf(TxType::kConsentGrant));
  EXPECT_EQ(g.at("properties").at("purposes").at("items").at("enum").size(),
            vocab::Purposes().codes().size());
  // recipients may be absent (empty), so it is not required; purposes is.
  const Json& required = g.at("required");
  EXPECT_NE(std::find(required.begin(), required.end(), "purposes"), required.end());
  EXPECT_EQ(std::find(required.begin(), required.end(), "recipients"), required.end());
}

// The OpenAPI file's TxType enum lists every declared type, in declaration order.
TEST(TxDeclTest, OpenApiTxTypeEnumIsTheDeclarations) {
  const std::string doc = ReadSource("docs/api/openapi.yaml");
  const auto at = doc.find("    TxType:\n      type: string\n      enum:\n");
  ASSERT_NE(at, std::string::npos) << "docs/api/openapi.yaml has no TxType enum";
  std::string expected;
  for (const TxDecl& d : TxDecls()) expected += "        - " + std::string(d.name) + "\n";
  const auto from = doc.find("enum:\n", at) + 6;
  auto end = from;  // the enum's entries: the lines indented by 8
  while (doc.compare(end, 10, "        - ") == 0) end = doc.find('\n', end) + 1;
  EXPECT_EQ(doc.substr(from, end - from), expected);
}

TEST(TxDeclTest, LedgerMdTransactionTableIsTheDeclarations) {
  // docs/LEDGER.md "Transaction types": the body and signed-by columns of each row are what the
  // declarations say, word for word (the rules column is the execution rules' prose).
  const std::string doc = ReadSource("docs/LEDGER.md");
  ASSERT_FALSE(doc.empty());
  for (const TxDecl& d : TxDecls()) {
    SCOPED_TRACE(ToString(d.type));
    const std::string start = "| `" + std::string(ToString(d.type)) + "` |";
    const auto at = doc.find(start);
    ASSERT_NE(at, std::string::npos) << "docs/LEDGER.md has no row for the type";
    const std::string line = doc.substr(at, doc.find('\n', at) - at);
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    for (std::string cell; std::getline(ss, cell, '|');) cells.push_back(Trim(cell));
    ASSERT_GE(cells.size(), 4u);
    EXPECT_EQ(cells[1], BodySummaryOf(d));
    EXPECT_EQ(cells[2], d.signed_by);
  }
  // Every cross-field rule is in the body rules table with its reason code.
  for (const TxDecl& d : TxDecls()) {
    for (const RuleDecl& r : d.rules) {
      const std::string row = "| `" + std::string(ToString(d.type)) + "` | " + r.message + " | `" +
                              ToString(r.code) + "` |";
      EXPECT_NE(doc.find(row), std::string::npos) << "docs/LEDGER.md lacks the row\n" << row;
    }
  }
}

}  // namespace
}  // namespace consentd::ledger
