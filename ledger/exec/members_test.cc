#include <gtest/gtest.h>

#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::ExecFixture;
using testing::KeyFor;

class MembersTest : public ExecFixture {
 protected:
  Json Register(const std::string& id, bool validator = false) {
    Json b{{"member", id},
           {"roles", {"insurer"}},
           {"keys", {chain_.Key(id).public_key().Hex()}},
           {"jurisdiction", "CN"}};
    if (validator) b["validator_key"] = chain_.Key("node-" + id).public_key().Hex();
    return b;
  }
  const std::vector<std::string> kGovernance = {"insurer-a", "insurer-b", "regulator"};
};

TEST_F(MembersTest, RegisterWithThresholdAddsMemberAndKeys) {
  EXPECT_EQ(Code(TxType::kMemberRegister, Register("insurer-c"), kGovernance), "ok");
  StateReader r(chain_.ledger().store());
  auto m = r.Member("insurer-c");
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_TRUE((*m)->HasRole("insurer"));
  auto owner = r.MemberIdByKey(chain_.Key("insurer-c").public_key().bytes());
  ASSERT_TRUE(owner.ok() && owner->has_value());
  EXPECT_EQ(**owner, "insurer-c");
  // The new member can now act as a controller.
  EXPECT_EQ(Code(TxType::kNoticePublish, chain_.PublishNotice("insurer-c"), {"insurer-c"}), "ok");
}

TEST_F(MembersTest, GovernanceBelowThresholdIsRejected) {
  EXPECT_EQ(Code(TxType::kMemberRegister, Register("insurer-c"), {"insurer-a", "insurer-b"}),
            "governance_threshold_not_met");
  // Two keys of one member count once: still two members.
  // A non-member's signature has no part in governance.
  EXPECT_EQ(
      Code(TxType::kMemberRegister, Register("insurer-c"), {"insurer-a", "insurer-b", "mallory"}),
      "tx_unexpected_signer");
}

TEST_F(MembersTest, RegisterRejections) {
  EXPECT_EQ(Code(TxType::kMemberRegister, Register("insurer-a"), kGovernance), "member_exists");
  Json b = Register("insurer-c");
  b["keys"] = {chain_.Key("insurer-b").public_key().Hex()};
  EXPECT_EQ(Code(TxType::kMemberRegister, b, kGovernance), "member_key_in_use");
  b = Register("insurer-c");
  b["validator_key"] = chain_.Key("node-insurer-b").public_key().Hex();
  EXPECT_EQ(Code(TxType::kMemberRegister, b, kGovernance), "validator_key_in_use");
}

TEST_F(MembersTest, ValidatorChangesApplyAfterTheDelay) {
  const std::uint64_t h0 = chain_.ledger().head().height;
  auto before = chain_.ledger().ValidatorsFor(h0 + 1);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->size(), 4u);
  ASSERT_EQ(Code(TxType::kMemberRegister, Register("insurer-c", true), kGovernance), "ok");
  const std::uint64_t h = chain_.ledger().head().height;  // the block that registered it
  const auto delay = static_cast<std::uint64_t>(chain_.genesis().params.validator_change_delay);
  EXPECT_EQ(chain_.ledger().ValidatorsFor(h + delay - 1)->size(), 4u);
  EXPECT_EQ(chain_.ledger().ValidatorsFor(h + delay)->size(), 5u);
  EXPECT_TRUE(chain_.ledger().ValidatorsFor(h + delay)->Contains(
      chain_.Key("node-insurer-c").public_key()));
}

TEST_F(MembersTest, UpdateReplacesKeysAndRoles) {
  Json b{{"member", "insurer-b"},
         {"keys", {chain_.Key("insurer-b-2").public_key().Hex()}},
         {"roles", {"insurer", "auditor"}}};
  ASSERT_EQ(Code(TxType::kMemberUpdate, b, kGovernance), "ok");
  // The old key no longer speaks for insurer-b; the new one does.
  EXPECT_EQ(Code(TxType::kNoticePublish, chain_.PublishNotice("insurer-b"), {"insurer-b"}),
            "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kNoticePublish, chain_.PublishNotice("insurer-b"), {"insurer-b-2"}), "ok");
}

TEST_F(MembersTest, UpdateRejections) {
  EXPECT_EQ(
      Code(TxType::kMemberUpdate, Json{{"member", "nobody"}, {"jurisdiction", "CN"}}, kGovernance),
      "member_unknown");
  EXPECT_EQ(Code(TxType::kMemberUpdate, Json{{"member", "insurer-b"}}, kGovernance),
            "tx_missing_field");
  EXPECT_EQ(
      Code(TxType::kMemberUpdate,
           Json{{"member", "insurer-b"}, {"keys", {chain_.Key("insurer-a").public_key().Hex()}}},
           kGovernance),
      "member_key_in_use");
  EXPECT_EQ(
      Code(TxType::kMemberUpdate, Json{{"member", "insurer-b"}, {"reinstate", true}}, kGovernance),
      "tx_invalid_value");
}

TEST_F(MembersTest, ValidatorSetMayNotBecomeEmpty) {
  // Remove validators one by one; the last removal is refused.
  EXPECT_EQ(Code(TxType::kMemberUpdate, Json{{"member", "insurer-x"}, {"validator_key", nullptr}},
                 kGovernance),
            "ok");
  EXPECT_EQ(Code(TxType::kMemberUpdate, Json{{"member", "insurer-b"}, {"validator_key", nullptr}},
                 kGovernance),
            "ok");
  EXPECT_EQ(Code(TxType::kMemberUpdate, Json{{"member", "regulator"}, {"validator_key", nullptr}},
                 kGovernance),
            "ok");
  EXPECT_EQ(Code(TxType::kMemberUpdate, Json{{"member", "insurer-a"}, {"validator_key", nullptr}},
                 kGovernance),
            "validator_set_empty");
}

TEST_F(MembersTest, RegulatorSuspendsAloneAndSuspendedMembersCannotAct) {
  Notice("insurer-b");
  EXPECT_EQ(Code(TxType::kMemberSuspend,
                 Json{{"member", "insurer-b"}, {"reason", "regulator_order"}}, {"regulator"}),
            "ok");
  EXPECT_EQ(Code(TxType::kMemberSuspend, Json{{"member", "insurer-b"}, {"reason", "breach"}},
                 {"regulator"}),
            "member_suspended");
  Json grant = chain_.GrantBody("alice", "insurer-b");
  EXPECT_EQ(Code(TxType::kConsentGrant, grant, {"insurer-b", "alice"}), "member_suspended");
  // Its validator leaves the set after the delay.
  const std::uint64_t h = chain_.ledger().head().height;
  const auto delay = static_cast<std::uint64_t>(chain_.genesis().params.validator_change_delay);
  EXPECT_FALSE(chain_.ledger().ValidatorsFor(h + delay)->Contains(
      chain_.Key("node-insurer-b").public_key()));
  // Governance reinstates it; a suspended member's own signature has no say.
  EXPECT_EQ(
      Code(TxType::kMemberUpdate, Json{{"member", "insurer-b"}, {"reinstate", true}}, kGovernance),
      "tx_unexpected_signer");
  EXPECT_EQ(Code(TxType::kMemberUpdate, Json{{"member", "insurer-b"}, {"reinstate", true}},
                 {"insurer-a", "insurer-x", "regulator"}),
            "ok");
  EXPECT_EQ(Code(TxType::kConsentGrant, grant, {"insurer-b", "alice"}), "ok");
}

TEST_F(MembersTest, SuspensionWithoutRegulatorNeedsThreshold) {
  EXPECT_EQ(Code(TxType::kMemberSuspend, Json{{"member", "insurer-b"}, {"reason", "breach"}},
                 {"insurer-a"}),
            "governance_threshold_not_met");
  // A regulator cannot suspend another regulator alone.
  EXPECT_EQ(Code(TxType::kMemberSuspend, Json{{"member", "regulator"}, {"reason", "breach"}},
                 {"regulator"}),
            "governance_threshold_not_met");
  EXPECT_EQ(
      Code(TxType::kMemberSuspend, Json{{"member", "nobody"}, {"reason", "breach"}}, {"regulator"}),
      "member_unknown");
}

TEST_F(MembersTest, NoticeVersionsOnlyGoUp) {
  Notice();
  Json n = chain_.PublishNotice();
  EXPECT_EQ(Code(TxType::kNoticePublish, n, {"insurer-a"}), "notice_version_not_increasing");
  n["version"] = 2;
  EXPECT_EQ(Code(TxType::kNoticePublish, n, {"insurer-a"}), "ok");
  // Only insurers publish notices as controllers.
  EXPECT_EQ(Code(TxType::kNoticePublish, chain_.PublishNotice("processor"), {"processor"}),
            "member_role_missing");
  EXPECT_EQ(Code(TxType::kNoticePublish, chain_.PublishNotice("insurer-a"), {"insurer-b"}),
            "tx_missing_signature");
}

}  // namespace
}  // namespace consentd::ledger
