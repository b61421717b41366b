#include "ledger/vocab/vocabulary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "common/test_paths.h"

namespace consentd::ledger::vocab {
namespace {

TEST(VocabularyTest, ListsAreSortedAndUnique) {
  for (const CodeList* list : AllLists()) {
    SCOPED_TRACE(std::string(list->name()));
    ASSERT_FALSE(list->codes().empty());
    EXPECT_GE(list->version(), 1);
    for (std::size_t i = 1; i < list->codes().size(); ++i) {
      EXPECT_LT(list->codes()[i - 1].code, list->codes()[i].code);
    }
    for (const Code& c : list->codes()) EXPECT_TRUE(list->Contains(c.code)) << c.code;
    EXPECT_FALSE(list->Contains(""));
    EXPECT_FALSE(list->Contains("zzz-not-a-code"));
  }
}

TEST(VocabularyTest, DomainFacts) {
  EXPECT_EQ(Jurisdictions().codes().size(), 249u);
  EXPECT_TRUE(Jurisdictions().Contains("CN"));
  EXPECT_FALSE(Jurisdictions().Contains("cn"));
  for (const char* p : {"ServiceProvision", "FraudPreventionAndDetection", "Marketing",
                        "LegalCompliance", "Underwriting", "ClaimsHandling", "Reinsurance",
                        "ActuarialAnalysis", "PortfolioTransfer"}) {
    EXPECT_TRUE(Purposes().Contains(p)) << p;
  }
  for (const char* s :
       {"Health", "Biometric", "FinancialAccount", "PreciseLocation", "MinorUnder14"}) {
    ASSERT_NE(Categories().Find(s), nullptr) << s;
    EXPECT_TRUE(Categories().Find(s)->sensitive) << s;
  }
  EXPECT_FALSE(Categories().Find("Contact")->sensitive);
  for (const char* m :
       {"cac-assessment", "standard-contract", "certification", "adequacy", "scc", "bcr"}) {
    EXPECT_TRUE(Mechanisms().Contains(m)) << m;
  }
  EXPECT_EQ(LegalBases().codes().size(), 8u);  // PIPL Art. 13 (1)-(7), and Art. 21 entrusted
}

TEST(VocabularyTest, DocumentedInVocabularyMd) {
  std::ifstream in(std::string(consentd::testing::SourceDir()) + "/docs/VOCABULARY.md");
  ASSERT_TRUE(in.good()) << "docs/VOCABULARY.md is missing";
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string doc = buf.str();
  for (const CodeList* list : AllLists()) {
    const std::string heading =
        "`" + std::string(list->name()) + "` v" + std::to_string(list->version());
    EXPECT_NE(doc.find(heading), std::string::npos) << "docs/VOCABULARY.md lacks " << heading;
    if (list == &Jurisdictions()) continue;  // documented by reference to ISO 3166-1
    for (const Code& c : list->codes()) {
      EXPECT_NE(doc.find("`" + std::string(c.code) + "`"), std::string::npos)
          << list->name() << " code " << c.code << " is not documented";
    }
  }
}

TEST(VocabularyTest, TheCommittedJsonIsTheCodes) {
  // docs/api/vocabularies.json is what outside clients and the web app read; it must be exactly
  // what this build enforces. Regenerate it with: consentctl vocab > docs/api/vocabularies.json
  std::ifstream in(std::string(consentd::testing::SourceDir()) + "/docs/api/vocabularies.json");
  ASSERT_TRUE(in.good()) << "docs/api/vocabularies.json is missing";
  std::stringstream buf;
  buf << in.rdbuf();
  EXPECT_EQ(buf.str(), VocabulariesJson().dump(1) + "\n")
      << "docs/api/vocabularies.json is stale: consentctl vocab > docs/api/vocabularies.json";
  const Json j = VocabulariesJson();
  EXPECT_EQ(j.size(), AllLists().size());
  EXPECT_EQ(j.at("categories").at("sensitive").size(),
            static_cast<std::size_t>(std::count_if(Categories().codes().begin(),
                                                   Categories().codes().end(),
                                                   [](const Code& c) { return c.sensitive; })));
  EXPECT_FALSE(j.at("purposes").contains("sensitive"));
}

}  // namespace
}  // namespace consentd::ledger::vocab
