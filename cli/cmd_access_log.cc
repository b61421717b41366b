// consentctl access-log: a node's read-access log (docs/API.md, "Access log"): list entries,
// export them, and verify an export's hash chain offline.

#include <fstream>
#include <string>

#include "cli/commands.h"
#include "wallet/access_log_verify.h"

namespace consentd::cli {
namespace {

constexpr const char* kHelp =
    R"(consentctl access-log list [--subject S] [--member M] [--principal NAME] [--cursor C]
                          [--limit N] [--node URL] [--token ... | --sign-key KEY] [--json]
consentctl access-log export --out FILE [--subject S] [--member M] [--principal NAME]
consentctl access-log verify FILE [--filtered]

Who read which subjects' records on this node, when, under which role (GET /v1/access-log).
Auditors and regulators see every entry, an insurer's token its own member's reads, and a
customer (--sign-key) the reads of their own records. `export` streams the matching entries
as NDJSON into FILE (written to FILE.partial first). `verify` checks an export's hash chain
without the node: every entry's hash, the order, and each link to the entry before; a whole
export must start at entry 1, a filtered one (--filtered) may skip entries. Exit codes: 0
verified, 1 broken or unreadable, 2 usage, 3 network.
)";

const std::pair<const char*, const char*> kFilters[] = {
    {"--subject", "subject"}, {"--member", "member"}, {"--principal", "principal"}};

std::string FilterQuery(const Args& a, std::string query) {
  for (const auto& [opt, param] : kFilters) {
    if (a.Has(opt)) {
      query += std::string(query.empty() ? "?" : "&") + param + "=" + UrlEncode(a.Get(opt));
    }
  }
  return query;
}

int List(const Args& a) {
  if (auto e = CheckArgs(
          a, WithNodeOptions({"--subject", "--member", "--principal", "--cursor", "--limit"}), 0, 0,
          "consentctl access-log list [--subject S] [--member M]")) {
    return *e;
  }
  std::string query = FilterQuery(a, "");
  for (const auto& [opt, param] :
       {std::pair<const char*, const char*>{"--cursor", "cursor"}, {"--limit", "limit"}}) {
    if (a.Has(opt)) {
      query += std::string(query.empty() ? "?" : "&") + param + "=" + UrlEncode(a.Get(opt));
    }
  }
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  auto j = GetJson(*client, "/v1/access-log" + query);
  if (!j.ok()) return FailStatus(j.status());
  a.Json() ? PrintJson(*j) : PrintHuman(*j);
  return kExitOk;
}

int Export(const Args& a) {
  if (auto e = CheckArgs(a, WithNodeOptions({"--subject", "--member", "--principal", "--out"}), 0,
                         0, "consentctl access-log export --out FILE")) {
    return *e;
  }
  const std::string out = a.Get("--out");
  if (out.empty()) return Fail(kExitUsage, "access-log export: --out FILE is required");
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  std::uint64_t lines = 0;
  const Status st = client->Download("/v1/access-log" + FilterQuery(a, "?format=ndjson"), out,
                                     [&](std::string_view data) {
                                       for (char c : data) lines += c == '\n';
                                     });
  if (!st.ok()) return FailStatus(st);
  if (a.Json()) {
    PrintJson(Json{{"file", out}, {"entries", lines}});
  } else {
    std::printf("exported %llu entries to %s\n", static_cast<unsigned long long>(lines),
                out.c_str());
  }
  return kExitOk;
}

int Verify(const Args& a) {
  if (auto e = CheckArgs(a, {"--filtered"}, 1, 1, "consentctl access-log verify FILE")) return *e;
  std::ifstream in(a.positional[0], std::ios::binary);
  if (!in) return Fail(kExitInvalid, "cannot read " + a.positional[0]);
  wallet::AccessLogChecker checker(a.Has("--filtered"));
  std::uint64_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    auto entry = ParseJson(line);
    if (!entry.ok()) {
      return Fail(kExitInvalid,
                  "line " + std::to_string(line_no) + " is not JSON: " + entry.status().ToString());
    }
    if (Status st = checker.Next(*entry); !st.ok()) return FailStatus(st);
  }
  if (in.bad()) return Fail(kExitInvalid, "reading " + a.positional[0] + " failed");
  if (a.Json()) {
    PrintJson(Json{{"verified", true},
                   {"entries", checker.count()},
                   {"last_seq", checker.last_seq()},
                   {"last_hash", checker.last_hash()}});
  } else {
    std::printf("verified %llu entries; last seq %llu, hash %s\n",
                static_cast<unsigned long long>(checker.count()),
                static_cast<unsigned long long>(checker.last_seq()), checker.last_hash().c_str());
  }
  return kExitOk;
}

}  // namespace

int AccessLogCommand(const Args& a) {
  return RunSubcommand(a, "access-log", kHelp,
                       {{"list", List}, {"export", Export}, {"verify", Verify}});
}

}  // namespace consentd::cli
