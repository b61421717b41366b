// Writes the two node homes of the block-sync benchmark (bench/run): a source holding a chain of
// N blocks of really signed transactions, and an empty node that syncs it from genesis. Not a
// test.
//
//   consentd_bench_sync_fixture --dir DIR [--blocks N] [--txs-per-block K] [--port P]
//
// DIR/source: a node home (validator 0 of the test genesis, chain "bench") with the 2 notice
//   blocks of BenchChain, then N blocks of K txs with real commit certificates: block 1 of them
//   holds K consent grants (each co-signed by a fresh subject key), every later one ceil(K/2)
//   grants and floor(K/2) sharing records of the previous block's consents. Every signature is
//   real, so a syncing node verifies what it would verify in production. HTTP on P, peers P+1.
// DIR/syncer.tmpl: an empty node home (validator 1 of the same genesis) whose only peer is the
//   source; HTTP on P+2, peers on P+3. Copy it and start consentd on the copy: it fetches every
//   block with its certificate, verifies and re-executes it (docs/OPERATIONS.md, "Adding a fresh
//   node from genesis"). Two validators of four never reach a quorum, so neither node commits.
// DIR/height: the source's head height; DIR/txs: the txs in the N blocks; DIR/params: "N K".

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_chain.h"
#include "common/file_util.h"
#include "wallet/key_file.h"

namespace consentd {
namespace {

namespace fs = std::filesystem;
using ledger::BenchChain;
using ledger::Tx;
using ledger::TxPtr;
using ledger::TxType;

// Runs fn(0..n-1) on every core (signing dominates the build).
void ParallelFor(std::size_t n, const std::function<void(std::size_t)>& fn) {
  const std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (std::size_t i = t; i < n; i += threads) fn(i);
    });
  }
  for (auto& th : pool) th.join();
}

void Check(const Status& st) {
  if (!st.ok()) {
    std::fprintf(stderr, "sync_fixture: %s\n", st.ToString().c_str());
    std::exit(1);
  }
}

Json NodeConfig(int http_port, int p2p_port, const std::vector<std::string>& peers,
                const std::string& log_level) {
  return Json{{"genesis_file", "genesis.json"},
              {"node_key_file", "node_key.json"},
              {"p2p", {{"listen", "127.0.0.1:" + std::to_string(p2p_port)}, {"peers", peers}}},
              {"http", {{"listen", "127.0.0.1:" + std::to_string(http_port)}}},
              {"log", {{"level", log_level}, {"file", "consentd.log"}}}};
}

void WriteHome(const std::string& home, const Json& genesis, const Json& config,
               const crypto::PrivateKey& key) {
  fs::create_directories(home);
  Check(WriteFileAtomic(home + "/genesis.json", genesis.dump(2) + "\n"));
  Check(WriteFileAtomic(home + "/config.json", config.dump(2) + "\n"));
  Check(wallet::WriteKeyFile(home + "/node_key.json", wallet::PlaintextKey(key)));
}

int Main(int argc, char** argv) {
  std::string dir;
  std::uint64_t blocks = 100'000;
  std::uint64_t per_block = 25;
  int port = 8831;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--blocks")) blocks = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--txs-per-block")) per_block = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--port")) port = std::stoi(argv[i + 1]);
  }
  if (dir.empty() || per_block > 1000) {
    std::fprintf(stderr,
                 "usage: %s --dir DIR [--blocks N] [--txs-per-block K (<= 1000)] [--port P]\n",
                 argv[0]);
    return 2;
  }
  fs::remove_all(dir);
  const std::string source = dir + "/source";
  fs::create_directories(source + "/data");

  Json genesis;
  std::uint64_t height = 0, txs_total = 0;
  {
    BenchChain b(source + "/data/ledger");
    const std::string chain_id = b.chain->chain_id();
    const crypto::PrivateKey& insurer = b.chain->Key("insurer-a");
    const Json grant_template = b.GrantBody(0);
    const Json sharing_template = b.SharingBody(0, 0);
    const std::int64_t t0 = b.chain->ledger().head().time_ms;
    auto block_time = [&](std::uint64_t blk) {
      return t0 + 1000 * static_cast<std::int64_t>(blk + 1);
    };
    const std::uint64_t grants = (per_block + 1) / 2, sharings = per_block - grants;
    std::uint64_t next_subject = 0;
    std::vector<std::string> previous_block_subjects;  // key hex of the last block's grants
    constexpr std::uint64_t kChunk = 256;
    for (std::uint64_t first = 0; first < blocks; first += kChunk) {
      const std::uint64_t last = std::min(blocks, first + kChunk);
      struct Slot {
        std::uint64_t block, subject;
        std::string subject_hex, text;
      };
      std::vector<std::vector<Slot>> grant_slots(last - first), sharing_slots(last - first);
      for (std::uint64_t blk = first; blk < last; ++blk) {
        const std::uint64_t g = blk == 0 ? per_block : grants;
        for (std::uint64_t i = 0; i < g; ++i)
          grant_slots[blk - first].push_back({blk, next_subject++, "", ""});
        if (blk > 0) {
          for (std::uint64_t i = 0; i < sharings; ++i)
            sharing_slots[blk - first].push_back({blk, i, "", ""});
        }
      }
      std::vector<Slot*> flat;
      for (auto& v : grant_slots)
        for (auto& s : v) flat.push_back(&s);
      // Nonces: (block + 1) * 1000 + slot, unique over the chain and above the notices' 1 and 2.
      ParallelFor(flat.size(), [&](std::size_t i) {
        Slot& s = *flat[i];
        const auto key = ledger::testing::KeyFor("sync-subject-" + std::to_string(s.subject));
        s.subject_hex = key.public_key().Hex();
        Json body = grant_template;
        body["subject"] = {{"key", s.subject_hex}};
        const std::uint64_t slot = s.subject - grant_slots[s.block - first].front().subject;
        s.text = BenchChain::SignedTx(TxType::kConsentGrant, chain_id, std::move(body),
                                      (s.block + 1) * 1000 + slot, {&insurer, &key});
      });
      flat.clear();
      for (auto& v : sharing_slots)
        for (auto& s : v) flat.push_back(&s);
      ParallelFor(flat.size(), [&](std::size_t i) {
        Slot& s = *flat[i];
        // s.subject is the index of the shared consent among the previous block's grants.
        const std::string& hex = s.block == first
                                     ? previous_block_subjects[s.subject]
                                     : grant_slots[s.block - 1 - first][s.subject].subject_hex;
        Json body = sharing_template;
        body["subject"] = {{"key", hex}};
        body["shared_at"] = block_time(s.block - 1);
        s.text = BenchChain::SignedTx(TxType::kSharingRecord, chain_id, std::move(body),
                                      (s.block + 1) * 1000 + grants + s.subject, {&insurer});
      });
      for (std::uint64_t blk = first; blk < last; ++blk) {
        std::vector<TxPtr> txs;
        for (const auto* v : {&grant_slots[blk - first], &sharing_slots[blk - first]}) {
          for (const Slot& s : *v) {
            auto tx = Tx::ParseCommitted(s.text, chain_id);
            Check(tx.status());
            txs.push_back(std::move(*tx));
          }
        }
        txs_total += txs.size();
        b.Commit(txs, block_time(blk));
      }
      previous_block_subjects.clear();
      for (const Slot& s : grant_slots.back()) previous_block_subjects.push_back(s.subject_hex);
      if (last % 10'000 < kChunk || last == blocks) {
        std::fprintf(stderr, "  %llu blocks\n", static_cast<unsigned long long>(last));
      }
    }
    height = b.chain->ledger().head().height;
    genesis = b.chain->genesis().ToJson();
  }

  const std::string p2p_source = "127.0.0.1:" + std::to_string(port + 1);
  WriteHome(source, genesis, NodeConfig(port, port + 1, {}, "warn"),
            ledger::testing::KeyFor("node-insurer-a"));
  WriteHome(dir + "/syncer.tmpl", genesis, NodeConfig(port + 2, port + 3, {p2p_source}, "info"),
            ledger::testing::KeyFor("node-insurer-b"));
  Check(WriteFileAtomic(dir + "/height", std::to_string(height) + "\n"));
  Check(WriteFileAtomic(dir + "/txs", std::to_string(txs_total) + "\n"));
  Check(WriteFileAtomic(dir + "/params",
                        std::to_string(blocks) + " " + std::to_string(per_block) + "\n"));
  std::printf("wrote %s: %llu blocks of %llu txs (%llu txs), head height %llu\n", dir.c_str(),
              static_cast<unsigned long long>(blocks), static_cast<unsigned long long>(per_block),
              static_cast<unsigned long long>(txs_total), static_cast<unsigned long long>(height));
  return 0;
}

}  // namespace
}  // namespace consentd

int main(int argc, char** argv) { return consentd::Main(argc, argv); }
