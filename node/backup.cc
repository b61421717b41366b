#include "node/backup.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "common/file_util.h"
#include "ledger/backup.h"
#include "ledger/state/keys.h"
#include "node/config.h"
#include "node/http/backup_fetch.h"

namespace consentd::node {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBackupUsage = R"(consentd backup - a consistent backup of a node's ledger

Usage:
  consentd backup --home DIR --out FILE [--token-file FILE] [--node URL]

  --home DIR         the node's home (its config.json names the data dir and the API address)
  --out FILE         where to write the backup (written to FILE.partial, checked, renamed)
  --token-file FILE  an auditor or regulator API token, for a running node (else the
                     environment variable CONSENTD_TOKEN)
  --node URL         the running node's API (default: http://<http.listen of config.json>)

A running node (its store is locked) streams one snapshot through GET /v1/admin/backup while
it goes on committing; a stopped node's store is read directly. Prints the manifest as JSON.
Exit codes: 0 done, 1 failed, 2 usage.
)";

constexpr const char* kRestoreUsage = R"(consentd restore - a node's ledger from a backup

Usage:
  consentd restore --in FILE --home DIR

  --in FILE   a file written by consentd backup
  --home DIR  the node home to restore into: it must hold the chain's genesis.json (and may
              hold config.json) and no ledger yet (DIR/<data_dir>/ledger must not exist)

Checks the file's checksum, that it is of this genesis's chain, and that its head block is
certified by the validators of its height, before the store takes its place. Start the node
on DIR afterwards: it block-syncs the rest from its peers. A validator's safety_state.json is
not part of a backup: keep the one in DIR, or see docs/OPERATIONS.md before signing again.
Exit codes: 0 done, 1 failed, 2 usage.
)";

// "--name value" arguments into a map; false (with a message) on anything else.
bool ParseArgs(int argc, char** argv, std::initializer_list<const char*> names,
               std::map<std::string, std::string>* out, const char* usage) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage, stdout);
      std::exit(0);
    }
    std::optional<std::string> value;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    bool known = false;
    for (const char* n : names) known = known || arg == n;
    if (!known) {
      std::fprintf(stderr, "consentd: unknown argument %s\n\n%s", arg.c_str(), usage);
      return false;
    }
    if (!value) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "consentd: %s needs a value\n\n%s", arg.c_str(), usage);
        return false;
      }
      value = argv[++i];
    }
    (*out)[arg] = *value;
  }
  return true;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "consentd: %s\n", status.ToString().c_str());
  return 1;
}

// A file written through stdio and fsynced before it is closed.
class OutFile {
 public:
  explicit OutFile(const std::string& path) : f_(std::fopen(path.c_str(), "wb")) {}
  ~OutFile() {
    if (f_ != nullptr) std::fclose(f_);
  }
  bool ok() const { return f_ != nullptr && !failed_; }
  bool Write(std::string_view data) {
    if (f_ == nullptr || std::fwrite(data.data(), 1, data.size(), f_) != data.size()) {
      failed_ = true;
    }
    return !failed_;
  }
  bool Close() {
    if (f_ == nullptr) return false;
    const bool ok = !failed_ && std::fflush(f_) == 0 && ::fsync(fileno(f_)) == 0;
    const bool closed = std::fclose(f_) == 0;
    f_ = nullptr;
    return ok && closed;
  }

 private:
  std::FILE* f_;
  bool failed_ = false;
};

// Reads the whole file through the backup reader without writing anything: structure,
// entry count and checksum.
Result<ledger::BackupManifest> CheckFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("backup_io", "cannot read " + path);
  return ledger::ReadBackup(in, [](ledger::WriteBatch&&) { return Status::Ok(); });
}

Status BackupFromStore(const Config& config, ledger::Store& store, OutFile* out) {
  CONSENTD_ASSIGN_OR_RETURN(auto genesis, ledger::Genesis::Load(config.GenesisPath()));
  auto snapshot = store.Snapshot();
  auto m = ledger::WriteBackup(std::move(snapshot), genesis,
                               [out](std::string_view chunk) { return out->Write(chunk); });
  if (!m.ok() && m.status().code() == "backup_aborted") {
    return Status::Error("backup_io", "cannot write the backup file");
  }
  return m.status();
}

Result<std::string> ReadToken(const std::map<std::string, std::string>& args) {
  std::string token;
  if (auto it = args.find("--token-file"); it != args.end()) {
    CONSENTD_ASSIGN_OR_RETURN(token, ReadFile(it->second, 4096));
  } else if (const char* env = std::getenv("CONSENTD_TOKEN"); env != nullptr) {
    token = env;
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) {
    return Status::Error("backup_needs_token",
                         "the node is running: give an auditor or regulator token with "
                         "--token-file or CONSENTD_TOKEN");
  }
  return token;
}

bool StoreExists(const std::string& dir) { return fs::exists(fs::path(dir) / "CURRENT"); }

}  // namespace

int BackupMain(int argc, char** argv) {
  std::map<std::string, std::string> args;
  if (!ParseArgs(argc, argv, {"--home", "--out", "--token-file", "--node"}, &args, kBackupUsage)) {
    return 2;
  }
  if (!args.count("--home") || !args.count("--out")) {
    std::fprintf(stderr, "consentd: backup needs --home and --out\n\n%s", kBackupUsage);
    return 2;
  }
  auto config = Config::Load(args["--home"]);
  if (!config.ok()) return Fail(config.status());
  const std::string store_dir = config->DataPath() + "/ledger";
  if (!StoreExists(store_dir)) {
    return Fail(Status::Error("backup_no_ledger", "no ledger store in " + store_dir));
  }
  const std::string out_path = args["--out"];
  const std::string partial = out_path + ".partial";
  Status st;
  {
    OutFile out(partial);
    if (!out.ok()) return Fail(Status::Error("backup_io", "cannot create " + partial));
    auto store = ledger::OpenLevelDbStore(store_dir);
    if (store.ok()) {
      st = BackupFromStore(*config, **store, &out);
    } else if (store.status().code() == "store_io" &&
               store.status().message().find("lock") != std::string::npos) {
      // Locked: the node is running. Ask it.
      auto token = ReadToken(args);
      const std::string url =
          args.count("--node") ? args["--node"] : "http://" + config->http.listen.ToString();
      st = token.ok()
               ? http::FetchBackup(url, *token, [&out](std::string_view d) { return out.Write(d); })
               : token.status();
    } else {
      st = store.status();
    }
    if (st.ok() && !out.Close()) st = Status::Error("backup_io", "cannot write " + partial);
  }
  if (!st.ok()) {
    std::error_code ec;
    fs::remove(partial, ec);
    return Fail(st);
  }
  auto checked = CheckFile(partial);
  if (!checked.ok()) {
    std::error_code ec;
    fs::remove(partial, ec);
    return Fail(checked.status().WithContext("checking the backup just written"));
  }
  std::error_code ec;
  fs::rename(partial, out_path, ec);
  if (ec) return Fail(Status::Error("backup_io", "cannot rename to " + out_path));
  std::printf("%s\n", CanonicalJson(checked->ToJson()).c_str());
  return 0;
}

int RestoreMain(int argc, char** argv) {
  std::map<std::string, std::string> args;
  if (!ParseArgs(argc, argv, {"--in", "--home"}, &args, kRestoreUsage)) return 2;
  if (!args.count("--in") || !args.count("--home")) {
    std::fprintf(stderr, "consentd: restore needs --in and --home\n\n%s", kRestoreUsage);
    return 2;
  }
  const std::string home = args["--home"];
  auto config =
      fs::exists(fs::path(home) / "config.json") ? Config::Load(home) : Config::Parse("{}", home);
  if (!config.ok()) return Fail(config.status());
  auto genesis = ledger::Genesis::Load(config->GenesisPath());
  if (!genesis.ok()) {
    return Fail(
        genesis.status().WithContext("restore checks the backup against the home's genesis.json"));
  }
  const std::string data = config->DataPath();
  const std::string target = data + "/ledger";
  if (fs::exists(target)) {
    return Fail(Status::Error("restore_target_exists",
                              target + " exists: restore only into a home without a ledger"));
  }
  std::ifstream in(args["--in"], std::ios::binary);
  if (!in) return Fail(Status::Error("backup_io", "cannot read " + args["--in"]));

  const std::string staging = data + "/ledger.restoring";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(data, ec);
  auto restored = [&]() -> Result<ledger::BackupManifest> {
    CONSENTD_ASSIGN_OR_RETURN(auto store, ledger::OpenLevelDbStore(staging));
    CONSENTD_ASSIGN_OR_RETURN(auto manifest,
                              ledger::ReadBackup(in, [&](ledger::WriteBatch&& batch) {
                                return store->Write(batch, /*sync=*/false);
                              }));
    // One synced write makes everything before it durable (LevelDB's log is sequential).
    CONSENTD_ASSIGN_OR_RETURN(auto head, store->Get(ledger::keys::Meta("head")));
    if (!head) return Status::Error("backup_malformed", "the backup holds no chain head");
    CONSENTD_RETURN_IF_ERROR(
        store->Write(ledger::WriteBatch{{ledger::keys::Meta("head"), *head}}, /*sync=*/true));
    CONSENTD_ASSIGN_OR_RETURN(auto ledger, ledger::Ledger::Open(std::move(store), *genesis));
    CONSENTD_RETURN_IF_ERROR(ledger::VerifyRestored(*ledger, manifest));
    return manifest;
  }();
  if (!restored.ok()) {
    fs::remove_all(staging, ec);
    const Status st = restored.status().code() == "genesis_mismatch"
                          ? Status::Error("backup_wrong_chain", restored.status().message())
                          : restored.status();
    return Fail(st);
  }
  fs::rename(staging, target, ec);
  if (ec || !SyncDirectory(data).ok()) {
    return Fail(Status::Error("backup_io", "cannot move the restored store to " + target));
  }
  std::printf("%s\n", CanonicalJson(restored->ToJson()).c_str());
  return 0;
}

}  // namespace consentd::node
