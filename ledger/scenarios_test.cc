// Lifecycle scenarios from the domain (DOMAIN.md), end to end through signed transactions,
// committed blocks and the auditor's queries.

#include <gtest/gtest.h>

#include "ledger/query/queries.h"
#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::ExecFixture;
using testing::kDay;
using testing::kGenesisTime;
using testing::kYear;

class ScenarioTest : public ExecFixture {
 protected:
  void SetUp() override {
    Notice("insurer-a");
    Notice("insurer-b");
  }
  Queries Q() { return Queries(chain_.ledger()); }
  Json Ask(const std::string& subject, const std::string& recipient, std::int64_t at,
           const std::string& purpose = "ClaimsHandling",
           std::optional<std::string> jurisdiction = {}) {
    CheckRequest req;
    req.subject = *Subject::FromString("key:" + chain_.SubjectHex(subject));
    req.recipient = recipient;
    req.purpose = purpose;
    req.categories = {"Contact"};
    req.jurisdiction = jurisdiction;
    req.at = at;
    auto r = Q().Check(req);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Json();
  }
  Json WithProcessor(const std::string& subject) {
    Json b = chain_.GrantBody(subject);
    b["recipients"] = {"processor"};
    b["separate"] = true;
    return b;
  }
};

TEST_F(ScenarioTest, WithdrawalStopsFutureSharingButNotThePast) {
  const Hash256 consent = Grant("alice", WithProcessor("alice"));
  Json s = Sharing("alice");
  const std::int64_t first_shared_at = s["shared_at"];
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "ok");
  Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(consent)}}, {"alice"});
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "consent_withdrawn");
  // The auditor asks about both moments.
  const Json before = Ask("alice", "processor", first_shared_at);
  EXPECT_TRUE(before["allowed"].get<bool>());
  EXPECT_EQ(before["consents"][0], Hex(consent));
  const Json after = Ask("alice", "processor", chain_.ledger().head().time_ms);
  EXPECT_FALSE(after["allowed"].get<bool>());
  EXPECT_EQ(after["reason"], "consent_withdrawn");
  EXPECT_EQ(after["height"], chain_.ledger().head().height);
}

TEST_F(ScenarioTest, ExpiryAndRenewal) {
  Json b = WithProcessor("alice");
  b["valid_until"] = chain_.next_time() + 30 * kDay;
  const Hash256 first = Grant("alice", b);
  const std::int64_t mid = chain_.next_time();
  chain_.Advance(31 * kDay);
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "consent_expired");
  EXPECT_EQ(Ask("alice", "processor", mid)["allowed"], true);
  // Renewal of an expired consent is a fresh grant; renewing a live one supersedes it.
  const Hash256 second = Grant("alice", WithProcessor("alice"));
  Json renew = WithProcessor("alice");
  renew["supersedes"] = Hex(second);
  renew["valid_until"] = kGenesisTime + 4 * kYear;
  const Hash256 third = Grant("alice", renew);
  const Json c2 = *Q().Consent(second).value();
  const Json c3 = *Q().Consent(third).value();
  EXPECT_EQ(c2["status"], "Superseded");
  EXPECT_EQ(c2["superseded_by"], Hex(third));
  EXPECT_EQ(c3["status"], "Renewed");
  EXPECT_EQ(Q().Consent(first).value()->at("status"), "Expired");
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "ok");
}

TEST_F(ScenarioTest, CrossBorderFollowsTheAgreement) {
  // Without an agreement the grant itself is refused.
  Json b = chain_.GrantBody("alice");
  b["recipients"] = {"insurer-x"};
  b["jurisdictions"] = {"SG"};
  b["separate"] = true;
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "consent_agreement_required");
  // Create, activate, grant, share.
  const Hash256 agreement = Commit(TxType::kAgreementCreate,
                                   Json{{"exporter", "insurer-a"},
                                        {"importer", "insurer-x"},
                                        {"mechanism", "standard-contract"},
                                        {"filing_ref_hash", Hex(testing::HashOf("filing"))},
                                        {"destinations", {"SG"}},
                                        {"purposes", {"ClaimsHandling"}},
                                        {"categories", {"Contact"}},
                                        {"valid_from", kGenesisTime},
                                        {"valid_until", kGenesisTime + 3 * kYear}},
                                   {"insurer-a", "insurer-x"});
  b["agreement"] = Hex(agreement);
  EXPECT_EQ(Code(TxType::kConsentGrant, b, {"insurer-a", "alice"}), "agreement_not_active");
  Commit(TxType::kAgreementActivate, Json{{"agreement_id", Hex(agreement)}},
         {"insurer-a", "insurer-x"});
  Grant("alice", b);
  Json s = Sharing("alice", "insurer-x");
  s["destination"] = "SG";
  const std::int64_t lawful_at = s["shared_at"];
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "ok");
  // Suspended by the regulator: the next transfer abroad is refused.
  Commit(TxType::kAgreementSuspend,
         Json{{"agreement_id", Hex(agreement)}, {"reason", "regulator_order"}}, {"regulator"});
  s["shared_at"] = chain_.next_time() - 1;
  EXPECT_EQ(Code(TxType::kSharingRecord, s, {"insurer-a"}), "agreement_not_active");
  const Json then = Ask("alice", "insurer-x", lawful_at, "ClaimsHandling", "SG");
  EXPECT_EQ(then["allowed"], true);
  EXPECT_EQ(then["agreement"], Hex(agreement));
  EXPECT_EQ(
      Ask("alice", "insurer-x", chain_.ledger().head().time_ms, "ClaimsHandling", "SG")["reason"],
      "agreement_not_active");
}

TEST_F(ScenarioTest, PortfolioTransferMovesControllership) {
  const Hash256 consent = Grant("alice", WithProcessor("alice"));
  const std::int64_t effective = chain_.next_time() + kDay;
  Commit(TxType::kPortfolioTransfer,
         Json{{"transferor", "insurer-a"},
              {"transferee", "insurer-b"},
              {"consents", {Hex(consent)}},
              {"effective_at", effective},
              {"notice_hash", Hex(testing::HashOf("we have a new owner"))},
              {"approval_ref_hash", Hex(testing::HashOf("regulator approval"))}},
         {"insurer-a", "insurer-b"});
  // Before it takes effect the transferor still shares.
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "ok");
  chain_.SetNextTime(effective + 1000);
  Json by_b = Sharing("alice");
  by_b["sender"] = "insurer-b";
  EXPECT_EQ(Code(TxType::kSharingRecord, by_b, {"insurer-b"}), "ok");
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}),
            "sharing_sender_not_controller");
  // Purposes do not widen: a new purpose needs a new grant.
  by_b["purpose"] = "Marketing";
  EXPECT_EQ(Code(TxType::kSharingRecord, by_b, {"insurer-b"}), "purpose_not_covered");
  const Json view = *Q().Consent(consent).value();
  EXPECT_EQ(view["controller"], "insurer-b");
  EXPECT_EQ(view["original_controller"], "insurer-a");
  EXPECT_EQ(view["status"], "Transferred");
  // The transferor hands the data over to its successor (PIPL Art. 22).
  Json handover = Sharing("alice", "insurer-b");
  EXPECT_EQ(Code(TxType::kSharingRecord, handover, {"insurer-a"}), "ok");
}

TEST_F(ScenarioTest, OverdueErasureUntilFulfilled) {
  const Hash256 consent = Grant("alice");
  const Hash256 obligation =
      Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(consent)}}, {"alice"});
  auto overdue = [&] {
    auto page = Q().Rights("overdue", PageRequest{});
    EXPECT_TRUE(page.ok());
    return page->items.size();
  };
  EXPECT_EQ(Q().Rights("open", PageRequest{})->items.size(), 1u);
  EXPECT_EQ(overdue(), 0u);
  chain_.Advance(16 * kDay);
  ASSERT_TRUE(chain_.Tick().ok());
  ASSERT_EQ(overdue(), 1u);
  EXPECT_EQ(Q().Rights("overdue", PageRequest{})->items[0]["id"], Hex(obligation));
  Commit(TxType::kRightsFulfil,
         Json{{"request_id", Hex(obligation)},
              {"outcome", "fulfilled"},
              {"attestation_hash", Hex(testing::HashOf("deleted from claims db"))}},
         {"insurer-a"});
  EXPECT_EQ(overdue(), 0u);
  EXPECT_EQ(Q().Rights("open", PageRequest{})->items.size(), 0u);
}

TEST_F(ScenarioTest, GovernanceBelowThresholdChangesNothing) {
  Json reg{{"member", "insurer-c"},
           {"roles", {"insurer"}},
           {"keys", {chain_.Key("insurer-c").public_key().Hex()}},
           {"jurisdiction", "CN"}};
  EXPECT_EQ(Code(TxType::kMemberRegister, reg, {"insurer-a", "insurer-b"}),
            "governance_threshold_not_met");
  EXPECT_FALSE(Q().Member("insurer-c").value().has_value());
  EXPECT_EQ(Code(TxType::kMemberRegister, reg, {"insurer-a", "insurer-b", "insurer-x"}), "ok");
  EXPECT_TRUE(Q().Member("insurer-c").value().has_value());
}

}  // namespace
}  // namespace consentd::ledger
