#include "wallet/access_log_verify.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/test_paths.h"

namespace consentd::wallet {
namespace {

// tests/fixtures/access_log/example.ndjson, written from the documented rule by another
// implementation (its README.md).
std::vector<Json> Fixture() {
  std::ifstream in(std::string(consentd::testing::SourceDir()) +
                   "/tests/fixtures/access_log/example.ndjson");
  std::vector<Json> out;
  for (std::string line; std::getline(in, line);) {
    auto j = ParseJson(line);
    EXPECT_TRUE(j.ok()) << line;
    if (j.ok()) out.push_back(*j);
  }
  return out;
}

TEST(AccessLogVerify, TheFixtureChainVerifiesAndItsHashesAreTheDocumentedOnes) {
  const std::vector<Json> all = Fixture();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_TRUE(VerifyAccessLog(all, false).ok());
  for (const Json& e : all) EXPECT_EQ(AccessEntryHash(e), e["hash"]);
  EXPECT_EQ(all.back()["hash"], "67da57eb78129baf8e4552098addb21a3fc1173391633cb2db736beb35bc5172");
  EXPECT_EQ(AccessSeq(all[2]), 3u);
  EXPECT_FALSE(AccessSeq(Json{{"seq", -1}}));
  EXPECT_FALSE(AccessSeq(Json{{"seq", "1"}}));
}

TEST(AccessLogVerify, AnEditedRemovedOrReorderedEntryBreaksTheChain) {
  const std::vector<Json> all = Fixture();
  ASSERT_EQ(all.size(), 4u);

  std::vector<Json> edited = all;
  edited[1]["principal"]["name"] = "someone-else";
  const Status e = VerifyAccessLog(edited, false);
  EXPECT_EQ(e.code(), "access_log_broken");
  EXPECT_NE(e.message().find("entry 2"), std::string::npos) << e.message();

  std::vector<Json> rehashed = edited;  // edited and re-hashed: the next link breaks
  rehashed[1]["hash"] = AccessEntryHash(rehashed[1]);
  EXPECT_NE(VerifyAccessLog(rehashed, false).message().find("entry 3"), std::string::npos);

  std::vector<Json> removed = {all[0], all[2], all[3]};
  EXPECT_EQ(VerifyAccessLog(removed, false).code(), "access_log_broken");
  EXPECT_TRUE(VerifyAccessLog(removed, true).ok());  // a filtered export may skip entries
  std::vector<Json> relinked = removed;  // a gap closed by renumbering: the hashes break
  relinked[1]["seq"] = 2;
  EXPECT_EQ(VerifyAccessLog(relinked, true).code(), "access_log_broken");

  std::vector<Json> reordered = {all[0], all[2], all[1], all[3]};
  EXPECT_EQ(VerifyAccessLog(reordered, true).code(), "access_log_broken");

  std::vector<Json> tail = {all[2], all[3]};
  EXPECT_EQ(VerifyAccessLog(tail, false).code(), "access_log_broken");  // not from seq 1
  EXPECT_TRUE(VerifyAccessLog(tail, true).ok());
  EXPECT_EQ(VerifyAccessLog({Json::object()}, true).code(), "access_log_broken");
  EXPECT_EQ(VerifyAccessLog({Json::array()}, true).code(), "access_log_broken");
  EXPECT_TRUE(VerifyAccessLog({}, false).ok());
}

}  // namespace
}  // namespace consentd::wallet
