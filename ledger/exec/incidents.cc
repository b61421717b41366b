// incident.report (PIPL Art. 57; GDPR Arts. 33-34): categories, cause, harm and remedy as
// codes, the affected subjects as a commitment (never a list), the notice as a hash, and when
// the regulator and the subjects were told. incident.update adds, in order, what was learnt or
// done later: a notification not yet recorded, further remedies, the affected count and
// commitment as now known, a further notice.

#include "common/hex.h"
#include "ledger/exec/context.h"
#include "ledger/ledger.h"

namespace consentd::ledger::exec {

Status ExecIncidentReport(ExecContext& ctx, const IncidentReport& b) {
  // A suspended controller must still report.
  CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, b.controller, "controller", {}, true).status());
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(b.controller, "controller"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  auto in_range = [&](std::optional<std::int64_t> t) {
    return !t || (*t >= b.detected_at && *t <= ctx.time_ms);
  };
  if (b.detected_at > ctx.time_ms || !in_range(b.regulator_notified_at) ||
      !in_range(b.subjects_notified_at)) {
    return Status::Error(Reason::kIncidentInvalidTime,
                         "detected_at must not be in the future, and notifications fall between "
                         "detection and now");
  }
  IncidentRecord r;
  r.id = ctx.tx.id();
  r.report = b;
  r.report_json = ctx.tx.body_json();
  r.reported_at = ctx.time_ms;
  r.height = ctx.height;
  ctx.state.PutJson(keys::Incident(r.reported_at, r.id), r.ToJson());
  return Status::Ok();
}

namespace {

// The incident reported by tx `id`: its record is keyed by the report's block time, which the
// tx index gives (the block's header; this block's time for a report earlier in this block).
Result<IncidentRecord> FindIncident(const ExecContext& ctx, const Hash256& id) {
  const Status unknown =
      Status::Error(Reason::kIncidentUnknown, "no incident.report " + HexEncode(id));
  CONSENTD_ASSIGN_OR_RETURN(auto loc, ctx.state.Tx(id));
  if (!loc) return unknown;
  std::int64_t at = ctx.time_ms;
  if (loc->height != ctx.height) {
    CONSENTD_ASSIGN_OR_RETURN(auto block, Ledger::ReadBlock(ctx.state.view(), loc->height));
    if (!block) return Status::Error(Reason::kStoreCorruption, "a committed tx's block is missing");
    at = block->header.time_ms;
  }
  CONSENTD_ASSIGN_OR_RETURN(auto raw, ctx.state.GetJson(keys::Incident(at, id)));
  if (!raw) return unknown;  // a tx of another type
  return IncidentRecord::FromJson(*raw);
}

}  // namespace

Status ExecIncidentUpdate(ExecContext& ctx, const IncidentUpdate& b) {
  CONSENTD_ASSIGN_OR_RETURN(IncidentRecord r, FindIncident(ctx, b.incident_id));
  const std::string& controller = r.report.controller;
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(controller, "controller"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if ((b.regulator_notified_at && r.RegulatorNotifiedAt()) ||
      (b.subjects_notified_at && r.SubjectsNotifiedAt())) {
    return Status::Error(Reason::kIncidentAlreadyNotified,
                         "the incident already records that notification");
  }
  auto in_range = [&](std::optional<std::int64_t> t) {
    return !t || (*t >= r.report.detected_at && *t <= ctx.time_ms);
  };
  if (!in_range(b.regulator_notified_at) || !in_range(b.subjects_notified_at)) {
    return Status::Error(Reason::kIncidentInvalidTime,
                         "a notification falls between detection and the block time");
  }
  if (r.updates.size() >= kMaxIncidentUpdates) {
    return Status::Error(
        Reason::kIncidentTooManyUpdates,
        "the incident already has " + std::to_string(kMaxIncidentUpdates) + " updates");
  }
  r.updates.push_back(
      IncidentUpdateRecord{ctx.tx.id(), ctx.tx.body_json(), ctx.time_ms, ctx.height});
  ctx.state.PutJson(keys::Incident(r.reported_at, r.id), r.ToJson());
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
