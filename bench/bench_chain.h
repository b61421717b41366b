#pragma once

// BenchChain: a LevelDB-backed ledger with the test genesis, built quickly for benchmarks:
// transactions carry placeholder signatures and are committed without verification (they are
// our own), with real commit certificates. Shared by the ledger and HTTP benchmarks.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/hex.h"
#include "ledger/ledger.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {

struct BenchChain {
  std::filesystem::path dir;
  std::unique_ptr<testing::TestChain> chain;
  std::vector<const crypto::PrivateKey*> validators;
  std::uint64_t nonce = 0;

  explicit BenchChain(std::filesystem::path d) : dir(std::move(d)) {
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
    return SignedTx(type, chain->chain_id(), std::move(body), ++nonce, keys);
  }
  // The same with the caller's nonce (thread-safe).
  static std::string SignedTx(TxType type, std::string_view chain_id, Json body,
                              std::uint64_t nonce,
                              const std::vector<const crypto::PrivateKey*>& keys) {
    Json tx = Tx::MakeUnsigned(type, chain_id, std::move(body), nonce, 9'000'000);
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

  // Commits `n` consent grants by insurer-a (to processor; ClaimsHandling, Underwriting;
  // Contact, PolicyData) for subjects with cheap keys, 1,000 per block. Appends their ids and
  // subjects ("key:<hex>").
  void BuildConsents(std::uint64_t n, std::vector<Hash256>* ids,
                     std::vector<std::string>* subjects = nullptr);
};

}  // namespace consentd::ledger
