#include "node/access_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "ledger/store/store.h"
#include "node/http/reads.h"

namespace consentd::node {
namespace {

const std::string kAlice = "key:" + std::string(64, 'a');
const std::string kBob = "key:" + std::string(64, 'b');
const std::string kRef = "ref:" + std::string(64, 'c');

// A store that outlives the log opened on it, so a reopen sees what was written.
class SharedStore final : public ledger::Store {
 public:
  explicit SharedStore(ledger::Store* inner) : inner_(inner) {}
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return inner_->Get(key);
  }
  std::unique_ptr<ledger::Cursor> Scan(std::string_view prefix,
                                       std::string_view start) const override {
    return inner_->Scan(prefix, start);
  }
  Status Write(const ledger::WriteBatch& batch, bool sync) override {
    if (fail_writes) return Status::Error(Reason::kStoreIo, "disk full");
    return inner_->Write(batch, sync);
  }
  std::unique_ptr<ledger::ReadView> Snapshot() const override { return inner_->Snapshot(); }
  std::uint64_t ApproximateSize() const override { return 0; }
  std::atomic<bool> fail_writes{false};  // read by the log's writer thread

 private:
  ledger::Store* inner_;
};

AccessRead Read(std::string principal, std::string role, std::string member,
                std::vector<std::string> subjects) {
  AccessRead r;
  r.principal = std::move(principal);
  r.role = std::move(role);
  r.member = std::move(member);
  r.method = "GET";
  r.route = "/v1/consents/{consent_id}";
  r.target = "/v1/consents/" + std::string(64, '1');
  r.subjects = std::move(subjects);
  return r;
}

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    log_.reset();
    auto store = std::make_unique<SharedStore>(memory_.get());
    shared_ = store.get();
    auto log = AccessLog::Open(std::move(store), [this] { return now_ += 1000; });
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }
  std::vector<Json> All(const AccessFilter& f = {}, std::size_t limit = 100) {
    std::vector<Json> out;
    ledger::PageRequest page{"", limit};
    for (;;) {
      auto got = log_->Query(f, page);
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (!got.ok()) return out;
      for (Json& e : got->items) out.push_back(std::move(e));
      if (!got->next_cursor) return out;
      page.cursor = *got->next_cursor;
    }
  }

  std::unique_ptr<ledger::Store> memory_ = ledger::NewMemoryStore();
  SharedStore* shared_ = nullptr;
  std::unique_ptr<AccessLog> log_;
  std::int64_t now_ = 1'765'000'000'000;
};

TEST_F(AccessLogTest, EntriesAreNumberedChainedAndSayWhoReadWhomWhen) {
  ASSERT_EQ(*log_->Append(Read("claims-desk", "insurer", "insurer-a", {kAlice})), 1u);
  ASSERT_EQ(*log_->Append(Read("audit-firm", "auditor", "", {kAlice, kBob})), 2u);
  const std::vector<Json> all = All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["seq"], 1);
  EXPECT_EQ(all[0]["prev"], std::string(64, '0'));
  EXPECT_EQ(all[0]["principal"]["name"], "claims-desk");
  EXPECT_EQ(all[0]["principal"]["role"], "insurer");
  EXPECT_EQ(all[0]["principal"]["member"], "insurer-a");
  EXPECT_EQ(all[0]["route"], "/v1/consents/{consent_id}");
  EXPECT_EQ(all[0]["subjects"], Json::array({kAlice}));
  EXPECT_EQ(all[0]["at"], 1'765'000'001'000);
  EXPECT_FALSE(all[1]["principal"].contains("member"));
  EXPECT_EQ(all[1]["prev"], all[0]["hash"]);
  EXPECT_EQ(all[1]["hash"], wallet::AccessEntryHash(all[1]));
  EXPECT_EQ(log_->head().seq, 2u);
  EXPECT_EQ(log_->head().hash, all[1]["hash"]);
  EXPECT_TRUE(wallet::VerifyAccessLog(all, false).ok());
}

TEST_F(AccessLogTest, ReopeningContinuesTheChainAndATamperedHeadIsRefused) {
  ASSERT_TRUE(log_->Append(Read("p", "auditor", "", {kAlice})).ok());
  ASSERT_TRUE(log_->Append(Read("p", "auditor", "", {kBob})).ok());
  Reopen();
  EXPECT_EQ(log_->head().seq, 2u);
  ASSERT_EQ(*log_->Append(Read("q", "regulator", "", {kRef})), 3u);
  EXPECT_TRUE(wallet::VerifyAccessLog(All(), false).ok());  // (All flushes)

  // The last entry rewritten behind the log's back: the head no longer matches it.
  auto last = memory_->Get("e0000000000000003");
  ASSERT_TRUE(last.ok() && last->has_value());
  Json entry = *ParseJson(**last);
  entry["principal"]["name"] = "nobody";
  ASSERT_TRUE(memory_->Write({{"e0000000000000003", CanonicalJson(entry)}}, false).ok());
  log_.reset();
  auto reopened = AccessLog::Open(std::make_unique<SharedStore>(memory_.get()), [] { return 0; });
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), "access_log_broken");
}

TEST_F(AccessLogTest, QueriesFilterBySubjectMemberAndPrincipalAndPageInOrder) {
  ASSERT_TRUE(log_->Append(Read("desk-a", "insurer", "insurer-a", {kAlice})).ok());  // 1
  ASSERT_TRUE(log_->Append(Read("desk-b", "insurer", "insurer-b", {kBob})).ok());    // 2
  ASSERT_TRUE(log_->Append(Read("desk-a", "insurer", "insurer-a", {kBob})).ok());    // 3
  AccessRead backup = Read("audit", "auditor", "", {});
  backup.all_subjects = true;
  ASSERT_TRUE(log_->Append(backup).ok());                                  // 4
  ASSERT_TRUE(log_->Append(Read(kAlice, "customer", "", {kAlice})).ok());  // 5

  auto seqs = [](const std::vector<Json>& entries) {
    std::vector<std::uint64_t> out;
    for (const Json& e : entries) out.push_back(e["seq"].get<std::uint64_t>());
    return out;
  };
  using V = std::vector<std::uint64_t>;
  EXPECT_EQ(seqs(All({kAlice, {}, {}})), (V{1, 4, 5}));  // with the whole-store read
  EXPECT_EQ(seqs(All({kBob, {}, {}})), (V{2, 3, 4}));
  EXPECT_EQ(seqs(All({{}, "insurer-a", {}})), (V{1, 3}));
  EXPECT_EQ(seqs(All({kBob, "insurer-a", {}})), (V{3}));
  EXPECT_EQ(seqs(All({{}, {}, "desk-b"})), (V{2}));
  EXPECT_EQ(seqs(All({{}, {}, "desk"})), V{});      // a name, not a prefix
  EXPECT_EQ(seqs(All({}, 2)), (V{1, 2, 3, 4, 5}));  // pages of two, in order

  auto page = log_->Query({}, {"4", 10});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(seqs(page->items), (V{4, 5}));
  EXPECT_FALSE(page->next_cursor);
  for (const char* bad : {"x", "0", "01", "-1", "99999999999999999"}) {
    EXPECT_EQ(log_->Query({}, {bad, 10}).status().code(), "query_bad_cursor") << bad;
  }
}

TEST_F(AccessLogTest, AFailedWriteIsRetriedAndAppendRefusesUntilItSucceeds) {
  ASSERT_TRUE(log_->Append(Read("p", "auditor", "", {kAlice})).ok());
  ASSERT_TRUE(log_->Flush().ok());
  shared_->fail_writes = true;
  ASSERT_TRUE(log_->Append(Read("p", "auditor", "", {kBob})).ok());  // chained in memory
  EXPECT_EQ(log_->Flush().code(), "store_io");                       // the write failed
  EXPECT_EQ(log_->Append(Read("p", "auditor", "", {kRef})).status().code(), "store_io");
  shared_->fail_writes = false;
  ASSERT_TRUE(log_->Flush().ok());  // the kept entry is written on the retry
  EXPECT_EQ(*log_->Append(Read("p", "auditor", "", {kRef})), 3u);
  const std::vector<Json> all = All();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1]["subjects"], Json::array({kBob}));
  EXPECT_TRUE(wallet::VerifyAccessLog(all, false).ok());
}

// --- what an answer reveals (node/http/reads.h) ---

TEST(AccessReads, SubjectsAreReadOffEverySpellingOfAnAnswer) {
  const std::string a(64, 'a'), b(64, 'b'), c(64, 'c'), d(64, 'd');
  std::set<std::string> got;
  http::SubjectsInAnswer(R"({"items":[{"subject":{"key":")" + a + R"("}},{"subject_id":"ref:)" + b +
                             R"("},{"subject":{"ref":")" + c + R"("}}]})",
                         &got);
  http::SubjectsInAnswer(R"(1,2,"{""subject"":{""key"":"")" + d + R"(""}}")", &got);  // CSV
  EXPECT_EQ(got, (std::set<std::string>{"key:" + a, "ref:" + b, "ref:" + c, "key:" + d}));

  std::set<std::string> none;
  // Signer keys, member keys, short or upper-case ids and longer hex are not subjects.
  http::SubjectsInAnswer(R"({"signatures":[{"key":")" + a + R"("}],"keys":[")" + b +
                             R"("],"subject":{"key":"abc"},"x":{"subject":{"key":")" +
                             std::string(64, 'A') + R"("}},"y":{"subject":{"key":")" + a + "0" +
                             R"("}}})",
                         &none);
  EXPECT_TRUE(none.empty());

  http::Request req;
  req.path = "/v1/subjects/key:" + a + "/consents";
  req.query = {{"subject", "ref:" + b}, {"purpose", "ClaimsHandling"}};
  std::set<std::string> asked;
  http::SubjectsInRequest(req, &asked);
  EXPECT_EQ(asked, (std::set<std::string>{"key:" + a, "ref:" + b}));
}

TEST(AccessReads, ARecorderWritesBeforeSendingAndSplitsLargeReads) {
  auto opened = AccessLog::Open(ledger::NewMemoryStore(), [] { return 7; });
  ASSERT_TRUE(opened.ok());
  AccessLog& log = **opened;
  http::Principal who;
  who.role = http::Role::kAuditor;
  who.name = "audit-firm";
  http::Request req;
  req.method = "GET";
  req.target = "/v1/audit/log?format=ndjson";
  req.path = "/v1/audit/log";

  http::ReadRecorder rec(&log, who, req, "/v1/audit/log", false);
  EXPECT_TRUE(rec.Record("no subjects here").ok());
  EXPECT_EQ(log.head().seq, 0u);
  std::string piece;
  for (int i = 0; i < 300; ++i) {
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064x", i);
    piece += R"({"subject":{"key":")" + std::string(hex) + "\"}}\n";
  }
  ASSERT_TRUE(rec.Record(piece).ok());
  EXPECT_EQ(log.head().seq, 2u);  // 256 + 44
  auto page = log.Query({}, {"", 10});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0]["subjects"].size(), kMaxSubjectsPerAccessEntry);
  EXPECT_EQ(page->items[1]["subjects"].size(), 300 - kMaxSubjectsPerAccessEntry);
  EXPECT_EQ(page->items[0]["principal"]["name"], "audit-firm");
  EXPECT_EQ(page->items[0]["target"], "/v1/audit/log?format=ndjson");

  // A whole-store read is one entry at its first piece, whatever the bytes.
  http::ReadRecorder backup(&log, who, req, "/v1/admin/backup", true);
  ASSERT_TRUE(backup.Record("\x01\x02 binary").ok());
  ASSERT_TRUE(backup.Record("more").ok());
  EXPECT_EQ(log.head().seq, 3u);

  // No log: the answer must not go out.
  http::ReadRecorder nolog(nullptr, who, req, "/v1/audit/log", false);
  EXPECT_EQ(nolog.Record(piece).code(), "access_log_unavailable");
}

}  // namespace
}  // namespace consentd::node
