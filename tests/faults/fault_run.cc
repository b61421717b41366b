#include "tests/faults/fault_run.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "cli/client.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "consensus/certificate.h"
#include "ledger/genesis.h"
#include "ledger/tx.h"
#include "tests/faults/relay.h"
#include "tests/faults/schedule.h"
#include "tests/integration/harness.h"

namespace consentd::faults {
namespace {

using testing::LocalNet;
constexpr int kNodes = 4;
constexpr int kByzantineNode = 3;
constexpr std::int64_t kProgressTimeoutMs = 60'000;
constexpr const char* kController = "insurer-1";

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Hold(int ms) {
  // The length of a fault, not a wait for anything: the network must cope meanwhile.
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

int PortOf(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(host_port.c_str() + colon + 1);
}

enum class NodeState { kUp, kStopped, kDown };

// The network under test: LocalNet's processes with every peer link through Relays.
class FaultNet {
 public:
  FaultNet(std::optional<std::string> byzantine, std::vector<std::string>* failures)
      : net_(kNodes,
             [](Json& n) {
               // Faults need a node to notice a silent peer soon, but not flap under ASan.
               n["consensus"]["propose_base_ms"] = 800;
             }),
        relays_(kNodes),
        byzantine_(std::move(byzantine)),
        failures_(failures) {
    std::vector<int> p2p(kNodes);
    std::vector<Json> configs(kNodes);
    for (int i = 0; i < kNodes; ++i) {
      auto text = ReadFile(net_.home(i) + "/config.json");
      auto json = text.ok() ? ParseJson(*text) : Result<Json>(text.status());
      if (!json.ok()) {
        failures_->push_back("cannot read node config: " + json.status().ToString());
        return;
      }
      configs[i] = *json;
      p2p[i] = PortOf(configs[i]["p2p"]["listen"].get<std::string>());
    }
    for (int i = 0; i < kNodes; ++i) {
      Json peers = Json::array();
      for (int j = 0; j < kNodes; ++j) {
        if (j == i) continue;
        const int port = relays_.Add(i, j, p2p[j]);
        if (port == 0) failures_->push_back("relay could not listen");
        peers.push_back("127.0.0.1:" + std::to_string(port));
      }
      configs[i]["p2p"]["peers"] = peers;
      if (Status st = WriteFileAtomic(net_.home(i) + "/config.json", configs[i].dump(2));
          !st.ok()) {
        failures_->push_back("cannot write node config: " + st.ToString());
      }
    }
    auto genesis = ledger::Genesis::Load(net_.home(0) + "/genesis.json");
    if (!genesis.ok()) {
      failures_->push_back("genesis: " + genesis.status().ToString());
      return;
    }
    auto set = genesis->Validators();
    if (!set.ok()) {
      failures_->push_back("validators: " + set.status().ToString());
      return;
    }
    validators_.emplace(std::move(*set));
    for (int i = 0; i < kNodes; ++i) {
      auto c = cli::Client::Create(net_.url(i), net_.Tokens()["auditor"]);
      if (!c.ok()) {
        failures_->push_back("client: " + c.status().ToString());
        return;
      }
      clients_.push_back(std::make_unique<cli::Client>(std::move(*c)));
    }
  }

  LocalNet& net() { return net_; }
  Relays& relays() { return relays_; }
  const consensus::ValidatorSet& validators() const { return *validators_; }
  bool is_byzantine(int i) const { return byzantine_ && i == kByzantineNode; }
  std::string byzantine_mode() const { return byzantine_.value_or(""); }

  void Start(int i, std::int64_t clock_offset_ms = 0) {
    std::vector<std::string> args;
    if (is_byzantine(i)) args.push_back("--byzantine=" + *byzantine_);
    if (clock_offset_ms != 0)
      args.push_back("--clock-offset-ms=" + std::to_string(clock_offset_ms));
    net_.Start(i, args);
    state_[i] = NodeState::kUp;
  }
  void Kill(int i) {
    net_.Kill(i, SIGKILL);
    state_[i] = NodeState::kDown;
  }
  void Stop(int i) {
    net_.Signal(i, SIGSTOP);
    state_[i] = NodeState::kStopped;
  }
  void Cont(int i) {
    net_.Signal(i, SIGCONT);
    state_[i] = NodeState::kUp;
  }
  NodeState state(int i) const { return state_[i]; }

  // Nodes the test believes are running but whose process is gone.
  void CheckAlive(const std::string& when) {
    for (int i = 0; i < kNodes; ++i) {
      if (state_[i] == NodeState::kDown || net_.Running(i)) continue;
      state_[i] = NodeState::kDown;
      const std::string log = net_.Log(i);
      failures_->push_back("node" + std::to_string(i) + " exited by itself " + when + " (" +
                           net_.ExitReport(i) +
                           "); log tail: " + log.substr(log.size() > 1500 ? log.size() - 1500 : 0));
    }
  }

  std::optional<cli::Response> Get(int i, const std::string& path) {
    auto r = clients_[i]->Get(path);
    if (!r.ok()) return std::nullopt;
    return *r;
  }
  std::uint64_t Height(int i) {
    if (state_[i] != NodeState::kUp) return 0;
    auto r = Get(i, "/v1/status");
    if (!r || r->status != 200) return 0;
    return r->body.value("height", 0ULL);
  }
  std::uint64_t MaxHeight() {
    std::uint64_t h = 0;
    for (int i = 0; i < kNodes; ++i) h = std::max(h, Height(i));
    return h;
  }
  // Polls until some running node is above `height`.
  bool WaitProgress(std::uint64_t height, std::int64_t timeout_ms) {
    const std::int64_t deadline = NowMs() + timeout_ms;
    while (NowMs() < deadline) {
      if (MaxHeight() > height) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval
    }
    return false;
  }
  // Polls until every node is at `height` or above.
  bool WaitAll(std::uint64_t height, std::int64_t timeout_ms) {
    const std::int64_t deadline = NowMs() + timeout_ms;
    for (;;) {
      bool all = true;
      for (int i = 0; i < kNodes && all; ++i) all = Height(i) >= height;
      if (all) return true;
      if (NowMs() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval
    }
  }
  std::string Heights() {
    std::string s;
    for (int i = 0; i < kNodes; ++i) s += (i ? "," : "") + std::to_string(Height(i));
    return s;
  }
  // The node that proposes round 0 of the next height.
  int NextProposer() {
    const std::uint64_t next = MaxHeight() + 1;
    const crypto::PublicKey& key = validators_->Proposer(next, 0);
    for (int i = 0; i < kNodes; ++i) {
      if (node_keys_[i].empty()) {
        auto r = Get(i, "/v1/status");
        if (r && r->status == 200) node_keys_[i] = r->body.value("node_key", "");
      }
      if (node_keys_[i] == key.Hex()) return i;
    }
    return 0;
  }

 private:
  LocalNet net_;
  Relays relays_;
  std::optional<std::string> byzantine_;
  std::vector<std::string>* failures_;
  std::optional<consensus::ValidatorSet> validators_;
  std::vector<std::unique_ptr<cli::Client>> clients_;
  std::array<NodeState, kNodes> state_{NodeState::kDown, NodeState::kDown, NodeState::kDown,
                                       NodeState::kDown};
  std::array<std::string, kNodes> node_keys_;
};

// Clients that submit signed grants with ?wait=commit to running nodes and keep the id of
// every tx a node acknowledged (200: committed).
class Clients {
 public:
  Clients(FaultNet& fn, int threads, std::uint64_t seed) : fn_(fn), seed_(seed) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  ~Clients() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<std::string> acknowledged() {
    std::lock_guard<std::mutex> lock(mu_);
    return acknowledged_;
  }
  std::uint64_t submitted() const { return submitted_; }

 private:
  std::pair<std::string, std::string> NextTx() {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string subject = "customer-" + std::to_string(seed_) + "-" + std::to_string(next_++);
    const std::string text =
        fn_.net().SignedTx(ledger::TxType::kConsentGrant, fn_.net().GrantBody(kController, subject),
                           {kController, subject});
    auto tx = ledger::Tx::Parse(text, fn_.net().chain_id());
    return {text, tx.ok() ? HexEncode((*tx)->id()) : ""};
  }

  void Run(int t) {
    std::mt19937_64 rng(seed_ * 31 + static_cast<std::uint64_t>(t));
    std::vector<std::unique_ptr<cli::Client>> clients;
    for (int i = 0; i < kNodes; ++i) {
      auto c = cli::Client::Create(fn_.net().url(i));
      if (!c.ok()) return;
      clients.push_back(std::make_unique<cli::Client>(std::move(*c)));
    }
    while (!stop_) {
      auto [text, id] = NextTx();
      const int node = static_cast<int>(rng() % kNodes);
      ++submitted_;
      auto r = clients[node]->Post("/v1/txs?wait=commit&timeout_ms=8000", text);
      if (r.ok() && r->status == 200 && !id.empty()) {
        std::lock_guard<std::mutex> lock(mu_);
        acknowledged_.push_back(id);
      } else if (!r.ok()) {
        // Node down: try elsewhere soon. A short pause keeps a dead port from spinning.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }

  FaultNet& fn_;
  std::uint64_t seed_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> submitted_{0};
  std::mutex mu_;
  std::uint64_t next_ = 0;
  std::vector<std::string> acknowledged_;
  std::vector<std::thread> threads_;
};

void Apply(FaultNet& fn, const Fault& f) {
  Relays& relays = fn.relays();
  switch (f.kind) {
    case FaultKind::kKillRestart:
      fn.Kill(f.node);
      Hold(f.hold_ms);
      fn.Start(f.node);
      return;
    case FaultKind::kStopCont:
      fn.Stop(f.node);
      Hold(f.hold_ms);
      fn.Cont(f.node);
      return;
    case FaultKind::kWipeRestart:
      fn.Kill(f.node);
      fn.net().WipeData(f.node);
      Hold(f.hold_ms);
      fn.Start(f.node);
      return;
    case FaultKind::kIsolate:
      relays.Isolate(f.node);
      Hold(f.hold_ms);
      relays.HealAll();
      return;
    case FaultKind::kSplit: {
      for (int a = 0; a < kNodes; ++a) {
        for (int b = 0; b < kNodes; ++b) {
          const bool side_a = a == f.node || a == f.other;
          const bool side_b = b == f.node || b == f.other;
          if (a != b && side_a != side_b) relays.Cut(a, b);
        }
      }
      Hold(f.hold_ms);
      relays.HealAll();
      return;
    }
    case FaultKind::kOneWay:
      relays.Cut(f.node, f.other);
      Hold(f.hold_ms);
      relays.HealAll();
      return;
    case FaultKind::kIsolateLeader:
      relays.Isolate(fn.NextProposer());
      Hold(f.hold_ms);
      relays.HealAll();
      return;
    case FaultKind::kSlowLinks:
      for (int other = 0; other < kNodes; ++other) {
        if (other == f.node) continue;
        relays.SetDelay(f.node, other, f.param);
        relays.SetDelay(other, f.node, f.param);
      }
      Hold(f.hold_ms);
      relays.HealAll();
      return;
    case FaultKind::kClockOffset:
      fn.Kill(f.node);
      fn.Start(f.node, f.param);
      Hold(f.hold_ms);
      fn.Kill(f.node);
      fn.Start(f.node);
      return;
  }
}

// Checks after the network healed; appends to result.
void Verify(FaultNet& fn, const std::vector<std::string>& acknowledged, RunResult* result) {
  const std::uint64_t target = fn.MaxHeight() + 2;
  if (!fn.WaitAll(target, 120'000)) {
    result->failures.push_back("nodes did not all reach height " + std::to_string(target) +
                               " after healing (heights " + fn.Heights() + ")");
    return;
  }
  std::uint64_t h = target;
  for (int i = 0; i < kNodes; ++i) h = std::min(h, fn.Height(i));
  result->height = h;
  const std::string chain = fn.net().chain_id();
  for (std::uint64_t height = 1; height <= h; ++height) {
    const std::string path = "/v1/blocks/" + std::to_string(height);
    std::optional<std::pair<std::string, std::string>> reference;
    bool fork = false;
    for (int i = 0; i < kNodes; ++i) {
      auto r = fn.Get(i, path);
      if (!r || r->status != 200) {
        result->failures.push_back("node" + std::to_string(i) + " cannot serve block " +
                                   std::to_string(height));
        return;
      }
      const std::pair<std::string, std::string> got{r->body.value("hash", ""),
                                                    r->body["header"].value("state_digest", "")};
      // Each node's own certificate (they may hold different quorums of precommits).
      auto cert = consensus::CommitCertificate::FromJson(r->body["certificate"]);
      auto id = HexDecodeFixed<32>(got.first);
      Status st = !cert.ok() ? cert.status()
                  : !id.ok()
                      ? id.status()
                      : consensus::VerifyCertificateFor(*cert, chain, fn.validators(), height, *id);
      if (!st.ok()) {
        result->failures.push_back("node" + std::to_string(i) + ": certificate of block " +
                                   std::to_string(height) + " does not verify: " + st.ToString());
      }
      if (!reference) {
        reference = got;
      } else if (got != *reference) {
        fork = true;
      }
    }
    if (fork) ++result->forks;
  }
  for (const std::string& id : acknowledged) {
    for (int i = 0; i < kNodes; ++i) {
      auto r = fn.Get(i, "/v1/txs/" + id);
      if (!r || r->status != 200 || r->body.value("status", "") != "committed") {
        ++result->lost;
        result->failures.push_back("acknowledged tx " + id + " missing on node" +
                                   std::to_string(i));
        break;
      }
    }
  }
  // Evidence: who did the honest nodes catch signing twice?
  for (int i = 0; i < kNodes; ++i) {
    if (fn.is_byzantine(i)) continue;
    std::istringstream log(fn.net().Log(i));
    for (std::string line; std::getline(log, line);) {
      if (line.find("event=round") != std::string::npos &&
          line.find("outcome=next_round") != std::string::npos) {
        ++result->failed_rounds;
      }
      if (line.find("event=equivocation") == std::string::npos) continue;
      const auto at = line.find("validator=");
      const std::string who = at == std::string::npos ? "" : line.substr(at + 10, 64);
      bool byzantine = false;
      for (int j = 0; j < kNodes; ++j) {
        auto r = fn.Get(j, "/v1/status");
        if (fn.is_byzantine(j) && r && r->body.value("node_key", "") == who) byzantine = true;
      }
      if (byzantine) {
        ++result->evidence_against_byzantine;
      } else {
        result->failures.push_back("node" + std::to_string(i) +
                                   " logged equivocation by an honest validator: " + line);
      }
    }
  }
  // A byzantine proposer that sends nothing or an invalid block must cost honest nodes rounds:
  // if none failed, the misbehaviour never happened and the run proved nothing.
  const bool costs_rounds =
      fn.byzantine_mode() == "silent" || fn.byzantine_mode() == "invalid-proposal";
  if (costs_rounds && result->failed_rounds == 0) {
    result->failures.push_back("the byzantine node's misbehaviour had no visible effect");
  }
  if (!fn.WaitAll(h + 2, kProgressTimeoutMs)) {
    result->failures.push_back("heights stopped advancing after the checks (heights " +
                               fn.Heights() + ")");
  }
}

}  // namespace

std::string RunResult::SummaryLine() const {
  char line[512];
  std::snprintf(
      line, sizeof line,
      "faults scenario=%s seed=%llu faults=%d acked=%llu lost=%llu forks=%llu "
      "height=%llu failed_rounds=%llu evidence=%llu seconds=%.0f result=%s",
      scenario.c_str(), static_cast<unsigned long long>(seed), faults_injected,
      static_cast<unsigned long long>(acknowledged), static_cast<unsigned long long>(lost),
      static_cast<unsigned long long>(forks), static_cast<unsigned long long>(height),
      static_cast<unsigned long long>(failed_rounds),
      static_cast<unsigned long long>(evidence_against_byzantine), seconds, ok() ? "PASS" : "FAIL");
  return line;
}

std::string RunResult::ReplayCommand(int faults,
                                     const std::optional<std::string>& byzantine) const {
  std::string cmd = "tests/faults/run --scenario " + scenario + " --seed " + std::to_string(seed) +
                    " --faults " + std::to_string(faults);
  if (byzantine) cmd += " --byzantine " + *byzantine;
  return cmd;
}

RunResult RunFaults(const RunOptions& options) {
  const std::int64_t started = NowMs();
  RunResult result;
  result.scenario = options.scenario;
  result.seed = options.seed;
  FaultNet fn(options.byzantine, &result.failures);
  if (!result.failures.empty()) return result;
  for (int i = 0; i < kNodes; ++i) fn.Start(i);
  if (!fn.WaitAll(1, 120'000)) {
    result.failures.push_back("the network did not start (heights " + fn.Heights() + ")");
    return result;
  }
  auto notice = fn.net().Post(0, "/v1/txs?wait=commit&timeout_ms=30000",
                              fn.net().SignedTx(ledger::TxType::kNoticePublish,
                                                fn.net().NoticeBody(kController), {kController}));
  if (!notice || notice->status != 200) {
    result.failures.push_back("could not publish the notice: " + (notice ? notice->raw : "down"));
    return result;
  }
  const std::vector<Fault> schedule =
      MakeSchedule(options.seed, options.faults, kNodes,
                   options.byzantine ? std::optional<int>(kByzantineNode) : std::nullopt);
  {
    Clients clients(fn, options.clients, options.seed);
    for (const Fault& f : schedule) {
      const std::uint64_t before = fn.MaxHeight();
      if (options.verbose) {
        std::printf("  [%s seed=%llu] %s (height %llu)\n", options.scenario.c_str(),
                    static_cast<unsigned long long>(options.seed), f.Describe().c_str(),
                    static_cast<unsigned long long>(before));
        std::fflush(stdout);
      }
      Apply(fn, f);
      ++result.faults_injected;
      fn.CheckAlive("after: " + f.Describe());
      if (!fn.WaitProgress(before, kProgressTimeoutMs)) {
        result.failures.push_back("no commit within 60 s after: " + f.Describe() + " (heights " +
                                  fn.Heights() + ")");
        break;
      }
      if (!result.failures.empty()) break;
    }
    fn.relays().HealAll();
    for (int i = 0; i < kNodes; ++i) {
      if (fn.state(i) == NodeState::kStopped) fn.Cont(i);
      if (fn.state(i) == NodeState::kDown) fn.Start(i);
    }
    clients.Stop();
    const auto acked = clients.acknowledged();
    result.acknowledged = acked.size();
    if (result.failures.empty()) Verify(fn, acked, &result);
  }
  fn.CheckAlive("at the end");
  result.seconds = static_cast<double>(NowMs() - started) / 1000.0;
  return result;
}

}  // namespace consentd::faults
