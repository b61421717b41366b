// The Ledger facade: genesis, block validation, commit with certificates, restart.

#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/hex.h"
#include "common/json.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

using testing::Certify;
using testing::KeyFor;
using testing::TestChain;

std::vector<const crypto::PrivateKey*> ValidatorKeys(TestChain& chain) {
  std::vector<const crypto::PrivateKey*> keys;
  for (const auto& m : chain.genesis().members) {
    if (m.validator_key) keys.push_back(&chain.Key("node-" + m.member));
  }
  return keys;
}

class BlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.Do(TxType::kNoticePublish, chain_.PublishNotice(), {"insurer-a"}).ok());
  }
  // A valid next block with one grant, built by the ledger itself.
  Block NextBlock() {
    TxPtr tx =
        chain_.Make(TxType::kConsentGrant, chain_.GrantBody("alice"), {"insurer-a", "alice"});
    std::vector<TxPtr> txs{tx};
    auto b = chain_.ledger().BuildBlock(chain_.next_time(), Proposer(), txs);
    EXPECT_TRUE(b.ok());
    return b->block;
  }
  // Executes and commits `b` with a certificate of every validator.
  Status ExecuteAndCommit(const Block& b, bool durable = true) {
    auto executed = chain_.ledger().ExecuteBlock(b);
    if (!executed.ok()) return executed.status();
    return chain_.ledger().Commit(
        std::move(*executed),
        Certify(chain_.chain_id(), b.header.height, b.Hash(), ValidatorKeys(chain_)), durable);
  }
  crypto::PublicKeyBytes Proposer() { return chain_.Key("node-insurer-a").public_key().bytes(); }
  // Re-hashing helpers: a tampered header gets its own hash, so only the field's rule can object.
  std::string Code(const Block& b, std::optional<std::int64_t> now = std::nullopt) {
    auto r = chain_.ledger().ExecuteBlock(b, now);
    return r.ok() ? "ok" : r.status().code();
  }
  TestChain chain_;
};

TEST_F(BlockTest, BuiltBlockValidatesAndCommits) {
  Block b = NextBlock();
  EXPECT_EQ(Code(b), "ok");
  auto executed = chain_.ledger().ExecuteBlock(b);
  ASSERT_TRUE(executed.ok());
  const Hash256 hash = b.Hash();
  const auto before = chain_.ledger().head();
  ASSERT_TRUE(chain_.ledger()
                  .Commit(std::move(*executed),
                          Certify(chain_.chain_id(), b.header.height, hash, ValidatorKeys(chain_)))
                  .ok());
  const auto after = chain_.ledger().head();
  EXPECT_EQ(after.height, before.height + 1);
  EXPECT_EQ(after.block_hash, hash);
  EXPECT_EQ(after.state_digest, b.header.state_digest);
  // Stored with its certificate; the payload round-trips to the same block.
  auto stored = Ledger::ReadBlock(chain_.ledger().store(), after.height);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->header.Hash(), hash);
  EXPECT_EQ((*stored)->certificate.block_id, hash);
  auto payload = chain_.ledger().BlockPayload(after.height);
  ASSERT_TRUE(payload.ok() && payload->has_value());
  EXPECT_EQ(**payload, b.Encode());
  auto decoded = DecodeBlock(**payload, chain_.chain_id(), 1 << 20, 1 << 16);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->Hash(), hash);
}

// Block sync commits without sync and flushes once per batch: the commit is as complete as a
// durable one, and Flush rewrites the head record with its own value.
TEST_F(BlockTest, CommitWithoutSyncThenFlushKeepsTheHead) {
  Block b = NextBlock();
  const Hash256 hash = b.Hash();
  ASSERT_TRUE(ExecuteAndCommit(b, /*durable=*/false).ok());
  const Head head = chain_.ledger().head();
  EXPECT_EQ(head.block_hash, hash);
  auto stored = Ledger::ReadHead(chain_.ledger().store());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->block_hash, hash);
  ASSERT_TRUE(chain_.ledger().Flush().ok());
  auto flushed = Ledger::ReadHead(chain_.ledger().store());
  ASSERT_TRUE(flushed.ok());
  EXPECT_EQ(flushed->height, head.height);
  EXPECT_EQ(flushed->block_hash, head.block_hash);
  EXPECT_EQ(flushed->state_digest, head.state_digest);
  EXPECT_EQ(flushed->time_ms, head.time_ms);
  EXPECT_EQ(chain_.ledger().head().block_hash, hash);
}

// Queries read the view each commit leaves: it holds that commit and its head, and a reader
// still holding an earlier one keeps reading the earlier state.
TEST_F(BlockTest, TheLatestViewIsTheLastCommitsAndEarlierOnesStayAsTheyWere) {
  const Ledger::Latest before = chain_.ledger().latest();
  ASSERT_NE(before.view, nullptr);
  EXPECT_EQ(before.head.block_hash, chain_.ledger().head().block_hash);
  auto stored_before = Ledger::ReadHead(*before.view);
  ASSERT_TRUE(stored_before.ok());
  EXPECT_EQ(stored_before->block_hash, before.head.block_hash);

  Block b = NextBlock();
  const Hash256 hash = b.Hash();
  ASSERT_TRUE(ExecuteAndCommit(b).ok());

  const Ledger::Latest after = chain_.ledger().latest();
  EXPECT_EQ(after.head.height, before.head.height + 1);
  EXPECT_EQ(after.head.block_hash, hash);
  auto stored_after = Ledger::ReadHead(*after.view);
  ASSERT_TRUE(stored_after.ok());
  EXPECT_EQ(stored_after->block_hash, hash);
  auto block = Ledger::ReadBlock(*after.view, after.head.height);
  ASSERT_TRUE(block.ok() && block->has_value());
  // The earlier view is still the earlier state.
  auto again = Ledger::ReadHead(*before.view);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->block_hash, before.head.block_hash);
  auto missing = Ledger::ReadBlock(*before.view, after.head.height);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(BlockTest, HeaderRejections) {
  const Block good = NextBlock();
  Block b = good;
  b.header.chain_id = "other";
  EXPECT_EQ(Code(b), "block_wrong_chain");
  b = good;
  b.header.height += 1;
  EXPECT_EQ(Code(b), "block_wrong_height");
  b = good;
  b.header.prev_hash[0] ^= 1;
  EXPECT_EQ(Code(b), "block_wrong_prev_hash");
  b = good;
  b.header.time_ms = chain_.ledger().head().time_ms;
  EXPECT_EQ(Code(b), "block_bad_time");
  EXPECT_EQ(Code(good, good.header.time_ms - chain_.genesis().params.max_clock_drift_ms - 1),
            "block_bad_time");
  b = good;
  b.header.validator_set_hash[0] ^= 1;
  EXPECT_EQ(Code(b), "block_wrong_validator_set");
  b = good;
  b.header.proposer = KeyFor("not a validator").public_key().bytes();
  EXPECT_EQ(Code(b), "block_wrong_proposer");
  b = good;
  b.header.tx_root[0] ^= 1;
  EXPECT_EQ(Code(b), "block_wrong_tx_root");
  b = good;
  b.header.tx_count += 1;
  EXPECT_EQ(Code(b), "block_wrong_tx_root");
  b = good;
  b.header.state_digest[5] ^= 1;
  EXPECT_EQ(Code(b), "block_wrong_state_digest");
  // A block carrying an invalid tx is invalid as a whole.
  b = good;
  TxPtr bad = chain_.Make(TxType::kConsentWithdraw,
                          Json{{"consent_id", HexEncode(testing::HashOf("none"))}}, {"alice"});
  b.txs.push_back(bad);
  b.header.tx_count = 2;
  b.header.tx_root = TxRoot(b.txs);
  EXPECT_EQ(Code(b), "block_invalid_tx");
}

TEST_F(BlockTest, CertifiedDecodeSkipsSignaturesButTheTxRootStillBindsThem) {
  const Block good = NextBlock();
  Json payload = Json::parse(good.Encode());
  std::string sig = payload["txs"][0]["signatures"][0]["sig"];
  sig[7] = sig[7] == '0' ? '1' : '0';
  payload["txs"][0]["signatures"][0]["sig"] = sig;
  const std::string tampered = CanonicalJson(payload);
  auto checked = DecodeBlock(tampered, chain_.chain_id(), 1 << 20, 1 << 16);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().code(), "block_invalid_tx");
  // Block sync decodes a block whose certificate verified without checking signatures again;
  // the tampered signature still changes the tx's leaf, so the header cannot vouch for it.
  auto certified = DecodeBlock(tampered, chain_.chain_id(), 1 << 20, 1 << 16, nullptr, true);
  ASSERT_TRUE(certified.ok()) << certified.status().ToString();
  EXPECT_EQ(certified->Hash(), good.Hash());
  EXPECT_EQ(Code(*certified), "block_wrong_tx_root");
  auto untouched = DecodeBlock(good.Encode(), chain_.chain_id(), 1 << 20, 1 << 16, nullptr, true);
  ASSERT_TRUE(untouched.ok());
  EXPECT_EQ(Code(*untouched), "ok");
}

TEST_F(BlockTest, BlockLimits) {
  auto genesis = testing::DefaultGenesis();
  genesis.params.max_block_txs = 2;
  TestChain small(NewMemoryStore(), genesis);
  ASSERT_TRUE(small.Do(TxType::kNoticePublish, small.PublishNotice(), {"insurer-a"}).ok());
  std::vector<TxPtr> txs;
  for (const char* s : {"a1", "a2", "a3"}) {
    txs.push_back(small.Make(TxType::kConsentGrant, small.GrantBody(s), {"insurer-a", s}));
  }
  // The proposer stops at the limit; the rest waits.
  auto built = small.ledger().BuildBlock(small.next_time(),
                                         small.Key("node-insurer-a").public_key().bytes(), txs);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built->block.txs.size(), 2u);
  // A validator refuses an oversized block.
  Block over = built->block;
  over.txs = txs;
  over.header.tx_count = 3;
  over.header.tx_root = TxRoot(txs);
  auto r = small.ledger().ExecuteBlock(over);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "block_too_large");
}

TEST_F(BlockTest, CommitNeedsAValidCertificate) {
  Block b = NextBlock();
  const Hash256 hash = b.Hash();
  auto keys = ValidatorKeys(chain_);
  auto commit_with = [&](const consensus::CommitCertificate& cert) {
    auto executed = chain_.ledger().ExecuteBlock(b);
    if (!executed.ok()) return executed.status().code();
    Status st = chain_.ledger().Commit(std::move(*executed), cert);
    return st.ok() ? std::string("ok") : st.code();
  };
  const std::uint64_t h = b.header.height;
  EXPECT_EQ(commit_with(Certify(chain_.chain_id(), h, hash, {keys[0], keys[1]})),
            "cert_too_few_signatures");
  const auto stranger = KeyFor("stranger");
  EXPECT_EQ(commit_with(Certify(chain_.chain_id(), h, hash, {keys[0], keys[1], &stranger})),
            "cert_unknown_signer");
  EXPECT_EQ(commit_with(Certify("other-chain", h, hash, keys)), "cert_bad_signature");
  Hash256 other = hash;
  other[0] ^= 1;
  EXPECT_EQ(commit_with(Certify(chain_.chain_id(), h, other, keys)), "cert_wrong_block");
  EXPECT_EQ(chain_.ledger().head().height, h - 1);  // nothing committed
  EXPECT_EQ(commit_with(Certify(chain_.chain_id(), h, hash, keys)), "ok");
  // The same execution cannot be committed twice.
  EXPECT_EQ(commit_with(Certify(chain_.chain_id(), h, hash, keys)), "block_wrong_height");
}

TEST_F(BlockTest, StaleExecutionIsRefused) {
  Block b = NextBlock();
  auto executed = chain_.ledger().ExecuteBlock(b);
  ASSERT_TRUE(executed.ok());
  ASSERT_TRUE(chain_.Tick().ok());  // the head moves on
  Status st = chain_.ledger().Commit(
      std::move(*executed),
      Certify(chain_.chain_id(), b.header.height, b.Hash(), ValidatorKeys(chain_)));
  EXPECT_EQ(st.code(), "ledger_stale");
}

TEST(GenesisTest, ValidatesAndNamesTheField) {
  auto genesis = testing::DefaultGenesis();
  const Json good = genesis.ToJson();
  ASSERT_TRUE(Genesis::FromJson(good).ok());
  EXPECT_EQ(Genesis::FromJson(good)->Hash(), genesis.Hash());
  auto code_and_message = [](const Json& j) {
    auto r = Genesis::FromJson(j);
    return r.ok() ? std::string("ok") : r.status().code() + " " + r.status().message();
  };
  Json j = good;
  j["members"][1]["id"] = "insurer-a";
  EXPECT_NE(code_and_message(j).find("genesis_invalid genesis.members[1].id"), std::string::npos);
  j = good;
  j["governance_threshold"] = 9;
  EXPECT_NE(code_and_message(j).find("governance_threshold"), std::string::npos);
  j = good;
  j["consensus"]["propose_base_ms"] = 0;
  EXPECT_NE(code_and_message(j).find("genesis.consensus"), std::string::npos);
  j = good;
  j["params"]["max_block_txs"] = 0;
  EXPECT_NE(code_and_message(j).find("params.max_block_txs"), std::string::npos);
  j = good;
  j["extra"] = 1;
  EXPECT_NE(code_and_message(j).find("unknown field genesis.extra"), std::string::npos);
  j = good;
  for (auto& m : j["members"]) m.erase("validator_key");
  EXPECT_NE(code_and_message(j).find("validator"), std::string::npos);
  EXPECT_EQ(Genesis::Parse("{").status().code(), "json_syntax");
  EXPECT_EQ(Genesis::Load("/nonexistent/genesis.json").status().code(), "genesis_unreadable");
}

TEST(LedgerOpenTest, ReopensAtItsHeadAndRefusesAnotherChain) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("consentd-ledger-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Head head;
  {
    TestChain chain(std::move(OpenLevelDbStore(dir.string()).value()));
    ASSERT_TRUE(chain.Do(TxType::kNoticePublish, chain.PublishNotice(), {"insurer-a"}).ok());
    ASSERT_TRUE(chain.Tick().ok());
    head = chain.ledger().head();
    EXPECT_EQ(head.height, 2u);
  }
  {
    auto reopened =
        Ledger::Open(std::move(OpenLevelDbStore(dir.string()).value()), testing::DefaultGenesis());
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ((*reopened)->head().height, head.height);
    EXPECT_EQ((*reopened)->head().block_hash, head.block_hash);
    EXPECT_EQ((*reopened)->head().state_digest, head.state_digest);
  }
  auto other = Ledger::Open(std::move(OpenLevelDbStore(dir.string()).value()),
                            testing::DefaultGenesis("other"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), "genesis_mismatch");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace consentd::ledger
