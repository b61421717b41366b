// Routes about transfers of customers between insurers (docs/LEDGER.md "Transfers"; docs/API.md
// "Transfers"): the list (with the overdue filter), a transfer's dossier (JSON or CSV) and its
// notice batches.
//
// Scope: auditors and regulators see every transfer; an insurer's token sees the transfers where
// its member is the seller or the acquirer (naming another's is 403). The notice batches hold no
// subject (a Merkle root and a count each) and answer any identity, customers included: a
// customer checks their delivery proof against them (docs/RECEIPTS.md "Transfer notices").

#include "common/csv.h"
#include "common/hex.h"
#include "node/http/api.h"
#include "node/http/scope.h"

namespace consentd::node::http {
namespace {

bool Party(const Principal& who, const Json& dossier) {
  return who.may_see(dossier.at("seller").get<std::string>()) ||
         who.may_see(dossier.at("acquirer").get<std::string>());
}

void ListTransfers(Api& api, Context& c) {
  if (auto st = c.params.Only({"status", "at", "cursor", "limit"}); !st.ok()) return c.Fail(st);
  const std::string status = c.params.Get("status").value_or("all");
  if (status != "all" && status != "open" && status != "completed" && status != "cancelled" &&
      status != "overdue") {
    return c.Fail(Reason::kBadParameter,
                  "status must be all, open, completed, cancelled or overdue");
  }
  auto at = c.params.Time("at");
  if (!at.ok()) return c.Fail(at.status());
  auto page = c.params.Page();
  if (!page.ok()) return c.Fail(page.status());
  auto result = api.Snapshot().Transfers(status, *page, *at);
  if (result.ok() && !c.who.sees_all()) {
    std::erase_if(result->items, [&](const Json& t) { return !MaySeeRecord(c.who, t); });
  }
  c.ReplyPage(result);
}

std::string Row(std::string_view kind, std::string_view name, const Json& at, const Json& height,
                std::string_view by, const std::string& value) {
  auto text = [](const Json& v) { return v.is_null() ? std::string() : v.dump(); };
  return std::string(kind) + "," + CsvField(name) + "," + text(at) + "," + text(height) + "," +
         CsvField(by) + "," + CsvField(value) + "\r\n";
}

// The dossier as CSV: kind,name,at,height,by,value (docs/API.md "Transfers").
std::string DossierCsv(const Json& d) {
  std::string out = "kind,name,at,height,by,value\r\n";
  out += Row("transfer", "status", d.at("as_of"), d.at("height"), "",
             d.at("status").get<std::string>());
  for (const Json& s : d.at("steps")) {
    std::string value = s.at("tx").get<std::string>();
    if (s.contains("deliveries_root")) {
      value += " " + s.at("deliveries_root").get<std::string>() + " " +
               std::to_string(s.at("deliveries").get<std::int64_t>());
    }
    out += Row("step", s.at("step").get<std::string>(), s.at("at"), s.at("height"),
               s.at("by").get<std::string>(), value);
  }
  for (const auto& [name, v] : d.at("counts").items()) {
    out += Row("count", name, Json(), Json(), "", v.dump());
  }
  for (const char* name : {"open", "overdue", "closed"}) {
    out += Row("duty", name, Json(), Json(), "", d.at("duties").at(name).dump());
  }
  for (const Json& o : d.at("overdue")) {
    out += Row("overdue", o.at("item").get<std::string>(), o.value("due", Json()), Json(), "",
               o.contains("count") ? o.at("count").dump() : "");
  }
  return out;
}

void GetTransfer(Api& api, Context& c) {
  if (auto st = c.params.Only({"at", "format"}); !st.ok()) return c.Fail(st);
  auto id = ParseId("transfer_id", c.args[0]);
  if (!id.ok()) return c.Fail(id.status());
  auto at = c.params.Time("at");
  if (!at.ok()) return c.Fail(at.status());
  const std::string format = c.params.Get("format").value_or("json");
  if (format != "json" && format != "csv") {
    return c.Fail(Reason::kBadParameter, "format must be json or csv");
  }
  auto dossier = api.Snapshot().TransferDossier(*id, *at);
  if (!dossier.ok()) return c.Fail(dossier.status());
  if (!dossier->has_value()) return c.Fail(Reason::kNotFound, "no transfer " + HexEncode(*id));
  if (!Party(c.who, **dossier))
    return c.Fail(Reason::kForbidden, OutOfScope(c.who, "this transfer"));
  if (format == "json") return c.Reply(200, **dossier);
  c.res.status = 200;
  c.res.content_type = "text/csv; charset=utf-8";
  c.res.SetHeader("Content-Disposition",
                  "attachment; filename=\"transfer-" + HexEncode(*id).substr(0, 16) + ".csv\"");
  c.res.body = DossierCsv(**dossier);
}

void GetTransferNotices(Api& api, Context& c) {
  if (auto st = c.params.Only({}); !st.ok()) return c.Fail(st);
  auto id = ParseId("transfer_id", c.args[0]);
  if (!id.ok()) return c.Fail(id.status());
  auto notices = api.Snapshot().TransferNotices(*id);
  if (!notices.ok()) return c.Fail(notices.status());
  if (!notices->has_value()) return c.Fail(Reason::kNotFound, "no transfer " + HexEncode(*id));
  c.Reply(200, **notices);
}

}  // namespace

std::vector<Route> TransferRoutes(Api& api) {
  Api* a = &api;
  return {
      {"GET", "/v1/transfers", Access::kToken, [a](Context& c) { ListTransfers(*a, c); }},
      {"GET", "/v1/transfers/{transfer_id}", Access::kToken,
       [a](Context& c) { GetTransfer(*a, c); }},
      {"GET", "/v1/transfers/{transfer_id}/notices", Access::kSigned,
       [a](Context& c) { GetTransferNotices(*a, c); }},
  };
}

}  // namespace consentd::node::http
