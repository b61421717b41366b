#include "ledger/state/overlay.h"

#include <gtest/gtest.h>

#include "ledger/state/digest.h"

namespace consentd::ledger {
namespace {

std::vector<std::pair<std::string, std::string>> All(const ReadView& v, std::string_view prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto c = v.Scan(prefix); c->Valid(); c->Next()) out.emplace_back(c->key(), c->value());
  return out;
}

TEST(OverlayTest, ReadsItsOwnWritesOverTheBase) {
  auto base = NewMemoryStore();
  ASSERT_TRUE(base->Write({{"a1", "base"}, {"a2", "base"}, {"a4", "base"}}, true).ok());
  Overlay o(base.get());
  o.Put("a2", "mine");
  o.Put("a3", "mine");
  o.Delete("a4");
  EXPECT_EQ(o.Get("a1").value().value(), "base");
  EXPECT_EQ(o.Get("a2").value().value(), "mine");
  EXPECT_FALSE(o.Get("a4").value().has_value());
  EXPECT_EQ(All(o, "a"), (std::vector<std::pair<std::string, std::string>>{
                             {"a1", "base"}, {"a2", "mine"}, {"a3", "mine"}}));
  // The base is untouched.
  EXPECT_EQ(base->Get("a2").value().value(), "base");
}

TEST(OverlayTest, NestedOverlaysCommitOrDiscard) {
  auto base = NewMemoryStore();
  Overlay block(base.get());
  {
    Overlay tx(&block);
    tx.Put("k", "rejected");
  }  // discarded
  EXPECT_FALSE(block.Get("k").value().has_value());
  Overlay tx(&block);
  tx.Put("k", "accepted");
  block.Absorb(std::move(tx));
  EXPECT_EQ(block.Get("k").value().value(), "accepted");
  EXPECT_EQ(block.writes().size(), 1u);
}

TEST(StateDigestTest, DependsOnEveryByteAndOnThePast) {
  WriteBatch w{{"a", "1"}, {"b", std::nullopt}};
  const Hash256 zero{};
  const Hash256 d = NextStateDigest(zero, w);
  EXPECT_EQ(d, NextStateDigest(zero, w));
  EXPECT_NE(d, NextStateDigest(zero, WriteBatch{{"a", "2"}, {"b", std::nullopt}}));
  EXPECT_NE(d, NextStateDigest(zero, WriteBatch{{"a", "1"}, {"b", ""}}));  // delete != empty
  EXPECT_NE(d, NextStateDigest(zero, WriteBatch{{"a", "1"}}));
  EXPECT_NE(d, NextStateDigest(d, w));
  // Length prefixes keep ("ab","") and ("a","b") apart.
  EXPECT_NE(WriteSetHash({{"ab", ""}}), WriteSetHash({{"a", "b"}}));
}

}  // namespace
}  // namespace consentd::ledger
