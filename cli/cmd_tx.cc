// consentctl tx <type> | sign | show | get, and submit FILE.

#include <chrono>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/random.h"
#include "ledger/genesis.h"
#include "ledger/tx_decl.h"
#include "wallet/pending_tx.h"
#include "wallet/tx_builder.h"

namespace consentd::cli {
namespace {

using wallet::PendingTx;

// How far ahead a tx built against a live node expires by default (blocks).
constexpr std::uint64_t kDefaultLifetime = 1000;

constexpr const char* kHelp =
    R"(consentctl tx <type> [--FIELD VALUE]... [options]   build (and sign, and submit) a tx
consentctl tx sign FILE --key KEYFILE [--key KEYFILE]... [--out FILE]
consentctl tx show FILE [--json]
consentctl tx id FILE                 the tx id alone (a consent's id is its grant's tx id)
consentctl tx get TX_ID [--node URL] [--json]
consentctl submit FILE [--wait] [--timeout-ms N] [--receipt-out FILE] [--node URL]
  (also: consentctl tx submit FILE ...)

Types: $TYPES
(`consentctl tx consent.grant --help` lists a type's fields; dashes work too: consent-grant.)

Building a tx:
  --chain-id ID | --genesis FILE   the chain (default: asked of --node)
  --expires-at-height H            last height it may be committed at (default: the node's
                                   height + 1000; required when building offline)
  --nonce N                        default: random
  --key KEYFILE                    sign with this key (repeatable); none: an unsigned tx file
  --out FILE                       write the tx file there (default: print it)
  --submit [--wait]                submit it when complete (--wait: until committed)
The vocabulary and the body schema are checked before anything is signed.

A tx file holds the tx with the signatures collected so far. Pass it to the next signer
(`tx sign`), and `submit` it when every party has signed.

Exit codes: 0 ok, 1 rejected or invalid, 2 usage, 3 network.
)";

std::string FlagOf(std::string_view field) {
  std::string f = "--" + std::string(field);
  for (char& c : f) {
    if (c == '_') c = '-';
  }
  return f;
}

void PrintTypeHelp(const ledger::TxDecl& decl) {
  std::printf("consentctl tx %s [--FIELD VALUE]... [--key KEYFILE]... [--out FILE] [--submit]\n\n",
              ledger::ToString(decl.type));
  std::printf("Signed by: %s.\n\nFields (body of docs/LEDGER.md):\n",
              std::string(decl.signed_by).c_str());
  for (const auto& f : decl.fields) {
    const std::string req = !f.builder_default.empty() ? "default " + std::string(f.builder_default)
                                                       : (f.required ? "required" : "optional");
    std::printf("  %-26s %-16s %-14s %s\n", FlagOf(f.name).c_str(), wallet::TextFormOf(f).c_str(),
                req.c_str(), std::string(f.doc).c_str());
  }
  for (const auto& rule : decl.rules) std::printf("  rule: %s\n", rule.message.c_str());
  std::puts(
      "\nLists are comma-separated; times are Unix milliseconds, 2026-01-01T00:00:00Z or now;\n"
      "subjects are key:<hex> or ref:<hex>. Common options: consentctl tx --help.");
}

std::set<std::string> CommonTxOptions() {
  return WithNodeOptions({"--chain-id", "--genesis", "--nonce", "--expires-at-height", "--key",
                          "--out", "--submit", "--wait", "--timeout-ms", "--receipt-out",
                          "--passphrase-file", "--passphrase-env"});
}

Status WriteOrPrint(const Args& a, const PendingTx& tx, const std::string& out) {
  const std::string text = tx.ToJson().dump(2) + "\n";
  if (out.empty()) {
    std::fputs(text.c_str(), stdout);
    return Status::Ok();
  }
  CONSENTD_RETURN_IF_ERROR(WriteFileAtomic(out, text));
  if (!a.Json()) {
    std::fprintf(stderr, "wrote %s: %s %s, %zu signature(s)\n", out.c_str(),
                 ledger::ToString(tx.type()), HexEncode(tx.id()).c_str(), tx.signatures().size());
  }
  return Status::Ok();
}

Status SignWith(const Args& a, PendingTx& tx) {
  for (const std::string& path : a.GetAll("--key")) {
    CONSENTD_ASSIGN_OR_RETURN(crypto::PrivateKey key, LoadKey(path, a));
    Status st = tx.Sign(key);
    if (!st.ok()) return st.WithContext(path);
  }
  return Status::Ok();
}

// Submits a complete tx; prints the tx id (and, with --wait, the commit).
int Submit(const Args& a, const PendingTx& tx) {
  auto complete = tx.Complete();
  if (!complete.ok()) return FailStatus(complete.status());
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  std::string path = "/v1/txs";
  if (a.Has("--wait")) {
    path += "?wait=commit";
    if (a.Has("--timeout-ms")) path += "&timeout_ms=" + UrlEncode(a.Get("--timeout-ms"));
  }
  auto r = client->Post(path, (*complete)->canonical());
  if (!r.ok()) return FailStatus(r.status());
  const std::string id = HexEncode((*complete)->id());
  if (r->status == 504) {
    return Fail(kExitNetwork, "tx " + id +
                                  " was accepted but not committed in time; fetch its "
                                  "receipt later with: consentctl receipt get " +
                                  id);
  }
  if (r->status < 200 || r->status > 299) {
    Status st = NodeError(*r);
    return Fail(ExitFor(st), "node rejected tx " + id + ": " + st.ToString());
  }
  if (a.Has("--wait")) {
    const Json& receipt = r->body.contains("receipt") ? r->body["receipt"] : r->body;
    if (a.Has("--receipt-out")) {
      Status st = WriteFileAtomic(a.Get("--receipt-out"), receipt.dump(2) + "\n");
      if (!st.ok()) return FailStatus(st);
    }
    if (a.Json()) {
      PrintJson(Json{{"tx_id", id}, {"committed", true}, {"receipt", receipt}});
    } else {
      std::printf("committed %s %s", ledger::ToString(tx.type()), id.c_str());
      if (receipt.contains("header") && receipt["header"].contains("height")) {
        std::printf(" at height %s", receipt["header"]["height"].dump().c_str());
      }
      std::puts("");
      if (a.Has("--receipt-out"))
        std::printf("receipt written to %s\n", a.Get("--receipt-out").c_str());
    }
    return kExitOk;
  }
  if (a.Json()) {
    PrintJson(Json{{"tx_id", id}, {"accepted", true}});
  } else {
    std::printf("accepted %s %s\n", ledger::ToString(tx.type()), id.c_str());
  }
  return kExitOk;
}

Result<std::uint64_t> UintOption(const Args& a, const std::string& name) {
  const std::string v = a.Get(name);
  std::uint64_t out = 0;
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 16) {
    return Status::Error(Reason::kUsage, name + " needs a non-negative integer");
  }
  out = std::stoull(v);
  if (out > static_cast<std::uint64_t>(kJsonMaxSafeInteger)) {
    return Status::Error(Reason::kUsage, name + " is too large");
  }
  return out;
}

// Chain id and expiry: from the options, else from the node.
Status ResolveChain(const Args& a, std::string* chain_id, std::uint64_t* expires) {
  CONSENTD_ASSIGN_OR_RETURN(std::optional<std::string> given, ChainIdOption(a));
  if (given) *chain_id = *given;
  if (a.Has("--expires-at-height")) {
    CONSENTD_ASSIGN_OR_RETURN(*expires, UintOption(a, "--expires-at-height"));
  }
  if (!chain_id->empty() && *expires != 0) return Status::Ok();
  CONSENTD_ASSIGN_OR_RETURN(Client client, NodeClient(a));
  auto status = GetJson(client, "/v1/status");
  if (!status.ok()) {
    return Status(status.status())
        .WithContext(
            "asking the node for the chain id and height (offline: pass --chain-id and "
            "--expires-at-height)");
  }
  if (chain_id->empty()) *chain_id = status->value("chain_id", "");
  if (*expires == 0) {
    *expires = status->value("height", std::uint64_t{0}) + kDefaultLifetime;
  }
  if (chain_id->empty())
    return Status::Error(Reason::kNetwork, "the node's status has no chain_id");
  return Status::Ok();
}

int Build(ledger::TxType type, const Args& a) {
  const ledger::TxDecl& decl = ledger::DeclOf(type);
  if (a.Help()) {
    PrintTypeHelp(decl);
    return kExitOk;
  }
  std::set<std::string> allowed = CommonTxOptions();
  std::map<std::string, std::string> values;
  const std::int64_t now_ms = UnixMillisNow();
  for (const auto& f : decl.fields) {
    allowed.insert(FlagOf(f.name));
    if (!a.Has(FlagOf(f.name))) continue;
    std::string v = a.Get(FlagOf(f.name));
    // "now" is this machine's clock; the ledger judges it against the block time.
    if (f.type == ledger::FieldType::kTime && v == "now") v = std::to_string(now_ms);
    values[std::string(f.name)] = v;
  }
  if (auto e =
          CheckArgs(a, allowed, 0, 0, "consentctl tx TYPE --FIELD VALUE... (tx TYPE --help)")) {
    return *e;
  }
  auto body = wallet::BuildBody(type, values);
  if (!body.ok()) return FailStatus(body.status());
  std::string chain_id;
  std::uint64_t expires = 0;
  Status st = ResolveChain(a, &chain_id, &expires);
  if (!st.ok()) return FailStatus(st);
  std::uint64_t nonce = 0;
  if (a.Has("--nonce")) {
    auto n = UintOption(a, "--nonce");
    if (!n.ok()) return FailStatus(n.status());
    nonce = *n;
  } else {
    FixedBytes<4> raw{};  // a nonce is 32 bits (ledger::Tx::kMaxNonce)
    if (Status r = crypto::RandomBytes(raw); !r.ok()) return FailStatus(r);
    for (std::uint8_t b : raw) nonce = (nonce << 8) | b;
  }
  auto tx = PendingTx::Create(type, chain_id, std::move(*body), nonce, expires);
  if (!tx.ok()) return FailStatus(tx.status());
  if (Status s = SignWith(a, *tx); !s.ok()) return FailStatus(s);
  if (a.Has("--submit")) {
    if (a.Has("--out")) {
      if (Status s = WriteOrPrint(a, *tx, a.Get("--out")); !s.ok()) return FailStatus(s);
    }
    return Submit(a, *tx);
  }
  if (Status s = WriteOrPrint(a, *tx, a.Get("--out")); !s.ok()) return FailStatus(s);
  return kExitOk;
}

Result<PendingTx> LoadTxFile(const std::string& path) {
  auto text = ReadFile(path, 1 << 20);
  if (!text.ok()) return Status::Error(Reason::kUsage, text.status().message());
  auto tx = PendingTx::Parse(*text);
  if (!tx.ok()) return tx.status().WithContext(path);
  return tx;
}

int Sign(const Args& a) {
  if (auto e = CheckArgs(a, {"--key", "--out", "--passphrase-file", "--passphrase-env"}, 1, 1,
                         "consentctl tx sign FILE --key KEYFILE [--out FILE]")) {
    return *e;
  }
  if (!a.Has("--key")) return Fail(kExitUsage, "tx sign: --key KEYFILE is required");
  auto tx = LoadTxFile(a.positional[0]);
  if (!tx.ok()) return FailStatus(tx.status());
  if (Status s = SignWith(a, *tx); !s.ok()) return FailStatus(s);
  if (Status s = WriteOrPrint(a, *tx, a.Get("--out", a.positional[0])); !s.ok()) {
    return FailStatus(s);
  }
  return kExitOk;
}

int Show(const Args& a) {
  if (auto e = CheckArgs(a, {}, 1, 1, "consentctl tx show FILE")) return *e;
  auto tx = LoadTxFile(a.positional[0]);
  if (!tx.ok()) return FailStatus(tx.status());
  Json signers = Json::array();
  for (const auto& s : tx->signatures()) signers.push_back(s.key.Hex());
  if (a.Json()) {
    PrintJson(Json{{"tx_id", HexEncode(tx->id())},
                   {"type", ledger::ToString(tx->type())},
                   {"chain_id", tx->chain_id()},
                   {"sign_hash", HexEncode(tx->sign_hash())},
                   {"signers", signers},
                   {"body", tx->body()}});
    return kExitOk;
  }
  std::printf("type        %s\ntx id       %s\nchain       %s\nexpires at  height %s\n",
              ledger::ToString(tx->type()), HexEncode(tx->id()).c_str(), tx->chain_id().c_str(),
              tx->unsigned_json()["expires_at_height"].dump().c_str());
  if (signers.empty()) {
    std::puts("signed by   nobody yet");
  } else {
    std::printf("signed by   %zu key(s):\n", signers.size());
  }
  for (const Json& s : signers) std::printf("  %s\n", s.get<std::string>().c_str());
  std::printf("needs       %s\nbody:\n", std::string(ledger::DeclOf(tx->type()).signed_by).c_str());
  PrintHuman(tx->body(), 2);
  return kExitOk;
}

int SubmitFile(const Args& a) {
  if (auto e = CheckArgs(a, WithNodeOptions({"--wait", "--timeout-ms", "--receipt-out"}), 1, 1,
                         "consentctl submit FILE [--wait] [--node URL]")) {
    return *e;
  }
  auto tx = LoadTxFile(a.positional[0]);
  if (!tx.ok()) return FailStatus(tx.status());
  return Submit(a, *tx);
}

int GetTx(const Args& a) {
  if (auto e = CheckArgs(a, kNodeOptions, 1, 1, "consentctl tx get TX_ID [--node URL]")) {
    return *e;
  }
  if (!HexDecodeFixed<32>(a.positional[0]).ok()) {
    return Fail(kExitUsage, "tx get: TX_ID must be 64 lowercase hex characters");
  }
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  auto j = GetJson(*client, "/v1/txs/" + a.positional[0]);
  if (!j.ok()) return FailStatus(j.status());
  a.Json() ? PrintJson(*j) : PrintHuman(*j);
  return kExitOk;
}

constexpr const char* kSubmitHelp =
    R"(consentctl submit FILE [--wait] [--timeout-ms N] [--receipt-out FILE] [--node URL]

Submits a complete tx file (POST /v1/txs). --wait holds until the tx is committed
(?wait=commit) and --receipt-out writes the receipt the node returns.
)";

}  // namespace

int SubmitCommand(const Args& a) {
  if (a.Help()) {
    std::fputs(kSubmitHelp, stdout);
    return kExitOk;
  }
  return SubmitFile(a);
}

// kHelp with $TYPES replaced by every type the ledger declares, wrapped at 96 columns.
void PrintHelp() {
  std::string types;
  std::size_t column = 7;
  for (const ledger::TxDecl& d : ledger::TxDecls()) {
    const std::string name(d.name);
    if (!types.empty()) {
      if (column + 1 + name.size() > 96) {
        types += "\n       ";
        column = 7;
      } else {
        types += " ";
        ++column;
      }
    }
    types += name;
    column += name.size();
  }
  std::string help = kHelp;
  help.replace(help.find("$TYPES"), 6, types);
  std::fputs(help.c_str(), stdout);
}

int TxCommand(const Args& all) {
  if (all.positional.empty()) {
    if (all.Help()) {
      PrintHelp();
      return kExitOk;
    }
    return Fail(kExitUsage, "tx needs a type or a subcommand (tx --help)");
  }
  Args a = all;
  std::string sub = a.positional.front();
  a.positional.erase(a.positional.begin());
  if (sub == "id") {
    if (a.Help()) {
      PrintHelp();
      return kExitOk;
    }
    if (auto e = CheckArgs(a, {}, 1, 1, "consentctl tx id FILE")) return *e;
    auto tx = LoadTxFile(a.positional[0]);
    if (!tx.ok()) return FailStatus(tx.status());
    std::puts(HexEncode(tx->id()).c_str());
    return kExitOk;
  }
  if (sub == "sign" || sub == "show" || sub == "get") {
    if (a.Help()) {
      PrintHelp();
      return kExitOk;
    }
    if (sub == "sign") return Sign(a);
    if (sub == "show") return Show(a);
    return GetTx(a);
  }
  if (sub == "submit") return SubmitCommand(a);
  std::string name = sub;
  if (const auto dash = name.find('-'); dash != std::string::npos && name.find('.') == name.npos) {
    name[dash] = '.';
  }
  const auto type = ledger::ParseTxType(name);
  if (!type) return Fail(kExitUsage, "unknown tx type or subcommand \"" + sub + "\" (tx --help)");
  return Build(*type, a);
}

}  // namespace consentd::cli
