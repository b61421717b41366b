// Security cases against a real 4-validator network (issue 8, "Hostile input"): each attack is
// refused with its documented status and reason code (docs/API.md "Errors", common/reasons.inc),
// and nothing it carried reaches the chain. Every refusal has a control beside it, built the
// same way but honest, that is accepted: so each test fails if the refusal has another cause
// (a broken helper, a wrong body) than the one it names.
//
// One network serves the suite (started once); each test uses its own subjects and members.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "cli/client.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/sha256.h"
#include "ledger/tx.h"
#include "tests/faults/raw_client.h"
#include "tests/integration/harness.h"

namespace consentd::testing {
namespace {

using ledger::TxType;

using Reply = cli::Response;

// The error code of a refusal ("" for a success).
std::string Code(const Reply& r) {
  return r.body.is_object() && r.body.contains("error") ? r.body["error"].value("code", "") : "";
}

// The hex form of a key's x-only public key.
std::string Pub(const crypto::PrivateKey& k) { return k.public_key().Hex(); }

crypto::PrivateKey DerivedKey(const std::string& name) {
  auto key = crypto::PrivateKey::FromBytes(crypto::Sha256("security test " + name));
  return std::move(*key);
}

// The node frame that gossips transactions (node/wire.h kTxs = 18): u32be count, then each tx
// as u32be length and its canonical JSON.
std::string TxsFrame(const std::string& tx) {
  std::string f(1, '\x12');
  auto u32 = [&f](std::uint32_t v) {
    for (int i = 3; i >= 0; --i) f.push_back(static_cast<char>(v >> (8 * i)));
  };
  u32(1);
  u32(static_cast<std::uint32_t>(tx.size()));
  return f + tx;
}

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    net_ = new LocalNet(4, LocalNet::AddForeignInsurer);
    tokens_ = net_->Tokens();
    // Node 0 accepts one observer key: the control for the unauthenticated-peer cases (the
    // same raw client, with an allowed key and an honest proof, does get through).
    const std::string path = net_->home(0) + "/config.json";
    Json config = ParseJson(*ReadFile(path)).value();
    config["p2p"]["observers"] = Json::array({Pub(ObserverKey())});
    ASSERT_TRUE(WriteFileAtomic(path, config.dump(2)).ok());
    net_->StartAll();
    ASSERT_TRUE(net_->WaitAllHeight(2, 120'000)) << net_->Log(0);
    for (const char* c : {"insurer-1", "insurer-2"}) {
      ASSERT_EQ(
          Submit(net_->SignedTx(TxType::kNoticePublish, net_->NoticeBody(c), {c}), true).status,
          200);
    }
  }
  static void TearDownTestSuite() {
    delete net_;
    net_ = nullptr;
  }

  static const crypto::PrivateKey& ObserverKey() {
    static const crypto::PrivateKey key = DerivedKey("observer");
    return key;
  }

  static Reply Call(int node, bool post, const std::string& path, const std::string& body = "",
                    const std::string& token = "") {
    auto client = cli::Client::Create(net_->url(node), token);
    if (!client.ok()) return Reply{};
    auto r = post ? client->Post(path, body) : client->Get(path);
    return r.ok() ? *r : Reply{};
  }
  static Reply Submit(const std::string& tx, bool wait = false, int node = 0) {
    return Call(node, true, wait ? "/v1/txs?wait=commit&timeout_ms=30000" : "/v1/txs", tx);
  }
  static Reply Read(const std::string& path, const std::string& member) {
    return Call(0, false, path, "", tokens_[member]);
  }

  // A tx of `type` over `chain_id`, signed with `keys`; sign_chain (if set) is the chain id the
  // signatures are made for instead.
  static Json Build(TxType type, const Json& body, const std::string& chain_id,
                    const std::vector<const crypto::PrivateKey*>& keys,
                    const std::string& sign_chain = "") {
    // Distinct across runs on one chain, and 32 bits (ledger::Tx::kMaxNonce).
    const std::uint64_t nonce =
        ++nonce_ + static_cast<std::uint64_t>(UnixMillisNow() % 4'000'000) * 1000;
    Json tx = ledger::Tx::MakeUnsigned(type, chain_id, body, nonce, 50'000);
    Json signed_over =
        sign_chain.empty() ? tx : ledger::Tx::MakeUnsigned(type, sign_chain, body, nonce, 50'000);
    const Hash256 msg = ledger::Tx::SignHash(signed_over);
    tx["signatures"] = Json::array();
    for (const crypto::PrivateKey* k : keys) {
      tx["signatures"].push_back(Json{{"key", Pub(*k)}, {"sig", HexEncode(k->Sign(msg))}});
    }
    return tx;
  }
  static const crypto::PrivateKey* K(const std::string& name) { return &net_->Key(name); }

  // Polls until every node is at least `blocks` past its height now.
  static void AdvanceBlocks(std::uint64_t blocks) {
    std::uint64_t top = 0;
    for (int i = 0; i < net_->size(); ++i) top = std::max(top, net_->Height(i));
    ASSERT_TRUE(net_->WaitAllHeight(top + blocks, 60'000));
  }
  // The tx is unknown to every node.
  static void ExpectNowhere(const std::string& tx_id) {
    for (int i = 0; i < net_->size(); ++i) {
      Reply r = Call(i, false, "/v1/txs/" + tx_id, "", tokens_["auditor"]);
      EXPECT_EQ(r.status, 404) << "node " << i << ": " << r.raw;
    }
  }
  static std::string IdOf(const Json& tx) {
    return HexEncode(crypto::Sha256(CanonicalJson([&] {
      Json u = tx;
      u.erase("signatures");
      return u;
    }())));
  }

  static LocalNet* net_;
  static std::map<std::string, std::string> tokens_;
  static std::uint64_t nonce_;
};

LocalNet* SecurityTest::net_ = nullptr;
std::map<std::string, std::string> SecurityTest::tokens_;
std::uint64_t SecurityTest::nonce_ = 0;

TEST_F(SecurityTest, ForgedSignatureIsRefused) {
  const Json body = net_->GrantBody("insurer-1", "forge-subject");
  const Json honest =
      Build(TxType::kConsentGrant, body, net_->chain_id(), {K("insurer-1"), K("forge-subject")});

  // One flipped bit in the controller's signature: still 64 bytes of hex, a wrong signature.
  Json flipped = honest;
  std::string sig = flipped["signatures"][0]["sig"];
  sig[10] = sig[10] == '0' ? '1' : '0';
  flipped["signatures"][0]["sig"] = sig;
  Reply r = Submit(CanonicalJson(flipped));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(Code(r), "tx_bad_signature");

  // A well-formed signature by the right key, over another message (another nonce).
  Json other = honest;
  other["nonce"] = honest["nonce"].get<std::uint64_t>() + 1;
  Json moved = honest;
  moved["signatures"][0]["sig"] = HexEncode(net_->Key("insurer-1").Sign(ledger::Tx::SignHash([&] {
    Json u = other;
    u.erase("signatures");
    return u;
  }())));
  r = Submit(CanonicalJson(moved));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(Code(r), "tx_bad_signature");

  // A valid point as the "signature" bytes: 64 zero bytes.
  Json zero = honest;
  zero["signatures"][1]["sig"] = std::string(128, '0');
  r = Submit(CanonicalJson(zero));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(Code(r), "tx_bad_signature");

  // The forgeries share the honest tx's id: none reached any node, and the honest one commits.
  AdvanceBlocks(2);
  ExpectNowhere(IdOf(honest));
  EXPECT_EQ(Submit(CanonicalJson(honest), true).status, 200);
}

TEST_F(SecurityTest, TxSignedForAnotherChainIsRefused) {
  const Json body = net_->GrantBody("insurer-1", "chain-subject");
  const std::vector<const crypto::PrivateKey*> keys = {K("insurer-1"), K("chain-subject")};

  // A tx made for another chain, signed correctly for it.
  Json foreign = Build(TxType::kConsentGrant, body, "another-chain", keys);
  Reply r = Submit(CanonicalJson(foreign));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(Code(r), "tx_wrong_chain");

  // Its signatures moved onto our chain's envelope: they cover the other chain's sign hash.
  Json moved = Build(TxType::kConsentGrant, body, net_->chain_id(), keys, "another-chain");
  r = Submit(CanonicalJson(moved));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(Code(r), "tx_bad_signature");

  // A chain id that differs only in case is another chain.
  std::string upper = net_->chain_id();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  r = Submit(CanonicalJson(Build(TxType::kConsentGrant, body, upper, keys)));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(Code(r), "tx_wrong_chain");

  AdvanceBlocks(2);
  ExpectNowhere(IdOf(moved));
  // Control: the same body signed for this chain commits.
  EXPECT_EQ(Submit(CanonicalJson(Build(TxType::kConsentGrant, body, net_->chain_id(), keys)), true)
                .status,
            200);
}

TEST_F(SecurityTest, ReplayedTxIsRefusedOnEveryNode) {
  const Json tx = Build(TxType::kConsentGrant, net_->GrantBody("insurer-1", "replay-subject"),
                        net_->chain_id(), {K("insurer-1"), K("replay-subject")});
  Reply first = Submit(CanonicalJson(tx), true);
  ASSERT_EQ(first.status, 200) << first.raw;
  const std::string id = first.body["tx_id"];
  EXPECT_EQ(id, IdOf(tx));
  const std::uint64_t height = first.body["header"]["height"];
  // Every node must have committed that block: until then a node still holding the tx in its
  // mempool rightly answers mempool_duplicate instead.
  ASSERT_TRUE(net_->WaitAllHeight(height, 60'000));

  // The same bytes again, to the node that committed it and to every other node.
  for (int i = 0; i < net_->size(); ++i) {
    Reply again = Submit(CanonicalJson(tx), false, i);
    EXPECT_EQ(again.status, 409) << "node " << i << ": " << again.raw;
    EXPECT_EQ(Code(again), "tx_duplicate") << "node " << i;
  }
  // The same tx id with other signature bytes: signed again (fresh BIP340 aux randomness) and
  // with the signatures in the other order. The id covers the unsigned form, so it is a replay.
  Json resigned = tx;
  Json unsigned_tx = tx;
  unsigned_tx.erase("signatures");
  const Hash256 msg = ledger::Tx::SignHash(unsigned_tx);
  resigned["signatures"] = Json::array();
  for (const char* who : {"replay-subject", "insurer-1"}) {
    resigned["signatures"].push_back(
        Json{{"key", Pub(*K(who))}, {"sig", HexEncode(K(who)->Sign(msg))}});
  }
  ASSERT_NE(CanonicalJson(resigned), CanonicalJson(tx));
  Reply again = Submit(CanonicalJson(resigned), false, 1);
  EXPECT_EQ(again.status, 409) << again.raw;
  EXPECT_EQ(Code(again), "tx_duplicate");
  // Waiting for a commit of a replay does not wait: it is refused at once.
  again = Submit(CanonicalJson(resigned), true, 2);
  EXPECT_EQ(again.status, 409) << again.raw;
  EXPECT_EQ(Code(again), "tx_duplicate");

  // After more blocks the tx is still committed once, at its first height, on every node.
  AdvanceBlocks(3);
  for (int i = 0; i < net_->size(); ++i) {
    Reply r = Call(i, false, "/v1/txs/" + id, "", tokens_["auditor"]);
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["height"].get<std::uint64_t>(), height) << "node " << i;
  }
  Reply log = Read("/v1/audit/log?type=consent.grant&limit=1000", "auditor");
  ASSERT_EQ(log.status, 200) << log.raw;
  int seen = 0;
  for (const Json& item : log.body["items"]) seen += item["tx_id"] == id;
  EXPECT_EQ(seen, 1);
}

TEST_F(SecurityTest, MemberImpersonationIsRefused) {
  const std::string chain = net_->chain_id();
  // A notice "by insurer-1" that insurer-2 signed.
  Json notice = net_->NoticeBody("insurer-1");
  notice["notice_id"] = "1a2b3c4d5e6f708192a3b4c5d6e7f809";  // a notice of its own
  Reply r = Submit(CanonicalJson(Build(TxType::kNoticePublish, notice, chain, {K("insurer-2")})));
  EXPECT_EQ(r.status, 422) << r.raw;
  EXPECT_EQ(Code(r), "tx_missing_signature");

  // A signature entry naming insurer-1's key, made with insurer-2's key.
  Json claimed = Build(TxType::kNoticePublish, notice, chain, {K("insurer-2")});
  claimed["signatures"][0]["key"] = Pub(*K("insurer-1"));
  r = Submit(CanonicalJson(claimed));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(Code(r), "tx_bad_signature");

  // A consent for insurer-1 co-signed by insurer-2 instead (the subject signed honestly).
  const Json grant = net_->GrantBody("insurer-1", "imp-subject");
  r = Submit(CanonicalJson(
      Build(TxType::kConsentGrant, grant, chain, {K("insurer-2"), K("imp-subject")})));
  EXPECT_EQ(r.status, 422) << r.raw;
  EXPECT_EQ(Code(r), "tx_missing_signature");

  // A consent in a customer's name, signed by someone else's wallet key.
  r = Submit(
      CanonicalJson(Build(TxType::kConsentGrant, grant, chain, {K("insurer-1"), K("mallory")})));
  EXPECT_EQ(r.status, 422) << r.raw;
  EXPECT_EQ(Code(r), "tx_missing_signature");

  // Control: the consent signed by its controller and subject commits.
  Reply ok = Submit(
      CanonicalJson(Build(TxType::kConsentGrant, grant, chain, {K("insurer-1"), K("imp-subject")})),
      true);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  const std::string consent = ok.body["tx_id"];

  // Sharing "sent by insurer-1" that insurer-2 signed.
  const Json sharing{{"sender", "insurer-1"},
                     {"recipient", "insurer-2"},
                     {"subject", {{"key", Pub(*K("imp-subject"))}}},
                     {"purpose", "ClaimsHandling"},
                     {"categories", {"Contact"}},
                     {"destination", "CN"},
                     {"legal_basis", "consent"},
                     {"shared_at", UnixMillisNow() - 1}};
  r = Submit(CanonicalJson(Build(TxType::kSharingRecord, sharing, chain, {K("insurer-2")})));
  EXPECT_EQ(r.status, 422) << r.raw;
  EXPECT_EQ(Code(r), "tx_missing_signature");

  // Mallory withdraws the subject's consent.
  r = Submit(CanonicalJson(
      Build(TxType::kConsentWithdraw, Json{{"consent_id", consent}}, chain, {K("mallory")})));
  EXPECT_EQ(r.status, 422) << r.raw;
  EXPECT_EQ(Code(r), "tx_missing_signature");
  // An honest signer plus a stranger's signature: the stranger has no part in the tx.
  r = Submit(CanonicalJson(Build(TxType::kConsentWithdraw, Json{{"consent_id", consent}}, chain,
                                 {K("imp-subject"), K("mallory")})));
  EXPECT_EQ(r.status, 422) << r.raw;
  EXPECT_EQ(Code(r), "tx_unexpected_signer");

  // The consent is still Given.
  AdvanceBlocks(2);
  Reply status = Call(0, false, "/v1/consents/" + consent, "", tokens_["auditor"]);
  ASSERT_EQ(status.status, 200) << status.raw;
  EXPECT_EQ(status.body["status"], "Given");
}

TEST_F(SecurityTest, InsurerTokenCannotReadAnotherInsurersRecords) {
  const std::string chain = net_->chain_id();
  const std::int64_t now = UnixMillisNow();
  // insurer-1's consent for a subject, and insurer-1's agreement with insurer-sg.
  Reply grant = Submit(
      CanonicalJson(Build(TxType::kConsentGrant, net_->GrantBody("insurer-1", "scope-subject"),
                          chain, {K("insurer-1"), K("scope-subject")})),
      true);
  ASSERT_EQ(grant.status, 200) << grant.raw;
  Reply agreement = Submit(
      CanonicalJson(Build(TxType::kAgreementCreate,
                          Json{{"exporter", "insurer-1"},
                               {"importer", "insurer-sg"},
                               {"mechanism", "standard-contract"},
                               {"filing_ref_hash", HexEncode(crypto::Sha256("scope filing"))},
                               {"destinations", {"SG"}},
                               {"purposes", {"ClaimsHandling"}},
                               {"categories", {"Contact"}},
                               {"valid_from", now - 60'000},
                               {"valid_until", now + 365LL * 24 * 3600 * 1000}},
                          chain, {K("insurer-1"), K("insurer-sg")})),
      true);
  ASSERT_EQ(agreement.status, 200) << agreement.raw;
  const std::string agreement_id = agreement.body["tx_id"];
  const std::string subject = "key:" + Pub(*K("scope-subject"));

  // Asking by name for another member's records: 403 forbidden.
  for (const std::string& path :
       {"/v1/agreements/" + agreement_id, std::string("/v1/agreements?party=insurer-1"),
        std::string("/v1/sharing?controller=insurer-1"),
        std::string("/v1/audit/log?member=insurer-1")}) {
    Reply r = Read(path, "insurer-2");
    EXPECT_EQ(r.status, 403) << path << ": " << r.raw;
    EXPECT_EQ(Code(r), "forbidden") << path;
    // Control: the parties and an auditor may read it.
    EXPECT_EQ(Read(path, "insurer-1").status, 200) << path;
    EXPECT_EQ(Read(path, "auditor").status, 200) << path;
  }
  EXPECT_EQ(Read("/v1/agreements/" + agreement_id, "insurer-sg").status, 200);

  // The subject's records are filtered to the insurer's scope (docs/API.md "The insurer's
  // scope"): insurer-2 sees none of insurer-1's consent, in the list or in the history.
  Reply theirs = Read("/v1/subjects/" + subject + "/consents", "insurer-2");
  ASSERT_EQ(theirs.status, 200) << theirs.raw;
  EXPECT_EQ(theirs.body["items"].size(), 0u) << theirs.raw;
  Reply history = Read("/v1/subjects/" + subject + "/history", "insurer-2");
  ASSERT_EQ(history.status, 200) << history.raw;
  EXPECT_EQ(history.body["items"].size(), 0u) << history.raw;
  Reply mine = Read("/v1/subjects/" + subject + "/consents", "insurer-1");
  ASSERT_EQ(mine.status, 200) << mine.raw;
  ASSERT_EQ(mine.body["items"].size(), 1u) << mine.raw;
  EXPECT_EQ(mine.body["items"][0]["id"], grant.body["tx_id"]);
  EXPECT_GE(Read("/v1/subjects/" + subject + "/history", "insurer-1").body["items"].size(), 1u);
  // insurer-2's own audit log holds nothing of insurer-1's.
  Reply log = Read("/v1/audit/log?limit=1000", "insurer-2");
  ASSERT_EQ(log.status, 200) << log.raw;
  for (const Json& item : log.body["items"]) {
    EXPECT_NE(item["tx_id"], grant.body["tx_id"]);
    EXPECT_NE(item["tx_id"], agreement_id);
  }
  // Without a token, or with a made-up one, nothing at all.
  EXPECT_EQ(Code(Call(0, false, "/v1/subjects/" + subject + "/consents")), "auth_required");
  Reply forged = Call(0, false, "/v1/subjects/" + subject + "/consents", "", std::string(48, 'a'));
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(Code(forged), "auth_unknown_token");
}

TEST_F(SecurityTest, ValidatorSetChangeWithoutTheGovernanceThresholdIsRefused) {
  const std::string chain = net_->chain_id();
  Reply before = Call(0, false, "/v1/validators");
  ASSERT_EQ(before.status, 200);
  ASSERT_EQ(before.body["validators"].size(), 4u);
  const crypto::PrivateKey new_validator = DerivedKey("new validator");
  const crypto::PrivateKey outsider = DerivedKey("outsider");

  // Governance needs 3 of the members (2n/3 + 1 with n = 4); two are not enough, whoever they are.
  const Json replace{{"member", "insurer-4"}, {"validator_key", Pub(new_validator)}};
  struct Case {
    std::string what;
    Json body;
    std::vector<const crypto::PrivateKey*> keys;
    TxType type;
    int status;
    std::string code;
  };
  const Json join{{"member", "insurer-x"},
                  {"roles", {"insurer"}},
                  {"keys", {Pub(outsider)}},
                  {"jurisdiction", "CN"},
                  {"validator_key", Pub(new_validator)}};
  const std::vector<Case> cases = {
      {"replace a validator key, 2 of 3",
       replace,
       {K("insurer-1"), K("insurer-2")},
       TxType::kMemberUpdate,
       422,
       "governance_threshold_not_met"},
      {"the member alone changes its own validator key",
       replace,
       {K("insurer-4")},
       TxType::kMemberUpdate,
       422,
       "governance_threshold_not_met"},
      {"remove a validator, 1 of 3",
       Json{{"member", "insurer-2"}, {"validator_key", nullptr}},
       {K("insurer-1")},
       TxType::kMemberUpdate,
       422,
       "governance_threshold_not_met"},
      {"register a new validator, 2 of 3",
       join,
       {K("insurer-1"), K("regulator")},
       TxType::kMemberRegister,
       422,
       "governance_threshold_not_met"},
      {"the newcomer signs for itself",
       join,
       {K("insurer-1"), K("insurer-2"), &outsider},
       TxType::kMemberRegister,
       422,
       "tx_unexpected_signer"},
      {"one member signs twice",
       join,
       {K("insurer-1"), K("insurer-2"), K("insurer-2")},
       TxType::kMemberRegister,
       400,
       "tx_duplicate_signer"},
  };
  std::vector<std::string> refused_ids;
  for (const Case& c : cases) {
    const Json tx = Build(c.type, c.body, chain, c.keys);
    Reply r = Submit(CanonicalJson(tx));
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.raw;
    EXPECT_EQ(Code(r), c.code) << c.what;
    refused_ids.push_back(IdOf(tx));
  }
  // Past the validator_change_delay, the set is what it was on every node, and none of the
  // refused txs is anywhere.
  AdvanceBlocks(4);
  for (int i = 0; i < net_->size(); ++i) {
    Reply after = Call(i, false, "/v1/validators");
    ASSERT_EQ(after.status, 200);
    EXPECT_EQ(after.body["validators"], before.body["validators"]) << "node " << i;
  }
  for (const std::string& id : refused_ids) ExpectNowhere(id);

  // Control: the same governance rule passes with three members (a member without a validator
  // key, so the running network keeps its four validators).
  Json plain = join;
  plain.erase("validator_key");
  Reply ok = Submit(CanonicalJson(Build(TxType::kMemberRegister, plain, chain,
                                        {K("insurer-1"), K("insurer-2"), K("insurer-3")})),
                    true);
  EXPECT_EQ(ok.status, 200) << ok.raw;
}

// --- Peers: a raw client on a node's peer port (tests/faults/raw_client.h). ---

// The node's log lines about the connection from our `local_port`.
std::string LogLinesFor(const LocalNet& net, int node, int local_port) {
  const std::string remote = "remote=127.0.0.1:" + std::to_string(local_port);
  const std::string log = net.Log(node);
  std::string out;
  for (std::size_t pos = log.find(remote); pos != std::string::npos;
       pos = log.find(remote, pos + 1)) {
    const std::size_t start = log.rfind('\n', pos) + 1;
    out += log.substr(start, log.find('\n', pos) - start) + "\n";
  }
  return out;
}

// The node's log has a line for this connection (by our port) naming `reason`.
bool LoggedRejection(const LocalNet& net, int node, int local_port, const std::string& reason) {
  const std::string remote = "remote=127.0.0.1:" + std::to_string(local_port);
  const std::int64_t deadline = MonoMs() + 10'000;
  while (MonoMs() < deadline) {
    const std::string log = net.Log(node);
    for (std::size_t pos = log.find(remote); pos != std::string::npos;
         pos = log.find(remote, pos + 1)) {
      const std::size_t start = log.rfind('\n', pos) + 1;
      const std::string line = log.substr(start, log.find('\n', pos) - start);
      if (line.find("reason=" + reason) != std::string::npos) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  return false;
}

TEST_F(SecurityTest, UnknownKeyPeerIsClosedAndItsFramesNeverArrive) {
  const crypto::PrivateKey stranger = DerivedKey("stranger");
  const std::string tx =
      net_->SignedTx(TxType::kConsentGrant, net_->GrantBody("insurer-1", "smuggled-1"),
                     {"insurer-1", "smuggled-1"});
  RawPeer peer;
  ASSERT_TRUE(peer.Open(PeerPortOf(net_->home(1))));
  const int port = peer.socket().local_port();
  ASSERT_TRUE(peer.Handshake(stranger, stranger, net_->chain_id()).has_value());
  peer.SendBinary(TxsFrame(tx));  // may already fail: the node closes on our Hello
  EXPECT_TRUE(peer.WaitClosed(10'000));
  EXPECT_EQ(peer.close_code(), 1008);
  EXPECT_EQ(peer.close_reason(), "key_not_allowed");
  EXPECT_FALSE(peer.GotNodeFrame());
  EXPECT_TRUE(LoggedRejection(*net_, 1, port, "key_not_allowed")) << net_->Log(1).substr(0, 4000);
  AdvanceBlocks(3);
  ExpectNowhere(IdOf(ParseJson(tx).value()));
}

TEST_F(SecurityTest, ValidatorKeyWithoutItsSecretFailsTheProof) {
  // Claim the key of the validator whose key sorts lowest, at the node whose key sorts highest:
  // an honest dial by that key would replace their connection, so only the proof can stop us.
  int target = -1;
  std::string highest, lowest;
  for (int i = 0; i < net_->size(); ++i) {
    auto text = ReadFile(net_->home(i) + "/node_key.json");
    ASSERT_TRUE(text.ok());
    const std::string pub = ParseJson(*text).value().value("public_key", "");
    ASSERT_EQ(pub.size(), 64u);
    if (pub > highest) highest = pub, target = i;
    if (lowest.empty() || pub < lowest) lowest = pub;
  }
  ASSERT_NE(highest, lowest);
  auto claimed = crypto::PublicKey::Parse(*HexDecodeFixed<32>(lowest));
  ASSERT_TRUE(claimed.ok());

  // A private key whose public key we overwrite in the Hello: build the Hello by hand.
  const crypto::PrivateKey attacker = DerivedKey("attacker");
  const std::string tx =
      net_->SignedTx(TxType::kConsentGrant, net_->GrantBody("insurer-1", "smuggled-2"),
                     {"insurer-1", "smuggled-2"});
  RawPeer peer;
  ASSERT_TRUE(peer.Open(PeerPortOf(net_->home(target))));
  const int port = peer.socket().local_port();
  ASSERT_TRUE(peer.HandshakeClaiming(claimed->bytes(), attacker, net_->chain_id()).has_value());
  peer.SendBinary(TxsFrame(tx));
  EXPECT_TRUE(peer.WaitClosed(10'000));
  EXPECT_EQ(peer.close_code(), 1008);
  EXPECT_EQ(peer.close_reason(), "bad_signature");
  EXPECT_FALSE(peer.GotNodeFrame());
  EXPECT_TRUE(LoggedRejection(*net_, target, port, "bad_signature"));
  // The real validator is still connected to everyone, and the smuggled tx went nowhere.
  AdvanceBlocks(3);
  ExpectNowhere(IdOf(ParseJson(tx).value()));
}

TEST_F(SecurityTest, NodeFrameBeforeTheHandshakeIsRefused) {
  // A small node frame (a status, kind 21) in place of the Hello: refused as unexpected.
  {
    RawPeer peer;
    ASSERT_TRUE(peer.Open(PeerPortOf(net_->home(2))));
    const int port = peer.socket().local_port();
    peer.SendBinary(std::string(1, '\x15') + R"({"block_hash":"00","height":1})");
    EXPECT_TRUE(peer.WaitClosed(10'000));
    EXPECT_EQ(peer.close_code(), 1008);
    EXPECT_EQ(peer.close_reason(), "unexpected_frame");
    EXPECT_FALSE(peer.GotNodeFrame());
    EXPECT_TRUE(LoggedRejection(*net_, 2, port, "unexpected_frame"));
  }
  // A tx batch frame (kind 18) carrying a valid signed tx: over the 256-byte limit before
  // authentication, so refused from its header as oversize (WebSocket 1009), never read.
  const std::string tx =
      net_->SignedTx(TxType::kConsentGrant, net_->GrantBody("insurer-1", "smuggled-3"),
                     {"insurer-1", "smuggled-3"});
  RawPeer peer;
  ASSERT_TRUE(peer.Open(PeerPortOf(net_->home(2))));
  const int port = peer.socket().local_port();
  peer.SendBinary(TxsFrame(tx));
  // Answer the node's close frame as a WebSocket peer does (Beast completes the refused read
  // only then; a peer that ignores it is cut off by the handshake timeout instead, and logged
  // as handshake_timeout).
  for (const std::int64_t end = MonoMs() + 10'000;
       peer.close_code() == 0 && !peer.closed() && MonoMs() < end;) {
    peer.Next(end - MonoMs());
  }
  EXPECT_EQ(peer.close_code(), 1009);
  peer.socket().Send(WsFrame(kWsClose, std::string("\x03\xf1", 2)));
  peer.socket().ShutdownWrite();
  EXPECT_TRUE(peer.WaitClosed(10'000));
  EXPECT_FALSE(peer.GotNodeFrame());
  EXPECT_TRUE(LoggedRejection(*net_, 2, port, "oversize_frame")) << LogLinesFor(*net_, 2, port);
  AdvanceBlocks(3);
  ExpectNowhere(IdOf(ParseJson(tx).value()));
}

TEST_F(SecurityTest, HelloForAnotherChainIsRefused) {
  RawPeer peer;
  ASSERT_TRUE(peer.Open(PeerPortOf(net_->home(3))));
  const int port = peer.socket().local_port();
  ASSERT_TRUE(peer.Handshake(ObserverKey(), ObserverKey(), "another-chain").has_value());
  EXPECT_TRUE(peer.WaitClosed(10'000));
  EXPECT_EQ(peer.close_reason(), "wrong_chain");
  EXPECT_FALSE(peer.GotNodeFrame());
  EXPECT_TRUE(LoggedRejection(*net_, 3, port, "wrong_chain"));
}

// The control for the three cases above: the same raw client with an allowed key (node 0's
// configured observer) and an honest proof is let in, hears consensus traffic, and the same
// smuggling frame does deliver its tx.
TEST_F(SecurityTest, AnAllowedPeerWithAnHonestProofGetsThrough) {
  const std::string tx =
      net_->SignedTx(TxType::kConsentGrant, net_->GrantBody("insurer-1", "observer-subject"),
                     {"insurer-1", "observer-subject"});
  RawPeer peer;
  ASSERT_TRUE(peer.Open(PeerPortOf(net_->home(0))));
  ASSERT_TRUE(peer.Handshake(ObserverKey(), ObserverKey(), net_->chain_id()).has_value());
  // The server's Auth, then node frames.
  const std::int64_t deadline = MonoMs() + 20'000;
  while (!peer.GotNodeFrame() && !peer.closed() && MonoMs() < deadline) peer.Next(1000);
  ASSERT_TRUE(peer.GotNodeFrame()) << "closed=" << peer.closed() << " " << peer.close_reason();
  ASSERT_TRUE(peer.SendBinary(TxsFrame(tx)));
  const std::string id = IdOf(ParseJson(tx).value());
  bool committed = false;
  for (const std::int64_t end = MonoMs() + 60'000; !committed && MonoMs() < end;) {
    peer.Next(200);  // keep reading, so the node's queue to us drains (poll interval)
    committed = Call(0, false, "/v1/txs/" + id, "", tokens_["auditor"]).body.value("status", "") ==
                "committed";
  }
  EXPECT_TRUE(committed);
}

}  // namespace
}  // namespace consentd::testing
