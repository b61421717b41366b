#include "wallet/subject_keys.h"

#include <algorithm>
#include <array>

#include "common/hex.h"
#include "crypto/tagged_hash.h"
#include "ledger/schema.h"

namespace consentd::wallet {
namespace {

constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;

Status Malformed(const std::string& what) {
  return Status::Error(Reason::kLinkMalformed, "key link: " + what);
}

Status CheckLinkFields(std::string_view chain_id, std::string_view audience,
                       std::int64_t issued_at) {
  if (!ledger::IsValidIdentifier(chain_id)) {
    return Status::Error(Reason::kLinkInvalid, "chain id is not an identifier");
  }
  if (!ledger::IsValidIdentifier(audience)) {
    return Status::Error(Reason::kLinkInvalid,
                         "audience must be the member id of whoever the proof is for");
  }
  if (issued_at < 0 || issued_at > kMaxSafeInteger) {
    return Status::Error(Reason::kLinkInvalid, "issued_at must be unix milliseconds in 0..2^53-1");
  }
  return Status::Ok();
}

Result<std::string> StringField(const Json& doc, const char* name) {
  const auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) {
    return Malformed(std::string("\"") + name + "\" must be a string");
  }
  return it->get<std::string>();
}

Result<crypto::PublicKey> KeyField(const Json& v, const std::string& where) {
  if (!v.is_string() || v.get_ref<const std::string&>().size() != 64) {
    return Malformed(where + " must be 64 lowercase hex characters");
  }
  auto key = crypto::PublicKey::FromHex(v.get<std::string>());
  if (!key.ok()) return Malformed(where + " is not a public key: " + key.status().message());
  return key;
}

}  // namespace

Result<crypto::PrivateKey> DeriveSubjectKey(const crypto::PrivateKey& root,
                                            std::string_view controller) {
  if (!ledger::IsValidIdentifier(controller)) {
    return Status::Error(Reason::kBadController,
                         "a controller is a member id: 2-32 characters of a-z, 0-9 and '-'");
  }
  crypto::TaggedHasher hasher(kSubjectKeyTag);
  const std::array<std::uint8_t, 1> separator{0};
  for (int i = 0; i <= 255; ++i) {
    const std::array<std::uint8_t, 1> counter{static_cast<std::uint8_t>(i)};
    Hash256 secret = hasher.Hash({root.secret(), AsBytes(controller), separator, counter});
    auto key = crypto::PrivateKey::FromBytes(secret);
    std::fill(secret.begin(), secret.end(), 0);
    if (key.ok()) return key;
  }
  // 256 hashes outside [1, n-1] in a row: a broken hash function, not bad luck.
  return Status::Error(Reason::kKeyDerivationFailed,
                       "no valid subject key for " + std::string(controller));
}

Json KeyLinkStatement(const KeyLink& link) {
  Json keys = Json::array();
  for (const crypto::PublicKey& k : link.keys) keys.push_back(k.Hex());
  return Json{{"type", kKeyLinkType},        {"version", 1},
              {"chain_id", link.chain_id},   {"audience", link.audience},
              {"issued_at", link.issued_at}, {"keys", std::move(keys)}};
}

Hash256 KeyLinkSignHash(const KeyLink& link) {
  return crypto::TaggedHash(kKeyLinkTag, AsBytes(CanonicalJson(KeyLinkStatement(link))));
}

Result<Json> MakeKeyLink(const std::vector<const crypto::PrivateKey*>& keys,
                         std::string_view chain_id, std::string_view audience,
                         std::int64_t issued_at) {
  CONSENTD_RETURN_IF_ERROR(CheckLinkFields(chain_id, audience, issued_at));
  if (keys.size() < kMinLinkedKeys || keys.size() > kMaxLinkedKeys) {
    return Status::Error(Reason::kLinkInvalid, "a key link names 2 to 16 keys");
  }
  std::vector<const crypto::PrivateKey*> sorted = keys;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->public_key() < b->public_key(); });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i]->public_key() == sorted[i - 1]->public_key()) {
      return Status::Error(Reason::kLinkInvalid, "a key link names each key once");
    }
  }
  KeyLink link{std::string(chain_id), std::string(audience), issued_at, {}};
  for (const auto* k : sorted) link.keys.push_back(k->public_key());
  const Hash256 hash = KeyLinkSignHash(link);
  Json doc = KeyLinkStatement(link);
  Json sigs = Json::array();
  for (const auto* k : sorted) {
    sigs.push_back(Json{{"key", k->public_key().Hex()}, {"sig", HexEncode(k->Sign(hash))}});
  }
  doc["signatures"] = std::move(sigs);
  return doc;
}

Result<KeyLink> VerifyKeyLink(const Json& doc, const KeyLinkExpectation& expect) {
  if (!doc.is_object()) return Malformed("not a JSON object");
  static constexpr std::array<const char*, 7> kFields{
      "type", "version", "chain_id", "audience", "issued_at", "keys", "signatures"};
  for (const char* f : kFields) {
    if (!doc.contains(f)) return Malformed(std::string("\"") + f + "\" is missing");
  }
  if (doc.size() != kFields.size()) return Malformed("it has a field besides the seven named");
  CONSENTD_ASSIGN_OR_RETURN(std::string type, StringField(doc, "type"));
  if (type != kKeyLinkType) return Malformed("\"type\" must be \"consentd/key-link\"");
  if (!doc["version"].is_number_integer() || doc["version"].get<std::int64_t>() != 1) {
    return Malformed("\"version\" must be 1");
  }
  KeyLink link;
  CONSENTD_ASSIGN_OR_RETURN(link.chain_id, StringField(doc, "chain_id"));
  CONSENTD_ASSIGN_OR_RETURN(link.audience, StringField(doc, "audience"));
  const Json& issued = doc["issued_at"];
  if (!issued.is_number_integer() ||
      (issued.is_number_unsigned() && issued.get<std::uint64_t>() > std::uint64_t{1} << 53)) {
    return Malformed("\"issued_at\" must be an integer");
  }
  link.issued_at = issued.get<std::int64_t>();
  if (Status st = CheckLinkFields(link.chain_id, link.audience, link.issued_at); !st.ok()) {
    return Malformed(st.message());
  }
  const Json& keys = doc["keys"];
  if (!keys.is_array() || keys.size() < kMinLinkedKeys || keys.size() > kMaxLinkedKeys) {
    return Malformed("\"keys\" must be an array of 2 to 16 keys");
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    CONSENTD_ASSIGN_OR_RETURN(crypto::PublicKey k,
                              KeyField(keys[i], "keys[" + std::to_string(i) + "]"));
    if (!link.keys.empty() && !(link.keys.back() < k)) {
      return Malformed("\"keys\" must be distinct and in ascending order");
    }
    link.keys.push_back(std::move(k));
  }
  const Json& sigs = doc["signatures"];
  if (!sigs.is_array() || sigs.size() > kMaxLinkedKeys) {
    return Malformed("\"signatures\" must be an array of at most 16 signatures");
  }
  std::vector<std::pair<crypto::PublicKey, crypto::SignatureBytes>> parsed;
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    const std::string where = "signatures[" + std::to_string(i) + "]";
    const Json& s = sigs[i];
    if (!s.is_object() || s.size() != 2 || !s.contains("key") || !s.contains("sig")) {
      return Malformed(where + " must be {\"key\", \"sig\"}");
    }
    CONSENTD_ASSIGN_OR_RETURN(crypto::PublicKey k, KeyField(s["key"], where + ".key"));
    if (!s["sig"].is_string() || s["sig"].get_ref<const std::string&>().size() != 128) {
      return Malformed(where + ".sig must be 128 lowercase hex characters");
    }
    auto sig = HexDecodeFixed<64>(s["sig"].get<std::string>());
    if (!sig.ok()) return Malformed(where + ".sig: " + sig.status().message());
    for (const auto& seen : parsed) {
      if (seen.first == k) return Malformed(where + ": the key signed twice");
    }
    parsed.emplace_back(std::move(k), *sig);
  }
  if (expect.chain_id && *expect.chain_id != link.chain_id) {
    return Status::Error(Reason::kLinkWrongChain, "the key link is for chain \"" + link.chain_id +
                                                      "\", not \"" + *expect.chain_id + "\"");
  }
  if (expect.audience && *expect.audience != link.audience) {
    return Status::Error(
        Reason::kLinkWrongAudience,
        "the key link was made for \"" + link.audience + "\", not \"" + *expect.audience + "\"");
  }
  for (const auto& [k, sig] : parsed) {
    if (!std::binary_search(link.keys.begin(), link.keys.end(), k)) {
      return Status::Error(Reason::kLinkUnexpectedSigner,
                           "key link: " + k.Hex() + " signed but is not one of the keys");
    }
  }
  for (std::size_t i = 0; i < link.keys.size(); ++i) {
    if (i >= parsed.size() || !(parsed[i].first == link.keys[i])) {
      return Status::Error(Reason::kLinkSignatureMissing,
                           "key link: " + link.keys[i].Hex() +
                               " has no signature in its place (one per key, in key order)");
    }
  }
  const Hash256 hash = KeyLinkSignHash(link);
  for (const auto& [k, sig] : parsed) {
    if (!k.Verify(hash, sig)) {
      return Status::Error(Reason::kLinkBadSignature,
                           "key link: the signature by " + k.Hex() + " does not verify");
    }
  }
  return link;
}

Result<KeyLink> VerifyKeyLinkText(std::string_view text, const KeyLinkExpectation& expect) {
  if (text.size() > kMaxKeyLinkBytes) return Malformed("larger than 16 KiB");
  auto doc = ParseJson(text, JsonLimits{kMaxKeyLinkBytes, 4});
  if (!doc.ok()) return Malformed("not JSON: " + doc.status().message());
  return VerifyKeyLink(*doc, expect);
}

}  // namespace consentd::wallet
