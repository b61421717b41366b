// One suite, run against both Store implementations.

#include "ledger/store/store.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>

namespace consentd::ledger {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("consentd-store-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

struct MemoryFactory {
  std::unique_ptr<Store> Open() { return NewMemoryStore(); }
};
struct LevelDbFactory {
  TempDir dir;
  std::unique_ptr<Store> Open() { return std::move(OpenLevelDbStore(dir.path()).value()); }
};

template <typename Factory>
class StoreTest : public ::testing::Test {
 protected:
  Factory factory_;
};

using Factories = ::testing::Types<MemoryFactory, LevelDbFactory>;
TYPED_TEST_SUITE(StoreTest, Factories);

std::vector<std::string> Keys(const ReadView& view, std::string_view prefix,
                              std::string_view start = {}) {
  std::vector<std::string> out;
  auto c = view.Scan(prefix, start);
  for (; c->Valid(); c->Next()) out.emplace_back(c->key());
  EXPECT_TRUE(c->status().ok());
  return out;
}

TYPED_TEST(StoreTest, PutGetDelete) {
  auto store = this->factory_.Open();
  EXPECT_FALSE(store->Get("a").value().has_value());
  ASSERT_TRUE(store->Write({{"a", "1"}, {"b", "2"}}, true).ok());
  EXPECT_EQ(store->Get("a").value().value(), "1");
  ASSERT_TRUE(store->Write({{"a", std::nullopt}, {"b", "3"}}, true).ok());
  EXPECT_FALSE(store->Get("a").value().has_value());
  EXPECT_EQ(store->Get("b").value().value(), "3");
  // Binary keys and values, including NUL bytes.
  const std::string k("x\0y", 3), v("\0\xff", 2);
  ASSERT_TRUE(store->Write({{k, v}}, false).ok());
  EXPECT_EQ(store->Get(k).value().value(), v);
}

TYPED_TEST(StoreTest, ScanByPrefixAndStart) {
  auto store = this->factory_.Open();
  ASSERT_TRUE(
      store->Write({{"p1", ""}, {"p2", ""}, {"p3", ""}, {"q1", ""}, {"o9", ""}}, true).ok());
  EXPECT_EQ(Keys(*store, "p"), (std::vector<std::string>{"p1", "p2", "p3"}));
  EXPECT_EQ(Keys(*store, "p", "p2"), (std::vector<std::string>{"p2", "p3"}));
  EXPECT_EQ(Keys(*store, "p", "p21"), (std::vector<std::string>{"p3"}));
  EXPECT_EQ(Keys(*store, "p", "a"), (std::vector<std::string>{"p1", "p2", "p3"}));
  EXPECT_TRUE(Keys(*store, "z").empty());
}

TYPED_TEST(StoreTest, SnapshotsDoNotChange) {
  auto store = this->factory_.Open();
  ASSERT_TRUE(store->Write({{"k", "old"}, {"gone", "x"}}, true).ok());
  auto snap = store->Snapshot();
  ASSERT_TRUE(store->Write({{"k", "new"}, {"gone", std::nullopt}, {"k2", "added"}}, true).ok());
  EXPECT_EQ(snap->Get("k").value().value(), "old");
  EXPECT_EQ(snap->Get("gone").value().value(), "x");
  EXPECT_FALSE(snap->Get("k2").value().has_value());
  EXPECT_EQ(Keys(*snap, "k"), (std::vector<std::string>{"k"}));
  EXPECT_EQ(store->Get("k").value().value(), "new");
}

TYPED_TEST(StoreTest, BatchesAreAtomicForReaders) {
  // A cursor opened before a write keeps seeing the state it started with.
  auto store = this->factory_.Open();
  WriteBatch first;
  for (int i = 0; i < 100; ++i) first["n" + std::to_string(1000 + i)] = "a";
  ASSERT_TRUE(store->Write(first, true).ok());
  auto snap = store->Snapshot();
  WriteBatch second;
  for (int i = 0; i < 100; ++i) second["n" + std::to_string(1000 + i)] = "b";
  ASSERT_TRUE(store->Write(second, true).ok());
  auto c = snap->Scan("n");
  int count = 0;
  for (; c->Valid(); c->Next(), ++count) EXPECT_EQ(c->value(), "a");
  EXPECT_EQ(count, 100);
}

TEST(LevelDbStoreTest, ReopenKeepsData) {
  TempDir dir;
  {
    auto store = OpenLevelDbStore(dir.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Write({{"durable", "yes"}}, true).ok());
  }
  auto again = OpenLevelDbStore(dir.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Get("durable").value().value(), "yes");
}

TEST(LevelDbStoreTest, ReportsCorruptionInsteadOfIgnoringIt) {
  TempDir dir;
  {
    auto store = OpenLevelDbStore(dir.path());
    ASSERT_TRUE(store.ok());
    WriteBatch batch;
    for (int i = 0; i < 2000; ++i) batch["key" + std::to_string(i)] = std::string(200, 'v');
    ASSERT_TRUE((*store)->Write(batch, true).ok());
  }
  // Reopening compacts the log into a table file; then damage the table.
  { ASSERT_TRUE(OpenLevelDbStore(dir.path()).ok()); }
  std::string table;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().extension() == ".ldb") table = e.path().string();
  }
  ASSERT_FALSE(table.empty()) << "expected a table file";
  {
    std::fstream f(table, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    const std::string junk(64, '\x5a');
    f.write(junk.data(), junk.size());
  }
  auto store = OpenLevelDbStore(dir.path());
  if (!store.ok()) {
    EXPECT_EQ(store.status().code(), "store_corruption");
    return;
  }
  // Opened: the damage surfaces on read, as an error, never as silently wrong data.
  bool saw_error = false;
  for (int i = 0; i < 2000 && !saw_error; ++i) {
    auto v = (*store)->Get("key" + std::to_string(i));
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), "store_corruption");
      saw_error = true;
    } else {
      ASSERT_TRUE(v->has_value());
      EXPECT_EQ(**v, std::string(200, 'v'));
    }
  }
  EXPECT_TRUE(saw_error);
}

// Writes enough to fill a table, reopens (which turns the log into a table file) and returns
// that table's path.
std::string WriteOneTable(const std::string& dir) {
  {
    auto store = OpenLevelDbStore(dir);
    if (!store.ok()) return "";
    WriteBatch batch;
    for (int i = 0; i < 2000; ++i) batch["key" + std::to_string(i)] = std::string(200, 'v');
    if (!(*store)->Write(batch, true).ok()) return "";
  }
  if (!OpenLevelDbStore(dir).ok()) return "";
  std::string table;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".ldb") table = e.path().string();
  }
  return table;
}

TEST(LevelDbStoreTest, VerifyOnOpenRefusesADamagedTableAndNamesIt) {
  TempDir dir;
  const std::string table = WriteOneTable(dir.path());
  ASSERT_FALSE(table.empty()) << "expected a table file";
  LevelDbOptions verify;
  verify.verify_on_open = true;
  ASSERT_TRUE(OpenLevelDbStore(dir.path(), verify).ok()) << "an intact store verifies";
  {
    // Damage the middle of the file: a data block, which a plain open never reads.
    std::fstream f(table, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(table) / 2));
    const std::string junk(16, '\x5a');
    f.write(junk.data(), junk.size());
  }
  auto store = OpenLevelDbStore(dir.path(), verify);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "store_corruption");
  EXPECT_NE(store.status().message().find(table), std::string::npos) << store.status().ToString();
  // Without the check the same store opens: the damage would wait for a read to find it.
  EXPECT_TRUE(OpenLevelDbStore(dir.path()).ok());
}

TEST(LevelDbStoreTest, SecondOpenOfOneDirectoryIsRefused) {
  TempDir dir;
  auto first = OpenLevelDbStore(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = OpenLevelDbStore(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), "store_io");
}

TEST(LevelDbStoreTest, BackgroundWorkRunsNicerThanTheProcess) {
  TempDir dir;
  LevelDbOptions options;
  options.write_buffer_bytes = 64 << 10;
  // Nicer than the default, so the thread may always move there without privileges.
  options.background_nice = 12;
  auto store = OpenLevelDbStore(dir.path(), options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // 40 memtables' worth: a write that finds the previous memtable still unflushed waits for
  // the background thread, so its work has run before the last write returns.
  const std::string value(8 << 10, 'v');
  for (int b = 0; b < 320; ++b) {
    WriteBatch batch;
    for (int k = 0; k < 8; ++k) batch["k" + std::to_string(b * 8 + k)] = value;
    ASSERT_TRUE((*store)->Write(batch, false).ok());
  }
  errno = 0;
  const int process = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::getpid()));
  ASSERT_EQ(errno, 0);
  const auto seen = LevelDbBackgroundNiceSeen();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(*seen, std::min(19, process + 12));
  auto read = (*store)->Get("k2559");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(**read, value);
}

}  // namespace
}  // namespace consentd::ledger
