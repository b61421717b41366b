#include "ledger/state/records.h"

#include <gtest/gtest.h>

#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

ConsentRecord SampleConsent() {
  testing::TestChain chain;
  ConsentRecord c;
  c.id.fill(0xab);
  c.grant_json = chain.GrantBody("alice");
  c.recorded_at = 1'700'000'000'123;
  c.height = 42;
  Hash256 tx{};
  tx.fill(0x01);
  c.events.push_back(
      ConsentEvent{ConsentEventKind::kGranted, c.recorded_at, 42, c.id, "", "", "", ""});
  tx.fill(0x02);
  c.events.push_back(ConsentEvent{ConsentEventKind::kTransferred, c.recorded_at + 5, 50, tx,
                                  "insurer-a", "insurer-b", "", ""});
  tx.fill(0x03);
  // Every character class the canonical form escapes, and some it does not.
  c.events.push_back(ConsentEvent{
      ConsentEventKind::kRevoked, c.recorded_at + 9, 61, tx, "", "",
      "a \"quoted\" reason\\ with\nnew line, \x01, \xc3\xa9 and \xe2\x9c\x93", "regulator-x"});
  return c;
}

TEST(ConsentRecordTest, CanonicalIsTheCanonicalJsonOfToJson) {
  const ConsentRecord c = SampleConsent();
  EXPECT_EQ(c.Canonical(), CanonicalJson(c.ToJson()));
  ConsentRecord granted_only = c;
  granted_only.events.resize(1);
  EXPECT_EQ(granted_only.Canonical(), CanonicalJson(granted_only.ToJson()));
}

TEST(ConsentRecordTest, ReadsBackTheSameWhetherTheGrantIsCopiedOrMoved) {
  const ConsentRecord c = SampleConsent();
  const Json stored = Json::parse(c.Canonical());
  auto copied = ConsentRecord::FromJson(stored);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  Json movable = stored;
  auto moved = ConsentRecord::FromJson(std::move(movable));
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(copied->Canonical(), c.Canonical());
  EXPECT_EQ(moved->Canonical(), c.Canonical());
  EXPECT_EQ(moved->grant.controller, "insurer-a");
  ASSERT_EQ(moved->events.size(), 3u);
  EXPECT_EQ(moved->events[2].reason, c.events[2].reason);
}

TEST(ConsentRecordTest, DamagedRecordsAreStoreCorruptionNotCrashes) {
  Json no_grant = Json::parse(SampleConsent().Canonical());
  no_grant.erase("grant");
  EXPECT_EQ(ConsentRecord::FromJson(Json(no_grant)).status().code(), "store_corruption");
  EXPECT_EQ(ConsentRecord::FromJson(no_grant).status().code(), "store_corruption");
  EXPECT_EQ(ConsentRecord::FromJson(Json::array()).status().code(), "store_corruption");
  EXPECT_EQ(ConsentRecord::FromJson(Json("text")).status().code(), "store_corruption");
  Json bad_event = Json::parse(SampleConsent().Canonical());
  bad_event["events"][0]["tx"] = "not hex";
  EXPECT_EQ(ConsentRecord::FromJson(std::move(bad_event)).status().code(), "store_corruption");
}

// A stored subject is read by its shape only (its key was checked when its tx was accepted):
// both kinds read back, and a damaged one is store corruption.
TEST(ConsentRecordTest, StoredSubjectsAreReadByShape) {
  const ConsentRecord c = SampleConsent();
  Json by_ref = Json::parse(c.Canonical());
  by_ref["grant"]["subject"] = Json{{"ref", std::string(64, 'c')}};
  auto ref = ConsentRecord::FromJson(by_ref);
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  EXPECT_EQ(ref->grant.subject.kind, Subject::Kind::kRef);
  EXPECT_EQ(ref->grant.subject.ToString(), "ref:" + std::string(64, 'c'));
  auto key = ConsentRecord::FromJson(Json::parse(c.Canonical()));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->grant.subject.kind, Subject::Kind::kKey);
  EXPECT_EQ(key->grant.subject.ToJson(), c.grant_json.at("subject"));

  for (const Json& bad :
       {Json{{"key", "not hex"}}, Json{{"ref", 7}}, Json::object(),
        Json{{"key", std::string(64, 'c')}, {"ref", std::string(64, 'c')}},
        Json{{"id", std::string(64, 'c')}}, Json("key:" + std::string(64, 'c'))}) {
    Json damaged = Json::parse(c.Canonical());
    damaged["grant"]["subject"] = bad;
    EXPECT_EQ(ConsentRecord::FromJson(damaged).status().code(), "store_corruption") << bad.dump();
  }
}

}  // namespace
}  // namespace consentd::ledger
