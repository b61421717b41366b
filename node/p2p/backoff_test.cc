#include "node/p2p/backoff.h"

#include <gtest/gtest.h>

#include <limits>

namespace consentd::node::p2p {
namespace {

TEST(BackoffTest, CeilingDoublesFromInitialAndCaps) {
  // With random = UINT64_MAX % span == span - 1 we get the ceiling; with 0 we get the floor.
  const std::uint64_t max_random = std::numeric_limits<std::uint64_t>::max();
  const std::int64_t expected_ceiling[] = {100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000};
  for (int attempt = 0; attempt < 9; ++attempt) {
    const std::int64_t ceiling = expected_ceiling[attempt];
    const auto span = static_cast<std::uint64_t>(ceiling - ceiling / 2 + 1);
    EXPECT_EQ(BackoffDelayMs(attempt, 100, 10000, 0), ceiling / 2) << attempt;
    EXPECT_EQ(BackoffDelayMs(attempt, 100, 10000, span - 1), ceiling) << attempt;
    EXPECT_LE(BackoffDelayMs(attempt, 100, 10000, max_random), ceiling) << attempt;
  }
}

TEST(BackoffTest, JitterStaysWithinHalfAndFullCeiling) {
  for (std::uint64_t r = 0; r < 5000; r += 7) {
    const std::int64_t d = BackoffDelayMs(3, 100, 10000, r * 2654435761u);
    EXPECT_GE(d, 400);
    EXPECT_LE(d, 800);
  }
}

TEST(BackoffTest, HugeAttemptCountsStayCapped) {
  EXPECT_LE(BackoffDelayMs(1 << 30, 100, 10000, 12345), 10000);
  EXPECT_GE(BackoffDelayMs(1 << 30, 100, 10000, 12345), 5000);
  EXPECT_LE(BackoffDelayMs(70, 1, std::numeric_limits<std::int64_t>::max() / 2, 0),
            std::numeric_limits<std::int64_t>::max() / 2);
}

TEST(BackoffTest, InitialEqualToMax) { EXPECT_EQ(BackoffDelayMs(5, 50, 50, 0), 25); }

}  // namespace
}  // namespace consentd::node::p2p
