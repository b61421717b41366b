// Micro benchmarks of the foundation: signatures, hashing, Merkle roots, canonical JSON, and
// decoding a proposed block whose txs the mempool holds.
// Run: build/bench/consentd_bench_micro   (see docs/BENCHMARKS.md)

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "crypto/merkle.h"
#include "crypto/schnorr.h"
#include "crypto/sha256.h"
#include "crypto/tagged_hash.h"
#include "ledger/block.h"
#include "ledger/testing/test_chain.h"

namespace consentd {
namespace {

crypto::PrivateKey BenchKey() { return std::move(crypto::PrivateKey::Generate()).value(); }

void BM_SchnorrSign(benchmark::State& state) {
  const auto key = BenchKey();
  const Hash256 msg = crypto::Sha256("message");
  for (auto _ : state) benchmark::DoNotOptimize(key.Sign(msg));
}
BENCHMARK(BM_SchnorrSign);

void BM_SchnorrVerify(benchmark::State& state) {
  const auto key = BenchKey();
  const Hash256 msg = crypto::Sha256("message");
  const auto sig = key.Sign(msg);
  const crypto::PublicKey& pub = key.public_key();
  for (auto _ : state) benchmark::DoNotOptimize(pub.Verify(msg, sig));
}
BENCHMARK(BM_SchnorrVerify);

void BM_SchnorrParseAndVerify(benchmark::State& state) {
  const auto key = BenchKey();
  const Hash256 msg = crypto::Sha256("message");
  const auto sig = key.Sign(msg);
  const auto bytes = key.public_key().bytes();
  for (auto _ : state) {
    auto pub = crypto::PublicKey::Parse(bytes);
    benchmark::DoNotOptimize(pub->Verify(msg, sig));
  }
}
BENCHMARK(BM_SchnorrParseAndVerify);

void BM_Sha256_256B(benchmark::State& state) {
  const std::string data(256, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(crypto::Sha256(data));
  state.SetBytesProcessed(state.iterations() * 256);
}
BENCHMARK(BM_Sha256_256B);

void BM_TaggedHash_256B(benchmark::State& state) {
  crypto::TaggedHasher hasher("consentd/tx/v1");
  const std::string data(256, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(hasher.Hash(data));
}
BENCHMARK(BM_TaggedHash_256B);

void BM_MerkleRoot_4096(benchmark::State& state) {
  std::vector<Hash256> leaves;
  for (int i = 0; i < 4096; ++i) leaves.push_back(crypto::Sha256(std::to_string(i)));
  for (auto _ : state) benchmark::DoNotOptimize(crypto::MerkleRoot(leaves));
}
BENCHMARK(BM_MerkleRoot_4096);

// A representative ~400-byte consent.grant body.
std::string SampleObject() {
  Json body = {
      {"consent_id", std::string(64, 'a')},
      {"controller", "insurer-a"},
      {"subject", std::string(64, 'b')},
      {"purposes", {"ClaimsHandling", "Underwriting"}},
      {"categories", {"Contact", "Health"}},
      {"recipients", {"insurer-b"}},
      {"separate", true},
      {"notice_hash", std::string(64, 'c')},
      {"valid_from", 1767225600000},
      {"valid_until", 1798761600000},
  };
  return CanonicalJson(body);
}

void BM_CanonicalParse_400B(benchmark::State& state) {
  const std::string text = SampleObject();
  state.counters["bytes"] = static_cast<double>(text.size());
  for (auto _ : state) benchmark::DoNotOptimize(ParseJson(text));
}
BENCHMARK(BM_CanonicalParse_400B);

void BM_CanonicalSerialise_400B(benchmark::State& state) {
  const Json value = ParseJson(SampleObject()).value();
  for (auto _ : state) benchmark::DoNotOptimize(CanonicalJson(value));
}
BENCHMARK(BM_CanonicalSerialise_400B);

// A proposal of 1,000 signed grants, all of which the validator's mempool holds (the usual case
// under load: the txs arrived by gossip first). Arg 0: Block::Encode's bytes, which DecodeBlock
// splits without parsing them whole; arg 1: the same block indented, which takes the general
// way (parse the whole block, re-serialise each tx to find its leaf).
void BM_DecodeProposal_1000Known(benchmark::State& state) {
  using namespace ledger;
  static const auto* fixture = [] {
    auto* f = new std::pair<std::string, std::map<Hash256, TxPtr>>();
    auto genesis = testing::DefaultGenesis("bench");
    genesis.params.max_block_txs = 1000;
    testing::TestChain chain(NewMemoryStore(), genesis);
    if (!chain.Do(TxType::kNoticePublish, chain.PublishNotice(), {"insurer-a"}).ok()) std::abort();
    std::vector<TxPtr> txs;
    for (int i = 0; i < 1000; ++i) {
      const std::string subject = "subject-" + std::to_string(i);
      txs.push_back(
          chain.Make(TxType::kConsentGrant, chain.GrantBody(subject), {"insurer-a", subject}));
      f->second[txs.back()->leaf()] = txs.back();
    }
    auto built = chain.ledger().BuildBlock(chain.next_time(),
                                           chain.Key("node-insurer-a").public_key().bytes(), txs);
    if (!built.ok() || built->block.txs.size() != 1000) std::abort();
    f->first = built->block.Encode();
    return f;
  }();
  const std::string payload =
      state.range(0) == 0 ? fixture->first : ParseJson(fixture->first).value().dump(1);
  const TxLookup lookup = [](const Hash256& leaf) {
    auto it = fixture->second.find(leaf);
    return it == fixture->second.end() ? nullptr : it->second;
  };
  for (auto _ : state) {
    auto block = DecodeBlock(payload, "bench", 16 << 20, 1 << 16, lookup);
    if (!block.ok() || block->txs.size() != 1000) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(block);
  }
  state.counters["bytes"] = static_cast<double>(payload.size());
}
BENCHMARK(BM_DecodeProposal_1000Known)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace consentd

BENCHMARK_MAIN();
