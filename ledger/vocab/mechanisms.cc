// Cross-border transfer mechanisms: PIPL Art. 38 (CAC security assessment, certification, CAC
// standard contract) and GDPR Arts. 45-47 (adequacy, standard contractual clauses, binding
// corporate rules). Sorted by code.
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger::vocab {
namespace {
constexpr Code kCodes[] = {
    {"adequacy"}, {"bcr"}, {"cac-assessment"}, {"certification"}, {"scc"}, {"standard-contract"},
};
constexpr CodeList kList("mechanisms", 1, kCodes);
}  // namespace
const CodeList& Mechanisms() { return kList; }
}  // namespace consentd::ledger::vocab
