// Ledger benchmarks (issue "Ledger", performance section). Not a test: it prints measured
// figures for docs/BENCHMARKS.md.
//
//   consentd_bench_ledger [--dir DIR] [--consents N] [--apply-blocks B] [--checks Q]
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
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

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

struct Bench {
  std::filesystem::path dir;
  std::unique_ptr<testing::TestChain> chain;
  std::vector<const crypto::PrivateKey*> validators;
  std::uint64_t nonce = 0;

  explicit Bench(std::filesystem::path d) : dir(std::move(d)) {
    std::filesystem::remove_all(dir);
    auto genesis = testing::DefaultGenesis("bench");
    genesis.params.max_block_txs = 1000;
    genesis.params.max_tx_lifetime = 10'000'000;
    chain = std::make_unique<testing::TestChain>(std::move(OpenLevelDbStore(dir.string()).value()),
                                                 genesis);
    for (const auto& m : chain->genesis().members) {
      if (m.validator_key) validators.push_back(&chain->Key("node-" + m.member));
    }
    if (!chain->Do(TxType::kNoticePublish, chain->PublishNotice(), {"insurer-a"}).ok())
      std::abort();
    Json b = chain->PublishNotice("insurer-b");
    if (!chain->Do(TxType::kNoticePublish, b, {"insurer-b"}).ok()) std::abort();
  }

  static std::string SubjectName(std::uint64_t i) { return "subject-" + std::to_string(i); }

  Json GrantBody(std::uint64_t i) {
    Json b = chain->GrantBody("unused");
    b["subject"] = {{"key", SubjectKeyHex(i)}};
    b["purposes"] = {"ClaimsHandling", "Underwriting"};
    b["categories"] = {"Contact", "PolicyData"};
    b["recipients"] = {"processor"};
    b["separate"] = true;
    return b;
  }
  Json SharingBody(std::uint64_t i, std::int64_t at) {
    return Json{{"sender", "insurer-a"},
                {"recipient", "processor"},
                {"subject", {{"key", SubjectKeyHex(i)}}},
                {"purpose", "ClaimsHandling"},
                {"categories", {"Contact"}},
                {"destination", "CN"},
                {"legal_basis", "consent"},
                {"shared_at", at}};
  }
  // Subjects' keys: real keys for the signed phase, derived cheaply otherwise.
  std::vector<std::string> subject_hex;
  std::string SubjectKeyHex(std::uint64_t i) {
    while (subject_hex.size() <= i) {
      subject_hex.push_back(testing::KeyFor(SubjectName(subject_hex.size())).public_key().Hex());
    }
    return subject_hex[i];
  }

  // A tx signed for real (for the phase that verifies).
  std::string SignedText(TxType type, Json body, const std::vector<std::string>& signer_names,
                         const std::vector<const crypto::PrivateKey*>& keys) {
    (void)signer_names;
    Json tx = Tx::MakeUnsigned(type, chain->chain_id(), std::move(body), ++nonce, 9'000'000);
    const Hash256 msg = Tx::SignHash(tx);
    tx["signatures"] = Json::array();
    for (const auto* k : keys)
      tx["signatures"].push_back(
          Json{{"key", k->public_key().Hex()}, {"sig", HexEncode(k->Sign(msg))}});
    return CanonicalJson(tx);
  }
  // A tx with signature placeholders, parsed without verification (store-building only).
  TxPtr Unverified(TxType type, Json body, const std::vector<std::string>& keys_hex) {
    Json tx = Tx::MakeUnsigned(type, chain->chain_id(), std::move(body), ++nonce, 9'000'000);
    tx["signatures"] = Json::array();
    for (const auto& k : keys_hex)
      tx["signatures"].push_back(Json{{"key", k}, {"sig", std::string(128, '0')}});
    return std::move(Tx::ParseCommitted(CanonicalJson(tx), chain->chain_id()).value());
  }

  void Commit(const std::vector<TxPtr>& txs, std::int64_t time) {
    auto built = chain->ledger().BuildBlock(time, validators[0]->public_key().bytes(), txs);
    if (!built.ok() || built->block.txs.size() != txs.size()) {
      std::fprintf(stderr, "block rejected txs: %s\n",
                   built.ok() ? "some" : built.status().ToString().c_str());
      std::abort();
    }
    const auto cert =
        testing::Certify(chain->chain_id(), built->block.header.height, built->hash, validators);
    if (!chain->ledger().Commit(std::move(*built), cert).ok()) std::abort();
  }
};

void ApplyPhase(Bench& b, int blocks) {
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
      const auto subject = testing::KeyFor(Bench::SubjectName(next_subject));
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

void ScalePhase(Bench& b, std::uint64_t consents, int checks) {
  const std::string insurer_hex = b.chain->Key("insurer-a").public_key().Hex();
  const std::uint64_t before_height = b.chain->ledger().head().height;
  const std::uint64_t bytes_before = DirBytes(b.dir);
  std::int64_t t = b.chain->ledger().head().time_ms + 1000;
  std::vector<Hash256> ids;
  ids.reserve(consents);
  const auto start = Clock::now();
  // Subject keys for a million subjects would take minutes to derive; use x-only keys from a
  // cheap hash chain instead (any 32 bytes that parse as a key will do for this phase).
  std::uint64_t made = 0;
  Hash256 seed = crypto::Sha256("bench subjects");
  while (made < consents) {
    std::vector<TxPtr> txs;
    for (int i = 0; i < 1000 && made < consents; ++i) {
      std::string key_hex;
      for (;;) {
        seed = crypto::Sha256(seed);
        if (crypto::PublicKey::Parse(seed).ok()) break;
      }
      key_hex = HexEncode(seed);
      Json body = b.GrantBody(0);
      body["subject"] = {{"key", key_hex}};
      txs.push_back(b.Unverified(TxType::kConsentGrant, body, {insurer_hex, key_hex}));
      ids.push_back(txs.back()->id());
      ++made;
    }
    b.Commit(txs, t += 1000);
    if (made % 100000 == 0)
      std::fprintf(stderr, "  %llu consents\n", static_cast<unsigned long long>(made));
  }
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
  int apply_blocks = 20;
  int checks = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dir"))
      dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--consents"))
      consents = std::stoull(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--apply-blocks"))
      apply_blocks = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--checks"))
      checks = std::stoi(argv[i + 1]);
  }
  {
    consentd::ledger::Bench apply(dir + "/apply");
    consentd::ledger::ApplyPhase(apply, apply_blocks);
  }
  {
    consentd::ledger::Bench scale(dir + "/scale");
    consentd::ledger::ScalePhase(scale, consents, checks);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
