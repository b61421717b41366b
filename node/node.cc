#include "node/node.h"

#include <chrono>
#include <cstdlib>

#include "common/hex.h"
#include "consensus/signer.h"
#include "ledger/genesis.h"
#include "ledger/state/state.h"
#include "ledger/store/store.h"
#include "node/http/server.h"
#ifdef CONSENTD_TEST_HOOKS
#include "node/byzantine.h"
#endif
#include "node/log.h"
#include "node/wire.h"
#include "wallet/key_file.h"

namespace consentd::node {
namespace {

// Adapts the transport to the driver's Network. The transport is created after the driver
// (its handler routes into the driver), so this holds the owner's pointer; nothing sends before
// Node::Start, by which time it is set.
class TransportNetwork final : public Network {
 public:
  explicit TransportNetwork(const std::unique_ptr<p2p::Transport>* transport)
      : transport_(transport) {}
  bool Send(PeerId peer, std::uint8_t kind, std::string payload) override {
    return *transport_ != nullptr && (*transport_)->Send(peer, kind, std::move(payload));
  }
  void Broadcast(std::uint8_t kind, const std::string& payload) override {
    if (*transport_ != nullptr) (*transport_)->Broadcast(kind, payload);
  }

 private:
  const std::unique_ptr<p2p::Transport>* transport_;
};

Result<crypto::PrivateKey> LoadNodeKey(const Config& config, const NodeOptions& options) {
  bool loose = false;
  CONSENTD_ASSIGN_OR_RETURN(std::string text, wallet::ReadKeyFile(config.KeyPath(), &loose));
  if (loose) {
    LogWarn("node", "key_file_permissions", {{"path", config.KeyPath()}, {"advice", "chmod 600"}});
  }
  std::optional<std::string> passphrase = options.passphrase;
  if (!passphrase && !config.key_passphrase_env.empty()) {
    if (const char* env = std::getenv(config.key_passphrase_env.c_str())) passphrase = env;
  }
  if (wallet::IsPlaintextKeyFile(text)) {
    LogWarn("node", "insecure_plaintext_key",
            {{"path", config.KeyPath()}, {"use", "local test networks only"}});
  }
  auto key = wallet::DecryptKey(text, passphrase);
  if (!key.ok()) return key.status().WithContext(config.KeyPath());
  return key;
}

}  // namespace

Result<std::unique_ptr<Node>> Node::Create(Config config, NodeOptions options) {
  CONSENTD_ASSIGN_OR_RETURN(crypto::PrivateKey key, LoadNodeKey(config, options));
  std::unique_ptr<Node> node(new Node(std::move(config), std::move(options), std::move(key)));
  CONSENTD_RETURN_IF_ERROR(node->Open());
  return node;
}

Node::Node(Config config, NodeOptions options, crypto::PrivateKey key)
    : config_(std::move(config)), options_(std::move(options)), key_(std::move(key)) {}

Node::~Node() { Stop(); }

std::int64_t Node::Now() const { return options_.env->NowMs() + options_.clock_offset_ms; }

namespace {
// Forwards to a Network owned elsewhere (the honest node's own transport network).
class ForwardingNetwork final : public Network {
 public:
  explicit ForwardingNetwork(Network* inner) : inner_(inner) {}
  bool Send(PeerId peer, std::uint8_t kind, std::string payload) override {
    return inner_->Send(peer, kind, std::move(payload));
  }
  void Broadcast(std::uint8_t kind, const std::string& payload) override {
    inner_->Broadcast(kind, payload);
  }

 private:
  Network* inner_;
};
}  // namespace

Result<std::unique_ptr<Network>> Node::WrapNetwork(Network* inner) {
  if (options_.byzantine.empty())
    return std::unique_ptr<Network>(std::make_unique<ForwardingNetwork>(inner));
#ifdef CONSENTD_TEST_HOOKS
  auto mode = ParseByzantineMode(options_.byzantine);
  if (!mode)
    return Status::Error(Reason::kConfigInvalid, "unknown byzantine mode " + options_.byzantine);
  return std::unique_ptr<Network>(
      std::make_unique<ByzantineNetwork>(*mode, inner, ledger_.get(), &key_, [this] {
        std::vector<PeerId> ids;
        if (transport_ != nullptr) {
          for (const auto& p : transport_->Peers()) ids.push_back(p.id);
        }
        return ids;
      }));
#else
  return Status::Error(Reason::kConfigInvalid, "this build has no test hooks (--byzantine)");
#endif
}

Status Node::Open() {
  CONSENTD_ASSIGN_OR_RETURN(ledger::Genesis genesis, config_.LoadGenesis(options_.env));
  ledger::LevelDbOptions store_options;
  store_options.verify_on_open = config_.storage.verify_on_start;
  store_options.background_nice = config_.storage.background_nice;
  const std::int64_t open_started = options_.env->MonotonicMs();
  auto store = ledger::OpenLevelDbStore(config_.DataPath() + "/ledger", store_options);
  if (!store.ok()) return store.status().WithContext("opening " + config_.DataPath() + "/ledger");
  const std::int64_t open_ms = options_.env->MonotonicMs() - open_started;
  CONSENTD_ASSIGN_OR_RETURN(ledger_, ledger::Ledger::Open(std::move(*store), std::move(genesis)));
  const ledger::Head head = ledger_->head();
  LogInfo("node", "ledger_opened",
          {{"chain", ledger_->genesis().chain_id},
           {"height", head.height},
           {"state_digest", HexEncode(head.state_digest).substr(0, 16)},
           {"verified", config_.storage.verify_on_start ? "yes" : "no"},
           {"store_open_ms", open_ms}});

  MempoolLimits limits;
  limits.max_txs = config_.mempool.max_txs;
  limits.max_bytes = config_.mempool.max_bytes;
  mempool_ = std::make_unique<Mempool>(ledger_.get(), limits);
  transport_network_ = std::make_unique<TransportNetwork>(&transport_);
  CONSENTD_ASSIGN_OR_RETURN(network_, WrapNetwork(transport_network_.get()));
  gossip_ = std::make_unique<Gossip>(
      options_.env, mempool_.get(), network_.get(), ledger_->genesis().chain_id,
      static_cast<std::size_t>(ledger_->genesis().params.max_tx_bytes), [this] { return Now(); });

  consensus::ReplicaConfig rc;
  rc.chain_id = ledger_->genesis().chain_id;
  rc.certificate_cache = &ledger_->certificate_cache();
  rc.timeouts = ledger_->genesis().consensus;
  auto signer_key = crypto::PrivateKey::FromBytes(key_.secret());
  if (!signer_key.ok()) return signer_key.status();
  rc.signer = std::make_unique<consensus::LocalSigner>(std::move(*signer_key));
  DriverOptions dopts;
  dopts.env = options_.env;
  dopts.wal_path = config_.WalPath();
  dopts.safety_path = config_.SafetyStatePath();
  dopts.clock_offset_ms = options_.clock_offset_ms;
  if (options_.sync_batch_blocks > 0) dopts.sync_batch_blocks = options_.sync_batch_blocks;
  driver_ =
      std::make_unique<Driver>(ledger_.get(), mempool_.get(), network_.get(), std::move(rc), dopts);
  mempool_->SetOnAvailable([this] { driver_->OnTxsAvailable(); });
  driver_->AddCommitListener([this](const ledger::Block& block) { OnCommitted(block); });

  p2p::TransportConfig tc;
  tc.listen_host = config_.p2p.listen.host;
  tc.listen_port = config_.p2p.listen.port;
  for (const HostPort& p : config_.p2p.peers) tc.peers.push_back(p2p::PeerAddress{p.host, p.port});
  tc.chain_id = ledger_->genesis().chain_id;
  tc.max_frame_bytes = config_.p2p.max_frame_bytes;
  tc.max_queue_bytes = config_.p2p.max_queue_bytes;
  tc.log = [](std::string_view level, std::string_view line) {
    Logger::LogLine(ParseLogLevel(level).value_or(LogLevel::kInfo), line);
  };
  p2p::TransportHandler handler;
  handler.on_connected = [](PeerId peer, const crypto::PublicKey& key) {
    LogInfo("node", "peer_connected", {{"peer", peer}, {"key", key.Hex().substr(0, 16)}});
  };
  handler.on_disconnected = [this](PeerId peer) {
    LogInfo("node", "peer_disconnected", {{"peer", peer}});
    driver_->OnPeerDisconnected(peer);
  };
  handler.on_message = [this](PeerId peer, std::uint8_t kind, std::string payload) {
    if (kind == static_cast<std::uint8_t>(wire::Kind::kTxs)) {
      gossip_->OnFrame(peer, std::move(payload));
    } else {
      driver_->OnPeerMessage(peer, kind, std::move(payload));
    }
  };
  CONSENTD_ASSIGN_OR_RETURN(
      transport_, p2p::Transport::Create(
                      tc, &key_, [this](const crypto::PublicKey& k) { return IsAllowedPeer(k); },
                      std::move(handler)));
  http_ = std::make_unique<HttpServer>(this);
  return Status::Ok();
}

bool Node::IsAllowedPeer(const crypto::PublicKey& key) const {
  for (const auto& o : config_.p2p.observers) {
    if (o == key.bytes()) return true;
  }
  const std::uint64_t next = ledger_->head().height + 1;
  const auto delay = static_cast<std::uint64_t>(ledger_->genesis().params.validator_change_delay);
  for (std::uint64_t h : {next, next + delay}) {
    auto set = ledger_->ValidatorsFor(h);
    if (set.ok() && set->Contains(key)) return true;
  }
  return false;
}

Status Node::Start() {
  CONSENTD_RETURN_IF_ERROR(gossip_->Start());
  CONSENTD_RETURN_IF_ERROR(driver_->Start());
  CONSENTD_RETURN_IF_ERROR(transport_->Start());
  CONSENTD_RETURN_IF_ERROR(http_->Start());
  LogInfo("node", "started",
          {{"chain", ledger_->genesis().chain_id},
           {"node_key", key_.public_key().Hex().substr(0, 16)},
           {"p2p", config_.p2p.listen.host + ":" + std::to_string(transport_->listen_port())},
           {"http", config_.http.listen.ToString()}});
  return Status::Ok();
}

Status Node::ReloadTokens() {
  if (!http_) return Status::Error(Reason::kNotReady, "the HTTP server is not running");
  return http_->ReloadTokens();
}

void Node::Stop() {
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    if (stopped_) return;
    stopped_ = true;
    commit_cv_.notify_all();
  }
  if (http_) http_->Stop();
  if (driver_) driver_->Stop();
  if (gossip_) gossip_->Stop();
  if (transport_) transport_->Stop();
  LogInfo("node", "stopped", {{"height", ledger_ ? ledger_->head().height : 0}});
}

Result<ledger::TxPtr> Node::Submit(std::string_view text) {
  auto tx = ledger::Tx::Parse(text, ledger_->genesis().chain_id,
                              static_cast<std::size_t>(ledger_->genesis().params.max_tx_bytes));
  if (!tx.ok()) {
    CountRejection(tx.status());
    return tx.status();
  }
  CONSENTD_RETURN_IF_ERROR(Admit(*tx));
  return tx;
}

void Node::CountRejection(const Status& status) {
  metrics_.Count("consentd_txs_rejected_total",
                 "Transactions submitted through the API and refused, by reason code.",
                 {{"reason", status.code()}});
}

Status Node::Admit(const ledger::TxPtr& tx) {
  if (Status st = mempool_->Add(tx, Now()); !st.ok()) {
    CountRejection(st);
    return st;
  }
  metrics_.Count("consentd_txs_accepted_total",
                 "Transactions submitted through the API and admitted to the mempool.");
  {
    std::lock_guard<std::mutex> lock(submitted_mu_);
    if (submitted_.size() >= config_.mempool.max_txs) submitted_.erase(submitted_.begin());
    submitted_.emplace(tx->id(), options_.env->MonotonicMs());
  }
  gossip_->Announce(tx);
  return Status::Ok();
}

void Node::OnCommitted(const ledger::Block& block) {
  const std::int64_t now = options_.env->MonotonicMs();
  {
    std::lock_guard<std::mutex> lock(submitted_mu_);
    for (const ledger::TxPtr& tx : block.txs) {
      auto it = submitted_.find(tx->id());
      if (it == submitted_.end()) continue;
      metrics_.Observe("consentd_commit_latency_seconds",
                       "From admission through this node's API to commit on this node.",
                       static_cast<double>(now - it->second) / 1000.0);
      submitted_.erase(it);
    }
  }
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    ++commits_seen_;
    commit_cv_.notify_all();
  }
  if (http_) http_->OnCommitted();
}

std::uint64_t Node::WaitForHeightAbove(std::uint64_t height, std::int64_t timeout_ms) {
  const std::int64_t deadline = options_.env->MonotonicMs() + timeout_ms;
  std::unique_lock<std::mutex> lock(commit_mu_);
  for (;;) {
    if (stopped_ || ledger_->head().height > height) break;
    const std::int64_t left = deadline - options_.env->MonotonicMs();
    if (left <= 0) break;
    commit_cv_.wait_for(lock, std::chrono::milliseconds(left));
  }
  return ledger_->head().height;
}

bool Node::IsCommitted(const Hash256& tx_id) const {
  ledger::StateReader reader(ledger_->store());
  auto loc = reader.Tx(tx_id);
  return loc.ok() && loc->has_value();
}

bool Node::WaitForCommit(const Hash256& tx_id, std::int64_t timeout_ms) {
  const std::int64_t deadline = options_.env->MonotonicMs() + timeout_ms;
  std::unique_lock<std::mutex> lock(commit_mu_);
  for (;;) {
    lock.unlock();
    if (IsCommitted(tx_id)) return true;
    lock.lock();
    if (stopped_) return false;
    const std::uint64_t seen = commits_seen_;
    while (!stopped_ && commits_seen_ == seen) {
      const std::int64_t left = deadline - options_.env->MonotonicMs();
      if (left <= 0) {
        lock.unlock();
        return IsCommitted(tx_id);
      }
      commit_cv_.wait_for(lock, std::chrono::milliseconds(left));
    }
  }
}

bool Node::Ready() const {
  const DriverStats s = driver_->stats();
  if (s.syncing) return false;
  auto set = ledger_->ValidatorsFor(ledger_->head().height + 1);
  if (!set.ok()) return false;
  std::size_t connected_validators = set->Contains(key_.public_key()) ? 1 : 0;
  for (const auto& p : transport_->Peers()) {
    if (set->Contains(p.key)) ++connected_validators;
  }
  return connected_validators >= set->Quorum();
}

void Node::AddCommitListener(Driver::CommitListener listener) {
  driver_->AddCommitListener(std::move(listener));
}

}  // namespace consentd::node
