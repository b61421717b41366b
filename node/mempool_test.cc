#include "node/mempool.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "ledger/testing/test_chain.h"

namespace consentd::node {
namespace {

using ledger::TxType;
using ledger::testing::TestChain;

class MempoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.Do(TxType::kNoticePublish, chain_.PublishNotice(), {"insurer-a"}).ok());
  }
  ledger::TxPtr Grant(const std::string& subject) {
    return chain_.Make(TxType::kConsentGrant, chain_.GrantBody(subject), {"insurer-a", subject});
  }
  ledger::TxPtr Withdraw(const ledger::TxPtr& grant, const std::string& subject) {
    return chain_.Make(TxType::kConsentWithdraw, Json{{"consent_id", HexEncode(grant->id())}},
                       {subject});
  }
  // Commits `block`, tells the pool, and expects exactly `tx` dropped and an empty pool.
  void ExpectOnlyDropped(Mempool& pool, const std::vector<ledger::TxPtr>& block,
                         const ledger::TxPtr& tx) {
    ASSERT_TRUE(chain_.CommitBlock(block).ok());
    auto dropped = pool.Update(block, Now());
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0], tx->id());
    EXPECT_EQ(pool.size(), 0u);
  }
  std::int64_t Now() { return chain_.next_time(); }
  TestChain chain_;
};

TEST_F(MempoolTest, AdmitsFindsAndOrders) {
  Mempool pool(&chain_.ledger(), MempoolLimits{});
  int available = 0;
  pool.SetOnAvailable([&] { ++available; });
  auto a = Grant("alice");
  auto b = Grant("bob");
  ASSERT_TRUE(pool.Add(a, Now()).ok());
  ASSERT_TRUE(pool.Add(b, Now()).ok());
  EXPECT_EQ(available, 1);  // only on empty -> non-empty
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.FindByLeaf(b->leaf()), b);
  EXPECT_TRUE(pool.Contains(a->id()));
  auto c = pool.Candidates(10, 1 << 20);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], a);
  EXPECT_EQ(pool.Candidates(1, 1 << 20).size(), 1u);
  EXPECT_EQ(pool.Add(a, Now()).code(), "mempool_duplicate");
}

TEST_F(MempoolTest, DependentTxsAreAdmittedInOrder) {
  // A withdrawal of a consent that is itself still waiting passes admission.
  Mempool pool(&chain_.ledger(), MempoolLimits{});
  auto grant = Grant("alice");
  ASSERT_TRUE(pool.Add(grant, Now()).ok());
  auto withdraw = chain_.Make(TxType::kConsentWithdraw,
                              Json{{"consent_id", HexEncode(grant->id())}}, {"alice"});
  EXPECT_TRUE(pool.Add(withdraw, Now()).ok());
  // But a second withdrawal conflicts with the first.
  auto again = chain_.Make(TxType::kConsentWithdraw, Json{{"consent_id", HexEncode(grant->id())}},
                           {"alice"});
  EXPECT_EQ(pool.Add(again, Now()).code(), "consent_not_active");
  // And rule violations are refused with their code.
  auto bad = chain_.Make(TxType::kConsentGrant, chain_.GrantBody("carol"),
                         {"insurer-a", "carol", "mallory"});
  EXPECT_EQ(pool.Add(bad, Now()).code(), "tx_unexpected_signer");
}

TEST_F(MempoolTest, LimitsRefuseWhenFull) {
  MempoolLimits limits;
  limits.max_txs = 2;
  Mempool pool(&chain_.ledger(), limits);
  ASSERT_TRUE(pool.Add(Grant("a1"), Now()).ok());
  ASSERT_TRUE(pool.Add(Grant("a2"), Now()).ok());
  EXPECT_EQ(pool.Add(Grant("a3"), Now()).code(), "mempool_full");
  MempoolLimits small;
  small.max_bytes = 100;
  Mempool tiny(&chain_.ledger(), small);
  EXPECT_EQ(tiny.Add(Grant("a4"), Now()).code(), "mempool_full");
}

TEST_F(MempoolTest, UpdateAfterCommitDropsCommittedExpiredAndInvalid) {
  Mempool pool(&chain_.ledger(), MempoolLimits{});
  auto grant = Grant("alice");
  auto other = Grant("bob");
  auto expiring = chain_.Make(TxType::kConsentGrant, chain_.GrantBody("carol"),
                              {"insurer-a", "carol"}, chain_.ledger().head().height + 1);
  ASSERT_TRUE(pool.Add(grant, Now()).ok());
  ASSERT_TRUE(pool.Add(other, Now()).ok());
  ASSERT_TRUE(pool.Add(expiring, Now()).ok());
  // Another node's block commits alice's grant and a withdrawal of it is not in our pool; the
  // same block uses bob's tx id: simulate by committing those txs directly.
  ASSERT_TRUE(chain_.CommitBlock({grant}).ok());
  ASSERT_TRUE(chain_.Tick().ok());  // carol's tx is now past its expiry height
  auto dropped = pool.Update({grant}, Now());
  EXPECT_FALSE(pool.Contains(grant->id()));
  EXPECT_FALSE(pool.Contains(expiring->id()));
  EXPECT_TRUE(pool.Contains(other->id()));
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(dropped.size(), 1u);
  // A tx already committed is refused as a duplicate.
  EXPECT_EQ(pool.Add(grant, Now()).code(), "tx_duplicate");
}

TEST_F(MempoolTest, BlockOfWaitingTxsCarriesThePendingWritesOver) {
  Mempool pool(&chain_.ledger(), MempoolLimits{});
  auto first = Grant("alice");
  auto second = Grant("bob");
  ASSERT_TRUE(pool.Add(first, Now()).ok());
  ASSERT_TRUE(pool.Add(second, Now()).ok());
  // A block of the first grant alone; bob's grant still waits and a withdrawal of it (which
  // depends on the waiting grant's writes) is admitted after the commit.
  ASSERT_TRUE(chain_.CommitBlock({first}).ok());
  EXPECT_TRUE(pool.Update({first}, Now()).empty());
  EXPECT_EQ(pool.size(), 1u);
  auto withdraw = Withdraw(second, "bob");
  EXPECT_TRUE(pool.Add(withdraw, Now()).ok());
  // The committed grant reads as committed: refused as a duplicate, and recalled as committed.
  EXPECT_EQ(pool.Add(first, Now()).code(), "tx_duplicate");
  EXPECT_EQ(pool.Recall(first->leaf()), Mempool::Seen::kCommitted);
  EXPECT_EQ(pool.Recall(second->leaf()), Mempool::Seen::kWaiting);
  // And a withdrawal of the committed consent is admitted on top of the new head.
  auto withdraw_first = Withdraw(first, "alice");
  EXPECT_TRUE(pool.Add(withdraw_first, Now()).ok());
}

TEST_F(MempoolTest, BlockWithAForeignTxReexecutesTheWaitingOnes) {
  Mempool pool(&chain_.ledger(), MempoolLimits{});
  auto grant = Grant("alice");
  ASSERT_TRUE(chain_.CommitBlock({grant}).ok());
  ASSERT_TRUE(pool.Update({grant}, Now()).empty());
  auto ours = Withdraw(grant, "alice");
  ASSERT_TRUE(pool.Add(ours, Now()).ok());
  // Another node's withdrawal of the same consent (a different nonce) commits first: ours no
  // longer passes and is dropped, because the block held a tx this pool did not.
  auto theirs = Withdraw(grant, "alice");
  ASSERT_NE(theirs->id(), ours->id());
  ExpectOnlyDropped(pool, {theirs}, ours);
}

TEST_F(MempoolTest, WaitingTxsAreReexecutedEveryRebaseEveryBlocks) {
  MempoolLimits limits;
  limits.rebase_every = 2;
  Mempool pool(&chain_.ledger(), limits);
  auto grant = Grant("alice");
  ASSERT_TRUE(chain_.CommitBlock({grant}).ok());
  ASSERT_TRUE(pool.Update({grant}, Now()).empty());  // the pool is empty: a fresh base
  auto ours = Withdraw(grant, "alice");
  auto bob = Grant("bob");
  auto carol = Grant("carol");
  ASSERT_TRUE(pool.Add(ours, Now()).ok());
  ASSERT_TRUE(pool.Add(bob, Now()).ok());
  ASSERT_TRUE(pool.Add(carol, Now()).ok());
  // A block also commits another withdrawal of alice's consent, but the pool is told only of
  // bob's grant: it carries its pending writes over without re-executing, so ours stays.
  auto theirs = Withdraw(grant, "alice");
  ASSERT_TRUE(chain_.CommitBlock({bob, theirs}).ok());
  EXPECT_TRUE(pool.Update({bob}, Now()).empty());
  EXPECT_TRUE(pool.Contains(ours->id()));
  // The next block is the second since the rebase: the waiting txs are re-executed on the
  // committed state, and ours, invalid there, is dropped.
  ExpectOnlyDropped(pool, {carol}, ours);
}

TEST_F(MempoolTest, RelayedTxsWaitUnexecutedCheckedForExpiryAndDuplicates) {
  Mempool pool(&chain_.ledger(), MempoolLimits{});
  // A withdrawal of a consent this node never saw fails execution, so Add refuses it; relayed
  // by a peer it waits unexecuted (its origin executed it; a block will execute it again).
  auto unknown = Withdraw(Grant("zed"), "zed");
  EXPECT_EQ(pool.Add(unknown, Now()).code(), "consent_unknown");
  ASSERT_TRUE(pool.AddRelayed(unknown, Now()).ok());
  EXPECT_TRUE(pool.Contains(unknown->id()));
  EXPECT_EQ(pool.Recall(unknown->leaf()), Mempool::Seen::kWaiting);
  EXPECT_EQ(pool.AddRelayed(unknown, Now()).code(), "mempool_duplicate");
  // Expiry and committed ids are still checked.
  auto expired = chain_.Make(TxType::kConsentGrant, chain_.GrantBody("carol"),
                             {"insurer-a", "carol"}, chain_.ledger().head().height);
  EXPECT_EQ(pool.AddRelayed(expired, Now()).code(), "tx_expired");
  auto far = chain_.Make(TxType::kConsentGrant, chain_.GrantBody("dave"), {"insurer-a", "dave"},
                         chain_.ledger().head().height + 1'000'000);
  EXPECT_EQ(pool.AddRelayed(far, Now()).code(), "tx_expiry_too_far");
  auto committed = Grant("erin");
  ASSERT_TRUE(chain_.CommitBlock({committed}).ok());
  pool.Update({committed}, Now());
  EXPECT_EQ(pool.AddRelayed(committed, Now()).code(), "tx_duplicate");
  EXPECT_EQ(pool.size(), 1u);
}

TEST_F(MempoolTest, ASubmittedTxThatFailsExecutesTheRelayedOnesFirst) {
  Mempool pool(&chain_.ledger(), MempoolLimits{});
  // A grant sent to another node and relayed here, then its withdrawal submitted here: the
  // withdrawal fails on the executed txs alone, so the relayed grant executes and it passes.
  auto grant = Grant("bob");
  ASSERT_TRUE(pool.AddRelayed(grant, Now()).ok());
  auto withdraw = Withdraw(grant, "bob");
  EXPECT_TRUE(pool.Add(withdraw, Now()).ok());
  // A relayed tx that fails when executed leaves the pool; the submitted tx that made it run
  // still gets its own code.
  auto unknown = Withdraw(Grant("zed"), "zed");
  ASSERT_TRUE(pool.AddRelayed(unknown, Now()).ok());
  auto bad = chain_.Make(TxType::kConsentGrant, chain_.GrantBody("carol"),
                         {"insurer-a", "carol", "mallory"});
  EXPECT_EQ(pool.Add(bad, Now()).code(), "tx_unexpected_signer");
  EXPECT_FALSE(pool.Contains(unknown->id()));
  EXPECT_TRUE(pool.Contains(grant->id()));
  EXPECT_TRUE(pool.Contains(withdraw->id()));
  // A second withdrawal of bob's consent now conflicts with the executed first one.
  EXPECT_EQ(pool.Add(Withdraw(grant, "bob"), Now()).code(), "consent_not_active");
  auto candidates = pool.Candidates(10, 1 << 20);
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0], grant);
  EXPECT_EQ(candidates[1], withdraw);
}

TEST_F(MempoolTest, RemembersVerifiedTxsUntilCommittedWithinItsBound) {
  MempoolLimits limits;
  limits.max_verified = 2;
  Mempool pool(&chain_.ledger(), limits);
  auto a = Grant("alice");
  auto b = Grant("bob");
  auto c = Grant("carol");
  EXPECT_EQ(pool.Recall(a->leaf()), Mempool::Seen::kNo);
  pool.RememberVerified({a, b});
  ledger::TxPtr found;
  EXPECT_EQ(pool.Recall(a->leaf(), &found), Mempool::Seen::kVerified);
  EXPECT_EQ(found, a);
  EXPECT_EQ(pool.FindByLeaf(b->leaf()), b);
  EXPECT_EQ(pool.size(), 0u);  // remembered, not waiting
  pool.RememberVerified({c});  // the oldest goes
  EXPECT_EQ(pool.Recall(a->leaf()), Mempool::Seen::kNo);
  EXPECT_EQ(pool.Recall(c->leaf()), Mempool::Seen::kVerified);
  ASSERT_TRUE(chain_.CommitBlock({c}).ok());
  pool.Update({c}, Now());
  EXPECT_EQ(pool.Recall(c->leaf()), Mempool::Seen::kCommitted);
  EXPECT_EQ(pool.FindByLeaf(c->leaf()), nullptr);
}

}  // namespace
}  // namespace consentd::node
