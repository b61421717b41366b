#include <gtest/gtest.h>

#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::ExecFixture;
using testing::kDay;

class TransfersTest : public ExecFixture {
 protected:
  void SetUp() override {
    Notice("insurer-a");
    Notice("insurer-b");
  }
  Json Transfer(Json consents, std::int64_t effective_at) {
    Json b{{"transferor", "insurer-a"},
           {"transferee", "insurer-b"},
           {"effective_at", effective_at},
           {"notice_hash", Hex(testing::HashOf("transfer notice"))}};
    if (consents.is_boolean()) {
      b["all_consents"] = true;
    } else {
      b["consents"] = std::move(consents);
    }
    return b;
  }
  ConsentRecord Load(const Hash256& id) {
    StateReader r(chain_.ledger().store());
    return *r.Consent(id).value();
  }
  const std::vector<std::string> kParties = {"insurer-a", "insurer-b"};
};

TEST_F(TransfersTest, ListedConsentsMoveAtEffectiveTime) {
  const Hash256 c1 = Grant("alice");
  const Hash256 c2 = Grant("bob");
  const std::int64_t effective = chain_.next_time() + 5 * kDay;
  ASSERT_EQ(Code(TxType::kPortfolioTransfer, Transfer({Hex(c1)}, effective), kParties), "ok");
  EXPECT_EQ(Load(c1).ControllerAt(effective - 1), "insurer-a");
  EXPECT_EQ(Load(c1).ControllerAt(effective), "insurer-b");
  EXPECT_EQ(Load(c1).StatusAt(effective), ConsentStatus::kTransferred);
  EXPECT_EQ(Load(c2).ControllerAt(effective), "insurer-a");
  // A consent with a pending transfer cannot be transferred again.
  EXPECT_EQ(Code(TxType::kPortfolioTransfer, Transfer({Hex(c1)}, effective), kParties),
            "transfer_consent_not_owned");
}

TEST_F(TransfersTest, AllConsentsOfTheTransferor) {
  const Hash256 c1 = Grant("alice");
  const Hash256 c2 = Grant("bob");
  const Hash256 w = Grant("carol");
  Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(w)}}, {"carol"});
  const std::int64_t effective = chain_.next_time();
  const Hash256 t = Commit(TxType::kPortfolioTransfer, Transfer(true, effective), kParties);
  EXPECT_EQ(Load(c1).ControllerAt(effective), "insurer-b");
  EXPECT_EQ(Load(c2).ControllerAt(effective), "insurer-b");
  EXPECT_EQ(Load(w).ControllerAt(effective), "insurer-a");  // ended consents stay
  StateReader r(chain_.ledger().store());
  auto rec = r.Transfer(t);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->count, 2);
  EXPECT_EQ((*rec)->objection_until, effective + chain_.genesis().params.objection_window_ms);
}

TEST_F(TransfersTest, Rejections) {
  const Hash256 c1 = Grant("alice");
  EXPECT_EQ(Code(TxType::kPortfolioTransfer, Transfer({Hex(c1)}, chain_.next_time() - 1), kParties),
            "transfer_invalid_time");
  EXPECT_EQ(
      Code(TxType::kPortfolioTransfer, Transfer({Hex(c1)}, chain_.next_time()), {"insurer-a"}),
      "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kPortfolioTransfer,
                 Transfer({Hex(testing::HashOf("x"))}, chain_.next_time()), kParties),
            "consent_unknown");
  // insurer-b does not control alice's consent.
  Json back = Transfer({Hex(c1)}, chain_.next_time());
  back["transferor"] = "insurer-b";
  back["transferee"] = "insurer-a";
  EXPECT_EQ(Code(TxType::kPortfolioTransfer, back, kParties), "transfer_consent_not_owned");
  Json to_processor = Transfer({Hex(c1)}, chain_.next_time());
  to_processor["transferee"] = "processor";
  EXPECT_EQ(Code(TxType::kPortfolioTransfer, to_processor, {"insurer-a", "processor"}),
            "member_role_missing");
}

TEST(TransferLimitTest, TooLargeForOneTransaction) {
  auto genesis = testing::DefaultGenesis();
  genesis.params.max_transfer_consents = 2;
  testing::TestChain chain(NewMemoryStore(), genesis);
  ASSERT_TRUE(chain.Do(TxType::kNoticePublish, chain.PublishNotice(), {"insurer-a"}).ok());
  for (const char* s : {"alice", "bob", "carol"}) {
    ASSERT_TRUE(chain.Do(TxType::kConsentGrant, chain.GrantBody(s), {"insurer-a", s}).ok());
  }
  Json all{{"transferor", "insurer-a"},
           {"transferee", "insurer-b"},
           {"all_consents", true},
           {"effective_at", chain.next_time()},
           {"notice_hash", HexEncode(testing::HashOf("n"))}};
  EXPECT_EQ(chain.Do(TxType::kPortfolioTransfer, all, {"insurer-a", "insurer-b"}).code(),
            "transfer_too_large");
}

}  // namespace
}  // namespace consentd::ledger
