#pragma once

// Raw clients for the hostile-input and security tests (test-only): a blocking TCP socket to
// 127.0.0.1 whose every read is bounded by a deadline, a reader of HTTP/1.1 responses, and the
// peer protocol's WebSocket framing written by hand, so a test can break it at any byte (the
// real transport, Boost.Beast, would refuse to). Nothing here retries or sleeps: a caller polls
// what it needs with its own deadline.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/schnorr.h"

namespace consentd::testing {

std::int64_t MonoMs();  // steady clock, milliseconds

class RawSocket {
 public:
  RawSocket() = default;
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  // Connects to 127.0.0.1:port, from `source` (another loopback address, "127.0.0.2", to
  // look like another client) when given. False if the connection was refused or timed out.
  bool Connect(int port, const char* source = nullptr);
  // Our own port, to find this connection in the node's log ("remote=127.0.0.1:<port>").
  int local_port() const;
  // Writes every byte (bounded by a 5 s send timeout). False once the peer closed or reset the
  // connection: a legitimate answer to garbage, so callers usually ignore it.
  bool Send(std::string_view bytes);
  void ShutdownWrite();  // our EOF: the server sees the request end here
  void Close();

  enum class End { kOpen, kClosed };
  // Appends what arrives to `out` until the peer ends the connection (EOF or reset: kClosed),
  // `deadline_ms` (MonoMs) passes, `out` reaches `max_bytes`, or `done(out)` is true (kOpen).
  End ReadUntil(std::string& out, std::int64_t deadline_ms, std::size_t max_bytes = 1 << 20,
                bool (*done)(const std::string&) = nullptr);

 private:
  int fd_ = -1;
};

// The HTTP/1.1 responses in `bytes`, in order (interim 1xx responses skipped). A server that
// closes a connection with unread input resets it, which can cut off its last response: such
// a tail counts in `statuses` when its status line is there (its body stays empty), and is
// ignored when it is a prefix of one. `complete` is false for anything else.
struct HttpResponses {
  std::vector<int> statuses;
  std::vector<std::string> bodies;
  bool complete = true;
};
HttpResponses ParseHttpResponses(std::string_view bytes);
// True once `bytes` hold at least one complete response (for RawSocket::ReadUntil).
bool HasHttpResponse(const std::string& bytes);

// WebSocket (RFC 6455) frames as a client sends them: masked unless `mask` is false. `rsv`
// sets the RSV1-3 bits (0..7); `claimed_length` overrides the length in the header.
struct WsFrameOptions {
  bool fin = true;
  bool mask = true;
  std::uint8_t rsv = 0;
  std::optional<std::uint64_t> claimed_length;
};
std::string WsFrame(std::uint8_t opcode, std::string_view payload, WsFrameOptions options = {});
inline constexpr std::uint8_t kWsText = 1, kWsBinary = 2, kWsClose = 8, kWsPing = 9;
std::string WsUpgradeRequest(int port);

struct WsMessage {
  std::uint8_t opcode = 0;
  std::string payload;
};

// A client on a node's peer port that speaks the peer protocol by hand.
class RawPeer {
 public:
  // TCP connect and the WebSocket upgrade; false if either failed.
  bool Open(int port);
  RawSocket& socket() { return socket_; }

  bool SendBinary(std::string_view frame) { return socket_.Send(WsFrame(kWsBinary, frame)); }
  // The next data message (binary or text; pings and pongs skipped), or nullopt when the server
  // closed the connection or `timeout_ms` passed (closed() tells which).
  std::optional<WsMessage> Next(std::int64_t timeout_ms);
  // Reads until the server closes the connection; true if it did within `timeout_ms`. Data
  // messages read meanwhile are kept in received().
  bool WaitClosed(std::int64_t timeout_ms);

  // The dialer's handshake: our Hello, the server's Hello, then our Auth signed by `signer`
  // (which should be `key` for an honest peer) over `chain_id` and the server's nonce. Returns
  // the server's Hello payload, or nullopt if it never came.
  std::optional<std::string> Handshake(const crypto::PrivateKey& key,
                                       const crypto::PrivateKey& signer,
                                       const std::string& chain_id) {
    return HandshakeClaiming(key.public_key().bytes(), signer, chain_id);
  }
  // As Handshake, with a Hello that claims `claimed_key` whoever signs.
  std::optional<std::string> HandshakeClaiming(const crypto::PublicKeyBytes& claimed_key,
                                               const crypto::PrivateKey& signer,
                                               const std::string& chain_id);

  bool closed() const { return closed_; }
  // The server's close frame: status code and reason text ("key_not_allowed", ...).
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  const std::vector<WsMessage>& received() const { return received_; }
  // True if the server sent any node frame (kind >= 16): only an authenticated peer may get one.
  bool GotNodeFrame() const;

 private:
  bool ParseOne(WsMessage* out);  // one complete frame from buffer_, control frames handled

  RawSocket socket_;
  std::string buffer_;
  bool closed_ = false;
  int close_code_ = 0;
  std::string close_reason_;
  std::vector<WsMessage> received_;
};

// The port of node `home`'s peer listener, from its config.json.
int PeerPortOf(const std::string& home);

}  // namespace consentd::testing
