// consentd: the consent-ledger node daemon.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "common/version.h"
#include "node/backup.h"
#include "node/config.h"
#include "node/log.h"
#include "node/node.h"
#include "node/wire.h"

namespace {

constexpr const char* kUsage = R"(consentd - a node of the consentd consent ledger

Usage:
  consentd --home DIR [options]
  consentd backup --home DIR --out FILE [--token-file FILE]   (consentd backup --help)
  consentd restore --in FILE --home DIR                       (consentd restore --help)
  consentd --help | --version

Options:
  --home DIR              node home: DIR/config.json, DIR/node_key.json, DIR/genesis.json,
                          DIR/data/ (see docs/CONFIG.md and docs/OPERATIONS.md)
  --passphrase-file FILE  read the node key's passphrase from FILE (else the environment
                          variable named by config key_passphrase_env, for encrypted keys)
  --log-level LEVEL       debug | info | warn | error (overrides config log.level)
  --help                  this text
  --version               print the version

Signals: SIGTERM or SIGINT shut the node down cleanly (the write in progress finishes, peers
are closed). A SIGKILL loses nothing committed. SIGHUP re-reads the API tokens (config
http.tokens and http.tokens_file, as `consentctl token` edits it) without a restart.

Exit codes: 0 clean shutdown, 1 runtime failure, 2 usage or configuration error.
)";

#ifdef CONSENTD_TEST_HOOKS
constexpr const char* kTestUsage = R"(
Test-only options (this build has CONSENTD_TEST_HOOKS; a release build has none of them):
  --byzantine MODE        misbehave: silent | equivocate | double-vote | invalid-proposal
  --clock-offset-ms N     run with the wall clock shifted by N milliseconds
  --sync-batch-blocks N   ask peers for N blocks per sync request (1-64; default 64)
)";
#else
constexpr const char* kTestUsage = "";
#endif

int Usage(const char* message) {
  std::fprintf(stderr, "consentd: %s\n\n%s%s", message, kUsage, kTestUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace consentd;
  using namespace consentd::node;
  std::string home;
  std::string passphrase_file;
  std::string log_level;
  NodeOptions options;
  if (argc > 1 && std::strcmp(argv[1], "backup") == 0) return BackupMain(argc - 1, argv + 1);
  if (argc > 1 && std::strcmp(argv[1], "restore") == 0) return RestoreMain(argc - 1, argv + 1);
  for (int i = 1; i < argc; ++i) {
    // "--name value" and "--name=value" are the same.
    std::string arg = argv[i];
    std::optional<std::string> inline_value;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    auto value = [&](const char* name) -> const char* {
      (void)name;
      if (inline_value) return inline_value->c_str();
      if (i + 1 >= argc) return nullptr;
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::fputs(kTestUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::printf("consentd %s\n", kVersion);
      return 0;
    } else if (arg == "--home") {
      const char* v = value("--home");
      if (v == nullptr) return Usage("--home needs a directory");
      home = v;
    } else if (arg == "--passphrase-file") {
      const char* v = value("--passphrase-file");
      if (v == nullptr) return Usage("--passphrase-file needs a file");
      passphrase_file = v;
    } else if (arg == "--log-level") {
      const char* v = value("--log-level");
      if (v == nullptr) return Usage("--log-level needs a level");
      log_level = v;
#ifdef CONSENTD_TEST_HOOKS
    } else if (arg == "--byzantine") {
      const char* v = value("--byzantine");
      if (v == nullptr) return Usage("--byzantine needs a mode");
      options.byzantine = v;
    } else if (arg == "--clock-offset-ms") {
      const char* v = value("--clock-offset-ms");
      char* end = nullptr;
      const long long ms = v == nullptr ? 0 : std::strtoll(v, &end, 10);
      if (v == nullptr || *v == '\0' || *end != '\0') {
        return Usage("--clock-offset-ms needs an integer");
      }
      options.clock_offset_ms = ms;
    } else if (arg == "--sync-batch-blocks") {
      const char* v = value("--sync-batch-blocks");
      char* end = nullptr;
      const long n = v == nullptr ? 0 : std::strtol(v, &end, 10);
      static_assert(wire::kMaxSyncBlocks == 64, "update --help and the message below");
      if (v == nullptr || *v == '\0' || *end != '\0' || n < 1 ||
          n > static_cast<long>(wire::kMaxSyncBlocks)) {
        return Usage("--sync-batch-blocks needs an integer from 1 to 64");
      }
      options.sync_batch_blocks = static_cast<std::uint32_t>(n);
#endif
    } else {
      return Usage(("unknown argument " + arg).c_str());
    }
  }
  if (home.empty()) return Usage("--home is required");

  auto config = Config::Load(home);
  if (!config.ok()) {
    std::fprintf(stderr, "consentd: %s\n", config.status().ToString().c_str());
    return 2;
  }
  if (!log_level.empty()) config->log.level = log_level;
  auto level = ParseLogLevel(config->log.level);
  if (!level) return Usage("--log-level must be debug, info, warn or error");
  Logger::SetLevel(*level);
  if (!config->log.file.empty() && !Logger::OpenFile(config->Path(config->log.file))) {
    std::fprintf(stderr, "consentd: cannot open log file %s\n", config->log.file.c_str());
    return 2;
  }

  if (!passphrase_file.empty()) {
    auto pw = Env::Default()->ReadFile(passphrase_file, 4096);
    if (!pw.ok()) {
      std::fprintf(stderr, "consentd: %s\n", pw.status().ToString().c_str());
      return 2;
    }
    std::string p = *pw;
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    options.passphrase = p;
  }

  // Signals are taken by this thread alone (sigtimedwait below); block them before any other
  // thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGPIPE);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A write past RLIMIT_FSIZE must fail with EFBIG, which the storage layers report as an
  // error naming the file (a clean fatal stop), instead of SIGXFSZ killing the process.
  signal(SIGXFSZ, SIG_IGN);

  auto node = Node::Create(std::move(*config), std::move(options));
  if (!node.ok()) {
    LogError("node", "startup_failed", {{"error", node.status().ToString()}});
    std::fprintf(stderr, "consentd: %s\n", node.status().ToString().c_str());
    // The operator's input is wrong (config, genesis, key file, passphrase): 2; else 1.
    const ReasonClass cls = ClassOf(node.status().reason());
    return cls == ReasonClass::kInvalidInput || cls == ReasonClass::kDenied ? 2 : 1;
  }
  if (Status st = (*node)->Start(); !st.ok()) {
    LogError("node", "startup_failed", {{"error", st.ToString()}});
    std::fprintf(stderr, "consentd: %s\n", st.ToString().c_str());
    (*node)->Stop();
    return 1;
  }

  int exit_code = 0;
  for (;;) {
    timespec wait{0, 200 * 1000 * 1000};
    const int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGTERM || sig == SIGINT) {
      LogInfo("node", "shutdown", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      break;
    }
    if (sig == SIGHUP) {
      LogInfo("node", "reload", {{"signal", "SIGHUP"}});
      (void)(*node)->ReloadTokens();  // logs its own outcome; the old tokens stay on error
    }
    if (Status fatal = (*node)->fatal(); !fatal.ok()) {
      LogError("node", "stopping_after_fatal_error", {{"error", fatal.ToString()}});
      exit_code = 1;
      break;
    }
  }
  (*node)->Stop();
  return exit_code;
}
