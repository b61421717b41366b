// Reason and role code lists used by governance, revocation, rights and incident transactions.
// Sorted by code.
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger::vocab {
namespace {

constexpr Code kRoles[] = {{"auditor"}, {"insurer"}, {"processor"}, {"regulator"}};

// Why a controller or regulator ends a consent (PIPL Art. 47 grounds, plus orders).
constexpr Code kRevoke[] = {
    {"order"},              // regulator or court order
    {"purpose_met"},        // 47(1) purpose achieved or no longer necessary
    {"retention_expired"},  // 47(1) retention period expired
    {"service_ended"},      // 47(2) service stopped
    {"unlawful"},           // 47(4) processing in violation of law
};

// Why a controller refuses a rights request (the refusal itself is on the ledger).
constexpr Code kRefusal[] = {
    {"identity_not_verified"}, {"legal_retention_required"},
    {"manifestly_unfounded"},  {"other_law"},
    {"rights_of_others"},
};

// Why a member or an agreement is suspended or terminated.
constexpr Code kSuspend[] = {
    {"breach"}, {"expired"}, {"mechanism_invalid"}, {"party_request"}, {"regulator_order"},
};

// Incident cause, harm and remedy (PIPL Art. 57: categories, cause, possible harm, remedy).
constexpr Code kCauses[] = {
    {"insider_misuse"}, {"lost_device"},         {"malware"}, {"misdelivery"}, {"system_failure"},
    {"third_party"},    {"unauthorized_access"},
};
constexpr Code kHarms[] = {{"financial_loss"}, {"high"},        {"identity_theft"}, {"low"},
                           {"medium"},         {"reputational"}};
constexpr Code kRemedies[] = {
    {"access_revoked"}, {"contained"},       {"credentials_reset"}, {"data_recovered"},
    {"monitoring"},     {"notified_police"}, {"system_patched"},
};

// What a personal-information impact assessment covers (PIPL Art. 55 (1)-(4)).
constexpr Code kScopes[] = {
    {"automated"},          // 55(2) automated decision-making
    {"cross_border"},       // 55(4) providing personal information abroad
    {"entrusted"},          // 55(3) entrusting processing
    {"public_disclosure"},  // 55(3) public disclosure
    {"sensitive"},          // 55(1) sensitive personal information
    {"third_party"},        // 55(3) providing to another processor
};

// How consent was collected (Kantara CR 1.1 collectionMethod, as codes).
constexpr Code kCollection[] = {{"app"}, {"in_person"}, {"paper"}, {"phone"}, {"web"}};

constexpr CodeList kRolesList("roles", 1, kRoles);
constexpr CodeList kRevokeList("revoke_reasons", 1, kRevoke);
constexpr CodeList kRefusalList("refusal_reasons", 1, kRefusal);
constexpr CodeList kSuspendList("suspend_reasons", 1, kSuspend);
constexpr CodeList kCausesList("incident_causes", 1, kCauses);
constexpr CodeList kHarmsList("incident_harms", 1, kHarms);
constexpr CodeList kRemediesList("incident_remedies", 1, kRemedies);
constexpr CodeList kCollectionList("collection_methods", 1, kCollection);
constexpr CodeList kScopesList("assessment_scopes", 1, kScopes);

}  // namespace

const CodeList& Roles() { return kRolesList; }
const CodeList& RevokeReasons() { return kRevokeList; }
const CodeList& RefusalReasons() { return kRefusalList; }
const CodeList& SuspendReasons() { return kSuspendList; }
const CodeList& IncidentCauses() { return kCausesList; }
const CodeList& IncidentHarms() { return kHarmsList; }
const CodeList& IncidentRemedies() { return kRemediesList; }
const CodeList& CollectionMethods() { return kCollectionList; }
const CodeList& AssessmentScopes() { return kScopesList; }

}  // namespace consentd::ledger::vocab
