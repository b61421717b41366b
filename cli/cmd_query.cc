// consentctl status, consent show, consents, check, history, agreements: read-only queries.

#include <cstdio>

#include "cli/commands.h"
#include "common/hex.h"
#include "wallet/tx_builder.h"

namespace consentd::cli {
namespace {

// GET `path` and print the answer (human or --json).
int Query(const Args& a, const std::string& path) {
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  auto j = GetJson(*client, path);
  if (!j.ok()) return FailStatus(j.status());
  a.Json() ? PrintJson(*j) : PrintHuman(*j);
  return kExitOk;
}

constexpr const char* kNodeHelp =
    "\nNode options: --node URL (default http://127.0.0.1:8601), --token TOKEN | --token-env VAR "
    "| --token-file FILE\n(a role token from the node's config; testnets write them to "
    "tokens.json), or --sign-key KEY_FILE\n(a customer signs each request with their subject "
    "key: docs/API.md, \"Customers\"; with --derive-for CONTROLLER the key a\nwallet root derives "
    "for that insurer: docs/WALLET.md), --json.\n";

// SUBJECT as given, or with --sign-key and no SUBJECT, the signing key's own subject.
Result<std::string> SubjectOrOwn(const Args& a) {
  if (!a.positional.empty()) return a.positional[0];
  if (!a.Has("--sign-key"))
    return Status::Error(Reason::kUsage, "SUBJECT is required (or --sign-key)");
  CONSENTD_ASSIGN_OR_RETURN(crypto::PrivateKey key, SigningKey(a));
  return "key:" + key.public_key().Hex();
}

// Prints a query command's help, then the options every query to a node takes.
bool HelpIf(const Args& a, const char* text) {
  if (!a.Help()) return false;
  std::fputs(text, stdout);
  std::fputs(kNodeHelp, stdout);
  return true;
}

}  // namespace

int StatusCommand(const Args& a) {
  if (HelpIf(a,
             "consentctl status [--node URL] [--json]\n\nShows the node's chain, height, "
             "round, peers and mempool (GET /v1/status).\n")) {
    return kExitOk;
  }
  if (auto e = CheckArgs(a, kNodeOptions, 0, 0, "consentctl status [--node URL] [--json]")) {
    return *e;
  }
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  auto r = GetJson(*client, "/v1/status");
  if (!r.ok()) return FailStatus(r.status());
  if (a.Json()) {
    PrintJson(*r);
    return kExitOk;
  }
  const Json& s = *r;
  auto num = [&](const char* k) {
    return s.contains(k) && s[k].is_number_integer() ? s[k].dump() : std::string("?");
  };
  auto str = [&](const char* k) {
    return s.contains(k) && s[k].is_string() ? s[k].get<std::string>() : std::string("?");
  };
  const std::size_t peers = s.contains("peers")
                                ? (s["peers"].is_array()             ? s["peers"].size()
                                   : s["peers"].is_number_unsigned() ? s["peers"].get<std::size_t>()
                                                                     : 0)
                                : 0;
  std::printf(
      "chain      %s\nheight     %s\nround      %s\npeers      %zu\nmempool    %s txs\nsyncing    "
      "%s\nversion    %s\n",
      str("chain_id").c_str(), num("height").c_str(), num("round").c_str(), peers,
      num("mempool_size").c_str(), s.value("syncing", false) ? "yes" : "no",
      str("version").c_str());
  return kExitOk;
}

int ConsentCommand(const Args& all) {
  constexpr const char* kHelp =
      "consentctl consent show CONSENT_ID [--node URL] [--json]\n\nA consent's fields, derived "
      "status (Given, Renewed, Withdrawn, Revoked, Expired, Superseded,\nTransferred) and history "
      "(GET /v1/consents/ID). A consent's id is its grant's tx id.\n";
  if (HelpIf(all, kHelp)) return kExitOk;
  if (all.positional.empty() || all.positional[0] != "show") {
    return Fail(kExitUsage, "usage: consentctl consent show CONSENT_ID");
  }
  Args a = all;
  a.positional.erase(a.positional.begin());
  if (auto e = CheckArgs(a, kNodeOptions, 1, 1, "consentctl consent show CONSENT_ID")) return *e;
  if (!HexDecodeFixed<32>(a.positional[0]).ok()) {
    return Fail(kExitUsage, "consent show: CONSENT_ID must be 64 lowercase hex characters");
  }
  return Query(a, "/v1/consents/" + a.positional[0]);
}

int ConsentsCommand(const Args& a) {
  if (HelpIf(a,
             "consentctl consents SUBJECT [--node URL] [--token ...] [--json]\n"
             "consentctl consents --sign-key KEY_FILE\n\nA subject's consents (GET "
             "/v1/subjects/SUBJECT/consents); SUBJECT is key:<hex> or ref:<hex>.\nA customer "
             "lists their own with --sign-key and no SUBJECT.\n")) {
    return kExitOk;
  }
  if (auto e = CheckArgs(a, kNodeOptions, 0, 1, "consentctl consents SUBJECT")) return *e;
  auto subject = SubjectOrOwn(a);
  if (!subject.ok()) return FailStatus(subject.status());
  return Query(a, "/v1/subjects/" + UrlEncode(*subject) + "/consents");
}

int HistoryCommand(const Args& a) {
  if (HelpIf(a,
             "consentctl history SUBJECT [--node URL] [--token ...] [--json]\n"
             "consentctl history --sign-key KEY_FILE\n\nEverything the ledger recorded about a "
             "subject, in order (GET /v1/subjects/SUBJECT/history).\nNeeds an insurer, auditor "
             "or regulator token, or the customer's own --sign-key (then SUBJECT\nmay be "
             "left out). SUBJECT is key:<hex> or ref:<hex>.\n")) {
    return kExitOk;
  }
  if (auto e = CheckArgs(a, kNodeOptions, 0, 1, "consentctl history SUBJECT --token TOKEN")) {
    return *e;
  }
  auto subject = SubjectOrOwn(a);
  if (!subject.ok()) return FailStatus(subject.status());
  return Query(a, "/v1/subjects/" + UrlEncode(*subject) + "/history");
}

int AgreementsCommand(const Args& a) {
  if (HelpIf(a,
             "consentctl agreements [--party MEMBER] [--status STATUS] [--node URL] [--json]\n"
             "consentctl agreements show AGREEMENT_ID\n\nCross-border agreements (GET "
             "/v1/agreements, /v1/agreements/ID). STATUS: pending, active,\nsuspended, "
             "terminated.\n")) {
    return kExitOk;
  }
  if (!a.positional.empty() && a.positional[0] == "show") {
    Args b = a;
    b.positional.erase(b.positional.begin());
    if (auto e = CheckArgs(b, kNodeOptions, 1, 1, "consentctl agreements show ID")) return *e;
    if (!HexDecodeFixed<32>(b.positional[0]).ok()) {
      return Fail(kExitUsage, "agreements show: ID must be 64 lowercase hex characters");
    }
    return Query(b, "/v1/agreements/" + b.positional[0]);
  }
  if (auto e = CheckArgs(a, WithNodeOptions({"--party", "--status"}), 0, 0,
                         "consentctl agreements [--party MEMBER] [--status STATUS]")) {
    return *e;
  }
  std::string query;
  for (const auto& [opt, param] :
       {std::pair<const char*, const char*>{"--party", "party"}, {"--status", "status"}}) {
    if (a.Has(opt))
      query += std::string(query.empty() ? "?" : "&") + param + "=" + UrlEncode(a.Get(opt));
  }
  return Query(a, "/v1/agreements" + query);
}

int CheckCommand(const Args& a) {
  constexpr const char* kUsage =
      "consentctl check --subject S --recipient M --purpose P --category C [--jurisdiction J] "
      "[--at TIME]";
  if (a.Help()) {
    std::printf(
        "%s [--node URL] [--json]\n\nMay RECIPIENT receive SUBJECT's CATEGORY data for PURPOSE "
        "(abroad: in JURISDICTION) at TIME\n(default: now)? Answers from the ledger (GET "
        "/v1/check) with the justifying consent ids or\nthe reason it is not allowed.\n\nExit "
        "codes: 0 allowed, 1 not allowed (or invalid), 2 usage, 3 network.\n",
        kUsage);
    return kExitOk;
  }
  if (auto e = CheckArgs(a,
                         WithNodeOptions({"--subject", "--recipient", "--purpose", "--category",
                                          "--jurisdiction", "--at"}),
                         0, 0, kUsage)) {
    return *e;
  }
  std::string query;
  for (const char* p : {"subject", "recipient", "purpose", "category"}) {
    const std::string opt = std::string("--") + p;
    if (!a.Has(opt)) return Fail(kExitUsage, "check needs " + opt + "\nusage: " + kUsage);
    query += std::string(query.empty() ? "?" : "&") + p + "=" + UrlEncode(a.Get(opt));
  }
  if (a.Has("--jurisdiction")) query += "&jurisdiction=" + UrlEncode(a.Get("--jurisdiction"));
  if (a.Has("--at")) {
    auto t = wallet::ParseTime(a.Get("--at"));
    if (!t.ok()) return Fail(kExitUsage, "--at: " + t.status().message());
    query += "&at=" + std::to_string(*t);
  }
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  auto j = GetJson(*client, "/v1/check" + query);
  if (!j.ok()) return FailStatus(j.status());
  const bool allowed = j->is_object() && j->value("allowed", false);
  if (a.Json()) {
    PrintJson(*j);
  } else {
    std::printf("%s\n", allowed ? "ALLOWED" : "NOT ALLOWED");
    PrintHuman(*j, 2);
  }
  return allowed ? kExitOk : kExitInvalid;
}

}  // namespace consentd::cli
