#include "ledger/state/kinds.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ledger/state/records.h"

namespace consentd::ledger {
namespace {

template <typename E>
void ExpectEveryNameRoundTrips() {
  std::set<std::string> names;
  for (E e : KindsOf<E>::kAll) {
    const std::string name = ToString(e);
    EXPECT_TRUE(names.insert(name).second) << "two values named " << name;
    ASSERT_TRUE(FromWire<E>(name).has_value()) << name;
    EXPECT_EQ(*FromWire<E>(name), e) << name;
  }
  EXPECT_FALSE(FromWire<E>("").has_value());
  EXPECT_FALSE(FromWire<E>("not-a-kind").has_value());
}

TEST(KindsTest, EveryValueHasOneDistinctWireNameThatReadsBack) {
  ExpectEveryNameRoundTrips<ConsentStatus>();
  ExpectEveryNameRoundTrips<ConsentEventKind>();
  ExpectEveryNameRoundTrips<AgreementStatus>();
  ExpectEveryNameRoundTrips<MemberEventKind>();
  ExpectEveryNameRoundTrips<RightsStatus>();
  ExpectEveryNameRoundTrips<RightsOrigin>();
}

TEST(KindsTest, TheWireNamesAreTheDocumentedOnes) {
  // docs/LEDGER.md and docs/API.md spell these; records store them (a change is a chain change).
  EXPECT_STREQ(ToString(ConsentEventKind::kGranted), "granted");
  EXPECT_STREQ(ToString(ConsentEventKind::kTransferred), "transferred");
  EXPECT_STREQ(ToString(ConsentEventKind::kSuperseded), "superseded");
  EXPECT_STREQ(ToString(ConsentEventKind::kWithdrawn), "withdrawn");
  EXPECT_STREQ(ToString(ConsentEventKind::kRevoked), "revoked");
  EXPECT_STREQ(ToString(RightsStatus::kOpen), "open");
  EXPECT_STREQ(ToString(RightsStatus::kFulfilled), "fulfilled");
  EXPECT_STREQ(ToString(RightsStatus::kRefused), "refused");
  EXPECT_STREQ(ToString(RightsOrigin::kRequest), "request");
  EXPECT_STREQ(ToString(RightsOrigin::kWithdrawal), "withdrawal");
  EXPECT_STREQ(ToString(RightsOrigin::kRevocation), "revocation");
  EXPECT_STREQ(ToString(MemberEventKind::kReinstated), "reinstated");
  EXPECT_STREQ(ToString(AgreementStatus::kActive), "Active");
  EXPECT_STREQ(ToString(ConsentStatus::kGiven), "Given");
}

TEST(KindsTest, OnlyWithdrawalRevocationAndSupersessionEndAConsent) {
  std::set<ConsentEventKind> ending;
  for (ConsentEventKind k : KindsOf<ConsentEventKind>::kAll) {
    if (Ends(k)) ending.insert(k);
  }
  EXPECT_EQ(ending,
            (std::set<ConsentEventKind>{ConsentEventKind::kSuperseded, ConsentEventKind::kWithdrawn,
                                        ConsentEventKind::kRevoked}));
}

TEST(KindsTest, AStoredRecordWithAnUnknownKindIsCorruption) {
  MemberRecord m;
  m.id = "insurer-a";
  m.roles = {"insurer"};
  m.jurisdiction = "CN";
  m.events.push_back(MemberEvent{MemberEventKind::kSuspended, 5, 1, Hash256{}, "audit"});
  Json j = m.ToJson();
  ASSERT_TRUE(MemberRecord::FromJson(j).ok());
  EXPECT_EQ(MemberRecord::FromJson(j)->events[0].type, MemberEventKind::kSuspended);
  j["events"][0]["type"] = "suspendd";
  const auto bad = MemberRecord::FromJson(j);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "store_corruption");
}

}  // namespace
}  // namespace consentd::ledger
