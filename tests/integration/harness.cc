#include "tests/integration/harness.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli/testnet.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "common/test_paths.h"
#include "crypto/sha256.h"
#include "ledger/testing/tx_fixtures.h"
#include "ledger/tx.h"
#include "wallet/key_file.h"

namespace consentd::testing {
namespace {

namespace fs = std::filesystem;

// A test client that writes to a connection the node has refused and closed sees EPIPE as an
// error, as a real client would; it must not die of SIGPIPE.
[[maybe_unused]] const bool kSigpipeIgnored = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Ports unique to this process (tests run in parallel under ctest -j), and below Linux's
// ephemeral range (32768-60999), where outgoing connections of earlier tests could hold them.
// Each process gets 100 ports: five networks of 10 P2P + 10 HTTP ports. Under CTest every test
// has its own block (CONSENTD_TEST_PORT_BASE, set by the root CMakeLists.txt), so no two suites
// running at once can meet; run by hand, the block comes from the process id.
int PortBase() {
  static int next = 0;
  static const int block = [] {
    const char* env = std::getenv("CONSENTD_TEST_PORT_BASE");
    if (env != nullptr) {
      const int base = std::atoi(env);
      if (base >= 1024 && base <= 32668) return base;
    }
    return 10000 + (static_cast<int>(::getpid()) % 227) * 100;
  }();
  return block + (next++ % 5) * 20;
}

}  // namespace

std::string BinaryPath(const std::string& name) {
  // A copy of the binaries elsewhere, so a long run is not disturbed by a rebuild meanwhile.
  if (const char* dir = std::getenv("CONSENTD_TEST_BIN_DIR"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/" + name;
  }
  const std::string build = consentd::testing::BuildDir();
  if (name == "consentd") return build + "/node/consentd";
  return build + "/cli/" + name;
}

LocalNet::LocalNet(int validators, std::function<void(Json&)> tweak) {
  dir_ = (fs::temp_directory_path() /
          ("consentd-net-" + std::to_string(::getpid()) + "-" + std::to_string(NowMs() % 1000000)))
             .string();
  fs::remove_all(dir_);
  // The chain id names this process in letters: an identifier holds at most 4 digits in a row.
  std::string chain = "it-";
  for (auto pid = static_cast<unsigned>(::getpid()); pid != 0; pid /= 26) {
    chain += static_cast<char>('a' + pid % 26);
  }
  Json net = cli::DefaultNetwork(validators, chain);
  const int base = PortBase();
  net["p2p_base_port"] = base;
  net["http_base_port"] = base + 10;
  // Fast timeouts: tests should not wait seconds for an idle network.
  net["consensus"]["empty_block_interval_ms"] = 200;
  net["consensus"]["commit_wait_ms"] = 20;
  net["consensus"]["propose_base_ms"] = 600;
  net["consensus"]["prevote_base_ms"] = 300;
  net["consensus"]["precommit_base_ms"] = 300;
  if (tweak) tweak(net);
  chain_id_ = net["chain_id"];
  const std::string net_file = dir_ + ".network.json";
  fs::create_directories(fs::path(dir_).parent_path());
  if (!WriteFileAtomic(net_file, net.dump()).ok()) std::abort();
  cli::TestnetOptions o;
  o.network_file = net_file;
  o.out_dir = dir_;
  Status st = cli::WriteTestnet(o, nullptr);
  fs::remove(net_file);
  if (!st.ok()) {
    std::fprintf(stderr, "LocalNet: %s\n", st.ToString().c_str());
    std::abort();
  }
  for (int i = 0; i < validators; ++i) {
    homes_.push_back(dir_ + "/node" + std::to_string(i));
    http_ports_.push_back(base + 10 + i);
    pids_.push_back(0);
  }
}

LocalNet::~LocalNet() {
  for (int i = 0; i < size(); ++i) {
    if (pids_[i] > 0) Kill(i, SIGKILL);
  }
  if (std::getenv("CONSENTD_KEEP_TEST_DIRS") == nullptr) fs::remove_all(dir_);
}

std::string LocalNet::url(int i) const {
  return "http://127.0.0.1:" + std::to_string(http_ports_[i]);
}

void LocalNet::Start(int i, std::vector<std::string> extra_args) {
  if (pids_[i] > 0) return;
  const std::string bin = BinaryPath("consentd");
  const std::string out = homes_[i] + "/stdout.log";
  std::fflush(nullptr);  // a child must not write out the parent's buffered output again
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<std::string> args = {bin, "--home", homes_[i]};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (freopen(out.c_str(), "a", stdout) == nullptr ||
        freopen(out.c_str(), "a", stderr) == nullptr)
      _exit(127);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  pids_[i] = pid;
}

void LocalNet::StartAll() {
  for (int i = 0; i < size(); ++i) Start(i);
}

int LocalNet::Stop(int i) {
  if (pids_[i] <= 0) return -1;
  kill(pids_[i], SIGTERM);
  int status = 0;
  waitpid(pids_[i], &status, 0);
  pids_[i] = 0;
  return status;
}

void LocalNet::Kill(int i, int signal) {
  if (pids_[i] <= 0) return;
  if (signal == SIGKILL) kill(pids_[i], SIGCONT);
  kill(pids_[i], signal);
  int status = 0;
  waitpid(pids_[i], &status, 0);
  pids_[i] = 0;
}

void LocalNet::Signal(int i, int signal) {
  if (pids_[i] > 0) kill(pids_[i], signal);
}

bool LocalNet::Running(int i) const {
  if (pids_[i] <= 0) return false;
  int status = 0;
  const pid_t r = waitpid(pids_[i], &status, WNOHANG);
  if (r == pids_[i]) exit_status_[i] = status;
  return r == 0;
}

std::string LocalNet::ExitReport(int i) const {
  std::string how = "exit status unknown";
  if (const auto it = exit_status_.find(i); it != exit_status_.end()) {
    const int s = it->second;
    how = WIFEXITED(s)     ? "exit status " + std::to_string(WEXITSTATUS(s))
          : WIFSIGNALED(s) ? "killed by signal " + std::to_string(WTERMSIG(s))
                           : "wait status " + std::to_string(s);
  }
  auto out = ReadFile(homes_[i] + "/stdout.log", 1 << 30);
  std::string tail = out.ok() ? *out : "";
  if (tail.size() > 3000) tail = tail.substr(tail.size() - 3000);
  return how + "; stdout/stderr tail: " + (tail.empty() ? "(empty)" : tail);
}

bool LocalNet::WaitExit(int i, std::int64_t timeout_ms, int* status) {
  if (pids_[i] <= 0) return false;
  const std::int64_t deadline = NowMs() + timeout_ms;
  for (;;) {
    const pid_t r = waitpid(pids_[i], status, WNOHANG);
    if (r == pids_[i]) {
      pids_[i] = 0;
      return true;
    }
    if (r < 0 || NowMs() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
  }
}

void LocalNet::WipeData(int i) { fs::remove_all(homes_[i] + "/data"); }

std::optional<cli::Response> LocalNet::Get(int i, const std::string& path) const {
  if (!auditor_token_) {
    const auto tokens = Tokens();
    auto it = tokens.find("auditor");
    auditor_token_ = it == tokens.end() ? std::string() : it->second;
  }
  return GetAs(i, path, *auditor_token_);
}

std::optional<cli::Response> LocalNet::GetAs(int i, const std::string& path,
                                             const std::string& token) const {
  auto client = cli::Client::Create(url(i), token);
  if (!client.ok()) return std::nullopt;
  auto r = client->Get(path);
  if (!r.ok()) return std::nullopt;
  return *r;
}

std::optional<cli::Response> LocalNet::Post(int i, const std::string& path,
                                            const std::string& body) const {
  auto client = cli::Client::Create(url(i));
  if (!client.ok()) return std::nullopt;
  auto r = client->Post(path, body);
  if (!r.ok()) return std::nullopt;
  return *r;
}

std::uint64_t LocalNet::Height(int i) const {
  auto r = Get(i, "/v1/status");
  if (!r || r->status != 200 || !r->body.is_object()) return 0;
  return r->body.value("height", 0ULL);
}

bool LocalNet::WaitHeight(int i, std::uint64_t height, std::int64_t timeout_ms) const {
  const std::int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    if (Height(i) >= height) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  return Height(i) >= height;
}

bool LocalNet::WaitAllHeight(std::uint64_t height, std::int64_t timeout_ms) const {
  const std::int64_t deadline = NowMs() + timeout_ms;
  for (int i = 0; i < size(); ++i) {
    if (!WaitHeight(i, height, std::max<std::int64_t>(1, deadline - NowMs()))) return false;
  }
  return true;
}

std::pair<std::string, std::string> LocalNet::BlockAt(int i, std::uint64_t height) const {
  auto r = Get(i, "/v1/blocks/" + std::to_string(height));
  if (!r || r->status != 200) return {"", ""};
  return {r->body.value("hash", ""), r->body["header"].value("state_digest", "")};
}

const crypto::PrivateKey& LocalNet::Key(const std::string& name) {
  auto it = keys_.find(name);
  if (it != keys_.end()) return it->second;
  const std::string path = dir_ + "/keys/" + name + ".json";
  if (fs::exists(path)) {
    auto text = ReadFile(path);
    auto key = wallet::DecryptKey(*text, std::nullopt);
    if (!key.ok()) std::abort();
    return keys_.emplace(name, std::move(*key)).first->second;
  }
  auto key = crypto::PrivateKey::FromBytes(crypto::Sha256("integration key " + name));
  return keys_.emplace(name, std::move(*key)).first->second;
}

std::string LocalNet::SignedTx(ledger::TxType type, const Json& body,
                               const std::vector<std::string>& signers,
                               std::uint64_t expires_at_height) {
  std::vector<const crypto::PrivateKey*> keys;
  for (const std::string& s : signers) keys.push_back(&Key(s));
  return CanonicalJson(ledger::testing::SignTxJson(
      ledger::Tx::MakeUnsigned(type, chain_id_, body,
                               ++nonce_ + static_cast<std::uint64_t>(NowMs() % 4'000'000) * 1000,
                               expires_at_height),
      keys));
}

Json LocalNet::NoticeBody(const std::string& controller) const {
  return Json{{"controller", controller},
              {"notice_id", ledger::testing::kFixtureNoticeId},
              {"version", 1},
              {"notice_hash", HexEncode(crypto::Sha256("notice " + controller))}};
}

Json LocalNet::GrantBody(const std::string& controller, const std::string& subject) {
  const auto now = UnixMillisNow();
  return ledger::testing::FixtureGrantBody(controller, Key(subject).public_key().Hex(), now - 1000,
                                           now + 365LL * 24 * 3600 * 1000);
}

std::map<std::string, std::string> LocalNet::Tokens() const {
  std::map<std::string, std::string> out;
  auto text = ReadFile(dir_ + "/tokens.json");
  auto json = text.ok() ? ParseJson(*text) : Result<Json>(text.status());
  if (!json.ok() || !json->is_object()) return out;
  for (auto& [member, t] : json->items()) out[member] = t.value("token", "");
  return out;
}

void LocalNet::AddForeignInsurer(Json& network) {
  network["members"].push_back(Json{
      {"id", "insurer-sg"}, {"roles", {"insurer"}}, {"jurisdiction", "SG"}, {"validator", false}});
}

std::string LocalNet::Log(int i) const {
  auto text = ReadFile(homes_[i] + "/consentd.log", 1 << 30);
  return text.ok() ? *text : "";
}

}  // namespace consentd::testing
