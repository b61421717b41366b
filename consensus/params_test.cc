#include "consensus/params.h"

#include <gtest/gtest.h>

namespace consentd::consensus {
namespace {

TEST(TimeoutParamsTest, DefaultsAreValid) { EXPECT_TRUE(TimeoutParams{}.Validate().ok()); }

TEST(TimeoutParamsTest, DurationIsLinearAndCapped) {
  TimeoutParams p;
  p.propose_base = 1000;
  p.propose_delta = 500;
  p.prevote_base = 400;
  p.prevote_delta = 100;
  p.precommit_base = 300;
  p.precommit_delta = 0;
  p.max_timeout = 4000;
  EXPECT_EQ(p.Duration(Step::kPropose, 0), 1000);
  EXPECT_EQ(p.Duration(Step::kPropose, 1), 1500);
  EXPECT_EQ(p.Duration(Step::kPropose, 2), 2000);
  EXPECT_EQ(p.Duration(Step::kPropose, 6), 4000);
  EXPECT_EQ(p.Duration(Step::kPropose, 7), 4000);
  EXPECT_EQ(p.Duration(Step::kPropose, 4294967295U), 4000);
  EXPECT_EQ(p.Duration(Step::kPrevote, 3), 700);
  EXPECT_EQ(p.Duration(Step::kPrecommit, 100), 300);
  // Linear: equal steps between consecutive rounds until the cap, never doubling.
  for (std::uint32_t r = 0; r + 1 < 6; ++r) {
    EXPECT_EQ(p.Duration(Step::kPropose, r + 1) - p.Duration(Step::kPropose, r), 500);
  }
}

TEST(TimeoutParamsTest, JsonRoundTrip) {
  TimeoutParams p;
  p.commit_wait = 0;
  p.empty_block_interval = 2500;
  auto back = TimeoutParams::FromJson(p.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
  EXPECT_TRUE(p.ToJson().contains("propose_delta_ms"));
}

TEST(TimeoutParamsTest, RejectsInvalidParameters) {
  const auto code = [](const Json& j) { return TimeoutParams::FromJson(j).status().code(); };
  const Json good = TimeoutParams{}.ToJson();
  Json j = good;
  j.erase("commit_wait_ms");
  EXPECT_EQ(code(j), "params_invalid");
  j = good;
  j["surprise_ms"] = 1;
  EXPECT_EQ(code(j), "params_invalid");
  j = good;
  j["prevote_delta_ms"] = -1;
  EXPECT_EQ(code(j), "params_invalid");
  j = good;
  j["propose_base_ms"] = 0;
  EXPECT_EQ(code(j), "params_invalid");
  j = good;
  j["max_timeout_ms"] = 10;  // below the bases
  EXPECT_EQ(code(j), "params_invalid");
  j = good;
  j["max_timeout_ms"] = TimeoutParams::kMaxMs + 1;
  EXPECT_EQ(code(j), "params_invalid");
  j = good;
  j["commit_wait_ms"] = "100";
  EXPECT_EQ(code(j), "params_invalid");
  EXPECT_EQ(code(Json::array()), "params_invalid");
}

}  // namespace
}  // namespace consentd::consensus
