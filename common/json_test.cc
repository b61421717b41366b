#include "common/json.h"

#include <gtest/gtest.h>

#include <string>

namespace consentd {
namespace {

std::string Canon(std::string_view text) {
  auto parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << text << " -> " << parsed.status().ToString();
  return parsed.ok() ? CanonicalJson(*parsed) : std::string();
}

std::string ErrorCode(std::string_view text, const JsonLimits& limits = {}) {
  auto parsed = ParseJson(text, limits);
  return parsed.ok() ? "ok" : parsed.status().code();
}

TEST(CanonicalJsonTest, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(Canon(R"( { "b" : 1 , "a" : [ true , false , null ] , "c" : { "z":1,"y":2 } } )"),
            R"({"a":[true,false,null],"b":1,"c":{"y":2,"z":1}})");
}

TEST(CanonicalJsonTest, SortsNonAsciiKeysByUtf16CodeUnits) {
  // RFC 8785 section 3.2.3's own example keys (the numeric-valued entry is omitted: floats are
  // outside our subset). Expected order: "\r", "1", "</script>", "ö", "€", "😀", "דּ".
  const std::string input =
      "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet "
      "With Dagesh\",\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning "
      "Face\",\"\\u0080\":\"Control\","
      "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\",\"</script>\":\"Browser Challenge\"}";
  const std::string expected =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"</script>\":\"Browser Challenge\","
      "\"\xc2\x80\":\"Control\",\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
      "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
      "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}";
  EXPECT_EQ(Canon(input), expected);
}

TEST(CanonicalJsonTest, EscapesOnlyWhatJcsEscapes) {
  // Control characters: the short forms where they exist, \u00xx (lowercase) otherwise.
  EXPECT_EQ(Canon(R"(["\u0000\u0001\b\t\n\u000b\f\r\u001f"])"),
            R"(["\u0000\u0001\b\t\n\u000b\f\r\u001f"])");
  // Quote and backslash are escaped; '/' and DEL are not.
  EXPECT_EQ(Canon(R"(["\"\\\/\u007f"])"), "[\"\\\"\\\\/\x7f\"]");
  // U+2028 / U+2029 are written literally, as are all other non-ASCII characters.
  EXPECT_EQ(Canon(R"(["\u2028\u2029\u00e9"])"), "[\"\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9\"]");
}

TEST(CanonicalJsonTest, IntegersInPlainDecimal) {
  EXPECT_EQ(Canon("[0,-0,1,-1,9007199254740991,-9007199254740991]"),
            "[0,0,1,-1,9007199254740991,-9007199254740991]");
}

TEST(CanonicalJsonTest, SerialiseParseRoundTrip) {
  Json value = {
      {"type", "consent.grant"},
      {"nested", {{"list", {1, 2, 3}}, {"empty", Json::object()}, {"arr", Json::array()}}},
      {"text", "line\nbreak \xe4\xbf\x9d"},
      {"n", -42}};
  const std::string canonical = CanonicalJson(value);
  auto parsed = ParseJson(canonical);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, value);
  EXPECT_EQ(CanonicalJson(*parsed), canonical);
}

TEST(CanonicalJsonTest, CanonicalTextIsAFixedPoint) {
  for (const char* s : {"{}", "[]", "null", "true", "\"\"", "0", R"({"a":{"b":[1,{"c":null}]}})",
                        "\"\xe2\x80\xa8\"", R"({"\u0000":1})"}) {
    auto parsed = ParseJson(s);
    ASSERT_TRUE(parsed.ok()) << s;
    const std::string once = CanonicalJson(*parsed);
    EXPECT_EQ(Canon(once), once) << s;
  }
  EXPECT_EQ(Canon(R"({"a":{"b":[1,{"c":null}]}})"), R"({"a":{"b":[1,{"c":null}]}})");
}

TEST(CanonicalJsonTest, RejectsFloats) {
  EXPECT_EQ(ErrorCode("1.5"), "json_float_not_allowed");
  EXPECT_EQ(ErrorCode("[1.0]"), "json_float_not_allowed");
  EXPECT_EQ(ErrorCode(R"({"a":1e3})"), "json_float_not_allowed");
  EXPECT_EQ(ErrorCode("-2E-2"), "json_float_not_allowed");
}

TEST(CanonicalJsonTest, RejectsIntegersOutsideTheSafeRange) {
  EXPECT_EQ(ErrorCode("9007199254740992"), "json_integer_out_of_range");
  EXPECT_EQ(ErrorCode("-9007199254740992"), "json_integer_out_of_range");
  EXPECT_EQ(ErrorCode("18446744073709551616"), "json_integer_out_of_range");
  EXPECT_EQ(ErrorCode("123456789012345678901234567890"), "json_integer_out_of_range");
}

TEST(CanonicalJsonTest, RejectsDuplicateKeys) {
  EXPECT_EQ(ErrorCode(R"({"a":1,"a":2})"), "json_duplicate_key");
  EXPECT_EQ(ErrorCode(R"({"x":{"a":1,"b":2,"a":3}})"), "json_duplicate_key");
  // The same key in different objects is fine.
  EXPECT_EQ(ErrorCode(R"({"a":{"a":1}})"), "ok");
  // An escaped spelling of the same key is still a duplicate.
  EXPECT_EQ(ErrorCode(R"({"a":1,"\u0061":2})"), "json_duplicate_key");
}

TEST(CanonicalJsonTest, RejectsInvalidUtf8) {
  EXPECT_EQ(ErrorCode("\"\xc3\x28\""), "json_invalid_utf8");
  EXPECT_EQ(ErrorCode("\"\xed\xa0\x80\""), "json_invalid_utf8");
  EXPECT_EQ(ErrorCode("[\"\xff\"]"), "json_invalid_utf8");
  // A lone surrogate written as an escape is not a character either.
  EXPECT_EQ(ErrorCode(R"(["\ud800"])"), "json_invalid_utf8");
  EXPECT_EQ(ErrorCode(R"(["\udc00\ud800"])"), "json_invalid_utf8");
}

TEST(CanonicalJsonTest, RejectsDeepNesting) {
  JsonLimits limits;
  limits.max_depth = 4;
  EXPECT_EQ(ErrorCode("[[[[1]]]]", limits), "ok");
  EXPECT_EQ(ErrorCode("[[[[[1]]]]]", limits), "json_too_deep");
  EXPECT_EQ(ErrorCode(R"({"a":{"b":{"c":{"d":{}}}}})", limits), "json_too_deep");
  // The default limit holds against pathological input without exhausting the stack.
  EXPECT_EQ(ErrorCode(std::string(100000, '[')), "json_too_deep");
}

TEST(CanonicalJsonTest, RejectsLargeDocuments) {
  JsonLimits limits;
  limits.max_bytes = 16;
  EXPECT_EQ(ErrorCode(R"("0123456789abc")", limits), "ok");  // 15 bytes
  EXPECT_EQ(ErrorCode(R"("0123456789abcdef")", limits), "json_too_large");
}

TEST(CanonicalJsonTest, RejectsSyntaxErrors) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\"}", "{a:1}", "'x'", "[1] [2]", "nul", "01",
                          "\"unterminated", "\"raw\ncontrol\"", "/*c*/1", "NaN", "+1", "[1,,2]"}) {
    EXPECT_EQ(ErrorCode(bad), "json_syntax") << bad;
  }
}

TEST(CanonicalJsonTest, RejectsNulBytesAnywhere) {
  using namespace std::string_literals;
  // The parser itself stops at a NUL: without the check, each of these would parse as {"a":1}.
  for (const std::string& bad : {"{\"a\":1}\0"s, "{\"a\":1}\0garbage"s, "{\"a\":1} \0 [2]"s,
                                 "\0{\"a\":1}"s, "{\"a\":\"x\0y\"}"s}) {
    auto r = ParseJson(bad);
    ASSERT_FALSE(r.ok()) << bad.size();
    EXPECT_EQ(r.status().code(), "json_syntax");
  }
  EXPECT_TRUE(ParseJson("{\"a\":\"x\\u0000y\"}").ok());  // an escaped NUL is fine
}

}  // namespace
}  // namespace consentd
