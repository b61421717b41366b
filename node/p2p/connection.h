#pragma once

// One peer connection: a WebSocket over TCP, the handshake, the read loop and the bounded send
// queue with one write in flight. Internal to node/p2p/ (the only place that includes Beast).
//
// Lifetime: owned by std::shared_ptr; the transport's table and every pending Asio handler hold
// it. Threading: everything runs on the transport's io thread except Enqueue and
// queued_bytes, which any thread may call. Beast and Asio report errors through error codes
// here; nothing throws out of this class.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/schnorr.h"
#include "node/p2p/close_reason.h"
#include "node/p2p/handshake.h"
#include "node/p2p/transport.h"
#include "node/p2p/wire.h"

namespace consentd::node::p2p {

class Connection;

// What a connection reports to the transport. Called on the io thread, never after Abort().
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  // The peer claims `key` (right version and chain). kNone to go on, or why to refuse it.
  virtual CloseReason CheckPeerKey(Connection& conn, const crypto::PublicKey& key) = 0;
  virtual void OnAuthenticated(const std::shared_ptr<Connection>& conn) = 0;
  virtual void OnMessage(Connection& conn, std::uint8_t kind, std::string payload) = 0;
  virtual void OnFrameSent(Connection& conn, std::size_t frame_bytes) = 0;
  // The send queue just became full (logged once per episode).
  virtual void OnQueueFull(Connection& conn) = 0;
  // Exactly once per connection that was not aborted. `detail` is short and log-safe.
  virtual void OnClosed(Connection& conn, CloseReason reason, const std::string& detail) = 0;
};

struct ConnectionOptions {
  std::string chain_id;
  const crypto::PrivateKey* node_key = nullptr;
  std::size_t max_frame_bytes = 0;
  std::size_t max_queue_bytes = 0;
  std::chrono::milliseconds handshake_timeout{0};
  std::chrono::milliseconds idle_timeout{0};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Tcp = boost::asio::ip::tcp;

  // Outbound: dials `address`; `slot` is the transport's index for that address.
  Connection(boost::asio::io_context& ioc, ConnectionOwner* owner, ConnectionOptions options,
             PeerId id, const Nonce& nonce, PeerAddress address, std::size_t slot);
  // Inbound: an accepted socket; `remote` is its remote endpoint for logs.
  Connection(boost::asio::io_context& ioc, ConnectionOwner* owner, ConnectionOptions options,
             PeerId id, const Nonce& nonce, Tcp::socket socket, std::string remote);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts the handshake timer, then dials or accepts the WebSocket upgrade.
  void Start();
  // Ends the connection: reports OnClosed once, tells the peer why in a WebSocket close frame
  // when the WebSocket is open and the reason is ours, then tears the socket down.
  void Close(CloseReason reason, const std::string& detail = {});
  // Transport::Stop: tears the socket down at once and reports nothing.
  void Abort();

  enum class EnqueueResult { kQueued, kClosed, kFull };
  // Thread-safe. Queues a node frame; kClosed unless authenticated and open.
  EnqueueResult Enqueue(std::uint8_t kind, std::shared_ptr<const std::string> payload);
  std::size_t queued_bytes() const;  // thread-safe; includes the frame being written

  PeerId id() const { return id_; }
  bool outbound() const { return outbound_; }
  std::size_t slot() const { return slot_; }  // outbound only
  const std::string& remote() const { return remote_; }
  bool authenticated() const { return authenticated_; }
  bool closing() const { return closing_; }
  // Claimed in the Hello; proven once authenticated(). Immutable after authentication.
  const std::optional<crypto::PublicKey>& peer_key() const { return handshake_.peer_key(); }

 private:
  struct OutFrame {
    std::uint8_t kind = 0;
    std::shared_ptr<const std::string> payload;
    std::size_t size() const { return 1 + payload->size(); }
  };

  void ConfigureWebSocket();
  void OnResolve(const boost::system::error_code& ec, const Tcp::resolver::results_type& results);
  void OnConnect(const boost::system::error_code& ec);
  void OnUpgraded(const boost::system::error_code& ec);
  void OnHandshakeTimer();
  void DoRead();
  void OnRead(const boost::system::error_code& ec);
  void HandleFrame(ByteSpan frame);
  void SendControlFrame(const std::string& frame);  // handshake frames: bypass the open check
  void PushLocked(OutFrame frame);                  // REQUIRES: mu_ held
  void DoWrite();
  void OnWrite(const boost::system::error_code& ec);
  void Teardown();

  boost::asio::io_context& ioc_;
  ConnectionOwner* const owner_;
  const ConnectionOptions options_;
  const PeerId id_;
  const bool outbound_;
  const std::size_t slot_;
  const PeerAddress address_;  // outbound only
  const std::string remote_;

  // io thread only.
  Tcp::resolver resolver_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::asio::steady_timer handshake_timer_;
  boost::asio::steady_timer close_timer_;
  boost::beast::flat_buffer read_buffer_;
  Handshake handshake_;
  bool ws_open_ = false;
  bool authenticated_ = false;
  bool closing_ = false;
  OutFrame in_flight_;
  std::array<boost::asio::const_buffer, 2> write_buffers_;

  // Shared with Enqueue callers.
  mutable std::mutex mu_;
  std::deque<OutFrame> queue_;    // guarded by mu_
  std::size_t queued_bytes_ = 0;  // guarded by mu_; queue_ plus in_flight_
  bool accepting_ = false;        // guarded by mu_; node frames accepted (authenticated, open)
  bool write_scheduled_ = false;  // guarded by mu_; a DoWrite is posted or a write in flight
  bool queue_full_ = false;       // guarded by mu_; logged once until it drains to half
};

}  // namespace consentd::node::p2p
