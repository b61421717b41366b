#include "common/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace consentd {
namespace {

TEST(FileUtilTest, AtomicWriteReplacesContentAndSetsMode) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("consentd-file-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "state.json").string();
  ASSERT_TRUE(WriteFileAtomic(path, "first", 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(path, "second", 0600).ok());
  EXPECT_EQ(ReadFile(path).value(), "second");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(ReadFile(path, 3).status().code(), "file_too_large");
  EXPECT_EQ(ReadFile((dir / "missing").string()).status().code(), "file_read");
  EXPECT_EQ(WriteFileAtomic((dir / "no/such/dir/x").string(), "x").code(), "file_write");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace consentd
