#include "node/p2p/transport.h"

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cassert>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <system_error>
#include <thread>
#include <utility>

#include "crypto/random.h"
#include "node/p2p/connection.h"
#include "node/p2p/dialer.h"
#include "node/p2p/peer_table.h"
#include "node/p2p/transport_log.h"

namespace consentd::node::p2p {
namespace {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;
using Tcp = asio::ip::tcp;
using Millis = std::chrono::milliseconds;

// Inbound connections still in their handshake; more are closed at once, so a flood of idle
// TCP connections cannot exhaust memory or file descriptors before the handshake timeout.
constexpr std::size_t kMaxPendingInbound = 64;
constexpr Millis kAcceptRetryDelay{100};

std::string FormatEndpoint(const Tcp::endpoint& endpoint) {
  const asio::ip::address address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

Status ConfigError(std::string_view field, std::string_view problem) {
  return Status::Error(Reason::kP2pConfig,
                       "field " + std::string(field) + ": " + std::string(problem));
}

Status Validate(const TransportConfig& c) {
  if (c.chain_id.empty() || c.chain_id.size() > kMaxChainIdBytes) {
    return ConfigError("chain_id", "must be 1.." + std::to_string(kMaxChainIdBytes) + " bytes");
  }
  if (c.max_frame_bytes < kMaxHandshakeFrameBytes) {
    return ConfigError("max_frame_bytes",
                       "must be at least " + std::to_string(kMaxHandshakeFrameBytes));
  }
  if (c.max_queue_bytes < c.max_frame_bytes) {
    return ConfigError("max_queue_bytes", "must be at least max_frame_bytes");
  }
  if (c.backoff_initial_ms <= 0) return ConfigError("backoff_initial_ms", "must be positive");
  if (c.backoff_max_ms < c.backoff_initial_ms) {
    return ConfigError("backoff_max_ms", "must be at least backoff_initial_ms");
  }
  if (c.handshake_timeout_ms <= 0) return ConfigError("handshake_timeout_ms", "must be positive");
  if (c.idle_timeout_ms <= 0) return ConfigError("idle_timeout_ms", "must be positive");
  for (const PeerAddress& peer : c.peers) {
    if (peer.host.empty() || peer.port == 0) return ConfigError("peers", "needs host and port");
  }
  return Status::Ok();
}

std::uint64_t RandomSeed() {
  std::array<std::uint8_t, 8> bytes{};
  std::uint64_t seed = 0;
  if (crypto::RandomBytes(bytes).ok()) {
    for (std::uint8_t b : bytes) seed = (seed << 8) | b;
  } else {
    seed = std::random_device{}();  // jitter only: any seed is acceptable
  }
  return seed;
}

}  // namespace

class Transport::Impl final : public ConnectionOwner {
 public:
  Impl(TransportConfig config, const crypto::PrivateKey* node_key,
       std::function<bool(const crypto::PublicKey&)> is_allowed, TransportHandler handler)
      : config_(std::move(config)),
        node_key_(node_key),
        is_allowed_(std::move(is_allowed)),
        handler_(std::move(handler)),
        log_(config_.log),
        acceptor_(ioc_),
        accept_retry_timer_(ioc_),
        peers_(node_key->public_key()),
        dialer_(
            ioc_, config_.peers, config_.backoff_initial_ms, config_.backoff_max_ms, RandomSeed(),
            [this](std::size_t slot, const PeerAddress& address) { return Dial(slot, address); },
            [this](const crypto::PublicKey& key) { return peers_.Rests(key); }) {
    conn_options_.chain_id = config_.chain_id;
    conn_options_.node_key = node_key_;
    conn_options_.max_frame_bytes = config_.max_frame_bytes;
    conn_options_.max_queue_bytes = config_.max_queue_bytes;
    conn_options_.handshake_timeout = Millis(config_.handshake_timeout_ms);
    conn_options_.idle_timeout = Millis(config_.idle_timeout_ms);
  }

  Status Start();
  void Stop();
  std::uint16_t listen_port() const { return port_.load(); }
  bool Send(PeerId peer, std::uint8_t kind, std::string payload);
  void Broadcast(std::uint8_t kind, const std::string& payload);
  std::vector<PeerInfo> Peers() const;
  Counters counters() const;

  // ConnectionOwner (io thread).
  CloseReason CheckPeerKey(Connection& conn, const crypto::PublicKey& key) override;
  void OnAuthenticated(const std::shared_ptr<Connection>& conn) override;
  void OnMessage(Connection& conn, std::uint8_t kind, std::string payload) override;
  void OnFrameSent(Connection& conn, std::size_t frame_bytes) override;
  void OnQueueFull(Connection& conn) override;
  void OnClosed(Connection& conn, CloseReason reason, const std::string& detail) override;

 private:
  void Run();
  void Shutdown();
  void DoAccept();
  void OnAccept(const ErrorCode& ec, Tcp::socket socket);
  PeerId Dial(std::size_t slot, const PeerAddress& address);
  bool FreshNonce(Nonce& nonce);
  // Runs a callback of the node. An exception must not unwind through a connection's state
  // machine (it would leave it without a pending read): log it and go on.
  template <typename F>
  void Guarded(const char* callback, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      log_.Error(std::string("p2p event=callback_threw callback=") + callback +
                 " what=" + Quote(e.what()));
    } catch (...) {
      log_.Error(std::string("p2p event=callback_threw callback=") + callback);
    }
  }
  void Count(CloseReason reason);
  void LogClosed(const Connection& conn, CloseReason reason, const std::string& detail,
                 bool announced);

  const TransportConfig config_;
  const crypto::PrivateKey* const node_key_;
  const std::function<bool(const crypto::PublicKey&)> is_allowed_;
  const TransportHandler handler_;
  const TransportLog log_;
  ConnectionOptions conn_options_;

  // Declared first among the Asio objects so that it is destroyed after them.
  asio::io_context ioc_{1};
  Tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_timer_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::atomic<std::uint16_t> port_{0};

  std::mutex lifecycle_mu_;  // Start/Stop
  bool started_ = false;     // guarded by lifecycle_mu_
  std::thread thread_;       // guarded by lifecycle_mu_

  // io thread only.
  bool stopping_ = false;
  PeerId next_id_ = 1;
  std::map<PeerId, std::shared_ptr<Connection>> conns_;  // every live connection
  std::set<PeerId> announced_;  // given to on_connected and not yet to on_disconnected
  PeerTable peers_;             // authenticated connections; thread-safe
  Dialer dialer_;

  struct {
    std::atomic<std::uint64_t> frames_in{0}, frames_out{0}, bytes_in{0}, bytes_out{0},
        malformed_frames{0}, oversize_frames{0}, auth_failures{0}, unknown_key_rejections{0},
        send_drops{0};
  } counters_;
};

// ---------------------------------------------------------------------------------------------
// Lifecycle

Status Transport::Impl::Start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (started_) return Status::Error(Reason::kP2pState, "the transport was already started");
  started_ = true;
  const std::string where = config_.listen_host + ":" + std::to_string(config_.listen_port);
  ErrorCode ec;
  Tcp::endpoint endpoint;
  const asio::ip::address address = asio::ip::make_address(config_.listen_host, ec);
  if (!ec) {
    endpoint = Tcp::endpoint(address, config_.listen_port);
  } else {
    Tcp::resolver resolver(ioc_);
    const auto results =
        resolver.resolve(config_.listen_host, std::to_string(config_.listen_port), ec);
    if (!ec && results.empty()) ec = asio::error::host_not_found;
    if (!ec) endpoint = results.begin()->endpoint();
  }
  if (!ec) acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(Tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  Tcp::endpoint local;
  if (!ec) local = acceptor_.local_endpoint(ec);
  if (ec) {
    ErrorCode ignored;
    acceptor_.close(ignored);
    return Status::Error(Reason::kP2pListen, "cannot listen on " + where + ": " + ec.message());
  }
  port_ = local.port();
  work_.emplace(ioc_.get_executor());
  asio::post(ioc_, [this] {
    DoAccept();
    dialer_.DialAll();
  });
  try {
    thread_ = std::thread([this] { Run(); });
  } catch (const std::system_error& e) {
    work_.reset();
    ErrorCode ignored;
    acceptor_.close(ignored);
    return Status::Error(Reason::kP2pThread,
                         std::string("cannot start the transport thread: ") + e.what());
  }
  log_.Info("p2p event=listening addr=" + FormatEndpoint(local) + " key=" +
            ShortKey(node_key_->public_key()) + " peers=" + std::to_string(dialer_.size()));
  return Status::Ok();
}

void Transport::Impl::Stop() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (!thread_.joinable()) return;
  assert(std::this_thread::get_id() != thread_.get_id() && "Stop called from a callback");
  asio::post(ioc_, [this] { Shutdown(); });
  thread_.join();
  log_.Info("p2p event=stopped");
}

void Transport::Impl::Run() {
  for (;;) {
    // Asio and Beast report errors by error_code here and node callbacks are Guarded; what is
    // left (allocation failure) is logged, and the transport keeps serving.
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      log_.Error(std::string("p2p event=internal_error what=") + Quote(e.what()));
    } catch (...) {
      log_.Error("p2p event=internal_error what=unknown");
    }
  }
}

void Transport::Impl::Shutdown() {
  stopping_ = true;
  ErrorCode ignored;
  acceptor_.close(ignored);
  accept_retry_timer_.cancel();
  dialer_.Stop();
  const auto conns = std::move(conns_);
  conns_.clear();
  for (const auto& [id, conn] : conns) conn->Abort();
  peers_.Clear();
  announced_.clear();  // Stop reports no on_disconnected
  work_.reset();       // run() returns once the aborted operations have completed
}

// ---------------------------------------------------------------------------------------------
// Accepting and dialling

void Transport::Impl::DoAccept() {
  acceptor_.async_accept(
      [this](const ErrorCode& ec, Tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void Transport::Impl::OnAccept(const ErrorCode& ec, Tcp::socket socket) {
  if (stopping_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // E.g. out of file descriptors: pause instead of spinning on the error.
    log_.Warn("p2p event=accept_failed error=" + Quote(ec.message()));
    accept_retry_timer_.expires_after(kAcceptRetryDelay);
    accept_retry_timer_.async_wait([this](const ErrorCode& ec) {
      if (!ec && !stopping_) DoAccept();
    });
    return;
  }
  ErrorCode endpoint_ec;
  const Tcp::endpoint remote_endpoint = socket.remote_endpoint(endpoint_ec);
  const std::string remote = endpoint_ec ? "unknown" : FormatEndpoint(remote_endpoint);
  std::size_t pending = 0;
  for (const auto& [id, conn] : conns_) {
    if (!conn->outbound() && !conn->authenticated()) ++pending;
  }
  Nonce nonce;
  if (pending >= kMaxPendingInbound) {
    log_.Warn("p2p event=rejected dir=in remote=" + remote + " reason=too_many_pending");
    ErrorCode ignored;
    socket.close(ignored);
  } else if (FreshNonce(nonce)) {
    const PeerId id = next_id_++;
    auto conn = std::make_shared<Connection>(ioc_, this, conn_options_, id, nonce,
                                             std::move(socket), remote);
    conns_.emplace(id, conn);
    log_.Debug("p2p event=accepted peer=" + std::to_string(id) + " remote=" + remote);
    conn->Start();
  }
  DoAccept();
}

PeerId Transport::Impl::Dial(std::size_t slot, const PeerAddress& address) {
  Nonce nonce;
  if (!FreshNonce(nonce)) return 0;
  const PeerId id = next_id_++;
  auto conn = std::make_shared<Connection>(ioc_, this, conn_options_, id, nonce, address, slot);
  conns_.emplace(id, conn);
  log_.Debug("p2p event=dial peer=" + std::to_string(id) + " addr=" + conn->remote() +
             " failures=" + std::to_string(dialer_.failures(slot)));
  conn->Start();
  return id;
}

bool Transport::Impl::FreshNonce(Nonce& nonce) {
  const Status status = crypto::RandomBytes(nonce);
  if (!status.ok()) log_.Error("p2p event=nonce_failed error=" + Quote(status.ToString()));
  return status.ok();
}

// ---------------------------------------------------------------------------------------------
// Authentication and the peer table

CloseReason Transport::Impl::CheckPeerKey(Connection& conn, const crypto::PublicKey& key) {
  if (conn.outbound()) dialer_.LearnedKey(conn.slot(), key);
  bool allowed = false;
  Guarded("is_allowed", [&] { allowed = is_allowed_(key); });
  if (!allowed) return CloseReason::kKeyNotAllowed;
  // Refuse, before signing anything, a connection that would lose to one we already have.
  if (!peers_.WouldKeep(conn.outbound(), key)) return CloseReason::kDuplicate;
  return CloseReason::kNone;
}

void Transport::Impl::OnAuthenticated(const std::shared_ptr<Connection>& conn) {
  const crypto::PublicKey& key = *conn->peer_key();
  if (conn->outbound()) dialer_.Authenticated(conn->slot());
  const PeerTable::AddResult added = peers_.Add(conn);
  if (!added.added) return conn->Close(CloseReason::kDuplicate, "an existing connection is kept");
  // The node hears of the replaced connection (on_disconnected, from its OnClosed) before the
  // replacement's on_connected.
  if (added.replaced) {
    added.replaced->Close(CloseReason::kDuplicate,
                          "replaced by peer " + std::to_string(conn->id()));
  }
  announced_.insert(conn->id());
  log_.Info("p2p event=connected peer=" + std::to_string(conn->id()) + " key=" + ShortKey(key) +
            " dir=" + (conn->outbound() ? "out" : "in") + " remote=" + conn->remote());
  if (handler_.on_connected) {
    Guarded("on_connected", [&] { handler_.on_connected(conn->id(), key); });
  }
}

void Transport::Impl::OnMessage(Connection& conn, std::uint8_t kind, std::string payload) {
  counters_.frames_in++;
  counters_.bytes_in += 1 + payload.size();
  if (handler_.on_message) {
    Guarded("on_message", [&] { handler_.on_message(conn.id(), kind, std::move(payload)); });
  }
}

void Transport::Impl::OnFrameSent(Connection&, std::size_t frame_bytes) {
  counters_.frames_out++;
  counters_.bytes_out += frame_bytes;
}

void Transport::Impl::OnQueueFull(Connection& conn) {
  log_.Warn("p2p event=queue_full peer=" + std::to_string(conn.id()) +
            " queued=" + std::to_string(conn.queued_bytes()) +
            " limit=" + std::to_string(config_.max_queue_bytes));
}

void Transport::Impl::OnClosed(Connection& conn, CloseReason reason, const std::string& detail) {
  Count(reason);
  const bool registered = peers_.Remove(conn);  // false if replaced: its key has a new conn
  const bool announced = announced_.erase(conn.id()) > 0;
  conns_.erase(conn.id());
  LogClosed(conn, reason, detail, announced);
  if (announced && handler_.on_disconnected) {
    Guarded("on_disconnected", [&] { handler_.on_disconnected(conn.id()); });
  }
  if (registered && !peers_.Has(*conn.peer_key())) dialer_.Wake(*conn.peer_key());
  if (conn.outbound()) dialer_.Closed(conn.slot(), reason == CloseReason::kSelf);
}

void Transport::Impl::Count(CloseReason reason) {
  switch (CountedAs(reason)) {
    case CloseCounter::kNone:
      return;
    case CloseCounter::kMalformed:
      counters_.malformed_frames++;
      return;
    case CloseCounter::kOversize:
      counters_.oversize_frames++;
      return;
    case CloseCounter::kAuthFailure:
      counters_.auth_failures++;
      return;
    case CloseCounter::kUnknownKey:
      counters_.unknown_key_rejections++;
      return;
  }
}

void Transport::Impl::LogClosed(const Connection& conn, CloseReason reason,
                                const std::string& detail, bool announced) {
  std::string line = "peer=" + std::to_string(conn.id()) +
                     " dir=" + (conn.outbound() ? "out" : "in") + " remote=" + conn.remote();
  if (conn.peer_key()) line += " key=" + ShortKey(*conn.peer_key());
  line += std::string(" reason=") + ToString(reason);
  if (!detail.empty()) line += " detail=" + Quote(detail);
  if (announced) return log_.Info("p2p event=disconnected " + line);
  if (CountedAs(reason) != CloseCounter::kNone) return log_.Warn("p2p event=rejected " + line);
  if (reason == CloseReason::kSelf) {
    if (conn.outbound()) log_.Info("p2p event=self_dial " + line + " action=not_redialled");
    return;
  }
  if (reason == CloseReason::kDuplicate) return log_.Debug("p2p event=duplicate " + line);
  if (!conn.outbound()) return log_.Debug("p2p event=closed " + line);
  // A failed dial: said once at info, then quietly while the backoff grows.
  line += " failures=" + std::to_string(dialer_.failures(conn.slot()));
  if (dialer_.FirstFailureSinceConnected(conn.slot())) {
    return log_.Info("p2p event=dial_failed " + line);
  }
  log_.Debug("p2p event=dial_failed " + line);
}

// ---------------------------------------------------------------------------------------------
// Any thread

bool Transport::Impl::Send(PeerId peer, std::uint8_t kind, std::string payload) {
  if (kind < kFirstNodeKind || payload.size() + 1 > config_.max_frame_bytes) {
    counters_.send_drops++;
    return false;
  }
  const std::shared_ptr<Connection> conn = peers_.Find(peer);
  if (!conn || conn->Enqueue(kind, std::make_shared<const std::string>(std::move(payload))) !=
                   Connection::EnqueueResult::kQueued) {
    counters_.send_drops++;
    return false;
  }
  return true;
}

void Transport::Impl::Broadcast(std::uint8_t kind, const std::string& payload) {
  const std::vector<std::shared_ptr<Connection>> targets = peers_.All();
  if (kind < kFirstNodeKind || payload.size() + 1 > config_.max_frame_bytes) {
    counters_.send_drops += targets.size();
    return;
  }
  const auto shared = std::make_shared<const std::string>(payload);
  for (const auto& conn : targets) {
    if (conn->Enqueue(kind, shared) != Connection::EnqueueResult::kQueued) counters_.send_drops++;
  }
}

std::vector<Transport::PeerInfo> Transport::Impl::Peers() const {
  std::vector<PeerInfo> out;
  for (const auto& conn : peers_.All()) {
    out.push_back(PeerInfo{conn->id(), *conn->peer_key(), conn->outbound(), conn->remote(),
                           conn->queued_bytes()});
  }
  return out;
}

Transport::Counters Transport::Impl::counters() const {
  return Counters{counters_.frames_in.load(),        counters_.frames_out.load(),
                  counters_.bytes_in.load(),         counters_.bytes_out.load(),
                  counters_.malformed_frames.load(), counters_.oversize_frames.load(),
                  counters_.auth_failures.load(),    counters_.unknown_key_rejections.load(),
                  counters_.send_drops.load(),       dialer_.reconnects()};
}

// ---------------------------------------------------------------------------------------------
// Transport

Result<std::unique_ptr<Transport>> Transport::Create(
    TransportConfig config, const crypto::PrivateKey* node_key,
    std::function<bool(const crypto::PublicKey&)> is_allowed, TransportHandler handler) {
  if (node_key == nullptr) return ConfigError("node_key", "is required");
  if (!is_allowed) return ConfigError("is_allowed", "is required");
  CONSENTD_RETURN_IF_ERROR(Validate(config));
  return std::make_unique<Transport>(std::make_unique<Impl>(
      std::move(config), node_key, std::move(is_allowed), std::move(handler)));
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transport::~Transport() { Stop(); }
Status Transport::Start() { return impl_->Start(); }
void Transport::Stop() { impl_->Stop(); }
std::uint16_t Transport::listen_port() const { return impl_->listen_port(); }
bool Transport::Send(PeerId peer, std::uint8_t kind, std::string payload) {
  return impl_->Send(peer, kind, std::move(payload));
}
void Transport::Broadcast(std::uint8_t kind, const std::string& payload) {
  impl_->Broadcast(kind, payload);
}
std::vector<Transport::PeerInfo> Transport::Peers() const { return impl_->Peers(); }
Transport::Counters Transport::counters() const { return impl_->counters(); }

}  // namespace consentd::node::p2p
