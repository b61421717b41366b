#include "node/ahead_records.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace consentd::node {
namespace {

TEST(AheadRecordsTest, BoundsHoldByCountAndByBytesBeforeAnythingIsKept) {
  AheadRecords count_bound(2, 1 << 20);
  EXPECT_TRUE(count_bound.Keep(5, "a"));
  EXPECT_TRUE(count_bound.Keep(6, "b"));
  EXPECT_FALSE(count_bound.Keep(7, "c"));  // a third record: refused
  EXPECT_EQ(count_bound.size(), 2u);

  // A hostile peer's huge frames for far heights: refused once the byte bound is reached.
  AheadRecords byte_bound(100, 10);
  EXPECT_TRUE(byte_bound.Keep(9, std::string(6, 'x')));
  EXPECT_FALSE(byte_bound.Keep(9, std::string(5, 'y')));  // 11 bytes > 10
  EXPECT_TRUE(byte_bound.Keep(9, std::string(4, 'z')));   // exactly 10
  EXPECT_EQ(byte_bound.bytes(), 10u);
  EXPECT_FALSE(byte_bound.Keep(9, std::string(1 << 20, 'w')));
  EXPECT_EQ(byte_bound.bytes(), 10u);
}

TEST(AheadRecordsTest, AfterACommitLaterHeightsAreAppendedAndTheNextOnesDropped) {
  AheadRecords ahead(16, 1 << 20);
  ASSERT_TRUE(ahead.Keep(3, "h3"));
  ASSERT_TRUE(ahead.Keep(4, "h4"));
  ASSERT_TRUE(ahead.Keep(5, "h5a"));
  ASSERT_TRUE(ahead.Keep(5, "h5b"));
  std::vector<std::string> appended;
  ASSERT_TRUE(ahead
                  .AfterCommit(3,
                               [&](const std::string& r) {
                                 appended.push_back(r);
                                 return Status::Ok();
                               })
                  .ok());
  // Height 3 is decided: gone. 4 and 5 go back into the WAL; only 5's are kept for later.
  EXPECT_EQ(appended, (std::vector<std::string>{"h4", "h5a", "h5b"}));
  EXPECT_EQ(ahead.size(), 2u);
  EXPECT_EQ(ahead.bytes(), 6u);

  // A failed append stops there and is returned.
  int calls = 0;
  const Status st = ahead.AfterCommit(4, [&](const std::string&) {
    ++calls;
    return Status::Error(Reason::kWalIo, "disk full");
  });
  EXPECT_EQ(st.code(), "wal_io");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace consentd::node
