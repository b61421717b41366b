// Runs the docs/CLI.md walkthrough (tests/cli/walkthrough.sh) verbatim against a real network
// with the members of network-configs/local-4 (issue "Wallet and consentctl", done when).
// One validator keeps it quick; the commands do not depend on how many there are. Then the
// CLI's audit export is compared with the API's paged log.

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/file_util.h"
#include "common/test_paths.h"
#include "tests/integration/harness.h"

namespace consentd::testing {
namespace {

TEST(CliWalkthroughTest, EveryDocumentedCommandWorks) {
  const std::string root = consentd::testing::SourceDir();
  auto local4 = ParseJson(*ReadFile(root + "/network-configs/local-4/network.json"));
  ASSERT_TRUE(local4.ok());
  LocalNet net(1, [&](Json& n) {
    n["members"] = (*local4)["members"];
    for (Json& m : n["members"]) m["validator"] = m["id"] == "insurer-a";
  });
  net.StartAll();
  ASSERT_TRUE(net.WaitHeight(0, 1, 60'000)) << net.Log(0);
  const std::string cmd = "CONSENTD_NET='" + net.dir() + "' CONSENTCTL='" +
                          BinaryPath("consentctl") + "' CONSENTD_NODE='" + net.url(0) + "' bash '" +
                          root + "/tests/cli/walkthrough.sh' '" + root + "' > '" + net.dir() +
                          "/walkthrough.log' 2>&1";
  const int rc = std::system(cmd.c_str());
  auto log = ReadFile(net.dir() + "/walkthrough.log", 1 << 24);
  EXPECT_EQ(rc, 0) << (log.ok() ? *log : "") << "\nnode log:\n" << net.Log(0).substr(0, 20000);
  EXPECT_NE(log->find("all steps passed"), std::string::npos);

  // consentctl's audit export equals the API's paged log over the same heights.
  const std::string token =
      ParseJson(*ReadFile(net.dir() + "/tokens.json")).value()["auditor"]["token"];
  const std::uint64_t to = net.Height(0);
  const std::string out = net.dir() + "/export.ndjson";
  const std::string export_cmd = "'" + BinaryPath("consentctl") + "' audit export --from 1 --to " +
                                 std::to_string(to) + " --format ndjson --out '" + out +
                                 "' --quiet --node '" + net.url(0) + "' --token '" + token + "'";
  ASSERT_EQ(std::system(export_cmd.c_str()), 0) << export_cmd;
  std::string paged;
  std::string cursor;
  for (int guard = 0; guard < 10000; ++guard) {
    auto client = cli::Client::Create(net.url(0), token);
    ASSERT_TRUE(client.ok());
    auto page = client->Get("/v1/audit/log?limit=2&to_height=" + std::to_string(to) +
                            (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_TRUE(page.ok() && page->status == 200) << (page.ok() ? page->raw : "");
    for (const Json& item : page->body["items"]) paged += CanonicalJson(item) + "\n";
    if (!page->body.contains("next_cursor")) break;
    cursor = page->body["next_cursor"];
  }
  auto exported = ReadFile(out, 1 << 26);
  ASSERT_TRUE(exported.ok());
  EXPECT_FALSE(paged.empty());
  EXPECT_EQ(*exported, paged);
}

}  // namespace
}  // namespace consentd::testing
