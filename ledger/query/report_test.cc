// The compliance report against counts made by hand from the raw audit log: the test replays
// the committed transactions (Queries::AuditLog, the same log an auditor exports) through a
// small model of its own and compares every figure, for several members and periods.

#include "ledger/query/report.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "ledger/testing/exec_fixture.h"

namespace consentd::ledger {
namespace {

using testing::ExecFixture;
using testing::kDay;
using testing::kGenesisTime;
using testing::kYear;

// What the audit log says, replayed without the ledger's state or the report code.
struct Model {
  struct Consent {
    std::string controller, subject;
    std::int64_t recorded_at = 0, valid_until = 0;
    std::string end;  // withdrawn | revoked | superseded
    std::int64_t end_at = 0;
    std::vector<std::pair<std::int64_t, std::string>> transfers;  // effective_at, transferee
    std::string ControllerAt(std::int64_t t) const {
      std::string c = controller;
      for (const auto& [at, to] : transfers) {
        if (at <= t) c = to;
      }
      return c;
    }
  };
  struct Sharing {
    std::string sender, recipient, purpose, destination, subject;
    bool sensitive = false;
    std::int64_t shared_at = 0, recorded_at = 0;
  };
  struct Rights {
    std::string controller;
    std::int64_t requested_at = 0, deadline = 0, closed_at = -1;
    bool refused = false;
  };
  struct Incident {
    std::string controller;
    std::int64_t detected_at = 0, reported_at = 0;
  };
  struct Transfer {
    std::string transferor, transferee;
    std::int64_t at = 0, objection_until = 0;
    std::vector<std::string> consents;
  };
  std::map<std::string, Consent> consents;
  std::vector<Sharing> sharing;
  std::map<std::string, Rights> rights;
  std::vector<Incident> incidents;
  std::vector<Transfer> transfers;
};

bool Sensitive(const Json& categories) {
  static const std::set<std::string> kSensitive = {
      "Biometric",       "FinancialAccount", "Health",          "MinorUnder14",
      "PreciseLocation", "ReligiousBelief",  "SpecificIdentity"};
  for (const Json& c : categories) {
    if (kSensitive.count(c.get<std::string>())) return true;
  }
  return false;
}

int Year(std::int64_t ms) {
  // Years since 2024 by their known starts (UTC): enough for this test's clock.
  const std::int64_t starts[] = {1704067200000, 1735689600000, 1767225600000, 1798761600000,
                                 1830297600000};
  int y = 2023;
  for (std::int64_t s : starts) {
    if (ms >= s) ++y;
  }
  return y;
}

class ReportTest : public ExecFixture {
 protected:
  void SetUp() override {
    Notice("insurer-a");
    Notice("insurer-b");
  }

  Queries Q() { return Queries(chain_.ledger()); }

  Model Replay() {
    Model m;
    const Genesis& g = chain_.genesis();
    AuditFilter all;
    PageRequest page;
    page.limit = kMaxPageLimit;
    for (;;) {
      auto p = Q().AuditLog(all, page);
      EXPECT_TRUE(p.ok()) << p.status().ToString();
      if (!p.ok()) break;
      for (const Json& item : p->items) {
        const std::string type = item["type"];
        const std::string id = item["tx_id"];
        const std::int64_t time = item["time_ms"];
        const Json& b = item["tx"]["body"];
        if (type == "consent.grant") {
          Model::Consent c;
          c.controller = b["controller"];
          c.subject = b["subject"].dump();
          c.recorded_at = time;
          c.valid_until = b["valid_until"];
          m.consents[id] = c;
          if (b.contains("supersedes")) {
            m.consents[b["supersedes"]].end = "superseded";
            m.consents[b["supersedes"]].end_at = time;
          }
        } else if (type == "consent.withdraw" || type == "consent.revoke") {
          Model::Consent& c = m.consents[b["consent_id"]];
          c.end = type == "consent.withdraw" ? "withdrawn" : "revoked";
          c.end_at = time;
          m.rights[id] =
              Model::Rights{c.ControllerAt(time), time, time + g.params.rights_deadline_ms};
        } else if (type == "portfolio.transfer") {
          Model::Transfer t{b["transferor"],
                            b["transferee"],
                            time,
                            b["effective_at"].get<std::int64_t>() + g.params.objection_window_ms,
                            {}};
          for (const Json& c : b["consents"]) {
            t.consents.push_back(c);
            m.consents[c].transfers.emplace_back(b["effective_at"], b["transferee"]);
          }
          m.transfers.push_back(t);
        } else if (type == "sharing.record") {
          m.sharing.push_back(Model::Sharing{b["sender"], b["recipient"], b["purpose"],
                                             b["destination"], b["subject"].dump(),
                                             Sensitive(b["categories"]), b["shared_at"], time});
        } else if (type == "rights.request") {
          m.rights[id] = Model::Rights{b["controller"], time, time + g.params.rights_deadline_ms};
        } else if (type == "rights.fulfil") {
          m.rights[b["request_id"]].closed_at = time;
          m.rights[b["request_id"]].refused = b["outcome"] == "refused";
        } else if (type == "incident.report") {
          m.incidents.push_back(Model::Incident{b["controller"], b["detected_at"], time});
        }
      }
      if (!p->next_cursor) break;
      page.cursor = *p->next_cursor;
    }
    return m;
  }

  // The report section a member should get for [from, as_of], counted from the model.
  static Json Expected(const Model& m, const std::string& member, const std::string& jurisdiction,
                       std::int64_t from, std::int64_t as_of, const CacThresholds& t) {
    auto in = [&](std::int64_t x) { return x >= from && x <= as_of; };
    std::int64_t granted = 0, withdrawn = 0, revoked = 0, expired = 0;
    std::set<std::string> live;
    for (const auto& [id, c] : m.consents) {
      if (c.controller == member && in(c.recorded_at)) ++granted;
      if (!c.end.empty() && in(c.end_at) && c.ControllerAt(c.end_at) == member) {
        if (c.end == "withdrawn") ++withdrawn;
        if (c.end == "revoked") ++revoked;
      }
      const bool ended_by_expiry = c.end.empty() || c.end_at > c.valid_until;
      if (in(c.valid_until) && ended_by_expiry && c.ControllerAt(c.valid_until) == member) {
        ++expired;
      }
      const bool live_now =
          c.recorded_at <= as_of && (c.end.empty() || c.end_at > as_of) && c.valid_until > as_of;
      if (live_now && c.ControllerAt(as_of) == member) live.insert(c.subject);
    }
    Json consents{{"granted", granted},
                  {"withdrawn", withdrawn},
                  {"revoked", revoked},
                  {"expired", expired},
                  {"persons_processed", static_cast<std::int64_t>(live.size())}};

    const int year = Year(as_of);
    std::int64_t window = 0, this_year = 0;
    for (const std::int64_t s : {1735689600000LL, 1767225600000LL, 1798761600000LL}) {
      if (Year(s) == year - 1) window = s;
      if (Year(s) == year) this_year = s;
    }
    std::int64_t events = 0;
    std::map<std::string, std::int64_t> by_recipient, by_purpose, by_destination;
    struct Vol {
      std::int64_t events = 0;
      std::set<std::string> subjects, sensitive;
      Json ToJson() const {
        return Json{{"events", events},
                    {"subjects", static_cast<std::int64_t>(subjects.size())},
                    {"sensitive_subjects", static_cast<std::int64_t>(sensitive.size())}};
      }
    };
    std::map<int, Vol> years;
    Vol since_prev, since_this;
    for (const Model::Sharing& s : m.sharing) {
      if (s.sender != member || s.recorded_at > as_of || s.shared_at > as_of) continue;
      if (s.shared_at >= from) {
        ++events;
        ++by_recipient[s.recipient];
        ++by_purpose[s.purpose];
        ++by_destination[s.destination];
      }
      if (s.destination == jurisdiction || s.shared_at < std::min(from, window)) continue;
      for (Vol* v : {&years[Year(s.shared_at)], s.shared_at >= window ? &since_prev : nullptr,
                     s.shared_at >= this_year ? &since_this : nullptr}) {
        if (v == nullptr) continue;
        ++v->events;
        v->subjects.insert(s.subject);
        if (s.sensitive) v->sensitive.insert(s.subject);
      }
    }
    auto counts = [](const std::map<std::string, std::int64_t>& x) {
      Json o = Json::object();
      for (const auto& [k, v] : x) o[k] = v;
      return o;
    };
    Json sharing{{"events", events},
                 {"by_recipient", counts(by_recipient)},
                 {"by_purpose", counts(by_purpose)},
                 {"by_destination", counts(by_destination)}};
    Json year_list = Json::array();
    for (const auto& [y, v] : years) {
      Json j = v.ToJson();
      j["year"] = y;
      year_list.push_back(j);
    }
    Json this_year_json = since_this.ToJson();
    this_year_json["window_from"] = this_year;
    const auto persons = static_cast<std::int64_t>(live.size());
    const auto exported = static_cast<std::int64_t>(since_prev.subjects.size());
    const auto sensitive = static_cast<std::int64_t>(since_prev.sensitive.size());
    Json exceeded = Json::array();
    if (persons >= t.persons_processed) exceeded.push_back("persons_processed");
    if (exported >= t.persons_exported) exceeded.push_back("persons_exported");
    if (sensitive >= t.sensitive_persons_exported) exceeded.push_back("sensitive_persons_exported");

    std::int64_t requested = 0;
    std::map<std::string, std::int64_t> rights;
    for (const char* k : {"fulfilled_on_time", "fulfilled_late", "refused_on_time", "refused_late",
                          "open_overdue", "open_not_due"}) {
      rights[k] = 0;
    }
    for (const auto& [id, r] : m.rights) {
      if (r.controller != member || !in(r.requested_at)) continue;
      ++requested;
      if (r.closed_at >= 0 && r.closed_at <= as_of) {
        const std::string late = r.closed_at <= r.deadline ? "_on_time" : "_late";
        ++rights[(r.refused ? "refused" : "fulfilled") + late];
      } else {
        ++rights[as_of > r.deadline ? "open_overdue" : "open_not_due"];
      }
    }
    Json rights_json = counts(rights);
    rights_json["requested"] = requested;

    std::int64_t incidents = 0, max_delay = 0, over_72h = 0;
    for (const Model::Incident& i : m.incidents) {
      if (i.controller != member || !in(i.reported_at)) continue;
      ++incidents;
      max_delay = std::max(max_delay, i.reported_at - i.detected_at);
      if (i.reported_at - i.detected_at > 72 * 3600'000LL) ++over_72h;
    }

    Json transfers = Json::array();
    for (const Model::Transfer& tr : m.transfers) {
      if ((tr.transferor != member && tr.transferee != member) || !in(tr.at)) continue;
      std::set<std::string> objected;
      for (const std::string& id : tr.consents) {
        const Model::Consent& c = m.consents.at(id);
        if (c.end == "withdrawn" && c.end_at >= tr.at &&
            c.end_at <= std::min(tr.objection_until, as_of))
          objected.insert(c.subject);
      }
      transfers.push_back(Json{{"transferor", tr.transferor},
                               {"transferee", tr.transferee},
                               {"consents", static_cast<std::int64_t>(tr.consents.size())},
                               {"withdrawn_in_window", static_cast<std::int64_t>(objected.size())},
                               {"window_closed", tr.objection_until <= as_of}});
    }

    return Json{
        {"consents", consents},
        {"sharing", sharing},
        {"years", year_list},
        {"since_previous_year", since_prev.ToJson()},
        {"since_this_year", this_year_json},
        {"cac",
         {{"window_from", window},
          {"persons_processed", persons},
          {"persons_exported", exported},
          {"sensitive_persons_exported", sensitive},
          {"exceeded", exceeded}}},
        {"rights", rights_json},
        {"incidents",
         {{"count", incidents}, {"max_detection_to_report_ms", max_delay}, {"over_72h", over_72h}}},
        {"transfers", transfers}};
  }

  // The report's section, reduced to the shape of Expected().
  static Json Actual(const Json& section) {
    const Json& cb = section["cross_border"];
    const Json& cac = cb["cac_standard_contract"];
    Json transfers = Json::array();
    for (const Json& t : section["transfers"]) {
      transfers.push_back(Json{{"transferor", t["transferor"]},
                               {"transferee", t["transferee"]},
                               {"consents", t["consents"]},
                               {"withdrawn_in_window", t["withdrawn_in_window"]},
                               {"window_closed", t["window_closed"]}});
    }
    return Json{
        {"consents", section["consents"]},
        {"sharing", section["sharing"]},
        {"years", cb["years"]},
        {"since_previous_year", cb["since_previous_year"]},
        {"since_this_year", cb["since_this_year"]},
        {"cac",
         {{"window_from", cac["window_from"]},
          {"persons_processed", cac["persons_processed"]},
          {"persons_exported", cac["persons_exported"]},
          {"sensitive_persons_exported", cac["sensitive_persons_exported"]},
          {"exceeded", cac["exceeded"]}}},
        {"rights", section["rights"]},
        {"incidents",
         {{"count", section["incidents"]["count"]},
          {"max_detection_to_report_ms", section["incidents"]["max_detection_to_report_ms"]},
          {"over_72h", section["incidents"]["over_72h"]}}},
        {"transfers", transfers}};
  }

  Json Report(const std::string& member, std::int64_t from, std::optional<std::int64_t> to,
              const CacThresholds& t) {
    ComplianceRequest r;
    r.member = member;
    r.from = from;
    r.to = to;
    r.thresholds = t;
    auto report = ComplianceReport(Q(), r);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : Json();
  }

  // Cross-border grant of insurer-a (to insurer-x in SG and the processor), Contact and Health.
  Hash256 WideGrant(const std::string& subject, const Hash256& agreement,
                    std::int64_t valid_until = kGenesisTime + 2 * kYear) {
    Json b = chain_.GrantBody(subject);
    b["recipients"] = {"insurer-x", "processor"};
    b["jurisdictions"] = {"SG"};
    b["agreement"] = Hex(agreement);
    b["purposes"] = {"ClaimsHandling", "Reinsurance"};
    b["categories"] = {"Contact", "Health"};
    b["separate"] = true;
    b["valid_until"] = valid_until;
    return Grant(subject, b);
  }
  void Share(const std::string& subject, const std::string& recipient, const std::string& category,
             const std::string& destination, const std::string& purpose = "ClaimsHandling") {
    Json s = Sharing(subject, recipient, category);
    s["destination"] = destination;
    s["purpose"] = purpose;
    Commit(TxType::kSharingRecord, s, {"insurer-a"});
  }
  Hash256 Request(const std::string& subject, const std::string& controller = "insurer-a") {
    return Commit(
        TxType::kRightsRequest,
        Json{{"controller", controller}, {"subject", Subject(subject)}, {"kind", "access"}},
        {subject});
  }
  void Fulfil(const Hash256& request, bool refuse, const std::string& controller = "insurer-a") {
    Json b{{"request_id", Hex(request)},
           {"outcome", refuse ? "refused" : "fulfilled"},
           {"attestation_hash", Hex(testing::HashOf("done"))}};
    if (refuse) b["reason"] = "manifestly_unfounded";
    Commit(TxType::kRightsFulfil, b, {controller});
  }
  void Incident(const std::string& controller, std::int64_t delay) {
    Commit(TxType::kIncidentReport,
           Json{{"controller", controller},
                {"detected_at", chain_.next_time() - delay},
                {"categories", {"Contact"}},
                {"cause", "misdelivery"},
                {"harms", {"low"}},
                {"remedies", {"contained"}},
                {"affected_count", 2},
                {"affected_commitment", Hex(testing::HashOf("c"))},
                {"notice_hash", Hex(testing::HashOf("n"))}},
           {controller});
  }

  // Two calendar years of activity for insurer-a, some for insurer-b, and a transfer a -> b.
  // Returns interesting cut times.
  std::vector<std::int64_t> BuildScenario() {
    std::vector<std::int64_t> cuts;
    const Hash256 agreement = ActiveAgreement(Json{{"valid_until", kGenesisTime + 3 * kYear}});
    std::vector<Hash256> c;
    for (int i = 0; i < 6; ++i) c.push_back(WideGrant("s" + std::to_string(i), agreement));
    const Hash256 short_lived = WideGrant("s6", agreement, chain_.next_time() + 10 * kDay);
    (void)short_lived;
    Json b_grant = chain_.GrantBody("t0", "insurer-b");
    Commit(TxType::kConsentGrant, b_grant, {"insurer-b", "t0"});

    Share("s0", "insurer-x", "Health", "SG");
    Share("s1", "insurer-x", "Contact", "SG", "Reinsurance");
    Share("s2", "insurer-x", "Contact", "SG");
    Share("s0", "processor", "Contact", "CN");
    Share("s3", "processor", "Health", "CN");
    cuts.push_back(chain_.next_time());

    Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(c[1])}}, {"s1"});
    Commit(TxType::kConsentRevoke, Json{{"consent_id", Hex(c[2])}, {"reason", "order"}},
           {"regulator"});
    const Hash256 on_time = Request("s0");
    Fulfil(on_time, false);
    const Hash256 refused = Request("s3");
    Fulfil(refused, true);
    const Hash256 late = Request("s4");
    Request("s5");
    Request("t0", "insurer-b");
    Incident("insurer-a", 80 * 3600'000LL);
    Incident("insurer-b", 3600'000LL);

    Commit(TxType::kPortfolioTransfer,
           Json{{"transferor", "insurer-a"},
                {"transferee", "insurer-b"},
                {"consents", {Hex(c[3]), Hex(c[4]), Hex(c[5])}},
                {"effective_at", chain_.next_time() + kDay},
                {"notice_hash", Hex(testing::HashOf("transfer notice"))}},
           {"insurer-a", "insurer-b"});
    cuts.push_back(chain_.next_time());
    chain_.Advance(2 * kDay);
    Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(c[5])}}, {"s5"});
    chain_.Advance(20 * kDay);  // past the rights deadlines and s6's expiry
    Fulfil(late, false);
    cuts.push_back(chain_.next_time());
    Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(c[4])}}, {"s4"});  // in the window

    // The next calendar year: more exports, one outside the objection window.
    chain_.SetNextTime(kGenesisTime + kYear + 5 * kDay);
    cuts.push_back(chain_.next_time());
    Share("s0", "insurer-x", "Contact", "SG");
    WideGrant("s7", agreement);
    Share("s7", "insurer-x", "Health", "SG");
    Commit(TxType::kConsentWithdraw, Json{{"consent_id", Hex(c[3])}}, {"s3"});
    Incident("insurer-a", 1000);
    cuts.push_back(chain_.next_time());
    return cuts;
  }
};

TEST(ReportCalendarTest, UtcYearsAndTheirStarts) {
  EXPECT_EQ(UtcYearStart(2026), kGenesisTime);
  EXPECT_EQ(UtcYearStart(2024), 1704067200000);
  EXPECT_EQ(UtcYearStart(2025), 1735689600000);  // 2024 was a leap year: 366 days later
  EXPECT_EQ(UtcYearStart(1970), 0);
  EXPECT_EQ(UtcYear(kGenesisTime), 2026);
  EXPECT_EQ(UtcYear(kGenesisTime - 1), 2025);
  EXPECT_EQ(UtcYear(1735689599999), 2024);
  EXPECT_EQ(UtcYear(0), 1970);
}

TEST(ReportEpochTest, AChainThatStartsIn1970CountsItsFirstYear) {
  // The cross-border window then starts on 1 January 1969, before the index's first time.
  Genesis g = testing::DefaultGenesis();
  g.genesis_time_ms = 1000;
  testing::TestChain chain(NewMemoryStore(), g);
  chain.SetNextTime(2000);
  ASSERT_TRUE(chain.Do(TxType::kNoticePublish, chain.PublishNotice(), {"insurer-a"}).ok());
  Json grant = chain.GrantBody("alice");
  grant["recipients"] = {"processor"};
  grant["separate"] = true;
  grant["valid_from"] = 0;
  grant["valid_until"] = 10 * kYear;
  ASSERT_TRUE(chain.Do(TxType::kConsentGrant, grant, {"insurer-a", "alice"}).ok());
  Json share{{"sender", "insurer-a"},
             {"recipient", "processor"},
             {"subject", {{"key", chain.SubjectHex("alice")}}},
             {"purpose", "ClaimsHandling"},
             {"categories", {"Contact"}},
             {"destination", "CN"},
             {"legal_basis", "consent"},
             {"shared_at", chain.next_time() - 1}};
  ASSERT_TRUE(chain.Do(TxType::kSharingRecord, share, {"insurer-a"}).ok());
  ComplianceRequest r;
  r.member = "insurer-a";
  auto report = ComplianceReport(Queries(chain.ledger()), r);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const Json& section = (*report)["controllers"][0];
  EXPECT_EQ(section["sharing"]["events"], 1);
  EXPECT_EQ(section["consents"]["granted"], 1);
  EXPECT_EQ(section["cross_border"]["cac_standard_contract"]["window_from"], UtcYearStart(1969));
}

TEST_F(ReportTest, EveryFigureMatchesTheAuditLog) {
  const auto cuts = BuildScenario();
  const Model model = Replay();
  CacThresholds small;
  small.persons_processed = 4;
  small.persons_exported = 3;
  small.sensitive_persons_exported = 1;

  const std::int64_t head = Q().head().time_ms;
  std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> periods = {
      {0, std::nullopt},  {cuts[0], std::nullopt}, {0, cuts[1]},
      {cuts[1], cuts[2]}, {cuts[3], head},         {0, head + 10 * kYear}};
  // Every figure is non-zero somewhere, so the comparison is not vacuous.
  std::set<std::string> nonzero;
  for (const char* member : {"insurer-a", "insurer-b"}) {
    for (const auto& [from, to] : periods) {
      const Json report = Report(member, from, to, small);
      ASSERT_EQ(report["controllers"].size(), 1u);
      const Json& section = report["controllers"][0];
      EXPECT_EQ(section["member"], member);
      const std::int64_t as_of = report["as_of"];
      EXPECT_EQ(as_of, std::min(to.value_or(head), head));
      const Json expected = Expected(model, member, "CN", from, as_of, small);
      EXPECT_EQ(Actual(section), expected)
          << member << " [" << from << ", " << as_of << "]\nexpected " << expected.dump(1)
          << "\nactual " << Actual(section).dump(1);
      for (const auto& [k, v] : expected["consents"].items()) {
        if (v != 0) nonzero.insert("consents." + k);
      }
      for (const auto& [k, v] : expected["rights"].items()) {
        if (v != 0) nonzero.insert("rights." + k);
      }
      if (expected["sharing"]["events"] != 0) nonzero.insert("sharing");
      if (expected["years"].size() > 1) nonzero.insert("years");
      if (expected["cac"]["sensitive_persons_exported"] != 0) nonzero.insert("sensitive");
      if (expected["incidents"]["over_72h"] != 0) nonzero.insert("over_72h");
      for (const Json& t : expected["transfers"]) {
        if (t["withdrawn_in_window"] != 0) nonzero.insert("objections");
      }
    }
  }
  for (const char* figure :
       {"consents.granted", "consents.withdrawn", "consents.revoked", "consents.expired",
        "consents.persons_processed", "rights.fulfilled_on_time", "rights.fulfilled_late",
        "rights.refused_on_time", "rights.open_overdue", "rights.open_not_due", "sharing", "years",
        "sensitive", "over_72h", "objections"}) {
    EXPECT_TRUE(nonzero.count(figure)) << figure << " is zero in every period";
  }
}

TEST_F(ReportTest, FlagsAStandardContractThatNoLongerFits) {
  BuildScenario();
  CacThresholds small;
  small.persons_exported = 2;
  const Json over = Report("insurer-a", 0, std::nullopt, small);
  const Json& cac = over["controllers"][0]["cross_border"]["cac_standard_contract"];
  ASSERT_EQ(cac["standard_contract_agreements"].size(), 1u);
  EXPECT_EQ(cac["exceeded"], Json::array({"persons_exported"}));
  EXPECT_EQ(cac["flagged"], true);
  EXPECT_EQ(cac["within_thresholds"], false);
  // Under the real thresholds nothing is exceeded.
  const Json real = Report("insurer-a", 0, std::nullopt, CacThresholds{});
  const Json& fits = real["controllers"][0]["cross_border"]["cac_standard_contract"];
  EXPECT_EQ(fits["flagged"], false);
  EXPECT_EQ(fits["within_thresholds"], true);
  // insurer-b exports nothing and has no standard contract: never flagged.
  CacThresholds zero{0, 0, 0};
  const Json b = Report("insurer-b", 0, std::nullopt, zero);
  EXPECT_EQ(b["controllers"][0]["cross_border"]["cac_standard_contract"]["flagged"], false);
}

TEST_F(ReportTest, The2024ProvisionsSayWhichMechanismTheVolumeNeeds) {
  BuildScenario();
  auto provisions = [&](CrossBorder2024Thresholds t) {
    ComplianceRequest r;
    r.member = "insurer-a";
    r.thresholds_2024 = t;
    auto report = ComplianceReport(Q(), r);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? (*report)["controllers"][0]["cross_border"]["provisions_2024"] : Json();
  };
  const Json real = provisions(CrossBorder2024Thresholds{});
  const std::int64_t persons = real["persons_exported"];
  const std::int64_t sensitive = real["sensitive_persons_exported"];
  ASSERT_GT(persons, 0);  // the scenario exports to SG this year
  // The counts are the report's own since-this-year figures.
  const Json cb =
      Report("insurer-a", 0, std::nullopt, CacThresholds{})["controllers"][0]["cross_border"];
  EXPECT_EQ(persons, cb["since_this_year"]["subjects"]);
  EXPECT_EQ(sensitive, cb["since_this_year"]["sensitive_subjects"]);
  EXPECT_EQ(real["mechanism_required"],
            sensitive > 0 ? "standard_contract_or_certification" : "none");
  EXPECT_EQ(real["flagged"], false);
  // At the Art. 8 threshold a standard contract (or certification) is needed; at Art. 7's an
  // assessment, and the member's standard contract no longer suffices.
  EXPECT_EQ(provisions({persons, persons + 1, sensitive + 1})["mechanism_required"],
            "standard_contract_or_certification");
  EXPECT_EQ(provisions({persons + 1, persons + 2, sensitive + 1})["mechanism_required"],
            sensitive > 0 ? "standard_contract_or_certification" : "none");
  const Json over = provisions({1, persons, sensitive + 1});
  EXPECT_EQ(over["mechanism_required"], "security_assessment");
  EXPECT_EQ(over["flagged"], true);
  EXPECT_EQ(provisions({persons + 1, persons + 2, 0})["mechanism_required"],
            "security_assessment");  // a sensitive threshold of zero is always reached
}

TEST_F(ReportTest, AllInsurersBadInputAndTheWorkBound) {
  BuildScenario();
  ComplianceRequest all;
  auto report = ComplianceReport(Q(), all);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::vector<std::string> members;
  for (const Json& s : (*report)["controllers"]) members.push_back(s["member"]);
  EXPECT_EQ(members, (std::vector<std::string>{"insurer-a", "insurer-b", "insurer-x"}));

  ComplianceRequest unknown;
  unknown.member = "nobody";
  EXPECT_EQ(ComplianceReport(Q(), unknown).status().code(), "member_unknown");
  ComplianceRequest backwards;
  backwards.from = 10;
  backwards.to = 9;
  EXPECT_EQ(ComplianceReport(Q(), backwards).status().code(), "query_bad_filter");
  ComplianceRequest tight;
  tight.member = "insurer-a";
  tight.budget = 10;
  EXPECT_EQ(ComplianceReport(Q(), tight).status().code(), "report_too_large");
  // The bound is what the report reads: with exactly that much it succeeds.
  ComplianceRequest exact;
  exact.member = "insurer-a";
  auto full = ComplianceReport(Q(), exact);
  ASSERT_TRUE(full.ok());
  exact.budget = (*full)["entries_read"].get<std::size_t>();
  EXPECT_TRUE(ComplianceReport(Q(), exact).ok());
  exact.budget -= 1;
  EXPECT_EQ(ComplianceReport(Q(), exact).status().code(), "report_too_large");
}

}  // namespace
}  // namespace consentd::ledger
