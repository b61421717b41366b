#include "node/p2p/handshake.h"

#include <cassert>
#include <utility>

namespace consentd::node::p2p {

Handshake::Handshake(Role role, std::string chain_id, const crypto::PrivateKey& key,
                     const Nonce& nonce)
    : role_(role), chain_id_(std::move(chain_id)), key_(key), nonce_(nonce) {
  assert(chain_id_.size() <= kMaxChainIdBytes);
}

std::string Handshake::HelloFrame() const {
  Hello hello;
  hello.chain_id = chain_id_;
  hello.key = key_.public_key().bytes();
  hello.nonce = nonce_;
  return EncodeHello(hello);
}

Handshake::Step Handshake::OnFrame(ByteSpan frame, const KeyCheck& check_key) {
  if (frame.empty()) return Fail(CloseReason::kEmptyFrame);
  const std::uint8_t kind = frame[0];
  switch (state_) {
    case State::kAwaitHello:
      if (kind != kKindHello) return Fail(CloseReason::kUnexpectedFrame);
      return OnHello(frame, check_key);
    case State::kAwaitAuth:
      if (kind != kKindAuth) return Fail(CloseReason::kUnexpectedFrame);
      return OnAuth(frame);
    case State::kDone:
      break;
  }
  return Fail(CloseReason::kUnexpectedFrame);
}

Handshake::Step Handshake::OnHello(ByteSpan frame, const KeyCheck& check_key) {
  Result<Hello> hello = DecodeHello(frame);
  if (!hello.ok()) return Fail(CloseReason::kMalformedHello);
  if (hello->version != kProtocolVersion) return Fail(CloseReason::kVersionMismatch);
  if (hello->chain_id != chain_id_) return Fail(CloseReason::kWrongChain);
  Result<crypto::PublicKey> claimed = crypto::PublicKey::Parse(hello->key);
  if (!claimed.ok()) return Fail(CloseReason::kBadKey);
  // Our own key (or our own nonce echoed back): a connection to ourselves.
  if (*claimed == key_.public_key() || hello->nonce == nonce_) return Fail(CloseReason::kSelf);
  if (const CloseReason refusal = check_key(*claimed); refusal != CloseReason::kNone) {
    return Fail(refusal);
  }
  peer_key_ = std::move(claimed).value();
  peer_nonce_ = hello->nonce;
  state_ = State::kAwaitAuth;
  Step step;
  // The dialer proves itself first; the acceptor waits for that proof before signing.
  if (role_ == Role::kDialer) step.reply = SignAuth();
  return step;
}

Handshake::Step Handshake::OnAuth(ByteSpan frame) {
  Result<crypto::SignatureBytes> sig = DecodeAuth(frame);
  if (!sig.ok()) return Fail(CloseReason::kMalformedAuth);
  const Role peer_role = role_ == Role::kDialer ? Role::kAcceptor : Role::kDialer;
  const Hash256 digest = AuthDigest({.signer_role = peer_role,
                                     .chain_id = chain_id_,
                                     .verifier_nonce = nonce_,
                                     .signer_nonce = peer_nonce_,
                                     .signer_key = peer_key_->bytes(),
                                     .verifier_key = key_.public_key().bytes()});
  if (!peer_key_->Verify(digest, *sig)) return Fail(CloseReason::kBadSignature);
  state_ = State::kDone;
  Step step;
  step.authenticated = true;
  if (role_ == Role::kAcceptor) step.reply = SignAuth();
  return step;
}

std::string Handshake::SignAuth() const {
  const Hash256 digest = AuthDigest({.signer_role = role_,
                                     .chain_id = chain_id_,
                                     .verifier_nonce = peer_nonce_,
                                     .signer_nonce = nonce_,
                                     .signer_key = key_.public_key().bytes(),
                                     .verifier_key = peer_key_->bytes()});
  return EncodeAuth(key_.Sign(digest));
}

Handshake::Step Handshake::Fail(CloseReason reason) {
  Step step;
  step.error = reason;
  return step;
}

}  // namespace consentd::node::p2p
