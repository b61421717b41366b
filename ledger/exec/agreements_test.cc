#include <gtest/gtest.h>

#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::ExecFixture;
using testing::kGenesisTime;
using testing::kYear;

class AgreementsTest : public ExecFixture {
 protected:
  Json Create(std::string mechanism = "standard-contract") {
    return Json{{"exporter", "insurer-a"},
                {"importer", "insurer-x"},
                {"mechanism", mechanism},
                {"filing_ref_hash", Hex(testing::HashOf("filing"))},
                {"destinations", {"SG"}},
                {"purposes", {"ClaimsHandling"}},
                {"categories", {"Contact"}},
                {"valid_from", kGenesisTime},
                {"valid_until", kGenesisTime + kYear}};
  }
  Json Id(const Hash256& id, std::string reason = "") {
    Json j{{"agreement_id", Hex(id)}};
    if (!reason.empty()) j["reason"] = reason;
    return j;
  }
  AgreementStatus StatusNow(const Hash256& id) {
    StateReader r(chain_.ledger().store());
    auto a = r.Agreement(id);
    EXPECT_TRUE(a.ok() && a->has_value());
    return (*a)->StatusAt(chain_.next_time());
  }
  const std::vector<std::string> kParties = {"insurer-a", "insurer-x"};
};

TEST_F(AgreementsTest, FullLifecycle) {
  const Hash256 id = Commit(TxType::kAgreementCreate, Create(), kParties);
  EXPECT_EQ(StatusNow(id), AgreementStatus::kPending);
  EXPECT_EQ(Code(TxType::kAgreementActivate, Id(id), kParties), "ok");
  EXPECT_EQ(StatusNow(id), AgreementStatus::kActive);
  EXPECT_EQ(Code(TxType::kAgreementSuspend, Id(id, "breach"), {"insurer-x"}), "ok");
  EXPECT_EQ(StatusNow(id), AgreementStatus::kSuspended);
  EXPECT_EQ(Code(TxType::kAgreementActivate, Id(id), kParties), "ok");
  EXPECT_EQ(Code(TxType::kAgreementTerminate, Id(id, "party_request"), {"insurer-a"}), "ok");
  EXPECT_EQ(StatusNow(id), AgreementStatus::kTerminated);
  // Terminated is final.
  EXPECT_EQ(Code(TxType::kAgreementActivate, Id(id), kParties), "agreement_invalid_transition");
  EXPECT_EQ(Code(TxType::kAgreementTerminate, Id(id, "party_request"), {"insurer-a"}),
            "agreement_invalid_transition");
}

TEST_F(AgreementsTest, CreateRejections) {
  EXPECT_EQ(Code(TxType::kAgreementCreate, Create(), {"insurer-a"}), "tx_missing_signature");
  Json b = Create();
  b["valid_until"] = kGenesisTime - 1;
  EXPECT_EQ(Code(TxType::kAgreementCreate, b, kParties), "agreement_invalid_period");
  b = Create();
  b["destinations"] = {"SG", "CN"};  // CN is the exporter's own jurisdiction
  EXPECT_EQ(Code(TxType::kAgreementCreate, b, kParties), "tx_invalid_value");
  b = Create();
  b["importer"] = "nobody";
  EXPECT_EQ(Code(TxType::kAgreementCreate, b, {"insurer-a"}), "member_unknown");
  b = Create();
  b["mechanism"] = "handshake";
  EXPECT_EQ(Code(TxType::kAgreementCreate, b, kParties), "tx_invalid_code");
}

TEST_F(AgreementsTest, TransitionRejections) {
  EXPECT_EQ(Code(TxType::kAgreementActivate, Id(testing::HashOf("none")), kParties),
            "agreement_unknown");
  const Hash256 id = Commit(TxType::kAgreementCreate, Create(), kParties);
  // Only an Active agreement can be suspended.
  EXPECT_EQ(Code(TxType::kAgreementSuspend, Id(id, "breach"), {"insurer-a"}),
            "agreement_invalid_transition");
  EXPECT_EQ(Code(TxType::kAgreementActivate, Id(id), {"insurer-a"}), "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kAgreementTerminate, Id(id, "breach"), {"insurer-b"}),
            "tx_missing_signature");
}

TEST_F(AgreementsTest, CacAssessmentNeedsApprovalToActivate) {
  const Hash256 id = Commit(TxType::kAgreementCreate, Create("cac-assessment"), kParties);
  EXPECT_EQ(Code(TxType::kAgreementActivate, Id(id), kParties), "agreement_approval_required");
  Json with = Id(id);
  with["approval_ref_hash"] = Hex(testing::HashOf("CAC approval"));
  EXPECT_EQ(Code(TxType::kAgreementActivate, with, kParties), "ok");
}

TEST_F(AgreementsTest, RegulatorSuspensionNeedsRegulatorToLift) {
  const Hash256 id = Commit(TxType::kAgreementCreate, Create(), kParties);
  ASSERT_EQ(Code(TxType::kAgreementActivate, Id(id), kParties), "ok");
  ASSERT_EQ(Code(TxType::kAgreementSuspend, Id(id, "regulator_order"), {"regulator"}), "ok");
  EXPECT_EQ(Code(TxType::kAgreementActivate, Id(id), kParties), "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kAgreementActivate, Id(id), {"insurer-a", "insurer-x", "regulator"}),
            "ok");
}

TEST_F(AgreementsTest, ActivationAfterExpiryIsRefused) {
  Json b = Create();
  b["valid_until"] = chain_.next_time() + 5000;
  const Hash256 id = Commit(TxType::kAgreementCreate, b, kParties);
  chain_.Advance(10000);
  EXPECT_EQ(Code(TxType::kAgreementActivate, Id(id), kParties), "agreement_invalid_period");
}

}  // namespace
}  // namespace consentd::ledger
