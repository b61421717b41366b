// Real consentd processes on 127.0.0.1 (issue "Node", tests): agreement under load, a crashed
// validator catching up, safety without a quorum, sync from an empty data directory, hostile
// peer input, and a torn WAL tail.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/file_util.h"
#include "common/hex.h"
#include "tests/integration/harness.h"

namespace consentd::testing {
namespace {

using ledger::TxType;
constexpr std::int64_t kStartTimeout = 60'000;

// Submits grants round-robin to the running nodes until stopped; counts acknowledgements.
class Load {
 public:
  Load(LocalNet& net, std::vector<int> nodes) : net_(net), nodes_(std::move(nodes)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Load() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int accepted() const { return accepted_; }

 private:
  void Run() {
    for (int n = 0; !stop_; ++n) {
      const int node = nodes_[n % nodes_.size()];
      const std::string subject = "load-" + std::to_string(n);
      const std::string tx = net_.SignedTx(
          TxType::kConsentGrant, net_.GrantBody("insurer-1", subject), {"insurer-1", subject});
      auto r = net_.Post(node, "/v1/txs", tx);
      if (r && r->status == 202) ++accepted_;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // pacing, not synchronisation
    }
  }
  LocalNet& net_;
  std::vector<int> nodes_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

void PublishNotice(LocalNet& net) {
  auto r =
      net.Post(0, "/v1/txs?wait=commit&timeout_ms=20000",
               net.SignedTx(TxType::kNoticePublish, net.NoticeBody("insurer-1"), {"insurer-1"}));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 200) << r->raw;
  // Node 0 answered once it committed the notice; a grant sent to another node before that node
  // has the block too would be refused as notice_unknown. Every node reaches node 0's height.
  ASSERT_TRUE(net.WaitAllHeight(net.Height(0), kStartTimeout));
}

void ExpectAgreement(LocalNet& net, std::vector<int> nodes, std::uint64_t up_to) {
  for (std::uint64_t h = 1; h <= up_to; ++h) {
    const auto reference = net.BlockAt(nodes[0], h);
    ASSERT_FALSE(reference.first.empty()) << "node " << nodes[0] << " lacks block " << h;
    for (std::size_t k = 1; k < nodes.size(); ++k) {
      EXPECT_EQ(net.BlockAt(nodes[k], h), reference) << "height " << h << " node " << nodes[k];
    }
  }
}

TEST(NetworkTest, FourValidatorsCommitAStreamAndAgree) {
  LocalNet net(4);
  net.StartAll();
  ASSERT_TRUE(net.WaitAllHeight(1, kStartTimeout));
  PublishNotice(net);
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    const std::string subject = "customer-" + std::to_string(i);
    auto r = net.Post(i % 4, i % 10 == 9 ? "/v1/txs?wait=commit&timeout_ms=20000" : "/v1/txs",
                      net.SignedTx(TxType::kConsentGrant, net.GrantBody("insurer-1", subject),
                                   {"insurer-1", subject}));
    ASSERT_TRUE(r.has_value());
    ASSERT_TRUE(r->status == 202 || r->status == 200) << r->raw;
    ids.push_back(r->body["tx_id"]);
  }
  // A rejected tx gets its reason code.
  auto bad =
      net.Post(0, "/v1/txs",
               net.SignedTx(TxType::kConsentGrant, net.GrantBody("insurer-1", "x"), {"insurer-1"}));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 422);
  EXPECT_EQ(bad->body["error"]["code"], "tx_missing_signature");
  // Every acknowledged tx commits, everywhere.
  for (const std::string& id : ids) {
    bool found = false;
    for (int tries = 0; tries < 400 && !found; ++tries) {
      auto r = net.Get(3, "/v1/txs/" + id);
      found = r && r->status == 200 && r->body.value("status", "") == "committed";
      if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(found) << id;
  }
  const std::uint64_t h = net.Height(0);
  ASSERT_TRUE(net.WaitAllHeight(h, 20'000));
  ExpectAgreement(net, {0, 1, 2, 3}, h);
}

TEST(NetworkTest, KilledValidatorCatchesUpAndAgrees) {
  LocalNet net(4);
  net.StartAll();
  ASSERT_TRUE(net.WaitAllHeight(1, kStartTimeout));
  PublishNotice(net);
  Load load(net, {0, 1, 2});
  ASSERT_TRUE(net.WaitHeight(0, net.Height(0) + 2, 20'000));
  net.Kill(3);
  const std::uint64_t at_kill = net.Height(0);
  ASSERT_TRUE(net.WaitHeight(0, at_kill + 5, 30'000)) << "the other three stopped committing";
  net.Start(3);
  const std::uint64_t target = net.Height(0);
  ASSERT_TRUE(net.WaitHeight(3, target, 60'000)) << "the restarted node did not catch up";
  load.Stop();
  EXPECT_GT(load.accepted(), 0);
  const std::uint64_t h = net.Height(3);
  ASSERT_TRUE(net.WaitAllHeight(h, 20'000));
  ExpectAgreement(net, {0, 1, 2, 3}, h);
}

TEST(NetworkTest, NoCommitsWithoutAQuorumThenResume) {
  LocalNet net(4);
  net.StartAll();
  ASSERT_TRUE(net.WaitAllHeight(2, kStartTimeout));
  EXPECT_EQ(net.Stop(2), 0);
  EXPECT_EQ(net.Stop(3), 0);
  const std::uint64_t stopped_at = net.Height(0);
  // Two of four cannot commit: watch for a while (several round timeouts) and see nothing
  // beyond a block that was already in flight.
  EXPECT_FALSE(net.WaitHeight(0, stopped_at + 2, 4'000));
  EXPECT_LE(net.Height(1), stopped_at + 1);
  // A client waiting for a commit gets 504 with the tx id; the tx stays pending.
  auto waiting =
      net.Post(0, "/v1/txs?wait=commit&timeout_ms=500",
               net.SignedTx(TxType::kNoticePublish, net.NoticeBody("insurer-1"), {"insurer-1"}));
  ASSERT_TRUE(waiting.has_value());
  EXPECT_EQ(waiting->status, 504) << waiting->raw;
  EXPECT_EQ(waiting->body["error"]["code"], "commit_timeout");
  ASSERT_TRUE(waiting->body.contains("tx_id"));
  auto pending = net.Get(0, "/v1/txs/" + waiting->body["tx_id"].get<std::string>());
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->body["status"], "pending");
  net.Start(2);
  EXPECT_TRUE(net.WaitHeight(0, stopped_at + 3, 60'000)) << "commits did not resume with a quorum";
  const std::uint64_t h = net.Height(2);
  ASSERT_TRUE(net.WaitHeight(2, h, 10'000));
  ExpectAgreement(net, {0, 1, 2}, std::min(h, net.Height(0)));
}

TEST(NetworkTest, EmptyDataDirectorySyncsFromGenesis) {
  LocalNet net(4);
  net.StartAll();
  ASSERT_TRUE(net.WaitAllHeight(1, kStartTimeout));
  PublishNotice(net);
  for (int i = 0; i < 10; ++i) {
    const std::string s = "sync-" + std::to_string(i);
    net.Post(0, "/v1/txs",
             net.SignedTx(TxType::kConsentGrant, net.GrantBody("insurer-1", s), {"insurer-1", s}));
  }
  ASSERT_TRUE(net.WaitHeight(0, 12, 60'000));
  EXPECT_EQ(net.Stop(3), 0);
  net.WipeData(3);
  // Small sync batches, so that the sync takes several and the next one is requested while
  // the one before is applied (prefetched=1), each batch but its last block committed
  // without an fsync of its own.
  net.Start(3, {"--sync-batch-blocks", "3"});
  const std::uint64_t target = net.Height(0);
  ASSERT_TRUE(net.WaitHeight(3, target, 60'000));
  ExpectAgreement(net, {0, 1, 2, 3}, target);
  const std::string log = net.Log(3);
  EXPECT_NE(log.find("sync event=progress"), std::string::npos);
  EXPECT_NE(log.find("prefetched=1"), std::string::npos) << log;
  // Commits without an fsync of their own are still written: a process killed right after the
  // sync restarts with every synced block.
  const std::uint64_t synced = net.Height(3);
  net.Kill(3);
  const std::size_t offset = net.Log(3).size();
  net.Start(3);
  ASSERT_TRUE(net.WaitHeight(3, 1, kStartTimeout));
  const std::string restarted = net.Log(3).substr(offset);
  const std::size_t opened = restarted.find("node event=ledger_opened");
  ASSERT_NE(opened, std::string::npos) << restarted;
  const std::size_t field = restarted.find(" height=", opened);
  ASSERT_NE(field, std::string::npos) << restarted;
  EXPECT_GE(std::stoull(restarted.substr(field + 8)), synced) << restarted;
}

// Runs `command` through the shell with stdout and stderr in `out`; returns the exit code.
int Shell(const std::string& command, std::string* out) {
  const std::string file = ::testing::TempDir() + "/shell-" + std::to_string(getpid()) + ".out";
  const int rc = std::system((command + " > '" + file + "' 2>&1").c_str());
  auto text = ReadFile(file, 1 << 20);
  *out = text.ok() ? *text : "";
  std::remove(file.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Issue "Compliance", backups: a backup of a running validator under load, restored into a
// home without a ledger, joins the network and agrees with it on every block.
TEST(NetworkTest, BackupUnderLoadRestoresIntoAFreshHomeThatJoinsAndAgrees) {
  LocalNet net(4);
  net.StartAll();
  ASSERT_TRUE(net.WaitAllHeight(1, kStartTimeout));
  PublishNotice(net);
  Load load(net, {0, 1, 2, 3});
  ASSERT_TRUE(net.WaitHeight(3, 6, 60'000));
  const std::string consentd = "'" + BinaryPath("consentd") + "'";
  const std::string file = net.dir() + "/node3.backup";
  const auto tokens = net.Tokens();
  std::string out;

  // An insurer token may not take a backup; an auditor token may, while node 3 commits.
  EXPECT_EQ(Shell("CONSENTD_TOKEN=" + tokens.at("insurer-1") + " " + consentd + " backup --home '" +
                      net.home(3) + "' --out '" + file + "'",
                  &out),
            1);
  EXPECT_NE(out.find("backup_refused"), std::string::npos) << out;
  EXPECT_NE(out.find("forbidden"), std::string::npos) << out;
  EXPECT_FALSE(std::ifstream(file).good());
  ASSERT_EQ(Shell("CONSENTD_TOKEN=" + tokens.at("auditor") + " " + consentd + " backup --home '" +
                      net.home(3) + "' --out '" + file + "'",
                  &out),
            0)
      << out;
  auto manifest = ParseJson(out);
  ASSERT_TRUE(manifest.ok()) << out;
  const std::uint64_t backed_up = (*manifest)["height"].get<std::uint64_t>();
  EXPECT_GE(backed_up, 6u);
  EXPECT_EQ((*manifest)["chain_id"], net.chain_id());
  // The network moves on past the backup before node 3 loses its store.
  ASSERT_TRUE(net.WaitHeight(0, backed_up + 3, 60'000));
  EXPECT_EQ(net.Stop(3), 0);
  // A stopped node's store is read directly, without a token.
  ASSERT_EQ(Shell("env -u CONSENTD_TOKEN " + consentd + " backup --home '" + net.home(3) +
                      "' --out '" + file + ".stopped'",
                  &out),
            0)
      << out;
  EXPECT_GT(ParseJson(out).value()["height"].get<std::uint64_t>(), backed_up);
  net.WipeData(3);

  // A home of another chain refuses the backup and is left without a ledger.
  const std::string other = net.dir() + "/other-home";
  std::filesystem::create_directories(other);
  auto genesis = ParseJson(*ReadFile(net.home(3) + "/genesis.json"));
  ASSERT_TRUE(genesis.ok());
  (*genesis)["chain_id"] = "another-chain";
  ASSERT_TRUE(WriteFileAtomic(other + "/genesis.json", genesis->dump()).ok());
  EXPECT_EQ(Shell(consentd + " restore --in '" + file + "' --home '" + other + "'", &out), 1);
  EXPECT_NE(out.find("backup_wrong_chain"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(other + "/data/ledger"));

  ASSERT_EQ(Shell(consentd + " restore --in '" + file + "' --home '" + net.home(3) + "'", &out), 0)
      << out;
  EXPECT_EQ(ParseJson(out).value()["state_digest"], (*manifest)["state_digest"]);
  // Restoring over a ledger is refused.
  EXPECT_EQ(Shell(consentd + " restore --in '" + file + "' --home '" + net.home(3) + "'", &out), 1);
  EXPECT_NE(out.find("restore_target_exists"), std::string::npos) << out;

  // Node 3's log holds its first life too, which may have synced at start-up: read on from here.
  const std::size_t restarted_at = net.Log(3).size();
  net.Start(3);
  ASSERT_TRUE(net.WaitHeight(0, net.Height(0) + 2, 60'000));
  load.Stop();
  const std::uint64_t target = net.Height(0);
  ASSERT_TRUE(net.WaitHeight(3, target, 60'000)) << net.Log(3).substr(0, 20000);
  ExpectAgreement(net, {0, 1, 2, 3}, target);
  // Node 3 started from the backup's height, not from genesis: its first sync step began
  // there (height - blocks of the first "sync event=progress" line).
  const std::string log = net.Log(3);
  const std::size_t line = log.find("sync event=progress", restarted_at);
  ASSERT_NE(line, std::string::npos) << log.substr(restarted_at, 20000);
  auto field = [&](const std::string& name) {
    const std::size_t at = log.find(" " + name + "=", line);
    return std::stoull(log.substr(at + name.size() + 2));
  };
  EXPECT_GE(field("height") - field("blocks"), backed_up);
  EXPECT_GT(load.accepted(), 0);
}

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST(NetworkTest, HostilePeerInputIsRefusedAndTheNodeStaysUp) {
  LocalNet net(4);
  net.StartAll();
  ASSERT_TRUE(net.WaitAllHeight(1, kStartTimeout));
  const auto config = ParseJson(*ReadFile(net.home(0) + "/config.json")).value();
  const std::string listen = config["p2p"]["listen"];
  const int port = std::stoi(listen.substr(listen.rfind(':') + 1));
  // Random bytes instead of a WebSocket upgrade.
  int fd = Connect(port);
  ASSERT_GE(fd, 0);
  std::string junk(4096, '\0');
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 7919) & 0xff);
  (void)!write(fd, junk.data(), junk.size());
  close(fd);
  // A valid upgrade, then a binary frame that claims 1 GiB.
  fd = Connect(port);
  ASSERT_GE(fd, 0);
  const std::string upgrade =
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  (void)!write(fd, upgrade.data(), upgrade.size());
  char buf[1024];
  (void)!read(fd, buf, sizeof buf);
  const unsigned char frame[] = {0x82, 0xff, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4};
  (void)!write(fd, frame, sizeof frame);
  close(fd);
  // Still alive and still committing with its peers.
  const std::uint64_t h = net.Height(0);
  EXPECT_TRUE(net.Running(0));
  EXPECT_TRUE(net.WaitHeight(0, h + 3, 30'000));
}

TEST(NetworkTest, TornWalTailIsTruncatedWithAWarning) {
  LocalNet net(4);
  net.StartAll();
  ASSERT_TRUE(net.WaitAllHeight(2, kStartTimeout));
  EXPECT_EQ(net.Stop(1), 0);
  {
    std::ofstream wal(net.home(1) + "/data/consensus.wal", std::ios::binary | std::ios::app);
    const char torn[] = "\x00\x00\x10\x00\xde\xad\xbe\xef partial record";
    wal.write(torn, sizeof torn - 1);
  }
  net.Start(1);
  const std::uint64_t target = net.Height(0) + 3;
  EXPECT_TRUE(net.WaitHeight(1, target, 60'000));
  EXPECT_NE(net.Log(1).find("wal event=truncated_tail"), std::string::npos);
}

}  // namespace
}  // namespace consentd::testing
