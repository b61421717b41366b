#include "cli/args.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "common/file_util.h"
#include "ledger/genesis.h"
#include "wallet/key_file.h"
#include "wallet/subject_keys.h"
#include "wallet/tx_builder.h"

namespace consentd::cli {
namespace {

const std::set<std::string> kGlobal = {"--help", "-h", "--json"};

// Reads one line from the terminal with echo off. nullopt when there is no terminal.
std::optional<std::string> PromptNoEcho(const std::string& prompt) {
  std::FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) return std::nullopt;
  const int fd = fileno(tty);
  termios old_mode{};
  const bool have_mode = tcgetattr(fd, &old_mode) == 0;
  if (have_mode) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::fputs(prompt.c_str(), tty);
  std::fflush(tty);
  std::string line;
  for (int c = std::fgetc(tty); c != EOF && c != '\n'; c = std::fgetc(tty)) {
    line.push_back(static_cast<char>(c));
  }
  if (have_mode) tcsetattr(fd, TCSAFLUSH, &old_mode);
  std::fputs("\n", tty);
  std::fclose(tty);
  return line;
}

}  // namespace

bool Args::Has(const std::string& name) const {
  for (const auto& [k, v] : options) {
    if (k == name) return true;
  }
  return false;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  for (const auto& [k, v] : options) {
    if (k == name) return v;
  }
  return fallback;
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : options) {
    if (k == name) out.push_back(v);
  }
  return out;
}

bool IsFlag(const std::string& a) {
  static const std::set<std::string> flags = {
      "--json",  "--help",    "-h",       "--quiet", "--wait", "--submit", "--insecure-plaintext",
      "--force", "--openapi", "--offline"};
  return flags.contains(a);
}

Args ParseArgs(int argc, char** argv, int first) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (s.size() > 1 && s.starts_with("-")) {
      if (const auto eq = s.find('='); eq != std::string::npos && s.starts_with("--")) {
        a.options.emplace_back(s.substr(0, eq), s.substr(eq + 1));
      } else if (IsFlag(s) || i + 1 >= argc) {
        a.options.emplace_back(s, "");
      } else {
        a.options.emplace_back(s, argv[++i]);
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

std::set<std::string> WithNodeOptions(std::set<std::string> base) {
  base.insert(kNodeOptions.begin(), kNodeOptions.end());
  return base;
}

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "consentctl: %s\n", message.c_str());
  return code;
}

int ExitFor(const Status& st) {
  if (st.reason() == Reason::kNetwork) return kExitNetwork;
  if (st.reason() == Reason::kUsage) return kExitUsage;
  return kExitInvalid;
}

int FailStatus(const Status& st) { return Fail(ExitFor(st), st.ToString()); }

std::optional<int> CheckArgs(const Args& a, const std::set<std::string>& allowed,
                             std::size_t min_positional, std::size_t max_positional,
                             const char* usage_line) {
  for (const auto& [k, v] : a.options) {
    if (!allowed.contains(k) && !kGlobal.contains(k)) {
      return Fail(kExitUsage, "unknown option " + k + "\nusage: " + usage_line);
    }
    if (!IsFlag(k) && v.empty() && k != "--passphrase-env") {
      // "--out" at the very end of the line, or "--out=".
      return Fail(kExitUsage, "option " + k + " needs a value\nusage: " + usage_line);
    }
  }
  if (a.positional.size() < min_positional || a.positional.size() > max_positional) {
    return Fail(kExitUsage, std::string("usage: ") + usage_line);
  }
  return std::nullopt;
}

int RunSubcommand(const Args& all, const char* group, const char* help,
                  std::initializer_list<std::pair<std::string_view, Handler>> subcommands) {
  std::string names;
  for (const auto& [name, handler] : subcommands)
    names += (names.empty() ? "" : ", ") + std::string(name);
  if (all.positional.empty()) {
    if (all.Help()) {
      std::fputs(help, stdout);
      return kExitOk;
    }
    return Fail(kExitUsage,
                std::string(group) + " needs a subcommand: " + names + " (" + group + " --help)");
  }
  Args a = all;
  const std::string sub = a.positional.front();
  a.positional.erase(a.positional.begin());
  if (a.Help()) {
    std::fputs(help, stdout);
    return kExitOk;
  }
  for (const auto& [name, handler] : subcommands) {
    if (name == sub) return handler(a);
  }
  return Fail(kExitUsage,
              "unknown " + std::string(group) + " subcommand \"" + sub + "\" (" + names + ")");
}

void PrintJson(const Json& j) { std::puts(j.dump(2).c_str()); }

void PrintHuman(const Json& j, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  auto scalar = [](const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (v.is_object() || (v.is_array() && !v.empty() && !v[0].is_primitive())) {
        std::printf("%s%s:\n", pad.c_str(), k.c_str());
        PrintHuman(v, indent + 2);
      } else if (v.is_array()) {
        std::string line;
        for (const Json& e : v) line += (line.empty() ? "" : ", ") + scalar(e);
        std::printf("%s%-14s %s\n", pad.c_str(), (k + ":").c_str(),
                    line.empty() ? "(none)" : line.c_str());
      } else {
        std::printf("%s%-14s %s\n", pad.c_str(), (k + ":").c_str(), scalar(v).c_str());
      }
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (j[i].is_primitive()) {
        std::printf("%s- %s\n", pad.c_str(), scalar(j[i]).c_str());
      } else {
        std::printf("%s- [%zu]\n", pad.c_str(), i);
        PrintHuman(j[i], indent + 2);
      }
    }
  } else {
    std::printf("%s%s\n", pad.c_str(), scalar(j).c_str());
  }
}

Result<std::string> Passphrase(const Args& a, bool confirm) {
  if (a.Has("--passphrase-file")) {
    auto text = ReadFile(a.Get("--passphrase-file"), 4096);
    if (!text.ok())
      return Status::Error(Reason::kUsage, "--passphrase-file: " + text.status().message());
    std::string p = *text;
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    return p;
  }
  if (a.Has("--passphrase-env")) {
    const std::string var = a.Get("--passphrase-env");
    const char* v = var.empty() ? nullptr : std::getenv(var.c_str());
    if (v == nullptr) {
      return Status::Error(Reason::kUsage,
                           "--passphrase-env: environment variable \"" + var + "\" is not set");
    }
    return std::string(v);
  }
  auto first = PromptNoEcho("passphrase: ");
  if (!first) {
    return Status::Error(Reason::kKeyPassphraseRequired,
                         "no terminal to ask for the passphrase: use --passphrase-file FILE or "
                         "--passphrase-env VAR");
  }
  if (confirm) {
    auto again = PromptNoEcho("passphrase again: ");
    if (!again || *again != *first) {
      return Status::Error(Reason::kUsage, "the passphrases differ");
    }
  }
  return *first;
}

Result<crypto::PrivateKey> LoadKey(const std::string& path, const Args& a,
                                   std::optional<std::string>* passphrase_used) {
  if (passphrase_used != nullptr) passphrase_used->reset();
  bool loose = false;
  CONSENTD_ASSIGN_OR_RETURN(std::string text, wallet::ReadKeyFile(path, &loose));
  if (loose) {
    std::fprintf(stderr, "consentctl: warning: %s is readable by other users (chmod 600 %s)\n",
                 path.c_str(), path.c_str());
  }
  if (wallet::IsPlaintextKeyFile(text)) return wallet::DecryptKey(text, std::nullopt);
  CONSENTD_ASSIGN_OR_RETURN(std::string pass, Passphrase(a, /*confirm=*/false));
  auto key = wallet::DecryptKey(text, pass);
  if (!key.ok()) return key.status().WithContext(path);
  if (passphrase_used != nullptr) *passphrase_used = std::move(pass);
  return key;
}

Result<crypto::PrivateKey> SigningKey(const Args& a) {
  if (!a.Has("--sign-key")) {
    return Status::Error(Reason::kUsage, a.Has("--derive-for")
                                             ? "--derive-for needs --sign-key WALLET_ROOT_FILE"
                                             : "--sign-key KEY_FILE is required");
  }
  CONSENTD_ASSIGN_OR_RETURN(crypto::PrivateKey key, LoadKey(a.Get("--sign-key"), a));
  if (!a.Has("--derive-for")) return key;
  return wallet::DeriveSubjectKey(key, a.Get("--derive-for"));
}

Result<std::optional<std::string>> ChainIdOption(const Args& a) {
  if (a.Has("--chain-id") && a.Has("--genesis")) {
    return Status::Error(Reason::kUsage, "--chain-id and --genesis exclude each other");
  }
  if (a.Has("--chain-id")) return std::optional<std::string>(a.Get("--chain-id"));
  if (!a.Has("--genesis")) return std::optional<std::string>();
  CONSENTD_ASSIGN_OR_RETURN(ledger::Genesis g, ledger::Genesis::Load(a.Get("--genesis")));
  return std::optional<std::string>(g.chain_id);
}

Result<Client> NodeClient(const Args& a) {
  const char* env_token = std::getenv("CONSENTD_TOKEN");
  std::string token = env_token != nullptr ? env_token : "";
  if (a.Has("--token")) token = a.Get("--token");
  if (a.Has("--token-env")) {
    const char* v = std::getenv(a.Get("--token-env").c_str());
    if (v == nullptr) return Status::Error(Reason::kUsage, "--token-env: variable is not set");
    token = v;
  }
  if (a.Has("--token-file")) {
    auto text = ReadFile(a.Get("--token-file"), 1 << 20);
    if (!text.ok())
      return Status::Error(Reason::kUsage, "--token-file: " + text.status().message());
    auto json = ParseJson(*text);
    if (json.ok() && json->is_object()) {
      // A testnet's tokens.json: {"member": {"token": ..., "role": ...}, ...}.
      const std::string as = a.Get("--as");
      if (as.empty() || !json->contains(as) || !(*json)[as].is_object() ||
          !(*json)[as].contains("token") || !(*json)[as]["token"].is_string()) {
        return Status::Error(Reason::kUsage,
                             "--token-file holds tokens by member: pick one with --as "
                             "MEMBER (e.g. --as auditor)");
      }
      token = (*json)[as]["token"].get<std::string>();
    } else {
      token = *text;
      while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
    }
  }
  const char* env_node = std::getenv("CONSENTD_NODE");
  CONSENTD_ASSIGN_OR_RETURN(
      Client client,
      Client::Create(a.Get("--node", env_node != nullptr ? env_node : kDefaultNode), token));
  if (a.Has("--sign-key") || a.Has("--derive-for")) {
    // A customer signs in with their own key file (docs/API.md, "Customers: signed requests").
    if (a.Has("--token") || a.Has("--token-env") || a.Has("--token-file")) {
      return Status::Error(Reason::kUsage, "--sign-key and a --token option exclude each other");
    }
    CONSENTD_ASSIGN_OR_RETURN(crypto::PrivateKey key, SigningKey(a));
    client.SignAs(std::move(key));
  }
  return client;
}

Status NodeError(const Response& r) {
  std::string code;
  std::string message;
  if (r.body.is_object() && r.body.contains("error") && r.body["error"].is_object()) {
    const Json& e = r.body["error"];
    if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string())
      message = e["message"].get<std::string>();
  }
  const std::string status = "HTTP " + std::to_string(r.status);
  if (code.empty()) {
    return Status::Error(r.status >= 500 ? Reason::kNetwork : Reason::kNodeError,
                         status + ": " + r.raw.substr(0, 300));
  }
  // A node that cannot answer now (503 not ready, 504) is a network condition: exit 3.
  if (r.status >= 500)
    return Status::Error(Reason::kNetwork, code + ": " + message + " (" + status + ")");
  // A code this client does not know (a newer node's) keeps its name in the message.
  const std::optional<Reason> reason = ParseReason(code);
  if (!reason)
    return Status::Error(Reason::kNodeError, code + ": " + message + " (" + status + ")");
  return Status::Error(*reason, message + " (" + status + ")");
}

Result<Json> GetJson(const Client& c, const std::string& path) {
  CONSENTD_ASSIGN_OR_RETURN(Response r, c.Get(path));
  if (r.status < 200 || r.status > 299) return NodeError(r);
  return std::move(r.body);
}

Result<std::optional<std::int64_t>> TimeOption(const Args& a, const std::string& option) {
  if (!a.Has(option) || a.Get(option) == "now") return std::optional<std::int64_t>();
  auto t = wallet::ParseTime(a.Get(option));
  if (!t.ok()) return Status::Error(Reason::kUsage, option + ": " + t.status().message());
  return std::optional<std::int64_t>(*t);
}

int WriteOutput(const Args& a, const std::string& text) {
  if (a.Has("--out")) {
    Status st = WriteFileAtomic(a.Get("--out"), text);
    if (!st.ok()) return FailStatus(st);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return kExitOk;
}

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string FormatTime(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int in every field, which keeps gcc's -Wformat-truncation quiet
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace consentd::cli
