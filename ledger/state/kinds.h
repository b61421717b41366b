#pragma once

// The closed sets of the ledger's record states and events, each an enum with the one place
// that spells it on the wire: the strings stored in records (and so hashed into the state
// digest) and shown by the API (docs/LEDGER.md, docs/API.md). A status is derived from events
// by exhaustive switches over these enums (records.cc), never by comparing strings, so a typo
// does not compile. FromWire reads a stored or requested name back; nullopt for any other.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace consentd::ledger {

// DPV consent states (docs/LEDGER.md): Given and Renewed (and Transferred, which continues a
// valid consent under the successor controller) are valid for processing; the others are not.
enum class ConsentStatus : std::uint8_t {
  kUnknown,
  kGiven,
  kRenewed,
  kTransferred,
  kWithdrawn,
  kRevoked,
  kExpired,
  kSuperseded
};
const char* ToString(ConsentStatus status);  // "Given"

// What happened to a consent, in its record's event list.
enum class ConsentEventKind : std::uint8_t {
  kGranted,      // the grant itself
  kTransferred,  // to another controller at `at` (portfolio.transfer)
  kSuperseded,   // by a renewing grant
  kWithdrawn,    // by the subject
  kRevoked,      // by the controller or a regulator
};
const char* ToString(ConsentEventKind kind);  // "granted"
// Whether the event ends the consent (whenever it happens).
bool Ends(ConsentEventKind kind);

enum class AgreementStatus : std::uint8_t { kPending, kActive, kSuspended, kTerminated };
const char* ToString(AgreementStatus status);  // "Active"

enum class MemberEventKind : std::uint8_t { kRegistered, kUpdated, kSuspended, kReinstated };
const char* ToString(MemberEventKind kind);  // "registered"

enum class RightsStatus : std::uint8_t { kOpen, kFulfilled, kRefused };
const char* ToString(RightsStatus status);  // "open"

// Why a rights record exists: a subject's request, or the erasure a withdrawal, a revocation or
// an objection to a completed transfer obliges (PIPL Arts. 22, 47).
enum class RightsOrigin : std::uint8_t { kRequest, kWithdrawal, kRevocation, kTransferObjection };
const char* ToString(RightsOrigin origin);  // "request"

// A transfer's lifecycle (transfer.propose ... transfer.complete, docs/LEDGER.md "Transfers").
enum class TransferStatus : std::uint8_t { kProposed, kApproved, kCancelled, kCompleted };
const char* ToString(TransferStatus status);  // "proposed"

// A step in a transfer's history (its record's `steps`; objections are counted, not listed).
enum class TransferStepKind : std::uint8_t {
  kPropose,
  kApprove,
  kNotify,
  kCancel,
  kComplete,
  kAttest
};
const char* ToString(TransferStepKind kind);  // "propose"

// Every value of an enum above, in declaration order.
template <typename E>
struct KindsOf;
template <>
struct KindsOf<ConsentStatus> {
  static constexpr std::array kAll{ConsentStatus::kUnknown,   ConsentStatus::kGiven,
                                   ConsentStatus::kRenewed,   ConsentStatus::kTransferred,
                                   ConsentStatus::kWithdrawn, ConsentStatus::kRevoked,
                                   ConsentStatus::kExpired,   ConsentStatus::kSuperseded};
};
template <>
struct KindsOf<ConsentEventKind> {
  static constexpr std::array kAll{ConsentEventKind::kGranted, ConsentEventKind::kTransferred,
                                   ConsentEventKind::kSuperseded, ConsentEventKind::kWithdrawn,
                                   ConsentEventKind::kRevoked};
};
template <>
struct KindsOf<AgreementStatus> {
  static constexpr std::array kAll{AgreementStatus::kPending, AgreementStatus::kActive,
                                   AgreementStatus::kSuspended, AgreementStatus::kTerminated};
};
template <>
struct KindsOf<MemberEventKind> {
  static constexpr std::array kAll{MemberEventKind::kRegistered, MemberEventKind::kUpdated,
                                   MemberEventKind::kSuspended, MemberEventKind::kReinstated};
};
template <>
struct KindsOf<RightsStatus> {
  static constexpr std::array kAll{RightsStatus::kOpen, RightsStatus::kFulfilled,
                                   RightsStatus::kRefused};
};
template <>
struct KindsOf<RightsOrigin> {
  static constexpr std::array kAll{RightsOrigin::kRequest, RightsOrigin::kWithdrawal,
                                   RightsOrigin::kRevocation, RightsOrigin::kTransferObjection};
};
template <>
struct KindsOf<TransferStatus> {
  static constexpr std::array kAll{TransferStatus::kProposed, TransferStatus::kApproved,
                                   TransferStatus::kCancelled, TransferStatus::kCompleted};
};

template <>
struct KindsOf<TransferStepKind> {
  static constexpr std::array kAll{TransferStepKind::kPropose,  TransferStepKind::kApprove,
                                   TransferStepKind::kNotify,   TransferStepKind::kCancel,
                                   TransferStepKind::kComplete, TransferStepKind::kAttest};
};

template <typename E>
std::optional<E> FromWire(std::string_view name) {
  for (E e : KindsOf<E>::kAll) {
    if (name == ToString(e)) return e;
  }
  return std::nullopt;
}

}  // namespace consentd::ledger
