#include "node/p2p/wire.h"

#include <algorithm>
#include <cassert>

#include "crypto/tagged_hash.h"

namespace consentd::node::p2p {
namespace {

void Append(std::string& out, ByteSpan bytes) { out.append(AsChars(bytes)); }

Status MalformedHello(std::string message) {
  return Status::Error(Reason::kP2pMalformedHello, std::move(message));
}

}  // namespace

std::string EncodeHello(const Hello& hello) {
  assert(hello.chain_id.size() <= kMaxChainIdBytes);
  std::string out;
  out.reserve(3 + hello.chain_id.size() + 64);
  out.push_back(static_cast<char>(kKindHello));
  out.push_back(static_cast<char>(hello.version));
  out.push_back(static_cast<char>(hello.chain_id.size()));
  out.append(hello.chain_id);
  Append(out, hello.key);
  Append(out, hello.nonce);
  return out;
}

Result<Hello> DecodeHello(ByteSpan frame) {
  if (frame.size() < 2 || frame[0] != kKindHello) return MalformedHello("not a hello frame");
  Hello hello;
  hello.version = frame[1];
  if (hello.version != kProtocolVersion) return hello;
  if (frame.size() < 3) return MalformedHello("truncated");
  const std::size_t chain_len = frame[2];
  if (chain_len > kMaxChainIdBytes) return MalformedHello("chain id too long");
  if (frame.size() != 3 + chain_len + 32 + 32) return MalformedHello("wrong length");
  const ByteSpan rest = frame.subspan(3);
  hello.chain_id = std::string(AsChars(rest.first(chain_len)));
  std::copy_n(rest.begin() + chain_len, 32, hello.key.begin());
  std::copy_n(rest.begin() + chain_len + 32, 32, hello.nonce.begin());
  return hello;
}

std::string EncodeAuth(const crypto::SignatureBytes& signature) {
  std::string out;
  out.reserve(1 + signature.size());
  out.push_back(static_cast<char>(kKindAuth));
  Append(out, signature);
  return out;
}

Result<crypto::SignatureBytes> DecodeAuth(ByteSpan frame) {
  crypto::SignatureBytes sig{};
  if (frame.size() != 1 + sig.size() || frame[0] != kKindAuth) {
    return Status::Error(Reason::kP2pMalformedAuth, "expected kind 1 and a 64-byte signature");
  }
  std::copy_n(frame.begin() + 1, sig.size(), sig.begin());
  return sig;
}

Bytes AuthTranscript(const AuthContext& c) {
  assert(c.chain_id.size() <= kMaxChainIdBytes);
  Bytes out;
  out.reserve(3 + c.chain_id.size() + 4 * 32);
  out.push_back(kProtocolVersion);
  out.push_back(static_cast<std::uint8_t>(c.signer_role));
  out.push_back(static_cast<std::uint8_t>(c.chain_id.size()));
  const ByteSpan chain = AsBytes(c.chain_id);
  out.insert(out.end(), chain.begin(), chain.end());
  out.insert(out.end(), c.verifier_nonce.begin(), c.verifier_nonce.end());
  out.insert(out.end(), c.signer_nonce.begin(), c.signer_nonce.end());
  out.insert(out.end(), c.signer_key.begin(), c.signer_key.end());
  out.insert(out.end(), c.verifier_key.begin(), c.verifier_key.end());
  return out;
}

Hash256 AuthDigest(const AuthContext& context) {
  return crypto::TaggedHash(kAuthTag, AuthTranscript(context));
}

}  // namespace consentd::node::p2p
