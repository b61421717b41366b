#pragma once

// TestChain: a ledger with a known genesis, deterministic keys and helpers that sign
// transactions and commit blocks with real commit certificates. For tests only (linked into
// test binaries via consentd_ledger_testing).
//
// Members of the default genesis:
//   insurer-a, insurer-b  insurers in CN (validators 0 and 1)
//   insurer-x             an insurer in SG, the overseas importer (validator 2)
//   regulator             a regulator in CN (validator 3)
//   processor             a processor in CN (a third-party recipient, no validator)
// governance threshold 3.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/json.h"
#include "consensus/certificate.h"
#include "crypto/schnorr.h"
#include "ledger/genesis.h"
#include "ledger/ledger.h"
#include "ledger/store/store.h"
#include "ledger/tx.h"

namespace consentd::ledger::testing {

inline constexpr std::int64_t kGenesisTime = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
inline constexpr std::int64_t kDay = 24LL * 3600 * 1000;
inline constexpr std::int64_t kYear = 365 * kDay;

// A key derived from a name: the same in every run.
crypto::PrivateKey KeyFor(std::string_view name);
Hash256 HashOf(std::string_view text);

Genesis DefaultGenesis(std::string chain_id = "test-chain");

// Signs a certificate for `block_hash` at `height` with the given validator keys (round 0).
consensus::CommitCertificate Certify(std::string_view chain_id, std::uint64_t height,
                                     const Hash256& block_hash,
                                     const std::vector<const crypto::PrivateKey*>& validators);

class TestChain {
 public:
  explicit TestChain(std::unique_ptr<Store> store = NewMemoryStore(),
                     Genesis genesis = DefaultGenesis());

  Ledger& ledger() { return *ledger_; }
  const Genesis& genesis() const { return ledger_->genesis(); }
  std::string chain_id() const { return genesis().chain_id; }

  // The signing key of a member of the default genesis (or any name: keys derive from names).
  const crypto::PrivateKey& Key(std::string_view name);
  // Names a key made elsewhere (e.g. a wallet's derived subject key), so `signers` can use it.
  // REQUIRES: `name` names no key yet.
  void AddKey(std::string name, crypto::PrivateKey key);

  // A signed tx. `signers` name keys (member names or any other name, e.g. "customer-1").
  // Aborts when the tx fails the stateless checks; TryMake returns that error instead.
  TxPtr Make(TxType type, Json body, const std::vector<std::string>& signers,
             std::uint64_t expires_at_height = 0);
  Result<TxPtr> TryMake(TxType type, Json body, const std::vector<std::string>& signers,
                        std::uint64_t expires_at_height = 0);

  // Executes `tx` alone in a new block; commits it when it passes, returns its status.
  Status Submit(const TxPtr& tx);
  // Make + Submit.
  Status Do(TxType type, Json body, const std::vector<std::string>& signers);
  // Commits a block of these txs; every one must pass.
  Status CommitBlock(const std::vector<TxPtr>& txs);
  // An empty block (moves time forward).
  Status Tick();

  // The time of the next block; advances by `step` after each block.
  std::int64_t next_time() const { return next_time_; }
  void SetNextTime(std::int64_t t) { next_time_ = t; }
  void Advance(std::int64_t ms) { next_time_ += ms; }
  std::int64_t step = 1000;

  // Frequently used bodies, with sensible defaults for the default genesis.
  Json PublishNotice(const std::string& controller =
                         "insurer-a");  // publishes notice 5f0c3a9e21d84b7c96e1a2b3c4d5e6f7 v1
  Json GrantBody(const std::string& subject_name, const std::string& controller = "insurer-a");
  std::string SubjectHex(std::string_view subject_name);

 private:
  std::unique_ptr<Ledger> ledger_;
  std::map<std::string, crypto::PrivateKey, std::less<>> keys_;
  std::map<crypto::PublicKey, std::string> names_;  // every key Key() derived
  std::int64_t next_time_ = kGenesisTime + 1000;
  std::uint64_t nonce_ = 0;
};

}  // namespace consentd::ledger::testing
