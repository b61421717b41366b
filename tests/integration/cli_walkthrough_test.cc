// Runs the docs/CLI.md walkthrough (tests/cli/walkthrough.sh) verbatim against a real network
// with the members of network-configs/local-4 (issue "Wallet and consentctl", done when).
// One validator keeps it quick; the commands do not depend on how many there are.

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/file_util.h"
#include "tests/integration/harness.h"

namespace consentd::testing {
namespace {

TEST(CliWalkthroughTest, EveryDocumentedCommandWorks) {
  const std::string root = CONSENTD_SOURCE_DIR;
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
}

}  // namespace
}  // namespace consentd::testing
