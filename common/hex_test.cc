#include "common/hex.h"

#include <gtest/gtest.h>

namespace consentd {
namespace {

TEST(HexTest, RoundTripsEveryByte) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
  const std::string hex = HexEncode(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
  auto back = HexDecode(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
}

TEST(HexTest, EmptyIsEmpty) {
  EXPECT_EQ(HexEncode({}), "");
  auto r = HexDecode("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(HexTest, RejectsOddLength) {
  auto r = HexDecode("abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "hex_odd_length");
}

TEST(HexTest, RejectsNonHexAndUppercase) {
  for (const char* bad : {"zz", "0g", "AB", "0x", " 0", "\xff\xff"}) {
    auto r = HexDecode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), "hex_invalid_char") << bad;
  }
}

TEST(HexTest, FixedLengthChecksLength) {
  auto ok = HexDecodeFixed<2>("beef");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[0], 0xbe);
  EXPECT_EQ((*ok)[1], 0xef);
  auto bad = HexDecodeFixed<2>("beefee");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "hex_wrong_length");
}

}  // namespace
}  // namespace consentd
