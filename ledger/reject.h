#pragma once

// Why a transaction or a block is rejected. Every rejection names one of these codes (as a
// lower_snake_case string in Status::code()), so clients, the HTTP API and auditors can act on
// it. docs/LEDGER.md lists them with the rules that raise them; ledger tests have a case for
// each.

#include <string>

#include "common/status.h"

namespace consentd::ledger {

enum class Reject {
  // Envelope and schema (stateless; checked once on mempool entry).
  kUnknownType,      // tx_unknown_type
  kMissingField,     // tx_missing_field
  kUnknownField,     // tx_unknown_field (includes anything that could carry personal data)
  kWrongType,        // tx_wrong_type
  kInvalidValue,     // tx_invalid_value (format: ids, hashes, keys, times, ranges)
  kInvalidCode,      // tx_invalid_code (not in the vocabulary)
  kArrayEmpty,       // tx_array_empty
  kArrayTooLong,     // tx_array_too_long
  kDuplicateEntry,   // tx_duplicate_entry
  kWrongChain,       // tx_wrong_chain
  kTooLarge,         // tx_too_large
  kNoSignatures,     // tx_no_signatures
  kBadSignature,     // tx_bad_signature
  kDuplicateSigner,  // tx_duplicate_signer
  // Against the state (checked when executed in a block).
  kDuplicate,                     // tx_duplicate (replay: the tx id is already committed)
  kExpired,                       // tx_expired
  kExpiryTooFar,                  // tx_expiry_too_far
  kMissingSignature,              // tx_missing_signature
  kUnexpectedSigner,              // tx_unexpected_signer
  kMemberUnknown,                 // member_unknown
  kMemberExists,                  // member_exists
  kMemberSuspended,               // member_suspended
  kMemberRoleMissing,             // member_role_missing
  kMemberKeyInUse,                // member_key_in_use
  kValidatorKeyInUse,             // validator_key_in_use
  kValidatorSetEmpty,             // validator_set_empty
  kGovernanceThreshold,           // governance_threshold_not_met
  kNoticeUnknown,                 // notice_unknown
  kNoticeVersion,                 // notice_version_not_increasing
  kConsentUnknown,                // consent_unknown
  kConsentNotActive,              // consent_not_active
  kConsentInvalidPeriod,          // consent_invalid_period
  kConsentSeparateRequired,       // consent_separate_required
  kConsentGuardianRequired,       // consent_guardian_required
  kConsentAgreementRequired,      // consent_agreement_required
  kConsentSupersedeInvalid,       // consent_supersede_invalid
  kAgreementUnknown,              // agreement_unknown
  kAgreementNotActive,            // agreement_not_active
  kAgreementDoesNotCover,         // agreement_does_not_cover
  kAgreementTransition,           // agreement_invalid_transition
  kAgreementInvalidPeriod,        // agreement_invalid_period
  kAgreementApprovalRequired,     // agreement_approval_required
  kTransferNotOwned,              // transfer_consent_not_owned
  kTransferTooLarge,              // transfer_too_large
  kTransferInvalidTime,           // transfer_invalid_time
  kSharingInFuture,               // sharing_in_future
  kSharingTooOld,                 // sharing_too_old
  kSharingBasisUnsupported,       // sharing_basis_unsupported
  kSharingRecipientNotRegulator,  // sharing_recipient_not_regulator
  kSharingSenderNotController,    // sharing_sender_not_controller
  kRightsUnknownRequest,          // rights_unknown_request
  kRightsAlreadyClosed,           // rights_already_closed
  kRightsRefusalReason,           // rights_refusal_reason_required
  kRightsNotEntitled,             // rights_not_entitled
  kRightsTooManyOpen,             // rights_too_many_open
  kIncidentInvalidTime,           // incident_invalid_time
  // Blocks.
  kBlockMalformed,          // block_malformed
  kBlockWrongChain,         // block_wrong_chain
  kBlockWrongHeight,        // block_wrong_height
  kBlockWrongPrevHash,      // block_wrong_prev_hash
  kBlockBadTime,            // block_bad_time
  kBlockWrongTxRoot,        // block_wrong_tx_root
  kBlockWrongStateDigest,   // block_wrong_state_digest
  kBlockWrongValidatorSet,  // block_wrong_validator_set
  kBlockWrongProposer,      // block_wrong_proposer
  kBlockTooLarge,           // block_too_large
  kBlockInvalidTx,          // block_invalid_tx (the message carries the tx id and its reason)
};

const char* ToString(Reject code);
// Every Reject is in [0, kRejectCount): kBlockInvalidTx stays last.
inline constexpr int kRejectCount = static_cast<int>(Reject::kBlockInvalidTx) + 1;

inline Status Rejected(Reject code, std::string message) {
  return Status::Error(ToString(code), std::move(message));
}

}  // namespace consentd::ledger
