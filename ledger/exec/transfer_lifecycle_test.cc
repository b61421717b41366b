// The transfer lifecycle (docs/LEDGER.md "Transfers") on a network that requires a regulator's
// approval: every branch (approved and completed with objections, open requests and erasure
// duties; cancelled; refused steps) and a transfer of 10,000 consents.

#include <gtest/gtest.h>

#include "crypto/tagged_hash.h"
#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::kDay;

Genesis ApprovalGenesis() {
  Genesis g = testing::DefaultGenesis();
  g.params.transfer_approval_required = true;
  return g;
}

class TransferLifecycleTest : public testing::ExecFixture {
 protected:
  TransferLifecycleTest() : ExecFixture(ApprovalGenesis()) {}
  void SetUp() override {
    Notice("insurer-a");
    Notice("insurer-b");
  }

  Json Proposal(Json scope, std::int64_t effective_at, std::int64_t objection_until) {
    Json b{{"seller", "insurer-a"},
           {"acquirer", "insurer-b"},
           {"effective_at", effective_at},
           {"objection_until", objection_until},
           {"manifest_hash", Hex(testing::HashOf("inventory: Contact 3"))},
           {"notice_hash", Hex(testing::HashOf("transfer notice"))}};
    if (scope.is_boolean()) {
      b["all_consents"] = true;
    } else {
      b["consents"] = std::move(scope);
    }
    return b;
  }
  // Proposes every consent of insurer-a, effective in 10 days, objections for 5.
  Hash256 ProposeAll() {
    effective_ = chain_.next_time() + 10 * kDay;
    return Commit(TxType::kTransferPropose, Proposal(true, effective_, effective_ - 5 * kDay),
                  kParties);
  }
  Json Id(const Hash256& t) { return Json{{"transfer_id", Hex(t)}}; }
  Json Approval(const Hash256& t) {
    return Json{{"transfer_id", Hex(t)}, {"approval_ref_hash", Hex(testing::HashOf("approval"))}};
  }
  Json Objection(const Hash256& t, const std::string& subject) {
    return Json{{"transfer_id", Hex(t)}, {"subject", Subject(subject)}};
  }
  Json Cancel(const Hash256& t) {
    return Json{{"transfer_id", Hex(t)}, {"reason", "parties_withdrew"}};
  }
  TransferRecord LoadTransfer(const Hash256& id) {
    StateReader r(chain_.ledger().store());
    return *r.Transfer(id).value();
  }
  ConsentRecord Load(const Hash256& id) {
    StateReader r(chain_.ledger().store());
    return *r.Consent(id).value();
  }
  RightsRecord LoadRights(const Hash256& id) {
    StateReader r(chain_.ledger().store());
    return *r.Rights(id).value();
  }

  const std::vector<std::string> kParties = {"insurer-a", "insurer-b"};
  std::int64_t effective_ = 0;
};

TEST_F(TransferLifecycleTest, ApprovedTransferCompletesWithObjectionsRequestsAndErasures) {
  // alice and carol allow sharing with the processor.
  auto with_processor = [&](const std::string& name) {
    Json body = chain_.GrantBody(name);
    body["recipients"] = Json::array({"processor"});
    body["separate"] = true;
    return Grant(name, body);
  };
  const Hash256 alice = with_processor("alice");
  const Hash256 bob = Grant("bob");
  const Hash256 carol = with_processor("carol");
  ASSERT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}), "ok");
  const Hash256 request =
      Commit(TxType::kRightsRequest,
             Json{{"controller", "insurer-a"}, {"subject", Subject("alice")}, {"kind", "access"}},
             {"alice"});
  const Hash256 t = ProposeAll();
  EXPECT_EQ(LoadTransfer(t).lifecycle->status, TransferStatus::kProposed);
  // Before anything moves, the consents are insurer-a's.
  EXPECT_EQ(Load(alice).ControllerAt(effective_ + 1), "insurer-a");

  ASSERT_EQ(Code(TxType::kTransferObject, Objection(t, "carol"), {"carol"}), "ok");
  EXPECT_EQ(Code(TxType::kTransferObject, Objection(t, "carol"), {"carol"}),
            "transfer_already_objected");
  EXPECT_EQ(Code(TxType::kTransferObject, Objection(t, "dave"), {"dave"}),
            "transfer_subject_not_covered");
  // Only the subject itself objects for a key subject.
  EXPECT_EQ(Code(TxType::kTransferObject, Objection(t, "bob"), {"insurer-a"}),
            "tx_missing_signature");

  // Not before effective_at, and not without the regulator on this network.
  EXPECT_EQ(Code(TxType::kTransferComplete, Id(t), {"insurer-b"}), "transfer_not_yet_effective");
  EXPECT_EQ(Code(TxType::kTransferApprove, Approval(t), {"insurer-a"}), "tx_missing_signature");
  ASSERT_EQ(Code(TxType::kTransferApprove, Approval(t), {"regulator"}), "ok");
  EXPECT_EQ(Code(TxType::kTransferApprove, Approval(t), {"regulator"}),
            "transfer_invalid_transition");
  EXPECT_EQ(LoadTransfer(t).lifecycle->approved_by, "regulator");

  chain_.SetNextTime(effective_ - 5 * kDay + 1);  // the objection window is over
  EXPECT_EQ(Code(TxType::kTransferObject, Objection(t, "bob"), {"bob"}),
            "transfer_objection_closed");
  chain_.SetNextTime(effective_);
  ASSERT_EQ(Code(TxType::kTransferComplete, Id(t), {"insurer-b"}), "ok");

  EXPECT_EQ(Load(alice).ControllerAt(effective_), "insurer-b");
  EXPECT_EQ(Load(bob).ControllerAt(effective_), "insurer-b");
  EXPECT_EQ(Load(alice).StatusAt(effective_), ConsentStatus::kTransferred);
  EXPECT_EQ(Load(carol).ControllerAt(effective_), "insurer-a");  // objected: stays
  EXPECT_EQ(LoadRights(request).controller, "insurer-b");        // the open request moved

  const TransferRecord done = LoadTransfer(t);
  EXPECT_EQ(done.lifecycle->status, TransferStatus::kCompleted);
  EXPECT_EQ(done.count, 2);
  EXPECT_EQ(done.lifecycle->kept, 1);
  EXPECT_EQ(done.lifecycle->objections, 1);
  EXPECT_EQ(done.lifecycle->erasures, 1);
  EXPECT_EQ(done.lifecycle->rights_moved, 1);
  EXPECT_EQ(done.lifecycle->closed_by, "insurer-b");

  // The objector's erasure is the seller's duty, on the usual deadline.
  StateReader r(chain_.ledger().store());
  auto carol_rights = r.SubjectRightsIds(Load(carol).grant.subject).value();
  ASSERT_EQ(carol_rights.size(), 1u);
  const RightsRecord erasure = LoadRights(carol_rights[0]);
  EXPECT_EQ(erasure.origin, RightsOrigin::kTransferObjection);
  EXPECT_EQ(erasure.controller, "insurer-a");
  EXPECT_EQ(erasure.kind, "delete");
  EXPECT_TRUE(erasure.open());
  EXPECT_EQ(erasure.consent_id, carol);

  // The former controller may no longer share alice's data (the same sharing passed before the
  // transfer), but still carol's.
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("alice"), {"insurer-a"}),
            "sharing_sender_not_controller");
  EXPECT_EQ(Code(TxType::kSharingRecord, Sharing("carol"), {"insurer-a"}), "ok");
  // A completed transfer takes no further step.
  EXPECT_EQ(Code(TxType::kTransferComplete, Id(t), {"insurer-a"}), "transfer_invalid_transition");
  EXPECT_EQ(Code(TxType::kTransferCancel, Cancel(t), {"insurer-a"}), "transfer_invalid_transition");
}

TEST_F(TransferLifecycleTest, UnapprovedTransferDoesNotCompleteAndCancelledOneNeverMoves) {
  const Hash256 alice = Grant("alice");
  const Hash256 t = ProposeAll();
  chain_.SetNextTime(effective_);
  EXPECT_EQ(Code(TxType::kTransferComplete, Id(t), {"insurer-a"}), "transfer_approval_required");
  // Cancelling is for before effective_at.
  EXPECT_EQ(Code(TxType::kTransferCancel, Cancel(t), {"insurer-a"}), "transfer_invalid_transition");

  const Hash256 t2 = ProposeAll();
  EXPECT_EQ(Code(TxType::kTransferCancel, Cancel(t2), {"insurer-c"}), "tx_missing_signature");
  EXPECT_EQ(Code(TxType::kTransferCancel, Cancel(t2), {"insurer-b", "insurer-c"}),
            "tx_unexpected_signer");
  ASSERT_EQ(Code(TxType::kTransferCancel, Cancel(t2), {"insurer-b"}), "ok");
  const TransferRecord cancelled = LoadTransfer(t2);
  EXPECT_EQ(cancelled.lifecycle->status, TransferStatus::kCancelled);
  EXPECT_EQ(cancelled.lifecycle->cancel_reason, "parties_withdrew");
  EXPECT_EQ(Code(TxType::kTransferApprove, Approval(t2), {"regulator"}),
            "transfer_invalid_transition");
  EXPECT_EQ(Code(TxType::kTransferObject, Objection(t2, "alice"), {"alice"}),
            "transfer_objection_closed");
  // Both parties may sign together.
  const Hash256 t3 = ProposeAll();
  ASSERT_EQ(Code(TxType::kTransferCancel, Cancel(t3), kParties), "ok");
  EXPECT_EQ(LoadTransfer(t3).lifecycle->closed_by, "insurer-a");
  chain_.SetNextTime(effective_ + 1);
  EXPECT_EQ(Code(TxType::kTransferComplete, Id(t2), {"insurer-a"}), "transfer_invalid_transition");
  EXPECT_EQ(Load(alice).ControllerAt(effective_ + 1), "insurer-a");
}

TEST_F(TransferLifecycleTest, ProposalRejections) {
  const Hash256 alice = Grant("alice");
  const std::int64_t now = chain_.next_time();
  EXPECT_EQ(Code(TxType::kTransferPropose, Proposal(true, now - 1, now - 1), kParties),
            "transfer_invalid_time");
  EXPECT_EQ(Code(TxType::kTransferPropose, Proposal(true, now + kDay, now), kParties),
            "transfer_invalid_time");  // objections must stay open past the proposal
  EXPECT_EQ(Code(TxType::kTransferPropose, Proposal(true, now + kDay, now + 2 * kDay), kParties),
            "transfer_invalid_time");  // and close no later than effective_at
  EXPECT_EQ(Code(TxType::kTransferPropose, Proposal(true, now + kDay, now + 1), {"insurer-a"}),
            "tx_missing_signature");
  const std::int64_t later = chain_.next_time() + 1;
  EXPECT_EQ(Code(TxType::kTransferPropose,
                 Proposal(Json::array({Hex(testing::HashOf("x"))}), later + kDay, later), kParties),
            "consent_unknown");
  Json to_processor = Proposal(true, now + kDay, now + 1);
  to_processor["acquirer"] = "processor";
  EXPECT_EQ(Code(TxType::kTransferPropose, to_processor, {"insurer-a", "processor"}),
            "member_role_missing");
  EXPECT_EQ(Code(TxType::kTransferApprove, Approval(testing::HashOf("none")), {"regulator"}),
            "transfer_unknown");
  // On this network the one-step portfolio.transfer is refused.
  EXPECT_EQ(Code(TxType::kPortfolioTransfer,
                 Json{{"transferor", "insurer-a"},
                      {"transferee", "insurer-b"},
                      {"consents", {Hex(alice)}},
                      {"effective_at", now + kDay},
                      {"notice_hash", Hex(testing::HashOf("n"))}},
                 kParties),
            "transfer_approval_required");
  // A listed transfer moves only the listed consents.
  const Hash256 bob = Grant("bob");
  const std::int64_t effective = chain_.next_time() + kDay;
  const Hash256 t = Commit(TxType::kTransferPropose,
                           Proposal(Json::array({Hex(bob)}), effective, effective), kParties);
  ASSERT_EQ(Code(TxType::kTransferApprove, Approval(t), {"regulator"}), "ok");
  chain_.SetNextTime(effective);
  ASSERT_EQ(Code(TxType::kTransferComplete, Id(t), {"insurer-a"}), "ok");
  EXPECT_EQ(Load(bob).ControllerAt(effective), "insurer-b");
  EXPECT_EQ(Load(alice).ControllerAt(effective), "insurer-a");
}

// 10,000 consents of ref subjects (the seller records each subject's objection with its
// evidence), one in a hundred objecting, every tenth with an open request.
TEST_F(TransferLifecycleTest, TenThousandConsentsMoveInOneCompletion) {
  constexpr int kConsents = 10'000;
  std::vector<Json> subjects;
  std::vector<TxPtr> batch;
  auto flush = [&] {
    ASSERT_TRUE(chain_.CommitBlock(batch).ok());
    batch.clear();
  };
  for (int i = 0; i < kConsents; ++i) {
    subjects.push_back(Json{{"ref", Hex(testing::HashOf("customer " + std::to_string(i)))}});
    Json grant = chain_.GrantBody("unused");
    grant["subject"] = subjects.back();
    grant["evidence_hash"] = Hex(testing::HashOf("evidence " + std::to_string(i)));
    batch.push_back(chain_.Make(TxType::kConsentGrant, std::move(grant), {"insurer-a"}));
    if (batch.size() == 1000) flush();
  }
  const Hash256 t = ProposeAll();
  for (int i = 0; i < kConsents; i += 10) {
    if (i % 100 == 0) {
      batch.push_back(chain_.Make(TxType::kTransferObject,
                                  Json{{"transfer_id", Hex(t)},
                                       {"subject", subjects[i]},
                                       {"evidence_hash", Hex(testing::HashOf("objection"))}},
                                  {"insurer-a"}));
    } else {
      batch.push_back(chain_.Make(TxType::kRightsRequest,
                                  Json{{"controller", "insurer-a"},
                                       {"subject", subjects[i]},
                                       {"kind", "access"},
                                       {"evidence_hash", Hex(testing::HashOf("ask"))}},
                                  {"insurer-a"}));
    }
    if (batch.size() == 500) flush();
  }
  if (!batch.empty()) flush();
  ASSERT_EQ(Code(TxType::kTransferApprove, Approval(t), {"regulator"}), "ok");
  chain_.SetNextTime(effective_);
  ASSERT_EQ(Code(TxType::kTransferComplete, Id(t), {"insurer-a"}), "ok");
  const TransferRecord done = LoadTransfer(t);
  EXPECT_EQ(done.count, kConsents - kConsents / 100);
  EXPECT_EQ(done.lifecycle->kept, kConsents / 100);
  EXPECT_EQ(done.lifecycle->erasures, kConsents / 100);
  EXPECT_EQ(done.lifecycle->objections, kConsents / 100);
  EXPECT_EQ(done.lifecycle->rights_moved, kConsents / 10 - kConsents / 100);
  EXPECT_EQ(done.lifecycle->skipped, 0);
}

}  // namespace
}  // namespace consentd::ledger
