#include "ledger/backup.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/hex.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

using testing::TestChain;

// A chain with a few committed blocks, backed up into a string.
class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.Do(TxType::kNoticePublish, chain_.PublishNotice(), {"insurer-a"}).ok());
    for (int i = 0; i < 3; ++i) {
      const std::string customer = "customer-" + std::to_string(i);
      ASSERT_TRUE(
          chain_.Do(TxType::kConsentGrant, chain_.GrantBody(customer), {"insurer-a", customer})
              .ok());
    }
    auto snapshot = chain_.ledger().Snapshot();
    auto m = WriteBackup(std::move(snapshot), chain_.genesis(), [this](std::string_view chunk) {
      file_ += chunk;
      return true;
    });
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    manifest_ = *m;
  }

  // Restores `file` into a fresh memory store; the ledger it opens, or the error.
  Result<std::unique_ptr<Ledger>> Restore(const std::string& file, BackupManifest* out) {
    auto store = NewMemoryStore();
    std::istringstream in(file);
    auto m = ReadBackup(
        in, [&](WriteBatch&& batch) { return store->Write(batch, /*sync=*/false); },
        /*batch_entries=*/7);
    if (!m.ok()) return m.status();
    *out = *m;
    return Ledger::Open(std::move(store), chain_.genesis());
  }

  TestChain chain_;
  std::string file_;
  BackupManifest manifest_;
};

TEST_F(BackupTest, RoundTripRestoresTheSameHeadAndEveryEntry) {
  EXPECT_EQ(manifest_.head.height, chain_.ledger().head().height);
  EXPECT_GT(manifest_.entries, 10u);
  BackupManifest read;
  auto restored = Restore(file_, &read);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(read.entries, manifest_.entries);
  EXPECT_EQ(read.sha256, manifest_.sha256);
  EXPECT_TRUE(VerifyRestored(**restored, read).ok());
  EXPECT_EQ((*restored)->head().state_digest, chain_.ledger().head().state_digest);

  // Every key and value of the source is in the restored store, and nothing else.
  auto a = chain_.ledger().Snapshot();
  auto b = (*restored)->Snapshot();
  auto ca = a->Scan("");
  auto cb = b->Scan("");
  std::size_t n = 0;
  for (; ca->Valid() && cb->Valid(); ca->Next(), cb->Next(), ++n) {
    ASSERT_EQ(ca->key(), cb->key());
    ASSERT_EQ(ca->value(), cb->value());
  }
  EXPECT_FALSE(ca->Valid());
  EXPECT_FALSE(cb->Valid());
  EXPECT_EQ(n, manifest_.entries);
}

TEST_F(BackupTest, AFlippedByteFailsTheChecksum) {
  std::string bad = file_;
  bad[bad.size() / 2] ^= 0x01;
  BackupManifest read;
  auto restored = Restore(bad, &read);
  ASSERT_FALSE(restored.ok());
  // Either the flip broke the structure or only the checksum catches it.
  EXPECT_TRUE(restored.status().code() == "backup_checksum_mismatch" ||
              restored.status().code() == "backup_malformed" ||
              restored.status().code() == "backup_truncated")
      << restored.status().ToString();
}

TEST_F(BackupTest, AFlippedValueByteIsCaughtByTheChecksum) {
  // The last byte before the trailer is the last entry's value: structure stays intact.
  std::string bad = file_;
  const std::size_t trailer = bad.rfind("E{");
  ASSERT_NE(trailer, std::string::npos);
  bad[trailer - 1] ^= 0x01;
  BackupManifest read;
  auto restored = Restore(bad, &read);
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().code(), "backup_checksum_mismatch");
}

TEST_F(BackupTest, TruncatedFilesAreRefusedWhereverTheyEnd) {
  for (std::size_t cut :
       {std::size_t{0}, std::size_t{10}, file_.size() / 3, file_.size() - 30, file_.size() - 1}) {
    BackupManifest read;
    auto restored = Restore(file_.substr(0, cut), &read);
    ASSERT_FALSE(restored.ok()) << "cut at " << cut;
    EXPECT_TRUE(restored.status().code() == "backup_truncated" ||
                restored.status().code() == "backup_malformed")
        << "cut at " << cut << ": " << restored.status().ToString();
  }
}

TEST_F(BackupTest, ExtraBytesAndForeignFilesAreRefused) {
  BackupManifest read;
  auto extra = Restore(file_ + "x", &read);
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.status().code(), "backup_malformed");
  auto foreign = Restore("{\"format\":\"something-else\"}\nR", &read);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), "backup_malformed");
  auto binary = Restore(std::string(100000, '\xff'), &read);
  ASSERT_FALSE(binary.ok());
  EXPECT_EQ(binary.status().code(), "backup_malformed");
}

TEST_F(BackupTest, AnEntryCountThatDisagreesIsRefused) {
  // Rewrite the trailer with a wrong count but the right checksum.
  const std::size_t trailer = file_.rfind("E{");
  std::string bad = file_.substr(0, trailer) + "E" +
                    CanonicalJson(Json{{"entries", manifest_.entries + 1},
                                       {"sha256", HexEncode(manifest_.sha256)}}) +
                    "\n";
  BackupManifest read;
  auto restored = Restore(bad, &read);
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().code(), "backup_entry_count_mismatch");
}

TEST_F(BackupTest, AnotherChainsGenesisIsRefusedByVerifyRestored) {
  BackupManifest read;
  auto restored = Restore(file_, &read);
  ASSERT_TRUE(restored.ok());
  BackupManifest other = read;
  other.chain_id = "other-chain";
  auto s = VerifyRestored(**restored, other);
  EXPECT_EQ(s.code(), "backup_wrong_chain");
  BackupManifest moved = read;
  moved.head.height += 1;
  EXPECT_EQ(VerifyRestored(**restored, moved).code(), "backup_head_mismatch");
}

}  // namespace
}  // namespace consentd::ledger
