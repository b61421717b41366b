#include "node/p2p/test_peer.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include "crypto/random.h"
#include "node/p2p/handshake.h"
#include "node/p2p/test_util.h"

namespace consentd::node::p2p::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Tcp = asio::ip::tcp;

TestPeer::TestPeer() : ws_(ioc_) {}

TestPeer::~TestPeer() {
  ErrorCode ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

template <typename Start>
TestPeer::ErrorCode TestPeer::Run(Start start) {
  ErrorCode result = asio::error::timed_out;
  bool done = false;
  start([&](const ErrorCode& ec, auto&&...) {
    result = ec;
    done = true;
  });
  ioc_.restart();
  ioc_.run_for(kWait);
  if (!done) {
    ErrorCode ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds(1));
    return asio::error::timed_out;
  }
  return result;
}

TestPeer::ErrorCode TestPeer::Connect(std::uint16_t port, int receive_buffer_bytes) {
  Tcp::socket& socket = beast::get_lowest_layer(ws_).socket();
  ErrorCode ec;
  socket.open(Tcp::v4(), ec);
  if (!ec && receive_buffer_bytes > 0) {
    socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer_bytes), ec);
  }
  if (ec) return ec;
  const Tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  return Run([&](auto handler) { socket.async_connect(endpoint, handler); });
}

TestPeer::ErrorCode TestPeer::WriteRaw(std::string_view bytes) {
  return Run([&](auto handler) {
    asio::async_write(beast::get_lowest_layer(ws_).socket(),
                      asio::buffer(bytes.data(), bytes.size()), handler);
  });
}

TestPeer::ErrorCode TestPeer::Upgrade() {
  const ErrorCode ec = Run([&](auto handler) {
    ws_.async_handshake("127.0.0.1", std::string(kWebSocketTarget), handler);
  });
  upgraded_ = !ec;
  ws_.read_message_max(64 << 20);
  return ec;
}

TestPeer::ErrorCode TestPeer::SendBinary(std::string_view frame) {
  ws_.binary(true);
  return Run(
      [&](auto handler) { ws_.async_write(asio::buffer(frame.data(), frame.size()), handler); });
}

TestPeer::ErrorCode TestPeer::SendText(std::string_view text) {
  ws_.text(true);
  return Run(
      [&](auto handler) { ws_.async_write(asio::buffer(text.data(), text.size()), handler); });
}

TestPeer::ErrorCode TestPeer::Read(std::string& frame) {
  buffer_.clear();
  const ErrorCode ec = Run([&](auto handler) { ws_.async_read(buffer_, handler); });
  frame = beast::buffers_to_string(buffer_.data());
  return ec;
}

bool TestPeer::WaitClosedByServer() {
  for (;;) {
    ErrorCode ec;
    if (upgraded_) {
      std::string ignored;
      ec = Read(ignored);
    } else {
      std::array<char, 4096> chunk;
      ec = Run([&](auto handler) {
        beast::get_lowest_layer(ws_).socket().async_read_some(asio::buffer(chunk), handler);
      });
    }
    if (ec == asio::error::timed_out) return false;
    if (ec) return true;  // closed, eof or reset: the server ended it
  }
}

TestPeer::ErrorCode TestPeer::Authenticate(const crypto::PrivateKey& key, std::string_view chain_id,
                                           Fault fault) {
  Nonce nonce{};
  if (!crypto::RandomBytes(nonce).ok()) return asio::error::fault;
  Handshake handshake(Role::kDialer, std::string(chain_id), key, nonce);
  if (const ErrorCode ec = SendBinary(handshake.HelloFrame())) return ec;
  std::string frame;
  if (const ErrorCode ec = Read(frame)) return ec;
  const auto allow = [](const crypto::PublicKey&) { return CloseReason::kNone; };
  Handshake::Step step = handshake.OnFrame(AsBytes(frame), allow);
  if (step.error != CloseReason::kNone) return asio::error::access_denied;
  if (fault == Fault::kSignOwnNonce) {
    const Result<Hello> server = DecodeHello(AsBytes(frame));
    const Hash256 digest = AuthDigest({.signer_role = Role::kDialer,
                                       .chain_id = chain_id,
                                       .verifier_nonce = nonce,  // should be the server's
                                       .signer_nonce = nonce,
                                       .signer_key = key.public_key().bytes(),
                                       .verifier_key = server->key});
    return SendBinary(EncodeAuth(key.Sign(digest)));
  }
  if (const ErrorCode ec = SendBinary(step.reply)) return ec;
  if (const ErrorCode ec = Read(frame)) return ec;
  step = handshake.OnFrame(AsBytes(frame), allow);
  return step.authenticated ? ErrorCode() : asio::error::access_denied;
}

}  // namespace consentd::node::p2p::test
