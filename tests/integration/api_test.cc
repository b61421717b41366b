// The HTTP API against a real node with committed data (issue "HTTP API", tests): every route's
// happy path and documented errors, access rules and insurer scope, the malformed-input suite,
// the audit export against the paged log, and the event stream with resumption.
//
// One single-validator network serves the whole suite (started once, populated once).

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "common/test_paths.h"
#include "crypto/sha256.h"
#include "tests/integration/harness.h"
#include "wallet/key_file.h"
#include "wallet/request_signature.h"

namespace consentd::testing {
namespace {

using ledger::TxType;

struct Reply {
  int status = 0;
  Json body;
  std::string raw;
  httplib::Headers headers;
  std::string code() const {
    return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  }
};

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    net_ = new LocalNet(1, LocalNet::AddForeignInsurer);
    tokens_ = net_->Tokens();
    net_->StartAll();
    ASSERT_TRUE(net_->WaitHeight(0, 1, 60'000)) << net_->Log(0);
    Populate();
  }
  static void TearDownTestSuite() {
    delete net_;
    net_ = nullptr;
  }

  static Reply Call(const std::string& method, const std::string& path,
                    const std::string& token = "", const std::string& body = "",
                    httplib::Headers headers = {}) {
    httplib::Client c(net_->url(0));
    c.set_read_timeout(std::chrono::seconds(30));
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto r =
        method == "GET" ? c.Get(path, headers) : c.Post(path, headers, body, "application/json");
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.raw = r->body;
    out.headers = r->headers;
    auto j = ParseJson(r->body, JsonLimits{64 << 20, 64});
    if (j.ok()) out.body = *j;
    return out;
  }
  // A customer's signed request (docs/API.md, "Customers: signed requests"), by `name`'s key.
  static Reply CallAsCustomer(const std::string& method, const std::string& path,
                              const std::string& name, const std::string& body = "") {
    const std::string auth = wallet::SignRequest(
        net_->Key(name),
        wallet::RequestToSign{net_->chain_id(), method, path, body, UnixMillisNow()});
    return Call(method, path, "", body, {{"Authorization", auth}});
  }
  static Reply Get(const std::string& path, const std::string& who = "") {
    return Call("GET", path, who.empty() ? "" : tokens_[who]);
  }
  static Reply Post(const std::string& path, const std::string& body) {
    return Call("POST", path, "", body);
  }
  // Submits and waits for the commit; returns the tx id.
  static std::string Commit(TxType type, const Json& body, const std::vector<std::string>& by) {
    Reply r = Post("/v1/txs?wait=commit&timeout_ms=30000", net_->SignedTx(type, body, by));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.value("tx_id", "");
  }

  static void Populate() {
    const std::int64_t now = UnixMillisNow();
    notice_tx_ = Commit(TxType::kNoticePublish, net_->NoticeBody("insurer-1"), {"insurer-1"});
    agreement_ = Commit(TxType::kAgreementCreate,
                        Json{{"exporter", "insurer-1"},
                             {"importer", "insurer-sg"},
                             {"mechanism", "standard-contract"},
                             {"filing_ref_hash", HexEncode(crypto::Sha256("filing"))},
                             {"destinations", {"SG"}},
                             {"purposes", {"ClaimsHandling"}},
                             {"categories", {"Contact"}},
                             {"valid_from", now - 60'000},
                             {"valid_until", now + 365LL * 24 * 3600 * 1000}},
                        {"insurer-1", "insurer-sg"});
    Commit(TxType::kAgreementActivate, Json{{"agreement_id", agreement_}},
           {"insurer-1", "insurer-sg"});
    Json alice = net_->GrantBody("insurer-1", "alice");
    alice["recipients"] = {"insurer-sg"};
    alice["jurisdictions"] = {"SG"};
    alice["separate"] = true;
    alice["agreement"] = agreement_;
    alice_grant_ = Commit(TxType::kConsentGrant, alice, {"insurer-1", "alice"});
    bob_grant_ =
        Commit(TxType::kConsentGrant, net_->GrantBody("insurer-1", "bob"), {"insurer-1", "bob"});
    sharing_ = Commit(TxType::kSharingRecord,
                      Json{{"sender", "insurer-1"},
                           {"recipient", "insurer-sg"},
                           {"subject", {{"key", Key("alice")}}},
                           {"purpose", "ClaimsHandling"},
                           {"categories", {"Contact"}},
                           {"destination", "SG"},
                           {"legal_basis", "consent"},
                           {"shared_at", GrantTime() + 1}},
                      {"insurer-1"});
    rights_ = Commit(
        TxType::kRightsRequest,
        Json{{"controller", "insurer-1"}, {"subject", {{"key", Key("alice")}}}, {"kind", "access"}},
        {"alice"});
    incident_ = Commit(TxType::kIncidentReport,
                       Json{{"controller", "insurer-1"},
                            {"detected_at", UnixMillisNow() - 3600'000},
                            {"categories", {"Contact"}},
                            {"cause", "unauthorized_access"},
                            {"harms", {"medium"}},
                            {"remedies", {"contained"}},
                            {"affected_count", 3},
                            {"affected_commitment", HexEncode(crypto::Sha256("affected"))},
                            {"notice_hash", HexEncode(crypto::Sha256("incident notice"))},
                            {"regulator_notified_at", UnixMillisNow() - 1800'000}},
                       {"insurer-1"});
    transfer_ = Commit(TxType::kTransferPropose,
                       Json{{"seller", "insurer-1"},
                            {"acquirer", "insurer-sg"},
                            {"all_consents", true},  // (listing bob's would show his id to sg)
                            {"effective_at", now + 365LL * 24 * 3600 * 1000},
                            {"objection_until", now + 24LL * 3600 * 1000},
                            {"manifest_hash", HexEncode(crypto::Sha256("inventory"))},
                            {"notice_hash", HexEncode(crypto::Sha256("transfer notice"))}},
                       {"insurer-1", "insurer-sg"});
    Commit(TxType::kTransferNotify,
           Json{{"transfer_id", transfer_},
                {"deliveries_root", HexEncode(crypto::Sha256("deliveries"))},
                {"deliveries", 1},
                {"delivered_until", UnixMillisNow() - 1}},
           {"insurer-1"});
  }
  // Block time of alice's grant: sharing under it happens after it was recorded.
  static std::int64_t GrantTime() {
    return Get("/v1/txs/" + alice_grant_, "auditor").body.value("time_ms", std::int64_t{0});
  }
  static std::string Key(const std::string& name) { return net_->Key(name).public_key().Hex(); }
  static std::string Subject(const std::string& name) { return "key:" + Key(name); }

  static LocalNet* net_;
  static std::map<std::string, std::string> tokens_;
  static std::string notice_tx_, alice_grant_, bob_grant_, agreement_, sharing_, rights_, incident_,
      transfer_;
};

LocalNet* ApiTest::net_ = nullptr;
std::map<std::string, std::string> ApiTest::tokens_;
std::string ApiTest::notice_tx_, ApiTest::alice_grant_, ApiTest::bob_grant_, ApiTest::agreement_,
    ApiTest::sharing_, ApiTest::rights_, ApiTest::incident_, ApiTest::transfer_;

TEST_F(ApiTest, SubmitAcceptsRefusesAndWaitsForCommit) {
  const std::string tx = net_->SignedTx(
      TxType::kConsentGrant, net_->GrantBody("insurer-1", "carol"), {"insurer-1", "carol"});
  Reply r = Post("/v1/txs", tx);
  ASSERT_EQ(r.status, 202) << r.raw;
  const std::string id = r.body["tx_id"];
  EXPECT_EQ(id.size(), 64u);
  // The same tx again: a duplicate, pending or committed.
  Reply again = Post("/v1/txs", tx);
  EXPECT_EQ(again.status, 409) << again.raw;
  EXPECT_TRUE(again.code() == "mempool_duplicate" || again.code() == "tx_duplicate");
  // A rule violation: withdrawing a consent that does not exist.
  Reply rule =
      Post("/v1/txs", net_->SignedTx(TxType::kConsentWithdraw,
                                     Json{{"consent_id", std::string(64, 'a')}}, {"carol"}));
  EXPECT_EQ(rule.status, 422) << rule.raw;
  EXPECT_EQ(rule.code(), "consent_unknown");
  // A signature by the wrong key.
  Json bad = ParseJson(tx).value();
  bad["nonce"] = bad["nonce"].get<std::uint64_t>() + 1;
  Reply sig = Post("/v1/txs", CanonicalJson(bad));
  EXPECT_EQ(sig.status, 400) << sig.raw;
  EXPECT_EQ(sig.code(), "tx_bad_signature");
  // wait=commit returns the receipt.
  Reply committed = Post("/v1/txs?wait=commit&timeout_ms=30000",
                         net_->SignedTx(TxType::kConsentGrant, net_->GrantBody("insurer-1", "dan"),
                                        {"insurer-1", "dan"}));
  ASSERT_EQ(committed.status, 200) << committed.raw;
  for (const char* field : {"version", "chain_id", "tx", "tx_id", "proof", "header", "block_hash",
                            "certificate", "validators"}) {
    EXPECT_TRUE(committed.body.contains(field)) << field;
  }
  EXPECT_EQ(Post("/v1/txs?wait=soon", tx).code(), "bad_parameter");
  EXPECT_EQ(Post("/v1/txs?wait=commit&timeout_ms=0", tx).code(), "bad_parameter");
  EXPECT_EQ(Post("/v1/txs?wait=commit&timeout_ms=99999999", tx).code(), "bad_parameter");
}

TEST_F(ApiTest, BatchGivesOneResultPerTx) {
  Json batch{{"txs",
              {ParseJson(net_->SignedTx(TxType::kConsentGrant, net_->GrantBody("insurer-1", "eve"),
                                        {"insurer-1", "eve"}))
                   .value(),
               Json{{"type", "consent.grant"}},
               ParseJson(net_->SignedTx(TxType::kConsentGrant, net_->GrantBody("insurer-1", "fay"),
                                        {"insurer-1", "fay"}))
                   .value()}}};
  Reply r = Post("/v1/txs/batch", CanonicalJson(batch));
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_EQ(r.body["results"].size(), 3u);
  EXPECT_EQ(r.body["accepted"], 2);
  EXPECT_EQ(r.body["results"][0]["status"], 202);
  EXPECT_EQ(r.body["results"][1]["status"], 400);
  EXPECT_TRUE(r.body["results"][1].contains("error"));
  EXPECT_EQ(r.body["results"][2]["status"], 202);
  EXPECT_EQ(Post("/v1/txs/batch", "{\"txs\":[]}").code(), "bad_request");
  EXPECT_EQ(Post("/v1/txs/batch", "[1,2]").code(), "bad_request");
  Json big{{"txs", Json::array()}};
  for (int i = 0; i < 1001; ++i) big["txs"].push_back(Json::object());
  Reply too_many = Post("/v1/txs/batch", CanonicalJson(big));
  EXPECT_EQ(too_many.status, 413);
  EXPECT_EQ(too_many.code(), "batch_too_large");
}

TEST_F(ApiTest, TransactionsBlocksReceiptsStatusValidators) {
  Reply tx = Get("/v1/txs/" + alice_grant_, "insurer-1");
  ASSERT_EQ(tx.status, 200) << tx.raw;
  EXPECT_EQ(tx.body["status"], "committed");
  EXPECT_EQ(tx.body["tx_id"], alice_grant_);
  const std::uint64_t height = tx.body["height"];
  EXPECT_EQ(Get("/v1/txs/" + std::string(64, '0'), "insurer-1").status, 404);
  EXPECT_EQ(Get("/v1/txs/xyz", "insurer-1").code(), "bad_id");
  // Scope: a transaction is read by its parties, auditors and regulators only.
  EXPECT_EQ(Get("/v1/txs/" + alice_grant_).code(), "auth_required");
  EXPECT_EQ(Get("/v1/txs/" + alice_grant_, "insurer-sg").status, 200);  // a recipient
  EXPECT_EQ(Get("/v1/txs/" + bob_grant_, "insurer-sg").code(), "forbidden");
  EXPECT_EQ(Get("/v1/txs/" + bob_grant_, "regulator").status, 200);

  auto lists = [](const Reply& b, const std::string& id) {
    bool listed = false;
    for (const Json& x : b.body["tx_ids"]) listed |= x == id;
    return listed;
  };
  Reply block = Get("/v1/blocks/" + std::to_string(height), "auditor");
  ASSERT_EQ(block.status, 200);
  EXPECT_EQ(block.body["hash"], tx.body["block_hash"]);
  EXPECT_TRUE(lists(block, alice_grant_));
  EXPECT_EQ(block.body["header"]["tx_count"], block.body["tx_ids"].size());
  // Without a token: the header and certificate, no transaction ids.
  Reply anonymous = Get("/v1/blocks/" + std::to_string(height));
  ASSERT_EQ(anonymous.status, 200);
  EXPECT_EQ(anonymous.body["hash"], block.body["hash"]);
  EXPECT_EQ(anonymous.body["certificate"], block.body["certificate"]);
  EXPECT_TRUE(anonymous.body["tx_ids"].empty()) << anonymous.raw;
  EXPECT_EQ(anonymous.body["header"], block.body["header"]);
  EXPECT_TRUE(lists(Get("/v1/blocks/" + std::to_string(height), "insurer-sg"), alice_grant_));
  const std::uint64_t bob_height = Get("/v1/txs/" + bob_grant_, "auditor").body["height"];
  EXPECT_FALSE(lists(Get("/v1/blocks/" + std::to_string(bob_height), "insurer-sg"), bob_grant_));
  EXPECT_TRUE(lists(Get("/v1/blocks/" + std::to_string(bob_height), "insurer-1"), bob_grant_));
  Reply latest = Get("/v1/blocks/latest");
  ASSERT_EQ(latest.status, 200);
  EXPECT_GE(latest.body["header"]["height"].get<std::uint64_t>(), height);
  EXPECT_EQ(Get("/v1/blocks/999999999").status, 404);
  EXPECT_EQ(Get("/v1/blocks/-1").code(), "bad_parameter");
  EXPECT_EQ(Get("/v1/blocks/12x").code(), "bad_parameter");

  Reply receipt = Get("/v1/receipts/" + alice_grant_, "insurer-1");
  ASSERT_EQ(receipt.status, 200) << receipt.raw;
  EXPECT_EQ(receipt.body["tx_id"], alice_grant_);
  EXPECT_EQ(receipt.body["block_hash"], tx.body["block_hash"]);
  EXPECT_EQ(receipt.body["chain_id"], net_->chain_id());
  EXPECT_EQ(receipt.body["validators"].size(), 1u);
  EXPECT_EQ(Get("/v1/receipts/" + std::string(64, 'b'), "insurer-1").status, 404);
  EXPECT_EQ(Get("/v1/receipts/not-hex", "insurer-1").status, 400);
  EXPECT_EQ(Get("/v1/receipts/" + alice_grant_).code(), "auth_required");
  EXPECT_EQ(Get("/v1/receipts/" + bob_grant_, "insurer-sg").code(), "forbidden");

  Reply status = Get("/v1/status");
  ASSERT_EQ(status.status, 200);
  for (const char* f :
       {"chain_id", "height", "round", "peers", "syncing", "mempool_size", "version"}) {
    EXPECT_TRUE(status.body.contains(f)) << f;
  }
  EXPECT_EQ(status.body["chain_id"], net_->chain_id());
  Reply validators = Get("/v1/validators");
  ASSERT_EQ(validators.status, 200);
  EXPECT_EQ(validators.body["validators"].size(), 1u);
  EXPECT_EQ(validators.body["quorum"], 1);
  EXPECT_EQ(Get("/v1/status?x=1").code(), "bad_parameter");
}

TEST_F(ApiTest, ConsentsAndSubjects) {
  Reply c = Get("/v1/consents/" + alice_grant_, "insurer-1");
  ASSERT_EQ(c.status, 200) << c.raw;
  EXPECT_EQ(c.body["status"], "Given");
  EXPECT_EQ(c.body["controller"], "insurer-1");
  EXPECT_TRUE(c.body["history"].is_array());
  Reply before = Get("/v1/consents/" + alice_grant_ + "?at=1", "insurer-1");
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.body["valid"], false);
  EXPECT_EQ(Get("/v1/consents/" + std::string(64, 'c'), "insurer-1").status, 404);
  EXPECT_EQ(Get("/v1/consents/" + alice_grant_).code(), "auth_required");
  EXPECT_EQ(Get("/v1/consents/" + bob_grant_, "insurer-sg").code(), "forbidden");
  EXPECT_EQ(Get("/v1/consents/" + bob_grant_, "auditor").status, 200);

  const std::string alice = "/v1/subjects/" + Subject("alice");
  EXPECT_EQ(Get(alice + "/consents").status, 401);
  EXPECT_EQ(Get(alice + "/consents").code(), "auth_required");
  Reply all = Get(alice + "/consents", "auditor");
  ASSERT_EQ(all.status, 200) << all.raw;
  ASSERT_EQ(all.body["items"].size(), 1u);
  EXPECT_EQ(all.body["items"][0]["id"], alice_grant_);
  // insurer-sg is alice's consent's recipient; bob's consent does not involve it.
  EXPECT_EQ(Get(alice + "/consents", "insurer-sg").body["items"].size(), 1u);
  EXPECT_EQ(Get("/v1/subjects/" + Subject("bob") + "/consents", "insurer-sg").body["items"].size(),
            0u);
  EXPECT_EQ(Get("/v1/subjects/" + Subject("bob") + "/consents", "insurer-1").body["items"].size(),
            1u);
  Reply history = Get(alice + "/history", "regulator");
  ASSERT_EQ(history.status, 200);
  std::set<std::string> kinds;
  for (const Json& e : history.body["items"]) kinds.insert(e["kind"].get<std::string>());
  EXPECT_TRUE(kinds.count("consent.granted") || kinds.count("consent.grant")) << history.raw;
  EXPECT_TRUE(kinds.count("sharing"));
  EXPECT_TRUE(kinds.count("rights.subject") || kinds.size() >= 3) << history.raw;
  EXPECT_EQ(Get("/v1/subjects/alice/history", "auditor").code(), "bad_parameter");
}

TEST_F(ApiTest, CheckAnswersWithJustificationOrReason) {
  const std::string q = "/v1/check?subject=" + Subject("alice") +
                        "&recipient=insurer-sg&purpose=ClaimsHandling&category=Contact"
                        "&jurisdiction=SG";
  Reply yes = Get(q, "auditor");
  ASSERT_EQ(yes.status, 200) << yes.raw;
  EXPECT_EQ(yes.body["allowed"], true) << yes.raw;
  ASSERT_EQ(yes.body["consents"].size(), 1u);
  EXPECT_EQ(yes.body["consents"][0], alice_grant_);
  EXPECT_TRUE(yes.body.contains("height"));
  Reply no = Get("/v1/check?subject=" + Subject("bob") +
                     "&recipient=insurer-sg&purpose=ClaimsHandling&category=Contact"
                     "&sender=insurer-1",
                 "insurer-1");
  ASSERT_EQ(no.status, 200) << no.raw;
  EXPECT_EQ(no.body["allowed"], false);
  EXPECT_FALSE(no.body["reason"].get<std::string>().empty());
  EXPECT_EQ(Get(q).status, 401);
  // An insurer asks only about sharing its member sends or receives.
  EXPECT_EQ(Get(q, "insurer-sg").status, 200);  // the recipient
  EXPECT_EQ(Get(q, "insurer-1").code(), "forbidden");
  EXPECT_EQ(Get(q + "&sender=insurer-1", "insurer-1").status, 200);
  EXPECT_EQ(Get("/v1/check?subject=" + Subject("alice"), "auditor").code(), "bad_parameter");
}

// The answer cache keys answers by head height: a repeated question is a hit, and a commit that
// changes the answer changes it at once.
TEST_F(ApiTest, RepeatedChecksComeFromTheAnswerCacheAndFollowCommits) {
  auto hits = [] {
    auto r = net_->Get(0, "/metrics");
    const std::string series = "consentd_http_answer_cache_total{result=\"hit\"} ";
    const std::size_t at = r ? r->raw.find(series) : std::string::npos;
    return at == std::string::npos ? -1 : std::atoll(r->raw.c_str() + at + series.size());
  };
  const std::string q = "/v1/check?subject=" + Subject("carol") +
                        "&recipient=insurer-sg&purpose=ClaimsHandling&category=Contact"
                        "&jurisdiction=SG&sender=insurer-1";
  Reply first = Get(q, "insurer-1");
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body["allowed"], false) << first.raw;
  const long long before = hits();
  ASSERT_GE(before, 0);
  Reply again = Get(q, "insurer-1");
  EXPECT_EQ(again.raw, first.raw);
  EXPECT_GE(hits(), before + 1);  // the same question at the same height: from the cache

  Json carol = net_->GrantBody("insurer-1", "carol");
  carol["recipients"] = {"insurer-sg"};
  carol["jurisdictions"] = {"SG"};
  carol["separate"] = true;
  carol["agreement"] = agreement_;
  Commit(TxType::kConsentGrant, carol, {"insurer-1", "carol"});
  Reply after = Get(q, "insurer-1");
  ASSERT_EQ(after.status, 200) << after.raw;
  EXPECT_EQ(after.body["allowed"], true) << after.raw;
  EXPECT_GT(after.body["height"].get<std::uint64_t>(), first.body["height"].get<std::uint64_t>());
}

TEST_F(ApiTest, AgreementsSharingRightsIncidentsMembers) {
  Reply a = Get("/v1/agreements/" + agreement_, "insurer-sg");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["status"], "Active");
  Reply list = Get("/v1/agreements?party=insurer-1&status=Active", "auditor");
  ASSERT_EQ(list.status, 200) << list.raw;
  EXPECT_EQ(list.body["items"].size(), 1u);
  EXPECT_EQ(Get("/v1/agreements?party=insurer-1", "insurer-sg").status, 403);
  EXPECT_EQ(Get("/v1/agreements?status=open", "auditor").code(), "bad_parameter");

  Reply by_subject = Get("/v1/sharing?subject=" + Subject("alice"), "auditor");
  ASSERT_EQ(by_subject.status, 200) << by_subject.raw;
  ASSERT_EQ(by_subject.body["items"].size(), 1u);
  EXPECT_EQ(by_subject.body["items"][0]["id"], sharing_);
  EXPECT_EQ(Get("/v1/sharing?controller=insurer-1", "insurer-1").body["items"].size(), 1u);
  EXPECT_EQ(Get("/v1/sharing?controller=insurer-1", "insurer-sg").code(), "forbidden");
  EXPECT_EQ(Get("/v1/sharing?controller=insurer-1&from=1&to=2", "auditor").body["items"].size(),
            0u);
  EXPECT_EQ(Get("/v1/sharing", "auditor").code(), "bad_parameter");
  EXPECT_EQ(Get("/v1/sharing?controller=insurer-1", "").status, 401);

  Reply open = Get("/v1/rights?status=open", "insurer-1");
  ASSERT_EQ(open.status, 200) << open.raw;
  ASSERT_EQ(open.body["items"].size(), 1u);
  EXPECT_EQ(Get("/v1/rights?status=open", "insurer-sg").body["items"].size(), 0u);
  EXPECT_EQ(Get("/v1/rights?status=overdue", "regulator").body["items"].size(), 0u);
  EXPECT_EQ(Get("/v1/rights?status=closed", "regulator").code(), "bad_parameter");

  Reply incidents = Get("/v1/incidents", "regulator");
  ASSERT_EQ(incidents.status, 200);
  ASSERT_EQ(incidents.body["items"].size(), 1u);
  EXPECT_EQ(incidents.body["items"][0]["id"], incident_);
  EXPECT_EQ(Get("/v1/incidents", "insurer-sg").body["items"].size(), 0u);

  EXPECT_EQ(Get("/v1/members?limit=2").code(), "auth_required");
  Reply members = Get("/v1/members?limit=2", "insurer-sg");
  ASSERT_EQ(members.status, 200);
  EXPECT_EQ(members.body["items"].size(), 2u);
  ASSERT_TRUE(members.body.contains("next_cursor"));
  Reply rest =
      Get("/v1/members?cursor=" + members.body["next_cursor"].get<std::string>(), "insurer-sg");
  ASSERT_EQ(rest.status, 200);
  EXPECT_EQ(rest.body["items"].size(), 2u);  // insurer-1, insurer-sg, regulator, auditor
}

TEST_F(ApiTest, AuditExportEqualsThePagedLog) {
  std::vector<std::string> paged;
  std::string cursor;
  std::uint64_t to = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    Reply page = Get("/v1/audit/log?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor) +
                         (to ? "&to_height=" + std::to_string(to) : ""),
                     "auditor");
    ASSERT_EQ(page.status, 200) << page.raw;
    for (const Json& item : page.body["items"]) {
      if (to == 0) to = item["height"].get<std::uint64_t>() + 1000;  // pin the range
      paged.push_back(CanonicalJson(item));
    }
    if (!page.body.contains("next_cursor")) break;
    cursor = page.body["next_cursor"];
  }
  ASSERT_GE(paged.size(), 8u);
  // Pin the export to the same range: the head only moves forward, heights below stay put.
  const std::uint64_t last_height = ParseJson(paged.back()).value()["height"];
  Reply ndjson =
      Get("/v1/audit/log?format=ndjson&to_height=" + std::to_string(last_height), "auditor");
  ASSERT_EQ(ndjson.status, 200);
  std::vector<std::string> exported;
  for (std::size_t start = 0; start < ndjson.raw.size();) {
    const std::size_t nl = ndjson.raw.find('\n', start);
    ASSERT_NE(nl, std::string::npos);
    exported.push_back(ndjson.raw.substr(start, nl - start));
    start = nl + 1;
  }
  std::vector<std::string> paged_range;
  for (const std::string& p : paged) {
    if (ParseJson(p).value()["height"].get<std::uint64_t>() <= last_height)
      paged_range.push_back(p);
  }
  EXPECT_EQ(exported, paged_range);

  Reply csv = Get("/v1/audit/log?format=csv&to_height=" + std::to_string(last_height), "auditor");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.raw.rfind("height,index,time_ms,tx_id,type,members,tx\r\n", 0), 0u);
  std::size_t lines = 0;
  for (char ch : csv.raw) lines += ch == '\n';
  EXPECT_EQ(lines, paged_range.size() + 1);

  // An insurer reads only the log of its own member.
  Reply mine = Get("/v1/audit/log?limit=1000", "insurer-sg");
  ASSERT_EQ(mine.status, 200);
  for (const Json& item : mine.body["items"]) {
    EXPECT_NE(std::find(item["members"].begin(), item["members"].end(), "insurer-sg"),
              item["members"].end());
  }
  EXPECT_GE(mine.body["items"].size(), 3u);  // agreement create + activate, sharing
  EXPECT_EQ(Get("/v1/audit/log?member=insurer-1", "insurer-sg").status, 403);
  EXPECT_EQ(Get("/v1/audit/log?type=consent.grant&limit=1000", "auditor").status, 200);
  EXPECT_EQ(Get("/v1/audit/log?type=consent.bogus", "auditor").code(), "bad_parameter");
  EXPECT_EQ(Get("/v1/audit/log?format=xml", "auditor").code(), "bad_parameter");
  EXPECT_EQ(Get("/v1/audit/log?from_height=5&to_height=4", "auditor").code(), "bad_parameter");
  EXPECT_EQ(Get("/v1/audit/log").status, 401);
}

// Reads the event stream until `want` tx events arrived; returns their ids and tx ids.
std::vector<std::pair<std::string, std::string>> ReadEvents(const std::string& url,
                                                            const std::string& path,
                                                            const httplib::Headers& headers,
                                                            std::size_t want) {
  std::vector<std::pair<std::string, std::string>> events;
  std::string buffer;
  httplib::Client c(url);
  c.set_read_timeout(std::chrono::seconds(30));
  c.Get(path, headers, [&](const char* data, std::size_t len) {
    buffer.append(data, len);
    for (std::size_t end; (end = buffer.find("\n\n")) != std::string::npos;) {
      const std::string event = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      std::string id, data_line;
      for (std::size_t s = 0; s < event.size();) {
        const std::size_t nl = std::min(event.find('\n', s), event.size());
        const std::string line = event.substr(s, nl - s);
        if (line.rfind("id: ", 0) == 0) id = line.substr(4);
        if (line.rfind("data: ", 0) == 0) data_line = line.substr(6);
        s = nl + 1;
      }
      if (id.empty() || data_line.empty()) continue;
      auto j = ParseJson(data_line);
      if (j.ok() && j->contains("tx_id")) events.emplace_back(id, (*j)["tx_id"]);
    }
    return events.size() < want;
  });
  return events;
}

TEST_F(ApiTest, EventsStreamEveryCommittedTxInOrderAndResume) {
  // Every committed tx, from the audit log.
  Reply log = Get("/v1/audit/log?limit=1000", "auditor");
  ASSERT_EQ(log.status, 200);
  std::vector<std::string> committed;
  for (const Json& item : log.body["items"]) committed.push_back(item["tx_id"]);
  ASSERT_GE(committed.size(), 8u);

  const httplib::Headers auditor = {{"Authorization", "Bearer " + tokens_["auditor"]}};
  auto events =
      ReadEvents(net_->url(0), "/v1/events?types=tx&from_height=1", auditor, committed.size());
  ASSERT_EQ(events.size(), committed.size());
  for (std::size_t i = 0; i < committed.size(); ++i) EXPECT_EQ(events[i].second, committed[i]);

  // Resume after the fourth event: the rest follow, with no gap and no repeat.
  httplib::Headers resume = auditor;
  resume.emplace("Last-Event-ID", events[3].first);
  auto resumed = ReadEvents(net_->url(0), "/v1/events?types=tx", resume, committed.size() - 4);
  ASSERT_EQ(resumed.size(), committed.size() - 4);
  for (std::size_t i = 0; i < resumed.size(); ++i) EXPECT_EQ(resumed[i].second, committed[i + 4]);

  // A new commit reaches a live subscriber. It subscribes from the block after the current
  // head, so the grant below is its first consent.grant event however the two threads race.
  const std::uint64_t head = Get("/v1/status").body["height"];
  std::vector<std::pair<std::string, std::string>> live;
  std::thread reader([&] {
    live = ReadEvents(net_->url(0),
                      "/v1/events?types=consent.grant&from_height=" + std::to_string(head + 1),
                      auditor, 1);
  });
  const std::string id =
      Commit(TxType::kConsentGrant, net_->GrantBody("insurer-1", "gus"), {"insurer-1", "gus"});
  reader.join();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].second, id);

  // Without a token the stream carries block events only; an insurer gets the tx events of its
  // own transactions.
  {
    httplib::Client c(net_->url(0));
    c.set_read_timeout(std::chrono::seconds(30));
    std::string got;
    int blocks = 0;
    c.Get("/v1/events?from_height=1", [&](const char* data, std::size_t len) {
      got.append(data, len);
      blocks = 0;
      for (std::size_t p = got.find("event: block"); p != std::string::npos;
           p = got.find("event: block", p + 1)) {
        ++blocks;
      }
      return blocks < 5 && got.size() < (1 << 20);
    });
    EXPECT_GE(blocks, 5) << got.substr(0, 500);
    EXPECT_EQ(got.find("event: tx"), std::string::npos) << got.substr(0, 500);
  }
  auto sg = ReadEvents(net_->url(0), "/v1/events?types=consent.grant&from_height=1",
                       {{"Authorization", "Bearer " + tokens_["insurer-sg"]}}, 1);
  ASSERT_EQ(sg.size(), 1u);
  EXPECT_EQ(sg[0].second, alice_grant_);  // its first visible grant: alice's, not bob's

  EXPECT_EQ(Get("/v1/events?types=nonsense").code(), "bad_parameter");
  EXPECT_EQ(Call("GET", "/v1/events", "", "", {{"Last-Event-ID", "999999999"}}).code(),
            "bad_parameter");
}

TEST_F(ApiTest, MetricsHealthReadiness) {
  EXPECT_EQ(Get("/metrics").code(), "auth_required");
  Reply m = Get("/metrics", "insurer-1");
  ASSERT_EQ(m.status, 200);
  for (const char* name :
       {"consentd_height ", "consentd_round ", "consentd_peers ", "consentd_mempool_txs ",
        "consentd_mempool_bytes ", "consentd_txs_accepted_total ", "consentd_http_requests_total{",
        "consentd_commit_latency_seconds_bucket{", "consentd_syncing "}) {
    EXPECT_NE(m.raw.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/readyz").status, 200);
}

TEST_F(ApiTest, TokensAreCheckedAndRoutesUnknownAre404) {
  EXPECT_EQ(Call("GET", "/v1/incidents", "not-a-token").code(), "auth_unknown_token");
  Reply basic = Call("GET", "/v1/incidents", "", "", {{"Authorization", "Basic abc"}});
  EXPECT_EQ(basic.status, 401);
  EXPECT_EQ(basic.code(), "auth_malformed");
  // A bad token is refused even on a public route: it is a client bug worth knowing about.
  EXPECT_EQ(Call("GET", "/v1/status", "nope").status, 401);
  EXPECT_EQ(Get("/v1/nothing").code(), "not_found");
  EXPECT_EQ(Get("/v1/nothing").status, 404);
}

// Every operation of docs/api/openapi.yaml with its `x-access` rule: "METHOD /path" -> the
// rule's fields (anonymous, insurer, auditor, regulator).
std::map<std::string, std::map<std::string, std::string>> AccessTable() {
  std::ifstream in(std::string(SourceDir()) + "/docs/api/openapi.yaml");
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string line, path, op;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ') in_paths = line == "paths:";
    if (!in_paths) continue;
    if (line.size() > 3 && line.rfind("  /", 0) == 0 && line.back() == ':') {
      path = line.substr(2, line.size() - 3);
    } else if (line == "    get:" || line == "    post:") {
      op = (line[4] == 'g' ? "GET " : "POST ") + path;
    } else if (line.rfind("      x-access: {", 0) == 0 && line.back() == '}') {
      std::string body = line.substr(17, line.size() - 18);
      for (std::size_t s = 0; s < body.size();) {
        const std::size_t comma = std::min(body.find(',', s), body.size());
        const std::string pair = body.substr(s, comma - s);
        const std::size_t colon = pair.find(':');
        auto trim = [](std::string t) {
          t.erase(0, t.find_first_not_of(' '));
          t.erase(t.find_last_not_of(' ') + 1);
          return t;
        };
        if (colon != std::string::npos) {
          out[op][trim(pair.substr(0, colon))] = trim(pair.substr(colon + 1));
        }
        s = comma + 1;
      }
    }
  }
  return out;
}

// Drives every route of the spec as anonymous, the party insurer (insurer-1, controller of
// bob's consent), the wrong insurer (insurer-sg, no party to it), the auditor and the
// regulator, and checks each answer against the route's x-access rule.
TEST_F(ApiTest, EveryRouteAnswersEachPrincipalAsItsAccessRuleSays) {
  const auto table = AccessTable();
  ASSERT_GE(table.size(), 25u);
  const std::string bob = Subject("bob");
  const std::string bob_tx = "/v1/txs/" + bob_grant_;
  const std::uint64_t bob_height = Get(bob_tx, "auditor").body["height"];
  // A request for each route about bob's records (which concern insurer-1 only), and what
  // marks them in an answer (for lists: the record's id; "" when the answer is an object
  // refused by id).
  struct Probe {
    std::string method, path, body, marker;
  };
  const std::string bob_check = "/v1/check?subject=" + bob +
                                "&recipient=processor&purpose=ClaimsHandling&category=Contact"
                                "&sender=insurer-1";
  const std::map<std::string, Probe> probes = {
      {"POST /v1/txs", {"POST", "/v1/txs", "{}", ""}},
      {"POST /v1/txs/batch", {"POST", "/v1/txs/batch", "{\"txs\": []}", ""}},
      {"GET /v1/txs/{tx_id}", {"GET", bob_tx, "", ""}},
      {"GET /v1/blocks/latest", {"GET", "/v1/blocks/latest", "", ""}},
      {"GET /v1/blocks/{height}",
       {"GET", "/v1/blocks/" + std::to_string(bob_height), "", bob_grant_}},
      {"GET /v1/receipts/{tx_id}", {"GET", "/v1/receipts/" + bob_grant_, "", ""}},
      {"GET /v1/validators", {"GET", "/v1/validators", "", ""}},
      {"GET /v1/status", {"GET", "/v1/status", "", ""}},
      {"GET /v1/consents/{consent_id}", {"GET", "/v1/consents/" + bob_grant_, "", ""}},
      {"GET /v1/subjects/{subject}/consents",
       {"GET", "/v1/subjects/" + bob + "/consents", "", bob_grant_}},
      {"GET /v1/subjects/{subject}/history",
       {"GET", "/v1/subjects/" + bob + "/history", "", bob_grant_}},
      {"GET /v1/check", {"GET", bob_check, "", ""}},
      {"GET /v1/agreements/{agreement_id}", {"GET", "/v1/agreements/" + agreement_, "", ""}},
      {"GET /v1/agreements", {"GET", "/v1/agreements", "", agreement_}},
      {"GET /v1/sharing", {"GET", "/v1/sharing?subject=" + Subject("alice"), "", sharing_}},
      {"GET /v1/rights", {"GET", "/v1/rights?status=open", "", rights_}},
      {"GET /v1/incidents", {"GET", "/v1/incidents", "", incident_}},
      {"GET /v1/transfers", {"GET", "/v1/transfers", "", transfer_}},
      {"GET /v1/transfers/{transfer_id}", {"GET", "/v1/transfers/" + transfer_, "", transfer_}},
      {"GET /v1/transfers/{transfer_id}/notices",
       {"GET", "/v1/transfers/" + transfer_ + "/notices", "", transfer_}},
      {"GET /v1/members", {"GET", "/v1/members", "", ""}},
      {"GET /v1/audit/log", {"GET", "/v1/audit/log?limit=1000", "", bob_grant_}},
      {"GET /v1/reports/compliance", {"GET", "/v1/reports/compliance?member=insurer-1", "", ""}},
      {"GET /v1/events", {"GET", "", "", ""}},  // streamed: checked below
      {"GET /metrics", {"GET", "/metrics", "", ""}},
      {"GET /healthz", {"GET", "/healthz", "", ""}},
      {"GET /readyz", {"GET", "/readyz", "", ""}},
      {"GET /v1/admin/backup", {"GET", "", "", ""}},  // streamed: checked below
      // The read of bob's consent by insurer-1 just below is in the log (docs/API.md "Access
      // log"): its target marks the entry.
      {"GET /v1/access-log",
       {"GET", "/v1/access-log?subject=" + bob, "", "/v1/consents/" + bob_grant_}},
  };
  ASSERT_EQ(Get("/v1/consents/" + bob_grant_, "insurer-1").status, 200);
  // No wrong-insurer probe: insurer-sg, the fixture's only other insurer, is a party to the
  // agreement and to the sharing event (their importer and recipient); the latest block holds
  // whatever was committed last (GET /v1/blocks/{height} probes the scoped list).
  const std::set<std::string> sg_is_party = {"GET /v1/agreements/{agreement_id}",
                                             "GET /v1/agreements",
                                             "GET /v1/sharing",
                                             "GET /v1/blocks/latest",
                                             "GET /v1/transfers",
                                             "GET /v1/transfers/{transfer_id}"};
  const std::set<std::string> alice_probes = {"GET /v1/sharing", "GET /v1/rights"};
  for (const auto& [op, rule] : table) {
    SCOPED_TRACE(op);
    auto probe = probes.find(op);
    ASSERT_NE(probe, probes.end()) << "no probe for a documented route";
    for (const char* who : {"anonymous", "insurer", "auditor", "regulator", "customer"}) {
      ASSERT_TRUE(rule.count(who)) << "x-access has no " << who;
    }
    const Probe& p = probe->second;
    if (p.path.empty()) continue;
    auto call = [&](const std::string& token) { return Call(p.method, p.path, token, p.body); };
    auto granted = [](const Reply& r) { return r.status != 401 && r.status != 403; };

    const Reply anon = call("");
    if (rule.at("anonymous") == "deny") {
      EXPECT_EQ(anon.code(), "auth_required") << anon.raw.substr(0, 200);
    } else {
      EXPECT_TRUE(granted(anon)) << anon.status << " " << anon.raw.substr(0, 200);
      if (rule.at("anonymous") == "limited" && !p.marker.empty()) {
        EXPECT_EQ(anon.raw.find(p.marker), std::string::npos) << "anonymous sees a record";
      }
    }
    for (const char* role : {"auditor", "regulator"}) {
      const Reply r = call(tokens_[role]);
      EXPECT_TRUE(granted(r)) << role << ": " << r.status << " " << r.raw.substr(0, 200);
      if (!p.marker.empty()) EXPECT_NE(r.raw.find(p.marker), std::string::npos) << role;
    }
    const Reply party = call(tokens_["insurer-1"]);
    const Reply other = call(tokens_["insurer-sg"]);
    const std::string& insurer = rule.at("insurer");
    if (insurer == "deny") {
      EXPECT_EQ(party.code(), "forbidden") << party.raw.substr(0, 200);
      EXPECT_EQ(other.code(), "forbidden") << other.raw.substr(0, 200);
    } else {
      EXPECT_TRUE(granted(party)) << party.status << " " << party.raw.substr(0, 200);
      if (!p.marker.empty()) EXPECT_NE(party.raw.find(p.marker), std::string::npos) << "party";
    }
    if (insurer == "all") {
      EXPECT_TRUE(granted(other)) << other.status << " " << other.raw.substr(0, 200);
    } else if (insurer == "scoped" && !sg_is_party.count(op)) {
      // The wrong insurer: refused by id or by name, or the record filtered out of the list.
      if (p.marker.empty()) {
        EXPECT_EQ(other.code(), "forbidden") << other.raw.substr(0, 200);
      } else {
        EXPECT_TRUE(other.code() == "forbidden" || other.raw.find(p.marker) == std::string::npos)
            << other.raw.substr(0, 300);
      }
    }

    // Customers: the record's own subject (alice for the sharing and rights probes, bob for
    // the rest) and a customer with no records at all (mallory), each a fresh signature.
    const std::string owner = alice_probes.count(op) ? "alice" : "bob";
    const Reply mine = CallAsCustomer(p.method, p.path, owner, p.body);
    const Reply stranger = CallAsCustomer(p.method, p.path, "mallory", p.body);
    const std::string& customer = rule.at("customer");
    if (customer == "deny") {
      EXPECT_EQ(mine.code(), "forbidden") << mine.raw.substr(0, 200);
      EXPECT_EQ(stranger.code(), "forbidden") << stranger.raw.substr(0, 200);
    } else {
      EXPECT_TRUE(granted(mine)) << owner << ": " << mine.status << " " << mine.raw.substr(0, 200);
      EXPECT_TRUE(mine.code().rfind("auth_", 0) != 0) << mine.raw.substr(0, 200);
      if (!p.marker.empty() && customer == "own") {
        EXPECT_NE(mine.raw.find(p.marker), std::string::npos) << owner << " " << mine.raw;
      }
    }
    if (customer == "all") {
      EXPECT_TRUE(granted(stranger)) << stranger.status << " " << stranger.raw.substr(0, 200);
    } else if (customer == "own" && op != "GET /v1/blocks/latest") {  // (whatever came last)
      if (p.marker.empty()) {
        EXPECT_EQ(stranger.code(), "forbidden") << stranger.raw.substr(0, 200);
      } else {
        EXPECT_TRUE(stranger.code() == "forbidden" ||
                    (granted(stranger) && stranger.raw.find(p.marker) == std::string::npos))
            << stranger.raw.substr(0, 300);
      }
    }
  }

  // The streamed routes. Backup: auditors and regulators only.
  EXPECT_EQ(Get("/v1/admin/backup").code(), "auth_required");
  EXPECT_EQ(Get("/v1/admin/backup", "insurer-1").code(), "forbidden");
  EXPECT_EQ(CallAsCustomer("GET", "/v1/admin/backup", "bob").code(), "forbidden");
  {
    httplib::Client c(net_->url(0));
    auto r = c.Get("/v1/admin/backup", {{"Authorization", "Bearer " + tokens_["regulator"]}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  // Events (limited for anonymous, scoped for insurers) are driven by
  // EventsStreamEveryCommittedTxInOrderAndResume.
  EXPECT_EQ(table.at("GET /v1/events").at("anonymous"), "limited");
}

// The transfer routes refuse bad parameters before reading anything, and name what is missing.
TEST_F(ApiTest, TransferRoutesRefuseHostileParameters) {
  const std::string dossier = "/v1/transfers/" + transfer_;
  for (const auto& [path, code] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/transfers?status=late", "bad_parameter"},
           {"/v1/transfers?status=overdue&at=yesterday", "bad_parameter"},
           {"/v1/transfers?limit=100000", "bad_parameter"},
           {"/v1/transfers?cursor=zz", "query_bad_cursor"},
           {"/v1/transfers?who=me", "bad_parameter"},
           {dossier + "?format=xml", "bad_parameter"},
           {dossier + "?format=csv&format=json", "bad_parameter"},
           {dossier + "?at=-1", "bad_parameter"},
           {"/v1/transfers/" + std::string(63, 'a'), "bad_id"},
           {"/v1/transfers/" + std::string(5000, 'a'), "bad_id"},
           {dossier + "/notices?x=1", "bad_parameter"},
           {"/v1/transfers/" + std::string(64, 'b'), "not_found"},
           {"/v1/transfers/" + std::string(64, 'b') + "/notices", "not_found"}}) {
    const Reply r = Get(path, "regulator");
    EXPECT_EQ(r.code(), code) << path.substr(0, 120) << ": " << r.raw.substr(0, 200);
  }
  // The dossier's CSV: its header and the proposal's step.
  const Reply csv = Get(dossier + "?format=csv", "regulator");
  ASSERT_EQ(csv.status, 200) << csv.raw.substr(0, 200);
  EXPECT_EQ(csv.raw.rfind("kind,name,at,height,by,value\r\n", 0), 0u);
  EXPECT_NE(csv.raw.find("\r\nstep,propose,"), std::string::npos) << csv.raw;
}

TEST_F(ApiTest, MalformedInputIsRefusedAndTheNodeKeepsCommitting) {
  struct Case {
    std::string what, method, path, body;
    int status;
    std::string code;
  };
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  const std::vector<Case> cases = {
      {"invalid json", "POST", "/v1/txs", "{\"type\":", 400, "json_syntax"},
      {"not an object", "POST", "/v1/txs", "[1]", 400, ""},
      {"wrong type", "POST", "/v1/txs", R"({"type":7})", 400, ""},
      {"unknown field", "POST", "/v1/txs",
       R"({"type":"consent.grant","chain_id":"x","body":{},"nonce":1,"expires_at_height":1,"signatures":[],"extra":1})",
       400, ""},
      {"deep nesting", "POST", "/v1/txs", deep, 400, "json_too_deep"},
      {"huge body", "POST", "/v1/txs", std::string(5 << 20, ' '), 413, "too_large"},
      {"empty body", "POST", "/v1/txs", "", 400, "json_syntax"},
      {"non-hex id", "GET", "/v1/txs/zz" + std::string(62, '0'), "", 400, "bad_id"},
      {"short id", "GET", "/v1/consents/abc", "", 400, "bad_id"},
      {"negative limit", "GET", "/v1/members?limit=-1", "", 400, "bad_parameter"},
      {"zero limit", "GET", "/v1/members?limit=0", "", 400, "bad_parameter"},
      {"absurd limit", "GET", "/v1/members?limit=99999999999", "", 400, "bad_parameter"},
      {"text limit", "GET", "/v1/members?limit=ten", "", 400, "bad_parameter"},
      {"bad cursor", "GET", "/v1/members?cursor=zz", "", 400, "query_bad_cursor"},
      {"repeated parameter", "GET", "/v1/members?limit=1&limit=2", "", 400, "bad_parameter"},
      {"path traversal", "GET", "/v1/txs/..%2F..%2F..%2Fetc%2Fpasswd", "", 404, "not_found"},
      {"dot segments", "GET", "/v1/blocks/../../etc/passwd", "", 404, "not_found"},
      {"encoded traversal id", "GET", "/v1/receipts/%2e%2e", "", 400, "bad_id"},
      {"absurd height", "GET", "/v1/blocks/99999999999999999999", "", 400, "bad_parameter"},
      {"bad time", "GET", "/v1/consents/" + std::string(64, 'a') + "?at=yesterday", "", 400,
       "bad_parameter"},
  };
  for (const Case& c : cases) {
    // With a token: the routes that need one check it before their parameters.
    Reply r = Call(c.method, c.path, tokens_["auditor"], c.body);
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.raw.substr(0, 300);
    ASSERT_TRUE(r.body.is_object() && r.body.contains("error")) << c.what << ": " << r.raw;
    EXPECT_FALSE(r.body["error"].value("message", "").empty()) << c.what;
    if (!c.code.empty()) {
      EXPECT_EQ(r.code(), c.code) << c.what;
    }
  }
  // Nothing committed was lost, and the node still commits and answers.
  EXPECT_EQ(Get("/v1/consents/" + alice_grant_, "auditor").status, 200);
  Commit(TxType::kConsentGrant, net_->GrantBody("insurer-1", "hal"), {"insurer-1", "hal"});
  EXPECT_EQ(Get("/v1/status").status, 200);
  EXPECT_TRUE(net_->Running(0));
}

// Runs consentctl with `args`; returns its exit code, stdout in *out and stderr in *err.
int RunCtl(const std::string& args, std::string* out, std::string* err) {
  const std::string dir = ::testing::TempDir();
  const std::string o = dir + "/report-ctl.out", e = dir + "/report-ctl.err";
  const std::string cmd = BinaryPath("consentctl") + " " + args + " >" + o + " 2>" + e;
  const int raw = std::system(cmd.c_str());
  auto read = [](const std::string& f) {
    auto text = ReadFile(f);
    return text.ok() ? *text : std::string();
  };
  *out = read(o);
  *err = read(e);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

TEST_F(ApiTest, ComplianceReportAccessRulesFiguresAndCli) {
  // Pin the period's end at a committed block's time so every answer below is the same report.
  Reply latest = Get("/v1/blocks/latest");
  ASSERT_EQ(latest.status, 200);
  const std::int64_t to = latest.body["header"]["time_ms"];
  const std::string path = "/v1/reports/compliance?to=" + std::to_string(to);

  // Auditors and regulators: any member, or every insurer.
  Reply one = Get(path + "&member=insurer-1", "auditor");
  ASSERT_EQ(one.status, 200) << one.raw;
  ASSERT_EQ(one.body["controllers"].size(), 1u);
  const Json& mine = one.body["controllers"][0];
  EXPECT_EQ(mine["member"], "insurer-1");
  EXPECT_EQ(one.body["as_of"], to);
  Reply all = Get(path, "regulator");
  ASSERT_EQ(all.status, 200) << all.raw;
  std::set<std::string> members;
  for (const Json& c : all.body["controllers"]) members.insert(c["member"]);
  EXPECT_TRUE(members.count("insurer-1") && members.count("insurer-sg"));
  EXPECT_FALSE(members.count("regulator"));

  // The figures against the raw audit log up to `to`.
  Reply log = Get("/v1/audit/log?limit=1000&to_height=" +
                      std::to_string(latest.body["header"]["height"].get<std::uint64_t>()),
                  "auditor");
  ASSERT_EQ(log.status, 200);
  ASSERT_FALSE(log.body.contains("next_cursor"));
  std::int64_t grants = 0, sharing = 0, cross_border = 0, incidents = 0, requests = 0;
  for (const Json& item : log.body["items"]) {
    if (item["time_ms"].get<std::int64_t>() > to) continue;
    const Json& body = item["tx"]["body"];
    const std::string type = item["type"];
    if (type == "consent.grant" && body["controller"] == "insurer-1") ++grants;
    if (type == "sharing.record" && body["sender"] == "insurer-1") {
      ++sharing;
      if (body["destination"] != "CN") ++cross_border;
    }
    if (type == "incident.report" && body["controller"] == "insurer-1") ++incidents;
    if (type == "rights.request" && body["controller"] == "insurer-1") ++requests;
  }
  ASSERT_GT(grants * sharing * cross_border * incidents * requests, 0);
  EXPECT_EQ(mine["consents"]["granted"], grants);
  EXPECT_EQ(mine["sharing"]["events"], sharing);
  EXPECT_EQ(mine["cross_border"]["since_previous_year"]["events"], cross_border);
  EXPECT_EQ(mine["incidents"]["count"], incidents);
  EXPECT_GE(mine["rights"]["requested"].get<std::int64_t>(), requests);  // + erasure obligations

  // An insurer: its own report by default or by name; another member is 403.
  Reply own = Get(path, "insurer-1");
  ASSERT_EQ(own.status, 200) << own.raw;
  ASSERT_EQ(own.body["controllers"].size(), 1u);
  EXPECT_EQ(own.body["controllers"][0], mine);
  EXPECT_EQ(Get(path + "&member=insurer-1", "insurer-1").status, 200);
  Reply other = Get(path + "&member=insurer-1", "insurer-sg");
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.code(), "forbidden");
  EXPECT_EQ(Get(path).code(), "auth_required");

  // Bad parameters: 400 with a reason code; an unknown member 404.
  for (const char* bad : {"?from=abc", "?from=5&to=4", "?to=-1", "?member=Insurer_1",
                          "?member=insurer-1&member=insurer-sg", "?colour=blue"}) {
    Reply r = Get(std::string("/v1/reports/compliance") + bad, "auditor");
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.code(), "bad_parameter") << bad;
  }
  EXPECT_EQ(Get("/v1/reports/compliance?member=nobody", "auditor").code(), "not_found");

  // consentctl: JSON is the node's report; CSV has one row per figure.
  const std::string node = "--node " + net_->url(0) + " --token " + tokens_["auditor"];
  const std::string args =
      "report compliance " + node + " --member insurer-1 --to " + std::to_string(to);
  std::string out, err;
  ASSERT_EQ(RunCtl(args + " --format json", &out, &err), 0) << err;
  auto json = ParseJson(out.substr(0, out.find('\n')));
  ASSERT_TRUE(json.ok()) << out;
  EXPECT_EQ((*json)["controllers"], one.body["controllers"]);
  ASSERT_EQ(RunCtl(args + " --format csv", &out, &err), 0) << err;
  EXPECT_EQ(out.rfind("member,figure,key,value\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("insurer-1,consents.granted,," + std::to_string(grants) + "\r\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("insurer-1,sharing.by_recipient,insurer-sg,"), std::string::npos) << out;
  EXPECT_NE(out.find("insurer-1,incidents.items.detection_to_report_ms,"), std::string::npos)
      << out;
  // The node's refusal, with its code: exit 1.
  EXPECT_EQ(RunCtl("report compliance --node " + net_->url(0) + " --token " +
                       tokens_["insurer-sg"] + " --member insurer-1",
                   &out, &err),
            1);
  EXPECT_NE(err.find("forbidden"), std::string::npos) << err;
}

// docs/API.md, "Access log": every successful read that shows a subject's records is logged
// with who, what and when; the customer sees who read theirs; an export verifies offline.
TEST_F(ApiTest, EveryReadOfASubjectsRecordsIsLoggedAndTheCustomerSeesWhoReadThem) {
  const std::string alice = Subject("alice");
  auto head = [] { return Get("/v1/access-log?limit=1", "auditor").body["head"]; };
  const std::uint64_t before = head()["seq"];

  ASSERT_EQ(Get("/v1/consents/" + alice_grant_, "insurer-1").status, 200);
  ASSERT_EQ(Get("/v1/sharing?subject=" + alice, "insurer-sg").status, 200);  // the recipient
  ASSERT_EQ(Get("/v1/audit/log?limit=1000", "regulator").status, 200);
  {
    httplib::Client c(net_->url(0));
    auto r = c.Get("/v1/admin/backup", {{"Authorization", "Bearer " + tokens_["auditor"]}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
  }
  // Not reads of anyone's records: refused, or naming no subject.
  EXPECT_EQ(Get("/v1/consents/" + bob_grant_, "insurer-sg").code(), "forbidden");
  EXPECT_EQ(Get("/v1/status").status, 200);
  EXPECT_EQ(Get("/v1/members", "insurer-1").status, 200);
  EXPECT_EQ(head()["seq"].get<std::uint64_t>(), before + 4);

  // What alice sees: each of the four, by whom and under which role.
  const Reply mine = CallAsCustomer("GET", "/v1/access-log?limit=1000", "alice");
  ASSERT_EQ(mine.status, 200) << mine.raw;
  std::vector<Json> seen;
  for (const Json& e : mine.body["items"]) {
    if (e["seq"].get<std::uint64_t>() > before) seen.push_back(e);
  }
  ASSERT_EQ(seen.size(), 4u) << mine.raw;
  EXPECT_EQ(seen[0]["route"], "/v1/consents/{consent_id}");
  EXPECT_EQ(seen[0]["principal"]["role"], "insurer");
  EXPECT_EQ(seen[0]["principal"]["member"], "insurer-1");
  EXPECT_EQ(seen[0]["subjects"], Json::array({alice}));
  EXPECT_EQ(seen[1]["principal"]["member"], "insurer-sg");
  EXPECT_EQ(seen[1]["route"], "/v1/sharing");
  EXPECT_EQ(seen[2]["principal"]["role"], "regulator");
  EXPECT_EQ(seen[2]["route"], "/v1/audit/log");
  EXPECT_NE(seen[2]["subjects"].dump().find(Subject("bob")), std::string::npos);
  EXPECT_EQ(seen[3]["route"], "/v1/admin/backup");
  EXPECT_EQ(seen[3].value("all_subjects", false), true);
  for (const Json& e : seen) {
    EXPECT_EQ(e["method"], "GET");
    EXPECT_EQ(e["status"], 200);
    EXPECT_GT(e["at"].get<std::int64_t>(), 0);
  }
  // Reading the log is not logged; the scope holds.
  EXPECT_EQ(head()["seq"].get<std::uint64_t>(), before + 4);
  EXPECT_EQ(CallAsCustomer("GET", "/v1/access-log?subject=" + Subject("bob"), "alice").code(),
            "forbidden");
  const Reply mallory = CallAsCustomer("GET", "/v1/access-log?limit=1000", "mallory");
  ASSERT_EQ(mallory.status, 200);
  for (const Json& e : mallory.body["items"]) EXPECT_EQ(e.value("all_subjects", false), true);
  const Reply insurer = Get("/v1/access-log?limit=1000", "insurer-1");
  ASSERT_EQ(insurer.status, 200);
  ASSERT_FALSE(insurer.body["items"].empty());
  for (const Json& e : insurer.body["items"]) EXPECT_EQ(e["principal"]["member"], "insurer-1");
  EXPECT_EQ(Get("/v1/access-log?member=insurer-sg", "insurer-1").code(), "forbidden");
  EXPECT_EQ(Get("/v1/access-log?subject=bob", "auditor").code(), "bad_parameter");
  EXPECT_EQ(Get("/v1/access-log?cursor=x", "auditor").code(), "query_bad_cursor");
  // Hostile parameters: each refused with its documented code, and the log unchanged.
  const std::uint64_t seq_before_hostile = head()["seq"];
  for (const std::string& bad : std::vector<std::string>{
           "subject=KEY:" + std::string(64, 'A'), "subject=key:" + std::string(63, 'a'),
           "principal=" + std::string(257, 'p'), "member=", "format=csv", "format=ndjson&limit=5",
           "format=ndjson&cursor=3", "limit=0", "limit=100000",
           "subject=" + alice + "&subject=" + alice, "unknown=1"}) {
    EXPECT_EQ(Get("/v1/access-log?" + bad, "auditor").code(), "bad_parameter") << bad;
  }
  EXPECT_EQ(head()["seq"].get<std::uint64_t>(), seq_before_hostile);

  // The auditor's export verifies offline with consentctl; an edited entry does not.
  const std::string file = ::testing::TempDir() + "/access-log.ndjson";
  std::string out, err;
  ASSERT_EQ(RunCtl("access-log export --out " + file + " --token " + tokens_["auditor"] +
                       " --node " + net_->url(0),
                   &out, &err),
            0)
      << err;
  ASSERT_EQ(RunCtl("access-log verify " + file + " --json", &out, &err), 0) << err;
  const Json verdict = Json::parse(out);
  EXPECT_GE(verdict["entries"].get<std::uint64_t>(), before + 4);
  EXPECT_EQ(verdict["last_seq"], verdict["entries"]);
  auto text = ReadFile(file);
  ASSERT_TRUE(text.ok());
  const std::string was = "\"role\":\"insurer\"";
  const std::size_t at = text->find(was);
  ASSERT_NE(at, std::string::npos);
  std::string edited = *text;
  edited.replace(at, was.size(), "\"role\":\"auditor\"");
  ASSERT_TRUE(WriteFileAtomic(file, edited).ok());
  EXPECT_EQ(RunCtl("access-log verify " + file, &out, &err), 1);
  EXPECT_NE(err.find("access_log_broken"), std::string::npos) << err;
}

}  // namespace
}  // namespace consentd::testing

namespace consentd::testing {
namespace {

TEST(ApiRateLimitTest, ABusyClientGets429WithRetryAfter) {
  LocalNet net(1);
  // One request per second, bursts of two: twenty requests in a row cannot all pass unless
  // eighteen seconds go by.
  const std::string path = net.home(0) + "/config.json";
  Json config = ParseJson(*ReadFile(path)).value();
  config["http"]["rate_limit_per_s"] = 1;
  config["http"]["rate_limit_burst"] = 2;
  ASSERT_TRUE(WriteFileAtomic(path, config.dump(2)).ok());
  net.StartAll();
  httplib::Client c(net.url(0));
  // Up when it answers at all (polls that find no listener cost no tokens).
  bool up = false;
  for (int i = 0; i < 1200 && !up; ++i) {
    up = static_cast<bool>(c.Get("/healthz"));
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  ASSERT_TRUE(up) << net.Log(0);
  int limited = 0;
  std::string retry_after, code;
  for (int i = 0; i < 20; ++i) {
    auto r = c.Get("/healthz");
    ASSERT_TRUE(r);
    if (r->status == 429) {
      ++limited;
      retry_after = r->get_header_value("Retry-After");
      code = ParseJson(r->body).value()["error"]["code"];
    }
  }
  EXPECT_GE(limited, 1);
  EXPECT_EQ(code, "rate_limited");
  EXPECT_GE(std::atoi(retry_after.c_str()), 1);
  EXPECT_TRUE(net.Running(0));
}

// Polls `path` as `token` until the answer's error code is `code` ("" for success) or 200
// tries pass; the node applies SIGHUP on its signal thread, a moment after the signal.
bool AnswersWith(LocalNet& net, const std::string& path, const std::string& token,
                 const std::string& code) {
  for (int i = 0; i < 200; ++i) {
    auto r = net.GetAs(0, path, token);
    if (r) {
      const std::string got = r->body.is_object() && r->body.contains("error")
                                  ? r->body["error"].value("code", "")
                                  : "";
      if (got == code && (!code.empty() || r->status == 200)) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval, not a wait
  }
  return false;
}

TEST_F(ApiTest, TokensIssuedAndRevokedWithConsentctlApplyOnSighup) {
  const std::string home = net_->home(0);
  const std::string path = "/v1/consents/" + bob_grant_;
  std::string out, err;
  ASSERT_EQ(RunCtl("token issue --home " + home +
                       " --name claims-desk --role insurer --member insurer-1 --expires-in 30",
                   &out, &err),
            0)
      << err;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  ASSERT_EQ(out.size(), 48u) << out;
  const std::string token = out;
  auto file = ReadFile(home + "/api_tokens.json");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->find(token), std::string::npos) << "the token itself is never stored";
  EXPECT_NE(file->find(HexEncode(crypto::Sha256(token))), std::string::npos);

  // Not known until the node re-reads the file; then known without a restart.
  EXPECT_EQ(Call("GET", path, token).code(), "auth_unknown_token");
  const pid_t pid = net_->pid(0);
  net_->Signal(0, SIGHUP);
  ASSERT_TRUE(AnswersWith(*net_, path, token, "")) << net_->Log(0);
  EXPECT_EQ(net_->pid(0), pid);
  EXPECT_NE(net_->Log(0).find("tokens_reloaded"), std::string::npos);

  // A name is unique; a broken file is refused on reload and the old table stays.
  EXPECT_EQ(RunCtl("token issue --home " + home + " --name claims-desk --role auditor", &out, &err),
            2);
  ASSERT_TRUE(ReadFile(home + "/api_tokens.json").ok());
  const std::string good = *ReadFile(home + "/api_tokens.json");
  ASSERT_TRUE(WriteFileAtomic(home + "/api_tokens.json", "{\"tokens\": 5}", 0600).ok());
  net_->Signal(0, SIGHUP);
  for (int i = 0; i < 200 && net_->Log(0).find("tokens_reload_failed") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(net_->Log(0).find("tokens_reload_failed"), std::string::npos);
  EXPECT_EQ(Call("GET", path, token).status, 200);
  ASSERT_TRUE(WriteFileAtomic(home + "/api_tokens.json", good, 0600).ok());

  ASSERT_EQ(RunCtl("token list --home " + home + " --json", &out, &err), 0) << err;
  EXPECT_NE(out.find("\"claims-desk\""), std::string::npos);
  EXPECT_NE(out.find("\"active\""), std::string::npos);
  ASSERT_EQ(RunCtl("token revoke --home " + home + " --name claims-desk", &out, &err), 0) << err;
  net_->Signal(0, SIGHUP);
  ASSERT_TRUE(AnswersWith(*net_, path, token, "auth_token_revoked")) << net_->Log(0);
  EXPECT_EQ(RunCtl("token revoke --home " + home + " --name nobody", &out, &err), 1);
}

TEST_F(ApiTest, ACustomerListsTheirOwnRecordsWithConsentctlAndTheirKey) {
  const std::string dir = ::testing::TempDir();
  for (const char* who : {"bob", "mallory"}) {
    ASSERT_TRUE(
        wallet::WriteKeyFile(dir + "/" + who + ".key.json", wallet::PlaintextKey(net_->Key(who)))
            .ok());
  }
  const std::string node = " --node " + net_->url(0) + " --json";
  std::string out, err;
  ASSERT_EQ(RunCtl("consents --sign-key " + dir + "/bob.key.json" + node, &out, &err), 0) << err;
  EXPECT_NE(out.find(bob_grant_), std::string::npos) << out;
  ASSERT_EQ(RunCtl("history --sign-key " + dir + "/bob.key.json" + node, &out, &err), 0) << err;
  EXPECT_NE(out.find(bob_grant_), std::string::npos) << out;
  ASSERT_EQ(RunCtl("receipt get " + bob_grant_ + " --out " + dir + "/bob.receipt.json" +
                       " --sign-key " + dir + "/bob.key.json --node " + net_->url(0),
                   &out, &err),
            0)
      << err;
  // Another customer's key reaches none of it.
  EXPECT_EQ(RunCtl("consents " + Subject("bob") + " --sign-key " + dir + "/mallory.key.json" + node,
                   &out, &err),
            1);
  EXPECT_NE(err.find("forbidden"), std::string::npos) << err;
  EXPECT_EQ(RunCtl("consents --sign-key " + dir + "/bob.key.json --token x" + node, &out, &err), 2);
}

// A customer's wallet derives a key per insurer (docs/WALLET.md): each insurer holds a different
// subject, the customer reads each with --sign-key ROOT --derive-for MEMBER, and links the two
// keys for a regulator when they choose.
TEST_F(ApiTest, ACustomerUsesADerivedKeyPerInsurerAndLinksThemWhenTheyChoose) {
  const std::string dir = ::testing::TempDir() + "/dora";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string root = dir + "/wallet.json";
  ASSERT_TRUE(wallet::WriteKeyFile(root, wallet::PlaintextKey(net_->Key("dora-wallet"))).ok());
  std::string out, err;
  std::map<std::string, std::string> subject;  // controller -> key:<hex>
  for (const std::string controller : {"insurer-1", "insurer-sg"}) {
    const std::string file = dir + "/" + controller + ".json";
    ASSERT_EQ(
        RunCtl("key derive " + root + " --controller " + controller + " --out " + file + " --json",
               &out, &err),
        0)
        << err;
    auto shown = ParseJson(out);
    ASSERT_TRUE(shown.ok()) << out;
    subject[controller] = (*shown)["subject"].get<std::string>();
    auto text = ReadFile(file);
    auto key = wallet::DecryptKey(*text, std::nullopt);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ("key:" + key->public_key().Hex(), subject[controller]);
    net_->AddKey("dora@" + controller, std::move(*key));
  }
  ASSERT_NE(subject["insurer-1"], subject["insurer-sg"]);
  Commit(TxType::kNoticePublish, net_->NoticeBody("insurer-sg"), {"insurer-sg"});
  const std::string at_1 =
      Commit(TxType::kConsentGrant, net_->GrantBody("insurer-1", "dora@insurer-1"),
             {"insurer-1", "dora@insurer-1"});
  const std::string at_sg =
      Commit(TxType::kConsentGrant, net_->GrantBody("insurer-sg", "dora@insurer-sg"),
             {"insurer-sg", "dora@insurer-sg"});
  ASSERT_FALSE(at_1.empty());
  ASSERT_FALSE(at_sg.empty());
  const std::string node = " --node " + net_->url(0);
  const std::string as_1 = " --sign-key " + root + " --derive-for insurer-1" + node;
  const std::string as_sg = " --sign-key " + root + " --derive-for insurer-sg" + node;
  ASSERT_EQ(RunCtl("consents --json" + as_1, &out, &err), 0) << err;
  EXPECT_NE(out.find(at_1), std::string::npos) << out;
  EXPECT_EQ(out.find(at_sg), std::string::npos) << out;
  ASSERT_EQ(RunCtl("consents --json" + as_sg, &out, &err), 0) << err;
  EXPECT_NE(out.find(at_sg), std::string::npos) << out;
  EXPECT_EQ(out.find(at_1), std::string::npos) << out;
  ASSERT_EQ(RunCtl("receipt get " + at_1 + " --out " + dir + "/r1.json" + as_1, &out, &err), 0)
      << err;
  // The key for one insurer is no key to the other's records.
  EXPECT_EQ(RunCtl("receipt get " + at_1 + " --out " + dir + "/r2.json" + as_sg, &out, &err), 1);
  EXPECT_NE(err.find("forbidden"), std::string::npos) << err;
  EXPECT_EQ(RunCtl("consents --json --derive-for insurer-1" + node, &out, &err), 2);
  // Dora proves to the regulator that both subjects are hers; the chain id comes from the node.
  const std::string link = dir + "/link.json";
  ASSERT_EQ(
      RunCtl("key link " + root +
                 " --controller insurer-1 --controller insurer-sg --audience regulator --out " +
                 link + node,
             &out, &err),
      0)
      << err;
  ASSERT_EQ(RunCtl("key verify-link " + link + " --audience regulator --chain-id " +
                       net_->chain_id() + " --json",
                   &out, &err),
            0)
      << err;
  EXPECT_NE(out.find(subject["insurer-1"]), std::string::npos) << out;
  EXPECT_NE(out.find(subject["insurer-sg"]), std::string::npos) << out;
  EXPECT_EQ(RunCtl("key verify-link " + link + " --audience insurer-sg", &out, &err), 1);
  EXPECT_NE(err.find("link_wrong_audience"), std::string::npos) << err;
}

}  // namespace
}  // namespace consentd::testing
