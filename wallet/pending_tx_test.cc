#include "wallet/pending_tx.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "crypto/sha256.h"
#include "wallet/tx_builder.h"

namespace consentd::wallet {
namespace {

using ledger::TxType;

crypto::PrivateKey KeyFor(const std::string& name) {
  return std::move(crypto::PrivateKey::FromBytes(crypto::Sha256("pending tx test " + name)))
      .value();
}

PendingTx NewGrant(const crypto::PrivateKey& customer) {
  auto body = BuildBody(TxType::kConsentGrant, {{"controller", "insurer-a"},
                                                {"subject", "key:" + customer.public_key().Hex()},
                                                {"purposes", "ClaimsHandling"},
                                                {"categories", "Contact"},
                                                {"notice", "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7:1"},
                                                {"collection_method", "app"},
                                                {"valid_from", "0"},
                                                {"valid_until", "2026-01-01T00:00:00Z"}});
  EXPECT_TRUE(body.ok()) << body.status().ToString();
  auto tx = PendingTx::Create(TxType::kConsentGrant, "local-4", *body, 42, 1000);
  EXPECT_TRUE(tx.ok()) << tx.status().ToString();
  return std::move(tx).value();
}

TEST(PendingTx, TwoPartiesSignThroughAFile) {
  const auto customer = KeyFor("customer");
  const auto insurer = KeyFor("insurer");
  PendingTx tx = NewGrant(customer);
  EXPECT_EQ(tx.Complete().status().code(), "tx_no_signatures");

  // The customer signs and writes the file.
  ASSERT_TRUE(tx.Sign(customer).ok());
  const std::string file = tx.ToJson().dump(2);

  // The insurer loads it, co-signs and completes it.
  auto loaded = PendingTx::Parse(file);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->SignedBy(customer.public_key()));
  EXPECT_FALSE(loaded->SignedBy(insurer.public_key()));
  EXPECT_EQ(loaded->id(), tx.id());
  ASSERT_TRUE(loaded->Sign(insurer).ok());
  EXPECT_EQ(loaded->Sign(insurer).code(), "tx_already_signed");
  auto complete = loaded->Complete();
  ASSERT_TRUE(complete.ok()) << complete.status().ToString();
  EXPECT_EQ((*complete)->id(), tx.id());
  EXPECT_EQ((*complete)->signatures().size(), 2u);
  EXPECT_TRUE((*complete)->SignedBy(customer.public_key()));
  EXPECT_TRUE((*complete)->SignedBy(insurer.public_key()));
}

crypto::SignatureBytes SigOf(const PendingTx& tx, const crypto::PublicKey& key) {
  for (const auto& s : tx.signatures()) {
    if (s.key == key) return s.sig;
  }
  ADD_FAILURE() << "no signature by " << key.Hex();
  return {};
}

TEST(PendingTx, SigningOrderDoesNotMatter) {
  const auto a = KeyFor("a");
  const auto b = KeyFor("b");
  PendingTx one = NewGrant(a);
  PendingTx two = NewGrant(a);
  ASSERT_TRUE(one.Sign(a).ok());
  ASSERT_TRUE(one.Sign(b).ok());
  ASSERT_TRUE(two.AddSignature(b.public_key(), SigOf(one, b.public_key())).ok());
  ASSERT_TRUE(two.AddSignature(a.public_key(), SigOf(one, a.public_key())).ok());
  EXPECT_EQ(one.ToJson(), two.ToJson());
  EXPECT_EQ(two.AddSignature(KeyFor("c").public_key(), SigOf(one, a.public_key())).code(),
            "tx_bad_signature");
}

TEST(PendingTx, TamperedFilesAreRejected) {
  const auto customer = KeyFor("customer");
  PendingTx tx = NewGrant(customer);
  ASSERT_TRUE(tx.Sign(customer).ok());
  const Json good = tx.ToJson();

  Json j = good;
  j["body"]["purposes"] = {"Marketing"};  // changed after signing
  EXPECT_EQ(PendingTx::FromJson(j).status().code(), "tx_bad_signature");

  j = good;
  auto sig = HexDecode(j["signatures"][0]["sig"].get<std::string>()).value();
  sig[3] ^= 1;
  j["signatures"][0]["sig"] = HexEncode(sig);
  EXPECT_EQ(PendingTx::FromJson(j).status().code(), "tx_bad_signature");

  j = good;
  j["signatures"].push_back(j["signatures"][0]);
  EXPECT_EQ(PendingTx::FromJson(j).status().code(), "tx_duplicate_signer");

  j = good;
  j["body"]["purposes"] = {"NotAPurpose"};
  EXPECT_EQ(PendingTx::FromJson(j).status().code(), "tx_invalid_code");

  j = good;
  j["note"] = "hello";
  EXPECT_EQ(PendingTx::FromJson(j).status().code(), "tx_file_invalid");

  for (const char* text : {"", "[]", "{}", "{\"type\":\"consent.grant\"}", "nonsense"}) {
    EXPECT_FALSE(PendingTx::Parse(text).ok()) << text;
  }
}

TEST(PendingTx, AnUnsignedFileRoundTrips) {
  const auto customer = KeyFor("customer");
  PendingTx tx = NewGrant(customer);
  Json j = tx.ToJson();
  EXPECT_EQ(j["signatures"], Json::array());
  auto back = PendingTx::FromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToJson(), j);
  j.erase("signatures");
  EXPECT_TRUE(PendingTx::FromJson(j).ok());
}

}  // namespace
}  // namespace consentd::wallet
