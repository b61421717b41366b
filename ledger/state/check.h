#pragma once

// The auditor's question, "was sharing X lawful at time T?" (DOMAIN.md), answered from the
// state as it stands, for any T: records keep their full event history with times, and no
// event ever takes effect before the block that recorded it, so the answer for a past T never
// changes once T is behind the chain's head.
//
// At T a sharing of `categories` for `purpose` to `recipient` is lawful when, for every
// category, some consent of the subject
//  - is controlled at T by the sender (or the sender is a former controller handing the data to
//    the consent's successor controller, PIPL Art. 22),
//  - covers the purpose and the category, and names the recipient (or the recipient is the
//    controller at T),
//  - was Given, Renewed or Transferred, and not withdrawn, revoked or superseded, at T, with
//    valid_from <= T < valid_until,
//  - and, when the destination is abroad (not the controller's jurisdiction), lists the
//    destination and names an agreement that is Active at T, is between the controller
//    (exporter) and the recipient (importer), and covers destination, purpose and category.
// sharing.record runs this check and is rejected unless it passes.

#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"
#include "ledger/state/state.h"
#include "ledger/subject.h"

namespace consentd::ledger {

enum class CheckReason {
  kAllowed,                 // allowed
  kNoConsent,               // no_consent: the subject has no consent from this controller
  kSenderNotController,     // sharing_sender_not_controller
  kPurposeNotCovered,       // purpose_not_covered
  kCategoryNotCovered,      // category_not_covered
  kRecipientNotCovered,     // recipient_not_covered
  kNotYetValid,             // consent_not_yet_valid (before valid_from, or not yet recorded)
  kExpired,                 // consent_expired
  kWithdrawn,               // consent_withdrawn
  kRevoked,                 // consent_revoked
  kSuperseded,              // consent_superseded
  kJurisdictionNotCovered,  // jurisdiction_not_covered
  kAgreementMissing,        // agreement_missing
  kAgreementNotActive,      // agreement_not_active
  kAgreementDoesNotCover,   // agreement_does_not_cover
};
// The reason code a refusal carries (kOk for kAllowed); a sharing.record the check refuses is
// rejected with it.
Reason ReasonOf(CheckReason reason);
const char* ToString(CheckReason reason);  // "allowed", or ReasonOf's code

struct CheckRequest {
  Subject subject;
  std::string recipient;
  std::string purpose;
  std::vector<std::string> categories;
  // Destination jurisdiction; nullopt for a domestic question.
  std::optional<std::string> jurisdiction;
  std::int64_t at = 0;
  // The organisation that shares; nullopt: whoever controls the consent at `at`.
  std::optional<std::string> sender;
};

struct CheckResult {
  bool allowed = false;
  CheckReason reason = CheckReason::kNoConsent;
  std::string detail;                // human-readable explanation
  std::vector<Hash256> consents;     // justifying consents (allowed), or the closest one
  std::optional<Hash256> agreement;  // the agreement that covers a cross-border sharing
};

Result<CheckResult> Check(const StateReader& state, const CheckRequest& request);

}  // namespace consentd::ledger
