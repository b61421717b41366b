#pragma once

// Why the transport closed (or refused) a peer connection. Each reason has a stable
// lower_snake_case name used in log lines, in the WebSocket close frame sent to the peer, and in
// docs/P2P.md; the transport maps each to at most one counter (see CountedAs).

#include <cstdint>

namespace consentd::node::p2p {

enum class CloseReason {
  kNone,  // not closed: the handshake goes on
  // Transport-level endings (not the peer's fault, or not provably so).
  kRemoteClosed,    // remote_closed: the peer closed the WebSocket or the TCP connection
  kIoError,         // io_error: resolve, connect, read or write failed
  kConnectTimeout,  // connect_timeout: an outbound dial did not open in time
  kIdleTimeout,     // idle_timeout: nothing received (not even a pong) for the idle timeout
  kSelf,            // self: we dialled ourselves
  kDuplicate,       // duplicate: another connection to the same key is kept
  kTooManyPending,  // too_many_pending: too many inbound connections still in handshake
  // Malformed input.
  kUpgradeFailed,    // upgrade_failed: not a WebSocket upgrade (e.g. random bytes)
  kProtocolError,    // protocol_error: a WebSocket framing violation
  kOversizeFrame,    // oversize_frame: over the read limit
  kTextFrame,        // text_frame: only binary frames are allowed
  kEmptyFrame,       // empty_frame: a frame has at least its kind byte
  kUnexpectedFrame,  // unexpected_frame: a kind not allowed now (node frame before auth, ...)
  kMalformedHello,   // malformed_hello
  kMalformedAuth,    // malformed_auth
  // Authentication.
  kHandshakeTimeout,  // handshake_timeout: not authenticated within the handshake timeout
  kVersionMismatch,   // version_mismatch
  kWrongChain,        // wrong_chain
  kBadKey,            // bad_key: the claimed key is not a valid BIP340 key
  kBadSignature,      // bad_signature
  kKeyNotAllowed,     // key_not_allowed: the claimed key is not allowed (not a validator/observer)
};

const char* ToString(CloseReason reason);

// The counter a reason increments, if any.
enum class CloseCounter { kNone, kMalformed, kOversize, kAuthFailure, kUnknownKey };
CloseCounter CountedAs(CloseReason reason);

}  // namespace consentd::node::p2p
