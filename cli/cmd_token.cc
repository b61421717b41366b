// consentctl token issue | revoke | list: the node's API tokens file (node/api_tokens.h), run
// on the node's host by its operator. The node re-reads the file on SIGHUP.

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/sha256.h"
#include "node/api_tokens.h"

namespace consentd::cli {
namespace {

constexpr const char* kHelp =
    R"(consentctl token issue --home DIR --name NAME --role ROLE [--member M] [--expires-in DAYS]
consentctl token revoke --home DIR --name NAME
consentctl token list --home DIR [--json]

The node's API tokens (docs/CONFIG.md, "API tokens"), in the tokens file of the node home DIR
(config http.tokens_file, default api_tokens.json; --file FILE names another). `issue` prints
the new token once, on stdout, and keeps only its SHA-256; `revoke` marks a token revoked;
neither needs the node stopped: send it SIGHUP (kill -HUP <pid>, or systemctl reload) to apply.

  --name NAME        who holds the token (1-64 printable characters, unique on the node)
  --role ROLE        insurer | auditor | regulator
  --member M         the member an insurer token speaks for (insurer tokens only)
  --expires-in DAYS  the token stops working DAYS days from now (default: no expiry)
)";

// The tokens file of a node home: config.json's http.tokens_file, relative to the home.
Result<std::string> TokensPath(const Args& a) {
  if (a.Has("--file")) return a.Get("--file");
  const std::string home = a.Get("--home");
  if (home.empty()) return Status::Error(Reason::kUsage, "--home DIR (or --file FILE) is required");
  std::string file = "api_tokens.json";
  const std::string config = (std::filesystem::path(home) / "config.json").string();
  if (std::filesystem::exists(config)) {
    CONSENTD_ASSIGN_OR_RETURN(std::string text, ReadFile(config, 16 << 20));
    auto j = ParseJson(text);
    if (!j.ok()) return Status::Error(Reason::kUsage, config + " is not JSON");
    if (j->is_object() && j->contains("http") && (*j)["http"].is_object() &&
        (*j)["http"].contains("tokens_file") && (*j)["http"]["tokens_file"].is_string()) {
      file = (*j)["http"]["tokens_file"].get<std::string>();
    }
  }
  return std::filesystem::path(file).is_absolute() ? file
                                                   : (std::filesystem::path(home) / file).string();
}

int Issue(const Args& a, const std::string& path, std::vector<node::ApiToken> tokens) {
  if (auto e = CheckArgs(a, {"--home", "--file", "--name", "--role", "--member", "--expires-in"}, 0,
                         0, "consentctl token issue --home DIR --name NAME --role ROLE")) {
    return *e;
  }
  Json entry{{"name", a.Get("--name")}, {"role", a.Get("--role")}, {"issued_at", UnixMillisNow()}};
  if (a.Has("--member")) entry["member"] = a.Get("--member");
  if (a.Has("--expires-in")) {
    std::int64_t days = 0;
    try {
      days = std::stoll(a.Get("--expires-in"));
    } catch (const std::exception&) {
      days = 0;
    }
    if (days < 1 || days > 3650) return Fail(kExitUsage, "--expires-in must be 1 to 3650 days");
    entry["expires_at"] = UnixMillisNow() + days * 24 * 3600 * 1000;
  }
  auto token = node::GenerateToken();
  if (!token.ok()) return FailStatus(token.status());
  entry["sha256"] = HexEncode(crypto::Sha256(*token));
  auto parsed = node::ParseApiToken(entry, "token", /*name_required=*/true);
  if (!parsed.ok()) return Fail(kExitUsage, parsed.status().message());
  tokens.push_back(*parsed);
  auto merged = node::MergeTokens({}, std::move(tokens));
  if (!merged.ok()) return Fail(kExitUsage, merged.status().message());
  if (Status st = node::WriteTokensFile(path, *merged); !st.ok()) return FailStatus(st);
  std::printf("%s\n", token->c_str());
  std::fprintf(stderr,
               "consentctl: token \"%s\" written to %s; it is shown only now. Send the node "
               "SIGHUP to apply.\n",
               parsed->name.c_str(), path.c_str());
  return kExitOk;
}

int Revoke(const Args& a, const std::string& path, std::vector<node::ApiToken> tokens) {
  if (auto e = CheckArgs(a, {"--home", "--file", "--name"}, 0, 0,
                         "consentctl token revoke --home DIR --name NAME")) {
    return *e;
  }
  const std::string name = a.Get("--name");
  bool found = false;
  for (node::ApiToken& t : tokens) {
    if (t.name != name) continue;
    found = true;
    if (t.revoked_at_ms) return Fail(kExitInvalid, "token \"" + name + "\" is already revoked");
    t.revoked_at_ms = UnixMillisNow();
  }
  if (!found) return Fail(kExitInvalid, "no token named \"" + name + "\" in " + path);
  if (Status st = node::WriteTokensFile(path, tokens); !st.ok()) return FailStatus(st);
  std::fprintf(stderr, "consentctl: token \"%s\" revoked in %s. Send the node SIGHUP to apply.\n",
               name.c_str(), path.c_str());
  return kExitOk;
}

int List(const Args& a, const std::vector<node::ApiToken>& tokens) {
  if (auto e =
          CheckArgs(a, {"--home", "--file", "--json"}, 0, 0, "consentctl token list --home DIR")) {
    return *e;
  }
  const std::int64_t now = UnixMillisNow();
  Json out = Json::array();
  for (const node::ApiToken& t : tokens) {
    Json j = node::ToJson(t);
    j.erase("sha256");  // not a secret, but of no use to a reader
    j["state"] = t.revoked_at_ms                              ? "revoked"
                 : t.expires_at_ms && now >= *t.expires_at_ms ? "expired"
                                                              : "active";
    out.push_back(std::move(j));
  }
  if (a.Json()) {
    PrintJson(out);
  } else {
    for (const Json& j : out) {
      std::printf("%-24s %-9s %-16s %s\n", j["name"].get<std::string>().c_str(),
                  j["role"].get<std::string>().c_str(), j.value("member", "-").c_str(),
                  j["state"].get<std::string>().c_str());
    }
  }
  return kExitOk;
}

}  // namespace

int TokenCommand(const Args& a) {
  if (a.Help() || a.positional.empty()) {
    std::fputs(kHelp, a.Help() ? stdout : stderr);
    return a.Help() ? kExitOk : kExitUsage;
  }
  const std::string sub = a.positional[0];
  Args rest = a;
  rest.positional.erase(rest.positional.begin());
  auto path = TokensPath(rest);
  if (!path.ok()) return Fail(kExitUsage, path.status().message());
  auto tokens = node::ReadTokensFile(*path);
  if (!tokens.ok()) return FailStatus(tokens.status());
  if (sub == "issue") return Issue(rest, *path, std::move(*tokens));
  if (sub == "revoke") return Revoke(rest, *path, std::move(*tokens));
  if (sub == "list") return List(rest, *tokens);
  return Fail(kExitUsage, "token: unknown subcommand \"" + sub + "\" (issue, revoke, list)");
}

}  // namespace consentd::cli
