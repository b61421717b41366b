#include "tests/sim/simulator.h"

#include <algorithm>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "common/hex.h"
#include "consensus/replica.h"
#include "crypto/sha256.h"
#include "tests/sim/adversary.h"
#include "tests/sim/fake_app.h"
#include "tests/sim/remembering_verifier.h"
#include "tests/sim/sim_rng.h"

namespace consentd::sim {
namespace {

using consensus::Action;
using consensus::Message;
using consensus::Proposal;
using consensus::Vote;

// Concatenates by streaming (also sidesteps GCC 12's -Wrestrict false positive on
// "literal" + std::string at -O3).
template <typename... T>
std::string Cat(const T&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// Keys are fixed per index (not per seed): the seed decides who does what with them. Made once,
// before any schedule runs, so that simulations may run on several threads.
const crypto::PrivateKey& SimKey(std::size_t i) {
  static const std::vector<crypto::PrivateKey> keys = [] {
    std::vector<crypto::PrivateKey> out;
    for (std::size_t k = 0; k < kMaxSimValidators; ++k) {
      out.push_back(std::move(
          crypto::PrivateKey::FromBytes(crypto::Sha256(Cat("consentd-sim key ", k))).value()));
    }
    return out;
  }();
  return keys.at(i);
}

// FNV-1a over 64-bit words.
class TraceHash {
 public:
  void Add(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h_ ^= (v >> (8 * i)) & 0xff;
      h_ *= 0x100000001b3ULL;
    }
  }
  void Add(const Hash256& h) {
    for (std::size_t i = 0; i < 32; i += 8) {
      std::uint64_t w = 0;
      for (std::size_t j = 0; j < 8; ++j) w = (w << 8) | h[i + j];
      Add(w);
    }
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

std::string Short(const std::optional<Hash256>& id) {
  return id ? HexEncode(*id).substr(0, 8) : "nil";
}

std::string Describe(const Message& m) {
  if (const auto* p = std::get_if<Proposal>(&m)) {
    return Cat("proposal h=", p->height, " r=", p->round, " pol=", p->pol_round,
               " id=", Short(p->block_id), " by ", p->proposer.Hex().substr(0, 6));
  }
  const Vote& v = std::get<Vote>(m);
  return Cat(consensus::ToString(v.type), " h=", v.height, " r=", v.round,
             " id=", Short(v.block_id), " by ", v.validator.Hex().substr(0, 6));
}

class Simulation {
 public:
  Simulation(const Schedule& schedule, const SimOptions& options);
  SimResult Run();

 private:
  struct Packet {
    enum class Kind { kMessage, kRequest, kResponse };
    Kind kind = Kind::kMessage;
    std::shared_ptr<const Message> message;
    std::uint64_t height = 0;
    std::shared_ptr<const StoredBlock> block;
  };
  enum class Kind { kStart, kDeliver, kTimer, kTxSource, kTx, kCrash, kRestart, kGst };
  struct Event {
    std::int64_t time;
    std::uint64_t seq;
    Kind kind;
    std::uint32_t node = 0;
    std::uint32_t from = 0;
    std::uint32_t incarnation = 0;
    Packet packet;
    consensus::ScheduleTimeout timer{};
    std::uint64_t value = 0;  // tx id, crash plan index
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return std::tie(a.time, a.seq) > std::tie(b.time, b.seq);
    }
  };
  struct Node {
    Node(NodeSpec spec_in, crypto::PublicKey key_in, std::unique_ptr<FakeApp> app_in)
        : spec(spec_in), key(std::move(key_in)), app(std::move(app_in)) {}
    NodeSpec spec;
    crypto::PublicKey key;
    std::unique_ptr<FakeApp> app;
    std::unique_ptr<consensus::Replica> replica;
    std::unique_ptr<Adversary> adversary;
    consensus::SafetyState disk;
    bool up = true;
    std::uint32_t incarnation = 0;
    std::optional<std::uint32_t> crash_countdown;
    std::uint64_t target_height = 0;  // set at GST
  };

  static Event Make(std::int64_t time, Kind kind, std::uint32_t node = 0, std::uint32_t from = 0,
                    std::uint64_t value = 0) {
    Event e;
    e.time = time;
    e.seq = 0;
    e.kind = kind;
    e.node = node;
    e.from = from;
    e.value = value;
    return e;
  }
  void Push(Event e);
  void Process(const Event& e);
  void Feed(std::uint32_t node, const consensus::Event& event);
  void Execute(std::uint32_t node, const std::vector<Action>& actions);
  void Outgoing(std::uint32_t node, const Message& m, std::optional<std::uint32_t> peer);
  void SendRaw(std::uint32_t node, std::vector<std::pair<std::uint32_t, Message>> out);
  void Send(std::uint32_t from, std::uint32_t to, Packet packet);
  bool Blocked(std::uint32_t from, std::uint32_t to, const Packet& packet) const;
  std::int64_t Delay();
  void Crash(std::uint32_t node);
  void Restart(std::uint32_t node);
  std::unique_ptr<consensus::Replica> MakeReplica(std::uint32_t node);
  bool LivenessReached() const;
  bool tracing() const { return options_.trace != nullptr; }
  void Trace(const std::string& line);

  const Schedule& s_;
  const SimOptions& options_;
  SimRng rng_;
  std::shared_ptr<RememberingVerifier> verifier_;
  consensus::ValidatorSet validators_;
  Checker checker_;
  std::vector<Node> nodes_;
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  std::uint64_t seq_ = 0;
  std::int64_t now_ = 0;
  bool after_gst_ = false;
  std::uint64_t next_tx_ = 1;
  TraceHash hash_;
  SimResult result_;
};

consensus::ValidatorSet MakeValidators(std::size_t n) {
  std::vector<crypto::PublicKey> keys;
  for (std::size_t i = 0; i < n; ++i) keys.push_back(SimKey(i).public_key());
  return std::move(consensus::ValidatorSet::Create(keys)).value();
}

std::set<consensus::PeerId> HonestNodes(const Schedule& s) {
  std::set<consensus::PeerId> out;
  for (std::uint32_t i = 0; i < s.nodes.size(); ++i) {
    if (s.IsHonest(i)) out.insert(i);
  }
  return out;
}

std::set<std::size_t> HonestKeys(const Schedule& s, const consensus::ValidatorSet& set) {
  std::set<std::size_t> faulty;
  for (const NodeSpec& node : s.nodes) {
    if (node.behavior != Behavior::kHonest || node.twin) faulty.insert(node.key);
  }
  std::set<std::size_t> out;
  for (std::size_t k = 0; k < s.n; ++k) {
    if (faulty.count(k) == 0) out.insert(*set.IndexOf(SimKey(k).public_key()));
  }
  return out;
}

Simulation::Simulation(const Schedule& schedule, const SimOptions& options)
    : s_(schedule),
      options_(options),
      rng_(MixSeed(MixSeed(schedule.seed, schedule.n), 1000 + static_cast<int>(schedule.scenario))),
      verifier_(options.share_verifier ? std::make_shared<RememberingVerifier>() : nullptr),
      validators_(MakeValidators(schedule.n)),
      checker_(kSimChainId, &validators_, HonestNodes(schedule),
               HonestKeys(schedule, validators_)) {
  std::vector<const crypto::PrivateKey*> by_index(s_.n);
  for (std::size_t k = 0; k < s_.n; ++k) {
    by_index[*validators_.IndexOf(SimKey(k).public_key())] = &SimKey(k);
  }
  for (std::uint32_t i = 0; i < s_.nodes.size(); ++i) {
    const NodeSpec& spec = s_.nodes[i];
    Node node(spec, SimKey(spec.key).public_key(), std::make_unique<FakeApp>(&validators_, i));
    if (spec.behavior != Behavior::kHonest) {
      node.adversary =
          std::make_unique<Adversary>(spec.behavior, kSimChainId, *validators_.IndexOf(node.key),
                                      by_index, s_.nodes.size(), &rng_);
    }
    nodes_.push_back(std::move(node));
  }
}

void Simulation::Push(Event e) {
  e.seq = seq_++;
  queue_.push(std::move(e));
}

std::unique_ptr<consensus::Replica> Simulation::MakeReplica(std::uint32_t i) {
  Node& node = nodes_[i];
  consensus::ReplicaConfig config;
  config.chain_id = kSimChainId;
  config.signer = std::make_unique<consensus::LocalSigner>(
      std::move(crypto::PrivateKey::FromBytes(SimKey(node.spec.key).secret())).value(),
      consensus::LocalSigner::Aux::kDeterministic);
  config.verifier = verifier_;
  config.timeouts = s_.timeouts;
  config.limits.resend_interval_ms = 300;
#ifdef CONSENTD_UNSAFE_VARIANTS
  config.unsafe_variant_for_test = s_.variant;
#endif
  return std::make_unique<consensus::Replica>(std::move(config), node.app.get(), node.disk,
                                              node.app->tip() + 1);
}

SimResult Simulation::Run() {
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].spec.behavior == Behavior::kSilent) continue;  // no replica at all
    nodes_[i].replica = MakeReplica(i);
    Push(Make(rng_.Between(0, 20), Kind::kStart, i));
  }
  for (std::size_t c = 0; c < s_.crashes.size(); ++c) {
    Push(Make(s_.crashes[c].crash_ms, Kind::kCrash, s_.crashes[c].node, 0, c));
    Push(Make(s_.crashes[c].restart_ms, Kind::kRestart, s_.crashes[c].node, 0, c));
  }
  Push(Make(s_.gst_ms, Kind::kGst));
  Push(Make(rng_.Between(0, s_.tx_gap_max_ms), Kind::kTxSource));

  const std::int64_t deadline = s_.gst_ms + s_.liveness_bound_ms;
  while (!queue_.empty()) {
    const Event e = queue_.top();
    queue_.pop();
    if (e.time > deadline) break;
    now_ = e.time;
    ++result_.events;
    hash_.Add(static_cast<std::uint64_t>(e.time));
    hash_.Add((static_cast<std::uint64_t>(e.kind) << 32) | (std::uint64_t{e.node} << 16) | e.from);
    Process(e);
    if (checker_.violation()) break;
    if (after_gst_ && LivenessReached()) break;
  }
  if (!checker_.violation() && !LivenessReached()) {
    std::string detail = Cat("not every honest node committed ", s_.heights_after_gst,
                             " heights within ", s_.liveness_bound_ms, " ms after GST; heights:");
    for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
      if (!s_.IsHonest(i)) continue;
      detail += Cat(" n", i, "=", nodes_[i].app->tip(), "/", nodes_[i].target_height);
      if (nodes_[i].replica) detail += Cat("(r", nodes_[i].replica->round(), ")");
    }
    checker_.Fail(ViolationKind::kLiveness, now_, detail);
  }
  result_.violation = checker_.violation();
  result_.trace_hash = hash_.value();
  result_.commits = checker_.commits();
  result_.evidence = checker_.evidence();
  result_.end_ms = now_;
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    if (!s_.IsHonest(i)) continue;
    result_.max_height = std::max(result_.max_height, nodes_[i].app->tip());
    for (const StoredBlock& block : nodes_[i].app->chain()) {
      result_.max_round = std::max<std::uint64_t>(result_.max_round, block.certificate.round);
    }
    if (nodes_[i].replica) {
      result_.dropped_bad_signature +=
          nodes_[i].replica->dropped(consensus::DropReason::kBadSignature);
    }
  }
  return result_;
}

bool Simulation::LivenessReached() const {
  if (!after_gst_) return false;
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    if (s_.IsHonest(i) && nodes_[i].app->tip() < nodes_[i].target_height) return false;
  }
  return true;
}

void Simulation::Trace(const std::string& line) {
  if (options_.trace != nullptr) *options_.trace << "t=" << now_ << " " << line << "\n";
}

void Simulation::Process(const Event& e) {
  Node& node = nodes_[e.node];
  switch (e.kind) {
    case Kind::kStart:
      if (node.up && node.replica) Feed(e.node, consensus::Start{now_});
      return;
    case Kind::kDeliver: {
      if (!node.up || !node.replica) return;
      const Packet& p = e.packet;
      switch (p.kind) {
        case Packet::Kind::kMessage:
          if (options_.trace) {
            if (tracing()) Trace(Cat("n", e.node, " <- n", e.from, " ", Describe(*p.message)));
          }
          if (node.adversary) SendRaw(e.node, node.adversary->OnReceive(e.node, *p.message));
          if (const auto* proposal = std::get_if<Proposal>(p.message.get())) {
            Feed(e.node, consensus::ProposalReceived{now_, *proposal, e.from});
          } else {
            Feed(e.node, consensus::VoteReceived{now_, std::get<Vote>(*p.message), e.from});
          }
          return;
        case Packet::Kind::kRequest:
          if (tracing()) Trace(Cat("n", e.node, " <- n", e.from, " block request h=", p.height));
          if (const StoredBlock* block = node.app->BlockAt(p.height)) {
            Packet reply;
            reply.kind = Packet::Kind::kResponse;
            reply.block = std::make_shared<const StoredBlock>(*block);
            Send(e.node, e.from, std::move(reply));
          }
          return;
        case Packet::Kind::kResponse:
          if (tracing()) Trace(Cat("n", e.node, " <- n", e.from, " block h=", p.block->height));
          Feed(e.node, consensus::BlockReceived{now_, p.block->height, p.block->payload,
                                                p.block->certificate});
          return;
      }
      return;
    }
    case Kind::kTimer:
      if (!node.up || !node.replica || e.incarnation != node.incarnation) return;
      if (tracing())
        Trace(Cat("n", e.node, " timeout h=", e.timer.height, " r=", e.timer.round, " ",
                  consensus::ToString(e.timer.step)));
      Feed(e.node, consensus::TimeoutFired{now_, e.timer.height, e.timer.round, e.timer.step});
      return;
    case Kind::kTxSource: {
      const std::uint64_t tx = next_tx_++;
      for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
        Push(Make(now_ + rng_.Between(1, 50), Kind::kTx, i, 0, tx));
      }
      Push(Make(now_ + rng_.Between(1, s_.tx_gap_max_ms), Kind::kTxSource));
      return;
    }
    case Kind::kTx:
      if (node.up && node.replica && node.app->AddTx(e.value)) {
        Feed(e.node, consensus::TxsAvailable{now_});
      }
      return;
    case Kind::kCrash: {
      if (!node.up || !node.replica) return;
      const std::uint32_t after = s_.crashes[e.value].after_actions;
      if (tracing()) Trace(Cat("n", e.node, " crash planned after ", after, " actions"));
      if (after == 0) {
        Crash(e.node);
      } else {
        node.crash_countdown = after;
      }
      return;
    }
    case Kind::kRestart:
      if (node.up && node.crash_countdown) Crash(e.node);  // the planned crash never landed
      if (!node.up) Restart(e.node);
      return;
    case Kind::kGst:
      after_gst_ = true;
      for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
        nodes_[i].target_height = nodes_[i].app->tip() + s_.heights_after_gst;
      }
      if (tracing()) Trace("GST");
      return;
  }
}

void Simulation::Crash(std::uint32_t i) {
  Node& node = nodes_[i];
  if (tracing()) Trace(Cat("n", i, " CRASH at height ", node.app->tip() + 1));
  node.up = false;
  node.replica.reset();  // all memory is gone; node.disk and the chain survive
  node.crash_countdown.reset();
  node.app->ClearMempool();
  ++node.incarnation;
}

void Simulation::Restart(std::uint32_t i) {
  Node& node = nodes_[i];
  if (tracing())
    Trace(Cat("n", i, " RESTART from disk h=", node.disk.height, " r=", node.disk.round,
              " locked=", node.disk.locked_round));
  node.up = true;
  node.replica = MakeReplica(i);
  Feed(i, consensus::Start{now_});
}

void Simulation::Feed(std::uint32_t node, const consensus::Event& event) {
  Execute(node, nodes_[node].replica->Handle(event));
}

void Simulation::Execute(std::uint32_t i, const std::vector<Action>& actions) {
  Node& node = nodes_[i];
  bool committed = false;
  for (const Action& action : actions) {
    if (node.crash_countdown) {
      if (*node.crash_countdown == 0) {
        Crash(i);  // the rest of this list is lost
        return;
      }
      --*node.crash_countdown;
    }
    hash_.Add(action.index());
    if (const auto* p = std::get_if<consensus::PersistSafetyState>(&action)) {
      node.disk = p->state;  // written and fsynced before anything after it
    } else if (const auto* b = std::get_if<consensus::Broadcast>(&action)) {
      Outgoing(i, b->message, std::nullopt);
    } else if (const auto* s = std::get_if<consensus::SendTo>(&action)) {
      if (s->peer < nodes_.size()) Outgoing(i, s->message, static_cast<std::uint32_t>(s->peer));
    } else if (const auto* t = std::get_if<consensus::ScheduleTimeout>(&action)) {
      Event e = Make(now_ + t->duration_ms, Kind::kTimer, i);
      e.incarnation = node.incarnation;
      e.timer = *t;
      Push(std::move(e));
    } else if (const auto* r = std::get_if<consensus::RequestBlock>(&action)) {
      if (r->peer < nodes_.size()) {
        Packet p;
        p.kind = Packet::Kind::kRequest;
        p.height = r->height;
        Send(i, static_cast<std::uint32_t>(r->peer), std::move(p));
      }
    } else if (const auto* c = std::get_if<consensus::Commit>(&action)) {
      if (tracing())
        Trace(Cat("n", i, " COMMIT h=", c->height, " id=", Short(c->block_id), " round ",
                  c->certificate.round));
      hash_.Add(c->block_id);
      if (s_.IsHonest(i)) checker_.OnCommit(i, *c, now_);
      node.app->ApplyCommit(StoredBlock{c->height, c->block_id, c->payload, c->certificate});
      committed = true;
    } else if (const auto* ev = std::get_if<consensus::Evidence>(&action)) {
      if (s_.IsHonest(i)) checker_.OnEvidence(i, *ev, now_);
    }
  }
  // As the node's driver does: a commit that left txs in the mempool says so.
  if (committed && node.app->has_txs()) Feed(i, consensus::TxsAvailable{now_});
}

void Simulation::Outgoing(std::uint32_t i, const Message& m, std::optional<std::uint32_t> peer) {
  Node& node = nodes_[i];
  const auto* p = std::get_if<Proposal>(&m);
  const crypto::PublicKey& signer = p ? p->proposer : std::get<Vote>(m).validator;
  if (s_.IsHonest(i) && signer == node.key) checker_.OnOwnMessageSent(i, node.disk, m, now_);
  if (tracing()) Trace(Cat("n", i, " -> ", peer ? Cat("n", *peer) : "all", " ", Describe(m)));
  std::vector<std::pair<std::uint32_t, Message>> out;
  if (node.adversary) {
    out = node.adversary->Transform(i, m, peer);
  } else if (peer) {
    out.emplace_back(*peer, m);
  } else {
    for (std::uint32_t j = 0; j < nodes_.size(); ++j) {
      if (j != i) out.emplace_back(j, m);
    }
  }
  SendRaw(i, std::move(out));
}

void Simulation::SendRaw(std::uint32_t i, std::vector<std::pair<std::uint32_t, Message>> out) {
  const Node& node = nodes_[i];
  std::shared_ptr<const Message> shared;
  for (auto& [to, message] : out) {
    if (const auto* sent = std::get_if<Proposal>(&message)) checker_.OnProposalSent(*sent);
    if (const auto* vote = std::get_if<Vote>(&message);
        vote && vote->type == consensus::VoteType::kPrecommit && vote->validator == node.key) {
      checker_.OnPrecommitSigned(*vote, now_);  // genuine: signed by the sending node's key
    }
    Packet packet;
    // Share one copy among recipients of the same message (the common case).
    if (!shared || !(*shared == message))
      shared = std::make_shared<const Message>(std::move(message));
    packet.message = shared;
    Send(i, to, std::move(packet));
  }
}

bool Simulation::Blocked(std::uint32_t from, std::uint32_t to, const Packet& packet) const {
  for (const Partition& part : s_.partitions) {
    if (now_ >= part.start_ms && now_ < part.end_ms && part.cut.Blocks(from, to)) {
      return true;
    }
  }
  if (packet.kind == Packet::Kind::kMessage && !s_.round_cuts.empty()) {
    const Message& m = *packet.message;
    const std::uint32_t round = std::visit([](const auto& x) { return x.round; }, m);
    const auto* vote = std::get_if<Vote>(&m);
    const std::size_t step = vote ? (vote->type == consensus::VoteType::kPrevote ? 1 : 2) : 0;
    if (round < s_.round_cuts.size()) {
      const Cut& cut = s_.round_cuts[round][step];
      if (!cut.group.empty() && cut.Blocks(from, to)) return true;
    }
  }
  return false;
}

std::int64_t Simulation::Delay() {
  const DelayModel& d = after_gst_ ? s_.stable_delays : s_.unstable_delays;
  if (d.tail_ppm > 0 && rng_.Chance(d.tail_ppm)) return rng_.Between(d.tail_lo, d.tail_hi);
  return rng_.Between(d.lo, d.hi);
}

void Simulation::Send(std::uint32_t from, std::uint32_t to, Packet packet) {
  if (from == to) return;
  ++result_.messages;
  if (!after_gst_ && (Blocked(from, to, packet) || rng_.Chance(s_.drop_ppm))) {
    if (tracing() && packet.kind == Packet::Kind::kMessage) {
      Trace(Cat("n", from, " -x n", to, " lost ", Describe(*packet.message)));
    }
    return;
  }
  if (rng_.Chance(s_.dup_ppm)) {
    Event dup = Make(now_ + Delay(), Kind::kDeliver, to, from);
    dup.packet = packet;
    Push(std::move(dup));
  }
  Event e = Make(now_ + Delay(), Kind::kDeliver, to, from);
  e.packet = std::move(packet);
  Push(std::move(e));
}

}  // namespace

SimResult RunSchedule(const Schedule& schedule, const SimOptions& options) {
  Simulation sim(schedule, options);
  return sim.Run();
}

std::string ReplayCommand(const Schedule& schedule, const std::string& binary) {
  std::string cmd = Cat(binary, " --n ", schedule.n, " --scenario ", ToString(schedule.scenario),
                        " --start ", schedule.seed, " --seeds 1");
#ifdef CONSENTD_UNSAFE_VARIANTS
  if (schedule.variant != UnsafeVariantForTest::kNone) {
    cmd += std::string(" --variant ") + ToString(schedule.variant);
  }
#endif
  return cmd;
}

}  // namespace consentd::sim
