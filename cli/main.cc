// consentctl: the command-line client of consentd.

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/testnet.h"
#include "common/file_util.h"
#include "common/reason.h"
#include "common/reason_docs.h"
#include "common/version.h"
#include "ledger/tx_decl_docs.h"
#include "ledger/vocab/vocabulary.h"

namespace {

using namespace consentd;
using namespace consentd::cli;

constexpr const char* kUsage = R"(consentctl - command-line client of the consentd consent ledger

Usage:
  consentctl <command> [options]

Keys and transactions:
  key new|show|export-public     create and inspect signing keys
  tx <type> [--FIELD VALUE]...   build a tx of any type, sign it (--key), submit it (--submit)
  tx sign FILE --key KEY         add a signature to a tx file (multi-party signing)
  tx show FILE                   what a tx file holds and who has signed it
  submit FILE [--wait]           submit a complete tx file
Receipts:
  receipt get TX_ID --out FILE   fetch a committed tx's receipt
  receipt verify FILE --genesis GENESIS   check a receipt offline
Queries:
  status                         a node's chain, height, peers
  consent show ID                a consent, its derived status and history
  consents SUBJECT               a subject's consents
  check --subject ... --recipient ... --purpose ... --category ... [--at TIME]
  history SUBJECT                everything recorded about a subject (token, or --sign-key)
  agreements [--party M] [--status S]   cross-border agreements
  audit export --from H --to H --format ndjson|csv --out FILE   (token)
  report compliance [--member M] [--from T] [--to T] [--format json|csv]   (token)
  transfer list|dossier          transfers, their steps, duties and what is overdue (token)
  transfer notice-batch|verify-notice   customers' notice delivery proofs (offline, --node)
  access-log list|export|verify  who read which subjects' records (token, or --sign-key)
  tx get TX_ID                   a committed tx
Operators:
  token issue|revoke|list --home DIR   the node's API tokens (named, expiring; SIGHUP applies)
Reference:
  vocab                          every vocabulary the ledger enforces, as JSON
  schema [TYPE] [--out DIR]      each tx type's body as JSON Schema (docs/api/schemas/)
  reasons [--json]               every reason code: HTTP status, class, meaning
Local networks:
  testnet                        write a local network (genesis, validator homes, keys, tokens)

Global options:
  --node URL   the node's HTTP address (default http://127.0.0.1:8601)
  --token T | --token-env VAR | --token-file FILE   role token for protected reads
  --sign-key FILE   sign each request as the customer whose subject key FILE holds
  --json       machine-readable output
  --help       help for a command (consentctl tx consent.grant --help)

Exit codes: 0 ok, 1 rejected or invalid, 2 usage, 3 network.
)";

int Testnet(const Args& a) {
  if (a.Has("--help") || a.Has("-h")) {
    std::puts(R"(consentctl testnet --out DIR [--network FILE | --validators N [--chain-id ID]]

Writes a local network to DIR: genesis.json, nodeI/ homes (config.json, node_key.json,
genesis.json), keys/<member>.json signing keys, tokens.json API tokens. Keys are written
unencrypted (insecure_plaintext_secret): for local test networks only.

  --network FILE     a network description, e.g. network-configs/local-4/network.json
  --validators N     without --network: N insurer validators, a regulator and an auditor
  --chain-id ID      without --network: the chain id (default "local")
  --out DIR          where to write (must not already hold a network))");
    return 0;
  }
  cli::TestnetOptions o;
  o.network_file = a.Get("--network");
  o.out_dir = a.Get("--out");
  o.chain_id = a.Get("--chain-id", "local");
  if (a.Has("--validators")) {
    try {
      o.validators = std::stoi(a.Get("--validators"));
    } catch (const std::exception&) {
      return Fail(2, "--validators needs a number");
    }
  }
  if (o.out_dir.empty())
    return Fail(2, "testnet: --out DIR is required (see consentctl testnet --help)");
  std::string summary;
  Status st = cli::WriteTestnet(o, &summary);
  if (!st.ok()) return Fail(st.reason() == Reason::kTestnetInvalid ? 2 : 1, st.ToString());
  std::fputs(summary.c_str(), stdout);
  return 0;
}

int Vocab(const Args& a) {
  if (a.Has("--help") || a.Has("-h")) {
    std::puts(R"(consentctl vocab
Prints every vocabulary (code list) this build's ledger enforces, as JSON: for each list its
version, its codes and, for data categories, the sensitive ones (docs/VOCABULARY.md). The same
JSON is docs/api/vocabularies.json.)");
    return 0;
  }
  std::puts(ledger::vocab::VocabulariesJson().dump(1).c_str());
  return 0;
}

int Schema(const Args& a) {
  if (a.Has("--help") || a.Has("-h")) {
    std::puts(R"(consentctl schema [TYPE] [--out DIR]
Prints the JSON Schema (draft 2020-12) of the body of transaction type TYPE, or of every type
as one object keyed by type, made from this build's declarations (ledger/tx_types.cc). Besides
the standard keywords each carries "x-consentd-fields" (the fields in the order the ledger
reads them, so which error wins) and "x-consentd-rules" (the cross-field rules with their
reason codes). With --out DIR (created if missing), writes DIR/<type>.json for every type
instead: the same files are docs/api/schemas/ (docs/LEDGER.md).)");
    return 0;
  }
  if (a.Has("--out")) {
    const std::string dir = a.Get("--out");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Fail(kExitInvalid, "schema: cannot create " + dir + ": " + ec.message());
    for (const ledger::TxDecl& d : ledger::TxDecls()) {
      const std::string path = dir + "/" + ledger::ToString(d.type) + ".json";
      if (Status st = WriteFileAtomic(path, ledger::JsonSchemaOf(d).dump(1) + "\n"); !st.ok()) {
        return Fail(kExitInvalid, st.ToString());
      }
    }
    return 0;
  }
  if (!a.positional.empty()) {
    auto type = ledger::ParseTxType(a.positional[0]);
    if (!type) return Fail(kExitUsage, "schema: unknown transaction type " + a.positional[0]);
    std::puts(ledger::JsonSchemaOf(ledger::DeclOf(*type)).dump(1).c_str());
    return 0;
  }
  Json all = Json::object();
  for (const ledger::TxDecl& d : ledger::TxDecls())
    all[ledger::ToString(d.type)] = ledger::JsonSchemaOf(d);
  std::puts(all.dump(1).c_str());
  return 0;
}

int Reasons(const Args& a) {
  if (a.Has("--help") || a.Has("-h")) {
    std::puts(R"(consentctl reasons [--json | --markdown api|local | --openapi]
Prints every reason code this build can give (common/reasons.inc): its HTTP status ("-" when the
API never answers with it), its class (invalid input, rejected, denied, unavailable, internal)
and what it means. --json prints the same as a JSON array; --markdown api and --markdown local
print the tables of docs/API.md "Errors" and docs/CLI.md "Reason codes"; --openapi the entries
of components.x-error-codes in docs/api/openapi.yaml.)");
    return 0;
  }
  if (auto e = CheckArgs(a, {"--json", "--markdown", "--openapi"}, 0, 0,
                         "consentctl reasons [--json | --markdown api|local | --openapi]")) {
    return *e;
  }
  if (a.Has("--json")) {
    std::puts(ReasonsJson().dump(1).c_str());
    return 0;
  }
  if (a.Has("--openapi")) {
    std::fputs(ReasonsOpenApi().c_str(), stdout);
    return 0;
  }
  if (a.Has("--markdown")) {
    const std::string scope = a.Get("--markdown");
    if (scope != "api" && scope != "local") {
      return Fail(kExitUsage, "reasons: --markdown takes api or local");
    }
    std::fputs(ReasonsMarkdown(scope == "api" ? ReasonScope::kApi : ReasonScope::kLocal).c_str(),
               stdout);
    return 0;
  }
  for (const ReasonInfo& r : AllReasons()) {
    const std::string status = r.http_status != 0 ? std::to_string(r.http_status) : "-";
    std::printf("%-34s %-4s %-14s %.*s\n", r.code.c_str(), status.c_str(),
                std::string(ToString(r.cls)).c_str(), static_cast<int>(r.doc.size()), r.doc.data());
  }
  return 0;
}

int Dispatch(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  // Commands handle bad input themselves; this only keeps a bug from ending in an abort.
  try {
    return Dispatch(argc, argv);
  } catch (const std::exception& e) {
    return Fail(kExitInvalid, std::string("internal error: ") + e.what());
  }
}

namespace {

int Dispatch(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("consentctl %s\n", kVersion);
    return 0;
  }
  const std::string command = argv[1];
  const Args args = ParseArgs(argc, argv, 2);
  if (command == "testnet") return Testnet(args);
  if (command == "status") return StatusCommand(args);
  if (command == "vocab") return Vocab(args);
  if (command == "schema") return Schema(args);
  if (command == "reasons") return Reasons(args);
  if (command == "key") return KeyCommand(args);
  if (command == "tx") return TxCommand(args);
  if (command == "submit") return SubmitCommand(args);
  if (command == "receipt") return ReceiptCommand(args);
  if (command == "consent") return ConsentCommand(args);
  if (command == "consents") return ConsentsCommand(args);
  if (command == "check") return CheckCommand(args);
  if (command == "history") return HistoryCommand(args);
  if (command == "agreements") return AgreementsCommand(args);
  if (command == "audit") return AuditCommand(args);
  if (command == "report") return ReportCommand(args);
  if (command == "transfer") return TransferCommand(args);
  if (command == "token") return TokenCommand(args);
  if (command == "access-log") return AccessLogCommand(args);
  return Fail(2, "unknown command \"" + command + "\" (consentctl --help)");
}

}  // namespace
