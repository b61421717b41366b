// Ledger benchmarks (issue "Ledger", performance section). Not a test: it prints measured
// figures for docs/BENCHMARKS.md.
//
//   consentd_bench_ledger [--dir DIR] [--consents N] [--apply-blocks B] [--checks Q]   (--help)
//
//  1. apply: blocks of 1,000 mixed txs (500 consent.grant + 500 sharing.record) executed and
//     committed on LevelDB, signatures excluded (pre-verified txs) and included (parse + verify
//     from JSON text, as a node receiving a block it has never seen).
//  2. scale: N consents committed (signatures are not verified in this phase, to build the
//     store quickly), then Check and consent-by-id latency (p50, p99, max) and disk bytes per
//     consent grant including every index.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_args.h"
#include "bench/bench_chain.h"
#include "common/hex.h"
#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"
#include "ledger/ledger.h"
#include "ledger/query/queries.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

using Clock = std::chrono::steady_clock;
using testing::kDay;
using testing::kGenesisTime;
using testing::kYear;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::uint64_t DirBytes(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

void ApplyPhase(BenchChain& b, int blocks) {
  const std::string insurer_hex = b.chain->Key("insurer-a").public_key().Hex();
  std::int64_t t = b.chain->ledger().head().time_ms + 1000;
  std::uint64_t next_subject = 0;
  // Warm-up block of grants so the first measured block has subjects to share about.
  {
    std::vector<TxPtr> txs;
    for (int i = 0; i < 1000; ++i) {
      txs.push_back(b.Unverified(TxType::kConsentGrant, b.GrantBody(next_subject),
                                 {insurer_hex, b.SubjectKeyHex(next_subject)}));
      ++next_subject;
    }
    b.Commit(txs, t += 1000);
  }
  // Excluding signatures.
  double secs = 0;
  std::uint64_t txs_done = 0;
  for (int blk = 0; blk < blocks; ++blk) {
    std::vector<TxPtr> txs;
    const std::uint64_t first = next_subject;
    for (int i = 0; i < 500; ++i) {
      txs.push_back(b.Unverified(TxType::kConsentGrant, b.GrantBody(next_subject),
                                 {insurer_hex, b.SubjectKeyHex(next_subject)}));
      ++next_subject;
    }
    for (int i = 0; i < 500; ++i) {
      txs.push_back(b.Unverified(TxType::kSharingRecord, b.SharingBody(first - 1000 + i * 2, t),
                                 {insurer_hex}));
    }
    const auto start = Clock::now();
    b.Commit(txs, t += 1000);
    secs += Seconds(Clock::now() - start);
    txs_done += txs.size();
  }
  std::printf(
      "apply excluding signatures: %d blocks x 1000 txs in %.2f s = %.0f tx/s (%.1f ms/block)\n",
      blocks, secs, txs_done / secs, secs * 1000 / blocks);

  // Including signatures: texts signed beforehand, then parse + verify + execute + commit.
  const crypto::PrivateKey& insurer = b.chain->Key("insurer-a");
  secs = 0;
  txs_done = 0;
  for (int blk = 0; blk < std::max(1, blocks / 2); ++blk) {
    std::vector<std::string> texts;
    const std::uint64_t first = next_subject;
    for (int i = 0; i < 500; ++i) {
      const auto subject = testing::KeyFor(BenchChain::SubjectName(next_subject));
      texts.push_back(
          b.SignedText(TxType::kConsentGrant, b.GrantBody(next_subject), {}, {&insurer, &subject}));
      ++next_subject;
    }
    for (int i = 0; i < 500; ++i) {
      texts.push_back(b.SignedText(TxType::kSharingRecord, b.SharingBody(first - 1000 + i * 2, t),
                                   {}, {&insurer}));
    }
    const auto start = Clock::now();
    std::vector<TxPtr> txs;
    for (const auto& text : texts)
      txs.push_back(std::move(Tx::Parse(text, b.chain->chain_id()).value()));
    b.Commit(txs, t += 1000);
    secs += Seconds(Clock::now() - start);
    txs_done += txs.size();
  }
  std::printf("apply including signatures (1 core): %.0f tx/s (%.1f ms/block of 1000)\n",
              txs_done / secs, secs * 1000 / std::max(1, blocks / 2));
}

struct Percentiles {
  double p50, p99, max;
};
Percentiles Summarize(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100], us.back()};
}

void ScalePhase(BenchChain& b, std::uint64_t consents, int checks) {
  const std::uint64_t before_height = b.chain->ledger().head().height;
  const std::uint64_t bytes_before = DirBytes(b.dir);
  std::vector<Hash256> ids;
  ids.reserve(consents);
  const auto start = Clock::now();
  b.BuildConsents(consents, &ids);
  const double build = Seconds(Clock::now() - start);
  std::printf("built %llu consents in %.1f s (%.0f grants/s, %llu blocks)\n",
              static_cast<unsigned long long>(consents), build, consents / build,
              static_cast<unsigned long long>(b.chain->ledger().head().height - before_height));

  // Reopen so the memtable is flushed to tables, then measure the directory.
  auto genesis = b.chain->genesis();
  b.chain.reset();
  b.chain = std::make_unique<testing::TestChain>(
      std::move(OpenLevelDbStore(b.dir.string()).value()), genesis);
  const std::uint64_t bytes = DirBytes(b.dir) - std::min(bytes_before, DirBytes(b.dir));
  std::printf("disk: %.0f bytes per consent grant including indexes, block and tx records\n",
              static_cast<double>(bytes) / consents);

  Queries q(b.chain->ledger());
  std::vector<double> check_us, consent_us;
  std::uint64_t pick = 12345;
  for (int i = 0; i < checks; ++i) {
    pick = pick * 6364136223846793005ULL + 1442695040888963407ULL;
    const Hash256& id = ids[(pick >> 16) % ids.size()];
    auto s0 = Clock::now();
    auto view = q.Consent(id);
    consent_us.push_back(Seconds(Clock::now() - s0) * 1e6);
    if (!view.ok() || !view->has_value()) std::abort();
    CheckRequest req;
    req.subject = *Subject::FromString((**view)["subject_id"].get<std::string>());
    req.recipient = "processor";
    req.purpose = "ClaimsHandling";
    req.categories = {"Contact"};
    auto s1 = Clock::now();
    auto r = q.Check(req);
    check_us.push_back(Seconds(Clock::now() - s1) * 1e6);
    if (!r.ok() || !(*r)["allowed"].get<bool>()) std::abort();
  }
  const auto c = Summarize(check_us);
  const auto g = Summarize(consent_us);
  std::printf("Check with %llu consents: p50 %.0f us, p99 %.0f us, max %.0f us (%d queries)\n",
              static_cast<unsigned long long>(consents), c.p50, c.p99, c.max, checks);
  std::printf("consent by id: p50 %.0f us, p99 %.0f us, max %.0f us\n", g.p50, g.p99, g.max);
}

}  // namespace
}  // namespace consentd::ledger

int main(int argc, char** argv) {
  std::string dir = "/tmp/consentd-bench-ledger";
  std::uint64_t consents = 1'000'000;
  std::uint64_t apply_blocks = 20;
  std::uint64_t checks = 20000;
  const int done = consentd::bench::ParseFlags(
      argc, argv, "consentd_bench_ledger",
      "usage: consentd_bench_ledger [--dir DIR] [--consents N] [--apply-blocks B] [--checks Q]\n"
      "  1. apply: B blocks of 1,000 mixed txs executed and committed on LevelDB, without and\n"
      "     with signature checks (default 20);\n"
      "  2. scale: N consents committed (default 1,000,000; 0 leaves the phase out), then Q\n"
      "     checks (default 20,000) and disk bytes per consent.\n"
      "  DIR (default /tmp/consentd-bench-ledger) is removed at the end.\n",
      {{"--dir", &dir},
       {"--consents", nullptr, &consents, 0, 100'000'000},
       {"--apply-blocks", nullptr, &apply_blocks, 1, 100'000},
       {"--checks", nullptr, &checks, 1, 100'000'000}});
  if (done >= 0) return done;
  {
    consentd::ledger::BenchChain apply(dir + "/apply");
    consentd::ledger::ApplyPhase(apply, static_cast<int>(apply_blocks));
  }
  if (consents > 0) {
    consentd::ledger::BenchChain scale(dir + "/scale");
    consentd::ledger::ScalePhase(scale, consents, static_cast<int>(checks));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
