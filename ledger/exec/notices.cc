// notice.publish: a controller's privacy notice (PIPL Art. 17) as a hash and a version; the
// versions of one notice only go up. Grants must reference a published version.

#include "common/hex.h"
#include "ledger/exec/context.h"

namespace consentd::ledger::exec {

Status ExecNoticePublish(ExecContext& ctx, const NoticePublish& b) {
  CONSENTD_ASSIGN_OR_RETURN(auto controller,
                            RequireMember(ctx.state, b.controller, "controller", "insurer"));
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(signers.RequireMember(b.controller, "controller"));
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  CONSENTD_ASSIGN_OR_RETURN(auto existing, ctx.state.Notice(b.controller, b.notice_id));
  NoticeRecord n = existing.value_or(NoticeRecord{b.controller, b.notice_id, {}});
  if (!n.versions.empty() && b.version <= n.versions.back().version) {
    return Status::Error(Reason::kNoticeVersionNotIncreasing,
                         "notice " + b.notice_id + " is at version " +
                             std::to_string(n.versions.back().version) + "; publish a higher one");
  }
  n.versions.push_back(
      NoticeVersion{b.version, b.notice_hash, ctx.time_ms, ctx.height, ctx.tx.id()});
  ctx.state.PutJson(keys::Notice(b.controller, b.notice_id), n.ToJson());
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
