#pragma once

// Key files: how consentd keeps a BIP340 secret key on disk, for customers' and insurers'
// signing keys and for node keys alike.
//
// Encrypted (the default):
//   {"version": 1, "type": "consentd-key", "public_key": <hex>,
//    "kdf": {"name": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": <16 bytes hex>},
//    "cipher": {"name": "aes-256-gcm", "nonce": <12 bytes hex>},
//    "ciphertext": <32 bytes hex>, "tag": <16 bytes hex>}
// The AES-256-GCM key is scrypt(passphrase, salt); the public key is authenticated data, so a
// file whose public key was swapped fails to open. Everything via OpenSSL.
//
// Plaintext, for local test networks only, and named so nobody mistakes it for safe:
//   {"version": 1, "type": "consentd-key", "public_key": <hex>, "insecure_plaintext_secret": <hex>}
//
// Files are written with mode 0600 (write temp + fsync + rename).

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/schnorr.h"

namespace consentd::wallet {

struct KdfParams {
  std::uint64_t n = 1 << 15;
  std::uint64_t r = 8;
  std::uint64_t p = 1;
};

// Errors: "key_encrypt_failed".
Result<std::string> EncryptKey(const crypto::PrivateKey& key, std::string_view passphrase,
                               const KdfParams& kdf = {});
std::string PlaintextKey(const crypto::PrivateKey& key);

// Errors: "key_file_invalid" (malformed, naming the field), "key_wrong_passphrase" (the
// passphrase does not open it, or the file was tampered with: GCM cannot tell which),
// "key_passphrase_required" (encrypted file, no passphrase given).
Result<crypto::PrivateKey> DecryptKey(std::string_view file_text,
                                      std::optional<std::string_view> passphrase);
// The public key a key file declares, without opening it.
Result<crypto::PublicKey> KeyFilePublicKey(std::string_view file_text);
bool IsPlaintextKeyFile(std::string_view file_text);

// Writes `text` to `path` with mode 0600, atomically. Errors: "key_file_write".
Status WriteKeyFile(const std::string& path, std::string_view text);
// Reads a key file. Errors: "key_file_unreadable". Sets *loose_permissions when the file is
// readable by group or others (callers warn).
Result<std::string> ReadKeyFile(const std::string& path, bool* loose_permissions = nullptr);

}  // namespace consentd::wallet
