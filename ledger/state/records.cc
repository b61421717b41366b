#include "ledger/state/records.h"

#include <algorithm>
#include <stdexcept>

#include "common/hex.h"
#include "ledger/schema.h"

namespace consentd::ledger {
namespace {

// Our own records failing to parse means damaged storage; nlohmann's exceptions and ours stop
// here and become a Status.
struct Corrupt : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string Hex(const Hash256& h) { return HexEncode(h); }

Hash256 GetHash(const Json& j, const char* key) {
  auto h = HexDecodeFixed<32>(j.at(key).get_ref<const std::string&>());
  if (!h.ok()) throw Corrupt(std::string("bad hash in field ") + key);
  return *h;
}

// A state or event kind as stored (ledger/state/kinds.h).
template <typename E>
E GetKind(const Json& j, const char* key) {
  const std::optional<E> kind = FromWire<E>(j.at(key).get_ref<const std::string&>());
  if (!kind) throw Corrupt(std::string("unknown name in field ") + key);
  return *kind;
}

std::optional<Hash256> GetOptionalHash(const Json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  return GetHash(j, key);
}

void PutOptional(Json& j, const char* key, const std::optional<Hash256>& h) {
  if (h) j[key] = Hex(*h);
}

template <typename T, typename F>
Result<T> Guard(F&& parse) {
  try {
    return parse();
  } catch (const std::exception& e) {
    return Status::Error(Reason::kStoreCorruption, std::string("unreadable record: ") + e.what());
  }
}

// A subject as a record stores it: {"key": hex} or {"ref": hex}. Its key was checked to be a
// curve point when the tx that wrote it was accepted, so it is not parsed again (that costs
// about a tenth of a signature check, on every consent a check or a sharing record reads).
Subject StoredSubject(const Json& j) {
  if (!j.is_object() || j.size() != 1) throw Corrupt("bad subject");
  Subject s;
  if (j.contains("key")) {
    s.kind = Subject::Kind::kKey;
    s.id = GetHash(j, "key");
  } else {
    s.kind = Subject::Kind::kRef;
    s.id = GetHash(j, "ref");
  }
  return s;
}

// A body as a record stores it: it passed the full schema when its tx was accepted, so its
// shape is read by the same declaration without checking formats and rules again (this runs
// for every consent a sharing check looks at).
template <typename Body>
Body ParseStoredBody(TxType type, const Json& j) {
  auto body = ParseBody(type, j, Trust::kStored);
  if (!body.ok()) throw Corrupt(body.status().ToString());
  return std::get<Body>(*body);
}

}  // namespace

// --- members ---------------------------------------------------------------------------------

bool MemberRecord::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

Json MemberRecord::ToJson() const {
  Json j{{"id", id}, {"roles", roles}, {"jurisdiction", jurisdiction}, {"suspended", suspended}};
  Json ks = Json::array();
  for (const auto& k : keys) ks.push_back(HexEncode(k));
  j["keys"] = std::move(ks);
  if (validator_key) j["validator_key"] = HexEncode(*validator_key);
  Json ev = Json::array();
  for (const auto& e : events) {
    Json x{{"type", ToString(e.type)}, {"at", e.at}, {"height", e.height}, {"tx", Hex(e.tx)}};
    if (!e.reason.empty()) x["reason"] = e.reason;
    ev.push_back(std::move(x));
  }
  j["events"] = std::move(ev);
  return j;
}

Result<MemberRecord> MemberRecord::FromJson(const Json& j) {
  return Guard<MemberRecord>([&] {
    MemberRecord m;
    m.id = j.at("id").get<std::string>();
    m.roles = j.at("roles").get<std::vector<std::string>>();
    m.jurisdiction = j.at("jurisdiction").get<std::string>();
    m.suspended = j.at("suspended").get<bool>();
    for (const auto& k : j.at("keys")) m.keys.push_back(*HexDecodeFixed<32>(k.get<std::string>()));
    if (j.contains("validator_key")) {
      m.validator_key = GetHash(j, "validator_key");
    }
    for (const auto& e : j.at("events")) {
      MemberEvent x;
      x.type = GetKind<MemberEventKind>(e, "type");
      x.at = e.at("at").get<std::int64_t>();
      x.height = e.at("height").get<std::uint64_t>();
      x.tx = GetHash(e, "tx");
      x.reason = e.value("reason", "");
      m.events.push_back(std::move(x));
    }
    return m;
  });
}

// --- notices ---------------------------------------------------------------------------------

const NoticeVersion* NoticeRecord::Find(std::int64_t version) const {
  for (const auto& v : versions) {
    if (v.version == version) return &v;
  }
  return nullptr;
}

Json NoticeRecord::ToJson() const {
  Json vs = Json::array();
  for (const auto& v : versions) {
    vs.push_back(Json{{"version", v.version},
                      {"hash", Hex(v.hash)},
                      {"at", v.at},
                      {"height", v.height},
                      {"tx", Hex(v.tx)}});
  }
  return Json{{"controller", controller}, {"notice_id", notice_id}, {"versions", std::move(vs)}};
}

Result<NoticeRecord> NoticeRecord::FromJson(const Json& j) {
  return Guard<NoticeRecord>([&] {
    NoticeRecord n;
    n.controller = j.at("controller").get<std::string>();
    n.notice_id = j.at("notice_id").get<std::string>();
    for (const auto& v : j.at("versions")) {
      n.versions.push_back(NoticeVersion{v.at("version").get<std::int64_t>(), GetHash(v, "hash"),
                                         v.at("at").get<std::int64_t>(),
                                         v.at("height").get<std::uint64_t>(), GetHash(v, "tx")});
    }
    return n;
  });
}

// --- consents --------------------------------------------------------------------------------

ConsentStatus ConsentRecord::StatusAt(std::int64_t t) const {
  if (t < recorded_at) return ConsentStatus::kUnknown;
  bool transferred = false;
  for (const ConsentEvent& e : events) {
    if (e.at > t) continue;
    switch (e.type) {
      case ConsentEventKind::kWithdrawn:
        return ConsentStatus::kWithdrawn;
      case ConsentEventKind::kRevoked:
        return ConsentStatus::kRevoked;
      case ConsentEventKind::kSuperseded:
        return ConsentStatus::kSuperseded;
      case ConsentEventKind::kTransferred:
        transferred = true;
        break;
      case ConsentEventKind::kGranted:
        break;
    }
  }
  if (t >= grant.valid_until) return ConsentStatus::kExpired;
  if (transferred) return ConsentStatus::kTransferred;
  return grant.supersedes ? ConsentStatus::kRenewed : ConsentStatus::kGiven;
}

bool ConsentRecord::ValidAt(std::int64_t t) const {
  switch (StatusAt(t)) {
    case ConsentStatus::kGiven:
    case ConsentStatus::kRenewed:
    case ConsentStatus::kTransferred:
      return t >= grant.valid_from && t < grant.valid_until;
    case ConsentStatus::kUnknown:
    case ConsentStatus::kWithdrawn:
    case ConsentStatus::kRevoked:
    case ConsentStatus::kExpired:
    case ConsentStatus::kSuperseded:
      return false;
  }
  return false;
}

const std::string& ConsentRecord::ControllerAt(std::int64_t t) const {
  const std::string* controller = &grant.controller;
  // Transfers are recorded in height order and each takes effect at or after the previous
  // (a consent has at most one pending transfer), so the last effective one wins.
  for (const ConsentEvent& e : events) {
    if (e.type == ConsentEventKind::kTransferred && e.at <= t) controller = &e.to;
  }
  return *controller;
}

const ConsentEvent* ConsentRecord::EndEvent() const {
  for (const ConsentEvent& e : events) {
    if (Ends(e.type)) return &e;
  }
  return nullptr;
}

bool ConsentRecord::HasTransferPendingAt(std::int64_t t) const {
  return std::any_of(events.begin(), events.end(), [&](const ConsentEvent& e) {
    return e.type == ConsentEventKind::kTransferred && e.at > t;
  });
}

Json ConsentRecord::ToJson() const {
  Json ev = Json::array();
  for (const ConsentEvent& e : events) {
    Json x{{"type", ToString(e.type)}, {"at", e.at}, {"height", e.height}, {"tx", Hex(e.tx)}};
    if (!e.from.empty()) x["from"] = e.from;
    if (!e.to.empty()) x["to"] = e.to;
    if (!e.reason.empty()) x["reason"] = e.reason;
    if (!e.by.empty()) x["by"] = e.by;
    ev.push_back(std::move(x));
  }
  return Json{{"id", Hex(id)},
              {"grant", grant_json},
              {"recorded_at", recorded_at},
              {"height", height},
              {"events", std::move(ev)}};
}

std::string ConsentRecord::Canonical() const {
  // Keys in canonical (sorted) order; optional event fields only when set, as in ToJson.
  std::string out;
  out.reserve(512 + 160 * events.size());
  const auto key = [&out](const char* k) {
    out.push_back('"');
    out.append(k);
    out.append("\":");
  };
  const auto optional_string = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    key(k);
    AppendCanonicalString(v, &out);
    out.push_back(',');
  };
  out.append("{\"events\":[");
  for (std::size_t i = 0; i < events.size(); ++i) {
    const ConsentEvent& e = events[i];
    if (i > 0) out.push_back(',');
    out.append("{\"at\":");
    AppendCanonicalInteger(e.at, &out);
    out.push_back(',');
    optional_string("by", e.by);
    optional_string("from", e.from);
    key("height");
    AppendCanonicalInteger(e.height, &out);
    out.push_back(',');
    optional_string("reason", e.reason);
    optional_string("to", e.to);
    key("tx");
    AppendCanonicalString(Hex(e.tx), &out);
    out.append(",\"type\":");
    AppendCanonicalString(ToString(e.type), &out);
    out.push_back('}');
  }
  out.append("],\"grant\":");
  AppendCanonicalJson(grant_json, &out);
  out.append(",\"height\":");
  AppendCanonicalInteger(height, &out);
  out.append(",\"id\":");
  AppendCanonicalString(Hex(id), &out);
  out.append(",\"recorded_at\":");
  AppendCanonicalInteger(recorded_at, &out);
  out.push_back('}');
  return out;
}

namespace {

// `grant`, when given, is j's "grant" member, moved from rather than copied.
ConsentRecord ReadConsent(const Json& j, Json* grant) {
  ConsentRecord c;
  c.id = GetHash(j, "id");
  c.grant_json = grant != nullptr ? std::move(*grant) : j.at("grant");
  c.grant = ParseStoredBody<ConsentGrant>(TxType::kConsentGrant, c.grant_json);
  c.recorded_at = j.at("recorded_at").get<std::int64_t>();
  c.height = j.at("height").get<std::uint64_t>();
  for (const auto& e : j.at("events")) {
    ConsentEvent x;
    x.type = GetKind<ConsentEventKind>(e, "type");
    x.at = e.at("at").get<std::int64_t>();
    x.height = e.at("height").get<std::uint64_t>();
    x.tx = GetHash(e, "tx");
    x.from = e.value("from", "");
    x.to = e.value("to", "");
    x.reason = e.value("reason", "");
    x.by = e.value("by", "");
    c.events.push_back(std::move(x));
  }
  return c;
}

}  // namespace

Result<ConsentRecord> ConsentRecord::FromJson(const Json& j) {
  return Guard<ConsentRecord>([&] { return ReadConsent(j, nullptr); });
}

Result<ConsentRecord> ConsentRecord::FromJson(Json&& j) {
  return Guard<ConsentRecord>([&] { return ReadConsent(j, &j.at("grant")); });
}

// --- agreements ------------------------------------------------------------------------------

AgreementStatus AgreementRecord::StatusAt(std::int64_t t) const {
  AgreementStatus status = AgreementStatus::kPending;
  for (const AgreementEvent& e : events) {
    if (e.at <= t) status = e.status;
  }
  return status;
}

bool AgreementRecord::ActiveAt(std::int64_t t) const {
  return !events.empty() && t >= events.front().at && StatusAt(t) == AgreementStatus::kActive &&
         t >= terms.valid_from && t < terms.valid_until;
}

bool AgreementRecord::Covers(std::string_view destination, std::string_view purpose,
                             const std::vector<std::string>& categories) const {
  auto has = [](const std::vector<std::string>& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  if (!has(terms.destinations, destination) || !has(terms.purposes, purpose)) return false;
  return std::all_of(categories.begin(), categories.end(),
                     [&](const std::string& c) { return has(terms.categories, c); });
}

std::pair<std::string, std::string> AgreementRecord::PartiesAt(std::int64_t t) const {
  std::pair<std::string, std::string> p{terms.exporter, terms.importer};
  for (auto e = events.rbegin(); e != events.rend() && e->at > t; ++e) {
    if (e->to.empty()) continue;
    if (p.first == e->to) {
      p.first = e->from;
    } else if (p.second == e->to) {
      p.second = e->from;
    }
  }
  return p;
}

Json AgreementRecord::ToJson() const {
  Json ev = Json::array();
  for (const AgreementEvent& e : events) {
    Json x{{"status", ToString(e.status)}, {"at", e.at}, {"height", e.height}, {"tx", Hex(e.tx)}};
    if (!e.reason.empty()) x["reason"] = e.reason;
    if (!e.by.empty()) x["by"] = e.by;
    if (!e.from.empty()) x["from"] = e.from;
    if (!e.to.empty()) x["to"] = e.to;
    ev.push_back(std::move(x));
  }
  Json j{{"id", Hex(id)},
         {"terms", terms_json},
         {"suspended_by_regulator", suspended_by_regulator},
         {"events", std::move(ev)}};
  PutOptional(j, "approval_ref_hash", approval_ref_hash);
  return j;
}

Result<AgreementRecord> AgreementRecord::FromJson(const Json& j) {
  return Guard<AgreementRecord>([&] {
    AgreementRecord a;
    a.id = GetHash(j, "id");
    a.terms_json = j.at("terms");
    a.terms = ParseStoredBody<AgreementCreate>(TxType::kAgreementCreate, a.terms_json);
    a.suspended_by_regulator = j.at("suspended_by_regulator").get<bool>();
    a.approval_ref_hash = GetOptionalHash(j, "approval_ref_hash");
    for (const auto& e : j.at("events")) {
      AgreementEvent x;
      x.status = GetKind<AgreementStatus>(e, "status");
      x.at = e.at("at").get<std::int64_t>();
      x.height = e.at("height").get<std::uint64_t>();
      x.tx = GetHash(e, "tx");
      x.reason = e.value("reason", "");
      x.by = e.value("by", "");
      x.from = e.value("from", "");
      x.to = e.value("to", "");
      a.events.push_back(std::move(x));
    }
    if (a.events.empty()) throw Corrupt("agreement without events");
    return a;
  });
}

// --- transfers, sharing, rights, incidents ---------------------------------------------------

namespace {

Json Hexes(const std::vector<Hash256>& ids) {
  Json a = Json::array();
  for (const Hash256& id : ids) a.push_back(Hex(id));
  return a;
}

std::vector<Hash256> GetHashes(const Json& j, const char* key) {
  std::vector<Hash256> out;
  for (const Json& c : j.at(key)) {
    auto h = HexDecodeFixed<32>(c.get_ref<const std::string&>());
    if (!h.ok()) throw Corrupt(std::string("bad id in ") + key);
    out.push_back(*h);
  }
  return out;
}

Json StepsJson(const std::vector<TransferStep>& steps) {
  Json a = Json::array();
  for (const TransferStep& s : steps) {
    Json x{{"step", ToString(s.kind)},
           {"tx", Hex(s.tx)},
           {"at", s.at},
           {"height", s.height},
           {"by", s.by}};
    if (s.deliveries_root) {
      x["deliveries_root"] = Hex(*s.deliveries_root);
      x["deliveries"] = s.deliveries;
      x["delivered_until"] = s.delivered_until;
    }
    a.push_back(std::move(x));
  }
  return a;
}

TransferStep StepFromJson(const Json& j) {
  TransferStep s;
  s.kind = GetKind<TransferStepKind>(j, "step");
  s.tx = GetHash(j, "tx");
  s.at = j.at("at").get<std::int64_t>();
  s.height = j.at("height").get<std::uint64_t>();
  s.by = j.at("by").get<std::string>();
  s.deliveries_root = GetOptionalHash(j, "deliveries_root");
  if (s.deliveries_root) {
    s.deliveries = j.at("deliveries").get<std::int64_t>();
    s.delivered_until = j.at("delivered_until").get<std::int64_t>();
  }
  return s;
}

Json DeletionJson(const TransferDeletion& d) {
  Json j{{"tx", Hex(d.tx)},
         {"at", d.at},
         {"deleted_hash", Hex(d.deleted_hash)},
         {"retained_categories", d.retained_categories},
         {"backups", d.backups},
         {"attestations", d.attestations}};
  if (!d.retained_categories.empty()) {
    j["retained_until"] = d.retained_until;
    j["retention_basis"] = d.retention_basis;
  }
  if (d.backups == "scheduled") j["backups_purge_by"] = d.backups_purge_by;
  return j;
}

TransferDeletion DeletionFromJson(const Json& j) {
  TransferDeletion d;
  d.tx = GetHash(j, "tx");
  d.at = j.at("at").get<std::int64_t>();
  d.deleted_hash = GetHash(j, "deleted_hash");
  d.retained_categories = j.at("retained_categories").get<std::vector<std::string>>();
  d.backups = j.at("backups").get<std::string>();
  d.attestations = j.at("attestations").get<std::int64_t>();
  if (!d.retained_categories.empty()) {
    d.retained_until = j.at("retained_until").get<std::int64_t>();
    d.retention_basis = j.at("retention_basis").get<std::string>();
  }
  if (d.backups == "scheduled") d.backups_purge_by = j.at("backups_purge_by").get<std::int64_t>();
  return d;
}

}  // namespace

TransferOverdue TransferLifecycle::OverdueAt(std::int64_t t, TransferStatus s) const {
  TransferOverdue o;
  if (s != TransferStatus::kCompleted) return o;
  if (!deletion) {
    o.attestation = t > deletion_due;
    return o;
  }
  o.retention = !deletion->retained_categories.empty() && t > deletion->retained_until;
  o.backups = deletion->backups == "scheduled" && t > deletion->backups_purge_by;
  return o;
}

Json TransferRecord::ToJson() const {
  Json j{{"id", Hex(id)},
         {"transferor", transferor},
         {"transferee", transferee},
         {"all_consents", all_consents},
         {"count", count},
         {"effective_at", effective_at},
         {"objection_until", objection_until},
         {"notice_hash", Hex(notice_hash)},
         {"at", at},
         {"height", height}};
  PutOptional(j, "approval_ref_hash", approval_ref_hash);
  if (lifecycle) {
    const TransferLifecycle& l = *lifecycle;
    j["lifecycle"] = Json{{"status", ToString(l.status)},
                          {"manifest_hash", Hex(l.manifest_hash)},
                          {"consents", Hexes(l.consents)},
                          {"objections", l.objections},
                          {"approved_by", l.approved_by},
                          {"approved_at", l.approved_at},
                          {"closed_by", l.closed_by},
                          {"closed_at", l.closed_at},
                          {"closed_height", l.closed_height},
                          {"cancel_reason", l.cancel_reason},
                          {"skipped", l.skipped},
                          {"kept", l.kept},
                          {"rights_moved", l.rights_moved},
                          {"erasures", l.erasures},
                          {"agreements", Hexes(l.agreements)},
                          {"agreements_moved", l.agreements_moved},
                          {"agreements_ended", l.agreements_ended},
                          {"notices_moved", l.notices_moved},
                          {"notices_delivered", l.notices_delivered},
                          {"deletion_due", l.deletion_due},
                          {"steps", StepsJson(l.steps)}};
    if (l.deletion) j["lifecycle"]["deletion"] = DeletionJson(*l.deletion);
  }
  return j;
}

Result<TransferRecord> TransferRecord::FromJson(const Json& j) {
  return Guard<TransferRecord>([&] {
    TransferRecord t;
    t.id = GetHash(j, "id");
    t.transferor = j.at("transferor").get<std::string>();
    t.transferee = j.at("transferee").get<std::string>();
    t.all_consents = j.at("all_consents").get<bool>();
    t.count = j.at("count").get<std::int64_t>();
    t.effective_at = j.at("effective_at").get<std::int64_t>();
    t.objection_until = j.at("objection_until").get<std::int64_t>();
    t.notice_hash = GetHash(j, "notice_hash");
    t.approval_ref_hash = GetOptionalHash(j, "approval_ref_hash");
    t.at = j.at("at").get<std::int64_t>();
    t.height = j.at("height").get<std::uint64_t>();
    if (j.contains("lifecycle")) {
      const Json& lj = j.at("lifecycle");
      TransferLifecycle l;
      l.status = GetKind<TransferStatus>(lj, "status");
      l.manifest_hash = GetHash(lj, "manifest_hash");
      l.consents = GetHashes(lj, "consents");
      l.objections = lj.at("objections").get<std::int64_t>();
      l.approved_by = lj.at("approved_by").get<std::string>();
      l.approved_at = lj.at("approved_at").get<std::int64_t>();
      l.closed_by = lj.at("closed_by").get<std::string>();
      l.closed_at = lj.at("closed_at").get<std::int64_t>();
      l.closed_height = lj.at("closed_height").get<std::uint64_t>();
      l.cancel_reason = lj.at("cancel_reason").get<std::string>();
      l.skipped = lj.at("skipped").get<std::int64_t>();
      l.kept = lj.at("kept").get<std::int64_t>();
      l.rights_moved = lj.at("rights_moved").get<std::int64_t>();
      l.erasures = lj.at("erasures").get<std::int64_t>();
      // A record written before these fields existed (2026-12-08) has none of them.
      if (lj.contains("steps")) {
        l.agreements = GetHashes(lj, "agreements");
        l.agreements_moved = lj.at("agreements_moved").get<std::int64_t>();
        l.agreements_ended = lj.at("agreements_ended").get<std::int64_t>();
        l.notices_moved = lj.at("notices_moved").get<std::int64_t>();
        l.notices_delivered = lj.at("notices_delivered").get<std::int64_t>();
        l.deletion_due = lj.at("deletion_due").get<std::int64_t>();
        for (const Json& sj : lj.at("steps")) l.steps.push_back(StepFromJson(sj));
      }
      if (lj.contains("deletion")) l.deletion = DeletionFromJson(lj.at("deletion"));
      t.lifecycle = std::move(l);
    }
    return t;
  });
}

Json EntrustmentRecord::ToJson() const {
  Json j{{"id", Hex(id)}, {"terms", terms_json}, {"at", at}, {"height", height}};
  if (terminated_at) {
    j["terminated_at"] = *terminated_at;
    j["terminated_by"] = terminated_by;
    j["terminate_reason"] = terminate_reason;
  }
  return j;
}

Result<EntrustmentRecord> EntrustmentRecord::FromJson(const Json& j) {
  return Guard<EntrustmentRecord>([&] {
    EntrustmentRecord e;
    e.id = GetHash(j, "id");
    e.terms_json = j.at("terms");
    e.terms = ParseStoredBody<EntrustmentCreate>(TxType::kEntrustmentCreate, e.terms_json);
    e.at = j.at("at").get<std::int64_t>();
    e.height = j.at("height").get<std::uint64_t>();
    if (j.contains("terminated_at")) {
      e.terminated_at = j.at("terminated_at").get<std::int64_t>();
      e.terminated_by = j.at("terminated_by").get<std::string>();
      e.terminate_reason = j.at("terminate_reason").get<std::string>();
    }
    return e;
  });
}

bool AssessmentState::CoversAt(std::string_view scope, std::int64_t t) const {
  return t >= at && t >= record.valid_from && t < record.valid_until &&
         std::find(record.scopes.begin(), record.scopes.end(), scope) != record.scopes.end();
}

Json AssessmentState::ToJson() const {
  return Json{{"id", Hex(id)}, {"record", record_json}, {"at", at}, {"height", height}};
}

Result<AssessmentState> AssessmentState::FromJson(const Json& j) {
  return Guard<AssessmentState>([&] {
    AssessmentState a;
    a.id = GetHash(j, "id");
    a.record_json = j.at("record");
    a.record = ParseStoredBody<AssessmentRecord>(TxType::kAssessmentRecord, a.record_json);
    a.at = j.at("at").get<std::int64_t>();
    a.height = j.at("height").get<std::uint64_t>();
    return a;
  });
}

Json SharingState::ToJson() const {
  Json cs = Json::array();
  for (const Hash256& c : consents) cs.push_back(Hex(c));
  Json j{{"id", Hex(id)},
         {"event", event_json},
         {"consents", std::move(cs)},
         {"at", at},
         {"height", height}};
  PutOptional(j, "agreement", agreement);
  PutOptional(j, "entrustment", entrustment);
  return j;
}

Result<SharingState> SharingState::FromJson(const Json& j) {
  return Guard<SharingState>([&] {
    SharingState s;
    s.id = GetHash(j, "id");
    s.event_json = j.at("event");
    s.event = ParseStoredBody<SharingRecord>(TxType::kSharingRecord, s.event_json);
    for (const auto& c : j.at("consents"))
      s.consents.push_back(*HexDecodeFixed<32>(c.get<std::string>()));
    s.agreement = GetOptionalHash(j, "agreement");
    s.entrustment = GetOptionalHash(j, "entrustment");
    s.at = j.at("at").get<std::int64_t>();
    s.height = j.at("height").get<std::uint64_t>();
    return s;
  });
}

Json RightsRecord::ToJson() const {
  Json j{{"id", Hex(id)},        {"controller", controller},   {"subject", subject.ToJson()},
         {"kind", kind},         {"origin", ToString(origin)}, {"requested_at", requested_at},
         {"deadline", deadline}, {"status", ToString(status)}, {"height", height}};
  PutOptional(j, "consent_id", consent_id);
  if (!open()) {
    j["closed_at"] = closed_at;
    if (!reason.empty()) j["reason"] = reason;
  }
  PutOptional(j, "attestation_hash", attestation_hash);
  PutOptional(j, "closed_by_tx", closed_by_tx);
  return j;
}

Result<RightsRecord> RightsRecord::FromJson(const Json& j) {
  return Guard<RightsRecord>([&] {
    RightsRecord r;
    r.id = GetHash(j, "id");
    r.controller = j.at("controller").get<std::string>();
    r.subject = StoredSubject(j.at("subject"));
    r.kind = j.at("kind").get<std::string>();
    r.consent_id = GetOptionalHash(j, "consent_id");
    r.origin = GetKind<RightsOrigin>(j, "origin");
    r.requested_at = j.at("requested_at").get<std::int64_t>();
    r.deadline = j.at("deadline").get<std::int64_t>();
    r.status = GetKind<RightsStatus>(j, "status");
    r.closed_at = j.value("closed_at", std::int64_t{0});
    r.reason = j.value("reason", "");
    r.attestation_hash = GetOptionalHash(j, "attestation_hash");
    r.closed_by_tx = GetOptionalHash(j, "closed_by_tx");
    r.height = j.at("height").get<std::uint64_t>();
    return r;
  });
}

Json IncidentRecord::ToJson() const {
  Json j{
      {"id", Hex(id)}, {"report", report_json}, {"reported_at", reported_at}, {"height", height}};
  if (!updates.empty()) {
    Json a = Json::array();
    for (const IncidentUpdateRecord& u : updates) {
      a.push_back(Json{{"tx", Hex(u.tx)}, {"body", u.body}, {"at", u.at}, {"height", u.height}});
    }
    j["updates"] = std::move(a);
  }
  return j;
}

namespace {
std::optional<std::int64_t> NotifiedAt(const IncidentRecord& r,
                                       std::optional<std::int64_t> IncidentReport::*reported,
                                       const char* field) {
  if (r.report.*reported) return r.report.*reported;
  for (const IncidentUpdateRecord& u : r.updates) {
    auto it = u.body.find(field);
    if (it != u.body.end() && it->is_number_integer()) return it->get<std::int64_t>();
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::int64_t> IncidentRecord::RegulatorNotifiedAt() const {
  return NotifiedAt(*this, &IncidentReport::regulator_notified_at, "regulator_notified_at");
}
std::optional<std::int64_t> IncidentRecord::SubjectsNotifiedAt() const {
  return NotifiedAt(*this, &IncidentReport::subjects_notified_at, "subjects_notified_at");
}

Result<IncidentRecord> IncidentRecord::FromJson(const Json& j) {
  return Guard<IncidentRecord>([&] {
    IncidentRecord r;
    r.id = GetHash(j, "id");
    r.report_json = j.at("report");
    r.report = ParseStoredBody<IncidentReport>(TxType::kIncidentReport, r.report_json);
    r.reported_at = j.at("reported_at").get<std::int64_t>();
    r.height = j.at("height").get<std::uint64_t>();
    if (j.contains("updates")) {
      for (const Json& u : j.at("updates")) {
        r.updates.push_back(IncidentUpdateRecord{GetHash(u, "tx"), u.at("body"),
                                                 u.at("at").get<std::int64_t>(),
                                                 u.at("height").get<std::uint64_t>()});
      }
    }
    return r;
  });
}

}  // namespace consentd::ledger
