#include "common/csv.h"

#include <gtest/gtest.h>

namespace consentd {
namespace {

TEST(CsvTest, PlainTextStaysAsItIs) {
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("insurer-a"), "insurer-a");
  EXPECT_EQ(CsvField("a;b c"), "a;b c");
}

TEST(CsvTest, SeparatorsQuotesAndLineEndsAreQuoted) {
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"yes\""), "\"say \"\"yes\"\"\"");
  EXPECT_EQ(CsvField("two\r\nlines"), "\"two\r\nlines\"");
  EXPECT_EQ(CsvField("line\n"), "\"line\n\"");
  EXPECT_EQ(CsvField("\""), "\"\"\"\"");
}

}  // namespace
}  // namespace consentd
