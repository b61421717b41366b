// Purposes of processing: W3C Data Privacy Vocabulary (DPV) purpose names, plus an insurance
// extension (DPV has no insurance purposes). Sorted by code.
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger::vocab {
namespace {
constexpr Code kCodes[] = {
    {"AccountManagement"},
    {"ActuarialAnalysis"},  // insurance extension
    {"ClaimsHandling"},     // insurance extension
    {"CommunicationManagement"},
    {"CustomerCare"},
    {"CustomerManagement"},
    {"DirectMarketing"},
    {"FraudPreventionAndDetection"},
    {"IdentityVerification"},
    {"LegalCompliance"},
    {"Marketing"},
    {"PaymentManagement"},
    {"PortfolioTransfer"},  // insurance extension
    {"Reinsurance"},        // insurance extension
    {"ResearchAndDevelopment"},
    {"ServiceOptimisation"},
    {"ServiceProvision"},
    {"Underwriting"},  // insurance extension
};
constexpr CodeList kList("purposes", 1, kCodes);
}  // namespace
const CodeList& Purposes() { return kList; }
}  // namespace consentd::ledger::vocab
