#include "crypto/schnorr.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/hex.h"
#include "common/test_paths.h"
#include "crypto/sha256.h"

namespace consentd::crypto {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Bip340Row {
  std::string index, secret, pubkey, aux, message, signature, result;
};

std::vector<Bip340Row> LoadVectors() {
  std::ifstream in(std::string(consentd::testing::SourceDir()) +
                   "/tests/vectors/bip340-test-vectors.csv");
  EXPECT_TRUE(in.good()) << "missing tests/vectors/bip340-test-vectors.csv";
  std::vector<Bip340Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, ',')) cols.push_back(col);
    if (cols.size() < 7) continue;
    rows.push_back({cols[0], Lower(cols[1]), Lower(cols[2]), Lower(cols[3]), Lower(cols[4]),
                    Lower(cols[5]), cols[6]});
  }
  return rows;
}

TEST(SchnorrTest, Bip340OfficialVectors) {
  const auto rows = LoadVectors();
  ASSERT_EQ(rows.size(), 15u);
  int signed_rows = 0;
  for (const Bip340Row& row : rows) {
    SCOPED_TRACE("vector " + row.index);
    auto msg = HexDecodeFixed<32>(row.message);
    auto sig = HexDecodeFixed<64>(row.signature);
    ASSERT_TRUE(msg.ok());
    ASSERT_TRUE(sig.ok());
    if (!row.secret.empty()) {
      auto key = PrivateKey::FromHex(row.secret);
      ASSERT_TRUE(key.ok());
      EXPECT_EQ(key->public_key().Hex(), row.pubkey);
      auto aux = HexDecodeFixed<32>(row.aux);
      ASSERT_TRUE(aux.ok());
      EXPECT_EQ(HexEncode(key->SignWithAux(*msg, *aux)), row.signature);
      ++signed_rows;
    }
    const bool expected = row.result == "TRUE";
    auto pub = PublicKey::FromHex(row.pubkey);
    if (!pub.ok()) {
      // Vectors with a public key that is not on the curve must fail verification.
      EXPECT_FALSE(expected);
      EXPECT_EQ(pub.status().code(), "key_invalid");
      continue;
    }
    EXPECT_EQ(pub->Verify(*msg, *sig), expected);
  }
  EXPECT_EQ(signed_rows, 4);
}

TEST(SchnorrTest, SignVerifyRoundTripWithFreshKeys) {
  auto key = PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  const Hash256 msg = Sha256("consent");
  const SignatureBytes sig = key->Sign(msg);
  EXPECT_TRUE(key->public_key().Verify(msg, sig));
  // Fresh auxiliary randomness: two signatures of one message differ, both verify.
  const SignatureBytes sig2 = key->Sign(msg);
  EXPECT_NE(sig, sig2);
  EXPECT_TRUE(key->public_key().Verify(msg, sig2));
  // Another message, another key, a flipped bit: all fail.
  EXPECT_FALSE(key->public_key().Verify(Sha256("other"), sig));
  auto other = PrivateKey::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->public_key(), key->public_key());
  EXPECT_FALSE(other->public_key().Verify(msg, sig));
  for (int bit = 0; bit < 512; bit += 7) {
    SignatureBytes bad = sig;
    bad[bit / 8] ^= static_cast<std::uint8_t>(1 << (bit % 8));
    EXPECT_FALSE(key->public_key().Verify(msg, bad)) << bit;
  }
}

TEST(SchnorrTest, RejectsInvalidSecretKeys) {
  EXPECT_EQ(PrivateKey::FromHex(std::string(64, '0')).status().code(), "key_invalid");
  // The curve order n itself is not a valid secret.
  EXPECT_EQ(PrivateKey::FromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
                .status()
                .code(),
            "key_invalid");
  EXPECT_EQ(PrivateKey::FromHex("abc").status().code(), "hex_odd_length");
  EXPECT_EQ(PrivateKey::FromBytes(Bytes(31, 1)).status().code(), "key_invalid");
}

TEST(SchnorrTest, MovedFromKeyIsWiped) {
  auto key = PrivateKey::FromHex(std::string(63, '0') + "3");
  ASSERT_TRUE(key.ok());
  PrivateKey moved = std::move(*key);
  const ByteSpan old_secret = key->secret();
  for (std::uint8_t b : old_secret) EXPECT_EQ(b, 0);
  EXPECT_EQ(moved.secret()[31], 3);
}

}  // namespace
}  // namespace consentd::crypto
