#include "ledger/testing/test_chain.h"

#include <cstdio>
#include <cstdlib>

#include "common/hex.h"
#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"
#include "ledger/testing/tx_fixtures.h"

namespace consentd::ledger::testing {

crypto::PrivateKey KeyFor(std::string_view name) {
  auto key =
      crypto::PrivateKey::FromBytes(crypto::Sha256("consentd test key " + std::string(name)));
  if (!key.ok()) std::abort();
  return std::move(*key);
}

Hash256 HashOf(std::string_view text) { return crypto::Sha256(text); }

Genesis DefaultGenesis(std::string chain_id) {
  Genesis g;
  g.chain_id = std::move(chain_id);
  g.genesis_time_ms = kGenesisTime;
  g.governance_threshold = 3;
  auto member = [](std::string id, std::vector<std::string> roles, std::string jurisdiction,
                   bool validator) {
    MemberRegister m;
    m.member = id;
    m.roles = std::move(roles);
    m.keys = {KeyFor(id).public_key()};
    m.jurisdiction = std::move(jurisdiction);
    if (validator) m.validator_key = KeyFor("node-" + id).public_key();
    return m;
  };
  g.members = {
      member("insurer-a", {"insurer"}, "CN", true), member("insurer-b", {"insurer"}, "CN", true),
      member("insurer-x", {"insurer"}, "SG", true), member("regulator", {"regulator"}, "CN", true),
      member("processor", {"processor"}, "CN", false)};
  return g;
}

consensus::CommitCertificate Certify(std::string_view chain_id, std::uint64_t height,
                                     const Hash256& block_hash,
                                     const std::vector<const crypto::PrivateKey*>& validators) {
  consensus::CommitCertificate cert;
  cert.height = height;
  cert.round = 0;
  cert.block_id = block_hash;
  const Hash256 msg =
      consensus::VoteSignHash(chain_id, consensus::VoteType::kPrecommit, height, 0, block_hash);
  for (const crypto::PrivateKey* k : validators) {
    cert.precommits.push_back(consensus::CertSignature{k->public_key(), k->Sign(msg)});
  }
  return cert;
}

TestChain::TestChain(std::unique_ptr<Store> store, Genesis genesis) {
  auto ledger = Ledger::Open(std::move(store), std::move(genesis));
  if (!ledger.ok()) std::abort();
  ledger_ = std::move(*ledger);
}

const crypto::PrivateKey& TestChain::Key(std::string_view name) {
  auto it = keys_.find(name);
  if (it == keys_.end()) {
    it = keys_.emplace(std::string(name), KeyFor(name)).first;
    names_.emplace(it->second.public_key(), std::string(name));
  }
  return it->second;
}

void TestChain::AddKey(std::string name, crypto::PrivateKey key) {
  names_.emplace(key.public_key(), name);
  keys_.emplace(std::move(name), std::move(key));
}

TxPtr TestChain::Make(TxType type, Json body, const std::vector<std::string>& signers,
                      std::uint64_t expires_at_height) {
  auto tx = TryMake(type, std::move(body), signers, expires_at_height);
  if (!tx.ok()) {
    std::fprintf(stderr, "TestChain::Make: %s\n", tx.status().ToString().c_str());
    std::abort();
  }
  return *tx;
}

Result<TxPtr> TestChain::TryMake(TxType type, Json body, const std::vector<std::string>& signers,
                                 std::uint64_t expires_at_height) {
  if (expires_at_height == 0) expires_at_height = ledger_->head().height + 100;
  std::vector<const crypto::PrivateKey*> keys;
  for (const std::string& s : signers) keys.push_back(&Key(s));
  return Tx::FromJson(
      SignTxJson(Tx::MakeUnsigned(type, chain_id(), std::move(body), ++nonce_, expires_at_height),
                 keys),
      chain_id());
}

Status TestChain::Submit(const TxPtr& tx) {
  std::vector<Rejection> rejected;
  const auto& proposer = genesis().members[0].validator_key->bytes();
  std::vector<TxPtr> txs{tx};
  CONSENTD_ASSIGN_OR_RETURN(ExecutedBlock block,
                            ledger_->BuildBlock(next_time_, proposer, txs, &rejected));
  if (!rejected.empty()) return rejected.front().status;
  return CommitBlock(block.block.txs);
}

Status TestChain::Do(TxType type, Json body, const std::vector<std::string>& signers) {
  CONSENTD_ASSIGN_OR_RETURN(TxPtr tx, TryMake(type, std::move(body), signers));
  return Submit(tx);
}

Status TestChain::CommitBlock(const std::vector<TxPtr>& txs) {
  const auto& proposer = genesis().members[0].validator_key->bytes();
  std::vector<Rejection> rejected;
  CONSENTD_ASSIGN_OR_RETURN(ExecutedBlock block,
                            ledger_->BuildBlock(next_time_, proposer, txs, &rejected));
  if (!rejected.empty()) return rejected.front().status;
  // Sign with every validator of the height whose key this chain derived.
  for (const auto& m : genesis().members) Key("node-" + m.member);
  CONSENTD_ASSIGN_OR_RETURN(auto set, ledger_->ValidatorsFor(block.block.header.height));
  std::vector<const crypto::PrivateKey*> validators;
  for (const auto& pub : set.keys()) {
    if (auto it = names_.find(pub); it != names_.end()) validators.push_back(&Key(it->second));
  }
  const auto cert = Certify(chain_id(), block.block.header.height, block.hash, validators);
  CONSENTD_RETURN_IF_ERROR(ledger_->Commit(std::move(block), cert));
  next_time_ += step;
  return Status::Ok();
}

Status TestChain::Tick() { return CommitBlock({}); }

Json TestChain::PublishNotice(const std::string& controller) {
  return Json{{"controller", controller},
              {"notice_id", "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7"},
              {"version", 1},
              {"notice_hash", HexEncode(HashOf("notice of " + controller))}};
}

std::string TestChain::SubjectHex(std::string_view subject_name) {
  return Key(subject_name).public_key().Hex();
}

Json TestChain::GrantBody(const std::string& subject_name, const std::string& controller) {
  return FixtureGrantBody(controller, SubjectHex(subject_name), kGenesisTime,
                          kGenesisTime + 2 * kYear);
}

}  // namespace consentd::ledger::testing
