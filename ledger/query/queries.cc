#include "ledger/query/queries.h"

#include <algorithm>
#include <functional>

#include "common/hex.h"
#include "ledger/state/keys.h"

namespace consentd::ledger {
namespace {

Status BadCursor() {
  return Status::Error(Reason::kQueryBadCursor, "the cursor is not one this query issued");
}

// Where a paged scan resumes: the cursor is the hex of the first key still to read, and must lie
// under the query's prefix.
Result<std::string> ResumeKey(const PageRequest& page, const std::string& prefix) {
  if (page.cursor.empty()) return prefix;
  auto raw = HexDecode(page.cursor);
  if (!raw.ok()) return BadCursor();
  std::string key(raw->begin(), raw->end());
  if (!key.starts_with(prefix)) return BadCursor();
  return key;
}

using Visitor =
    std::function<Result<std::optional<Json>>(std::string_view key, std::string_view value)>;

// Reads entries under `prefix` from the cursor, turning each into an item (or skipping it),
// until `limit` items, the end of the prefix, `stop(key)` or the scan budget.
Result<Page> ScanPage(const ReadView& view, const std::string& prefix, const PageRequest& page,
                      std::size_t limit, const Visitor& visit,
                      const std::function<bool(std::string_view)>& stop = nullptr) {
  CONSENTD_ASSIGN_OR_RETURN(std::string start, ResumeKey(page, prefix));
  Page out;
  std::size_t scanned = 0;
  auto cursor = view.Scan(prefix, start);
  for (; cursor->Valid(); cursor->Next()) {
    if (stop && stop(cursor->key())) break;
    if (out.items.size() == limit || scanned == kScanBudget) {
      out.next_cursor = HexEncode(AsBytes(cursor->key()));
      break;
    }
    ++scanned;
    CONSENTD_ASSIGN_OR_RETURN(auto item, visit(cursor->key(), cursor->value()));
    if (item) out.items.push_back(std::move(*item));
  }
  CONSENTD_RETURN_IF_ERROR(cursor->status());
  return out;
}

Result<Json> ParseRecord(std::string_view value) {
  auto j = ParseJson(value);
  if (!j.ok()) return Status::Error(Reason::kStoreCorruption, "unreadable record");
  return std::move(*j);
}

Json Hexes(const std::vector<Hash256>& ids) {
  Json out = Json::array();
  for (const Hash256& id : ids) out.push_back(HexEncode(id));
  return out;
}

}  // namespace

Json Page::ToJson() const {
  Json j{{"items", items}};
  if (next_cursor) j["next_cursor"] = *next_cursor;
  return j;
}

Queries::Queries(const Ledger& ledger) : Queries(ledger.latest(), ledger.genesis()) {}

Queries::Queries(Ledger::Latest latest, const Genesis& genesis)
    : Queries(std::move(latest.view), genesis, latest.head) {}

Queries::Queries(std::shared_ptr<const ReadView> snapshot, const Genesis& genesis, Head head)
    : snapshot_(std::move(snapshot)), genesis_(genesis), head_(head), state_(*snapshot_) {}

Result<std::size_t> Queries::Limit(const PageRequest& page) const {
  if (page.limit == 0 || page.limit > kMaxPageLimit) {
    return Status::Error(Reason::kQueryBadLimit,
                         "limit must be between 1 and " + std::to_string(kMaxPageLimit));
  }
  return page.limit;
}

Result<Json> Queries::ConsentView(const ConsentRecord& c, std::int64_t at) const {
  Json j = c.grant_json;
  j["id"] = HexEncode(c.id);
  j["original_controller"] = c.grant.controller;
  j["controller"] = c.ControllerAt(at);
  j["recorded_at"] = c.recorded_at;
  j["height"] = c.height;
  j["status"] = ToString(c.StatusAt(at));
  j["valid"] = c.ValidAt(at);
  j["as_of"] = at;
  j["subject_id"] = c.grant.subject.ToString();
  Json history = Json::array();
  for (const ConsentEvent& e : c.events) {
    Json x{{"type", ToString(e.type)}, {"at", e.at}, {"height", e.height}, {"tx", HexEncode(e.tx)}};
    if (!e.from.empty()) x["from"] = e.from;
    if (!e.to.empty()) x["to"] = e.to;
    if (!e.reason.empty()) x["reason"] = e.reason;
    if (!e.by.empty()) x["by"] = e.by;
    if (e.type == ConsentEventKind::kSuperseded) j["superseded_by"] = HexEncode(e.tx);
    history.push_back(std::move(x));
  }
  j["history"] = std::move(history);
  return j;
}

Result<std::optional<Json>> Queries::Consent(const Hash256& id,
                                             std::optional<std::int64_t> at) const {
  CONSENTD_ASSIGN_OR_RETURN(auto c, state_.Consent(id));
  if (!c) return std::optional<Json>();
  CONSENTD_ASSIGN_OR_RETURN(Json view, ConsentView(*c, Now(at)));
  return std::optional<Json>(std::move(view));
}

Result<Page> Queries::SubjectConsents(const Subject& subject, const PageRequest& page,
                                      std::optional<std::int64_t> at) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  return ScanPage(*snapshot_, keys::SubjectConsentPrefix(subject), page, limit,
                  [&](std::string_view key, std::string_view) -> Result<std::optional<Json>> {
                    CONSENTD_ASSIGN_OR_RETURN(auto j, Consent(keys::TrailingId(key), at));
                    if (!j)
                      return Status::Error(Reason::kStoreCorruption,
                                           "index names a missing consent");
                    return j;
                  });
}

Result<Page> Queries::ControllerConsents(std::string_view controller, const PageRequest& page,
                                         std::optional<std::int64_t> at) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  return ScanPage(*snapshot_, keys::ControllerConsentPrefix(controller), page, limit,
                  [&](std::string_view key, std::string_view) -> Result<std::optional<Json>> {
                    CONSENTD_ASSIGN_OR_RETURN(auto j, Consent(keys::TrailingId(key), at));
                    if (!j)
                      return Status::Error(Reason::kStoreCorruption,
                                           "index names a missing consent");
                    return j;
                  });
}

Result<Page> Queries::SubjectHistory(const Subject& subject, const PageRequest& page) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  // A subject's history is small (its consents, sharing events and requests); gather it, order
  // it by commit position, and page by offset, which stays stable as the chain grows.
  struct Entry {
    std::uint64_t height;
    std::string tx;
    Json item;
  };
  std::vector<Entry> all;
  CONSENTD_ASSIGN_OR_RETURN(auto consent_ids, state_.SubjectConsentIds(subject));
  for (const Hash256& id : consent_ids) {
    CONSENTD_ASSIGN_OR_RETURN(auto c, state_.Consent(id));
    if (!c) return Status::Error(Reason::kStoreCorruption, "index names a missing consent");
    for (const ConsentEvent& e : c->events) {
      Json x{{"kind", std::string("consent.") + ToString(e.type)},
             {"consent_id", HexEncode(c->id)},
             {"at", e.at},
             {"height", e.height},
             {"tx", HexEncode(e.tx)}};
      if (!e.to.empty()) x["to"] = e.to;
      if (!e.reason.empty()) x["reason"] = e.reason;
      all.push_back({e.height, HexEncode(e.tx), std::move(x)});
    }
  }
  auto sharing = snapshot_->Scan(keys::SharingBySubjectPrefix(subject));
  for (; sharing->Valid(); sharing->Next()) {
    CONSENTD_ASSIGN_OR_RETURN(auto s, state_.Sharing(keys::TrailingId(sharing->key())));
    if (!s) return Status::Error(Reason::kStoreCorruption, "index names a missing sharing record");
    Json x = s->event_json;
    x["kind"] = "sharing";
    x["at"] = s->event.shared_at;
    x["height"] = s->height;
    x["tx"] = HexEncode(s->id);
    x["consents"] = Hexes(s->consents);
    all.push_back({s->height, HexEncode(s->id), std::move(x)});
  }
  CONSENTD_RETURN_IF_ERROR(sharing->status());
  auto rights = snapshot_->Scan(keys::RightsBySubjectPrefix(subject));
  for (; rights->Valid(); rights->Next()) {
    CONSENTD_ASSIGN_OR_RETURN(auto r, state_.Rights(keys::TrailingId(rights->key())));
    if (!r) return Status::Error(Reason::kStoreCorruption, "index names a missing rights request");
    Json x = r->ToJson();
    x["request_kind"] = x.value("kind", "");  // access, delete, ...: kept beside the event kind
    x["kind"] = std::string("rights.") + ToString(r->origin);
    x["at"] = r->requested_at;
    x["tx"] = HexEncode(r->id);
    all.push_back({r->height, HexEncode(r->id), std::move(x)});
  }
  CONSENTD_RETURN_IF_ERROR(rights->status());
  std::stable_sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) {
    return a.height != b.height ? a.height < b.height : a.tx < b.tx;
  });

  std::size_t offset = 0;
  if (!page.cursor.empty()) {
    const auto parsed =
        std::all_of(page.cursor.begin(), page.cursor.end(), ::isdigit) && page.cursor.size() <= 9
            ? std::optional<std::size_t>(std::stoul(page.cursor))
            : std::nullopt;
    if (!parsed || *parsed > all.size()) return BadCursor();
    offset = *parsed;
  }
  Page out;
  for (std::size_t i = offset; i < all.size() && out.items.size() < limit; ++i) {
    out.items.push_back(std::move(all[i].item));
  }
  if (offset + out.items.size() < all.size())
    out.next_cursor = std::to_string(offset + out.items.size());
  return out;
}

Result<Json> Queries::Check(CheckRequest request) const {
  request.at = request.at == 0 ? head_.time_ms : request.at;
  CONSENTD_ASSIGN_OR_RETURN(CheckResult r, ledger::Check(state_, request));
  Json j{{"allowed", r.allowed},
         {"reason", ToString(r.reason)},
         {"detail", r.detail},
         {"consents", Hexes(r.consents)},
         {"at", request.at},
         {"height", head_.height},
         {"head_time_ms", head_.time_ms}};
  if (r.agreement) j["agreement"] = HexEncode(*r.agreement);
  return j;
}

Result<std::optional<Json>> Queries::Agreement(const Hash256& id,
                                               std::optional<std::int64_t> at) const {
  CONSENTD_ASSIGN_OR_RETURN(auto a, state_.Agreement(id));
  if (!a) return std::optional<Json>();
  Json j = a->terms_json;
  j["id"] = HexEncode(a->id);
  j["status"] = ToString(a->StatusAt(Now(at)));
  j["active"] = a->ActiveAt(Now(at));
  j["as_of"] = Now(at);
  j["suspended_by_regulator"] = a->suspended_by_regulator;
  if (a->approval_ref_hash) j["approval_ref_hash"] = HexEncode(*a->approval_ref_hash);
  Json history = Json::array();
  for (const AgreementEvent& e : a->events) {
    Json x{{"status", ToString(e.status)},
           {"at", e.at},
           {"height", e.height},
           {"tx", HexEncode(e.tx)}};
    if (!e.reason.empty()) x["reason"] = e.reason;
    if (!e.by.empty()) x["by"] = e.by;
    if (!e.from.empty()) x["from"] = e.from;
    if (!e.to.empty()) x["to"] = e.to;
    history.push_back(std::move(x));
  }
  j["history"] = std::move(history);
  return std::optional<Json>(std::move(j));
}

Result<Page> Queries::Agreements(std::optional<std::string> party,
                                 std::optional<std::string> status, const PageRequest& page) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  const std::string prefix =
      party ? keys::PartyAgreementPrefix(*party) : std::string(1, keys::kAgreement);
  return ScanPage(*snapshot_, prefix, page, limit,
                  [&](std::string_view key, std::string_view) -> Result<std::optional<Json>> {
                    CONSENTD_ASSIGN_OR_RETURN(auto j, Agreement(keys::TrailingId(key)));
                    if (!j)
                      return Status::Error(Reason::kStoreCorruption,
                                           "index names a missing agreement");
                    if (status && (*j)["status"] != *status) return std::optional<Json>();
                    return j;
                  });
}

Result<Page> Queries::Sharing(const SharingFilter& f, const PageRequest& page) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  std::string prefix;
  switch (f.by) {
    case SharingBy::kSubject: {
      auto subject = Subject::FromString(f.key);
      if (!subject.ok()) return subject.status();
      prefix = keys::SharingBySubjectPrefix(*subject);
      break;
    }
    case SharingBy::kSender:
      prefix = keys::SharingBySenderPrefix(f.key);
      break;
    case SharingBy::kAgreement: {
      auto id = HexDecodeFixed<32>(f.key);
      if (!id.ok())
        return Status::Error(Reason::kTxInvalidValue, "agreement must be 64 hex characters");
      prefix = keys::SharingByAgreementPrefix(*id);
      break;
    }
  }
  // Index keys end in <time:8><id:32>: start at `from`, stop after `to`.
  PageRequest from_page = page;
  if (from_page.cursor.empty()) {
    from_page.cursor =
        HexEncode(AsBytes(prefix + keys::BigEndian(static_cast<std::uint64_t>(f.from))));
  }
  auto time_of = [](std::string_view key) {
    return static_cast<std::int64_t>(keys::ReadBigEndian(key.substr(key.size() - 40)));
  };
  return ScanPage(
      *snapshot_, prefix, from_page, limit,
      [&](std::string_view key, std::string_view) -> Result<std::optional<Json>> {
        CONSENTD_ASSIGN_OR_RETURN(auto s, state_.Sharing(keys::TrailingId(key)));
        if (!s)
          return Status::Error(Reason::kStoreCorruption, "index names a missing sharing record");
        Json j = s->event_json;
        j["id"] = HexEncode(s->id);
        j["consents"] = Hexes(s->consents);
        if (s->agreement) j["agreement"] = HexEncode(*s->agreement);
        j["recorded_at"] = s->at;
        j["height"] = s->height;
        return std::optional<Json>(std::move(j));
      },
      [&](std::string_view key) { return time_of(key) > f.to; });
}

Result<Page> Queries::Rights(std::string_view status, const PageRequest& page,
                             std::optional<std::int64_t> at) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  if (status != "open" && status != "overdue") {
    return Status::Error(Reason::kQueryBadFilter, "status must be open or overdue");
  }
  const std::int64_t now = Now(at);
  const bool overdue_only = status == "overdue";
  const std::string prefix(1, keys::kRightsOpen);
  return ScanPage(
      *snapshot_, prefix, page, limit,
      [&](std::string_view key, std::string_view) -> Result<std::optional<Json>> {
        CONSENTD_ASSIGN_OR_RETURN(auto r, state_.Rights(keys::TrailingId(key)));
        if (!r)
          return Status::Error(Reason::kStoreCorruption, "index names a missing rights request");
        Json j = r->ToJson();
        j["overdue"] = r->OverdueAt(now);
        return std::optional<Json>(std::move(j));
      },
      [&](std::string_view key) {
        // Sorted by deadline: past `now`, nothing further is overdue.
        return overdue_only && static_cast<std::int64_t>(keys::ReadBigEndian(key.substr(1))) >= now;
      });
}

Result<Page> Queries::Incidents(const PageRequest& page) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  return ScanPage(
      *snapshot_, std::string(1, keys::kIncident), page, limit,
      [&](std::string_view, std::string_view value) -> Result<std::optional<Json>> {
        CONSENTD_ASSIGN_OR_RETURN(Json raw, ParseRecord(value));
        CONSENTD_ASSIGN_OR_RETURN(IncidentRecord r, IncidentRecord::FromJson(raw));
        Json j = r.report_json;
        j["id"] = HexEncode(r.id);
        j["reported_at"] = r.reported_at;
        j["height"] = r.height;
        j["detection_to_report_ms"] = r.reported_at - r.report.detected_at;
        // As now known: each notification time (from the report or the update
        // that gave it), the latest affected count and every remedy so far.
        if (auto t = r.RegulatorNotifiedAt()) j["regulator_notified_at"] = *t;
        if (auto t = r.SubjectsNotifiedAt()) j["subjects_notified_at"] = *t;
        std::int64_t affected = r.report.affected_count;
        std::vector<std::string> remedies = r.report.remedies;
        Json updates = Json::array();
        for (const IncidentUpdateRecord& u : r.updates) {
          if (auto c = u.body.find("affected_count"); c != u.body.end()) {
            affected = c->get<std::int64_t>();
          }
          for (const Json& m : u.body.value("remedies", Json::array())) {
            const std::string code = m.get<std::string>();
            if (std::find(remedies.begin(), remedies.end(), code) == remedies.end()) {
              remedies.push_back(code);
            }
          }
          updates.push_back(
              Json{{"tx", HexEncode(u.tx)}, {"at", u.at}, {"height", u.height}, {"body", u.body}});
        }
        j["affected_count_now"] = affected;
        j["remedies_now"] = remedies;
        j["updates"] = std::move(updates);
        return std::optional<Json>(std::move(j));
      });
}

Result<std::optional<Json>> Queries::Member(std::string_view id) const {
  CONSENTD_ASSIGN_OR_RETURN(auto m, state_.Member(id));
  if (!m) return std::optional<Json>();
  return std::optional<Json>(m->ToJson());
}

Result<Page> Queries::Members(const PageRequest& page) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  return ScanPage(*snapshot_, std::string(1, keys::kMember), page, limit,
                  [&](std::string_view, std::string_view value) -> Result<std::optional<Json>> {
                    CONSENTD_ASSIGN_OR_RETURN(Json raw, ParseRecord(value));
                    return std::optional<Json>(std::move(raw));
                  });
}

namespace {

Json OverdueJson(const TransferOverdue& o) {
  return Json{{"attestation", o.attestation}, {"retention", o.retention}, {"backups", o.backups}};
}

// A lifecycle transfer's record and its parsed form; nullopt for none (or a one-step one).
Result<std::optional<std::pair<Json, TransferRecord>>> LifecycleRecord(const StateReader& state,
                                                                       const Hash256& id) {
  CONSENTD_ASSIGN_OR_RETURN(auto raw, state.GetJson(keys::Transfer(id)));
  if (!raw) return std::optional<std::pair<Json, TransferRecord>>();
  CONSENTD_ASSIGN_OR_RETURN(TransferRecord t, TransferRecord::FromJson(*raw));
  if (!t.lifecycle) return std::optional<std::pair<Json, TransferRecord>>();
  return std::optional(std::pair(std::move(*raw), std::move(t)));
}

}  // namespace

Result<Page> Queries::Transfers(std::string_view status, const PageRequest& page,
                                std::optional<std::int64_t> at) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  if (status != "all" && status != "open" && status != "completed" && status != "cancelled" &&
      status != "overdue") {
    return Status::Error(Reason::kQueryBadFilter,
                         "status must be all, open, completed, cancelled or overdue");
  }
  const std::int64_t now = Now(at);
  return ScanPage(*snapshot_, std::string(1, keys::kTransfer), page, limit,
                  [&](std::string_view, std::string_view value) -> Result<std::optional<Json>> {
                    CONSENTD_ASSIGN_OR_RETURN(Json raw, ParseRecord(value));
                    CONSENTD_ASSIGN_OR_RETURN(TransferRecord t, TransferRecord::FromJson(raw));
                    const auto s = t.lifecycle ? std::optional(t.lifecycle->status) : std::nullopt;
                    const TransferOverdue overdue =
                        t.lifecycle ? t.lifecycle->OverdueAt(now, *s) : TransferOverdue{};
                    const bool keep = status == "all" || (status == "open" && t.open()) ||
                                      (status == "completed" && s == TransferStatus::kCompleted) ||
                                      (status == "cancelled" && s == TransferStatus::kCancelled) ||
                                      (status == "overdue" && overdue.any());
                    if (!keep) return std::optional<Json>();
                    if (s == TransferStatus::kCompleted) raw["overdue"] = OverdueJson(overdue);
                    return std::optional<Json>(std::move(raw));
                  });
}

Result<std::optional<Json>> Queries::TransferDossier(const Hash256& id,
                                                     std::optional<std::int64_t> at) const {
  CONSENTD_ASSIGN_OR_RETURN(auto found, LifecycleRecord(state_, id));
  if (!found) return std::optional<Json>();
  auto& [record, t] = *found;
  const TransferLifecycle& l = *t.lifecycle;
  const std::int64_t now = Now(at);

  // The rights duties the completion opened (objectors' erasures) or moved to the acquirer.
  constexpr std::size_t kListed = 100;
  std::int64_t open = 0, overdue_duties = 0, closed = 0;
  Json overdue_ids = Json::array();
  auto cursor = snapshot_->Scan(keys::TransferDutyPrefix(id));
  for (; cursor->Valid(); cursor->Next()) {
    CONSENTD_ASSIGN_OR_RETURN(auto r, state_.Rights(keys::TrailingId(cursor->key())));
    if (!r) return Status::Error(Reason::kStoreCorruption, "a transfer names a missing request");
    if (!r->open()) {
      ++closed;
    } else if (r->OverdueAt(now)) {
      ++overdue_duties;
      if (overdue_ids.size() < kListed) overdue_ids.push_back(HexEncode(r->id));
    } else {
      ++open;
    }
  }
  CONSENTD_RETURN_IF_ERROR(cursor->status());

  const TransferOverdue o = l.OverdueAt(now, l.status);
  Json overdue = Json::array();
  if (o.attestation) overdue.push_back(Json{{"item", "attestation"}, {"due", l.deletion_due}});
  if (o.retention) {
    overdue.push_back(Json{{"item", "retention"}, {"due", l.deletion->retained_until}});
  }
  if (o.backups)
    overdue.push_back(Json{{"item", "backups"}, {"due", l.deletion->backups_purge_by}});
  if (overdue_duties > 0) overdue.push_back(Json{{"item", "rights"}, {"count", overdue_duties}});

  std::int64_t batches = 0;
  for (const TransferStep& step : l.steps) batches += step.kind == TransferStepKind::kNotify;
  Json steps = record.at("lifecycle").at("steps");
  Json deletion = record.at("lifecycle").value("deletion", Json());
  Json dossier{{"transfer_id", HexEncode(id)},
               {"seller", t.transferor},
               {"acquirer", t.transferee},
               {"status", ToString(l.status)},
               {"as_of", now},
               {"height", head_.height},
               {"steps", std::move(steps)},
               {"counts",
                {{"consents_listed", static_cast<std::int64_t>(l.consents.size())},
                 {"all_consents", t.all_consents},
                 {"moved", t.count},
                 {"kept", l.kept},
                 {"skipped", l.skipped},
                 {"objections", l.objections},
                 {"rights_moved", l.rights_moved},
                 {"erasures", l.erasures},
                 {"agreements", static_cast<std::int64_t>(l.agreements.size())},
                 {"agreements_moved", l.agreements_moved},
                 {"agreements_ended", l.agreements_ended},
                 {"notices_moved", l.notices_moved},
                 {"notice_batches", batches},
                 {"notices_delivered", l.notices_delivered}}},
               {"duties",
                {{"open", open},
                 {"overdue", overdue_duties},
                 {"closed", closed},
                 {"overdue_ids", std::move(overdue_ids)}}},
               {"deletion_due", l.deletion_due},
               {"deletion", std::move(deletion)},
               {"overdue", std::move(overdue)},
               {"record", std::move(record)}};
  return std::optional<Json>(std::move(dossier));
}

Result<std::optional<Json>> Queries::TransferNotices(const Hash256& id) const {
  CONSENTD_ASSIGN_OR_RETURN(auto found, LifecycleRecord(state_, id));
  if (!found) return std::optional<Json>();
  Json items = Json::array();
  for (const Json& step : found->first.at("lifecycle").at("steps")) {
    if (step.at("step") != "notify") continue;
    Json b = step;
    b.erase("step");
    items.push_back(std::move(b));
  }
  return std::optional<Json>(Json{{"transfer_id", HexEncode(id)}, {"items", std::move(items)}});
}

Result<std::vector<std::string>> Queries::Involved(const Tx& tx) const {
  std::vector<std::string> out;
  auto add = [&](const std::string& m) {
    if (!m.empty() && std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  };
  for (const char* field :
       {"member", "controller", "exporter", "importer", "transferor", "transferee", "sender",
        "recipient", "seller", "acquirer", "processor"}) {
    if (auto it = tx.body_json().find(field); it != tx.body_json().end() && it->is_string()) {
      add(it->get<std::string>());
    }
  }
  if (auto it = tx.body_json().find("recipients"); it != tx.body_json().end() && it->is_array()) {
    for (const Json& r : *it) {
      if (r.is_string()) add(r.get<std::string>());
    }
  }
  for (const TxSignature& s : tx.signatures()) {
    CONSENTD_ASSIGN_OR_RETURN(auto m, state_.MemberIdByKey(s.key.bytes()));
    if (m) add(*m);
  }
  // Transactions that name a record rather than its parties.
  auto consent_parties = [&](const Hash256& id) -> Status {
    CONSENTD_ASSIGN_OR_RETURN(auto c, state_.Consent(id));
    if (c) {
      add(c->grant.controller);
      for (const ConsentEvent& e : c->events) add(e.to);
    }
    return Status::Ok();
  };
  if (tx.type() == TxType::kConsentWithdraw) {
    CONSENTD_RETURN_IF_ERROR(consent_parties(tx.As<ConsentWithdraw>().consent_id));
  } else if (tx.type() == TxType::kConsentRevoke) {
    CONSENTD_RETURN_IF_ERROR(consent_parties(tx.As<ConsentRevoke>().consent_id));
  } else if (tx.type() == TxType::kRightsFulfil) {
    CONSENTD_ASSIGN_OR_RETURN(auto r, state_.Rights(tx.As<RightsFulfil>().request_id));
    if (r) add(r->controller);
  } else if (tx.type() == TxType::kAgreementActivate || tx.type() == TxType::kAgreementSuspend ||
             tx.type() == TxType::kAgreementTerminate) {
    const Hash256 id = tx.type() == TxType::kAgreementActivate
                           ? tx.As<AgreementActivate>().agreement_id
                           : tx.As<AgreementEnd>().agreement_id;
    CONSENTD_ASSIGN_OR_RETURN(auto a, state_.Agreement(id));
    if (a) {
      add(a->terms.exporter);
      add(a->terms.importer);
    }
  } else if (tx.type() == TxType::kEntrustmentTerminate) {
    CONSENTD_ASSIGN_OR_RETURN(auto e,
                              state_.Entrustment(tx.As<EntrustmentTerminate>().entrustment_id));
    if (e) {
      add(e->terms.controller);
      add(e->terms.processor);
    }
  } else if (auto it = tx.body_json().find("transfer_id");
             it != tx.body_json().end() && it->is_string()) {
    // transfer.approve, object, cancel, complete, notify, attest: both parties.
    auto id = HexDecodeFixed<32>(it->get_ref<const std::string&>());
    if (id.ok()) {
      CONSENTD_ASSIGN_OR_RETURN(auto t, state_.Transfer(*id));
      if (t) {
        add(t->transferor);
        add(t->transferee);
      }
    }
  }
  return out;
}

Result<Page> Queries::AuditLog(const AuditFilter& f, const PageRequest& page) const {
  CONSENTD_ASSIGN_OR_RETURN(std::size_t limit, Limit(page));
  const std::uint64_t to = f.to_height == 0 ? head_.height : std::min(f.to_height, head_.height);
  // Cursor: hex of <height:8><index:4>, the next entry to read.
  std::uint64_t height = std::max<std::uint64_t>(f.from_height, 1);
  std::uint32_t index = 0;
  if (!page.cursor.empty()) {
    auto raw = HexDecode(page.cursor);
    if (!raw.ok() || raw->size() != 12) return BadCursor();
    const std::string_view bytes = AsChars(*raw);
    height = keys::ReadBigEndian(bytes);
    index = static_cast<std::uint32_t>(
        keys::ReadBigEndian(std::string(4, '\0') + std::string(bytes.substr(8))));
    if (height < f.from_height) return BadCursor();
  }
  Page out;
  std::size_t scanned = 0;
  for (; height <= to; ++height, index = 0) {
    CONSENTD_ASSIGN_OR_RETURN(auto block, Ledger::ReadBlock(*snapshot_, height));
    if (!block)
      return Status::Error(Reason::kStoreCorruption, "missing block " + std::to_string(height));
    for (; index < block->tx_ids.size(); ++index) {
      if (out.items.size() == limit || scanned == kScanBudget) {
        out.next_cursor =
            HexEncode(AsBytes(keys::BigEndian(height) + keys::BigEndian(index).substr(4)));
        return out;
      }
      ++scanned;
      CONSENTD_ASSIGN_OR_RETURN(auto loc, state_.Tx(block->tx_ids[index]));
      if (!loc) return Status::Error(Reason::kStoreCorruption, "block names a missing tx");
      CONSENTD_ASSIGN_OR_RETURN(TxPtr tx, Tx::ParseCommitted(loc->canonical, genesis_.chain_id));
      if (f.type && tx->type() != *f.type) continue;
      CONSENTD_ASSIGN_OR_RETURN(auto members, Involved(*tx));
      if (f.member && std::find(members.begin(), members.end(), *f.member) == members.end())
        continue;
      out.items.push_back(Json{{"height", height},
                               {"index", index},
                               {"time_ms", block->header.time_ms},
                               {"tx_id", HexEncode(tx->id())},
                               {"type", ToString(tx->type())},
                               {"members", members},
                               {"tx", tx->ToJson()}});
    }
  }
  return out;
}

Result<std::optional<Json>> Queries::Transaction(const Hash256& id) const {
  CONSENTD_ASSIGN_OR_RETURN(auto loc, state_.Tx(id));
  if (!loc || loc->height > head_.height) return std::optional<Json>();
  CONSENTD_ASSIGN_OR_RETURN(auto block, Ledger::ReadBlock(*snapshot_, loc->height));
  if (!block) return Status::Error(Reason::kStoreCorruption, "tx names a missing block");
  CONSENTD_ASSIGN_OR_RETURN(Json tx, ParseRecord(loc->canonical));
  return std::optional<Json>(Json{{"tx", std::move(tx)},
                                  {"tx_id", HexEncode(id)},
                                  {"height", loc->height},
                                  {"index", loc->index},
                                  {"block_hash", HexEncode(block->header.Hash())},
                                  {"time_ms", block->header.time_ms}});
}

Result<TxParties> Queries::Parties(const Tx& tx) const {
  TxParties p;
  p.type = tx.type();
  p.network = tx.type() == TxType::kMemberRegister || tx.type() == TxType::kMemberUpdate ||
              tx.type() == TxType::kMemberSuspend || tx.type() == TxType::kNoticePublish;
  CONSENTD_ASSIGN_OR_RETURN(p.members, Involved(tx));
  auto add_subject = [&](const Subject& s) {
    if (std::find(p.subjects.begin(), p.subjects.end(), s) == p.subjects.end()) {
      p.subjects.push_back(s);
    }
  };
  auto consent_subject = [&](const Hash256& id) -> Status {
    CONSENTD_ASSIGN_OR_RETURN(auto c, state_.Consent(id));
    if (c) add_subject(c->grant.subject);
    return Status::Ok();
  };
  switch (tx.type()) {
    case TxType::kConsentGrant:
      add_subject(tx.As<ConsentGrant>().subject);
      break;
    case TxType::kConsentWithdraw:
      CONSENTD_RETURN_IF_ERROR(consent_subject(tx.As<ConsentWithdraw>().consent_id));
      break;
    case TxType::kConsentRevoke:
      CONSENTD_RETURN_IF_ERROR(consent_subject(tx.As<ConsentRevoke>().consent_id));
      break;
    case TxType::kSharingRecord:
      add_subject(tx.As<SharingRecord>().subject);
      break;
    case TxType::kRightsRequest:
      add_subject(tx.As<RightsRequest>().subject);
      break;
    case TxType::kRightsFulfil: {
      CONSENTD_ASSIGN_OR_RETURN(auto r, state_.Rights(tx.As<RightsFulfil>().request_id));
      if (r) add_subject(r->subject);
      break;
    }
    default:
      break;
  }
  return p;
}

Result<std::optional<TxParties>> Queries::Parties(const Hash256& id) const {
  CONSENTD_ASSIGN_OR_RETURN(auto loc, state_.Tx(id));
  if (!loc || loc->height > head_.height) return std::optional<TxParties>();
  CONSENTD_ASSIGN_OR_RETURN(TxPtr tx, Tx::ParseCommitted(loc->canonical, genesis_.chain_id));
  CONSENTD_ASSIGN_OR_RETURN(TxParties p, Parties(*tx));
  return std::optional<TxParties>(std::move(p));
}

Result<std::optional<Json>> Queries::Block(std::uint64_t height) const {
  CONSENTD_ASSIGN_OR_RETURN(auto block, Ledger::ReadBlock(*snapshot_, height));
  if (!block) return std::optional<Json>();
  return std::optional<Json>(Json{{"header", block->header.ToJson()},
                                  {"hash", HexEncode(block->header.Hash())},
                                  {"certificate", block->certificate.ToJson()},
                                  {"tx_ids", Hexes(block->tx_ids)}});
}

}  // namespace consentd::ledger
