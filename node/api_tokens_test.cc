#include "node/api_tokens.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/file_util.h"
#include "common/hex.h"

namespace consentd::node {
namespace {

Json Entry(std::string name, char fill, std::string role, std::string member = "") {
  Json j{{"sha256", std::string(64, fill)}, {"role", role}};
  if (!name.empty()) j["name"] = name;
  if (!member.empty()) j["member"] = member;
  return j;
}

TEST(ApiTokens, EntriesRoundTripAndUnnamedConfigTokensAreNamedAfterTheirRole) {
  Json j = Entry("claims-desk", 'a', "insurer", "insurer-a");
  j["issued_at"] = 5;
  j["expires_at"] = 10;
  auto t = ParseApiToken(j, "t", true);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->name, "claims-desk");
  EXPECT_EQ(t->expires_at_ms, 10);
  EXPECT_FALSE(t->revoked_at_ms.has_value());
  EXPECT_EQ(ToJson(*t), j);

  auto unnamed = ParseApiToken(Entry("", 'b', "insurer", "insurer-b"), "t", false);
  ASSERT_TRUE(unnamed.ok());
  EXPECT_EQ(unnamed->name, "insurer:insurer-b");
  EXPECT_EQ(ParseApiToken(Entry("", 'b', "auditor"), "t", false)->name, "auditor");
}

TEST(ApiTokens, BadEntriesAreRefusedNamingTheField) {
  const std::vector<std::pair<Json, std::string>> bad = {
      {Entry("", 'a', "auditor"), "t.name"},  // the file needs names
      {Entry(std::string(65, 'n'), 'a', "auditor"), "t.name"},
      {Entry("tab\there", 'a', "auditor"), "t.name"},
      {Entry("x", 'A', "auditor"), "t.sha256"},
      {Entry("x", 'a', "customer"), "t.role"},
      {Entry("x", 'a', "insurer"), "t.member"},
      {Entry("x", 'a', "auditor", "insurer-a"), "t.member"},
      {Json{{"name", "x"}, {"sha256", std::string(64, 'a')}, {"role", "auditor"}, {"extra", 1}},
       "t.extra"},
      {Json{{"name", "x"},
            {"sha256", std::string(64, 'a')},
            {"role", "auditor"},
            {"expires_at", -1}},
       "t.expires_at"},
  };
  for (const auto& [j, field] : bad) {
    auto t = ParseApiToken(j, "t", true);
    ASSERT_FALSE(t.ok()) << j.dump();
    EXPECT_EQ(t.status().code(), "config_invalid");
    EXPECT_NE(t.status().message().find(field), std::string::npos) << t.status().message();
  }
}

TEST(ApiTokens, TheFileRoundTripsAMissingFileIsEmptyAndNamesAreUnique) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("api_tokens_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "api_tokens.json").string();
  auto none = ReadTokensFile(path);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto a = ParseApiToken(Entry("a", '1', "auditor"), "t", true);
  auto b = ParseApiToken(Entry("b", '2', "insurer", "insurer-a"), "t", true);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(WriteTokensFile(path, {*a, *b}).ok());
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto back = ReadTokensFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].member, "insurer-a");

  EXPECT_EQ(MergeTokens({*a}, {*a}).status().code(), "config_invalid");
  ApiToken same_hash = *b;
  same_hash.name = "c";
  same_hash.sha256 = a->sha256;
  EXPECT_EQ(MergeTokens({*a}, {same_hash}).status().code(), "config_invalid");

  ASSERT_TRUE(consentd::WriteFileAtomic(path, "{\"tokens\": {}}").ok());
  EXPECT_EQ(ReadTokensFile(path).status().code(), "config_invalid");
  ASSERT_TRUE(consentd::WriteFileAtomic(path, "not json").ok());
  EXPECT_EQ(ReadTokensFile(path).status().code(), "config_invalid");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace consentd::node
