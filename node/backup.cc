#include "node/backup.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <streambuf>
#include <string>

#include "common/path.h"
#include "ledger/backup.h"
#include "ledger/state/keys.h"
#include "node/config.h"
#include "node/env.h"
#include "node/http/backup_fetch.h"

namespace consentd::node {
namespace {

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

// The backup file being written (mode 0600: a whole ledger), fsynced before it is closed.
class OutFile {
 public:
  OutFile(Env* env, const std::string& path) {
    auto file = env->CreateFile(path, 0600);
    if (file.ok()) file_ = std::move(*file);
  }
  bool ok() const { return file_ != nullptr && !failed_; }
  bool Write(std::string_view data) {
    if (file_ == nullptr || !file_->Append(data).ok()) failed_ = true;
    return !failed_;
  }
  bool Close() {
    const bool ok = file_ != nullptr && !failed_ && file_->Sync().ok();
    file_.reset();
    return ok;
  }

 private:
  std::unique_ptr<WritableFile> file_;
  bool failed_ = false;
};

// An Env file as the std::istream the backup reader takes. A read error ends the stream, so
// the reader reports the backup truncated; `error()` says what happened.
class EnvFileBuf final : public std::streambuf {
 public:
  explicit EnvFileBuf(std::unique_ptr<SequentialFile> file) : file_(std::move(file)) {}
  const Status& error() const { return error_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    auto got = file_->Read(buf_, sizeof buf_);
    if (!got.ok()) error_ = got.status();
    if (!got.ok() || *got == 0) return traits_type::eof();
    setg(buf_, buf_, buf_ + *got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::unique_ptr<SequentialFile> file_;
  char buf_[1 << 16];
  Status error_;
};

// Reads a backup file through `apply` (ledger::ReadBackup). Errors: "backup_io" when the file
// cannot be read, and the reader's.
Result<ledger::BackupManifest> ReadBackupFile(
    Env* env, const std::string& path, const std::function<Status(ledger::WriteBatch&&)>& apply) {
  auto file = env->OpenSequential(path);
  if (!file.ok()) return Status::Error(Reason::kBackupIo, "cannot read " + path);
  EnvFileBuf buf(std::move(*file));
  std::istream in(&buf);
  auto manifest = ledger::ReadBackup(in, apply);
  if (!buf.error().ok()) return Status::Error(Reason::kBackupIo, buf.error().message());
  return manifest;
}

// Reads the whole file through the backup reader without writing anything: structure,
// entry count and checksum.
Result<ledger::BackupManifest> CheckFile(Env* env, const std::string& path) {
  return ReadBackupFile(env, path, [](ledger::WriteBatch&&) { return Status::Ok(); });
}

Status BackupFromStore(Env* env, const Config& config, ledger::Store& store, OutFile* out) {
  CONSENTD_ASSIGN_OR_RETURN(auto genesis, config.LoadGenesis(env));
  auto snapshot = store.Snapshot();
  auto m = ledger::WriteBackup(std::move(snapshot), genesis,
                               [out](std::string_view chunk) { return out->Write(chunk); });
  if (!m.ok() && m.status().reason() == Reason::kBackupAborted) {
    return Status::Error(Reason::kBackupIo, "cannot write the backup file");
  }
  return m.status();
}

Result<std::string> ReadToken(Env* env, const std::map<std::string, std::string>& args) {
  std::string token;
  if (auto it = args.find("--token-file"); it != args.end()) {
    CONSENTD_ASSIGN_OR_RETURN(token, env->ReadFile(it->second, 4096));
  } else if (const char* env = std::getenv("CONSENTD_TOKEN"); env != nullptr) {
    token = env;
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) {
    return Status::Error(Reason::kBackupNeedsToken,
                         "the node is running: give an auditor or regulator token with "
                         "--token-file or CONSENTD_TOKEN");
  }
  return token;
}

bool StoreExists(Env* env, const std::string& dir) { return env->FileExists(dir + "/CURRENT"); }

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
  Env* env = Env::Default();
  auto config = Config::Load(args["--home"], env);
  if (!config.ok()) return Fail(config.status());
  const std::string store_dir = config->DataPath() + "/ledger";
  if (!StoreExists(env, store_dir)) {
    return Fail(Status::Error(Reason::kBackupNoLedger, "no ledger store in " + store_dir));
  }
  const std::string out_path = args["--out"];
  const std::string partial = out_path + ".partial";
  Status st;
  {
    OutFile out(env, partial);
    if (!out.ok()) return Fail(Status::Error(Reason::kBackupIo, "cannot create " + partial));
    auto store = ledger::OpenLevelDbStore(store_dir);
    if (store.ok()) {
      st = BackupFromStore(env, *config, **store, &out);
    } else if (store.status().reason() == Reason::kStoreIo &&
               store.status().message().find("lock") != std::string::npos) {
      // Locked: the node is running. Ask it.
      auto token = ReadToken(env, args);
      const std::string url =
          args.count("--node") ? args["--node"] : "http://" + config->http.listen.ToString();
      st = token.ok()
               ? http::FetchBackup(url, *token, [&out](std::string_view d) { return out.Write(d); })
               : token.status();
    } else {
      st = store.status();
    }
    if (st.ok() && !out.Close()) st = Status::Error(Reason::kBackupIo, "cannot write " + partial);
  }
  if (!st.ok()) {
    (void)env->RemoveFile(partial);
    return Fail(st);
  }
  auto checked = CheckFile(env, partial);
  if (!checked.ok()) {
    (void)env->RemoveFile(partial);
    return Fail(checked.status().WithContext("checking the backup just written"));
  }
  if (!env->Rename(partial, out_path).ok() || !env->SyncDir(DirName(out_path)).ok()) {
    return Fail(Status::Error(Reason::kBackupIo, "cannot rename to " + out_path));
  }
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
  Env* env = Env::Default();
  const std::string home = args["--home"];
  auto config =
      env->FileExists(home + "/config.json") ? Config::Load(home, env) : Config::Parse("{}", home);
  if (!config.ok()) return Fail(config.status());
  auto genesis = config->LoadGenesis(env);
  if (!genesis.ok()) {
    return Fail(
        genesis.status().WithContext("restore checks the backup against the home's genesis.json"));
  }
  const std::string data = config->DataPath();
  const std::string target = data + "/ledger";
  if (env->FileExists(target)) {
    return Fail(Status::Error(Reason::kRestoreTargetExists,
                              target + " exists: restore only into a home without a ledger"));
  }
  const std::string in = args["--in"];
  if (!env->FileExists(in)) return Fail(Status::Error(Reason::kBackupIo, "cannot read " + in));

  const std::string staging = data + "/ledger.restoring";
  (void)env->RemoveTree(staging);
  (void)env->CreateDirs(data);
  auto restored = [&]() -> Result<ledger::BackupManifest> {
    CONSENTD_ASSIGN_OR_RETURN(auto store, ledger::OpenLevelDbStore(staging));
    CONSENTD_ASSIGN_OR_RETURN(auto manifest,
                              ReadBackupFile(env, in, [&](ledger::WriteBatch&& batch) {
                                return store->Write(batch, /*sync=*/false);
                              }));
    // One synced write makes everything before it durable (LevelDB's log is sequential).
    CONSENTD_ASSIGN_OR_RETURN(auto head, store->Get(ledger::keys::Meta("head")));
    if (!head) return Status::Error(Reason::kBackupMalformed, "the backup holds no chain head");
    CONSENTD_RETURN_IF_ERROR(
        store->Write(ledger::WriteBatch{{ledger::keys::Meta("head"), *head}}, /*sync=*/true));
    CONSENTD_ASSIGN_OR_RETURN(auto ledger, ledger::Ledger::Open(std::move(store), *genesis));
    CONSENTD_RETURN_IF_ERROR(ledger::VerifyRestored(*ledger, manifest));
    return manifest;
  }();
  if (!restored.ok()) {
    (void)env->RemoveTree(staging);
    const Status st = restored.status().reason() == Reason::kGenesisMismatch
                          ? Status::Error(Reason::kBackupWrongChain, restored.status().message())
                          : restored.status();
    return Fail(st);
  }
  if (!env->Rename(staging, target).ok() || !env->SyncDir(data).ok()) {
    return Fail(Status::Error(Reason::kBackupIo, "cannot move the restored store to " + target));
  }
  std::printf("%s\n", CanonicalJson(restored->ToJson()).c_str());
  return 0;
}

}  // namespace consentd::node
