// Crash atomicity: a block's batch is written whole or not at all.
//  - A store whose write fails leaves the ledger at the previous height, and a reopen succeeds
//    with the digest unchanged.
//  - A child process committing blocks to LevelDB is killed with SIGKILL at an arbitrary point
//    (right after a randomly chosen acknowledgement, so usually mid-way through the next
//    commit); on reopen the head is the last acknowledged block or the one after it, and every
//    stored block is whole.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "common/hex.h"
#include "ledger/state/keys.h"
#include "ledger/state/state.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

using testing::TestChain;

// Forwards to a real store but fails every Write once armed.
class FailingStore final : public Store {
 public:
  explicit FailingStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}
  bool fail = false;
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return inner_->Get(key);
  }
  std::unique_ptr<Cursor> Scan(std::string_view p, std::string_view s) const override {
    return inner_->Scan(p, s);
  }
  Status Write(const WriteBatch& batch, bool sync) override {
    if (fail) return Status::Error(Reason::kStoreIo, "injected write failure");
    return inner_->Write(batch, sync);
  }
  std::unique_ptr<ReadView> Snapshot() const override { return inner_->Snapshot(); }
  std::uint64_t ApproximateSize() const override { return inner_->ApproximateSize(); }

 private:
  std::unique_ptr<Store> inner_;
};

std::filesystem::path TempPath(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("consentd-crash-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(p);
  return p;
}

TEST(CrashTest, FailedWriteLeavesThePreviousHeight) {
  const auto dir = TempPath("fail");
  Head before;
  {
    auto failing =
        std::make_unique<FailingStore>(std::move(OpenLevelDbStore(dir.string()).value()));
    FailingStore* raw = failing.get();
    TestChain chain(std::move(failing));
    ASSERT_TRUE(chain.Do(TxType::kNoticePublish, chain.PublishNotice(), {"insurer-a"}).ok());
    before = chain.ledger().head();
    raw->fail = true;
    Status st = chain.Do(TxType::kConsentGrant, chain.GrantBody("alice"), {"insurer-a", "alice"});
    EXPECT_EQ(st.code(), "store_io");
    EXPECT_EQ(chain.ledger().head().height, before.height);
    EXPECT_EQ(chain.ledger().head().state_digest, before.state_digest);
  }
  auto reopened =
      Ledger::Open(std::move(OpenLevelDbStore(dir.string()).value()), testing::DefaultGenesis());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->head().height, before.height);
  EXPECT_EQ((*reopened)->head().state_digest, before.state_digest);
  EXPECT_FALSE((*reopened)->store().Get(keys::Block(before.height + 1)).value().has_value());
  std::filesystem::remove_all(dir);
}

// The child: commits blocks of grants forever, reporting "height digest-hex" after each.
[[noreturn]] void CommitForever(const std::string& dir, int report_fd) {
  auto store = OpenLevelDbStore(dir);
  if (!store.ok()) _exit(2);
  TestChain chain(std::move(*store));
  if (!chain.Do(TxType::kNoticePublish, chain.PublishNotice(), {"insurer-a"}).ok()) _exit(3);
  for (int i = 0;; ++i) {
    std::vector<TxPtr> txs;
    for (int j = 0; j < 20; ++j) {
      const std::string subject = "c" + std::to_string(i) + "-" + std::to_string(j);
      txs.push_back(
          chain.Make(TxType::kConsentGrant, chain.GrantBody(subject), {"insurer-a", subject}));
    }
    if (!chain.CommitBlock(txs).ok()) _exit(4);
    const Head h = chain.ledger().head();
    const std::string line = std::to_string(h.height) + " " + HexEncode(h.state_digest) + "\n";
    if (write(report_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
  }
}

TEST(CrashTest, SigkillDuringCommitsLosesNothingAcknowledged) {
  std::mt19937 rng(20261127);
  for (int round = 0; round < 3; ++round) {
    const auto dir = TempPath("kill" + std::to_string(round));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      CommitForever(dir.string(), fds[1]);
    }
    close(fds[1]);
    // Read a random number of acknowledgements, then kill without warning.
    const int wanted = 2 + static_cast<int>(rng() % 6);
    std::map<std::uint64_t, std::string> acked;
    FILE* in = fdopen(fds[0], "r");
    char buf[256];
    while (static_cast<int>(acked.size()) < wanted && std::fgets(buf, sizeof buf, in) != nullptr) {
      unsigned long long height = 0;
      char digest[80] = {0};
      if (std::sscanf(buf, "%llu %79s", &height, digest) == 2) acked[height] = digest;
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    std::fclose(in);
    ASSERT_EQ(static_cast<int>(acked.size()), wanted) << "the child stopped early";

    auto reopened =
        Ledger::Open(std::move(OpenLevelDbStore(dir.string()).value()), testing::DefaultGenesis());
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    const Head head = (*reopened)->head();
    const auto last = acked.rbegin();
    ASSERT_TRUE(head.height == last->first || head.height == last->first + 1)
        << "head " << head.height << ", last acknowledged " << last->first;
    if (head.height == last->first) {
      EXPECT_EQ(HexEncode(head.state_digest), last->second);
    }
    // Every acknowledged block is there, whole: header, certificate and each of its txs.
    StateReader reader((*reopened)->store());
    for (std::uint64_t h = 1; h <= head.height; ++h) {
      auto block = Ledger::ReadBlock((*reopened)->store(), h);
      ASSERT_TRUE(block.ok() && block->has_value()) << "height " << h;
      if (auto it = acked.find(h); it != acked.end()) {
        EXPECT_EQ(HexEncode((*block)->header.state_digest), it->second);
      }
      for (const Hash256& id : (*block)->tx_ids) {
        auto tx = reader.Tx(id);
        ASSERT_TRUE(tx.ok() && tx->has_value());
        EXPECT_EQ((*tx)->height, h);
      }
    }
    EXPECT_FALSE((*reopened)->store().Get(keys::Block(head.height + 1)).value().has_value());
    // And the chain goes on from there.
    reopened->reset();
    TestChain resumed(std::move(OpenLevelDbStore(dir.string()).value()));
    resumed.SetNextTime(head.time_ms + 1000);
    EXPECT_TRUE(resumed.Tick().ok());
    EXPECT_EQ(resumed.ledger().head().height, head.height + 1);
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace consentd::ledger
