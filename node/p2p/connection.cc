#include "node/p2p/connection.h"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <utility>

namespace consentd::node::p2p {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using ErrorCode = boost::system::error_code;

constexpr const char* kUserAgent = "consentd-p2p/1";
// How long a close frame may take before the socket is torn down regardless.
constexpr std::chrono::milliseconds kMaxCloseWait{2000};

bool IsRemoteEnd(const ErrorCode& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == websocket::error::closed;
}

// Classifies a failed read on an open WebSocket.
CloseReason ReadFailure(const ErrorCode& ec) {
  if (ec == websocket::error::message_too_big) return CloseReason::kOversizeFrame;
  if (ec == beast::error::timeout) return CloseReason::kIdleTimeout;
  if (IsRemoteEnd(ec)) return CloseReason::kRemoteClosed;
  if (ec == websocket::condition::protocol_violation) return CloseReason::kProtocolError;
  return CloseReason::kIoError;
}

// Reasons we decide ourselves are sent to the peer in the close frame; the others mean the
// stream is already broken (Beast has closed it or the peer has gone).
bool TellPeer(CloseReason reason) {
  switch (reason) {
    case CloseReason::kNone:
    case CloseReason::kRemoteClosed:
    case CloseReason::kIoError:
    case CloseReason::kConnectTimeout:
    case CloseReason::kIdleTimeout:
    case CloseReason::kUpgradeFailed:
    case CloseReason::kProtocolError:
    case CloseReason::kOversizeFrame:
      return false;
    case CloseReason::kSelf:
    case CloseReason::kDuplicate:
    case CloseReason::kTooManyPending:
    case CloseReason::kTextFrame:
    case CloseReason::kEmptyFrame:
    case CloseReason::kUnexpectedFrame:
    case CloseReason::kMalformedHello:
    case CloseReason::kMalformedAuth:
    case CloseReason::kHandshakeTimeout:
    case CloseReason::kVersionMismatch:
    case CloseReason::kWrongChain:
    case CloseReason::kBadKey:
    case CloseReason::kBadSignature:
    case CloseReason::kKeyNotAllowed:
      return true;
  }
  return false;
}

}  // namespace

Connection::Connection(asio::io_context& ioc, ConnectionOwner* owner, ConnectionOptions options,
                       PeerId id, const Nonce& nonce, PeerAddress address, std::size_t slot)
    : ioc_(ioc),
      owner_(owner),
      options_(std::move(options)),
      id_(id),
      outbound_(true),
      slot_(slot),
      address_(std::move(address)),
      remote_(address_.host + ":" + std::to_string(address_.port)),
      resolver_(ioc),
      ws_(ioc),
      handshake_timer_(ioc),
      close_timer_(ioc),
      handshake_(Role::kDialer, options_.chain_id, *options_.node_key, nonce) {}

Connection::Connection(asio::io_context& ioc, ConnectionOwner* owner, ConnectionOptions options,
                       PeerId id, const Nonce& nonce, Tcp::socket socket, std::string remote)
    : ioc_(ioc),
      owner_(owner),
      options_(std::move(options)),
      id_(id),
      outbound_(false),
      slot_(0),
      remote_(std::move(remote)),
      resolver_(ioc),
      ws_(std::move(socket)),
      handshake_timer_(ioc),
      close_timer_(ioc),
      handshake_(Role::kAcceptor, options_.chain_id, *options_.node_key, nonce) {}

void Connection::Start() {
  auto self = shared_from_this();
  handshake_timer_.expires_after(options_.handshake_timeout);
  handshake_timer_.async_wait([self](const ErrorCode& ec) {
    if (!ec) self->OnHandshakeTimer();
  });
  ConfigureWebSocket();
  if (outbound_) {
    resolver_.async_resolve(
        address_.host, std::to_string(address_.port),
        [self](const ErrorCode& ec, const Tcp::resolver::results_type& results) {
          self->OnResolve(ec, results);
        });
  } else {
    ws_.async_accept([self](const ErrorCode& ec) { self->OnUpgraded(ec); });
  }
}

void Connection::ConfigureWebSocket() {
  // Beast's own timers: the upgrade and the closing handshake are bounded, and an open
  // connection that hears nothing for idle_timeout (after a ping at half of it) is dropped.
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = options_.handshake_timeout;
  timeouts.idle_timeout = options_.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  if (outbound_) {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, kUserAgent); }));
  } else {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, kUserAgent); }));
  }
  ws_.read_message_max(kMaxHandshakeFrameBytes);
  ws_.binary(true);
  ws_.auto_fragment(false);  // one WebSocket frame per message: fewer headers and syscalls
}

void Connection::OnResolve(const ErrorCode& ec, const Tcp::resolver::results_type& results) {
  if (closing_) return;
  if (ec) return Close(CloseReason::kIoError, "resolve: " + ec.message());
  auto self = shared_from_this();
  beast::get_lowest_layer(ws_).async_connect(
      results, [self](const ErrorCode& ec, const Tcp::endpoint&) { self->OnConnect(ec); });
}

void Connection::OnConnect(const ErrorCode& ec) {
  if (closing_) return;
  if (ec) return Close(CloseReason::kIoError, "connect: " + ec.message());
  auto self = shared_from_this();
  ws_.async_handshake(remote_, std::string(kWebSocketTarget),
                      [self](const ErrorCode& ec) { self->OnUpgraded(ec); });
}

void Connection::OnUpgraded(const ErrorCode& ec) {
  if (closing_) return;
  if (ec) {
    if (ec == beast::error::timeout) return Close(CloseReason::kHandshakeTimeout, "upgrade");
    if (IsRemoteEnd(ec)) return Close(CloseReason::kRemoteClosed, "during upgrade");
    return Close(CloseReason::kUpgradeFailed, ec.message());
  }
  ws_open_ = true;
  SendControlFrame(handshake_.HelloFrame());
  DoRead();
}

void Connection::OnHandshakeTimer() {
  if (closing_ || authenticated_) return;
  if (outbound_ && !ws_open_) return Close(CloseReason::kConnectTimeout);
  Close(CloseReason::kHandshakeTimeout);
}

void Connection::DoRead() {
  auto self = shared_from_this();
  ws_.async_read(read_buffer_, [self](const ErrorCode& ec, std::size_t) { self->OnRead(ec); });
}

void Connection::OnRead(const ErrorCode& ec) {
  if (closing_) return;
  if (ec) {
    CloseReason reason = ReadFailure(ec);
    std::string detail = ec.message();
    if (ec == websocket::error::closed && !ws_.reason().reason.empty()) {
      // The peer said why (e.g. "key_not_allowed"); Quote keeps it printable in the log.
      const std::string said(ws_.reason().reason.c_str());
      detail = "peer said " + said;
      // The peer keeps another connection to us: routine, not a failure of this dial.
      if (said == ToString(CloseReason::kDuplicate)) reason = CloseReason::kDuplicate;
    }
    return Close(reason, detail);
  }
  if (!ws_.got_binary()) return Close(CloseReason::kTextFrame);
  const auto data = read_buffer_.cdata();
  HandleFrame(ByteSpan(static_cast<const std::uint8_t*>(data.data()), data.size()));
  read_buffer_.consume(read_buffer_.size());
  if (!closing_) DoRead();
}

void Connection::HandleFrame(ByteSpan frame) {
  if (frame.empty()) return Close(CloseReason::kEmptyFrame);
  if (authenticated_) {
    if (frame[0] < kFirstNodeKind) return Close(CloseReason::kUnexpectedFrame, "after auth");
    return owner_->OnMessage(*this, frame[0], std::string(AsChars(frame.subspan(1))));
  }
  const Handshake::Step step = handshake_.OnFrame(
      frame, [this](const crypto::PublicKey& key) { return owner_->CheckPeerKey(*this, key); });
  if (step.error != CloseReason::kNone) return Close(step.error);
  if (!step.reply.empty()) SendControlFrame(step.reply);
  if (!step.authenticated) return;
  authenticated_ = true;
  handshake_timer_.cancel();
  ws_.read_message_max(options_.max_frame_bytes);
  {
    std::lock_guard<std::mutex> lock(mu_);
    accepting_ = true;
  }
  owner_->OnAuthenticated(shared_from_this());
}

void Connection::SendControlFrame(const std::string& frame) {
  OutFrame out;
  out.kind = static_cast<std::uint8_t>(frame[0]);
  out.payload = std::make_shared<const std::string>(frame.substr(1));
  std::lock_guard<std::mutex> lock(mu_);
  PushLocked(std::move(out));
}

Connection::EnqueueResult Connection::Enqueue(std::uint8_t kind,
                                              std::shared_ptr<const std::string> payload) {
  OutFrame out{kind, std::move(payload)};
  std::lock_guard<std::mutex> lock(mu_);
  if (!accepting_) return EnqueueResult::kClosed;
  if (queued_bytes_ + out.size() > options_.max_queue_bytes) {
    if (!queue_full_) {
      queue_full_ = true;
      asio::post(ioc_, [self = shared_from_this()] {
        if (!self->closing_) self->owner_->OnQueueFull(*self);
      });
    }
    return EnqueueResult::kFull;
  }
  PushLocked(std::move(out));
  return EnqueueResult::kQueued;
}

void Connection::PushLocked(OutFrame frame) {
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  if (!write_scheduled_) {
    write_scheduled_ = true;
    asio::post(ioc_, [self = shared_from_this()] { self->DoWrite(); });
  }
}

std::size_t Connection::queued_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queued_bytes_;
}

void Connection::DoWrite() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_ || queue_.empty()) {
      write_scheduled_ = false;
      return;
    }
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
  }
  write_buffers_ = {asio::buffer(&in_flight_.kind, 1), asio::buffer(*in_flight_.payload)};
  auto self = shared_from_this();
  ws_.async_write(write_buffers_, [self](const ErrorCode& ec, std::size_t) { self->OnWrite(ec); });
}

void Connection::OnWrite(const ErrorCode& ec) {
  const std::size_t size = in_flight_.size();
  const bool node_frame = in_flight_.kind >= kFirstNodeKind;
  in_flight_ = OutFrame{};
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued_bytes_ -= size;
    if (queue_full_ && queued_bytes_ <= options_.max_queue_bytes / 2) queue_full_ = false;
  }
  if (closing_) return;
  if (ec)
    return Close(IsRemoteEnd(ec) ? CloseReason::kRemoteClosed : CloseReason::kIoError,
                 "write: " + ec.message());
  if (node_frame) owner_->OnFrameSent(*this, size);
  DoWrite();
}

void Connection::Close(CloseReason reason, const std::string& detail) {
  if (closing_) return;
  auto self = shared_from_this();  // the owner may drop its reference in OnClosed
  closing_ = true;
  handshake_timer_.cancel();
  resolver_.cancel();
  {
    std::lock_guard<std::mutex> lock(mu_);
    accepting_ = false;
    for (const OutFrame& frame : queue_) queued_bytes_ -= frame.size();
    queue_.clear();
  }
  owner_->OnClosed(*this, reason, detail);
  if (!ws_open_ || !TellPeer(reason)) return Teardown();
  // Beast queues the close frame behind a write in flight; the timer bounds the whole close.
  const auto code = reason == CloseReason::kDuplicate || reason == CloseReason::kSelf
                        ? websocket::close_code::normal
                        : websocket::close_code::policy_error;
  ws_.async_close(websocket::close_reason(code, ToString(reason)),
                  [self](const ErrorCode&) { self->Teardown(); });
  close_timer_.expires_after(std::min(options_.handshake_timeout, kMaxCloseWait));
  close_timer_.async_wait([self](const ErrorCode& ec) {
    if (!ec) self->Teardown();
  });
}

void Connection::Abort() {
  closing_ = true;
  handshake_timer_.cancel();
  resolver_.cancel();
  {
    std::lock_guard<std::mutex> lock(mu_);
    accepting_ = false;
    for (const OutFrame& frame : queue_) queued_bytes_ -= frame.size();
    queue_.clear();
  }
  Teardown();
}

void Connection::Teardown() {
  close_timer_.cancel();
  ErrorCode ignored;
  auto& socket = beast::get_lowest_layer(ws_).socket();
  if (socket.is_open()) socket.shutdown(Tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close();
}

}  // namespace consentd::node::p2p
