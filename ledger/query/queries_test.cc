#include "ledger/query/queries.h"

#include <gtest/gtest.h>

#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::ExecFixture;
using testing::kDay;

class QueriesTest : public ExecFixture {
 protected:
  void SetUp() override {
    Notice("insurer-a");
    Notice("insurer-b");
  }
  Queries Q() { return Queries(chain_.ledger()); }
  ledger::Subject S(const std::string& name) {
    return *ledger::Subject::FromString("key:" + chain_.SubjectHex(name));
  }
  // Follows every cursor of a paged query.
  template <typename F>
  std::vector<Json> All(F query, std::size_t limit) {
    std::vector<Json> out;
    PageRequest page;
    page.limit = limit;
    for (int guard = 0; guard < 1000; ++guard) {
      Result<Page> p = query(page);
      EXPECT_TRUE(p.ok()) << p.status().ToString();
      if (!p.ok()) break;
      EXPECT_LE(p->items.size(), limit);
      out.insert(out.end(), p->items.begin(), p->items.end());
      if (!p->next_cursor) break;
      page.cursor = *p->next_cursor;
    }
    return out;
  }
};

TEST_F(QueriesTest, ConsentViewHasStatusAndHistory) {
  const Hash256 id = Grant("alice");
  Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(id)}}, {"alice"});
  auto view = Q().Consent(id);
  ASSERT_TRUE(view.ok() && view->has_value());
  const Json& v = **view;
  EXPECT_EQ(v["id"], Hex(id));
  EXPECT_EQ(v["status"], "Withdrawn");
  EXPECT_EQ(v["valid"], false);
  EXPECT_EQ(v["subject_id"], "key:" + chain_.SubjectHex("alice"));
  ASSERT_EQ(v["history"].size(), 2u);
  EXPECT_EQ(v["history"][0]["type"], "granted");
  EXPECT_EQ(v["history"][1]["type"], "withdrawn");
  // As of a time before the withdrawal it was Given.
  auto earlier = Q().Consent(id, v["history"][1]["at"].get<std::int64_t>() - 1);
  EXPECT_EQ((**earlier)["status"], "Given");
  EXPECT_FALSE(Q().Consent(testing::HashOf("none")).value().has_value());
}

TEST_F(QueriesTest, PagingCoversEverythingOnceAndRejectsForeignCursors) {
  for (int i = 0; i < 7; ++i) {
    Json b = chain_.GrantBody("alice");
    b["purposes"] = {i % 2 ? "Underwriting" : "ClaimsHandling"};
    Grant("alice", b);
  }
  Grant("bob");
  auto by_subject =
      All([&](const PageRequest& p) { return Q().SubjectConsents(S("alice"), p); }, 3);
  EXPECT_EQ(by_subject.size(), 7u);
  std::set<std::string> ids;
  for (const Json& c : by_subject) ids.insert(c["id"]);
  EXPECT_EQ(ids.size(), 7u);
  auto by_controller =
      All([&](const PageRequest& p) { return Q().ControllerConsents("insurer-a", p); }, 2);
  EXPECT_EQ(by_controller.size(), 8u);

  PageRequest bad;
  bad.cursor = "zz";
  EXPECT_EQ(Q().SubjectConsents(S("alice"), bad).status().code(), "query_bad_cursor");
  // A cursor of another query's index does not work here.
  PageRequest first;
  first.limit = 1;
  const auto page = Q().ControllerConsents("insurer-a", first);
  ASSERT_TRUE(page->next_cursor.has_value());
  PageRequest foreign;
  foreign.cursor = *page->next_cursor;
  EXPECT_EQ(Q().SubjectConsents(S("alice"), foreign).status().code(), "query_bad_cursor");
  PageRequest huge;
  huge.limit = kMaxPageLimit + 1;
  EXPECT_EQ(Q().Members(huge).status().code(), "query_bad_limit");
  PageRequest zero;
  zero.limit = 0;
  EXPECT_EQ(Q().Members(zero).status().code(), "query_bad_limit");
}

TEST_F(QueriesTest, SubjectHistoryInCommitOrder) {
  Json b = chain_.GrantBody("alice");
  b["recipients"] = {"processor"};
  b["separate"] = true;
  const Hash256 id = Grant("alice", b);
  Commit(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"});
  Commit(TxType::kRightsRequest,
         Json{{"controller", "insurer-a"}, {"subject", Subject("alice")}, {"kind", "access"}},
         {"alice"});
  Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(id)}}, {"alice"});
  auto history = All([&](const PageRequest& p) { return Q().SubjectHistory(S("alice"), p); }, 2);
  std::vector<std::string> kinds;
  for (const Json& e : history) kinds.push_back(e["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"consent.granted", "sharing", "rights.request",
                                             "consent.withdrawn", "rights.withdrawal"}));
  PageRequest bad;
  bad.cursor = "99";
  EXPECT_EQ(Q().SubjectHistory(S("alice"), bad).status().code(), "query_bad_cursor");
}

TEST_F(QueriesTest, SharingByIndexAndTimeRange) {
  const Hash256 agreement = ActiveAgreement();
  Json b = chain_.GrantBody("alice");
  b["recipients"] = {"processor", "insurer-x"};
  b["jurisdictions"] = {"SG"};
  b["agreement"] = Hex(agreement);
  b["separate"] = true;
  Grant("alice", b);
  std::vector<std::int64_t> times;
  for (int i = 0; i < 4; ++i) {
    Json s = Sharing("alice", i % 2 ? "insurer-x" : "processor");
    if (i % 2) s["destination"] = "SG";
    times.push_back(s["shared_at"]);
    Commit(TxType::kSharingRecord, s, {"insurer-a"});
  }
  auto query = [&](SharingBy by, std::string key, std::int64_t from, std::int64_t to) {
    SharingFilter f{by, std::move(key), from, to};
    return All([&](const PageRequest& p) { return Q().Sharing(f, p); }, 2).size();
  };
  const std::string subject = "key:" + chain_.SubjectHex("alice");
  EXPECT_EQ(query(SharingBy::kSubject, subject, 0, kJsonMaxSafeInteger), 4u);
  EXPECT_EQ(query(SharingBy::kSubject, subject, times[1], times[2]), 2u);
  EXPECT_EQ(query(SharingBy::kSender, "insurer-a", 0, kJsonMaxSafeInteger), 4u);
  EXPECT_EQ(query(SharingBy::kSender, "insurer-b", 0, kJsonMaxSafeInteger), 0u);
  EXPECT_EQ(query(SharingBy::kAgreement, Hex(agreement), 0, kJsonMaxSafeInteger), 2u);
  EXPECT_FALSE(Q().Sharing(SharingFilter{SharingBy::kSubject, "bogus", 0, 1}, PageRequest{}).ok());
}

TEST_F(QueriesTest, AgreementsMembersIncidentsTransfers) {
  const Hash256 a = ActiveAgreement();
  Commit(TxType::kAgreementCreate,
         Json{{"exporter", "insurer-b"},
              {"importer", "insurer-x"},
              {"mechanism", "scc"},
              {"filing_ref_hash", Hex(testing::HashOf("f2"))},
              {"destinations", {"SG"}},
              {"purposes", {"Reinsurance"}},
              {"categories", {"Contact"}},
              {"valid_from", testing::kGenesisTime},
              {"valid_until", testing::kGenesisTime + testing::kYear}},
         {"insurer-b", "insurer-x"});
  auto agreements = [&](std::optional<std::string> party, std::optional<std::string> status) {
    return All([&](const PageRequest& p) { return Q().Agreements(party, status, p); }, 1).size();
  };
  EXPECT_EQ(agreements(std::nullopt, std::nullopt), 2u);
  EXPECT_EQ(agreements("insurer-x", std::nullopt), 2u);
  EXPECT_EQ(agreements("insurer-a", std::nullopt), 1u);
  EXPECT_EQ(agreements(std::nullopt, "Active"), 1u);
  EXPECT_EQ(agreements(std::nullopt, "Pending"), 1u);
  EXPECT_EQ((*Q().Agreement(a).value())["status"], "Active");

  EXPECT_EQ(All([&](const PageRequest& p) { return Q().Members(p); }, 2).size(), 5u);
  Commit(TxType::kIncidentReport,
         Json{{"controller", "insurer-a"},
              {"detected_at", chain_.next_time() - 7200'000},
              {"categories", {"Contact"}},
              {"cause", "misdelivery"},
              {"harms", {"low"}},
              {"remedies", {"contained"}},
              {"affected_count", 3},
              {"affected_commitment", Hex(testing::HashOf("c"))},
              {"notice_hash", Hex(testing::HashOf("n"))}},
         {"insurer-a"});
  auto incidents = All([&](const PageRequest& p) { return Q().Incidents(p); }, 5);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_GE(incidents[0]["detection_to_report_ms"].get<std::int64_t>(), 7200'000);
  const Hash256 c = Grant("alice");
  Commit(TxType::kPortfolioTransfer,
         Json{{"transferor", "insurer-a"},
              {"transferee", "insurer-b"},
              {"consents", {Hex(c)}},
              {"effective_at", chain_.next_time()},
              {"notice_hash", Hex(testing::HashOf("t"))}},
         {"insurer-a", "insurer-b"});
  EXPECT_EQ(All([&](const PageRequest& p) { return Q().Transfers(p); }, 5).size(), 1u);
}

TEST_F(QueriesTest, AuditLogPagesFiltersAndLooksUpTransactions) {
  for (const char* s : {"alice", "bob", "carol"}) Grant(s);
  Json b = chain_.GrantBody("dave", "insurer-b");
  Commit(TxType::kConsentGrant, b, {"insurer-b", "dave"});
  AuditFilter all;
  auto everything = All([&](const PageRequest& p) { return Q().AuditLog(all, p); }, 2);
  // Two notices and four grants.
  ASSERT_EQ(everything.size(), 6u);
  for (std::size_t i = 1; i < everything.size(); ++i) {
    EXPECT_LE(everything[i - 1]["height"].get<std::uint64_t>(),
              everything[i]["height"].get<std::uint64_t>());
  }
  AuditFilter grants;
  grants.type = TxType::kConsentGrant;
  EXPECT_EQ(All([&](const PageRequest& p) { return Q().AuditLog(grants, p); }, 1).size(), 4u);
  AuditFilter by_b;
  by_b.member = "insurer-b";
  EXPECT_EQ(All([&](const PageRequest& p) { return Q().AuditLog(by_b, p); }, 10).size(), 2u);
  AuditFilter range;
  range.from_height = everything[2]["height"];
  range.to_height = everything[3]["height"];
  EXPECT_EQ(All([&](const PageRequest& p) { return Q().AuditLog(range, p); }, 10).size(), 2u);
  PageRequest bad;
  bad.cursor = "00";
  EXPECT_EQ(Q().AuditLog(all, bad).status().code(), "query_bad_cursor");

  const std::string tx_id = everything[3]["tx_id"];
  auto tx = Q().Transaction(*HexDecodeFixed<32>(tx_id));
  ASSERT_TRUE(tx.ok() && tx->has_value());
  EXPECT_EQ((**tx)["height"], everything[3]["height"]);
  auto block = Q().Block((**tx)["height"]);
  ASSERT_TRUE(block.ok() && block->has_value());
  EXPECT_EQ((**block)["hash"], (**tx)["block_hash"]);
  EXPECT_EQ((**block)["tx_ids"][0], tx_id);
  EXPECT_FALSE(Q().Block(9999).value().has_value());
}

}  // namespace
}  // namespace consentd::ledger
