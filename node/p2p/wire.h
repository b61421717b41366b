#pragma once

// The peer protocol's frames and the bytes each side signs during the handshake. docs/P2P.md
// describes them byte by byte; this file is the reference implementation. Pure functions: no
// sockets, no Beast, no clock.
//
// Every WebSocket message is one binary frame: [kind u8][payload]. Kinds 0..15 belong to the
// transport (only Hello and Auth exist in version 1); the node uses kinds 16..255.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"
#include "crypto/schnorr.h"

namespace consentd::node::p2p {

inline constexpr std::uint8_t kProtocolVersion = 1;
inline constexpr std::uint8_t kKindHello = 0;
inline constexpr std::uint8_t kKindAuth = 1;
inline constexpr std::uint8_t kFirstNodeKind = 16;
inline constexpr std::size_t kMaxChainIdBytes = 128;
// The read limit until the peer is authenticated: Hello and Auth are far smaller, and an
// unauthenticated peer must not make us buffer max_frame_bytes.
inline constexpr std::size_t kMaxHandshakeFrameBytes = 256;
// The tag of the tagged hash each side signs (crypto/tagged_hash.h).
inline constexpr std::string_view kAuthTag = "consentd/p2p/v1";
// The HTTP target of the WebSocket upgrade (informative; the acceptor does not check it).
inline constexpr std::string_view kWebSocketTarget = "/consentd/p2p/v1";

using Nonce = FixedBytes<32>;

// Which end of the TCP connection signs; part of the signed bytes so a dialer's proof can never
// be presented as an acceptor's.
enum class Role : std::uint8_t { kDialer = 1, kAcceptor = 2 };

struct Hello {
  std::uint8_t version = kProtocolVersion;
  std::string chain_id;
  crypto::PublicKeyBytes key{};
  Nonce nonce{};
};

// The complete frame, kind byte included. REQUIRES: chain_id.size() <= kMaxChainIdBytes.
std::string EncodeHello(const Hello& hello);

// Decodes a Hello frame (kind byte included). A Hello of another version decodes only its
// version (the layout after it belongs to that version); the caller compares it.
// Errors: "p2p_malformed_hello".
Result<Hello> DecodeHello(ByteSpan frame);

std::string EncodeAuth(const crypto::SignatureBytes& signature);
// Errors: "p2p_malformed_auth".
Result<crypto::SignatureBytes> DecodeAuth(ByteSpan frame);

// What the side with `signer_role` signs: TaggedHash(kAuthTag, transcript) where the transcript
// binds the protocol version, the signer's role, the chain, both fresh nonces (the verifier's
// first: that is the challenge) and both keys.
struct AuthContext {
  Role signer_role;
  std::string_view chain_id;
  const Nonce& verifier_nonce;
  const Nonce& signer_nonce;
  const crypto::PublicKeyBytes& signer_key;
  const crypto::PublicKeyBytes& verifier_key;
};
Bytes AuthTranscript(const AuthContext& context);
Hash256 AuthDigest(const AuthContext& context);

}  // namespace consentd::node::p2p
