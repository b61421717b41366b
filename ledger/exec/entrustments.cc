// Entrusted processing (PIPL Art. 21; GDPR Art. 28) and impact assessments (PIPL Arts. 55-56).
//
// entrustment.create, signed by the controller and its processor, records the contract that
// entrusts the processor with the controller's processing: for its purposes and categories,
// from valid_from until valid_until. A sharing.record on the basis `entrusted` names it and is
// lawful under it without a separate consent of the subject (Art. 23 asks for one when data
// goes to another processor, Art. 21 does not when it is entrusted), but only within its terms,
// domestically, and only where the controller itself may process the data for that purpose (a
// valid consent of the subject with it). entrustment.terminate ends it.
//
// assessment.record: the controller's personal-information impact assessment (its report's
// hash), for the kinds of processing it covers and its validity. Where the genesis parameter
// assessment_required is on, a sharing of sensitive data, abroad, entrusted or to a third party
// needs one covering that kind at shared_at, recorded before the sharing.

#include <algorithm>

#include "common/hex.h"
#include "ledger/exec/context.h"
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger::exec {

Status ExecEntrustmentCreate(ExecContext& ctx, const EntrustmentCreate& b) {
  CONSENTD_RETURN_IF_ERROR(
      RequireMember(ctx.state, b.controller, "controller", "insurer").status());
  CONSENTD_RETURN_IF_ERROR(RequireMember(ctx.state, b.processor, "processor").status());
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(b.controller, "controller"));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(b.processor, "processor"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  CONSENTD_RETURN_IF_ERROR(
      RequirePeriod(ctx, b.valid_from, b.valid_until, Reason::kEntrustmentInvalidPeriod));
  EntrustmentRecord e;
  e.id = ctx.tx.id();
  e.terms = b;
  e.terms_json = ctx.tx.body_json();
  e.at = ctx.time_ms;
  e.height = ctx.height;
  ctx.state.PutJson(keys::Entrustment(e.id), e.ToJson());
  return Status::Ok();
}

Status ExecEntrustmentTerminate(ExecContext& ctx, const EntrustmentTerminate& b) {
  CONSENTD_ASSIGN_OR_RETURN(auto found, ctx.state.Entrustment(b.entrustment_id));
  if (!found) {
    return Status::Error(Reason::kEntrustmentUnknown,
                         "no entrustment.create " + HexEncode(b.entrustment_id));
  }
  EntrustmentRecord e = std::move(*found);
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_ASSIGN_OR_RETURN(
      auto who, ClaimPartyOrRegulator(ctx, signers, e.terms.controller, e.terms.processor,
                                      "the controller, the processor"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (e.terminated_at) {
    return Status::Error(Reason::kEntrustmentNotActive, "the entrustment is already terminated");
  }
  e.terminated_at = ctx.time_ms;
  e.terminated_by = who.by;
  e.terminate_reason = b.reason;
  ctx.state.PutJson(keys::Entrustment(e.id), e.ToJson());
  return Status::Ok();
}

Status ExecAssessmentRecord(ExecContext& ctx, const AssessmentRecord& b) {
  CONSENTD_RETURN_IF_ERROR(
      RequireMember(ctx.state, b.controller, "controller", "insurer").status());
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(b.controller, "controller"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  CONSENTD_RETURN_IF_ERROR(
      RequirePeriod(ctx, b.valid_from, b.valid_until, Reason::kAssessmentInvalidPeriod));
  AssessmentState a;
  a.id = ctx.tx.id();
  a.record = b;
  a.record_json = ctx.tx.body_json();
  a.at = ctx.time_ms;
  a.height = ctx.height;
  ctx.state.PutJson(keys::Assessment(b.controller, a.id), a.ToJson());
  return Status::Ok();
}

Status RequireAssessments(const ExecContext& ctx, const SharingRecord& b,
                          const MemberRecord& sender) {
  if (!ctx.genesis.params.assessment_required) return Status::Ok();
  std::vector<std::string> needed;
  const bool sensitive =
      std::any_of(b.categories.begin(), b.categories.end(), [](const std::string& c) {
        const vocab::Code* code = vocab::Categories().Find(c);
        return code != nullptr && code->sensitive;
      });
  if (sensitive) needed.push_back("sensitive");
  if (b.destination != sender.jurisdiction) needed.push_back("cross_border");
  if (b.legal_basis == "entrusted") needed.push_back("entrusted");
  if (b.legal_basis == "consent") needed.push_back("third_party");
  if (needed.empty()) return Status::Ok();
  CONSENTD_ASSIGN_OR_RETURN(std::vector<AssessmentState> have, ctx.state.Assessments(b.sender));
  for (const std::string& scope : needed) {
    const bool covered = std::any_of(have.begin(), have.end(), [&](const AssessmentState& a) {
      return a.CoversAt(scope, b.shared_at);
    });
    if (!covered) {
      return Status::Error(
          Reason::kAssessmentRequired,
          "no impact assessment of " + b.sender + " covers " + scope + " processing at shared_at");
    }
  }
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
