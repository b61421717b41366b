// consentctl report compliance: the regulator's compliance report (GET /v1/reports/compliance)
// as JSON, or flattened to CSV rows of member, figure, key and value.

#include <cstdio>

#include "cli/commands.h"
#include "common/csv.h"

namespace consentd::cli {
namespace {

constexpr const char* kHelp =
    R"(consentctl report compliance [--member M] [--from TIME] [--to TIME] [--format json|csv]
                             [--out FILE] [--node URL] [--token ...]

The compliance report of GET /v1/reports/compliance (docs/API.md defines every figure): per
controller (M, or every insurer) and period, consents granted / withdrawn / revoked / expired,
sharing by recipient, purpose and destination, cross-border volume per calendar year against
the CAC standard-contract thresholds, rights requests, incidents, portfolio transfers.
Times are Unix milliseconds, 2026-01-01T00:00:00Z or now; --from defaults to 0, --to to the
head block's time. Needs an auditor or regulator token (an insurer's token: its own member).

  --format json   the node's report document (default)
  --format csv    one row per figure: member,figure,key,value (CRLF line ends)
  --out FILE      write there instead of stdout
)";

std::string Scalar(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const Json& x : v) out += (out.empty() ? "" : ";") + Scalar(x);
    return out;
  }
  return v.dump();
}

struct Row {
  std::string member, figure, key, value;
};

// Objects nest into dotted figure names; `by_*` maps and lists of records (keyed by their "id"
// or "year") put the map key or record key in the key column; lists of codes join with ';'.
void Flatten(const std::string& member, const std::string& figure, const std::string& key,
             const Json& j, std::vector<Row>* rows) {
  auto name = [&](const std::string& k) { return figure.empty() ? k : figure + "." + k; };
  if (!j.is_object()) {
    rows->push_back(Row{member, figure, key, Scalar(j)});
    return;
  }
  for (const auto& [k, v] : j.items()) {
    if (k.starts_with("by_") && v.is_object()) {
      for (const auto& [mk, mv] : v.items()) rows->push_back(Row{member, name(k), mk, Scalar(mv)});
    } else if (v.is_array() && !v.empty() && v[0].is_object()) {
      for (const Json& item : v) {
        const char* id = item.contains("id") ? "id" : "year";
        Json rest = item;
        rest.erase(id);
        Flatten(member, name(k), item.contains(id) ? Scalar(item[id]) : "", rest, rows);
      }
    } else {
      Flatten(member, name(k), key, v, rows);
    }
  }
}

std::string ToCsv(const Json& report) {
  std::vector<Row> rows;
  Json head = report;
  head.erase("controllers");
  Flatten("", "", "", head, &rows);
  for (const Json& c : report.value("controllers", Json::array())) {
    Json body = c;
    body.erase("member");
    Flatten(c.value("member", ""), "", "", body, &rows);
  }
  std::string out = "member,figure,key,value\r\n";
  for (const Row& r : rows) {
    out += CsvField(r.member) + "," + CsvField(r.figure) + "," + CsvField(r.key) + "," +
           CsvField(r.value) + "\r\n";
  }
  return out;
}

int Compliance(const Args& a) {
  constexpr const char* kUsage =
      "consentctl report compliance [--member M] [--from T] [--to T] [--format json|csv]";
  if (auto e = CheckArgs(a, WithNodeOptions({"--member", "--from", "--to", "--format", "--out"}), 0,
                         0, kUsage)) {
    return *e;
  }
  const std::string format = a.Get("--format", "json");
  if (format != "json" && format != "csv") return Fail(kExitUsage, "--format must be json or csv");
  auto from = TimeOption(a, "--from");
  if (!from.ok()) return FailStatus(from.status());
  auto to = TimeOption(a, "--to");
  if (!to.ok()) return FailStatus(to.status());
  if (*from && *to && **from > **to) return Fail(kExitUsage, "--from is after --to");
  std::string query;
  auto add = [&](const std::string& k, const std::string& v) {
    query += (query.empty() ? "?" : "&") + k + "=" + UrlEncode(v);
  };
  if (a.Has("--member")) add("member", a.Get("--member"));
  if (*from) add("from", std::to_string(**from));
  if (*to) add("to", std::to_string(**to));

  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  auto report = GetJson(*client, "/v1/reports/compliance" + query);
  if (!report.ok()) return FailStatus(report.status());
  if (!report->is_object()) return Fail(kExitInvalid, "the node's report is not a JSON object");
  return WriteOutput(a, format == "csv" ? ToCsv(*report) : CanonicalJson(*report) + "\n");
}

}  // namespace

int ReportCommand(const Args& a) {
  return RunSubcommand(a, "report", kHelp, {{"compliance", Compliance}});
}

}  // namespace consentd::cli
