#pragma once

// The typed bodies of every transaction type (DESIGN.md section 5; docs/LEDGER.md). Parsing a
// body checks its whitelist schema and vocabularies only; rules that need the ledger's state
// (who is a member, what a consent covers) run in ledger/exec/.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "crypto/schnorr.h"
#include "ledger/state/kinds.h"
#include "ledger/subject.h"

namespace consentd::ledger {

enum class TxType : std::uint8_t {
  kMemberRegister,
  kMemberUpdate,
  kMemberSuspend,
  kNoticePublish,
  kConsentGrant,
  kConsentWithdraw,
  kConsentRevoke,
  kAgreementCreate,
  kAgreementActivate,
  kAgreementSuspend,
  kAgreementTerminate,
  kPortfolioTransfer,
  kSharingRecord,
  kRightsRequest,
  kRightsFulfil,
  kIncidentReport,
  kTransferPropose,
  kTransferApprove,
  kTransferObject,
  kTransferCancel,
  kTransferComplete,
  kTransferNotify,
  kTransferAttest,
  kIncidentUpdate,
  kEntrustmentCreate,
  kEntrustmentTerminate,
  kAssessmentRecord,
};
inline constexpr int kTxTypeCount = 27;

const char* ToString(TxType type);  // "consent.grant"
std::optional<TxType> ParseTxType(std::string_view name);

// Limits on list sizes in bodies.
inline constexpr std::size_t kMaxCodes = 32;               // purposes, categories, jurisdictions...
inline constexpr std::size_t kMaxKeys = 8;                 // member keys
inline constexpr std::size_t kMaxTransferList = 500;       // consents named by one transfer
inline constexpr std::size_t kMaxTransferAgreements = 32;  // agreements named by one transfer
inline constexpr std::int64_t kMaxNoticeBatch = 10'000'000;  // deliveries in one notice batch
inline constexpr std::int64_t kMaxNoticeVersion = 1'000'000;

struct MemberRegister {
  std::string member;
  std::vector<std::string> roles;
  std::vector<crypto::PublicKey> keys;
  std::string jurisdiction;
  std::optional<crypto::PublicKey> validator_key;
};

struct MemberUpdate {
  std::string member;
  std::optional<std::vector<std::string>> roles;
  std::optional<std::vector<crypto::PublicKey>> keys;
  std::optional<std::string> jurisdiction;
  // Absent: unchanged; null: the member's validator key is removed; a key: it is set.
  std::optional<std::optional<crypto::PublicKey>> validator_key;
  bool reinstate = false;  // lifts a suspension
};

struct MemberSuspend {
  std::string member;
  std::string reason;
};

struct NoticePublish {
  std::string controller;
  std::string notice_id;
  std::int64_t version = 0;
  Hash256 notice_hash{};
};

struct NoticeRef {
  std::string notice_id;
  std::int64_t version = 0;
};

struct ConsentGrant {
  std::string controller;
  Subject subject;
  std::vector<std::string> purposes;
  std::vector<std::string> categories;
  std::vector<std::string> recipients;     // third parties (member ids); empty: controller only
  std::vector<std::string> jurisdictions;  // destinations abroad; empty: domestic only
  std::optional<Hash256> agreement;        // required when jurisdictions is not empty
  bool separate = false;                   // separate consent (PIPL Arts. 23, 29, 39)
  NoticeRef notice;
  std::string collection_method;
  std::int64_t valid_from = 0;
  std::int64_t valid_until = 0;
  std::optional<Hash256> supersedes;          // renewal
  std::optional<crypto::PublicKey> delegate;  // guardian or agent who signs for the subject
  std::optional<Hash256> evidence_hash;       // ref subjects: the controller's evidence
};

struct ConsentWithdraw {
  Hash256 consent_id{};
  std::optional<Hash256> evidence_hash;  // ref subjects
};

struct ConsentRevoke {
  Hash256 consent_id{};
  std::string reason;
};

struct AgreementCreate {
  std::string exporter;
  std::string importer;
  std::string mechanism;
  Hash256 filing_ref_hash{};
  std::vector<std::string> destinations;
  std::vector<std::string> purposes;
  std::vector<std::string> categories;
  std::int64_t valid_from = 0;
  std::int64_t valid_until = 0;
};

struct AgreementActivate {
  Hash256 agreement_id{};
  std::optional<Hash256> approval_ref_hash;
};

// agreement.suspend and agreement.terminate share a shape.
struct AgreementEnd {
  Hash256 agreement_id{};
  std::string reason;
};

struct PortfolioTransfer {
  std::string transferor;
  std::string transferee;
  bool all_consents = false;      // every active consent of the transferor
  std::vector<Hash256> consents;  // or exactly these
  std::int64_t effective_at = 0;
  Hash256 notice_hash{};
  std::optional<Hash256> approval_ref_hash;
};

// The transfer lifecycle (PIPL Art. 22; docs/LEDGER.md "Transfers"): proposed by both parties,
// approved by a regulator where the network requires it, objected to by subjects, cancelled,
// or completed at effective_at.
struct TransferPropose {
  std::string seller;
  std::string acquirer;
  bool all_consents = false;      // every live consent of the seller at completion
  std::vector<Hash256> consents;  // or exactly these
  std::int64_t effective_at = 0;
  std::int64_t objection_until = 0;
  Hash256 manifest_hash{};  // the data inventory: categories and counts, never the data
  Hash256 notice_hash{};    // the notice to the subjects
  // The seller's agreements that go with the transfer: each moves to the acquirer at completion
  // if its counterparty co-signs the transfer.complete, and otherwise ends.
  std::vector<Hash256> agreements;
};

struct TransferApprove {
  Hash256 transfer_id{};
  Hash256 approval_ref_hash{};
};

struct TransferObject {
  Hash256 transfer_id{};
  Subject subject;
  std::optional<Hash256> evidence_hash;  // ref subjects: recorded by the seller
};

struct TransferCancel {
  Hash256 transfer_id{};
  std::string reason;
};

struct TransferComplete {
  Hash256 transfer_id{};
};

// A batch of per-customer notice deliveries: the Merkle root over their leaves
// (docs/RECEIPTS.md "Transfer notices"), each customer holding an inclusion proof.
struct TransferNotify {
  Hash256 transfer_id{};
  Hash256 deliveries_root{};
  std::int64_t deliveries = 0;       // leaves under the root
  std::int64_t delivered_until = 0;  // the latest delivery time in the batch
};

// The seller's deletion attestation after completion: what it deleted, what it keeps under a
// legal retention duty and until when, and its backups. A later attestation replaces it.
struct TransferAttest {
  Hash256 transfer_id{};
  Hash256 deleted_hash{};  // the deletion report: categories and counts, never the data
  std::vector<std::string> retained_categories;
  std::optional<std::int64_t> retained_until;
  std::optional<std::string> retention_basis;
  std::string backups;  // "purged" or "scheduled"
  std::optional<std::int64_t> backups_purge_by;
};

struct SharingRecord {
  std::string sender;
  std::string recipient;
  Subject subject;
  std::string purpose;
  std::vector<std::string> categories;
  std::string destination;
  std::string legal_basis;
  std::int64_t shared_at = 0;
  std::optional<Hash256> entrustment;  // basis "entrusted": the entrustment.create tx id
};

// Entrusted processing (PIPL Art. 21): the contract by which a controller entrusts a processor
// with its processing, for these purposes and categories, within this period.
struct EntrustmentCreate {
  std::string controller;
  std::string processor;
  std::vector<std::string> purposes;
  std::vector<std::string> categories;
  Hash256 contract_hash{};
  std::int64_t valid_from = 0;
  std::int64_t valid_until = 0;
};

struct EntrustmentTerminate {
  Hash256 entrustment_id{};
  std::string reason;
};

// A personal-information impact assessment (PIPL Arts. 55-56): its report's hash, the kinds of
// processing it covers, its validity.
struct AssessmentRecord {
  std::string controller;
  Hash256 assessment_hash{};
  std::vector<std::string> scopes;
  std::int64_t valid_from = 0;
  std::int64_t valid_until = 0;
};

struct RightsRequest {
  std::string controller;
  Subject subject;
  std::string kind;
  std::optional<Hash256> consent_id;
  std::optional<Hash256> evidence_hash;  // ref subjects
};

struct RightsFulfil {
  Hash256 request_id{};
  RightsStatus outcome = RightsStatus::kFulfilled;  // kFulfilled or kRefused
  std::optional<std::string> reason;                // required when refused
  Hash256 attestation_hash{};
};

// A follow-up to a reported incident (PIPL Art. 57): later notifications, remedies, counts.
struct IncidentUpdate {
  Hash256 incident_id{};
  std::optional<std::int64_t> regulator_notified_at;
  std::optional<std::int64_t> subjects_notified_at;
  std::optional<std::vector<std::string>> remedies;  // added to the report's
  std::optional<std::int64_t> affected_count;
  std::optional<Hash256> affected_commitment;
  std::optional<Hash256> notice_hash;
};

struct IncidentReport {
  std::string controller;
  std::int64_t detected_at = 0;
  std::vector<std::string> categories;
  std::string cause;
  std::vector<std::string> harms;
  std::vector<std::string> remedies;
  std::int64_t affected_count = 0;
  Hash256 affected_commitment{};
  Hash256 notice_hash{};
  std::optional<std::int64_t> regulator_notified_at;
  std::optional<std::int64_t> subjects_notified_at;
};

using TxBody =
    std::variant<MemberRegister, MemberUpdate, MemberSuspend, NoticePublish, ConsentGrant,
                 ConsentWithdraw, ConsentRevoke, AgreementCreate, AgreementActivate, AgreementEnd,
                 PortfolioTransfer, SharingRecord, RightsRequest, RightsFulfil, IncidentReport,
                 TransferPropose, TransferApprove, TransferObject, TransferCancel, TransferComplete,
                 TransferNotify, TransferAttest, IncidentUpdate, EntrustmentCreate,
                 EntrustmentTerminate, AssessmentRecord>;

// Parses and schema-checks the body of a `type` transaction, by its declaration (tx_decl.h).
// Trust::kStored reads a body this ledger stored (ledger/state/records.cc) without checking its
// formats and rules again.
Result<TxBody> ParseBody(TxType type, const Json& body);
Result<TxBody> ParseBody(TxType type, const Json& body, Trust trust);

}  // namespace consentd::ledger
