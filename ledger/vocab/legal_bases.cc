// Legal bases for processing, PIPL Art. 13 (1)-(7). Sorted by code.
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger::vocab {
namespace {
constexpr Code kCodes[] = {
    {"consent"},               // 13(1)
    {"contract"},              // 13(2) concluding or performing a contract; HR management
    {"emergency"},             // 13(4) public health emergency, protection of life or property
    {"entrusted"},             // Art. 21: a processor acting under the controller's entrustment
    {"legal_obligation"},      // 13(3) statutory duties and obligations
    {"news_public_interest"},  // 13(5) news reporting and supervision in the public interest
    {"other_law"},             // 13(7) other circumstances provided by law
    {"public_information"},    // 13(6) information disclosed by the person or lawfully public
};
constexpr CodeList kList("legal_bases", 2, kCodes);
}  // namespace
const CodeList& LegalBases() { return kList; }
}  // namespace consentd::ledger::vocab
