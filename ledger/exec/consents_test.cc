#include <gtest/gtest.h>

#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::ExecFixture;
using testing::kDay;
using testing::kGenesisTime;
using testing::kYear;

class ConsentsTest : public ExecFixture {
 protected:
  void SetUp() override { Notice(); }
  ConsentRecord Load(const Hash256& id) {
    StateReader r(chain_.ledger().store());
    auto c = r.Consent(id);
    EXPECT_TRUE(c.ok() && c->has_value());
    return c.ok() && c->has_value() ? **c : ConsentRecord{};
  }
};

TEST_F(ConsentsTest, GrantSignedBySubjectAndController) {
  const Hash256 id = Grant("alice");
  const ConsentRecord c = Load(id);
  EXPECT_EQ(c.grant.controller, "insurer-a");
  EXPECT_EQ(c.StatusAt(chain_.next_time()), ConsentStatus::kGiven);
  EXPECT_TRUE(c.ValidAt(chain_.next_time()));
  // Before the block that recorded it, the consent did not exist.
  EXPECT_EQ(c.StatusAt(c.recorded_at - 1), ConsentStatus::kUnknown);
}

TEST_F(ConsentsTest, GeneralRules) {
  // Replay: the same signed tx twice.
  TxPtr tx = chain_.Make(TxType::kConsentGrant, chain_.GrantBody("alice"), {"insurer-a", "alice"});
  EXPECT_EQ(Code(tx), "ok");
  EXPECT_EQ(Code(tx), "tx_duplicate");
  // Expiry.
  TxPtr old = chain_.Make(TxType::kConsentGrant, chain_.GrantBody("bob"), {"insurer-a", "bob"},
                          chain_.ledger().head().height);
  ASSERT_TRUE(chain_.Tick().ok());
  EXPECT_EQ(Code(old), "tx_expired");
  TxPtr far =
      chain_.Make(TxType::kConsentGrant, chain_.GrantBody("bob"), {"insurer-a", "bob"},
                  chain_.ledger().head().height + 1 + chain_.genesis().params.max_tx_lifetime + 1);
  EXPECT_EQ(Code(far), "tx_expiry_too_far");
  // Signatures: the subject must sign; nobody else may.
  EXPECT_EQ(Code(TxType::kConsentGrant, chain_.GrantBody("carol"), {"insurer-a"}),
            "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kConsentGrant, chain_.GrantBody("carol"), {"carol"}),
            "tx_missing_signature");
  EXPECT_EQ(
      Code(TxType::kConsentGrant, chain_.GrantBody("carol"), {"insurer-a", "carol", "mallory"}),
      "tx_unexpected_signer");
}

TEST_F(ConsentsTest, GrantRejections) {
  Json b = chain_.GrantBody("alice");
  b["notice"]["version"] = 9;
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "notice_unknown");

  b = chain_.GrantBody("alice");
  b["valid_until"] = b["valid_from"];
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "consent_invalid_period");

  b = chain_.GrantBody("alice");
  b["categories"] = {"Health"};  // sensitive: separate consent (PIPL Art. 29)
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "consent_separate_required");
  b = chain_.GrantBody("alice");
  b["recipients"] = {"processor"};  // third party (Art. 23)
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "consent_separate_required");

  b = chain_.GrantBody("kid");
  b["categories"] = {"MinorUnder14"};
  b["separate"] = true;
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "kid"}), "consent_guardian_required");
  b["delegate"] = chain_.Key("parent").public_key().Hex();
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "parent"}), "ok");

  b = chain_.GrantBody("alice");
  b["recipients"] = {"nobody"};
  b["separate"] = true;
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "member_unknown");

  b = chain_.GrantBody("alice", "processor");  // a processor is no controller
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"processor", "alice"}), "member_role_missing");

  b = chain_.GrantBody("alice", "ghost");
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "member_unknown");
}

TEST_F(ConsentsTest, CrossBorderGrantNeedsAnActiveCoveringAgreement) {
  Json b = chain_.GrantBody("alice");
  b["recipients"] = {"insurer-x"};
  b["jurisdictions"] = {"SG"};
  b["separate"] = true;
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "consent_agreement_required");
  b["agreement"] = Hex(testing::HashOf("no such agreement"));
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "agreement_unknown");

  const Hash256 pending = Commit(TxType::kAgreementCreate,
                                 Json{{"exporter", "insurer-a"},
                                      {"importer", "insurer-x"},
                                      {"mechanism", "scc"},
                                      {"filing_ref_hash", Hex(testing::HashOf("f"))},
                                      {"destinations", {"SG"}},
                                      {"purposes", {"ClaimsHandling"}},
                                      {"categories", {"Contact"}},
                                      {"valid_from", kGenesisTime},
                                      {"valid_until", kGenesisTime + kYear}},
                                 {"insurer-a", "insurer-x"});
  b["agreement"] = Hex(pending);
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "agreement_not_active");

  const Hash256 active = ActiveAgreement();
  b["agreement"] = Hex(active);
  b["purposes"] = {"Marketing"};  // the agreement does not cover it
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "agreement_does_not_cover");
  b["purposes"] = {"ClaimsHandling"};
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "ok");
  b["jurisdictions"] = {"CN"};  // the controller's own jurisdiction is not abroad
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "tx_invalid_value");
}

TEST_F(ConsentsTest, WithdrawBySubjectAloneOpensErasure) {
  const Hash256 id = Grant("alice");
  EXPECT_EQ(Code(TxType::kConsentWithdraw, Json{{"consent_id", Hex(id)}}, {"insurer-a"}),
            "tx_missing_signature");
  const Hash256 w = Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(id)}}, {"alice"});
  const ConsentRecord c = Load(id);
  EXPECT_EQ(c.StatusAt(chain_.next_time()), ConsentStatus::kWithdrawn);
  // Not retroactive (PIPL Art. 15): valid just before the withdrawal.
  EXPECT_TRUE(c.ValidAt(c.events.back().at - 1));
  StateReader r(chain_.ledger().store());
  auto erasure = r.Rights(w);
  ASSERT_TRUE(erasure.ok() && erasure->has_value());
  EXPECT_EQ((*erasure)->kind, "delete");
  EXPECT_EQ((*erasure)->origin, RightsOrigin::kWithdrawal);
  EXPECT_EQ((*erasure)->deadline, c.events.back().at + chain_.genesis().params.rights_deadline_ms);
  // A withdrawn consent cannot be withdrawn or revoked again.
  EXPECT_EQ(Code(TxType::kConsentWithdraw, Json{{"consent_id", Hex(id)}}, {"alice"}),
            "consent_not_active");
  EXPECT_EQ(Code(TxType::kConsentRevoke, Json{{"consent_id", Hex(id)}, {"reason", "purpose_met"}},
                 {"insurer-a"}),
            "consent_not_active");
  EXPECT_EQ(
      Code(TxType::kConsentWithdraw, Json{{"consent_id", Hex(testing::HashOf("none"))}}, {"alice"}),
      "consent_unknown");
}

TEST_F(ConsentsTest, RefSubjectsUseControllerEvidence) {
  const std::string ref = Hex(testing::HashOf("hmac of a customer id"));
  Json b = chain_.GrantBody("unused");
  b["subject"] = {{"ref", ref}};
  b["evidence_hash"] = Hex(testing::HashOf("scanned paper form"));
  b["collection_method"] = "paper";
  const Hash256 id = Commit(TxType::kConsentGrant, b, {"insurer-a"});
  EXPECT_EQ(Code(TxType::kConsentWithdraw, Json{{"consent_id", Hex(id)}}, {"insurer-a"}),
            "tx_missing_field");
  EXPECT_EQ(Code(TxType::kConsentWithdraw,
                 Json{{"consent_id", Hex(id)}, {"evidence_hash", Hex(testing::HashOf("call"))}},
                 {"insurer-a"}),
            "ok");
}

TEST_F(ConsentsTest, RevokeByControllerOrRegulator) {
  const Hash256 a = Grant("alice");
  const Hash256 b = Grant("bob");
  EXPECT_EQ(Code(TxType::kConsentRevoke, Json{{"consent_id", Hex(a)}, {"reason", "service_ended"}},
                 {"insurer-b"}),
            "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kConsentRevoke, Json{{"consent_id", Hex(a)}, {"reason", "service_ended"}},
                 {"insurer-a"}),
            "ok");
  EXPECT_EQ(Code(TxType::kConsentRevoke, Json{{"consent_id", Hex(b)}, {"reason", "unlawful"}},
                 {"regulator"}),
            "ok");
  const ConsentRecord rb = Load(b);
  EXPECT_EQ(rb.StatusAt(chain_.next_time()), ConsentStatus::kRevoked);
  EXPECT_EQ(rb.events.back().by, "regulator");
  EXPECT_EQ(rb.events.back().reason, "unlawful");
}

TEST_F(ConsentsTest, RenewalSupersedes) {
  const Hash256 old_id = Grant("alice");
  Json renew = chain_.GrantBody("alice");
  renew["supersedes"] = Hex(old_id);
  renew["valid_until"] = kGenesisTime + 5 * kYear;
  const Hash256 new_id = Commit(TxType::kConsentGrant, renew, {"insurer-a", "alice"});
  const std::int64_t t = chain_.next_time();
  EXPECT_EQ(Load(old_id).StatusAt(t), ConsentStatus::kSuperseded);
  EXPECT_EQ(Load(new_id).StatusAt(t), ConsentStatus::kRenewed);
  // A superseded consent cannot be renewed again; another subject's cannot be renewed at all.
  EXPECT_EQ(Code(TxType::kConsentGrant, renew, {"insurer-a", "alice"}),
            "consent_supersede_invalid");
  Json wrong = chain_.GrantBody("bob");
  wrong["supersedes"] = Hex(new_id);
  EXPECT_EQ(Code(TxType::kConsentGrant, wrong, {"insurer-a", "bob"}), "consent_supersede_invalid");
  wrong["supersedes"] = Hex(testing::HashOf("nothing"));
  EXPECT_EQ(Code(TxType::kConsentGrant, wrong, {"insurer-a", "bob"}), "consent_unknown");
}

TEST_F(ConsentsTest, ExpiryIsDerivedFromValidUntil) {
  Json b = chain_.GrantBody("alice");
  b["valid_until"] = chain_.next_time() + 10 * kDay;
  const Hash256 id = Grant("alice", b);
  chain_.Advance(11 * kDay);
  ASSERT_TRUE(chain_.Tick().ok());
  EXPECT_EQ(Load(id).StatusAt(chain_.next_time()), ConsentStatus::kExpired);
  EXPECT_EQ(Code(TxType::kConsentWithdraw, Json{{"consent_id", Hex(id)}}, {"alice"}),
            "consent_not_active");
}

}  // namespace
}  // namespace consentd::ledger
