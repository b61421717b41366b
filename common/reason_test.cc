#include "common/reason.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "common/file_util.h"
#include "common/reason_docs.h"
#include "common/status.h"
#include "common/test_paths.h"

namespace consentd {
namespace {

std::string ReadSource(const std::string& relative) {
  auto text = ReadFile(std::string(testing::SourceDir()) + "/" + relative);
  EXPECT_TRUE(text.ok()) << relative << ": " << text.status().ToString();
  return text.ok() ? *text : std::string();
}

// The text between the line holding `begin` and the line holding `end` (both excluded).
std::string Between(const std::string& doc, const std::string& begin, const std::string& end) {
  const auto b = doc.find(begin);
  if (b == std::string::npos) return "(no line with " + begin + ")";
  const auto from = doc.find('\n', b) + 1;
  const auto e = doc.find(end, from);
  if (e == std::string::npos) return "(no line with " + end + " after " + begin + ")";
  return doc.substr(from, doc.rfind('\n', e - 1) + 1 - from);
}

std::string CamelName(const std::string& code) {
  std::string name = "k";
  bool upper = true;
  for (char c : code) {
    if (c == '_') {
      upper = true;
    } else {
      name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return name;
}

TEST(ReasonTest, CatalogueIsWellFormed) {
  std::set<std::string> codes;
  ASSERT_GT(AllReasons().size(), 200u);
  int value = 1;
  for (const ReasonInfo& r : AllReasons()) {
    SCOPED_TRACE(r.code);
    EXPECT_EQ(static_cast<int>(r.reason), value++) << "the table is indexed by the enum";
    EXPECT_TRUE(codes.insert(r.code).second) << "listed twice";
    ASSERT_FALSE(r.code.empty());
    for (char c : r.code) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    EXPECT_NE(r.code.front(), '_');
    EXPECT_NE(r.code.back(), '_');
    EXPECT_EQ(r.name, CamelName(r.code)) << "the enumerator is the code in CamelCase";
    EXPECT_FALSE(r.doc.empty());
    EXPECT_FALSE(r.group.empty());
    // A doc line is one table cell.
    EXPECT_EQ(r.doc.find('|'), std::string_view::npos);
    EXPECT_EQ(r.doc.find('\n'), std::string_view::npos);
    EXPECT_EQ(ParseReason(r.code), r.reason);
    EXPECT_EQ(ToString(r.reason), r.code);
    // The status says the class: a client that knows only the status draws the right
    // conclusion.
    const int s = r.http_status;
    switch (r.cls) {
      case ReasonClass::kInvalidInput:
        EXPECT_TRUE(s == 0 || s == 400 || s == 404 || s == 413 || s == 414 || s == 431) << s;
        break;
      case ReasonClass::kRejected:
        EXPECT_TRUE(s == 0 || s == 409 || s == 413 || s == 422) << s;
        break;
      case ReasonClass::kDenied:
        EXPECT_TRUE(s == 0 || s == 401 || s == 403) << s;
        break;
      case ReasonClass::kUnavailable:
        EXPECT_TRUE(s == 0 || s == 408 || s == 429 || s == 503 || s == 504) << s;
        break;
      case ReasonClass::kInternal:
        EXPECT_TRUE(s == 0 || s == 500) << s;
        break;
    }
  }
  EXPECT_FALSE(ParseReason(""));
  EXPECT_FALSE(ParseReason("json_syntax "));
  EXPECT_FALSE(ParseReason("no_such_code"));
  EXPECT_EQ(ToString(Reason::kOk), "");
}

TEST(ReasonTest, StatusCarriesTheReason) {
  const Status st = Status::Error(Reason::kJsonDuplicateKey, "key \"a\"");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.reason(), Reason::kJsonDuplicateKey);
  EXPECT_EQ(st.code(), "json_duplicate_key");
  EXPECT_EQ(st.ToString(), "json_duplicate_key: key \"a\"");
  EXPECT_EQ(st.WithContext("body").reason(), Reason::kJsonDuplicateKey);
  EXPECT_EQ(st.WithContext("body").message(), "body: key \"a\"");
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().code(), "");
  EXPECT_EQ(Status::Ok().reason(), Reason::kOk);
  // An error is never OK, even when asked for with kOk.
  EXPECT_FALSE(Status::Error(Reason::kOk, "x").ok());
  EXPECT_EQ(Status::Error(Reason::kOk, "x").reason(), Reason::kInternal);
  EXPECT_NE(st, Status::Error(Reason::kJsonSyntax, "key \"a\""));
}

// docs/API.md "Errors", docs/CLI.md "Reason codes" and the OpenAPI file's x-error-codes are the
// catalogue, as `consentctl reasons --markdown api|local` prints it.
TEST(ReasonDocsTest, DocsListEveryCodeAsTheCatalogueSays) {
  const std::string begin = "<!-- reason codes: begin";
  const std::string end = "<!-- reason codes: end";
  EXPECT_EQ(Between(ReadSource("docs/API.md"), begin, end), ReasonsMarkdown(ReasonScope::kApi))
      << "docs/API.md, Errors: regenerate with consentctl reasons --markdown api";
  EXPECT_EQ(Between(ReadSource("docs/CLI.md"), begin, end), ReasonsMarkdown(ReasonScope::kLocal))
      << "docs/CLI.md, Reason codes: regenerate with consentctl reasons --markdown local";
  EXPECT_EQ(
      Between(ReadSource("docs/api/openapi.yaml"), "  x-error-codes:", "  # x-error-codes end"),
      ReasonsOpenApi())
      << "docs/api/openapi.yaml, components.x-error-codes: consentctl reasons --openapi";
}

TEST(ReasonDocsTest, JsonListsEveryCodeWithItsStatus) {
  const Json all = ReasonsJson();
  ASSERT_EQ(all.size(), AllReasons().size());
  EXPECT_EQ(all[0]["code"], AllReasons()[0].code);
  bool saw_local = false;
  for (const Json& r : all) {
    if (r["http_status"].is_null()) {
      saw_local = true;
    } else {
      EXPECT_EQ(r["http_status"].get<int>(),
                InfoOf(*ParseReason(r["code"].get<std::string>())).http_status);
    }
  }
  EXPECT_TRUE(saw_local);
}

}  // namespace
}  // namespace consentd
