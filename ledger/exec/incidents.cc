// incident.report (PIPL Art. 57; GDPR Arts. 33-34): categories, cause, harm and remedy as
// codes, the affected subjects as a commitment (never a list), the notice as a hash, and when
// the regulator and the subjects were told.

#include "ledger/exec/context.h"

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

}  // namespace consentd::ledger::exec
