// A transfer of 10,000 consents on a real 4-validator network that requires a regulator's
// approval (docs/LEDGER.md "Transfers"): proposed with an agreement, 100 customers object and
// 900 have open requests, every customer is told through one notice batch whose proofs verify
// against the ledger, the regulator approves, the acquirer completes it with the agreement's
// other party co-signing, the seller attests its deletion keeping one category, and the dossier
// says so on every node; a year on, the retention is overdue; a second transfer of the 9,900
// is cancelled and moves nothing.

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/hex.h"
#include "crypto/sha256.h"
#include "tests/integration/harness.h"
#include "wallet/transfer_notice.h"

namespace consentd::testing {
namespace {

using ledger::TxType;

constexpr int kConsents = 10'000;
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::string H(const std::string& text) { return HexEncode(crypto::Sha256(text)); }

class TransferNetworkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    net_ = new LocalNet(4, [](Json& n) {
      n["params"]["transfer_approval_required"] = true;
      LocalNet::AddForeignInsurer(n);
    });
    net_->StartAll();
    ASSERT_TRUE(net_->WaitAllHeight(1, 60'000));
  }
  static void TearDownTestSuite() {
    delete net_;
    net_ = nullptr;
  }

  // Submits every tx (at most 1,000 a request), resubmitting what a full mempool turned away,
  // and waits until the last one is committed. Returns how many were accepted.
  static std::size_t SubmitAll(const std::vector<std::string>& txs) {
    std::size_t accepted = 0;
    std::string last;
    for (std::size_t at = 0; at < txs.size();) {
      const std::size_t end = std::min(txs.size(), at + 1000);
      std::string body = "{\"txs\":[";
      for (std::size_t i = at; i < end; ++i) body += (i == at ? "" : ",") + txs[i];
      body += "]}";
      auto r = net_->Post(0, "/v1/txs/batch", body);
      EXPECT_TRUE(r && r->status == 200) << (r ? r->raw.substr(0, 300) : "no answer");
      if (!r || r->status != 200) return accepted;
      std::size_t done = 0;
      for (const Json& one : r->body.at("results")) {
        if (one.value("status", 0) != 202) break;  // mempool_full: the rest again, later
        last = one.value("tx_id", "");
        ++done;
      }
      if (done == 0) {
        const std::uint64_t h = net_->Height(0);
        EXPECT_TRUE(net_->WaitHeight(0, h + 1, 60'000)) << "no block while the mempool is full";
        EXPECT_EQ(r->body.at("results")[0].at("error").value("code", ""), "mempool_full")
            << r->raw.substr(0, 300);
      }
      accepted += done;
      at += done;
    }
    if (!last.empty()) WaitCommitted(last);
    return accepted;
  }
  static void WaitCommitted(const std::string& tx_id) {
    for (int i = 0; i < 1200; ++i) {
      auto r = net_->Get(0, "/v1/txs/" + tx_id);
      if (r && r->status == 200 && r->body.value("status", "") == "committed") return;
      const std::uint64_t h = net_->Height(0);
      net_->WaitHeight(0, h + 1, 5'000);
    }
    ADD_FAILURE() << "tx " << tx_id << " was not committed";
  }
  // Submits one tx and waits for its commit: the node's answer.
  static cli::Response Commit(TxType type, const Json& body, const std::vector<std::string>& by) {
    auto r = net_->Post(0, "/v1/txs?wait=commit&timeout_ms=60000", net_->SignedTx(type, body, by));
    return r ? *r : cli::Response{};
  }

  static LocalNet* net_;
};

LocalNet* TransferNetworkTest::net_ = nullptr;

TEST_F(TransferNetworkTest, TenThousandConsentsMoveThroughEveryStep) {
  ASSERT_EQ(Commit(TxType::kNoticePublish, net_->NoticeBody("insurer-1"), {"insurer-1"}).status,
            200);
  const std::int64_t now = UnixMillisNow();
  // An agreement of the seller with insurer-sg, which will go with the transfer.
  const cli::Response agreement = Commit(TxType::kAgreementCreate,
                                         Json{{"exporter", "insurer-1"},
                                              {"importer", "insurer-sg"},
                                              {"mechanism", "standard-contract"},
                                              {"filing_ref_hash", H("filing")},
                                              {"destinations", {"SG"}},
                                              {"purposes", {"ClaimsHandling"}},
                                              {"categories", {"Contact"}},
                                              {"valid_from", now - 60'000},
                                              {"valid_until", now + 365 * kDayMs}},
                                         {"insurer-1", "insurer-sg"});
  ASSERT_EQ(agreement.status, 200) << agreement.raw;
  const std::string agreement_id = agreement.body.at("tx_id");

  // 10,000 customers known to insurer-1 by reference (their signed forms are its evidence).
  std::vector<Json> subjects;
  std::vector<std::string> txs;
  for (int i = 0; i < kConsents; ++i) {
    subjects.push_back(Json{{"ref", H("customer " + std::to_string(i))}});
    Json grant = net_->GrantBody("insurer-1", "unused");
    grant["subject"] = subjects.back();
    grant["evidence_hash"] = H("form " + std::to_string(i));
    txs.push_back(net_->SignedTx(TxType::kConsentGrant, grant, {"insurer-1"}));
  }
  ASSERT_EQ(SubmitAll(txs), static_cast<std::size_t>(kConsents));

  // Proposed: every consent, effective 20 s from now, objections for 10 s.
  const std::int64_t effective = UnixMillisNow() + 20'000;
  const cli::Response proposal = Commit(TxType::kTransferPropose,
                                        Json{{"seller", "insurer-1"},
                                             {"acquirer", "insurer-2"},
                                             {"all_consents", true},
                                             {"effective_at", effective},
                                             {"objection_until", effective - 10'000},
                                             {"manifest_hash", H("inventory: Contact 10000")},
                                             {"notice_hash", H("transfer notice")},
                                             {"agreements", {agreement_id}}},
                                        {"insurer-1", "insurer-2"});
  ASSERT_EQ(proposal.status, 200) << proposal.raw;
  const std::string transfer = proposal.body.at("tx_id");

  // One customer in a hundred objects (the seller records it); every other tenth has an open
  // access request.
  txs.clear();
  for (int i = 0; i < kConsents; i += 10) {
    if (i % 100 == 0) {
      txs.push_back(net_->SignedTx(TxType::kTransferObject,
                                   Json{{"transfer_id", transfer},
                                        {"subject", subjects[i]},
                                        {"evidence_hash", H("objection " + std::to_string(i))}},
                                   {"insurer-1"}));
    } else {
      txs.push_back(net_->SignedTx(TxType::kRightsRequest,
                                   Json{{"controller", "insurer-1"},
                                        {"subject", subjects[i]},
                                        {"kind", "access"},
                                        {"evidence_hash", H("ask " + std::to_string(i))}},
                                   {"insurer-1"}));
    }
  }
  ASSERT_EQ(SubmitAll(txs), txs.size());

  // Every customer is told: one batch, one root on the ledger, a proof each.
  auto transfer_id = HexDecodeFixed<32>(transfer);
  ASSERT_TRUE(transfer_id.ok());
  std::vector<wallet::NoticeDelivery> deliveries;
  for (int i = 0; i < kConsents; ++i) {
    auto d = wallet::ParseDeliveryLine(
        *transfer_id, Json{{"subject", "ref:" + subjects[i]["ref"].get<std::string>()},
                           {"delivered_at", UnixMillisNow() - 1000}});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    deliveries.push_back(*d);
  }
  auto batch = wallet::BuildNoticeBatch(deliveries);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(Commit(TxType::kTransferNotify,
                   Json{{"transfer_id", transfer},
                        {"deliveries_root", HexEncode(batch->root)},
                        {"deliveries", kConsents},
                        {"delivered_until", batch->delivered_until}},
                   {"insurer-1"})
                .status,
            200);
  auto notices =
      net_->GetAs(2, "/v1/transfers/" + transfer + "/notices", net_->Tokens().at("insurer-3"));
  ASSERT_TRUE(notices && notices->status == 200) << (notices ? notices->raw : "no answer");
  for (int i : {0, 1, 4999, kConsents - 1}) {
    auto v = wallet::VerifyNoticeProof(batch->proofs[static_cast<std::size_t>(i)]);
    ASSERT_TRUE(v.ok()) << i << ": " << v.status().ToString();
    EXPECT_TRUE(wallet::NoticeRootOnLedger(*v, notices->body).ok()) << i;
  }

  // Approved by the regulator; completed by the acquirer once effective, insurer-sg co-signing.
  ASSERT_EQ(Commit(TxType::kTransferApprove,
                   Json{{"transfer_id", transfer}, {"approval_ref_hash", H("approval 2026-9")}},
                   {"regulator"})
                .status,
            200);
  cli::Response completion;
  for (int attempt = 0; attempt < 600; ++attempt) {
    completion = Commit(TxType::kTransferComplete, Json{{"transfer_id", transfer}},
                        {"insurer-2", "insurer-sg"});
    if (completion.status == 200) break;
    // Executing a 9,900-consent move takes each validator seconds under the sanitizers, and a
    // round may time out on it: accepted but not yet committed, so wait for its commit.
    const std::string code = completion.body.value("error", Json::object()).value("code", "");
    if (code == "commit_timeout") {
      WaitCommitted(completion.body.at("tx_id"));
      completion.status = 200;
      break;
    }
    ASSERT_EQ(completion.body.value("error", Json::object()).value("code", ""),
              "transfer_not_yet_effective")
        << completion.raw;
    const std::uint64_t h = net_->Height(0);
    net_->WaitHeight(0, h + 1, 5'000);  // the next block's time
  }
  ASSERT_EQ(completion.status, 200) << completion.raw;

  // The seller's attestation: Financial kept for a statutory period, backups purged in 30 days.
  ASSERT_EQ(Commit(TxType::kTransferAttest,
                   Json{{"transfer_id", transfer},
                        {"deleted_hash", H("deletion report")},
                        {"retained_categories", {"Financial"}},
                        {"retained_until", UnixMillisNow() + 365 * kDayMs},
                        {"retention_basis", "statutory_retention"},
                        {"backups", "scheduled"},
                        {"backups_purge_by", UnixMillisNow() + 30 * kDayMs}},
                   {"insurer-1"})
                .status,
            200);

  // The dossier, read by the regulator on every node, at one height.
  const std::uint64_t height = net_->Height(0);
  ASSERT_TRUE(net_->WaitAllHeight(height, 60'000));
  const std::string regulator = net_->Tokens().at("regulator");
  const std::string at =
      net_->Get(0, "/v1/blocks/" + std::to_string(height))->body.at("header").at("time_ms").dump();
  Json first;
  for (int i = 0; i < net_->size(); ++i) {
    auto d = net_->GetAs(i, "/v1/transfers/" + transfer + "?at=" + at, regulator);
    ASSERT_TRUE(d && d->status == 200) << (d ? d->raw.substr(0, 300) : "no answer");
    Json body = d->body;
    body.erase("height");  // a node may be a block further on
    if (i == 0) {
      first = body;
    } else {
      EXPECT_EQ(body, first) << "node " << i;
    }
  }
  const Json& counts = first.at("counts");
  EXPECT_EQ(first.at("status"), "completed");
  EXPECT_EQ(counts.at("moved"), kConsents - kConsents / 100);
  EXPECT_EQ(counts.at("kept"), kConsents / 100);
  EXPECT_EQ(counts.at("objections"), kConsents / 100);
  EXPECT_EQ(counts.at("erasures"), kConsents / 100);
  EXPECT_EQ(counts.at("rights_moved"), kConsents / 10 - kConsents / 100);
  EXPECT_EQ(counts.at("agreements_moved"), 1);
  EXPECT_EQ(counts.at("notices_moved"), 1);  // insurer-1's notice: insurer-2 had none
  EXPECT_EQ(counts.at("notices_delivered"), kConsents);
  EXPECT_EQ(first.at("duties").at("open"), kConsents / 10);  // 100 erasures + 900 requests
  EXPECT_EQ(first.at("overdue"), Json::array());
  std::vector<std::string> steps;
  for (const Json& s : first.at("steps")) steps.push_back(s.at("step"));
  EXPECT_EQ(steps,
            (std::vector<std::string>{"propose", "notify", "approve", "complete", "attest"}));
  // The agreement is insurer-2's now.
  auto a = net_->Get(0, "/v1/agreements/" + agreement_id);
  ASSERT_TRUE(a && a->status == 200);
  EXPECT_EQ(a->body.at("exporter"), "insurer-2") << a->raw.substr(0, 400);
  EXPECT_EQ(a->body.at("history").back().at("from"), "insurer-1");
  // Overdue retention: past retained_until the transfer is listed as overdue, and its dossier
  // says what: the retention, the backups and the rights duties, in that order.
  const std::int64_t late = UnixMillisNow() + 366 * kDayMs;
  auto overdue =
      net_->GetAs(1, "/v1/transfers?status=overdue&at=" + std::to_string(late), regulator);
  ASSERT_TRUE(overdue && overdue->status == 200) << (overdue ? overdue->raw : "no answer");
  ASSERT_EQ(overdue->body.at("items").size(), 1u);
  EXPECT_EQ(overdue->body.at("items")[0].at("overdue"),
            (Json{{"attestation", false}, {"retention", true}, {"backups", true}}));
  auto later =
      net_->GetAs(1, "/v1/transfers/" + transfer + "?at=" + std::to_string(late), regulator);
  ASSERT_TRUE(later && later->status == 200);
  std::vector<std::string> items;
  for (const Json& o : later->body.at("overdue")) items.push_back(o.at("item"));
  EXPECT_EQ(items, (std::vector<std::string>{"retention", "backups", "rights"}));

  // Cancelled: a second proposal of insurer-2's consents (now 9,900 of them) is withdrawn by
  // the parties before it takes effect, and nothing moves.
  const cli::Response second = Commit(TxType::kTransferPropose,
                                      Json{{"seller", "insurer-2"},
                                           {"acquirer", "insurer-3"},
                                           {"all_consents", true},
                                           {"effective_at", UnixMillisNow() + kDayMs},
                                           {"objection_until", UnixMillisNow() + kDayMs / 2},
                                           {"manifest_hash", H("inventory 2")},
                                           {"notice_hash", H("transfer notice 2")}},
                                      {"insurer-2", "insurer-3"});
  ASSERT_EQ(second.status, 200) << second.raw;
  const std::string cancelled = second.body.at("tx_id");
  ASSERT_EQ(Commit(TxType::kTransferCancel,
                   Json{{"transfer_id", cancelled}, {"reason", "terms_changed"}}, {"insurer-3"})
                .status,
            200);
  auto c = net_->GetAs(0, "/v1/transfers/" + cancelled, regulator);
  ASSERT_TRUE(c && c->status == 200);
  EXPECT_EQ(c->body.at("status"), "cancelled");
  EXPECT_EQ(c->body.at("counts").at("moved"), 0);
  auto listed = net_->GetAs(0, "/v1/transfers?status=cancelled", regulator);
  ASSERT_TRUE(listed && listed->status == 200);
  ASSERT_EQ(listed->body.at("items").size(), 1u);
  EXPECT_EQ(listed->body.at("items")[0].at("id"), cancelled);

  // The insurer that is neither party may not read the dossier.
  auto other = net_->GetAs(0, "/v1/transfers/" + transfer, net_->Tokens().at("insurer-3"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
}

}  // namespace
}  // namespace consentd::testing
