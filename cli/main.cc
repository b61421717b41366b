// consentctl: the command-line client of consentd.

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/client.h"
#include "cli/testnet.h"
#include "common/version.h"

namespace {

using namespace consentd;

constexpr const char* kUsage = R"(consentctl - command-line client of the consentd consent ledger

Usage:
  consentctl <command> [options]

Commands:
  testnet   write a local network (genesis, validator homes, keys, tokens)
  status    show a node's status

Global options:
  --node URL   the node's HTTP address (default http://127.0.0.1:8601)
  --json       machine-readable output
  --help       help for a command

Exit codes: 0 ok, 1 rejected or invalid, 2 usage, 3 network.
)";

struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // --name value ("" for flags)
  bool Has(const std::string& name) const {
    for (const auto& [k, v] : options) {
      if (k == name) return true;
    }
    return false;
  }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    for (const auto& [k, v] : options) {
      if (k == name) return v;
    }
    return fallback;
  }
};

const char* kFlags[] = {"--json", "--help", "-h", "--quiet"};

bool IsFlag(const std::string& a) {
  for (const char* f : kFlags) {
    if (a == f) return true;
  }
  return false;
}

Args ParseArgs(int argc, char** argv, int first) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (s.starts_with("-")) {
      if (const auto eq = s.find('='); eq != std::string::npos) {
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

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "consentctl: %s\n", message.c_str());
  return code;
}

int ExitFor(const Status& st) {
  if (st.code() == "network") return 3;
  if (st.code() == "usage") return 2;
  return 1;
}

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
  if (!st.ok()) return Fail(st.code() == "testnet_invalid" ? 2 : 1, st.ToString());
  std::fputs(summary.c_str(), stdout);
  return 0;
}

int StatusCmd(const Args& a) {
  if (a.Has("--help") || a.Has("-h")) {
    std::puts(
        "consentctl status [--node URL] [--json]\n\nShows the node's chain, height, peers and "
        "mempool.");
    return 0;
  }
  auto client = cli::Client::Create(a.Get("--node", "http://127.0.0.1:8601"));
  if (!client.ok()) return Fail(2, client.status().ToString());
  auto r = client->Get("/v1/status");
  if (!r.ok()) return Fail(ExitFor(r.status()), r.status().ToString());
  if (r->status != 200)
    return Fail(1, "node answered " + std::to_string(r->status) + ": " + r->raw);
  if (a.Has("--json")) {
    std::puts(r->body.dump(2).c_str());
    return 0;
  }
  const Json& s = r->body;
  std::printf(
      "chain      %s\nheight     %llu\nround      %llu (%s)\npeers      %zu\nmempool    %llu "
      "txs\nsyncing    %s\nversion    %s\n",
      s.value("chain_id", "?").c_str(), static_cast<unsigned long long>(s.value("height", 0ULL)),
      static_cast<unsigned long long>(s.value("round", 0ULL)), s.value("step", "?").c_str(),
      s.contains("peers") ? s["peers"].size() : 0,
      static_cast<unsigned long long>(s.value("mempool_size", 0ULL)),
      s.value("syncing", false) ? "yes" : "no", s.value("version", "?").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
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
  if (command == "status") return StatusCmd(args);
  return Fail(2, "unknown command \"" + command + "\" (consentctl --help)");
}
