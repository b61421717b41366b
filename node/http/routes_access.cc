// GET /v1/access-log: the node's read-access log (node/access_log.h, docs/API.md "Access
// log"): who read which subjects' records, when, under which role. Auditors and regulators
// read all of it; an insurer reads the entries of its own member's principals; a customer the
// entries that list their own subject (and whole-store reads). JSON pages by cursor, or the
// whole filtered range streamed as NDJSON for an export that VerifyAccessLog checks.

#include "ledger/subject.h"
#include "node/http/api.h"

namespace consentd::node::http {
namespace {

constexpr std::size_t kExportPage = 500;
constexpr std::size_t kMaxNameLength = 256;

Json HeadJson(const AccessHead& head) { return Json{{"hash", head.hash}, {"seq", head.seq}}; }

// The NDJSON export: one page of entries per piece until the filtered range ends. Entries
// appended while it runs are included when they fall before its end.
class Export final : public BodyStream {
 public:
  Export(Api& api, AccessFilter filter, std::shared_ptr<StreamSlot> slot)
      : api_(api), filter_(std::move(filter)), page_{"", kExportPage}, slot_(std::move(slot)) {}

  Step Next(std::string* out, bool) override {
    if (api_.stopping) return Step::kAbort;
    auto page = api_.access_log->Query(filter_, page_);
    if (!page.ok()) {
      *out = CanonicalJson(ErrorBody(page.status())) + "\n";
      return Step::kAbort;
    }
    for (const Json& entry : page->items) {
      AppendCanonicalJson(entry, out);
      *out += '\n';
    }
    if (!page->next_cursor) return Step::kDone;
    page_.cursor = *page->next_cursor;
    return Step::kData;
  }

 private:
  Api& api_;
  AccessFilter filter_;
  ledger::PageRequest page_;
  std::shared_ptr<StreamSlot> slot_;
};

void AccessLogRead(Api& api, Context& c) {
  if (auto st = c.params.Only({"subject", "member", "principal", "cursor", "limit", "format"});
      !st.ok()) {
    return c.Fail(st);
  }
  if (!api.access_log)
    return c.Fail(Reason::kAccessLogUnavailable, "this node keeps no access log");
  AccessFilter f;
  if (auto subject = c.params.Get("subject")) {
    auto parsed = ledger::Subject::FromString(*subject);
    if (!parsed.ok()) {
      return c.Fail(Reason::kBadParameter, "subject must be key:<64 hex> or ref:<64 hex>");
    }
    f.subject = parsed->ToString();
  }
  if (auto principal = c.params.Get("principal")) {
    if (principal->empty() || principal->size() > kMaxNameLength) {
      return c.Fail(Reason::kBadParameter, "principal must be a name of 1 to 256 bytes");
    }
    f.principal = *principal;
  }
  if (auto member = c.params.Get("member")) {
    if (member->empty() || member->size() > kMaxNameLength) {
      return c.Fail(Reason::kBadParameter, "member must be a member id");
    }
    f.member = *member;
  }
  // The caller's scope: a customer their own subject, an insurer its own member's principals.
  if (c.who.customer()) {
    const std::string own = c.who.subject->ToString();
    if (f.subject && *f.subject != own) {
      return c.Fail(Reason::kForbidden,
                    "a customer reads the access log of their own subject only");
    }
    f.subject = own;
  } else if (!c.who.sees_all()) {
    if (f.member && *f.member != c.who.member) {
      return c.Fail(Reason::kForbidden, "an insurer token reads its own member's access log only");
    }
    f.member = c.who.member;
  }
  const std::string format = c.params.Get("format").value_or("json");
  if (format != "json" && format != "ndjson") {
    return c.Fail(Reason::kBadParameter, "format must be json or ndjson");
  }
  if (format == "json") {
    auto page = c.params.Page();
    if (!page.ok()) return c.Fail(page.status());
    const AccessHead head = api.access_log->head();
    auto entries = api.access_log->Query(f, *page);
    if (!entries.ok()) return c.Fail(entries.status());
    Json body = entries->ToJson();
    body["head"] = HeadJson(head);
    return c.Reply(200, body);
  }
  if (c.params.Get("cursor") || c.params.Get("limit")) {
    return c.Fail(Reason::kBadParameter, "an export streams the whole range: no cursor or limit");
  }
  auto slot = std::make_shared<StreamSlot>(api, c.who);
  if (!slot->ok()) return c.Fail(Reason::kTooManyStreams, "too many streams open; try again later");
  c.res.status = 200;
  c.res.content_type = "application/x-ndjson";
  c.res.SetHeader("Content-Disposition", "attachment; filename=\"access-log.ndjson\"");
  c.res.stream = std::make_shared<Export>(api, std::move(f), std::move(slot));
}

}  // namespace

std::vector<Route> AccessLogRoutes(Api& api) {
  Api* a = &api;
  Route log{"GET", "/v1/access-log", Access::kSigned, [a](Context& c) { AccessLogRead(*a, c); }};
  log.logs_reads = false;  // reading the log is not a read of the records it lists
  return {std::move(log)};
}

}  // namespace consentd::node::http
