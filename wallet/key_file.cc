#include "wallet/key_file.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <memory>

#include "common/file_util.h"
#include "common/hex.h"
#include "common/json.h"
#include "crypto/random.h"

namespace consentd::wallet {
namespace {

constexpr std::string_view kType = "consentd-key";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

Status Invalid(std::string message) {
  return Status::Error(Reason::kKeyFileInvalid, std::move(message));
}

// A buffer that wipes itself.
struct SecretBuffer {
  FixedBytes<32> bytes{};
  ~SecretBuffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

Status DeriveKey(std::string_view passphrase, ByteSpan salt, const KdfParams& kdf,
                 SecretBuffer* out) {
  // maxmem: scrypt needs 128 * n * r bytes; allow that plus slack.
  const std::uint64_t maxmem = 128 * kdf.n * kdf.r + (1 << 20);
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), salt.data(), salt.size(), kdf.n, kdf.r,
                     kdf.p, maxmem, out->bytes.data(), out->bytes.size()) != 1) {
    return Status::Error(Reason::kKeyEncryptFailed, "scrypt failed (unsupported parameters?)");
  }
  return Status::Ok();
}

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

Result<Json> ParseKeyJson(std::string_view text) {
  auto j = ParseJson(text);
  if (!j.ok()) return Invalid("not JSON: " + j.status().ToString());
  if (!j->is_object()) return Invalid("a key file is a JSON object");
  if (j->value("version", 0) != 1) return Invalid("unsupported version (expected 1)");
  if (j->value("type", "") != kType) return Invalid("type must be \"consentd-key\"");
  return std::move(*j);
}

template <std::size_t N>
Result<FixedBytes<N>> HexField(const Json& j, const char* field) {
  if (!j.contains(field) || !j[field].is_string())
    return Invalid(std::string("missing field ") + field);
  auto v = HexDecodeFixed<N>(j[field].get<std::string>());
  if (!v.ok()) return Invalid(std::string("field ") + field + ": " + v.status().message());
  return *v;
}

}  // namespace

Result<std::string> EncryptKey(const crypto::PrivateKey& key, std::string_view passphrase,
                               const KdfParams& kdf) {
  FixedBytes<kSaltBytes> salt{};
  FixedBytes<kNonceBytes> nonce{};
  CONSENTD_RETURN_IF_ERROR(crypto::RandomBytes(salt));
  CONSENTD_RETURN_IF_ERROR(crypto::RandomBytes(nonce));
  SecretBuffer aes_key;
  CONSENTD_RETURN_IF_ERROR(DeriveKey(passphrase, salt, kdf, &aes_key));

  const auto& pub = key.public_key().bytes();
  FixedBytes<32> ciphertext{};
  FixedBytes<kTagBytes> tag{};
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, aes_key.bytes.data(), nonce.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, pub.data(), static_cast<int>(pub.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ciphertext.data(), &len, key.secret().data(), 32) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ciphertext.data() + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) != 1) {
    return Status::Error(Reason::kKeyEncryptFailed, "AES-256-GCM encryption failed");
  }
  const Json file{
      {"version", 1},
      {"type", kType},
      {"public_key", key.public_key().Hex()},
      {"kdf",
       {{"name", "scrypt"}, {"n", kdf.n}, {"r", kdf.r}, {"p", kdf.p}, {"salt", HexEncode(salt)}}},
      {"cipher", {{"name", "aes-256-gcm"}, {"nonce", HexEncode(nonce)}}},
      {"ciphertext", HexEncode(ciphertext)},
      {"tag", HexEncode(tag)}};
  return file.dump(2) + "\n";
}

std::string PlaintextKey(const crypto::PrivateKey& key) {
  const Json file{{"version", 1},
                  {"type", kType},
                  {"public_key", key.public_key().Hex()},
                  {"insecure_plaintext_secret", HexEncode(key.secret())}};
  return file.dump(2) + "\n";
}

bool IsPlaintextKeyFile(std::string_view file_text) {
  auto j = ParseKeyJson(file_text);
  return j.ok() && j->contains("insecure_plaintext_secret");
}

Result<crypto::PublicKey> KeyFilePublicKey(std::string_view file_text) {
  CONSENTD_ASSIGN_OR_RETURN(Json j, ParseKeyJson(file_text));
  CONSENTD_ASSIGN_OR_RETURN(auto pub, HexField<32>(j, "public_key"));
  auto key = crypto::PublicKey::Parse(pub);
  if (!key.ok()) return Invalid("public_key is not a valid key");
  return *key;
}

Result<crypto::PrivateKey> DecryptKey(std::string_view file_text,
                                      std::optional<std::string_view> passphrase) {
  CONSENTD_ASSIGN_OR_RETURN(Json j, ParseKeyJson(file_text));
  CONSENTD_ASSIGN_OR_RETURN(auto pub, HexField<32>(j, "public_key"));
  auto check = [&](Result<crypto::PrivateKey> key) -> Result<crypto::PrivateKey> {
    if (!key.ok()) return Invalid("the secret is not a valid key");
    if (key->public_key().bytes() != pub) return Invalid("the secret does not match public_key");
    return key;
  };
  if (j.contains("insecure_plaintext_secret")) {
    CONSENTD_ASSIGN_OR_RETURN(auto secret, HexField<32>(j, "insecure_plaintext_secret"));
    auto key = crypto::PrivateKey::FromBytes(secret);
    OPENSSL_cleanse(secret.data(), secret.size());
    return check(std::move(key));
  }
  if (!passphrase) {
    return Status::Error(Reason::kKeyPassphraseRequired,
                         "the key file is encrypted; a passphrase is needed");
  }
  if (!j.contains("kdf") || !j["kdf"].is_object() || j["kdf"].value("name", "") != "scrypt") {
    return Invalid("kdf must be scrypt");
  }
  if (!j.contains("cipher") || !j["cipher"].is_object() ||
      j["cipher"].value("name", "") != "aes-256-gcm") {
    return Invalid("cipher must be aes-256-gcm");
  }
  KdfParams kdf;
  const Json& k = j["kdf"];
  for (const char* f : {"n", "r", "p"}) {
    if (!k.contains(f) || !k[f].is_number_integer() || k[f].get<std::int64_t>() < 1) {
      return Invalid(std::string("kdf.") + f + " must be a positive integer");
    }
  }
  kdf.n = k["n"].get<std::uint64_t>();
  kdf.r = k["r"].get<std::uint64_t>();
  kdf.p = k["p"].get<std::uint64_t>();
  if (kdf.n > (1u << 22) || kdf.r > 64 || kdf.p > 64)
    return Invalid("kdf parameters are out of range");
  CONSENTD_ASSIGN_OR_RETURN(auto salt, HexField<kSaltBytes>(k, "salt"));
  CONSENTD_ASSIGN_OR_RETURN(auto nonce, HexField<kNonceBytes>(j["cipher"], "nonce"));
  CONSENTD_ASSIGN_OR_RETURN(auto ciphertext, HexField<32>(j, "ciphertext"));
  CONSENTD_ASSIGN_OR_RETURN(auto tag, HexField<kTagBytes>(j, "tag"));

  SecretBuffer aes_key;
  CONSENTD_RETURN_IF_ERROR(DeriveKey(*passphrase, salt, kdf, &aes_key));
  SecretBuffer secret;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, aes_key.bytes.data(), nonce.data()) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, pub.data(), static_cast<int>(pub.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), secret.bytes.data(), &len, ciphertext.data(), 32) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), secret.bytes.data() + len, &len) == 1;
  if (!ok) {
    return Status::Error(Reason::kKeyWrongPassphrase,
                         "the passphrase does not open this key file (or the file was altered)");
  }
  return check(crypto::PrivateKey::FromBytes(secret.bytes));
}

Status WriteKeyFile(const std::string& path, std::string_view text) {
  Status st = WriteFileAtomic(path, text, 0600);
  if (!st.ok()) return Status::Error(Reason::kKeyFileWrite, st.message());
  return Status::Ok();
}

Result<std::string> ReadKeyFile(const std::string& path, bool* loose_permissions) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::Error(Reason::kKeyFileUnreadable, "cannot read key file " + path);
  }
  if (loose_permissions != nullptr) *loose_permissions = (st.st_mode & 077) != 0;
  auto text = ReadFile(path, 1 << 16);
  if (!text.ok()) return Status::Error(Reason::kKeyFileUnreadable, text.status().message());
  return text;
}

}  // namespace consentd::wallet
