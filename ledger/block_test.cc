// DecodeBlock: a proposal in Block::Encode's layout is split without parsing it whole, and
// decodes to exactly what the general way gives, errors included.

#include "ledger/block.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "common/json.h"
#include "crypto/sha256.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

constexpr std::size_t kMaxBlockBytes = 1 << 20;
constexpr std::size_t kMaxTxBytes = 1 << 16;

class DecodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.Do(TxType::kNoticePublish, chain_.PublishNotice(), {"insurer-a"}).ok());
    for (const char* subject : {"alice", "bob", "carol", "dave"}) {
      txs_.push_back(
          chain_.Make(TxType::kConsentGrant, chain_.GrantBody(subject), {"insurer-a", subject}));
    }
    auto built = chain_.ledger().BuildBlock(
        chain_.next_time(), chain_.Key("node-insurer-a").public_key().bytes(), txs_);
    ASSERT_TRUE(built.ok());
    block_ = built->block;
    ASSERT_EQ(block_.txs.size(), txs_.size());
  }

  // A lookup that knows the given txs, and counts how often it is asked.
  TxLookup Knowing(const std::vector<TxPtr>& known) {
    auto table = std::make_shared<std::map<Hash256, TxPtr>>();
    for (const TxPtr& tx : known) (*table)[tx->leaf()] = tx;
    return [table, this](const Hash256& leaf) -> TxPtr {
      ++lookups_;
      auto it = table->find(leaf);
      return it == table->end() ? nullptr : it->second;
    };
  }

  Result<Block> Decode(std::string_view payload, const TxLookup& lookup = nullptr) {
    return DecodeBlock(payload, chain_.chain_id(), kMaxBlockBytes, kMaxTxBytes, lookup);
  }

  // "ok" or the reason code, then the decoded block's encoding.
  std::string Outcome(const Result<Block>& r) {
    return r.ok() ? "ok " + r->Encode() : r.status().code();
  }

  testing::TestChain chain_;
  std::vector<TxPtr> txs_;
  Block block_;
  int lookups_ = 0;
};

TEST_F(DecodeTest, TheCanonicalLayoutDecodesAsTheGeneralWay) {
  const std::string payload = block_.Encode();
  auto general = Decode(payload);
  ASSERT_TRUE(general.ok()) << general.status().ToString();

  // Txs 0 and 2 are known: those very objects are taken; 1 and 3 are parsed.
  auto fast = Decode(payload, Knowing({txs_[0], txs_[2]}));
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_EQ(fast->Encode(), payload);
  EXPECT_EQ(fast->Hash(), general->Hash());
  EXPECT_EQ(TxRoot(fast->txs), block_.header.tx_root);
  ASSERT_EQ(fast->txs.size(), 4u);
  EXPECT_EQ(fast->txs[0].get(), txs_[0].get());
  EXPECT_EQ(fast->txs[2].get(), txs_[2].get());
  EXPECT_NE(fast->txs[1].get(), txs_[1].get());
  EXPECT_EQ(fast->txs[1]->leaf(), txs_[1]->leaf());
  EXPECT_EQ(fast->txs[3]->leaf(), txs_[3]->leaf());
  EXPECT_GE(lookups_, 4);

  // All known, and an empty block.
  auto all = Decode(payload, Knowing(txs_));
  ASSERT_TRUE(all.ok());
  for (std::size_t i = 0; i < txs_.size(); ++i) EXPECT_EQ(all->txs[i].get(), txs_[i].get());
  Block empty = block_;
  empty.txs.clear();
  EXPECT_EQ(Outcome(Decode(empty.Encode(), Knowing(txs_))), Outcome(Decode(empty.Encode())));
  EXPECT_TRUE(Decode(empty.Encode(), Knowing(txs_)).ok());
}

TEST_F(DecodeTest, OtherLayoutsDecodeTheGeneralWay) {
  const std::string canonical = block_.Encode();
  auto json = ParseJson(canonical);
  ASSERT_TRUE(json.ok());
  const std::vector<std::string> layouts = {
      json->dump(2),      // indented
      canonical + " \n",  // trailing whitespace
      // a tx with an escaped character that the canonical form writes plainly
      [&] {
        std::string s = canonical;
        const auto at = s.find("\"type\":\"") + 8;
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(s[at]));
        s.replace(at, 1, escaped);
        return s;
      }(),
  };
  for (const std::string& payload : layouts) {
    auto fast = Decode(payload, Knowing(txs_));
    ASSERT_TRUE(fast.ok()) << fast.status().ToString() << "\n" << payload.substr(0, 200);
    EXPECT_EQ(fast->Encode(), canonical);
    // Known txs are found by their canonical leaf whatever the layout.
    for (std::size_t i = 0; i < txs_.size(); ++i) EXPECT_EQ(fast->txs[i].get(), txs_[i].get());
  }
}

TEST_F(DecodeTest, ErrorsAreTheGeneralWaysWhateverTheLookupKnows) {
  const std::string canonical = block_.Encode();
  const auto sig_at = canonical.find("\"sig\":\"") + 7;
  const auto edit = [&](std::size_t at, std::size_t n, const std::string& with) {
    std::string s = canonical;
    s.replace(at, n, with);
    return s;
  };
  const std::vector<std::string> payloads = {
      canonical.substr(0, canonical.size() - 1),              // truncated
      canonical + "x",                                        // trailing garbage
      edit(sig_at, 1, canonical[sig_at] == '0' ? "1" : "0"),  // a signature that fails
      edit(canonical.find("\"txs\":[") + 7, 0, "1,"),         // a tx that is not an object
      edit(canonical.find("\"txs\":[") + 7, 0, "{},"),        // an empty object
      edit(canonical.find("\"txs\":[") + 7, 0, "{\"a\":\"]}\\\"\"},"),  // brackets in a string
      edit(canonical.find("\"tx_count\":"), 11, "\"tx_count\":16777216,\"x\":"),  // unknown field
      edit(canonical.size() - 2, 0, ","),  // a trailing comma
      "{\"header\":{}}",
      "{\"header\":",
      "",
  };
  for (const std::string& payload : payloads) {
    const std::string general = Outcome(Decode(payload));
    EXPECT_NE(general.substr(0, 2), "ok") << payload.substr(0, 200);
    EXPECT_EQ(Outcome(Decode(payload, Knowing(txs_))), general) << payload.substr(0, 200);
    EXPECT_EQ(Outcome(Decode(payload, Knowing({}))), general) << payload.substr(0, 200);
  }
}

}  // namespace
}  // namespace consentd::ledger
