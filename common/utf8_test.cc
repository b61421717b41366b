#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace consentd {
namespace {

TEST(Utf8Test, AcceptsWellFormed) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9"));                  // é
  EXPECT_TRUE(IsValidUtf8("\xe4\xbf\x9d\xe9\x99\xa9"));  // 保险
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));          // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));          // U+10FFFF
  EXPECT_TRUE(IsValidUtf8("\xee\x80\x80"));              // U+E000
}

TEST(Utf8Test, RejectsMalformed) {
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8("\xf0\x80\x80\xaf"));  // overlong 4-byte
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xe4\xbf"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3\x28"));  // bad continuation
}

TEST(Utf8Test, Utf16OrderPutsSurrogatesBeforePrivateUse) {
  const std::string emoji = "\xf0\x9f\x98\x80";  // U+1F600 -> D83D DE00
  const std::string pua = "\xee\x80\x80";        // U+E000
  // Code point order says U+E000 < U+1F600; UTF-16 order says D83D < E000.
  EXPECT_LT(CompareUtf16(emoji, pua), 0);
  EXPECT_GT(CompareUtf16(pua, emoji), 0);
  EXPECT_LT(CompareUtf16("a", "b"), 0);
  EXPECT_LT(CompareUtf16("a", "ab"), 0);
  EXPECT_EQ(CompareUtf16("\xc3\xa9", "\xc3\xa9"), 0);
  EXPECT_LT(CompareUtf16("z", "\xc3\xa9"), 0);
}

}  // namespace
}  // namespace consentd
