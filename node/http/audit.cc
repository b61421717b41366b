// GET /v1/audit/log: committed transactions in block order, filtered by height range, type and
// member. As JSON it is paged by cursor; with format=ndjson or format=csv it streams the whole
// range as one chunked response, one page at a time from one snapshot, so memory stays constant
// however long the history. An insurer's token sees the transactions its member is involved in.

#include "common/csv.h"
#include "common/hex.h"
#include "ledger/tx_body.h"
#include "node/http/api.h"
#include "node/node.h"

namespace consentd::node::http {
namespace {

constexpr std::size_t kExportPage = 500;

std::string CsvLine(const Json& item) {
  std::string members;
  for (const Json& m : item["members"]) {
    if (!members.empty()) members += ';';
    members += m.get<std::string>();
  }
  return std::to_string(item["height"].get<std::uint64_t>()) + "," +
         std::to_string(item["index"].get<std::uint64_t>()) + "," +
         std::to_string(item["time_ms"].get<std::int64_t>()) + "," +
         item["tx_id"].get<std::string>() + "," + item["type"].get<std::string>() + "," +
         CsvField(members) + "," + CsvField(CanonicalJson(item["tx"])) + "\r\n";
}

constexpr const char* kCsvHeader = "height,index,time_ms,tx_id,type,members,tx\r\n";

// The export's body: one page of the audit log per piece, from one snapshot.
class Export final : public BodyStream {
 public:
  Export(Api& api, ledger::AuditFilter filter, bool csv, std::shared_ptr<StreamSlot> slot)
      : api_(api),
        queries_(api.Snapshot()),
        filter_(std::move(filter)),
        page_{"", kExportPage},
        csv_(csv),
        slot_(std::move(slot)) {}

  Step Next(std::string* out, bool) override {
    if (api_.stopping) return Step::kAbort;
    if (csv_ && !header_sent_) {
      *out = kCsvHeader;
      header_sent_ = true;
    }
    auto page = queries_.AuditLog(filter_, page_);
    if (!page.ok()) {
      // The status line is gone; say so in the body and cut the stream short.
      const std::string line = CanonicalJson(ErrorBody(page.status()));
      *out += csv_ ? "# error: " + line + "\r\n" : line + "\n";
      return Step::kAbort;
    }
    for (const Json& item : page->items) {
      if (csv_) {
        *out += CsvLine(item);
      } else {
        AppendCanonicalJson(item, out);
        *out += '\n';
      }
    }
    if (!page->next_cursor) return Step::kDone;
    page_.cursor = *page->next_cursor;
    return Step::kData;
  }

 private:
  Api& api_;
  ledger::Queries queries_;
  ledger::AuditFilter filter_;
  ledger::PageRequest page_;
  bool csv_;
  bool header_sent_ = false;
  std::shared_ptr<StreamSlot> slot_;
};

void AuditLog(Api& api, Context& c) {
  if (auto st = c.params.Only(
          {"from_height", "to_height", "type", "member", "cursor", "limit", "format"});
      !st.ok())
    return c.Fail(st);
  ledger::AuditFilter f;
  constexpr std::uint64_t kMaxHeight = std::uint64_t{1} << 53;
  auto from = c.params.Uint("from_height", 1, kMaxHeight);
  auto to = c.params.Uint("to_height", 1, kMaxHeight);
  if (!from.ok()) return c.Fail(from.status());
  if (!to.ok()) return c.Fail(to.status());
  if (*from) f.from_height = **from;
  if (*to) f.to_height = **to;
  if (*to && f.from_height > f.to_height) {
    return c.Fail(Reason::kBadParameter, "from_height is above to_height");
  }
  if (auto type = c.params.Get("type")) {
    f.type = ledger::ParseTxType(*type);
    if (!f.type) return c.Fail(Reason::kBadParameter, "type is not a transaction type");
  }
  if (auto member = c.params.Get("member")) {
    if (!c.who.may_see(*member)) {
      return c.Fail(Reason::kForbidden, "an insurer token reads only its own member's log");
    }
    f.member = *member;
  }
  if (!c.who.sees_all()) f.member = c.who.member;
  const std::string format = c.params.Get("format").value_or("json");
  if (format != "json" && format != "ndjson" && format != "csv") {
    return c.Fail(Reason::kBadParameter, "format must be json, ndjson or csv");
  }

  if (format == "json") {
    auto page = c.params.Page();
    if (!page.ok()) return c.Fail(page.status());
    return c.ReplyPage(api.Snapshot().AuditLog(f, *page));
  }
  if (c.params.Get("cursor") || c.params.Get("limit")) {
    return c.Fail(Reason::kBadParameter, "an export streams the whole range: no cursor or limit");
  }
  auto slot = std::make_shared<StreamSlot>(api, c.who);
  if (!slot->ok()) return c.Fail(Reason::kTooManyStreams, "too many streams open; try again later");
  const bool csv = format == "csv";
  c.res.status = 200;
  c.res.content_type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
  c.res.SetHeader("Content-Disposition", std::string("attachment; filename=\"audit-log.") +
                                             (csv ? "csv" : "ndjson") + "\"");
  c.res.stream = std::make_shared<Export>(api, f, csv, std::move(slot));
}

}  // namespace

std::vector<Route> AuditRoutes(Api& api) {
  Api* a = &api;
  return {{"GET", "/v1/audit/log", Access::kToken, [a](Context& c) { AuditLog(*a, c); }}};
}

}  // namespace consentd::node::http
