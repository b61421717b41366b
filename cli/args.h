#pragma once

// What every consentctl command shares: the parsed command line, exit codes, output helpers,
// key and passphrase loading, and talking to a node (errors shown with the node's code).
//
// Exit codes (documented in docs/CLI.md): 0 ok, 1 rejected or invalid, 2 usage, 3 network.

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/client.h"
#include "common/json.h"
#include "common/result.h"
#include "crypto/schnorr.h"

namespace consentd::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNetwork = 3;
inline constexpr const char* kDefaultNode = "http://127.0.0.1:8601";

// The options of every command that talks to a node.
// --sign-key KEY signs as a customer; its passphrase options come with it.
// --derive-for CONTROLLER makes the --sign-key file a wallet root and signs with the subject
// key it derives for that controller (docs/WALLET.md).
inline const std::set<std::string> kNodeOptions = {
    "--node",     "--token",      "--token-env",      "--token-file",     "--as",
    "--sign-key", "--derive-for", "--passphrase-env", "--passphrase-file"};
// `base` plus kNodeOptions.
std::set<std::string> WithNodeOptions(std::set<std::string> base);

struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // --name value ("" for flags)

  bool Has(const std::string& name) const;
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Help() const { return Has("--help") || Has("-h"); }
  bool Json() const { return Has("--json"); }
};

// Options that never take a value.
bool IsFlag(const std::string& arg);
Args ParseArgs(int argc, char** argv, int first);

// Prints "consentctl: message" to stderr and returns `code`.
int Fail(int code, const std::string& message);
// Maps a Status to an exit code: network -> 3, usage -> 2, anything else -> 1.
int ExitFor(const Status& st);
int FailStatus(const Status& st);
// Usage errors for options the command does not know (besides the global ones) and for a
// positional-argument count outside [min, max]. Returns nullopt when all is well.
std::optional<int> CheckArgs(const Args& a, const std::set<std::string>& allowed,
                             std::size_t min_positional, std::size_t max_positional,
                             const char* usage_line);

using Handler = int (*)(const Args&);
// Runs the subcommand named by the first positional argument ("key new ..."), with that
// argument removed; prints `help` for --help and a usage error for a missing or unknown one.
int RunSubcommand(const Args& a, const char* group, const char* help,
                  std::initializer_list<std::pair<std::string_view, Handler>> subcommands);

void PrintJson(const Json& j);
// A readable rendering of any JSON value: "key: value" lines, nested objects indented.
void PrintHuman(const Json& j, int indent = 0);

// Reads a key file and opens it: plaintext files directly, encrypted ones with the passphrase
// from --passphrase-file, --passphrase-env or a prompt without echo. Warns on loose permissions.
// With `passphrase_used`, sets it to the passphrase that opened the file (nullopt: plaintext).
Result<crypto::PrivateKey> LoadKey(const std::string& path, const Args& a,
                                   std::optional<std::string>* passphrase_used = nullptr);
// The customer's key for signed requests: --sign-key's key, or with --derive-for M the subject
// key derived from it for controller M. Errors: "usage" (--derive-for without --sign-key),
// "bad_controller", and LoadKey's.
Result<crypto::PrivateKey> SigningKey(const Args& a);
// The chain id given offline by --chain-id ID or --genesis FILE (nullopt when neither is).
Result<std::optional<std::string>> ChainIdOption(const Args& a);
// The passphrase for a new or an existing key (a prompt asks twice when `confirm`). Errors:
// "key_passphrase_required" when there is no source and no terminal.
Result<std::string> Passphrase(const Args& a, bool confirm);

// A client for --node (default $CONSENTD_NODE, else http://127.0.0.1:8601) with the token from
// --token, --token-env VAR, --token-file FILE (a plain token, or a testnet's tokens.json with
// --as MEMBER), else $CONSENTD_TOKEN.
Result<Client> NodeClient(const Args& a);
// A response that is not 2xx as a Status: the node's {"error":{"code","message"}} when it sent
// one. 5xx answers have code "network" (exit 3), with the node's code in the message.
Status NodeError(const Response& r);
// GET returning the JSON body of a 2xx answer.
Result<Json> GetJson(const Client& c, const std::string& path);

std::string UrlEncode(const std::string& s);
// A time option (`--from`, `--at`: Unix ms, an ISO 8601 UTC time or "now"); nullopt when absent
// or "now" (the node's head time). Errors: "usage".
Result<std::optional<std::int64_t>> TimeOption(const Args& a, const std::string& option);
// Writes `text` to --out (atomically) or else to stdout; the exit code.
int WriteOutput(const Args& a, const std::string& text);
// "2026-01-01T00:00:00.000Z" for Unix milliseconds.
std::string FormatTime(std::int64_t ms);

}  // namespace consentd::cli
