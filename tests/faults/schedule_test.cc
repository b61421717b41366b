// Fault schedules replay from their seed and never take the byzantine node down.

#include "tests/faults/schedule.h"

#include <gtest/gtest.h>

#include <set>

namespace consentd::faults {
namespace {

TEST(ScheduleTest, SameSeedSameSchedule) {
  const auto a = MakeSchedule(42, 200, 4, std::nullopt);
  const auto b = MakeSchedule(42, 200, 4, std::nullopt);
  ASSERT_EQ(a.size(), 200u);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].Describe(), b[i].Describe());
  const auto c = MakeSchedule(43, 200, 4, std::nullopt);
  int differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differ += a[i].Describe() != c[i].Describe();
  EXPECT_GT(differ, 0);
}

TEST(ScheduleTest, CoversEveryKindAndSparesTheByzantineNode) {
  std::set<FaultKind> kinds;
  for (const Fault& f : MakeSchedule(7, 500, 4, 3)) {
    kinds.insert(f.kind);
    EXPECT_NE(f.node, 3) << f.Describe();
    EXPECT_NE(f.node, f.other);
    EXPECT_GE(f.hold_ms, 500);
  }
  EXPECT_EQ(kinds.size(), static_cast<std::size_t>(kFaultKindCount));
}

}  // namespace
}  // namespace consentd::faults
