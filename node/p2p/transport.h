#pragma once

// The peer transport: authenticated WebSocket connections between validators (and configured
// observers), carrying opaque node frames. docs/P2P.md is the wire protocol.
//
// The transport dials every configured peer address and redials it after any failure (capped
// exponential backoff with jitter), accepts inbound connections, and authenticates both ends
// with their node keys before any node frame flows. Between two keys it keeps exactly one
// connection: the one dialled by the smaller key (see docs/P2P.md, "Duplicate connections").
// Frames are [kind u8][payload]; kinds 0..15 are the transport's own, the node uses 16..255 and
// the transport passes payloads through untouched. Nothing here includes Beast: it lives behind
// the pimpl, in node/p2p/ only.
//
// Threading: the transport runs one thread of its own; every TransportHandler callback, every
// `is_allowed` call and most log lines run on it. Send, Broadcast, Peers, counters and
// listen_port may be called from any thread (also from a callback). Start and Stop are called
// by the owner, never from a callback.
//
// Delivery: frames on one connection arrive complete and in order. Nothing is retransmitted: a
// frame queued on a connection that closes is lost, and a peer may be reported disconnected
// and connected again (with a new PeerId) when its connection is replaced.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "crypto/schnorr.h"

namespace consentd::node::p2p {

// Unique per connection for the process lifetime (never reused).
using PeerId = std::uint64_t;

struct PeerAddress {
  std::string host;  // an IP literal or a name resolved at each dial
  std::uint16_t port = 0;
};

// One log line: `level` is "debug", "info", "warn" or "error"; `line` is key=value pairs
// starting with "p2p event=...". Never contains payload bytes. Called on the transport thread,
// and from the thread calling Start or Stop; must be thread-safe and must not block.
using LogSink = std::function<void(std::string_view level, std::string_view line)>;

struct TransportConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;   // 0 = pick a free port (tests); see listen_port()
  std::vector<PeerAddress> peers;  // dialled and redialled; our own address is detected
  std::string chain_id;            // both sides must agree, checked in the handshake; 1..128 bytes
  std::size_t max_frame_bytes = 16 << 20;  // kind byte included; larger frames close the conn
  std::size_t max_queue_bytes = 64 << 20;  // per-peer send queue; Send fails when full
  std::int64_t backoff_initial_ms = 100, backoff_max_ms = 10000;  // capped exponential + jitter
  std::int64_t handshake_timeout_ms = 5000;  // TCP connect + WebSocket upgrade + authentication
  // A connection that receives nothing for this long is closed; after half of it a WebSocket
  // ping is sent, so a live but quiet peer is never dropped. Detects half-open connections.
  std::int64_t idle_timeout_ms = 20000;
  LogSink log;  // default: no logging
};

struct TransportHandler {  // all callbacks run on the transport's own thread; must not block
  std::function<void(PeerId, const crypto::PublicKey&)> on_connected;  // after mutual auth
  std::function<void(PeerId)> on_disconnected;  // once per on_connected, except after Stop
  std::function<void(PeerId, std::uint8_t kind, std::string payload)> on_message;
};

class Transport {
 public:
  struct PeerInfo {
    PeerId id;
    crypto::PublicKey key;
    bool outbound;
    std::string remote;  // "host:port" as dialled, or the remote endpoint of an inbound conn
    std::size_t queued_bytes;
  };
  struct Counters {
    std::uint64_t frames_in, frames_out, bytes_in, bytes_out;  // node frames (kind >= 16) only
    std::uint64_t malformed_frames;  // not a WebSocket upgrade, framing errors, text or empty
                                     // frames, frames of the wrong kind for the state
    std::uint64_t oversize_frames;
    std::uint64_t auth_failures;  // version, chain, bad key, bad signature, handshake timeout
    std::uint64_t unknown_key_rejections;  // a key `is_allowed` refused
    std::uint64_t send_drops;  // Send/Broadcast frames refused (peer gone, queue full, too big)
    std::uint64_t reconnects;  // dials of a configured address after its first one
  };

  // `node_key` outlives the transport. `is_allowed(key)` decides which authenticated keys may
  // connect (the node passes validators + configured observers; it may change at runtime, so it
  // is called at each handshake, on the transport thread). Errors: "p2p_config".
  static Result<std::unique_ptr<Transport>> Create(
      TransportConfig config, const crypto::PrivateKey* node_key,
      std::function<bool(const crypto::PublicKey&)> is_allowed, TransportHandler handler);

  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Binds the listen address (error "p2p_listen" naming the address), starts the transport
  // thread ("p2p_thread" if it cannot), dials the configured peers. Once only ("p2p_state").
  Status Start();
  // Closes every connection, cancels timers, joins the thread. No callback runs once it has
  // returned (and on_disconnected is not called for the peers it closes). Idempotent; the
  // destructor calls it. REQUIRES: not called from a TransportHandler callback.
  void Stop();
  // The bound port once Start succeeded (the configured one, or the one picked for 0).
  std::uint16_t listen_port() const;

  // Queues one frame for an authenticated peer. Returns false (and counts a send drop) when the
  // peer is gone, its queue would exceed max_queue_bytes, `kind` < 16, or the frame would exceed
  // max_frame_bytes. Never blocks on the network: a slow or dead peer never blocks the caller.
  bool Send(PeerId peer, std::uint8_t kind, std::string payload);
  // Queues the frame for every authenticated peer (one shared copy of the payload).
  void Broadcast(std::uint8_t kind, const std::string& payload);

  std::vector<PeerInfo> Peers() const;  // authenticated peers, a snapshot
  Counters counters() const;

  class Impl;                                      // node/p2p/transport.cc; holds everything Beast
  explicit Transport(std::unique_ptr<Impl> impl);  // use Create

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentd::node::p2p
