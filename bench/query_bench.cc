// The query handlers' own cost, without HTTP: GET /v1/check and GET /v1/receipts/{tx_id} as
// their handlers run them (a Queries on the ledger's latest commit, a ReceiptCache), on one
// thread, against the node home bench/http_bench.sh builds (1,000,000 consents). On a 2-core
// machine wrk and the server share the cores, and the HTTP figures move by ±10% between
// identical runs; this one moves by a few percent, so it is the one to compare builds with.
// Not a test. The node must not be running on the home (LevelDB allows one process).
//
//   consentd_bench_queries [--home DIR] [--queries N] [--cache-mb MB]
//
// Reads DIR/check_paths.txt and DIR/receipt_paths.txt (written by consentd_bench_http_fixture)
// and prints one line per route: microseconds per query, and how many answered as expected;
// each route is timed after an unmeasured pass (warm caches, as a serving node has them).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench_args.h"
#include "common/hex.h"
#include "ledger/ledger.h"
#include "ledger/query/queries.h"
#include "ledger/query/receipt_cache.h"

namespace consentd::ledger {
namespace {

using Clock = std::chrono::steady_clock;

// The subject of each "/v1/check?subject=key:<hex>&..." line.
Result<std::vector<Subject>> CheckSubjects(const std::string& file) {
  std::ifstream in(file);
  if (!in) return Status::Error(Reason::kFileRead, "cannot read " + file);
  std::vector<Subject> out;
  for (std::string line; std::getline(in, line);) {
    const std::size_t from = line.find("subject=");
    if (from == std::string::npos) continue;
    const std::size_t end = line.find('&', from);
    CONSENTD_ASSIGN_OR_RETURN(Subject s,
                              Subject::FromString(line.substr(from + 8, end - from - 8)));
    out.push_back(s);
  }
  if (out.empty()) return Status::Error(Reason::kFileRead, file + " names no subject");
  return out;
}

// The tx id of each "/v1/receipts/<hex>" line.
Result<std::vector<Hash256>> ReceiptIds(const std::string& file) {
  std::ifstream in(file);
  if (!in) return Status::Error(Reason::kFileRead, "cannot read " + file);
  std::vector<Hash256> out;
  const std::string prefix = "/v1/receipts/";
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(prefix)) continue;
    CONSENTD_ASSIGN_OR_RETURN(Hash256 id, HexDecodeFixed<32>(line.substr(prefix.size())));
    out.push_back(id);
  }
  if (out.empty()) return Status::Error(Reason::kFileRead, file + " names no receipt");
  return out;
}

// A fixed pseudo-random sequence, so two builds answer the same queries in the same order.
struct Picker {
  std::uint64_t state = 12345;
  std::size_t Next(std::size_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state >> 16) % n);
  }
};

void Print(const char* route, Clock::duration took, int queries, int answered) {
  std::printf("%-24s %8.1f us/query  (%d queries, %d answered as expected)\n", route,
              std::chrono::duration<double, std::micro>(took).count() / queries, queries, answered);
}

int Run(const std::string& home, int queries, std::size_t cache_mb) {
  auto subjects = CheckSubjects(home + "/check_paths.txt");
  auto receipts = ReceiptIds(home + "/receipt_paths.txt");
  auto genesis = Genesis::Load(home + "/genesis.json");
  for (const Status& st : {subjects.status(), receipts.status(), genesis.status()}) {
    if (!st.ok()) {
      std::fprintf(stderr, "consentd_bench_queries: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  LevelDbOptions options;
  if (cache_mb > 0) options.block_cache_bytes = cache_mb << 20;
  auto store = OpenLevelDbStore(home + "/data/ledger", options);
  if (!store.ok()) {
    std::fprintf(stderr, "consentd_bench_queries: %s (is a node running on %s?)\n",
                 store.status().ToString().c_str(), home.c_str());
    return 1;
  }
  auto ledger = Ledger::Open(std::move(*store), std::move(*genesis));
  if (!ledger.ok()) {
    std::fprintf(stderr, "consentd_bench_queries: %s\n", ledger.status().ToString().c_str());
    return 1;
  }

  // Each route runs an unmeasured pass first, as many queries as it has paths (at most
  // `queries`): the caches then hold what a node that has been serving holds, as after
  // bench/http_bench.sh's warm-up.
  Picker pick;
  auto timed = [&](const char* route, std::size_t paths, const std::function<bool()>& query) {
    for (std::size_t i = 0; i < std::min<std::size_t>(paths, queries); ++i) query();
    int answered = 0;
    const auto start = Clock::now();
    for (int i = 0; i < queries; ++i) answered += query() ? 1 : 0;
    Print(route, Clock::now() - start, queries, answered);
    return answered == queries;
  };
  // The fixture grants every subject Contact for ClaimsHandling to "processor": allowed now.
  const bool checks_ok = timed("GET /v1/check", subjects->size(), [&] {
    CheckRequest req;
    req.subject = (*subjects)[pick.Next(subjects->size())];
    req.recipient = "processor";
    req.purpose = "ClaimsHandling";
    req.categories = {"Contact"};
    req.at = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
    auto answer = Queries(**ledger).Check(std::move(req));
    return answer.ok() && (*answer)["allowed"] == true;
  });
  ReceiptCache cache(ledger->get());
  const bool receipts_ok = timed("GET /v1/receipts/{id}", receipts->size(), [&] {
    auto receipt = cache.BuildText((*receipts)[pick.Next(receipts->size())]);
    return receipt.ok() && receipt->has_value();
  });
  std::printf("receipt cache: %llu block hits, %llu misses\n",
              static_cast<unsigned long long>(cache.hits()),
              static_cast<unsigned long long>(cache.misses()));
  return checks_ok && receipts_ok ? 0 : 1;
}

}  // namespace
}  // namespace consentd::ledger

int main(int argc, char** argv) {
  std::string home = "/tmp/consentd-bench-http";
  std::uint64_t queries = 100000;
  std::uint64_t cache_mb = 0;
  const int done = consentd::bench::ParseFlags(
      argc, argv, "consentd_bench_queries",
      "usage: consentd_bench_queries [--home DIR] [--queries N] [--cache-mb MB]\n"
      "  The /v1/check and /v1/receipts handlers' cost in process, one thread, against the\n"
      "  node home of bench/http_bench.sh (default /tmp/consentd-bench-http; the node must\n"
      "  not be running). --cache-mb: LevelDB's block cache (default: the node's).\n",
      {{"--home", &home},
       {"--queries", nullptr, &queries, 1, 100'000'000},
       {"--cache-mb", nullptr, &cache_mb, 0, 65536}});
  if (done >= 0) return done;
  return consentd::ledger::Run(home, static_cast<int>(queries), cache_mb);
}
