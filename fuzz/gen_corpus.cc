// Writes the seed corpus of the fuzz targets (fuzz/targets.h) into <repo>/fuzz/corpus/<target>/:
// real inputs made by the project's own encoders and signers, so the fuzzers start past the
// parsers' first checks. Keys derive from names; BIP340 signatures use fresh auxiliary
// randomness, so a rerun changes signature bytes but not what the corpus covers. The files are
// committed; regenerate after a format change with
//   scripts/fuzz --build-only && build-fuzz/fuzz/gen_fuzz_corpus .

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/file_util.h"
#include "common/hex.h"
#include "common/json.h"
#include "consensus/certificate.h"
#include "consensus/messages.h"
#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"
#include "fuzz/targets.h"
#include "ledger/block.h"
#include "ledger/testing/tx_fixtures.h"
#include "ledger/tx.h"
#include "node/p2p/wire.h"
#include "node/wire.h"
#include "wallet/pending_tx.h"

namespace consentd::fuzz {
namespace {

namespace fs = std::filesystem;
using ledger::TxType;

crypto::PrivateKey KeyFor(std::string_view name) {
  return std::move(crypto::PrivateKey::FromBytes(crypto::Sha256(name)).value());
}

std::string Hex(std::string_view seed) { return HexEncode(crypto::Sha256(seed)); }

Result<ledger::TxPtr> MakeTx(TxType type, const std::vector<std::string>& signers,
                             std::uint64_t nonce) {
  Json body = ledger::testing::FixtureBody(type, Hex("document"),
                                           HexEncode(KeyFor("member-key").public_key().bytes()));
  CONSENTD_ASSIGN_OR_RETURN(
      wallet::PendingTx pending,
      wallet::PendingTx::Create(type, std::string(kFuzzChainId), std::move(body), nonce,
                                100 + nonce % 3 * 1000));
  for (const std::string& s : signers) CONSENTD_RETURN_IF_ERROR(pending.Sign(KeyFor(s)));
  return pending.Complete();
}

std::string WithKind(node::wire::Kind kind, std::string_view payload) {
  std::string out(1, static_cast<char>(kind));
  out += payload;
  return out;
}

class Writer {
 public:
  explicit Writer(fs::path root) : root_(std::move(root)) {}
  void Put(const std::string& target, const std::string& name, std::string_view data) {
    const fs::path dir = root_ / "fuzz" / "corpus" / target;
    fs::create_directories(dir);
    const Status st = WriteFileAtomic((dir / name).string(), data);
    if (!st.ok()) {
      std::fprintf(stderr, "gen_fuzz_corpus: %s\n", st.ToString().c_str());
      std::exit(1);
    }
    ++written_;
  }
  int written() const { return written_; }

 private:
  fs::path root_;
  int written_ = 0;
};

int Run(const fs::path& root) {
  Writer w(root);

  // tx: one signed tx per type, plus the shapes admission must refuse.
  std::vector<ledger::TxPtr> txs;
  std::uint64_t nonce = 1;
  for (int i = 0; i < ledger::kTxTypeCount; ++i) {
    const auto type = static_cast<TxType>(i);
    std::vector<std::string> signers = {"signer-a"};
    if (type == TxType::kConsentGrant) signers.push_back("customer-1");
    auto tx = MakeTx(type, signers, nonce++);
    if (!tx.ok()) {
      std::fprintf(stderr, "gen_fuzz_corpus: %s: %s\n", ledger::ToString(type),
                   tx.status().ToString().c_str());
      return 1;
    }
    txs.push_back(*tx);
    w.Put("tx", std::string(ledger::ToString(type)) + ".json", (*tx)->canonical());
  }
  const ledger::Tx& grant = *txs[static_cast<int>(TxType::kConsentGrant)];
  w.Put("tx", "pretty-consent.grant.json", grant.ToJson().dump(2));
  Json unsigned_grant = grant.ToJson();
  unsigned_grant["signatures"] = Json::array();
  w.Put("tx", "unsigned-consent.grant.json", CanonicalJson(unsigned_grant));
  Json other_chain = grant.ToJson();
  other_chain["chain_id"] = "other-chain";
  w.Put("tx", "other-chain.json", CanonicalJson(other_chain));
  Json bad_sig = grant.ToJson();
  bad_sig["signatures"][0]["sig"] = std::string(128, '0');
  w.Put("tx", "bad-signature.json", CanonicalJson(bad_sig));

  // json: the JCS corner cases, and real documents.
  const std::vector<std::pair<std::string, std::string>> json_cases = {
      {"empty-object", "{}"},
      {"nested", R"({"a":[1,[2,[3,{"b":null}]]],"c":{"d":true,"e":false}})"},
      {"escapes", R"(["\u0000\u001f\"\\\/\b\f\n\r\t","\u00e9\u2028\ud83d\ude00"])"},
      {"key-order", R"({"\u20ac":1,"\r":2,"1":3,"\ud83d\ude00":4,"\u0080":5,"a":6})"},
      {"integers", "[0,-0,9007199254740991,-9007199254740991,1,-1]"},
      {"out-of-range", "[9007199254740992]"},
      {"float", "[1.5,1e3]"},
      {"duplicate-key", R"({"a":1,"a":2})"},
      {"whitespace", " \n\t{ \"a\" : [ 1 , 2 ] } \r\n"},
      {"deep", std::string(40, '[') + std::string(40, ']')},
      {"utf8", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
      {"bad-utf8", "\"\xc3\x28\xed\xa0\x80\""},
      {"lone-surrogate", R"(["\ud800"])"},
      {"trailing", "{} {}"},
      {"scalars", R"([true,false,null,"",0])"},
  };
  for (const auto& [name, text] : json_cases) w.Put("json", name + ".json", text);
  w.Put("json", "tx-consent.grant.json", grant.canonical());
  w.Put("json", "tx-agreement.create.json",
        txs[static_cast<int>(TxType::kAgreementCreate)]->canonical());

  // frame: every kind the transport and the node decode, from their encoders.
  const crypto::PrivateKey proposer = KeyFor("validator-0");
  node::p2p::Hello hello;
  hello.chain_id = std::string(kFuzzChainId);
  hello.key = proposer.public_key().bytes();
  hello.nonce = crypto::Sha256("nonce");
  w.Put("frame", "hello", node::p2p::EncodeHello(hello));
  w.Put("frame", "hello-v2", std::string("\x00\x02later", 7));
  w.Put("frame", "auth", node::p2p::EncodeAuth(proposer.Sign(crypto::Sha256("transcript"))));

  ledger::Block block;
  block.txs = {txs[0], txs[3], txs[4]};
  block.header.chain_id = std::string(kFuzzChainId);
  block.header.height = 2;
  block.header.time_ms = 1'767'225'601'000;
  block.header.prev_hash = crypto::Sha256("block 1");
  block.header.tx_root = ledger::TxRoot(block.txs);
  block.header.tx_count = static_cast<std::uint32_t>(block.txs.size());
  block.header.state_digest = crypto::Sha256("state");
  block.header.proposer = proposer.public_key().bytes();
  block.header.validator_set_hash = crypto::Sha256("validators");
  const std::string payload = block.Encode();
  const Hash256 block_id = block.Hash();

  consensus::Proposal proposal{
      2, 0, -1, block_id, Bytes(payload.begin(), payload.end()), proposer.public_key(), {}};
  proposal.signature = proposer.Sign(consensus::SignHash(kFuzzChainId, proposal));
  w.Put("frame", "proposal",
        WithKind(node::wire::Kind::kProposal, node::wire::EncodeProposal(proposal)));
  consensus::Proposal empty = proposal;
  ledger::Block empty_block = block;
  empty_block.txs.clear();
  empty_block.header.tx_count = 0;
  empty_block.header.tx_root = ledger::TxRoot({});
  const std::string empty_payload = empty_block.Encode();
  empty.block.assign(empty_payload.begin(), empty_payload.end());
  empty.block_id = empty_block.Hash();
  empty.pol_round = 0;
  empty.round = 1;
  empty.signature = proposer.Sign(consensus::SignHash(kFuzzChainId, empty));
  w.Put("frame", "proposal-empty-block",
        WithKind(node::wire::Kind::kProposal, node::wire::EncodeProposal(empty)));

  consensus::CommitCertificate cert{2, 0, block_id, {}};
  for (const char* name : {"validator-0", "validator-1", "validator-2"}) {
    const crypto::PrivateKey key = KeyFor(name);
    consensus::Vote vote{consensus::VoteType::kPrecommit, 2, 0, block_id, key.public_key(), {}};
    vote.signature = key.Sign(consensus::SignHash(kFuzzChainId, vote));
    cert.precommits.push_back({vote.validator, vote.signature});
    w.Put("frame", std::string("precommit-") + name,
          WithKind(node::wire::Kind::kVote, node::wire::EncodeVote(vote)));
  }
  consensus::Vote nil{consensus::VoteType::kPrevote, 2, 1, std::nullopt, proposer.public_key(), {}};
  nil.signature = proposer.Sign(consensus::SignHash(kFuzzChainId, nil));
  w.Put("frame", "prevote-nil", WithKind(node::wire::Kind::kVote, node::wire::EncodeVote(nil)));

  w.Put("frame", "txs",
        WithKind(node::wire::Kind::kTxs,
                 node::wire::EncodeTxs({txs[1]->canonical(), txs[5]->canonical(), "{}"})));
  w.Put("frame", "txs-empty", WithKind(node::wire::Kind::kTxs, node::wire::EncodeTxs({})));
  w.Put("frame", "sync-request",
        WithKind(node::wire::Kind::kSyncRequest, node::wire::EncodeSyncRequest({3, 64})));
  w.Put("frame", "sync-response",
        WithKind(node::wire::Kind::kSyncResponse,
                 node::wire::EncodeSyncResponse(
                     {{2, payload, cert}, {3, empty_payload, {3, 1, empty.block_id, {}}}})));
  w.Put("frame", "status",
        WithKind(node::wire::Kind::kStatus, node::wire::EncodeStatus({2, block_id})));
  w.Put("frame", "unknown-kind", std::string("\x7f{}", 3));

  // receipt: the shared fixtures (valid, tampered, malformed), judged against their anchor.
  const fs::path fixtures = root / "tests" / "fixtures" / "receipts";
  for (const fs::directory_entry& e : fs::directory_iterator(fixtures)) {
    const std::string name = e.path().filename().string();
    if (name == "manifest.json" || name == "README.md") continue;
    auto text = ReadFile(e.path().string());
    if (!text.ok()) {
      std::fprintf(stderr, "gen_fuzz_corpus: %s\n", text.status().ToString().c_str());
      return 1;
    }
    w.Put("receipt", name, *text);
    if (name == "valid-consent-grant.json") w.Put("json", "receipt.json", *text);
  }

  // request_signature: the fixture's header, and the near misses the parser must refuse.
  auto example =
      ReadFile((root / "tests" / "fixtures" / "request_signature" / "example.json").string());
  if (!example.ok()) {
    std::fprintf(stderr, "gen_fuzz_corpus: %s\n", example.status().ToString().c_str());
    return 1;
  }
  const std::string header = Json::parse(*example).at("authorization").get<std::string>();
  const std::string key_hex = header.substr(header.find("key=") + 4, 64);
  const std::string sig_hex = header.substr(header.find("sig=") + 4);
  const std::vector<std::pair<std::string, std::string>> signature_cases = {
      {"valid", header},
      {"other-ts", "BIP340 key=" + key_hex + ",ts=1765000000001,sig=" + sig_hex},
      {"upper-hex", "BIP340 key=" + key_hex + ",ts=1765000000000,sig=" + std::string(128, 'A')},
      {"leading-zero", "BIP340 key=" + key_hex + ",ts=01,sig=" + sig_hex},
      {"order", "BIP340 ts=1765000000000,key=" + key_hex + ",sig=" + sig_hex},
      {"spaces", "BIP340 key=" + key_hex + ", ts=1765000000000, sig=" + sig_hex},
      {"not-a-point", "BIP340 key=" + std::string(64, 'f') + ",ts=1,sig=" + sig_hex},
      {"bearer", "Bearer 0123456789abcdef"},
      {"trailing", header + ",x=1"},
  };
  for (const auto& [name, text] : signature_cases) w.Put("request_signature", name, text);

  std::printf("gen_fuzz_corpus: wrote %d files under %s\n", w.written(),
              (root / "fuzz" / "corpus").c_str());
  return 0;
}

}  // namespace
}  // namespace consentd::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gen_fuzz_corpus <repository root>\n");
    return 2;
  }
  return consentd::fuzz::Run(argv[1]);
}
