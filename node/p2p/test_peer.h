#pragma once

// TestPeer: a raw client for the transport tests (test-only) that speaks the protocol by hand,
// correctly or not: plain TCP bytes, a WebSocket upgrade, arbitrary frames, the handshake with
// deliberate faults. Blocking calls on its own io_context, each bounded by testing::kWait.

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <string>
#include <string_view>

#include "crypto/schnorr.h"
#include "node/p2p/wire.h"

namespace consentd::node::p2p::test {

class TestPeer {
 public:
  using ErrorCode = boost::system::error_code;

  TestPeer();
  ~TestPeer();

  // TCP connect to 127.0.0.1:port. A receive buffer > 0 is set before connecting (small
  // values make a peer that stops reading fill up quickly).
  ErrorCode Connect(std::uint16_t port, int receive_buffer_bytes = 0);
  ErrorCode WriteRaw(std::string_view bytes);  // plain TCP, before or instead of the upgrade
  ErrorCode Upgrade();                         // the WebSocket upgrade, as a client
  ErrorCode SendBinary(std::string_view frame);
  ErrorCode SendText(std::string_view text);
  ErrorCode Read(std::string& frame);  // one WebSocket message
  // Reads (WebSocket frames once upgraded, else TCP bytes) until the server ends the
  // connection: true if it did within the timeout.
  bool WaitClosedByServer();

  enum class Fault { kNone, kSignOwnNonce };
  // The dialer's side of the handshake. kNone: completes it and checks the server's proof.
  // kSignOwnNonce: signs our own nonce instead of the server's and stops after sending it.
  ErrorCode Authenticate(const crypto::PrivateKey& key, std::string_view chain_id,
                         Fault fault = Fault::kNone);

 private:
  template <typename Start>
  ErrorCode Run(Start start);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  bool upgraded_ = false;
};

}  // namespace consentd::node::p2p::test
