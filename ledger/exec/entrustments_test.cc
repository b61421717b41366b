// Entrusted processing and impact assessments (ledger/exec/entrustments.cc).

#include <gtest/gtest.h>

#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::kDay;

class EntrustmentsTest : public testing::ExecFixture {
 protected:
  explicit EntrustmentsTest(Genesis g = testing::DefaultGenesis()) : ExecFixture(std::move(g)) {}
  void SetUp() override { Notice(); }

  Json Terms() {
    return Json{{"controller", "insurer-a"},
                {"processor", "processor"},
                {"purposes", {"ClaimsHandling"}},
                {"categories", {"Contact", "Health"}},
                {"contract_hash", Hex(testing::HashOf("processing contract"))},
                {"valid_from", testing::kGenesisTime},
                {"valid_until", testing::kGenesisTime + testing::kYear}};
  }
  Hash256 Entrust() {
    return Commit(TxType::kEntrustmentCreate, Terms(), {"insurer-a", "processor"});
  }
  Json Entrusted(const std::string& subject, const Hash256& entrustment,
                 const std::string& category = "Contact") {
    Json s = Sharing(subject, "processor", category);
    s["legal_basis"] = "entrusted";
    s["entrustment"] = Hex(entrustment);
    return s;
  }
  Json Assessment(Json scopes) {
    return Json{{"controller", "insurer-a"},
                {"assessment_hash", Hex(testing::HashOf("impact assessment 2026"))},
                {"scopes", std::move(scopes)},
                {"valid_from", testing::kGenesisTime},
                {"valid_until", testing::kGenesisTime + testing::kYear}};
  }
};

TEST_F(EntrustmentsTest, AnEntrustedProcessorNeedsNoSeparateConsentButOnlyWithinTheContract) {
  Grant("alice");  // ClaimsHandling, Contact; no recipients named
  // On the basis of consent, the processor is a third party the consent does not name.
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "recipient_not_covered");
  EXPECT_EQ(Code(TxType::kEntrustmentCreate, Terms(), {"insurer-a"}), "tx_missing_signature");
  Json backwards = Terms();
  backwards["valid_until"] = testing::kGenesisTime;
  EXPECT_EQ(Code(TxType::kEntrustmentCreate, backwards, {"insurer-a", "processor"}),
            "entrustment_invalid_period");
  const Hash256 e = Entrust();
  EXPECT_EQ(Code(TxType::kSharingRecord, Entrusted("alice", e), {"insurer-a"}), "ok");

  // Only within the contract: its processor, purposes, categories; domestically.
  Json other = Entrusted("alice", e);
  other["recipient"] = "insurer-b";
  EXPECT_EQ(Code(TxType::kSharingRecord, other, {"insurer-a"}), "entrustment_does_not_cover");
  Json marketing = Entrusted("alice", e);
  marketing["purpose"] = "Marketing";
  EXPECT_EQ(Code(TxType::kSharingRecord, marketing, {"insurer-a"}), "entrustment_does_not_cover");
  EXPECT_EQ(Code(TxType::kSharingRecord, Entrusted("alice", e, "Financial"), {"insurer-a"}),
            "entrustment_does_not_cover");
  Json abroad = Entrusted("alice", e);
  abroad["destination"] = "SG";
  EXPECT_EQ(Code(TxType::kSharingRecord, abroad, {"insurer-a"}), "entrustment_does_not_cover");
  // The controller itself must be able to process the data: a consent for the purpose.
  EXPECT_EQ(Code(TxType::kSharingRecord, Entrusted("bob", e), {"insurer-a"}), "no_consent");
  EXPECT_EQ(
      Code(TxType::kSharingRecord, Entrusted("alice", testing::HashOf("none")), {"insurer-a"}),
      "entrustment_unknown");
  // The schema: an entrusted sharing names its entrustment, others do not.
  Json unnamed = Entrusted("alice", e);
  unnamed.erase("entrustment");
  EXPECT_EQ(Code(TxType::kSharingRecord, unnamed, {"insurer-a"}), "tx_missing_field");
  Json named = Sharing("alice");
  named["entrustment"] = Hex(e);
  EXPECT_EQ(Code(TxType::kSharingRecord, named, {"insurer-a"}), "tx_invalid_value");

  // Terminated: no longer (by the processor here; a stranger may not).
  const Json end{{"entrustment_id", Hex(e)}, {"reason", "party_request"}};
  EXPECT_EQ(Code(TxType::kEntrustmentTerminate, end, {"insurer-b"}), "tx_missing_signature");
  ASSERT_EQ(Code(TxType::kEntrustmentTerminate, end, {"processor"}), "ok");
  EXPECT_EQ(Code(TxType::kEntrustmentTerminate, end, {"insurer-a"}), "entrustment_not_active");
  EXPECT_EQ(Code(TxType::kSharingRecord, Entrusted("alice", e), {"insurer-a"}),
            "entrustment_not_active");
}

Genesis AssessmentGenesis() {
  Genesis g = testing::DefaultGenesis();
  g.params.assessment_required = true;
  return g;
}

class AssessmentsTest : public EntrustmentsTest {
 protected:
  AssessmentsTest() : EntrustmentsTest(AssessmentGenesis()) {}
};

TEST_F(AssessmentsTest, SensitiveEntrustedAndThirdPartySharingWaitForAnAssessment) {
  Json body = chain_.GrantBody("alice");
  body["categories"] = {"Contact", "Health"};
  body["recipients"] = {"processor"};
  body["separate"] = true;
  Grant("alice", body);
  const Hash256 e = Entrust();
  EXPECT_EQ(Code(TxType::kSharingRecord, Entrusted("alice", e), {"insurer-a"}),
            "assessment_required");
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "assessment_required");
  // An assessment covers only its scopes.
  ASSERT_EQ(Code(TxType::kAssessmentRecord, Assessment({"entrusted"}), {"insurer-a"}), "ok");
  EXPECT_EQ(Code(TxType::kSharingRecord, Entrusted("alice", e), {"insurer-a"}), "ok");
  EXPECT_EQ(Code(TxType::kSharingRecord, Entrusted("alice", e, "Health"), {"insurer-a"}),
            "assessment_required");  // sensitive, too
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "assessment_required");
  ASSERT_EQ(
      Code(TxType::kAssessmentRecord, Assessment({"sensitive", "third_party"}), {"insurer-a"}),
      "ok");
  EXPECT_EQ(Code(TxType::kSharingRecord, Entrusted("alice", e, "Health"), {"insurer-a"}), "ok");
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "ok");
  // Only the controller records its own, for a period that has not ended.
  EXPECT_EQ(Code(TxType::kAssessmentRecord, Assessment({"automated"}), {"insurer-b"}),
            "tx_missing_signature");
  Json old = Assessment({"automated"});
  old["valid_until"] = testing::kGenesisTime;
  EXPECT_EQ(Code(TxType::kAssessmentRecord, old, {"insurer-a"}), "assessment_invalid_period");
  // Past its validity an assessment no longer counts.
  chain_.Advance(testing::kYear + kDay);
  Json later = Sharing("alice");
  later["shared_at"] = chain_.next_time() - 1;
  EXPECT_EQ(Code(TxType::kSharingRecord, later, {"insurer-a"}), "assessment_required");
}

TEST_F(AssessmentsTest, ADomesticSharingOfOrdinaryDataWithTheRegulatorNeedsNone) {
  Json report = Sharing("alice", "regulator");
  report["legal_basis"] = "legal_obligation";
  EXPECT_EQ(Code(TxType::kSharingRecord, report, {"insurer-a"}), "ok");
}

}  // namespace
}  // namespace consentd::ledger
