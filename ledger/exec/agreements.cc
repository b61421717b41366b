// agreement.create / activate / suspend / terminate: cross-border transfer agreements between
// an exporter and an importer (PIPL Art. 38; GDPR Arts. 45-47). States:
//   Pending -> Active <-> Suspended, and any of them -> Terminated.
// Both parties sign creation and activation; either party or a regulator may suspend or
// terminate, and only a regulator may lift a suspension a regulator imposed.

#include <algorithm>

#include "common/hex.h"
#include "ledger/exec/context.h"

namespace consentd::ledger::exec {
namespace {

Result<AgreementRecord> LoadAgreement(ExecContext& ctx, const Hash256& id) {
  CONSENTD_ASSIGN_OR_RETURN(auto a, ctx.state.Agreement(id));
  if (!a) return Status::Error(Reason::kAgreementUnknown, "no agreement " + HexEncode(id));
  return *a;
}

Status Transition(const AgreementRecord& a, std::initializer_list<AgreementStatus> from,
                  AgreementStatus to) {
  const AgreementStatus now = a.status();
  if (std::find(from.begin(), from.end(), now) != from.end()) return Status::Ok();
  return Status::Error(Reason::kAgreementInvalidTransition,
                       std::string("cannot go from ") + ToString(now) + " to " + ToString(to));
}

AgreementEvent Event(const ExecContext& ctx, AgreementStatus status, std::string reason = {},
                     std::string by = {}) {
  return AgreementEvent{status,        ctx.time_ms, ctx.height, ctx.tx.id(), std::move(reason),
                        std::move(by), "",          ""};
}

}  // namespace

Status ExecAgreementCreate(ExecContext& ctx, const AgreementCreate& b) {
  CONSENTD_ASSIGN_OR_RETURN(auto exporter,
                            RequireMember(ctx.state, b.exporter, "exporter", "insurer"));
  CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, b.importer, "importer").status());
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(b.exporter, "exporter"));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(b.importer, "importer"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (std::find(b.destinations.begin(), b.destinations.end(), exporter.jurisdiction) !=
      b.destinations.end()) {
    return Status::Error(
        Reason::kTxInvalidValue,
        "destinations are abroad: not the exporter's own " + exporter.jurisdiction);
  }
  CONSENTD_RETURN_IF_ERROR(
      RequirePeriod(ctx, b.valid_from, b.valid_until, Reason::kAgreementInvalidPeriod));
  AgreementRecord a;
  a.id = ctx.tx.id();
  a.terms = b;
  a.terms_json = ctx.tx.body_json();
  a.events.push_back(Event(ctx, AgreementStatus::kPending));
  ctx.state.PutAgreement(a);
  ctx.state.PutIndex(keys::PartyAgreement(b.exporter, a.id));
  ctx.state.PutIndex(keys::PartyAgreement(b.importer, a.id));
  return Status::Ok();
}

Status ExecAgreementActivate(ExecContext& ctx, const AgreementActivate& b) {
  CONSENTD_ASSIGN_OR_RETURN(AgreementRecord a, LoadAgreement(ctx, b.agreement_id));
  CONSENTD_RETURN_IF_ERROR(Transition(a, {AgreementStatus::kPending, AgreementStatus::kSuspended},
                                      AgreementStatus::kActive));
  CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, a.terms.exporter, "exporter").status());
  CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, a.terms.importer, "importer").status());
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(a.terms.exporter, "exporter"));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(a.terms.importer, "importer"));
  CONSENTD_ASSIGN_OR_RETURN(std::string regulator, ClaimRegulators(ctx, signers));
  if (a.suspended_by_regulator && regulator.empty()) {
    return Status::Error(Reason::kTxMissingSignature,
                         "a regulator suspended this agreement; a regulator must co-sign its "
                         "reactivation");
  }
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  // A CAC security assessment must have been approved before data flows (PIPL Art. 40).
  if (a.terms.mechanism == "cac-assessment" && !b.approval_ref_hash && !a.approval_ref_hash) {
    return Status::Error(Reason::kAgreementApprovalRequired,
                         "a cac-assessment agreement needs body.approval_ref_hash to activate");
  }
  if (a.terms.valid_until <= ctx.time_ms) {
    return Status::Error(Reason::kAgreementInvalidPeriod, "the agreement's validity has ended");
  }
  if (b.approval_ref_hash) a.approval_ref_hash = b.approval_ref_hash;
  a.suspended_by_regulator = false;
  a.events.push_back(Event(ctx, AgreementStatus::kActive, {}, regulator));
  ctx.state.PutAgreement(a);
  return Status::Ok();
}

Status ExecAgreementEnd(ExecContext& ctx, const AgreementEnd& b, bool terminate) {
  CONSENTD_ASSIGN_OR_RETURN(AgreementRecord a, LoadAgreement(ctx, b.agreement_id));
  if (terminate) {
    CONSENTD_RETURN_IF_ERROR(Transition(
        a, {AgreementStatus::kPending, AgreementStatus::kActive, AgreementStatus::kSuspended},
        AgreementStatus::kTerminated));
  } else {
    CONSENTD_RETURN_IF_ERROR(
        Transition(a, {AgreementStatus::kActive}, AgreementStatus::kSuspended));
  }
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_ASSIGN_OR_RETURN(
      auto who, ClaimPartyOrRegulator(ctx, signers, a.terms.exporter, a.terms.importer, "a party"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (!terminate && !who.regulator.empty()) a.suspended_by_regulator = true;
  a.events.push_back(Event(ctx,
                           terminate ? AgreementStatus::kTerminated : AgreementStatus::kSuspended,
                           b.reason, who.by));
  ctx.state.PutAgreement(a);
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
