#include "ledger/query/report.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/hex.h"
#include "ledger/state/keys.h"
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::int64_t k72HoursMs = 72LL * 3600 * 1000;  // GDPR Art. 33 notification delay

// Days since 1970-01-01 of a proleptic Gregorian date, and the year of such a day
// (H. Hinnant's civil algorithms).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int YearOfDay(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0));
}

// Counts store entries read against the budget.
class Work {
 public:
  explicit Work(std::size_t budget) : budget_(budget) {}
  Status Take() {
    if (++used_ <= budget_) return Status::Ok();
    return Status::Error(Reason::kReportTooLarge,
                         "the report would read more than " + std::to_string(budget_) +
                             " ledger entries; name a member or shorten the period");
  }
  std::size_t used() const { return used_; }

 private:
  std::size_t budget_;
  std::size_t used_ = 0;
};

template <typename R>
Result<R> ParseStored(std::string_view value) {
  auto j = ParseJson(value);
  if (!j.ok()) return Status::Error(Reason::kStoreCorruption, "unreadable record");
  return R::FromJson(*j);
}

bool HasSensitive(const std::vector<std::string>& categories) {
  return std::any_of(categories.begin(), categories.end(), [](const std::string& c) {
    const vocab::Code* code = vocab::Categories().Find(c);
    return code != nullptr && code->sensitive;
  });
}

Json Counts(const std::map<std::string, std::int64_t>& m) {
  Json out = Json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

// One controller's section of the report.
class ControllerReport {
 public:
  ControllerReport(const Queries& q, const MemberRecord& member, const ComplianceRequest& r,
                   std::int64_t as_of, Work& work)
      : q_(q), m_(member), r_(r), from_(r.from), as_of_(as_of), work_(work) {}

  Result<Json> Build() {
    Json j{{"member", m_.id}, {"jurisdiction", m_.jurisdiction}};
    CONSENTD_ASSIGN_OR_RETURN(j["consents"], Consents());
    CONSENTD_ASSIGN_OR_RETURN(j["sharing"], Sharing());
    CONSENTD_ASSIGN_OR_RETURN(j["cross_border"], CrossBorder());
    CONSENTD_ASSIGN_OR_RETURN(j["rights"], Rights());
    CONSENTD_ASSIGN_OR_RETURN(j["incidents"], Incidents());
    CONSENTD_ASSIGN_OR_RETURN(j["transfers"], Transfers());
    return j;
  }

 private:
  bool InPeriod(std::int64_t t) const { return t >= from_ && t <= as_of_; }

  // Every consent this member controlled at some time (the controller index keeps the original
  // controller and each transferee); events are attributed to the controller at their time.
  Result<Json> Consents() {
    std::int64_t granted = 0, withdrawn = 0, revoked = 0, expired = 0;
    std::set<std::string> live_subjects;
    auto cursor = q_.view().Scan(keys::ControllerConsentPrefix(m_.id));
    for (; cursor->Valid(); cursor->Next()) {
      CONSENTD_RETURN_IF_ERROR(work_.Take());
      CONSENTD_RETURN_IF_ERROR(work_.Take());
      CONSENTD_ASSIGN_OR_RETURN(auto c, q_.state().Consent(keys::TrailingId(cursor->key())));
      if (!c) return Status::Error(Reason::kStoreCorruption, "index names a missing consent");
      if (c->grant.controller == m_.id && InPeriod(c->recorded_at)) ++granted;
      for (const ConsentEvent& e : c->events) {
        if (!InPeriod(e.at) || c->ControllerAt(e.at) != m_.id) continue;
        if (e.type == ConsentEventKind::kWithdrawn) ++withdrawn;
        if (e.type == ConsentEventKind::kRevoked) ++revoked;
      }
      const std::int64_t until = c->grant.valid_until;
      if (InPeriod(until) && c->StatusAt(until) == ConsentStatus::kExpired &&
          c->ControllerAt(until) == m_.id) {
        ++expired;
      }
      const ConsentStatus now = c->StatusAt(as_of_);
      if ((now == ConsentStatus::kGiven || now == ConsentStatus::kRenewed ||
           now == ConsentStatus::kTransferred) &&
          c->ControllerAt(as_of_) == m_.id) {
        live_subjects.insert(c->grant.subject.ToString());
      }
    }
    CONSENTD_RETURN_IF_ERROR(cursor->status());
    persons_processed_ = static_cast<std::int64_t>(live_subjects.size());
    return Json{{"granted", granted},
                {"withdrawn", withdrawn},
                {"revoked", revoked},
                {"expired", expired},
                {"persons_processed", persons_processed_}};
  }

  struct Volume {
    std::int64_t events = 0;
    std::set<std::string> subjects, sensitive;
    void Add(const SharingState& s, bool sensitive_data) {
      ++events;
      subjects.insert(s.event.subject.ToString());
      if (sensitive_data) sensitive.insert(s.event.subject.ToString());
    }
    Json ToJson() const {
      return Json{{"events", events},
                  {"subjects", static_cast<std::int64_t>(subjects.size())},
                  {"sensitive_subjects", static_cast<std::int64_t>(sensitive.size())}};
    }
  };

  // Sharing events this member sent: the period's breakdown, and the cross-border volume of
  // every calendar year from the earlier of `from` and 1 January of the year before as_of.
  Result<Json> Sharing() {
    const int year = UtcYear(as_of_);
    window_start_ = UtcYearStart(year - 1);
    // Index keys hold times as unsigned big-endian: never start below 0.
    const std::int64_t scan_from = std::max<std::int64_t>(0, std::min(from_, window_start_));
    const std::string prefix = keys::SharingBySenderPrefix(m_.id);
    std::int64_t events = 0;
    std::map<std::string, std::int64_t> by_recipient, by_purpose, by_destination;
    auto cursor =
        q_.view().Scan(prefix, prefix + keys::BigEndian(static_cast<std::uint64_t>(scan_from)));
    for (; cursor->Valid(); cursor->Next()) {
      const std::string_view key = cursor->key();
      const auto shared_at =
          static_cast<std::int64_t>(keys::ReadBigEndian(key.substr(key.size() - 40)));
      if (shared_at > as_of_) break;
      CONSENTD_RETURN_IF_ERROR(work_.Take());
      CONSENTD_RETURN_IF_ERROR(work_.Take());
      CONSENTD_ASSIGN_OR_RETURN(auto s, q_.state().Sharing(keys::TrailingId(key)));
      if (!s)
        return Status::Error(Reason::kStoreCorruption, "index names a missing sharing record");
      if (s->at > as_of_) continue;  // recorded (backdated) after as_of
      if (shared_at >= from_) {
        ++events;
        ++by_recipient[s->event.recipient];
        ++by_purpose[s->event.purpose];
        ++by_destination[s->event.destination];
      }
      if (s->event.destination == m_.jurisdiction) continue;
      const bool sensitive = HasSensitive(s->event.categories);
      years_[UtcYear(shared_at)].Add(*s, sensitive);
      if (shared_at >= window_start_) since_previous_year_.Add(*s, sensitive);
      if (shared_at >= UtcYearStart(year)) since_this_year_.Add(*s, sensitive);
    }
    CONSENTD_RETURN_IF_ERROR(cursor->status());
    return Json{{"events", events},
                {"by_recipient", Counts(by_recipient)},
                {"by_purpose", Counts(by_purpose)},
                {"by_destination", Counts(by_destination)}};
  }

  // The cross-border volume against the CAC standard-contract thresholds, and the member's
  // standard-contract agreements (as exporter, Active at as_of) that no longer fit.
  Result<Json> CrossBorder() {
    Json years = Json::array();
    for (const auto& [y, v] : years_) {
      Json item = v.ToJson();
      item["year"] = y;
      years.push_back(std::move(item));
    }
    Json exceeded = Json::array();
    const CacThresholds& t = r_.thresholds;
    const auto exported = static_cast<std::int64_t>(since_previous_year_.subjects.size());
    const auto sensitive = static_cast<std::int64_t>(since_previous_year_.sensitive.size());
    if (persons_processed_ >= t.persons_processed) exceeded.push_back("persons_processed");
    if (exported >= t.persons_exported) exceeded.push_back("persons_exported");
    if (sensitive >= t.sensitive_persons_exported) exceeded.push_back("sensitive_persons_exported");
    Json agreements = Json::array();
    auto cursor = q_.view().Scan(keys::PartyAgreementPrefix(m_.id));
    for (; cursor->Valid(); cursor->Next()) {
      CONSENTD_RETURN_IF_ERROR(work_.Take());
      CONSENTD_RETURN_IF_ERROR(work_.Take());
      CONSENTD_ASSIGN_OR_RETURN(auto a, q_.state().Agreement(keys::TrailingId(cursor->key())));
      if (!a) return Status::Error(Reason::kStoreCorruption, "index names a missing agreement");
      if (a->terms.exporter == m_.id && a->terms.mechanism == "standard-contract" &&
          a->ActiveAt(as_of_)) {
        agreements.push_back(HexEncode(a->id));
      }
    }
    CONSENTD_RETURN_IF_ERROR(cursor->status());
    const bool flagged = !exceeded.empty() && !agreements.empty();
    Json cac{{"window_from", window_start_},
             {"persons_processed", persons_processed_},
             {"persons_exported", exported},
             {"sensitive_persons_exported", sensitive},
             {"within_thresholds", exceeded.empty()},
             {"exceeded", std::move(exceeded)},
             {"standard_contract_agreements", std::move(agreements)},
             {"flagged", flagged}};
    Json this_year = since_this_year_.ToJson();
    this_year["window_from"] = UtcYearStart(UtcYear(as_of_));
    // The 2024 Provisions count since 1 January of this year; every exported person counts
    // towards the non-sensitive threshold (the ledger cannot tell the Art. 5(1)-(3) exemptions).
    const CrossBorder2024Thresholds& t24 = r_.thresholds_2024;
    const auto persons = static_cast<std::int64_t>(since_this_year_.subjects.size());
    const auto sensitive_persons = static_cast<std::int64_t>(since_this_year_.sensitive.size());
    std::string needed = "none";
    if (persons >= t24.assessment_from || sensitive_persons >= t24.sensitive_assessment_from) {
      needed = "security_assessment";
    } else if (persons >= t24.exempt_below || sensitive_persons > 0) {
      needed = "standard_contract_or_certification";
    }
    Json provisions{{"window_from", UtcYearStart(UtcYear(as_of_))},
                    {"persons_exported", persons},
                    {"sensitive_persons_exported", sensitive_persons},
                    {"mechanism_required", needed},
                    {"flagged", needed == "security_assessment" &&
                                    !cac.at("standard_contract_agreements").empty()}};
    return Json{{"years", std::move(years)},
                {"since_previous_year", since_previous_year_.ToJson()},
                {"since_this_year", std::move(this_year)},
                {"cac_standard_contract", std::move(cac)},
                {"provisions_2024", std::move(provisions)}};
  }

  // Requests addressed to this member and made in the period, by their state at as_of.
  Result<Json> Rights() {
    std::int64_t requested = 0, fulfilled_on_time = 0, fulfilled_late = 0, refused_on_time = 0,
                 refused_late = 0, open_overdue = 0, open_not_due = 0;
    auto cursor = q_.view().Scan(std::string(1, keys::kRights));
    for (; cursor->Valid(); cursor->Next()) {
      CONSENTD_RETURN_IF_ERROR(work_.Take());
      CONSENTD_ASSIGN_OR_RETURN(auto r, ParseStored<RightsRecord>(cursor->value()));
      if (r.controller != m_.id || !InPeriod(r.requested_at)) continue;
      ++requested;
      const bool closed = !r.open() && r.closed_at <= as_of_;
      if (closed) {
        const bool on_time = r.closed_at <= r.deadline;
        if (r.status == RightsStatus::kRefused) {
          ++(on_time ? refused_on_time : refused_late);
        } else {
          ++(on_time ? fulfilled_on_time : fulfilled_late);
        }
      } else {
        ++(as_of_ > r.deadline ? open_overdue : open_not_due);
      }
    }
    CONSENTD_RETURN_IF_ERROR(cursor->status());
    return Json{{"requested", requested},           {"fulfilled_on_time", fulfilled_on_time},
                {"fulfilled_late", fulfilled_late}, {"refused_on_time", refused_on_time},
                {"refused_late", refused_late},     {"open_overdue", open_overdue},
                {"open_not_due", open_not_due}};
  }

  // Incident reports of this member recorded in the period, with their delays.
  Result<Json> Incidents() {
    const std::string prefix(1, keys::kIncident);
    Json items = Json::array();
    std::int64_t max_delay = 0, over_72h = 0;
    auto cursor =
        q_.view().Scan(prefix, prefix + keys::BigEndian(static_cast<std::uint64_t>(from_)));
    for (; cursor->Valid(); cursor->Next()) {
      if (static_cast<std::int64_t>(keys::ReadBigEndian(cursor->key().substr(1))) > as_of_) break;
      CONSENTD_RETURN_IF_ERROR(work_.Take());
      CONSENTD_ASSIGN_OR_RETURN(auto r, ParseStored<IncidentRecord>(cursor->value()));
      if (r.report.controller != m_.id) continue;
      const std::int64_t delay = r.reported_at - r.report.detected_at;
      max_delay = std::max(max_delay, delay);
      if (delay > k72HoursMs) ++over_72h;
      Json item{{"id", HexEncode(r.id)},
                {"detected_at", r.report.detected_at},
                {"reported_at", r.reported_at},
                {"detection_to_report_ms", delay},
                {"affected_count", r.report.affected_count},
                {"updates", static_cast<std::int64_t>(r.updates.size())}};
      // As now known: a notification an incident.update gave counts as given.
      if (auto at = r.RegulatorNotifiedAt()) item["regulator_notified_at"] = *at;
      if (auto at = r.SubjectsNotifiedAt()) item["subjects_notified_at"] = *at;
      items.push_back(std::move(item));
    }
    CONSENTD_RETURN_IF_ERROR(cursor->status());
    return Json{{"count", static_cast<std::int64_t>(items.size())},
                {"max_detection_to_report_ms", max_delay},
                {"over_72h", over_72h},
                {"items", std::move(items)}};
  }

  // Transfers recorded in the period with this member on either side, and how many of the
  // moved consents' subjects withdrew from the transfer's record time to the end of its
  // objection window (or as_of, if earlier).
  Result<Json> Transfers() {
    Json items = Json::array();
    auto cursor = q_.view().Scan(std::string(1, keys::kTransfer));
    for (; cursor->Valid(); cursor->Next()) {
      CONSENTD_RETURN_IF_ERROR(work_.Take());
      CONSENTD_ASSIGN_OR_RETURN(auto t, ParseStored<TransferRecord>(cursor->value()));
      if ((t.transferor != m_.id && t.transferee != m_.id) || !InPeriod(t.at)) continue;
      const std::int64_t window_end = std::min(t.objection_until, as_of_);
      std::set<std::string> objected;
      const std::string moved =
          std::string(1, keys::kTransferConsent) + std::string(keys::Raw(t.id));
      auto consents = q_.view().Scan(moved);
      for (; consents->Valid(); consents->Next()) {
        CONSENTD_RETURN_IF_ERROR(work_.Take());
        CONSENTD_RETURN_IF_ERROR(work_.Take());
        CONSENTD_ASSIGN_OR_RETURN(auto c, q_.state().Consent(keys::TrailingId(consents->key())));
        if (!c) return Status::Error(Reason::kStoreCorruption, "transfer names a missing consent");
        for (const ConsentEvent& e : c->events) {
          if (e.type == ConsentEventKind::kWithdrawn && e.at >= t.at && e.at <= window_end) {
            objected.insert(c->grant.subject.ToString());
          }
        }
      }
      CONSENTD_RETURN_IF_ERROR(consents->status());
      Json item{{"id", HexEncode(t.id)},
                {"transferor", t.transferor},
                {"transferee", t.transferee},
                {"recorded_at", t.at},
                {"effective_at", t.effective_at},
                {"objection_until", t.objection_until},
                {"window_closed", t.objection_until <= as_of_},
                {"consents", t.count},
                {"withdrawn_in_window", static_cast<std::int64_t>(objected.size())}};
      if (t.lifecycle) {
        const TransferLifecycle& l = *t.lifecycle;
        item["status"] = ToString(l.status);
        item["approved_by"] = l.approved_by.empty() ? Json(nullptr) : Json(l.approved_by);
        item["objections"] = l.objections;
        item["kept"] = l.kept;
        item["erasures"] = l.erasures;
        item["rights_moved"] = l.rights_moved;
        item["agreements_moved"] = l.agreements_moved;
        item["agreements_ended"] = l.agreements_ended;
        item["notices_delivered"] = l.notices_delivered;
        const TransferOverdue o = l.OverdueAt(as_of_, l.status);
        item["deletion_attested"] = l.deletion.has_value();
        item["overdue"] = Json{
            {"attestation", o.attestation}, {"retention", o.retention}, {"backups", o.backups}};
      } else {
        item["status"] = "one_step";
      }
      items.push_back(std::move(item));
    }
    CONSENTD_RETURN_IF_ERROR(cursor->status());
    return items;
  }

  const Queries& q_;
  const MemberRecord& m_;
  const ComplianceRequest& r_;
  const std::int64_t from_;
  const std::int64_t as_of_;
  Work& work_;
  std::int64_t persons_processed_ = 0;
  std::int64_t window_start_ = 0;
  std::map<int, Volume> years_;
  Volume since_previous_year_, since_this_year_;
};

}  // namespace

int UtcYear(std::int64_t ms) {
  std::int64_t days = ms / kDayMs;
  if (ms % kDayMs < 0) --days;
  return YearOfDay(days);
}

std::int64_t UtcYearStart(int year) { return DaysFromCivil(year, 1, 1) * kDayMs; }

Result<Json> ComplianceReport(const Queries& q, const ComplianceRequest& r) {
  const std::int64_t head_time = q.head().time_ms;
  const std::int64_t to = std::min(r.to.value_or(head_time), head_time);
  if (r.to && r.from > *r.to) return Status::Error(Reason::kQueryBadFilter, "from is after to");
  Work work(r.budget);
  std::vector<MemberRecord> members;
  if (r.member) {
    CONSENTD_ASSIGN_OR_RETURN(auto m, q.state().Member(*r.member));
    if (!m) return Status::Error(Reason::kMemberUnknown, "no member " + *r.member);
    members.push_back(std::move(*m));
  } else {
    auto cursor = q.view().Scan(std::string(1, keys::kMember));
    for (; cursor->Valid(); cursor->Next()) {
      CONSENTD_RETURN_IF_ERROR(work.Take());
      CONSENTD_ASSIGN_OR_RETURN(auto m, ParseStored<MemberRecord>(cursor->value()));
      if (m.HasRole("insurer")) members.push_back(std::move(m));
    }
    CONSENTD_RETURN_IF_ERROR(cursor->status());
  }
  Json controllers = Json::array();
  for (const MemberRecord& m : members) {
    CONSENTD_ASSIGN_OR_RETURN(Json section, ControllerReport(q, m, r, to, work).Build());
    controllers.push_back(std::move(section));
  }
  return Json{{"from", r.from},
              {"to", r.to.value_or(head_time)},
              {"as_of", to},
              {"height", q.head().height},
              {"head_time_ms", head_time},
              {"thresholds",
               {{"persons_processed", r.thresholds.persons_processed},
                {"persons_exported", r.thresholds.persons_exported},
                {"sensitive_persons_exported", r.thresholds.sensitive_persons_exported}}},
              {"thresholds_2024",
               {{"exempt_below", r.thresholds_2024.exempt_below},
                {"assessment_from", r.thresholds_2024.assessment_from},
                {"sensitive_assessment_from", r.thresholds_2024.sensitive_assessment_from}}},
              {"entries_read", static_cast<std::int64_t>(work.used())},
              {"controllers", std::move(controllers)}};
}

}  // namespace consentd::ledger
