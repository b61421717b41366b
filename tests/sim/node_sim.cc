#include "tests/sim/node_sim.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <vector>

#include "common/hex.h"
#include "consensus/signer.h"
#include "ledger/query/queries.h"
#include "ledger/store/store.h"
#include "ledger/testing/test_chain.h"
#include "node/log.h"
#include "node/mempool.h"
#include "node/node_core.h"
#include "node/wire.h"
#include "tests/sim/sim_env.h"

namespace consentd::sim {
namespace {

using ledger::testing::KeyFor;
using ledger::testing::kGenesisTime;

constexpr int kNodes = 4;
const std::vector<std::string> kMembers = {"insurer-a", "insurer-b", "insurer-x", "regulator"};
constexpr std::int64_t kStart = kGenesisTime + 1000;  // the virtual clock at t = 0

std::string Short(const Hash256& h) { return HexEncode(ByteSpan(h.data(), 4)); }

// A signed tx with fixed auxiliary randomness, so a seed makes the same bytes every run.
ledger::TxPtr MakeTx(std::string_view chain_id, ledger::TxType type, Json body,
                     const std::vector<const crypto::PrivateKey*>& signers, std::uint64_t nonce,
                     std::uint64_t expires_at_height) {
  const Json unsigned_tx =
      ledger::Tx::MakeUnsigned(type, chain_id, std::move(body), nonce, expires_at_height);
  const Hash256 msg = ledger::Tx::SignHash(unsigned_tx);
  Json tx = unsigned_tx;
  tx["signatures"] = Json::array();
  for (const auto* k : signers) {
    tx["signatures"].push_back(
        Json{{"key", k->public_key().Hex()}, {"sig", HexEncode(k->SignWithAux(msg, {}))}});
  }
  return ledger::Tx::FromJson(tx, chain_id).value();
}

class Sim;

// One node's view of the simulated network: peer j is PeerId j + 1.
class SimNetwork final : public node::Network {
 public:
  SimNetwork(Sim* sim, int self) : sim_(sim), self_(self) {}
  bool Send(node::PeerId peer, std::uint8_t kind, std::string payload) override;
  void Broadcast(std::uint8_t kind, const std::string& payload) override;

 private:
  Sim* sim_;
  int self_;
};

// The loop around one node's core: timers and off-loop work become events on the queue.
class SimRuntime final : public node::CoreRuntime {
 public:
  SimRuntime(Sim* sim, int node, std::uint64_t life) : sim_(sim), node_(node), life_(life) {}
  void SetTimer(std::int64_t due_ms, node::CoreTimer timer) override;
  bool ServeOffLoop(std::function<void()> task) override;
  std::future<void> RunAlongside(std::function<void()> task) override {
    task();  // the loop waits for it anyway: running it first changes nothing but the order
    std::promise<void> done;
    done.set_value();
    return done.get_future();
  }
  void Halt() override { halted = true; }
  bool halted = false;

 private:
  Sim* sim_;
  int node_;
  std::uint64_t life_;
};

struct SimNode {
  std::unique_ptr<SimEnv> env;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<node::Mempool> mempool;
  std::unique_ptr<SimNetwork> network;
  std::unique_ptr<SimRuntime> runtime;
  std::unique_ptr<node::NodeCore> core;
  bool up = false;
  std::uint64_t life = 0;
  std::int64_t restart_at = 0;
};

class Sim {
 public:
  explicit Sim(const NodeSimOptions& o)
      : o_(o),
        rng_(MixSeed(o.seed, 0x0de5)),
        genesis_(ledger::testing::DefaultGenesis("sim-chain")) {
    for (int i = 0; i < kNodes; ++i) {
      SimNode& n = nodes_[i];
      n.env = std::make_unique<SimEnv>(MixSeed(o.seed, 100 + i), kStart);
      n.ledger = ledger::Ledger::Open(ledger::NewMemoryStore(), genesis_).value();
      n.network = std::make_unique<SimNetwork>(this, i);
    }
    for (const std::string& m : kMembers) member_keys_.emplace(m, KeyFor(m));
  }

  NodeSimResult Go() {
    // Log lines are stamped with virtual time, like everything else in the run.
    const node::ScopedLogEnv log_env(nodes_[0].env.get());
    for (int i = 0; i < kNodes; ++i) StartNode(i);
    ScheduleClients();
    ScheduleFaults();
    const std::int64_t end = o_.fault_phase_ms + o_.heal_budget_ms;
    At(o_.fault_phase_ms, [this] { Heal(); });
    while (!queue_.empty() && result_.ok) {
      Event e = queue_.top();
      queue_.pop();
      if (e.at > end) break;
      now_ = e.at;
      for (auto& n : nodes_) n.env->SetElapsed(now_);
      e.fn();
      if (healed_ && now_ - last_check_ >= 250) {
        last_check_ = now_;
        if (LiveAgain()) break;
      }
    }
    Finish();
    result_.virtual_ms = now_;
    return result_;
  }

  // --- for SimNetwork and SimRuntime ---
  void Deliver(int from, int to, std::uint8_t kind, std::string payload) {
    ++result_.messages;
    if (kind == static_cast<std::uint8_t>(node::wire::Kind::kVote)) CheckVote(payload);
    if (!Connected(from, to) || rng_.Chance(drop_per_million_)) return;
    const std::int64_t delay = rng_.Between(1, max_delay_ms_);
    At(now_ + delay, [this, from, to, kind, payload = std::move(payload)]() mutable {
      SimNode& n = nodes_[to];
      if (!n.up) return;
      n.core->Handle(
          node::PeerMessageInput{static_cast<node::PeerId>(from + 1), kind, std::move(payload)});
      AfterInput(to);
    });
  }
  void Timer(int node, std::uint64_t life, std::int64_t due, node::CoreTimer timer) {
    At(std::max(due, now_), [this, node, life, timer] {
      SimNode& n = nodes_[node];
      if (!n.up || n.life != life) return;
      n.core->Handle(node::TimerFiredInput{timer});
      AfterInput(node);
    });
  }
  void OffLoop(int node, std::uint64_t life, std::function<void()> task) {
    At(now_ + 1, [this, node, life, task = std::move(task)] {
      if (!nodes_[node].up || nodes_[node].life != life) return;
      task();
    });
  }

 private:
  struct Event {
    std::int64_t at;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  void At(std::int64_t at, std::function<void()> fn) {
    queue_.push(Event{at, seq_++, std::move(fn)});
  }
  void Trace(const std::string& line) { result_.trace += std::to_string(now_) + " " + line + "\n"; }
  void Broken(const std::string& what) {
    if (!result_.ok) return;
    result_.ok = false;
    result_.failure = "t=" + std::to_string(now_) + "ms: " + what;
    Trace("BROKEN " + what);
  }
  bool Connected(int a, int b) const {
    return !partition_ || (partition_->count(a) > 0) == (partition_->count(b) > 0);
  }

  void StartNode(int i) {
    SimNode& n = nodes_[i];
    ++n.life;
    n.mempool = std::make_unique<node::Mempool>(n.ledger.get(), node::MempoolLimits{});
    n.runtime = std::make_unique<SimRuntime>(this, i, n.life);
    consensus::ReplicaConfig rc;
    rc.chain_id = genesis_.chain_id;
    rc.timeouts = genesis_.consensus;
    rc.certificate_cache = &n.ledger->certificate_cache();
    rc.signer = std::make_unique<consensus::LocalSigner>(
        KeyFor("node-" + kMembers[i]), consensus::LocalSigner::Aux::kDeterministic);
    node::DriverOptions d;
    d.env = n.env.get();
    d.wal_path = "node/data/consensus.wal";
    d.safety_path = "node/safety_state.json";
    d.safety_write_order = o_.safety_write_order;
    n.core = std::make_unique<node::NodeCore>(n.ledger.get(), n.mempool.get(), n.network.get(),
                                              std::move(rc), d, n.runtime.get());
    n.core->AddCommitListener([this, i](const ledger::Block& b) { OnCommit(i, b); });
    n.mempool->SetOnAvailable([this, i, life = n.life] {
      At(now_, [this, i, life] {
        SimNode& m = nodes_[i];
        if (!m.up || m.life != life) return;
        m.core->Handle(node::TxsAvailableInput{});
        AfterInput(i);
      });
    });
    Status st = n.core->Recover();
    if (!st.ok()) {
      // A start refused on a storage error: the operator tries again a little later.
      Trace("node" + std::to_string(i) + " start refused: " + st.code());
      if (st.code() != "wal_io" && st.code() != "safety_state_unreadable") {
        Broken("node" + std::to_string(i) + " cannot start: " + st.ToString());
      }
      n.core.reset();
      At(now_ + 1000, [this, i] { StartNode(i); });
      return;
    }
    n.up = true;
    Trace("node" + std::to_string(i) + " up at height " + std::to_string(n.ledger->head().height));
    n.core->Handle(node::StartInput{});
    AfterInput(i);
  }

  void StopNode(int i, bool crash) {
    SimNode& n = nodes_[i];
    if (!n.up) return;
    n.up = false;
    n.core.reset();
    n.mempool.reset();
    if (crash) n.env->Crash();
    ++result_.crashes;
    Trace("node" + std::to_string(i) + (crash ? " crashed" : " stopped"));
  }

  // The operator of node i deletes its data directory while it is down: a fresh empty ledger
  // and no WAL; the key and the safety state (outside data/) stay.
  void Wipe(int i) {
    StopNode(i, /*crash=*/true);
    SimNode& n = nodes_[i];
    n.ledger = ledger::Ledger::Open(ledger::NewMemoryStore(), genesis_).value();
    if (Status st = n.env->RemoveTree("node/data"); !st.ok()) {
      Broken("node" + std::to_string(i) + " wipe: " + st.ToString());
    }
    ++result_.wipes;
    Trace("node" + std::to_string(i) + " wiped");
  }

  // A node whose core halted (a storage error) is down until an operator restarts it.
  void AfterInput(int i) {
    SimNode& n = nodes_[i];
    if (!n.up || !n.runtime->halted) return;
    Trace("node" + std::to_string(i) + " halted: " + n.core->fatal().code());
    const std::string code = n.core->fatal().code();
    if (code != "wal_io" && code != "safety_state_write" && code != "commit_failed") {
      Broken("node" + std::to_string(i) + " halted on " + n.core->fatal().ToString());
    }
    StopNode(i, /*crash=*/n.env->power_cut() || rng_.Below(2) == 0);
    At(now_ + rng_.Between(500, 3000), [this, i] {
      if (!nodes_[i].up) StartNode(i);
    });
  }

  void OnCommit(int i, const ledger::Block& block) {
    const std::uint64_t h = block.header.height;
    const Hash256 id = ledger::Ledger::ReadBlock(*nodes_[i].ledger->latest().view, h)
                           .value()
                           .value()
                           .certificate.block_id;
    const Hash256 digest = block.header.state_digest;
    auto [it, fresh] = decided_.emplace(h, std::make_pair(id, digest));
    if (!fresh && (it->second.first != id || it->second.second != digest)) {
      Broken("node" + std::to_string(i) + " committed " + Short(id) + " at height " +
             std::to_string(h) + ", another node " + Short(it->second.first));
    }
    for (const auto& tx : block.txs) acked_.insert(tx->id());
    if (h > max_height_) {
      max_height_ = h;
      Trace("height " + std::to_string(h) + " block " + Short(id) + " txs " +
            std::to_string(block.txs.size()) + " (first by node" + std::to_string(i) + ")");
    }
  }

  // Honest validators never sign two different votes for one height, round and type.
  void CheckVote(const std::string& payload) {
    auto v = node::wire::DecodeVote(payload);
    if (!v.ok()) return;
    const auto key =
        std::make_tuple(v->validator.Hex(), v->height, v->round, static_cast<int>(v->type));
    const std::string value = v->block_id ? HexEncode(*v->block_id) : "nil";
    auto [it, fresh] = votes_.emplace(key, value);
    if (!fresh && it->second != value) {
      Broken("validator " + v->validator.Hex().substr(0, 8) + " signed two votes at height " +
             std::to_string(v->height) + " round " + std::to_string(v->round));
    }
  }

  void ScheduleClients() {
    // The notice every grant names, then grants from distinct customers, each sent to one node
    // and relayed to the others as gossip would.
    const auto& insurer = member_keys_.at("insurer-a");
    Submit(0, MakeTx(genesis_.chain_id, ledger::TxType::kNoticePublish,
                     bodies_.PublishNotice("insurer-a"), {&insurer}, ++nonce_, 100));
    for (int g = 0; g < o_.grants; ++g) {
      const std::int64_t at = 500 + rng_.Between(0, o_.fault_phase_ms - 1000);
      const std::string customer = "customer-" + std::to_string(g);
      customer_keys_.emplace(customer, KeyFor(customer));
      At(at, [this, customer, &insurer] {
        const Json body = bodies_.GrantBody(customer, "insurer-a");
        auto tx = MakeTx(genesis_.chain_id, ledger::TxType::kConsentGrant, body,
                         {&insurer, &customer_keys_.at(customer)}, ++nonce_, max_height_ + 100);
        Submit(static_cast<int>(rng_.Below(kNodes)), tx);
      });
    }
  }
  // A client sends `tx` to node `first`; it retries every second until some node admits it.
  void Submit(int first, const ledger::TxPtr& tx) {
    At(now_, [this, first, tx] {
      bool admitted = false;
      for (int k = 0; k < kNodes && !admitted; ++k) {
        SimNode& n = nodes_[(first + k) % kNodes];
        if (!n.up) continue;
        Status st = n.mempool->Add(tx, kStart + now_);
        admitted = st.ok() || st.code() == "mempool_duplicate" || st.code() == "tx_duplicate";
        if (!admitted) Trace("tx " + Short(tx->id()) + " refused: " + st.code());
        if (admitted) {
          admitted_.insert(tx->id());
          for (int j = 0; j < kNodes; ++j) {
            if (nodes_[j].up && j != (first + k) % kNodes) {
              (void)nodes_[j].mempool->AddRelayed(tx, kStart + now_);
            }
          }
        }
      }
      if (!admitted) {
        At(now_ + 1000, [this, first, tx] { Submit(first, tx); });
        return;
      }
      // A mempool is memory: a node that restarts forgets what it held. The client waits for
      // the commit (as POST /v1/txs?wait=commit does) and sends the tx again when it is late.
      At(now_ + 10'000, [this, first, tx] {
        if (acked_.count(tx->id()) == 0) Submit((first + 1) % kNodes, tx);
      });
    });
  }

  void ScheduleFaults() {
    drop_per_million_ = static_cast<std::uint32_t>(rng_.Between(0, 150'000));
    max_delay_ms_ = rng_.Between(5, 300);
    Trace("drop " + std::to_string(drop_per_million_ / 10'000) +
          "% delay <= " + std::to_string(max_delay_ms_) + "ms");
    std::int64_t t = rng_.Between(1000, 3000);
    while (t < o_.fault_phase_ms - 1000) {
      const auto kind = rng_.Below(o_.wipes ? 4 : 3);
      const int victim = static_cast<int>(rng_.Below(kNodes));
      const std::int64_t length = rng_.Between(300, 5000);
      if (kind == 0 && o_.crashes) {
        At(t, [this, victim, length] {
          if (!nodes_[victim].up || DownCount() > 0) return;  // at most f = 1 down at once
          StopNode(victim, /*crash=*/true);
          At(now_ + length, [this, victim] {
            if (!nodes_[victim].up) StartNode(victim);
          });
        });
      } else if (kind == 1 && o_.partitions) {
        At(t, [this, victim, length] {
          partition_ = std::set<int>{victim};
          if (rng_.Below(2) == 0) partition_->insert((victim + 1) % kNodes);
          Trace("partition around node" + std::to_string(victim) + " for " +
                std::to_string(length) + "ms");
          At(now_ + length, [this] { partition_.reset(); });
        });
      } else if (kind == 3) {
        At(t, [this, victim, length] {
          if (!nodes_[victim].up || DownCount() > 0) return;  // at most f = 1 down at once
          Wipe(victim);
          At(now_ + length, [this, victim] {
            if (!nodes_[victim].up) StartNode(victim);
          });
        });
      } else if (o_.disk_faults) {
        At(t, [this, victim] {
          if (!nodes_[victim].up) return;
          if (rng_.Below(2) == 0) {
            nodes_[victim].env->FailSyncs(1);
            Trace("node" + std::to_string(victim) + ": next fsync fails");
          } else {
            nodes_[victim].env->PowerCutAfter(rng_.Below(4));
            Trace("node" + std::to_string(victim) + ": power cut soon");
            At(now_ + 200, [this, victim] {
              if (nodes_[victim].env->power_cut() && nodes_[victim].up) {
                StopNode(victim, /*crash=*/true);
                At(now_ + 1000, [this, victim] { StartNode(victim); });
              }
            });
          }
        });
      }
      t += rng_.Between(500, 4000);
    }
  }
  int DownCount() const {
    int down = 0;
    for (const auto& n : nodes_) down += n.up ? 0 : 1;
    return down;
  }

  void Heal() {
    healed_ = true;
    partition_.reset();
    drop_per_million_ = 0;
    max_delay_ms_ = 20;
    heal_height_ = max_height_;
    for (int i = 0; i < kNodes; ++i) {
      if (nodes_[i].env->power_cut()) StopNode(i, /*crash=*/true);
      nodes_[i].env->Disarm();
      if (!nodes_[i].up) StartNode(i);
    }
    Trace("healed at height " + std::to_string(heal_height_));
  }
  bool LiveAgain() {
    for (const auto& n : nodes_) {
      if (!n.up || n.ledger->head().height < heal_height_ + 2) return false;
    }
    for (const Hash256& id : admitted_) {
      if (acked_.count(id) == 0) return false;
    }
    for (const auto& n : nodes_) {
      for (const Hash256& id : acked_) {
        auto tx = ledger::Queries(*n.ledger).Transaction(id);
        if (!tx.ok() || !tx->has_value()) return false;
      }
    }
    return true;
  }

  void Finish() {
    std::uint64_t min_height = ~0ull;
    for (const auto& n : nodes_) min_height = std::min(min_height, n.ledger->head().height);
    result_.min_height = min_height;
    result_.committed_txs = acked_.size();
    if (!result_.ok) return;
    if (!LiveAgain()) {
      std::string heights;
      for (int i = 0; i < kNodes; ++i) {
        heights += " n" + std::to_string(i) + "=" + std::to_string(nodes_[i].ledger->head().height);
        if (nodes_[i].up) {
          const node::DriverStats st = nodes_[i].core->stats();
          const consensus::Replica* rep = nodes_[i].core->replica();
          heights += "(h" + std::to_string(rep->height()) + " r" + std::to_string(rep->round()) +
                     " " + std::string(consensus::ToString(rep->step())) +
                     " peers<=" + std::to_string(st.max_peer_height) + " locked r" +
                     std::to_string(rep->locked_round()) +
                     (rep->locked_block_id() ? " " + Short(*rep->locked_block_id()) : "") +
                     " valid r" + std::to_string(rep->valid_round()) + ")";
        } else {
          heights += "(down)";
        }
      }
      std::size_t pending = 0;
      for (const Hash256& id : admitted_) pending += acked_.count(id) == 0 ? 1 : 0;
      Broken("not live " + std::to_string(o_.heal_budget_ms) +
             " ms after the faults healed at height " + std::to_string(heal_height_) + ": heights" +
             heights + "; " + std::to_string(pending) + " admitted txs not committed");
    }
    Trace("end: height " + std::to_string(min_height) + ", " + std::to_string(acked_.size()) +
          " txs");
  }

  NodeSimOptions o_;
  SimRng rng_;
  ledger::Genesis genesis_;
  ledger::testing::TestChain bodies_;  // only its body builders (keys derive from names)
  SimNode nodes_[kNodes];
  std::map<std::string, crypto::PrivateKey> member_keys_;
  std::map<std::string, crypto::PrivateKey> customer_keys_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  std::uint64_t seq_ = 0;
  std::int64_t now_ = 0;
  std::uint64_t nonce_ = 0;
  std::optional<std::set<int>> partition_;
  std::uint32_t drop_per_million_ = 0;
  std::int64_t max_delay_ms_ = 50;
  bool healed_ = false;
  std::int64_t last_check_ = 0;
  std::uint64_t heal_height_ = 0;
  std::uint64_t max_height_ = 0;
  std::map<std::uint64_t, std::pair<Hash256, Hash256>> decided_;
  std::map<std::tuple<std::string, std::uint64_t, std::uint32_t, int>, std::string> votes_;
  std::set<Hash256> acked_;
  std::set<Hash256> admitted_;
  NodeSimResult result_;
};

bool SimNetwork::Send(node::PeerId peer, std::uint8_t kind, std::string payload) {
  if (peer == 0 || peer > kNodes) return false;
  sim_->Deliver(self_, static_cast<int>(peer - 1), kind, std::move(payload));
  return true;
}

void SimNetwork::Broadcast(std::uint8_t kind, const std::string& payload) {
  for (int j = 0; j < kNodes; ++j) {
    if (j != self_) sim_->Deliver(self_, j, kind, payload);
  }
}

void SimRuntime::SetTimer(std::int64_t due_ms, node::CoreTimer timer) {
  sim_->Timer(node_, life_, due_ms - kStart, timer);
}

bool SimRuntime::ServeOffLoop(std::function<void()> task) {
  sim_->OffLoop(node_, life_, std::move(task));
  return true;
}

}  // namespace

NodeSimResult RunNodeSim(const NodeSimOptions& options) { return Sim(options).Go(); }

}  // namespace consentd::sim
