#include <gtest/gtest.h>

#include "ledger/query/queries.h"
#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::ExecFixture;
using testing::kDay;

class RightsTest : public ExecFixture {
 protected:
  // alice holds a consent with insurer-a, so she may ask insurer-a (bob holds none).
  void SetUp() override {
    Notice();
    Grant("alice");
  }
  Json Request(const std::string& subject, const std::string& kind = "access") {
    return Json{{"controller", "insurer-a"}, {"subject", Subject(subject)}, {"kind", kind}};
  }
  Json Fulfil(const Hash256& id) {
    return Json{{"request_id", Hex(id)},
                {"outcome", "fulfilled"},
                {"attestation_hash", Hex(testing::HashOf("erased"))}};
  }
  RightsRecord Load(const Hash256& id) {
    StateReader r(chain_.ledger().store());
    return *r.Rights(id).value();
  }
};

TEST_F(RightsTest, RequestAndFulfilOnTime) {
  const Hash256 id = Commit(TxType::kRightsRequest, Request("alice", "delete"), {"alice"});
  EXPECT_TRUE(Load(id).open());
  EXPECT_EQ(Code(TxType::kRightsFulfil, Fulfil(id), {"insurer-b"}), "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kRightsFulfil, Fulfil(id), {"insurer-a"}), "ok");
  const RightsRecord r = Load(id);
  EXPECT_EQ(r.status, RightsStatus::kFulfilled);
  EXPECT_LE(r.closed_at, r.deadline);
  EXPECT_EQ(Code(TxType::kRightsFulfil, Fulfil(id), {"insurer-a"}), "rights_already_closed");
  EXPECT_EQ(Code(TxType::kRightsFulfil, Fulfil(testing::HashOf("nope")), {"insurer-a"}),
            "rights_unknown_request");
}

TEST_F(RightsTest, RefusalNeedsAReason) {
  const Hash256 id = Commit(TxType::kRightsRequest, Request("alice", "port"), {"alice"});
  Json refuse{{"request_id", Hex(id)},
              {"outcome", "refused"},
              {"attestation_hash", Hex(testing::HashOf("a"))}};
  EXPECT_EQ(Code(TxType::kRightsFulfil, refuse, {"insurer-a"}), "rights_refusal_reason_required");
  refuse["reason"] = "identity_not_verified";
  EXPECT_EQ(Code(TxType::kRightsFulfil, refuse, {"insurer-a"}), "ok");
  EXPECT_EQ(Load(id).status, RightsStatus::kRefused);
}

TEST_F(RightsTest, RequestRejections) {
  EXPECT_EQ(Code(TxType::kRightsRequest, Request("alice"), {"insurer-a"}), "tx_missing_signature");
  Json r = Request("alice");
  r["consent_id"] = Hex(testing::HashOf("none"));
  EXPECT_EQ(Code(TxType::kRightsRequest, r, {"alice"}), "consent_unknown");
  Json ref{{"controller", "insurer-a"},
           {"subject", {{"ref", Hex(testing::HashOf("ref"))}}},
           {"kind", "correct"}};
  EXPECT_EQ(Code(TxType::kRightsRequest, ref, {"insurer-a"}), "tx_missing_field");
  ref["evidence_hash"] = Hex(testing::HashOf("phone call"));
  EXPECT_EQ(Code(TxType::kRightsRequest, ref, {"insurer-a"}), "ok");
  Json wrong_kind = Request("alice", "sell");
  EXPECT_EQ(Code(TxType::kRightsRequest, wrong_kind, {"alice"}), "tx_invalid_code");
}

TEST_F(RightsTest, OnlyASubjectWithAConsentAtTheControllerOpensARequestAndAtMostEight) {
  // A key no insurer knows cannot start a legal deadline at insurer-a.
  EXPECT_EQ(Code(TxType::kRightsRequest, Request("bob", "delete"), {"bob"}), "rights_not_entitled");
  // Nor at a controller alice has no consent with.
  Json elsewhere = Request("alice", "delete");
  elsewhere["controller"] = "insurer-b";
  EXPECT_EQ(Code(TxType::kRightsRequest, elsewhere, {"alice"}), "rights_not_entitled");
  // A former consent still entitles: bob grants, then withdraws, then asks.
  const Hash256 bobs = Grant("bob");
  EXPECT_EQ(Code(TxType::kConsentWithdraw, Json{{"consent_id", Hex(bobs)}}, {"bob"}), "ok");
  EXPECT_EQ(Code(TxType::kRightsRequest, Request("bob", "access"), {"bob"}), "ok");

  // Eight open requests at once; the withdrawal's erasure obligation does not count.
  for (int i = 1; i < 8; ++i) {
    EXPECT_EQ(Code(TxType::kRightsRequest, Request("bob", "access"), {"bob"}), "ok") << i;
  }
  const std::string ninth = Code(TxType::kRightsRequest, Request("bob", "port"), {"bob"});
  EXPECT_EQ(ninth, "rights_too_many_open");
  // Closing one makes room again.
  StateReader reader(chain_.ledger().store());
  auto ids = reader.SubjectRightsIds(
      ledger::Subject{Subject::Kind::kKey, chain_.Key("bob").public_key().bytes()});
  ASSERT_TRUE(ids.ok());
  Hash256 open_request{};
  for (const Hash256& id : *ids) {
    if (Load(id).origin == RightsOrigin::kRequest) open_request = id;
  }
  EXPECT_EQ(Code(TxType::kRightsFulfil, Fulfil(open_request), {"insurer-a"}), "ok");
  EXPECT_EQ(Code(TxType::kRightsRequest, Request("bob", "port"), {"bob"}), "ok");
}

TEST_F(RightsTest, OverdueAfterTheDeadline) {
  const Hash256 id = Commit(TxType::kRightsRequest, Request("alice", "delete"), {"alice"});
  const RightsRecord r = Load(id);
  EXPECT_FALSE(r.OverdueAt(r.deadline));
  EXPECT_TRUE(r.OverdueAt(r.deadline + 1));
  chain_.Advance(16 * kDay);
  EXPECT_EQ(Code(TxType::kRightsFulfil, Fulfil(id), {"insurer-a"}), "ok");
  EXPECT_GT(Load(id).closed_at, Load(id).deadline);  // fulfilled late, and the ledger shows it
}

TEST_F(RightsTest, IncidentReport) {
  Json b{{"controller", "insurer-a"},
         {"detected_at", chain_.next_time() - 3600'000},
         {"categories", {"Contact", "Health"}},
         {"cause", "unauthorized_access"},
         {"harms", {"medium"}},
         {"remedies", {"contained", "credentials_reset"}},
         {"affected_count", 120},
         {"affected_commitment", Hex(testing::HashOf("merkle root of affected refs"))},
         {"notice_hash", Hex(testing::HashOf("incident notice"))},
         {"regulator_notified_at", chain_.next_time() - 1800'000}};
  EXPECT_EQ(Code(TxType::kIncidentReport, b, {"insurer-b"}), "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kIncidentReport, b, {"insurer-a"}), "ok");
  Json future = b;
  future["detected_at"] = chain_.next_time() + 1;
  future.erase("regulator_notified_at");
  EXPECT_EQ(Code(TxType::kIncidentReport, future, {"insurer-a"}), "incident_invalid_time");
  Json before = b;
  before["regulator_notified_at"] = b["detected_at"].get<std::int64_t>() - 1;
  EXPECT_EQ(Code(TxType::kIncidentReport, before, {"insurer-a"}), "incident_invalid_time");
  Json ghost = b;
  ghost["controller"] = "ghost";
  EXPECT_EQ(Code(TxType::kIncidentReport, ghost, {"insurer-a"}), "member_unknown");
}

TEST_F(RightsTest, IncidentUpdatesFollowTheReportInOrder) {
  const std::int64_t detected = chain_.next_time() - 3600'000;
  Json b{{"controller", "insurer-a"},
         {"detected_at", detected},
         {"categories", {"Contact"}},
         {"cause", "unauthorized_access"},
         {"harms", {"medium"}},
         {"remedies", {"contained"}},
         {"affected_count", 120},
         {"affected_commitment", Hex(testing::HashOf("affected"))},
         {"notice_hash", Hex(testing::HashOf("incident notice"))},
         {"regulator_notified_at", detected + 1000}};
  const Hash256 id = Commit(TxType::kIncidentReport, b, {"insurer-a"});
  auto update = [&](Json fields) {
    fields["incident_id"] = Hex(id);
    return fields;
  };
  EXPECT_EQ(Code(TxType::kIncidentUpdate, update({{"affected_count", 150}}), {"insurer-b"}),
            "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kIncidentUpdate,
                 Json{{"incident_id", Hex(testing::HashOf("none"))}, {"affected_count", 1}},
                 {"insurer-a"}),
            "incident_unknown");
  EXPECT_EQ(Code(TxType::kIncidentUpdate, Json{{"incident_id", Hex(id)}}, {"insurer-a"}),
            "tx_missing_field");
  // The regulator was told in the report; the subjects later, and not before detection.
  EXPECT_EQ(Code(TxType::kIncidentUpdate, update({{"regulator_notified_at", detected + 5}}),
                 {"insurer-a"}),
            "incident_already_notified");
  EXPECT_EQ(Code(TxType::kIncidentUpdate, update({{"subjects_notified_at", detected - 1}}),
                 {"insurer-a"}),
            "incident_invalid_time");
  EXPECT_EQ(Code(TxType::kIncidentUpdate,
                 update({{"subjects_notified_at", chain_.next_time() + 1}}), {"insurer-a"}),
            "incident_invalid_time");
  const std::int64_t told = chain_.next_time() - 1;
  ASSERT_EQ(Code(TxType::kIncidentUpdate,
                 update({{"subjects_notified_at", told},
                         {"affected_count", 150},
                         {"remedies", {"system_patched"}}}),
                 {"insurer-a"}),
            "ok");
  EXPECT_EQ(Code(TxType::kIncidentUpdate, update({{"subjects_notified_at", told}}), {"insurer-a"}),
            "incident_already_notified");
  ASSERT_EQ(Code(TxType::kIncidentUpdate, update({{"affected_count", 149}}), {"insurer-a"}), "ok");

  Queries q(chain_.ledger());
  auto page = q.Incidents(PageRequest{});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  const Json& item = page->items[0];
  ASSERT_EQ(item.at("updates").size(), 2u);
  EXPECT_EQ(item.at("updates")[0].at("body").at("affected_count"), 150);
  EXPECT_EQ(item.at("updates")[1].at("body").at("affected_count"), 149);
  EXPECT_EQ(item.at("subjects_notified_at"), told);  // as now known
  EXPECT_EQ(item.at("affected_count_now"), 149);
  EXPECT_EQ(item.at("affected_count"), 120);  // as reported

  // At most 64 updates.
  for (std::size_t i = 2; i < kMaxIncidentUpdates; ++i) {
    ASSERT_EQ(Code(TxType::kIncidentUpdate, update({{"affected_count", 100 + i}}), {"insurer-a"}),
              "ok");
  }
  EXPECT_EQ(Code(TxType::kIncidentUpdate, update({{"affected_count", 1}}), {"insurer-a"}),
            "incident_too_many_updates");
}

}  // namespace
}  // namespace consentd::ledger
