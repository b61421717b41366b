#include "wallet/request_signature.h"

#include "common/hex.h"
#include "common/json.h"
#include "crypto/sha256.h"
#include "crypto/tagged_hash.h"

namespace consentd::wallet {
namespace {

constexpr std::string_view kTag = "consentd/request/v1";

Status Malformed(std::string what) {
  return Status::Error(
      Reason::kAuthMalformed,
      "Authorization must be \"BIP340 key=<64 hex>,ts=<unix ms>,sig=<128 hex>\": " +
          std::move(what));
}

// Takes "<name>=<value>" up to `end` (',' or the end of the text) off the front of `rest`.
Result<std::string_view> Field(std::string_view* rest, std::string_view name, bool last) {
  if (!rest->starts_with(name) || rest->size() <= name.size() || (*rest)[name.size()] != '=') {
    return Malformed("expected " + std::string(name) + "=");
  }
  rest->remove_prefix(name.size() + 1);
  const std::size_t comma = rest->find(',');
  if (last) {
    if (comma != std::string_view::npos) return Malformed("text after sig");
    std::string_view v = *rest;
    *rest = {};
    return v;
  }
  if (comma == std::string_view::npos) return Malformed("missing ',' after " + std::string(name));
  std::string_view v = rest->substr(0, comma);
  rest->remove_prefix(comma + 1);
  return v;
}

}  // namespace

std::string RequestSigningText(const RequestToSign& r) {
  std::string text;
  text.reserve(r.chain_id.size() + r.method.size() + r.target.size() + 96);
  text.append(r.chain_id).append("\n");
  text.append(r.method).append("\n");
  text.append(r.target).append("\n");
  text.append(HexEncode(crypto::Sha256(r.body))).append("\n");
  text.append(std::to_string(r.ts_ms));
  return text;
}

Hash256 RequestSignHash(const RequestToSign& r) {
  return crypto::TaggedHash(kTag, AsBytes(RequestSigningText(r)));
}

std::string SignRequest(const crypto::PrivateKey& key, const RequestToSign& r) {
  return std::string(kRequestScheme) + " key=" + key.public_key().Hex() +
         ",ts=" + std::to_string(r.ts_ms) + ",sig=" + HexEncode(key.Sign(RequestSignHash(r)));
}

Result<RequestSignature> ParseRequestSignature(std::string_view header) {
  if (!header.starts_with(kRequestScheme) || header.size() <= kRequestScheme.size() ||
      header[kRequestScheme.size()] != ' ') {
    return Malformed("the scheme is not BIP340");
  }
  std::string_view rest = header.substr(kRequestScheme.size() + 1);
  CONSENTD_ASSIGN_OR_RETURN(std::string_view key_hex, Field(&rest, "key", false));
  CONSENTD_ASSIGN_OR_RETURN(std::string_view ts_text, Field(&rest, "ts", false));
  CONSENTD_ASSIGN_OR_RETURN(std::string_view sig_hex, Field(&rest, "sig", true));

  auto key_bytes = HexDecodeFixed<32>(key_hex);
  if (!key_bytes.ok()) return Malformed("key: " + key_bytes.status().message());
  auto key = crypto::PublicKey::Parse(*key_bytes);
  if (!key.ok()) return Malformed("key is not a secp256k1 x-only public key");

  if (ts_text.empty() || ts_text.size() > 16 || (ts_text.size() > 1 && ts_text[0] == '0')) {
    return Malformed("ts must be a decimal without leading zeros");
  }
  std::int64_t ts = 0;
  for (char ch : ts_text) {
    if (ch < '0' || ch > '9') return Malformed("ts must be a decimal without leading zeros");
    ts = ts * 10 + (ch - '0');
  }
  if (ts > kJsonMaxSafeInteger) return Malformed("ts is above 2^53-1");

  auto sig = HexDecodeFixed<64>(sig_hex);
  if (!sig.ok()) return Malformed("sig: " + sig.status().message());
  return RequestSignature{*key, ts, *sig};
}

}  // namespace consentd::wallet
