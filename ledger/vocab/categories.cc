// Personal-data categories: the Kantara Consent Receipt v1.1 categories, refined where PIPL
// Art. 28 singles out sensitive data. `sensitive` categories force separate consent (Art. 29).
// Sorted by code.
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger::vocab {
namespace {
constexpr Code kCodes[] = {
    {"Biographical"},
    {"Biometric", true},
    {"ClaimsHistory"},  // insurance extension
    {"Communications"},
    {"Contact"},
    {"Financial"},
    {"FinancialAccount", true},
    {"Health", true},
    {"Location"},
    {"MinorUnder14", true},
    {"NetworkService"},
    {"OfficialID"},
    {"PolicyData"},  // insurance extension
    {"PreciseLocation", true},
    {"ReligiousBelief", true},
    {"SocialSecurity"},
    {"SpecificIdentity", true},
    {"Workplace"},
};
constexpr CodeList kList("categories", 1, kCodes);
}  // namespace
const CodeList& Categories() { return kList; }
}  // namespace consentd::ledger::vocab
