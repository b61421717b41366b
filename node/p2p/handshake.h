#pragma once

// One side of the mutual authentication on one connection (docs/P2P.md, "Handshake"). The
// connection feeds it every frame received before authentication; it answers with the frame to
// send, if any, and says when the peer has proven its key. No sockets: tests drive two of them
// in memory.
//
//   dialer                                  acceptor
//   Hello(chain, key_d, nonce_d)  ------>   (both send Hello as soon as the WebSocket opens)
//                                 <------   Hello(chain, key_a, nonce_a)
//   Auth(sig_d over nonce_a ...)  ------>   checks sig_d; only then signs:
//                                 <------   Auth(sig_a over nonce_d ...)
//
// The acceptor signs only for a dialer that has already proven its key, so anyone who can open
// a TCP connection cannot make a node sign a nonce of their choice.
//
// Thread-compatible; borrows the node key, which must outlive it.

#include <functional>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "crypto/schnorr.h"
#include "node/p2p/close_reason.h"
#include "node/p2p/wire.h"

namespace consentd::node::p2p {

class Handshake {
 public:
  // `nonce` must be fresh for every connection (crypto::RandomBytes); a parameter so that tests
  // are deterministic. REQUIRES: chain_id.size() <= kMaxChainIdBytes.
  Handshake(Role role, std::string chain_id, const crypto::PrivateKey& key, const Nonce& nonce);

  // The first frame to send, by both roles, as soon as the WebSocket is open.
  std::string HelloFrame() const;

  // Asked once, when the peer's Hello arrived with the right version and chain, before anything
  // is signed for that peer: kNone to go on, or the reason to refuse it (self, key not allowed,
  // duplicate).
  using KeyCheck = std::function<CloseReason(const crypto::PublicKey& claimed)>;

  struct Step {
    CloseReason error = CloseReason::kNone;  // not kNone: close the connection with it
    std::string reply;                       // not empty: send this frame next
    bool authenticated = false;              // the peer proved its key; node frames may flow
  };
  // Feeds one received frame (kind byte included). After an error or authentication the
  // handshake is over and must not be fed again.
  Step OnFrame(ByteSpan frame, const KeyCheck& check_key);

  Role role() const { return role_; }
  // The key the peer claimed in its Hello (set once the Hello passed its checks); proven once
  // OnFrame returned authenticated.
  const std::optional<crypto::PublicKey>& peer_key() const { return peer_key_; }

 private:
  enum class State { kAwaitHello, kAwaitAuth, kDone };

  Step OnHello(ByteSpan frame, const KeyCheck& check_key);
  Step OnAuth(ByteSpan frame);
  std::string SignAuth() const;
  static Step Fail(CloseReason reason);

  Role role_;
  std::string chain_id_;
  const crypto::PrivateKey& key_;
  Nonce nonce_;
  State state_ = State::kAwaitHello;
  std::optional<crypto::PublicKey> peer_key_;
  Nonce peer_nonce_{};
};

}  // namespace consentd::node::p2p
