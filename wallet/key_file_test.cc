#include "wallet/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "common/hex.h"
#include "common/json.h"

namespace consentd::wallet {
namespace {

// Cheap KDF parameters keep the tests fast; the format and code path are the same.
const KdfParams kFast{1 << 10, 8, 1};

crypto::PrivateKey NewKey() { return std::move(crypto::PrivateKey::Generate()).value(); }

TEST(KeyFileTest, EncryptedRoundTrip) {
  const auto key = NewKey();
  auto text = EncryptKey(key, "correct horse", kFast);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find(HexEncode(key.secret())), std::string::npos) << "secret leaked";
  EXPECT_FALSE(IsPlaintextKeyFile(*text));
  EXPECT_EQ(KeyFilePublicKey(*text).value(), key.public_key());
  auto back = DecryptKey(*text, "correct horse");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->public_key(), key.public_key());
}

TEST(KeyFileTest, WrongPassphraseAndMissingPassphrase) {
  const auto key = NewKey();
  const std::string text = EncryptKey(key, "right", kFast).value();
  EXPECT_EQ(DecryptKey(text, "wrong").status().code(), "key_wrong_passphrase");
  EXPECT_EQ(DecryptKey(text, std::nullopt).status().code(), "key_passphrase_required");
}

TEST(KeyFileTest, TamperingIsDetected) {
  const auto key = NewKey();
  const std::string text = EncryptKey(key, "pw", kFast).value();
  const Json j = ParseJson(text).value();
  for (const char* field : {"ciphertext", "tag"}) {
    Json t = j;
    std::string v = t[field];
    v[0] = v[0] == '0' ? '1' : '0';
    t[field] = v;
    EXPECT_EQ(DecryptKey(t.dump(), "pw").status().code(), "key_wrong_passphrase") << field;
  }
  // Swapping the public key (authenticated data) also fails.
  Json swapped = j;
  swapped["public_key"] = NewKey().public_key().Hex();
  EXPECT_EQ(DecryptKey(swapped.dump(), "pw").status().code(), "key_wrong_passphrase");
  Json bad = j;
  bad.erase("tag");
  EXPECT_EQ(DecryptKey(bad.dump(), "pw").status().code(), "key_file_invalid");
  bad = j;
  bad["kdf"]["n"] = 0;
  EXPECT_EQ(DecryptKey(bad.dump(), "pw").status().code(), "key_file_invalid");
  EXPECT_EQ(DecryptKey("not json", "pw").status().code(), "key_file_invalid");
  EXPECT_EQ(DecryptKey("{\"version\":2,\"type\":\"consentd-key\"}", "pw").status().code(),
            "key_file_invalid");
}

TEST(KeyFileTest, PlaintextIsExplicit) {
  const auto key = NewKey();
  const std::string text = PlaintextKey(key);
  EXPECT_TRUE(IsPlaintextKeyFile(text));
  EXPECT_NE(text.find("insecure_plaintext_secret"), std::string::npos);
  EXPECT_EQ(DecryptKey(text, std::nullopt).value().public_key(), key.public_key());
  Json j = ParseJson(text).value();
  j["public_key"] = NewKey().public_key().Hex();
  EXPECT_EQ(DecryptKey(j.dump(), std::nullopt).status().code(), "key_file_invalid");
}

TEST(KeyFileTest, WrittenWithMode0600AndLooseModesAreReported) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("consentd-key-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "key.json").string();
  ASSERT_TRUE(WriteKeyFile(path, PlaintextKey(NewKey())).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  bool loose = true;
  ASSERT_TRUE(ReadKeyFile(path, &loose).ok());
  EXPECT_FALSE(loose);
  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(ReadKeyFile(path, &loose).ok());
  EXPECT_TRUE(loose);
  EXPECT_EQ(ReadKeyFile((dir / "missing.json").string()).status().code(), "key_file_unreadable");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace consentd::wallet
