#include "wallet/testing/receipt_fixtures.h"

#include <functional>
#include <utility>
#include <vector>

#include "common/hex.h"
#include "consensus/certificate.h"
#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"
#include "ledger/genesis.h"
#include "ledger/ledger.h"
#include "ledger/query/receipt.h"
#include "ledger/store/store.h"
#include "ledger/testing/tx_fixtures.h"
#include "ledger/tx.h"
#include "wallet/receipt_verify.h"

namespace consentd::wallet::testing {
namespace {

using ledger::TxType;

constexpr std::int64_t kGenesisTime = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kYear = 365LL * 24 * 3600 * 1000;
constexpr const char* kChainId = "fixture-chain";

// Fixed auxiliary randomness: BIP340 signatures become a function of key and message.
const FixedBytes<32> kAux{};

crypto::PrivateKey KeyFor(const std::string& name) {
  auto key = crypto::PrivateKey::FromBytes(crypto::Sha256("consentd fixture key " + name));
  // SHA-256 outputs are below the curve order except with negligible probability; the names
  // here are fixed, so this either always or never holds.
  return std::move(*key);
}

ledger::Genesis FixtureGenesis(const std::string& chain_id, const std::string& node_prefix) {
  ledger::Genesis g;
  g.chain_id = chain_id;
  g.genesis_time_ms = kGenesisTime;
  g.governance_threshold = 3;
  auto member = [&](const std::string& id, const std::string& role, const std::string& where,
                    bool validator) {
    ledger::MemberRegister m;
    m.member = id;
    m.roles = {role};
    m.keys = {KeyFor(id).public_key()};
    m.jurisdiction = where;
    if (validator) m.validator_key = KeyFor(node_prefix + "-" + id).public_key();
    return m;
  };
  g.members = {
      member("insurer-a", "insurer", "CN", true), member("insurer-b", "insurer", "CN", true),
      member("insurer-c", "insurer", "HK", true), member("regulator", "regulator", "CN", true),
      member("processor", "processor", "CN", false)};
  return g;
}

// A ledger committing blocks with deterministic signatures, and the receipts it serves.
class Chain {
 public:
  static Result<Chain> Create(const std::string& chain_id, const std::string& node_prefix) {
    ledger::Genesis genesis = FixtureGenesis(chain_id, node_prefix);
    CONSENTD_ASSIGN_OR_RETURN(auto l, ledger::Ledger::Open(ledger::NewMemoryStore(), genesis));
    std::vector<crypto::PrivateKey> validators;
    for (const char* id : {"insurer-a", "insurer-b", "insurer-c", "regulator"}) {
      validators.push_back(KeyFor(node_prefix + "-" + id));
    }
    return Chain(std::move(l), std::move(validators));
  }

  const ledger::Genesis& genesis() const { return ledger_->genesis(); }

  Result<ledger::TxPtr> Make(TxType type, Json body, const std::vector<std::string>& signers) {
    std::vector<crypto::PrivateKey> keys;
    for (const std::string& s : signers) keys.push_back(KeyFor(s));
    std::vector<const crypto::PrivateKey*> signing;
    for (const crypto::PrivateKey& k : keys) signing.push_back(&k);
    return ledger::Tx::FromJson(
        ledger::testing::SignTxJson(
            ledger::Tx::MakeUnsigned(type, genesis().chain_id, std::move(body), ++nonce_,
                                     ledger_->head().height + 100),
            signing, &kAux),
        genesis().chain_id);
  }

  // Commits one block of `txs`, certified by every validator.
  Status Commit(const std::vector<ledger::TxPtr>& txs) {
    time_ += 1000;
    std::vector<ledger::Rejection> rejected;
    CONSENTD_ASSIGN_OR_RETURN(
        ledger::ExecutedBlock block,
        ledger_->BuildBlock(time_, validators_[0].public_key().bytes(), txs, &rejected));
    if (!rejected.empty()) return rejected.front().status;
    if (block.block.txs.size() != txs.size()) {
      return Status::Error(Reason::kInternal, "not every tx fit the block");
    }
    const std::uint64_t height = block.block.header.height;
    const consensus::CommitCertificate cert = Certify(height, block.hash, validators_);
    return ledger_->Commit(std::move(block), cert);
  }

  consensus::CommitCertificate Certify(std::uint64_t height, const Hash256& block_hash,
                                       const std::vector<crypto::PrivateKey>& keys) const {
    consensus::CommitCertificate cert;
    cert.height = height;
    cert.block_id = block_hash;
    const Hash256 msg = consensus::VoteSignHash(genesis().chain_id, consensus::VoteType::kPrecommit,
                                                height, 0, block_hash);
    for (const crypto::PrivateKey& k : keys) {
      cert.precommits.push_back({k.public_key(), k.SignWithAux(msg, kAux)});
    }
    return cert;
  }

  Result<Json> Receipt(const Hash256& tx_id) const {
    auto view = ledger_->Snapshot();
    CONSENTD_ASSIGN_OR_RETURN(auto receipt,
                              ledger::BuildReceipt(*view, genesis(), tx_id, [&](std::uint64_t h) {
                                return ledger_->ValidatorsFor(h);
                              }));
    if (!receipt) return Status::Error(Reason::kInternal, "tx " + HexEncode(tx_id));
    return std::move(*receipt);
  }

 private:
  Chain(std::unique_ptr<ledger::Ledger> l, std::vector<crypto::PrivateKey> validators)
      : ledger_(std::move(l)), validators_(std::move(validators)) {}

  std::unique_ptr<ledger::Ledger> ledger_;
  std::vector<crypto::PrivateKey> validators_;
  std::int64_t time_ = kGenesisTime;
  std::uint64_t nonce_ = 0;
};

Json GrantBody(const std::string& customer) {
  return ledger::testing::FixtureGrantBody("insurer-a", KeyFor(customer).public_key().Hex(),
                                           kGenesisTime, kGenesisTime + 2 * kYear);
}

// The scenario every chain runs: a notice (block 1), three grants (block 2), a withdrawal
// (block 3). Returns the receipts by name.
Result<std::map<std::string, Json>> RunScenario(Chain& chain) {
  std::map<std::string, Json> out;
  CONSENTD_ASSIGN_OR_RETURN(
      auto notice, chain.Make(TxType::kNoticePublish,
                              Json{{"controller", "insurer-a"},
                                   {"notice_id", "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7"},
                                   {"version", 1},
                                   {"notice_hash", HexEncode(crypto::Sha256("privacy notice v1"))}},
                              {"insurer-a"}));
  CONSENTD_RETURN_IF_ERROR(chain.Commit({notice}));
  std::vector<ledger::TxPtr> grants;
  for (const char* customer : {"customer-1", "customer-2", "customer-3"}) {
    CONSENTD_ASSIGN_OR_RETURN(
        auto g, chain.Make(TxType::kConsentGrant, GrantBody(customer), {customer, "insurer-a"}));
    grants.push_back(g);
  }
  CONSENTD_RETURN_IF_ERROR(chain.Commit(grants));
  CONSENTD_ASSIGN_OR_RETURN(
      auto withdraw, chain.Make(TxType::kConsentWithdraw,
                                Json{{"consent_id", HexEncode(grants[1]->id())}}, {"customer-2"}));
  CONSENTD_RETURN_IF_ERROR(chain.Commit({withdraw}));

  CONSENTD_ASSIGN_OR_RETURN(out["notice"], chain.Receipt(notice->id()));
  CONSENTD_ASSIGN_OR_RETURN(out["grant"], chain.Receipt(grants[1]->id()));
  CONSENTD_ASSIGN_OR_RETURN(out["grant-last"], chain.Receipt(grants[2]->id()));
  CONSENTD_ASSIGN_OR_RETURN(out["withdraw"], chain.Receipt(withdraw->id()));
  return out;
}

// Flips the lowest bit of byte `index` of a lowercase-hex string value.
void FlipByte(Json& hex_value, std::size_t index) {
  std::string s = hex_value.get<std::string>();
  auto bytes = HexDecode(s);
  (*bytes)[index] ^= 0x01;
  hex_value = HexEncode(*bytes);
}

struct Entry {
  std::string file;
  std::string expect;  // "ok" or the reason code
  std::string check;   // the check that fails ("" when ok)
  std::string what;    // how the file was made
  Json receipt;
};

}  // namespace

Result<std::map<std::string, std::string>> GenerateReceiptFixtures() {
  CONSENTD_ASSIGN_OR_RETURN(Chain main, Chain::Create(kChainId, "node"));
  CONSENTD_ASSIGN_OR_RETURN(auto r, RunScenario(main));
  // Same validators, another chain id; same chain id, other validators.
  CONSENTD_ASSIGN_OR_RETURN(Chain other_chain, Chain::Create("other-chain", "node"));
  CONSENTD_ASSIGN_OR_RETURN(auto other_chain_r, RunScenario(other_chain));
  CONSENTD_ASSIGN_OR_RETURN(Chain forged, Chain::Create(kChainId, "forged-node"));
  CONSENTD_ASSIGN_OR_RETURN(auto forged_r, RunScenario(forged));

  std::vector<Entry> entries;
  auto ok = [&](const std::string& file, const std::string& what, Json receipt) {
    entries.push_back({file, "ok", "", what, std::move(receipt)});
  };
  auto bad = [&](const std::string& file, const std::string& code, ReceiptCheck check,
                 const std::string& what, Json receipt) {
    entries.push_back({file, code, ToString(check), what, std::move(receipt)});
  };

  ok("valid-notice-publish.json", "notice.publish alone in block 1 (empty Merkle path)",
     r["notice"]);
  ok("valid-consent-grant.json",
     "consent.grant signed by customer and controller, tx 1 of 3 in block 2", r["grant"]);
  ok("valid-consent-grant-last.json", "consent.grant, tx 2 of 3 in block 2 (odd last leaf)",
     r["grant-last"]);
  ok("valid-consent-withdraw.json", "consent.withdraw alone in block 3", r["withdraw"]);

  Json j = r["notice"];
  FlipByte(j["tx"]["body"]["notice_hash"], 0);
  bad("tampered-tx-body.json", "receipt_tx_id_mismatch", ReceiptCheck::kTx,
      "valid-notice-publish with byte 0 of tx.body.notice_hash flipped", j);

  j = r["grant"];
  FlipByte(j["tx_id"], 31);
  bad("tampered-tx-id.json", "receipt_tx_id_mismatch", ReceiptCheck::kTx,
      "valid-consent-grant with byte 31 of tx_id flipped", j);

  j = r["grant"];
  FlipByte(j["tx"]["signatures"][0]["sig"], 10);
  bad("tampered-tx-signature.json", "receipt_tx_bad_signature", ReceiptCheck::kTx,
      "valid-consent-grant with byte 10 of tx.signatures[0].sig flipped", j);

  j = r["grant"];
  j["tx"]["body"]["purposes"] = {"NotAPurpose"};
  bad("tampered-tx-vocabulary.json", "receipt_tx_invalid", ReceiptCheck::kTx,
      "valid-consent-grant with a purpose outside the vocabulary", j);

  j = r["grant"];
  FlipByte(j["proof"]["path"][0], 5);
  bad("tampered-merkle-path.json", "receipt_merkle_mismatch", ReceiptCheck::kMerklePath,
      "valid-consent-grant with byte 5 of proof.path[0] flipped", j);

  j = r["grant"];
  j["proof"]["index"] = 0;
  bad("tampered-merkle-index.json", "receipt_merkle_mismatch", ReceiptCheck::kMerklePath,
      "valid-consent-grant with proof.index changed from 1 to 0", j);

  j = r["grant"];
  FlipByte(j["header"]["state_digest"], 0);
  bad("tampered-header.json", "receipt_header_hash_mismatch", ReceiptCheck::kHeaderHash,
      "valid-consent-grant with byte 0 of header.state_digest flipped", j);

  j = r["grant"];
  j["header"]["time_ms"] = j["header"]["time_ms"].get<std::int64_t>() + 1;
  bad("tampered-header-time.json", "receipt_header_hash_mismatch", ReceiptCheck::kHeaderHash,
      "valid-consent-grant with header.time_ms one millisecond later", j);

  j = r["grant"];
  FlipByte(j["block_hash"], 0);
  bad("tampered-block-hash.json", "receipt_header_hash_mismatch", ReceiptCheck::kHeaderHash,
      "valid-consent-grant with byte 0 of block_hash flipped", j);

  j = r["grant"];
  FlipByte(j["certificate"]["signatures"][0]["sig"], 10);
  bad("tampered-cert-signature.json", "cert_bad_signature", ReceiptCheck::kCertificate,
      "valid-consent-grant with byte 10 of certificate.signatures[0].sig flipped", j);

  j = r["grant"];
  j["certificate"]["signatures"].erase(2);
  j["certificate"]["signatures"].erase(2);
  bad("tampered-cert-too-few.json", "cert_too_few_signatures", ReceiptCheck::kCertificate,
      "valid-consent-grant with 2 of its 4 precommits (quorum is 3)", j);

  j = r["grant"];
  j["certificate"]["signatures"][2] = j["certificate"]["signatures"][0];
  j["certificate"]["signatures"].erase(3);
  bad("tampered-cert-duplicate-signer.json", "cert_duplicate_signer", ReceiptCheck::kCertificate,
      "valid-consent-grant whose certificate lists validator 0 twice among 3 precommits", j);

  {
    // A valid precommit for the right block by a key outside the validator set (a member's
    // signing key, not its validator key).
    j = r["grant"];
    const auto height = j["header"]["height"].get<std::uint64_t>();
    auto block = HexDecodeFixed<32>(j["block_hash"].get<std::string>());
    const auto cert = main.Certify(height, *block, [] {
      std::vector<crypto::PrivateKey> v;
      v.push_back(KeyFor("insurer-a"));
      return v;
    }());
    j["certificate"]["signatures"][3] = cert.ToJson()["signatures"][0];
    bad("tampered-cert-non-validator.json", "cert_unknown_signer", ReceiptCheck::kCertificate,
        "valid-consent-grant with its 4th precommit replaced by a valid precommit from a key "
        "outside the validator set",
        j);
  }

  j = r["grant"];
  j["certificate"] = r["withdraw"]["certificate"];
  bad("tampered-cert-other-block.json", "cert_wrong_height", ReceiptCheck::kCertificate,
      "valid-consent-grant carrying block 3's certificate", j);

  bad("other-chain.json", "receipt_wrong_chain", ReceiptCheck::kChain,
      "a valid receipt of chain \"other-chain\" with the same validators", other_chain_r["grant"]);

  bad("other-validator-set.json", "receipt_unknown_validator_set", ReceiptCheck::kValidatorSet,
      "a self-consistent receipt of chain \"fixture-chain\" signed by 4 other validators",
      forged_r["grant"]);

  j = r["grant"];
  j["validators"] = forged_r["grant"]["validators"];
  bad("tampered-validators.json", "receipt_unknown_validator_set", ReceiptCheck::kValidatorSet,
      "valid-consent-grant with its validator list replaced by another set", j);

  j = r["grant"];
  j.erase("proof");
  bad("malformed-missing-proof.json", "receipt_malformed", ReceiptCheck::kFormat,
      "valid-consent-grant without its proof field", j);

  std::map<std::string, std::string> files;
  const ledger::Genesis& genesis = main.genesis();
  CONSENTD_ASSIGN_OR_RETURN(TrustAnchor anchor, TrustAnchor::FromGenesis(genesis));
  files["genesis.json"] = genesis.ToJson().dump(2) + "\n";
  files["anchor.json"] = Json{{"chain_id", anchor.chain_id},
                              {"validator_set_hash", HexEncode(anchor.validator_set_hashes[0])}}
                             .dump(2) +
                         "\n";
  Json manifest_entries = Json::array();
  for (Entry& e : entries) {
    // Every fixture must say what it claims, or the generator is wrong.
    const ReceiptVerdict v = VerifyReceipt(e.receipt, anchor);
    const std::string got = v.ok() ? "ok" : v.status.code();
    if (got != e.expect || (!v.ok() && e.check != ToString(v.check))) {
      return Status::Error(Reason::kInternal,
                           e.file + ": expected " + e.expect + ", got " + v.status.ToString());
    }
    Json m{{"file", e.file}, {"expect", e.expect}, {"what", e.what}};
    if (!e.check.empty()) m["check"] = e.check;
    manifest_entries.push_back(std::move(m));
    files[e.file] = e.receipt.dump(2) + "\n";
  }
  files["manifest.json"] =
      Json{{"version", 1},
           {"anchor", "anchor.json"},
           {"genesis", "genesis.json"},
           {"generator", "wallet/testing/receipt_fixtures.cc (build/wallet/gen_receipt_fixtures)"},
           {"fixtures", manifest_entries}}
          .dump(2) +
      "\n";
  return files;
}

}  // namespace consentd::wallet::testing
