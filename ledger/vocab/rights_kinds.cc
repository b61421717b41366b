// Data-subject rights requests: PIPL Arts. 44-48 and GDPR Arts. 15-21. Sorted by code.
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger::vocab {
namespace {
constexpr Code kCodes[] = {
    {"access"},    // PIPL 45, GDPR 15
    {"correct"},   // PIPL 46, GDPR 16
    {"delete"},    // PIPL 47, GDPR 17
    {"explain"},   // PIPL 48
    {"port"},      // PIPL 45(3), GDPR 20
    {"restrict"},  // PIPL 44, GDPR 18
};
constexpr CodeList kList("rights_kinds", 1, kCodes);
}  // namespace
const CodeList& RightsKinds() { return kList; }
}  // namespace consentd::ledger::vocab
