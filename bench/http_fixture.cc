// Writes a single-validator node home with N committed consents, for the HTTP benchmark
// (bench/http_bench.sh). Not a test.
//
//   consentd_bench_http_fixture --home DIR [--consents N] [--http-port P] [--paths K]
//
// DIR gets genesis.json, node_key.json (plaintext: a benchmark), config.json, data/ledger,
// token.txt (an auditor token), and two files of K request paths each for wrk:
// check_paths.txt (GET /v1/check for random subjects) and receipt_paths.txt
// (GET /v1/receipts/{tx_id} for random consents).

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/bench_chain.h"
#include "common/file_util.h"
#include "crypto/sha256.h"
#include "wallet/key_file.h"

namespace consentd {
namespace {

namespace fs = std::filesystem;

int Main(int argc, char** argv) {
  std::string home;
  std::uint64_t consents = 1'000'000;
  int port = 8701;
  std::uint64_t paths = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--home")) home = argv[i + 1];
    if (!std::strcmp(argv[i], "--consents")) consents = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--http-port")) port = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--paths")) paths = std::stoull(argv[i + 1]);
  }
  if (home.empty()) {
    std::fprintf(stderr, "usage: %s --home DIR [--consents N] [--http-port P] [--paths K]\n",
                 argv[0]);
    return 2;
  }
  fs::remove_all(home);
  fs::create_directories(home + "/data");
  std::vector<Hash256> ids;
  std::vector<std::string> subjects;
  ids.reserve(consents);
  subjects.reserve(consents);
  Json genesis;
  {
    ledger::BenchChain b(home + "/data/ledger");
    b.BuildConsents(consents, &ids, &subjects);
    genesis = b.chain->genesis().ToJson();
  }
  // The node runs as validator 0 of the test genesis (it cannot commit alone: the benchmark
  // only reads).
  const auto& key = ledger::testing::KeyFor("node-insurer-a");
  const std::string token = "bench-auditor-token";
  Json config{{"genesis_file", "genesis.json"},
              {"node_key_file", "node_key.json"},
              {"p2p", {{"listen", "127.0.0.1:" + std::to_string(port + 1000)}}},
              {"http",
               {{"listen", "127.0.0.1:" + std::to_string(port)},
                {"rate_limit_per_s", 10000000},
                {"rate_limit_burst", 10000000},
                {"tokens", {{{"sha256", HexEncode(crypto::Sha256(token))}, {"role", "auditor"}}}}}},
              {"log", {{"level", "warn"}, {"file", "consentd.log"}}}};
  auto ok = [](const Status& st) {
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      std::exit(1);
    }
  };
  ok(WriteFileAtomic(home + "/genesis.json", genesis.dump(2) + "\n"));
  ok(WriteFileAtomic(home + "/config.json", config.dump(2) + "\n"));
  ok(wallet::WriteKeyFile(home + "/node_key.json", wallet::PlaintextKey(key)));
  ok(WriteFileAtomic(home + "/token.txt", token + "\n", 0600));
  std::ofstream check(home + "/check_paths.txt"), receipt(home + "/receipt_paths.txt");
  std::uint64_t pick = 12345;
  for (std::uint64_t i = 0; i < paths; ++i) {
    pick = pick * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::size_t k = (pick >> 16) % ids.size();
    check << "/v1/check?subject=" << subjects[k]
          << "&recipient=processor&purpose=ClaimsHandling&category=Contact\n";
    receipt << "/v1/receipts/" << HexEncode(ids[k]) << "\n";
  }
  std::printf("wrote %s: %llu consents, %llu paths per route\n", home.c_str(),
              static_cast<unsigned long long>(consents), static_cast<unsigned long long>(paths));
  return 0;
}

}  // namespace
}  // namespace consentd

int main(int argc, char** argv) { return consentd::Main(argc, argv); }
