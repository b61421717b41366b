#include <gtest/gtest.h>

#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::ExecFixture;
using testing::kDay;

class SharingTest : public ExecFixture {
 protected:
  void SetUp() override { Notice(); }
  // alice consents to ClaimsHandling of Contact and Health, shared with processor.
  Hash256 GrantWithProcessor(const std::string& subject = "alice") {
    Json b = chain_.GrantBody(subject);
    b["categories"] = {"Contact", "Health"};
    b["recipients"] = {"processor"};
    b["separate"] = true;
    return Grant(subject, b);
  }
};

TEST_F(SharingTest, CoveredSharingIsAcceptedWithItsJustification) {
  const Hash256 consent = GrantWithProcessor();
  const Hash256 id = Commit(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"});
  StateReader r(chain_.ledger().store());
  auto s = r.Sharing(id);
  ASSERT_TRUE(s.ok() && s->has_value());
  ASSERT_EQ((*s)->consents.size(), 1u);
  EXPECT_EQ((*s)->consents[0], consent);
}

TEST_F(SharingTest, RejectedUnlessLawful) {
  // Each reason a sharing is not covered comes back as its own code.
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("nobody"), {"insurer-a"}), "no_consent");
  GrantWithProcessor();
  Json s = Sharing("alice");
  s["purpose"] = "Marketing";
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "purpose_not_covered");
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice", "processor", "Biometric"), {"insurer-a"}),
            "category_not_covered");
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice", "insurer-b"), {"insurer-a"}),
            "recipient_not_covered");
  s = Sharing("alice");
  s["sender"] = "insurer-b";
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-b"}), "sharing_sender_not_controller");
  s = Sharing("alice");
  s["shared_at"] = testing::kGenesisTime;  // before the consent was recorded
  s["shared_at"] = chain_.next_time() - chain_.genesis().params.max_backdate_ms - 1;
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "sharing_too_old");
  s = Sharing("alice");
  s["shared_at"] = chain_.next_time() + 1;
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "sharing_in_future");
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-b"}), "tx_missing_signature");
}

TEST_F(SharingTest, StatusReasons) {
  // Not yet valid: valid_from in the future.
  Json b = chain_.GrantBody("dave");
  b["recipients"] = {"processor"};
  b["separate"] = true;
  b["valid_from"] = chain_.next_time() + 10 * kDay;
  Grant("dave", b);
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("dave"), {"insurer-a"}), "consent_not_yet_valid");
  // Withdrawn.
  const Hash256 alice = GrantWithProcessor("alice");
  Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(alice)}}, {"alice"});
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "consent_withdrawn");
  // Revoked.
  const Hash256 bob = GrantWithProcessor("bob");
  Commit(TxType::kConsentRevoke, Json{{"consent_id", Hex(bob)}, {"reason", "order"}},
         {"regulator"});
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("bob"), {"insurer-a"}), "consent_revoked");
  // Superseded by a renewal that no longer names the processor.
  const Hash256 carol = GrantWithProcessor("carol");
  Json renew = chain_.GrantBody("carol");
  renew["supersedes"] = Hex(carol);
  Grant("carol", renew);
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("carol"), {"insurer-a"}), "consent_superseded");
  // Expired.
  Json shortlived = chain_.GrantBody("erin");
  shortlived["recipients"] = {"processor"};
  shortlived["separate"] = true;
  shortlived["valid_until"] = chain_.next_time() + 3000;
  Grant("erin", shortlived);
  chain_.Advance(5000);
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("erin"), {"insurer-a"}), "consent_expired");
}

TEST_F(SharingTest, CrossBorderNeedsTheAgreementAtThatTime) {
  const Hash256 agreement = ActiveAgreement();
  Json b = chain_.GrantBody("alice");
  b["recipients"] = {"insurer-x", "processor"};
  b["jurisdictions"] = {"SG"};
  b["agreement"] = Hex(agreement);
  b["separate"] = true;
  Grant("alice", b);
  Json s = Sharing("alice", "insurer-x");
  s["destination"] = "SG";
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "ok");
  // Abroad to a recipient the agreement does not import to.
  Json p = Sharing("alice", "processor");
  p["destination"] = "SG";
  EXPECT_EQ(Code(TxType::kSharingRecord, p, {"insurer-a"}), "agreement_does_not_cover");
  // A destination the consent does not list.
  s["destination"] = "US";
  s["shared_at"] = chain_.next_time() - 1;
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "jurisdiction_not_covered");
  // After suspension, rejected; an earlier sharing remains lawful at its own time.
  Commit(TxType::kAgreementSuspend,
         Json{{"agreement_id", Hex(agreement)}, {"reason", "regulator_order"}}, {"regulator"});
  s["destination"] = "SG";
  s["shared_at"] = chain_.next_time() - 1;
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "agreement_not_active");
}

TEST_F(SharingTest, DomesticConsentDoesNotCoverAbroad) {
  GrantWithProcessor();
  Json s = Sharing("alice");
  s["destination"] = "SG";
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "jurisdiction_not_covered");
}

TEST_F(SharingTest, LegalBases) {
  Json s = Sharing("alice", "regulator");
  s["legal_basis"] = "legal_obligation";
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "ok");  // no consent needed
  s = Sharing("alice", "processor");
  s["legal_basis"] = "legal_obligation";
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "sharing_recipient_not_regulator");
  s["legal_basis"] = "contract";
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "sharing_basis_unsupported");
}

}  // namespace
}  // namespace consentd::ledger
