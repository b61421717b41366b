// GET /v1/reports/compliance: the regulator's compliance report (ledger/query/report.h), per
// controller and period, from one snapshot.
//
// Access follows /v1/audit/log: auditors and regulators may ask about any member (or, without
// `member`, every insurer); an insurer's token gets its own member's report, and naming another
// member is 403. A report reads up to ledger::kReportBudget entries, so it runs on the server's
// work pool and holds a stream slot of its caller's class while it is computed.

#include "ledger/query/report.h"
#include "node/http/api.h"

namespace consentd::node::http {
namespace {

bool IsMemberId(std::string_view id) {
  if (id.size() < 2 || id.size() > 32 || id.front() == '-') return false;
  for (char ch : id) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  }
  return true;
}

void ComplianceReport(Api& api, Context& c) {
  if (auto st = c.params.Only({"member", "from", "to"}); !st.ok()) return c.Fail(st);
  auto from = c.params.Time("from");
  auto to = c.params.Time("to");
  if (!from.ok()) return c.Fail(from.status());
  if (!to.ok()) return c.Fail(to.status());
  if (*from && *to && **from > **to) return c.Fail(Reason::kBadParameter, "from is after to");
  auto member = c.params.Get("member");
  if (member && !IsMemberId(*member)) {
    return c.Fail(Reason::kBadParameter, "member must be a member id (2-32 of [a-z0-9-])");
  }
  if (member && !c.who.may_see(*member)) {
    return c.Fail(Reason::kForbidden, "an insurer token reads only its own member's report");
  }
  if (!c.who.sees_all()) member = c.who.member;

  StreamSlot slot(api, c.who);
  if (!slot.ok()) return c.Fail(Reason::kTooManyStreams, "too many reports and streams; try again");
  const ledger::Queries q = api.Snapshot();
  if (member) {
    auto m = q.Member(*member);
    if (!m.ok()) return c.Fail(m.status());
    if (!m->has_value()) return c.Fail(Reason::kNotFound, "no member " + *member);
  }
  ledger::ComplianceRequest r;
  r.member = member;
  r.from = from->value_or(0);
  r.to = *to;
  auto report = ledger::ComplianceReport(q, r);
  if (!report.ok()) return c.Fail(report.status());
  c.Reply(200, *report);
}

}  // namespace

std::vector<Route> ReportRoutes(Api& api) {
  Api* a = &api;
  return {{"GET", "/v1/reports/compliance", Access::kToken,
           [a](Context& c) { ComplianceReport(*a, c); }, /*blocking=*/true}};
}

}  // namespace consentd::node::http
