#include "node/wal.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/file_util.h"

namespace consentd::node {
namespace {

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("consentd-wal-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "consensus.wal").string();
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> Reopen(std::uint64_t* truncated = nullptr) {
    Wal::Recovered r;
    auto wal = Wal::Open(Env::Default(), path_, &r);
    EXPECT_TRUE(wal.ok());
    if (truncated != nullptr) *truncated = r.truncated_bytes;
    return r.records;
  }
  void AppendRaw(std::string_view bytes) {
    std::ofstream f(path_, std::ios::binary | std::ios::app);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(WalTest, Crc32cKnownValue) {
  // RFC 3720 (iSCSI) test vector: 32 bytes of zeros.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
}

TEST_F(WalTest, RecordsSurviveReopen) {
  {
    auto wal = Wal::Open(Env::Default(), path_, nullptr);
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE(wal->Append("first", true).ok());
    ASSERT_TRUE(wal->Append(std::string(1000, 'x'), false).ok());
    ASSERT_TRUE(wal->Append("", true).ok());
  }
  EXPECT_EQ(Reopen(), (std::vector<std::string>{"first", std::string(1000, 'x'), ""}));
}

TEST_F(WalTest, TornTailIsTruncatedAndAppendsContinue) {
  {
    auto wal = Wal::Open(Env::Default(), path_, nullptr);
    ASSERT_TRUE(wal->Append("kept", true).ok());
  }
  // A record cut off mid-payload, as a crash during write leaves it.
  AppendRaw(
      std::string("\x00\x00\x00\x10\x12\x34\x56\x78"
                  "half",
                  12));
  std::uint64_t truncated = 0;
  EXPECT_EQ(Reopen(&truncated), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(truncated, 12u);
  {
    auto wal = Wal::Open(Env::Default(), path_, nullptr);
    ASSERT_TRUE(wal->Append("after", true).ok());
  }
  EXPECT_EQ(Reopen(), (std::vector<std::string>{"kept", "after"}));
}

TEST_F(WalTest, GarbageTailAndBadCrcAreCutOff) {
  {
    auto wal = Wal::Open(Env::Default(), path_, nullptr);
    ASSERT_TRUE(wal->Append("one", true).ok());
    ASSERT_TRUE(wal->Append("two", true).ok());
  }
  // Flip a payload byte of the second record: its CRC no longer matches.
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8 + 3 + 8);
    f.put('X');
  }
  AppendRaw("random garbage that is not a record");
  std::uint64_t truncated = 0;
  EXPECT_EQ(Reopen(&truncated), (std::vector<std::string>{"one"}));
  EXPECT_GT(truncated, 0u);
  // An absurd length is garbage too, not an allocation.
  AppendRaw(std::string("\xff\xff\xff\xff\0\0\0\0", 8));
  EXPECT_EQ(Reopen(), (std::vector<std::string>{"one"}));
}

// A write that fails part-way (here: past RLIMIT_FSIZE, as on a full disk) leaves no torn
// record behind: appends after the fault clears are still recovered on reopen.
TEST_F(WalTest, FailedAppendLeavesNoTornRecordBehind) {
  auto wal = Wal::Open(Env::Default(), path_, nullptr);
  ASSERT_TRUE(wal.ok());
  ASSERT_TRUE(wal->Append("first", true).ok());
  const std::uint64_t before = wal->size_bytes();
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = signal(SIGXFSZ, SIG_IGN);
  rlimit low = saved;
  low.rlim_cur = before + 100;  // room for part of the next record only
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &low), 0);
  const Status failed = wal->Append(std::string(1000, 'x'), true);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved), 0);
  signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), "wal_io");
  EXPECT_NE(failed.message().find("File too large"), std::string::npos) << failed.ToString();
  EXPECT_EQ(std::filesystem::file_size(path_), before);
  ASSERT_TRUE(wal->Append("after the fault", true).ok());
  std::uint64_t truncated = 1;
  EXPECT_EQ(Reopen(&truncated), (std::vector<std::string>{"first", "after the fault"}));
  EXPECT_EQ(truncated, 0u);
}

TEST_F(WalTest, EmptyAndResetLogs) {
  EXPECT_TRUE(Reopen().empty());
  { std::ofstream f(path_, std::ios::trunc); }
  EXPECT_TRUE(Reopen().empty());
  auto wal = Wal::Open(Env::Default(), path_, nullptr);
  ASSERT_TRUE(wal->Append("x", true).ok());
  ASSERT_TRUE(wal->Reset().ok());
  EXPECT_EQ(wal->size_bytes(), 0u);
  ASSERT_TRUE(wal->Append("y", true).ok());
  EXPECT_EQ(Reopen(), (std::vector<std::string>{"y"}));
}

}  // namespace
}  // namespace consentd::node
