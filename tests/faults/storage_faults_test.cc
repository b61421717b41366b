// Storage faults on real consentd processes (issue 8, "Storage faults"): a damaged consensus WAL
// (torn tail, garbage tail, truncated to zero), a torn or corrupt LevelDB log, a corrupted
// LevelDB table file, and a full disk (RLIMIT_FSIZE on the running node). Each test runs a
// 4-validator LocalNet, keeps the ids of transactions acknowledged with ?wait=commit, damages
// one node and checks that it recovers and agrees with the others at every height, or refuses
// to start with a message naming the damage. See docs/OPERATIONS.md, "Storage faults".

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

namespace consentd::testing {
namespace {

namespace fs = std::filesystem;
using ledger::TxType;

constexpr std::int64_t kStartTimeout = 60'000;
constexpr std::int64_t kCatchUpTimeout = 60'000;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string WalPath(const LocalNet& net, int i) { return net.home(i) + "/data/consensus.wal"; }
std::string LedgerDir(const LocalNet& net, int i) { return net.home(i) + "/data/ledger"; }

// The ledger store's files with `extension` (".log", ".ldb"), largest number (newest) last.
std::vector<std::string> StoreFiles(const LocalNet& net, int i, const std::string& extension) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(LedgerDir(net, i))) {
    if (e.path().extension() == extension) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The node's log written since `offset` (its size before a restart).
std::string LogSince(const LocalNet& net, int i, std::size_t offset) {
  const std::string log = net.Log(i);
  return offset < log.size() ? log.substr(offset) : "";
}

// Value of `key=` in the last line of `log` containing `event`; -1 when absent.
std::int64_t LastEventField(const std::string& log, const std::string& event,
                            const std::string& key) {
  const std::size_t at = log.rfind(event);
  if (at == std::string::npos) return -1;
  const std::size_t end = log.find('\n', at);
  const std::string line = log.substr(at, end == std::string::npos ? end : end - at);
  const std::size_t k = line.find(" " + key + "=");
  if (k == std::string::npos) return -1;
  return std::atoll(line.c_str() + k + key.size() + 2);
}

class StorageNet {
 public:
  StorageNet() : net_(4) {}
  LocalNet& net() { return net_; }
  const std::vector<std::string>& acked() const { return acked_; }

  // Starts the network and publishes insurer-1's notice (grants need it).
  void Start() {
    net_.StartAll();
    ASSERT_TRUE(net_.WaitAllHeight(1, kStartTimeout));
    auto r = net_.Post(
        0, "/v1/txs?wait=commit&timeout_ms=20000",
        net_.SignedTx(TxType::kNoticePublish, net_.NoticeBody("insurer-1"), {"insurer-1"}));
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 200) << r->raw;
  }

  // Starts the network, commits `count` grants through all four nodes, then kill -9s `victim`.
  void CommitThenKill(int count, int victim) {
    ASSERT_NO_FATAL_FAILURE(Start());
    ASSERT_NO_FATAL_FAILURE(CommitGrants(count, {0, 1, 2, 3}));
    net_.Kill(victim, SIGKILL);
  }

  // Submits one grant to `node` with ?wait=commit; true (and the id kept) when acknowledged.
  bool CommitGrant(int node) {
    const std::string subject = "customer-" + std::to_string(next_subject_++);
    auto r = net_.Post(node, "/v1/txs?wait=commit&timeout_ms=20000",
                       net_.SignedTx(TxType::kConsentGrant, net_.GrantBody("insurer-1", subject),
                                     {"insurer-1", subject}));
    if (!r || r->status != 200) return false;
    acked_.push_back(r->body["tx_id"]);
    return true;
  }

  // `count` acknowledged grants, round-robin over `nodes`.
  void CommitGrants(int count, const std::vector<int>& nodes) {
    for (int k = 0; k < count; ++k) {
      ASSERT_TRUE(CommitGrant(nodes[k % nodes.size()])) << "grant " << k << " not acknowledged";
    }
  }

  // Node `i` reaches the height node `reference` has now, then all of `nodes` agree on every
  // block hash and state digest up to it, and node `i` holds every acknowledged tx.
  void ExpectRejoined(int i, int reference, const std::vector<int>& nodes) {
    const std::uint64_t target = net_.Height(reference);
    ASSERT_GT(target, 0u);
    ASSERT_TRUE(net_.WaitHeight(i, target, kCatchUpTimeout))
        << "node " << i << " at " << net_.Height(i) << ", others at " << target;
    ASSERT_TRUE(net_.WaitAllHeight(target, kCatchUpTimeout));
    for (std::uint64_t h = 1; h <= target; ++h) {
      const auto want = net_.BlockAt(reference, h);
      ASSERT_FALSE(want.first.empty()) << "node " << reference << " lacks block " << h;
      for (int n : nodes) {
        ASSERT_EQ(net_.BlockAt(n, h), want) << "height " << h << " node " << n;
      }
    }
    for (const std::string& id : acked_) {
      auto r = net_.Get(i, "/v1/txs/" + id);
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->status, 200) << id << " " << r->raw;
      EXPECT_EQ(r->body.value("status", ""), "committed") << id;
    }
  }

  // Starts node `i` on its damaged store: it exits 1 without ever serving, its log naming store
  // corruption and `names` (the damaged file or directory).
  void ExpectRefusesToStart(int i, const std::string& names) {
    const std::size_t log_offset = net_.Log(i).size();
    net_.Start(i);
    int status = 0;
    ASSERT_TRUE(net_.WaitExit(i, kStartTimeout, &status)) << "the node runs on a corrupt store";
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 1);
    const std::string log = LogSince(net_, i, log_offset);
    EXPECT_NE(log.find("startup_failed"), std::string::npos) << log;
    EXPECT_NE(log.find("store_corruption"), std::string::npos) << log;
    EXPECT_NE(log.find(names), std::string::npos) << "the message names " << names << ": " << log;
    EXPECT_EQ(log.find("node event=started"), std::string::npos) << "it served: " << log;
  }

  // The operator's repair (docs/OPERATIONS.md): while the others commit on, wipe node i's data
  // directory and start it; it syncs every block and agrees with the others.
  void ExpectWipeRepairs(int i, const std::vector<int>& others) {
    ASSERT_NO_FATAL_FAILURE(CommitGrants(3, others));
    net_.WipeData(i);
    net_.Start(i);
    ASSERT_NO_FATAL_FAILURE(ExpectRejoined(i, others[0], {0, 1, 2, 3}));
  }

 private:
  LocalNet net_;
  std::vector<std::string> acked_;
  int next_subject_ = 0;
};

// ---- Consensus WAL ----

enum class WalDamage { kTornTail, kGarbageTail, kTruncatedToZero };

std::string Name(const ::testing::TestParamInfo<WalDamage>& info) {
  switch (info.param) {
    case WalDamage::kTornTail:
      return "TornTail";
    case WalDamage::kGarbageTail:
      return "GarbageTail";
    case WalDamage::kTruncatedToZero:
      return "TruncatedToZero";
  }
  return "Unknown";
}

class WalDamageTest : public ::testing::TestWithParam<WalDamage> {};

// kill -9 a node while it commits, damage its WAL, restart it: it starts, says what it cut,
// catches up and agrees with the others at every height.
TEST_P(WalDamageTest, NodeRecoversAndRejoins) {
  StorageNet s;
  LocalNet& net = s.net();
  const int victim = 1;
  ASSERT_NO_FATAL_FAILURE(s.CommitThenKill(6, victim));
  ASSERT_NO_FATAL_FAILURE(s.CommitGrants(3, {0, 2, 3}));

  const std::string wal = WalPath(net, victim);
  ASSERT_TRUE(fs::exists(wal));
  const auto size = fs::file_size(wal);
  switch (GetParam()) {
    case WalDamage::kTornTail:
      if (size > 8) {
        fs::resize_file(wal, size - 3);  // the last record loses its end
      } else {
        // No record in flight at the kill: append the first half of one.
        std::ofstream f(wal, std::ios::binary | std::ios::app);
        const char torn[] = "\x00\x00\x00\x40\x12\x34\x56\x78 half a record";
        f.write(torn, sizeof torn - 1);
      }
      break;
    case WalDamage::kGarbageTail: {
      std::mt19937 rng(8);  // seeded: the same garbage every run
      std::string garbage(200, '\0');
      for (char& c : garbage) c = static_cast<char>(rng());
      std::ofstream f(wal, std::ios::binary | std::ios::app);
      f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
      break;
    }
    case WalDamage::kTruncatedToZero:
      fs::resize_file(wal, 0);
      break;
  }

  const std::size_t log_offset = net.Log(victim).size();
  net.Start(victim);
  ASSERT_TRUE(net.WaitHeight(victim, 1, kStartTimeout)) << "the node did not start";
  ASSERT_NO_FATAL_FAILURE(s.CommitGrants(3, {0, 1, 2, 3}));
  ASSERT_NO_FATAL_FAILURE(s.ExpectRejoined(victim, 0, {0, 1, 2, 3}));
  const std::string log = LogSince(net, victim, log_offset);
  if (GetParam() == WalDamage::kTruncatedToZero) {
    EXPECT_EQ(log.find("wal event=truncated_tail"), std::string::npos) << "nothing to cut";
    EXPECT_EQ(LastEventField(log, "consensus event=starting", "wal_records"), 0) << log;
  } else {
    EXPECT_NE(log.find("wal event=truncated_tail"), std::string::npos) << log;
    EXPECT_GT(LastEventField(log, "wal event=truncated_tail", "bytes"), 0) << log;
  }
  EXPECT_EQ(log.find("event=fatal"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(StorageFaults, WalDamageTest,
                         ::testing::Values(WalDamage::kTornTail, WalDamage::kGarbageTail,
                                           WalDamage::kTruncatedToZero),
                         Name);

// ---- LevelDB log ----

// kill -9, then the last record of the store's log loses its end (as if the kill had come in
// the middle of the write): LevelDB drops the torn record, the node starts and catches up.
TEST(StorageFaultsTest, TornLevelDbLogTailIsDroppedAndTheNodeRejoins) {
  StorageNet s;
  LocalNet& net = s.net();
  const int victim = 2;
  ASSERT_NO_FATAL_FAILURE(s.CommitThenKill(6, victim));
  const auto logs = StoreFiles(net, victim, ".log");
  ASSERT_FALSE(logs.empty());
  const auto size = fs::file_size(logs.back());
  ASSERT_GT(size, 16u) << "the store's log holds the committed blocks";
  fs::resize_file(logs.back(), size - 5);
  ASSERT_NO_FATAL_FAILURE(s.CommitGrants(3, {0, 1, 3}));
  net.Start(victim);
  ASSERT_TRUE(net.WaitHeight(victim, 1, kStartTimeout)) << "the node did not start";
  ASSERT_NO_FATAL_FAILURE(s.ExpectRejoined(victim, 0, {0, 1, 2, 3}));
}

// A complete record with a bad checksum at the end of the store's log is damage, not a torn
// write: the node refuses to start, names store corruption, and never serves. Wiping the data
// directory (the operator's repair) lets it rejoin by block sync.
TEST(StorageFaultsTest, CorruptLevelDbLogRecordRefusesStartThenWipeRepairs) {
  StorageNet s;
  LocalNet& net = s.net();
  const int victim = 3;
  ASSERT_NO_FATAL_FAILURE(s.CommitThenKill(6, victim));
  const auto logs = StoreFiles(net, victim, ".log");
  ASSERT_FALSE(logs.empty());
  {
    // LevelDB log record: masked CRC-32C (4, LE), length (2, LE), type 1 = full, payload.
    std::ofstream f(logs.back(), std::ios::binary | std::ios::app);
    const char record[] = "\xde\xad\xbe\xef\x08\x00\x01garbage!";
    f.write(record, sizeof record - 1);
  }
  ASSERT_NO_FATAL_FAILURE(s.ExpectRefusesToStart(victim, LedgerDir(net, victim)));
  ASSERT_NO_FATAL_FAILURE(s.ExpectWipeRepairs(victim, {0, 1, 2}));
}

// ---- LevelDB table ----

// Bytes inside a table file change while the node is down. The start-up check
// (storage.verify_on_start) reads every block: the node refuses to start, naming store
// corruption and the file, and never serves. Wiping the data directory repairs it by sync.
TEST(StorageFaultsTest, CorruptTableFileRefusesStartNamingItThenWipeRepairs) {
  StorageNet s;
  ASSERT_NO_FATAL_FAILURE(s.Start());
  LocalNet& net = s.net();
  ASSERT_NO_FATAL_FAILURE(s.CommitGrants(8, {0, 1, 2, 3}));
  const int victim = 2;
  // A restart turns the store's log into a table file (LevelDB flushes it on open).
  EXPECT_EQ(net.Stop(victim), 0);
  net.Start(victim);
  ASSERT_TRUE(net.WaitHeight(victim, net.Height(0), kCatchUpTimeout));
  EXPECT_EQ(net.Stop(victim), 0);
  auto tables = StoreFiles(net, victim, ".ldb");
  ASSERT_FALSE(tables.empty()) << "no table file after a restart";
  std::sort(tables.begin(), tables.end(), [](const std::string& a, const std::string& b) {
    return fs::file_size(a) < fs::file_size(b);
  });
  const std::string table = tables.back();
  ASSERT_GT(fs::file_size(table), 4096u);
  {
    // The middle of the file: a data block, which opening the store does not read.
    std::fstream f(table, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(table) / 2));
    const std::string junk(16, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  ASSERT_NO_FATAL_FAILURE(s.ExpectRefusesToStart(victim, table));
  ASSERT_NO_FATAL_FAILURE(s.ExpectWipeRepairs(victim, {0, 1, 3}));
}

// ---- Disk full ----

// Every file the node may append to, so the size limit leaves them room until the store grows.
std::uintmax_t LargestAppendedFile(const LocalNet& net, int i) {
  std::uintmax_t largest = 0;
  // The node is running: a file listed here may be renamed away before it is measured (the
  // safety state is written to a .tmp file and renamed over), so a vanished file is skipped.
  std::error_code ec;
  for (fs::recursive_directory_iterator it(net.home(i), ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() != ".ldb" && it->is_regular_file(ec)) {
      const std::uintmax_t size = it->file_size(ec);
      if (!ec) largest = std::max(largest, size);
    }
    ec.clear();
  }
  return largest;
}

// RLIMIT_FSIZE lowered on the running node: the store's next write past it fails (EFBIG, as on
// a full disk). The node stops with an error naming the problem and the file; the other three
// keep committing. Restarted without the limit ("space returned") it catches up, and every
// block it had committed is still there, unchanged.
TEST(StorageFaultsTest, DiskFullStopsTheNodeCleanlyAndItRecoversLosingNothing) {
  StorageNet s;
  ASSERT_NO_FATAL_FAILURE(s.Start());
  LocalNet& net = s.net();
  ASSERT_NO_FATAL_FAILURE(s.CommitGrants(4, {0, 1, 2, 3}));
  const int victim = 3;
  // A fresh log at warn level: the node's own log stays far below the limit set next, keeping
  // room for the error when the store reaches it.
  EXPECT_EQ(net.Stop(victim), 0);
  fs::rename(net.home(victim) + "/consentd.log", net.home(victim) + "/consentd.log.1");
  const std::size_t log_offset = 0;
  net.Start(victim, {"--log-level", "warn"});
  ASSERT_TRUE(net.WaitHeight(victim, net.Height(0), kCatchUpTimeout));

  const std::uintmax_t limit = LargestAppendedFile(net, victim) + (48 << 10);
  rlimit lim{};
  ASSERT_EQ(prlimit(net.pid(victim), RLIMIT_FSIZE, nullptr, &lim), 0);
  lim.rlim_cur = limit;
  ASSERT_EQ(prlimit(net.pid(victim), RLIMIT_FSIZE, &lim, nullptr), 0);

  // Commit through the others until the victim's store hits the limit and the node stops.
  std::uint64_t victim_height = 0;
  int status = 0;
  bool exited = false;
  const std::int64_t deadline = NowMs() + 120'000;
  while (!exited && NowMs() < deadline) {
    victim_height = std::max(victim_height, net.Height(victim));
    EXPECT_TRUE(s.CommitGrant(static_cast<int>(s.acked().size() % 3)));
    exited = net.WaitExit(victim, 0, &status);
  }
  ASSERT_TRUE(exited) << "the store never hit the limit of " << limit << " bytes";
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal instead of a clean stop: " << status;
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string log = LogSince(net, victim, log_offset);
  EXPECT_NE(log.find("stopping_after_fatal_error"), std::string::npos) << log;
  EXPECT_NE(log.find("File too large"), std::string::npos) << log;
  EXPECT_NE(log.find(net.home(victim) + "/data/"), std::string::npos) << "names the file: " << log;

  // The other three keep committing.
  ASSERT_NO_FATAL_FAILURE(s.CommitGrants(4, {0, 1, 2}));
  const std::uint64_t others = net.Height(0);
  ASSERT_TRUE(net.WaitHeight(0, others + 2, 30'000));

  // Space returns: restart without the limit.
  const std::size_t restart_offset = net.Log(victim).size();
  net.Start(victim);
  ASSERT_TRUE(net.WaitHeight(victim, 1, kStartTimeout)) << "the node did not restart";
  const std::int64_t reopened_at =
      LastEventField(LogSince(net, victim, restart_offset), "node event=ledger_opened", "height");
  EXPECT_GE(reopened_at, static_cast<std::int64_t>(victim_height))
      << "the node lost blocks it had committed";
  ASSERT_NO_FATAL_FAILURE(s.ExpectRejoined(victim, 0, {0, 1, 2, 3}));
}

}  // namespace
}  // namespace consentd::testing
