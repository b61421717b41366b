// Replays every committed fuzz input, the seed corpus (fuzz/corpus/<target>/) and the inputs of
// past crashes (fuzz/regressions/<target>/), through the same target functions libFuzzer runs,
// in the normal sanitizer build. A regression input that crashes again fails here, without
// clang or libFuzzer.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/file_util.h"
#include "common/test_paths.h"
#include "fuzz/targets.h"

namespace consentd::fuzz {
namespace {

namespace fs = std::filesystem;

// Every regular file under fuzz/<kind>/<target>/, sorted so a failure names a stable input.
std::vector<fs::path> Inputs(const std::string& kind, const std::string& target) {
  const fs::path dir = fs::path(consentd::testing::SourceDir()) / "fuzz" / kind / target;
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename().string()[0] != '.') out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Replay(const std::string& target, void (*fn)(std::span<const std::uint8_t>)) {
  const std::vector<fs::path> corpus = Inputs("corpus", target);
  EXPECT_GE(corpus.size(), 5u) << "the seed corpus of " << target << " is missing";
  std::vector<fs::path> all = corpus;
  for (const fs::path& p : Inputs("regressions", target)) all.push_back(p);
  for (const fs::path& p : all) {
    // Printed first: a crash or a broken invariant aborts the whole binary (ctest shows this).
    std::fprintf(stderr, "fuzz input: %s\n", p.string().c_str());
    const Result<std::string> data = ReadFile(p.string());
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    fn(AsBytes(*data));
  }
}

TEST(FuzzRegression, CanonicalJson) { Replay("json", FuzzCanonicalJson); }
TEST(FuzzRegression, Tx) { Replay("tx", FuzzTx); }
TEST(FuzzRegression, PeerFrame) { Replay("frame", FuzzPeerFrame); }
TEST(FuzzRegression, Receipt) { Replay("receipt", FuzzReceipt); }
TEST(FuzzRegression, RequestSignature) { Replay("request_signature", FuzzRequestSignature); }

// The invariant checks themselves fire (death test: they abort, as libFuzzer needs).
TEST(FuzzRegressionDeathTest, FuzzCheckAborts) {
  EXPECT_DEATH(FuzzCheck(false, "test invariant"), "fuzz invariant broken: test invariant");
}

}  // namespace
}  // namespace consentd::fuzz
