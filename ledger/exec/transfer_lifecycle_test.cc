// The transfer lifecycle (docs/LEDGER.md "Transfers") on a network that requires a regulator's
// approval: every branch (approved and completed with objections, open requests and erasure
// duties; cancelled; refused steps) and a transfer of 10,000 consents.

#include <gtest/gtest.h>

#include "crypto/tagged_hash.h"
#include "ledger/query/queries.h"
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

TEST_F(TransferLifecycleTest, AgreementsNoticesNoticeBatchesAndTheSellersDeletionGoWithIt) {
  // alice's consent was given under a second notice of insurer-a, which insurer-b does not have.
  const std::string notice2 = "9d2e7a4b1c3f5e6d8a0b2c4e6f8a1b3d";
  Json publish = chain_.PublishNotice("insurer-a");
  publish["notice_id"] = notice2;
  Commit(TxType::kNoticePublish, publish, {"insurer-a"});
  Json grant = chain_.GrantBody("alice");
  grant["notice"]["notice_id"] = notice2;
  const Hash256 alice = Grant("alice", grant);
  Grant("bob");
  // Two agreements of the seller: with insurer-x, which will co-sign, and with the processor,
  // which will not.
  const Hash256 with_x = ActiveAgreement();
  Json terms{{"exporter", "insurer-a"},
             {"importer", "processor"},
             {"mechanism", "standard-contract"},
             {"filing_ref_hash", Hex(testing::HashOf("filing 2"))},
             {"destinations", {"SG"}},
             {"purposes", {"ClaimsHandling"}},
             {"categories", {"Contact"}},
             {"valid_from", testing::kGenesisTime},
             {"valid_until", testing::kGenesisTime + 3 * testing::kYear}};
  const Hash256 with_processor =
      Commit(TxType::kAgreementCreate, terms, {"insurer-a", "processor"});

  effective_ = chain_.next_time() + 10 * kDay;
  Json proposal = Proposal(true, effective_, effective_ - 5 * kDay);
  proposal["agreements"] = Json::array({Hex(testing::HashOf("no such agreement"))});
  EXPECT_EQ(Code(TxType::kTransferPropose, proposal, kParties), "transfer_agreement_invalid");
  proposal["agreements"] = Json::array({Hex(with_x), Hex(with_processor)});
  const Hash256 t = Commit(TxType::kTransferPropose, proposal, kParties);

  // A batch of notice deliveries: either party, between the proposal and now.
  const Hash256 root = testing::HashOf("a Merkle root over deliveries");
  auto batch = [&](std::int64_t deliveries, std::int64_t until) {
    return Json{{"transfer_id", Hex(t)},
                {"deliveries_root", Hex(root)},
                {"deliveries", deliveries},
                {"delivered_until", until}};
  };
  EXPECT_EQ(Code(TxType::kTransferNotify, batch(2, chain_.next_time() + 1), {"insurer-a"}),
            "transfer_invalid_time");
  EXPECT_EQ(Code(TxType::kTransferNotify, batch(2, chain_.next_time() - 1), {"processor"}),
            "tx_missing_signature");
  ASSERT_EQ(Code(TxType::kTransferNotify, batch(2, chain_.next_time() - 1), {"insurer-a"}), "ok");
  Json attest{{"transfer_id", Hex(t)},
              {"deleted_hash", Hex(testing::HashOf("deletion report"))},
              {"backups", "purged"}};
  EXPECT_EQ(Code(TxType::kTransferAttest, attest, {"insurer-a"}), "transfer_invalid_transition");

  ASSERT_EQ(Code(TxType::kTransferApprove, Approval(t), {"regulator"}), "ok");
  chain_.SetNextTime(effective_);
  // insurer-x co-signs the completion: its agreement moves; the processor's ends.
  ASSERT_EQ(Code(TxType::kTransferComplete, Id(t), {"insurer-b", "insurer-x"}), "ok");
  StateReader r(chain_.ledger().store());
  const AgreementRecord moved = *r.Agreement(with_x).value();
  EXPECT_EQ(moved.terms.exporter, "insurer-b");
  EXPECT_EQ(moved.terms_json.at("exporter"), "insurer-b");
  EXPECT_EQ(moved.status(), AgreementStatus::kActive);
  EXPECT_EQ(moved.events.back().reason, "transferred");
  EXPECT_EQ(moved.events.back().from, "insurer-a");
  EXPECT_EQ(moved.events.back().to, "insurer-b");
  const AgreementRecord ended = *r.Agreement(with_processor).value();
  EXPECT_EQ(ended.status(), AgreementStatus::kTerminated);
  EXPECT_EQ(ended.terms.exporter, "insurer-a");
  EXPECT_EQ(ended.events.back().reason, "transfer_not_assented");
  // The notice alice consented under is the acquirer's too: it can renew her consent under it.
  ASSERT_TRUE(r.Notice("insurer-b", notice2).value().has_value());
  Json renewal = chain_.GrantBody("alice", "insurer-b");
  renewal["notice"]["notice_id"] = notice2;
  renewal["supersedes"] = Hex(alice);
  EXPECT_EQ(Code(TxType::kConsentGrant, renewal, {"insurer-b", "alice"}), "ok");

  const TransferRecord done = LoadTransfer(t);
  EXPECT_EQ(done.lifecycle->agreements_moved, 1);
  EXPECT_EQ(done.lifecycle->agreements_ended, 1);
  EXPECT_EQ(done.lifecycle->notices_moved, 1);  // insurer-b had the fixture notice already
  EXPECT_EQ(done.lifecycle->notices_delivered, 2);
  const std::int64_t due = done.lifecycle->deletion_due;
  EXPECT_EQ(due, effective_ + chain_.ledger().genesis().params.rights_deadline_ms);

  // Until the seller attests, the attestation is overdue after its due time.
  auto overdue = [&](std::int64_t at) {
    Queries q(chain_.ledger());
    auto page = q.Transfers("overdue", PageRequest{}, at);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() && !page->items.empty() ? page->items[0].at("overdue") : Json();
  };
  EXPECT_TRUE(overdue(due).is_null());
  EXPECT_EQ(overdue(due + 1).at("attestation"), true);

  // The seller's attestation: Financial kept 30 days, backups purged within 20.
  EXPECT_EQ(Code(TxType::kTransferAttest, attest, {"insurer-b"}), "tx_missing_signature");
  Json keeps = attest;
  keeps["retained_categories"] = Json::array({"Financial"});
  keeps["retention_basis"] = "statutory_retention";
  keeps["retained_until"] = chain_.next_time() - 1;
  keeps["backups"] = "scheduled";
  keeps["backups_purge_by"] = effective_ + 20 * kDay;
  EXPECT_EQ(Code(TxType::kTransferAttest, keeps, {"insurer-a"}), "transfer_invalid_time");
  keeps["retained_until"] = effective_ + 30 * kDay;
  ASSERT_EQ(Code(TxType::kTransferAttest, keeps, {"insurer-a"}), "ok");
  EXPECT_TRUE(overdue(effective_ + 20 * kDay).is_null());
  EXPECT_EQ(overdue(effective_ + 20 * kDay + 1),
            (Json{{"attestation", false}, {"retention", false}, {"backups", true}}));
  EXPECT_EQ(overdue(effective_ + 30 * kDay + 1),
            (Json{{"attestation", false}, {"retention", true}, {"backups", true}}));

  // The dossier at that time: every step, the counts, what is overdue.
  Queries q(chain_.ledger());
  auto dossier = q.TransferDossier(t, effective_ + 30 * kDay + 1);
  ASSERT_TRUE(dossier.ok() && dossier->has_value());
  const Json& d = **dossier;
  std::vector<std::string> steps;
  for (const Json& s : d.at("steps")) steps.push_back(s.at("step"));
  EXPECT_EQ(steps,
            (std::vector<std::string>{"propose", "notify", "approve", "complete", "attest"}));
  EXPECT_EQ(d.at("steps")[1].at("deliveries_root"), Hex(root));
  EXPECT_EQ(d.at("steps")[3].at("by"), "insurer-b");
  EXPECT_EQ(d.at("counts").at("moved"), 2);
  EXPECT_EQ(d.at("counts").at("agreements_moved"), 1);
  EXPECT_EQ(d.at("counts").at("notice_batches"), 1);
  EXPECT_EQ(d.at("deletion").at("retained_categories"), Json::array({"Financial"}));
  EXPECT_EQ(d.at("overdue"),
            (Json::array({Json{{"item", "retention"}, {"due", effective_ + 30 * kDay}},
                          Json{{"item", "backups"}, {"due", effective_ + 20 * kDay}}})));
  auto notices = q.TransferNotices(t);
  ASSERT_TRUE(notices.ok() && notices->has_value());
  ASSERT_EQ((**notices).at("items").size(), 1u);
  EXPECT_EQ((**notices).at("items")[0].at("deliveries"), 2);
  EXPECT_FALSE(q.TransferDossier(testing::HashOf("none")).value().has_value());

  // A later attestation keeps no more and no longer: it cannot clear what is overdue by
  // postponing it, nor keep a category it did not keep.
  Json longer = keeps;
  longer["retained_until"] = effective_ + 40 * kDay;
  EXPECT_EQ(Code(TxType::kTransferAttest, longer, {"insurer-a"}), "transfer_invalid_time");
  Json more = keeps;
  more["retained_categories"] = Json::array({"Financial", "Health"});
  EXPECT_EQ(Code(TxType::kTransferAttest, more, {"insurer-a"}), "transfer_invalid_time");
  Json back = attest;
  back["backups"] = "scheduled";
  back["backups_purge_by"] = effective_ + 25 * kDay;
  EXPECT_EQ(Code(TxType::kTransferAttest, back, {"insurer-a"}), "transfer_invalid_time");
  // The moved agreement is judged by its parties at the time asked about: before the
  // completion insurer-a's, after it insurer-b's.
  StateReader after(chain_.ledger().store());
  const AgreementRecord a = *after.Agreement(with_x).value();
  EXPECT_EQ(a.PartiesAt(effective_ - 1),
            (std::pair<std::string, std::string>("insurer-a", "insurer-x")));
  EXPECT_EQ(a.PartiesAt(effective_),
            (std::pair<std::string, std::string>("insurer-b", "insurer-x")));

  // A later attestation replaces it: nothing kept, backups purged; nothing is overdue.
  ASSERT_EQ(Code(TxType::kTransferAttest, attest, {"insurer-a"}), "ok");
  EXPECT_TRUE(overdue(effective_ + 31 * kDay).is_null());
  EXPECT_EQ(LoadTransfer(t).lifecycle->deletion->attestations, 2);
}

// A step names only the transfer; its parties are both sides (who sees it in the audit log, the
// event stream and GET /v1/txs), whoever signed it.
TEST_F(TransferLifecycleTest, EveryStepConcernsBothParties) {
  Grant("carol");
  const Hash256 t = ProposeAll();
  TxPtr objection = chain_.Make(TxType::kTransferObject, Objection(t, "carol"), {"carol"});
  ASSERT_EQ(Code(objection), "ok");
  Queries q(chain_.ledger());
  auto parties = q.Parties(*objection);
  ASSERT_TRUE(parties.ok()) << parties.status().ToString();
  EXPECT_EQ(parties->members, (std::vector<std::string>{"insurer-a", "insurer-b"}));
}

// Neither party can fill the record: notice batches stop at 200, and the other steps still go.
TEST_F(TransferLifecycleTest, NoticeBatchesHaveACapThatLeavesRoomForTheOtherSteps) {
  Grant("alice");
  const Hash256 t = ProposeAll();
  auto notify = [&](const std::string& root) {
    return chain_.Make(TxType::kTransferNotify,
                       Json{{"transfer_id", Hex(t)},
                            {"deliveries_root", Hex(testing::HashOf(root))},
                            {"deliveries", 1},
                            {"delivered_until", chain_.next_time() - 1}},
                       {"insurer-b"});
  };
  std::vector<TxPtr> batch;
  for (int i = 0; i < 200; ++i) batch.push_back(notify(std::to_string(i)));
  ASSERT_TRUE(chain_.CommitBlock(batch).ok());
  EXPECT_EQ(Code(notify("one more")), "transfer_too_many_steps");
  EXPECT_EQ(LoadTransfer(t).lifecycle->notices_delivered, 200);
  ASSERT_EQ(Code(TxType::kTransferApprove, Approval(t), {"regulator"}), "ok");
  chain_.SetNextTime(effective_);
  ASSERT_EQ(Code(TxType::kTransferComplete, Id(t), {"insurer-a"}), "ok");
  EXPECT_EQ(LoadTransfer(t).lifecycle->steps.size(), 203u);
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
