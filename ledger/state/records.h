#pragma once

// What the ledger's state holds, one struct per record kind, stored as canonical JSON.
// Records are append-only in spirit: a consent or agreement keeps the list of events that
// happened to it, and every status is *derived* from those events at a point in time, never
// stored as a fact that could drift (DESIGN.md section 5).
//
// FromJson parses our own writes; a failure means the store is damaged ("store_corruption").

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "ledger/state/kinds.h"
#include "ledger/subject.h"
#include "ledger/tx_body.h"

namespace consentd::ledger {

struct MemberEvent {
  MemberEventKind type = MemberEventKind::kRegistered;
  std::int64_t at = 0;
  std::uint64_t height = 0;
  Hash256 tx{};
  std::string reason;  // suspended only
};

struct MemberRecord {
  std::string id;
  std::vector<std::string> roles;
  std::vector<FixedBytes<32>> keys;
  std::string jurisdiction;
  std::optional<FixedBytes<32>> validator_key;
  bool suspended = false;
  std::vector<MemberEvent> events;

  bool HasRole(std::string_view role) const;
  bool active() const { return !suspended; }
  Json ToJson() const;
  static Result<MemberRecord> FromJson(const Json& j);
};

struct NoticeVersion {
  std::int64_t version = 0;
  Hash256 hash{};
  std::int64_t at = 0;
  std::uint64_t height = 0;
  Hash256 tx{};
};

struct NoticeRecord {
  std::string controller;
  std::string notice_id;
  std::vector<NoticeVersion> versions;

  const NoticeVersion* Find(std::int64_t version) const;
  Json ToJson() const;
  static Result<NoticeRecord> FromJson(const Json& j);
};

struct ConsentEvent {
  ConsentEventKind type = ConsentEventKind::kGranted;
  std::int64_t at = 0;
  std::uint64_t height = 0;
  Hash256 tx{};
  std::string from, to;  // transferred
  std::string reason;    // revoked
  std::string by;        // revoked: the member who revoked
};

struct ConsentRecord {
  Hash256 id{};  // the tx id of the grant
  ConsentGrant grant;
  Json grant_json;               // the grant body as signed
  std::int64_t recorded_at = 0;  // block time of the grant
  std::uint64_t height = 0;
  std::vector<ConsentEvent> events;

  // Status at `t` (Unix ms): Unknown before the grant was recorded; then the first ending
  // event at or before t (withdrawn, revoked, superseded); then Expired from valid_until;
  // then Transferred if a transfer took effect, Renewed if it renews another, else Given.
  ConsentStatus StatusAt(std::int64_t t) const;
  // Valid for processing at t: a valid status and valid_from <= t < valid_until.
  bool ValidAt(std::int64_t t) const;
  // The controller at t: the granting controller, then each transfer's transferee from its
  // effective time.
  const std::string& ControllerAt(std::int64_t t) const;
  // Any ending event (withdrawn, revoked, superseded), whenever it happens.
  const ConsentEvent* EndEvent() const;
  // A transfer recorded but not yet effective at t.
  bool HasTransferPendingAt(std::int64_t t) const;

  Json ToJson() const;
  // CanonicalJson(ToJson()), written directly: the stored form (PutConsent).
  std::string Canonical() const;
  static Result<ConsentRecord> FromJson(const Json& j);
  // The same, taking the grant body out of `j` rather than copying it.
  static Result<ConsentRecord> FromJson(Json&& j);
};

struct AgreementEvent {
  AgreementStatus status = AgreementStatus::kPending;
  std::int64_t at = 0;
  std::uint64_t height = 0;
  Hash256 tx{};
  std::string reason;
  std::string by;
  std::string from, to;  // a transfer moved the seller's side (status unchanged)
};

struct AgreementRecord {
  Hash256 id{};
  AgreementCreate terms;
  Json terms_json;
  bool suspended_by_regulator = false;
  std::optional<Hash256> approval_ref_hash;
  std::vector<AgreementEvent> events;  // first is the creation (Pending)

  AgreementStatus StatusAt(std::int64_t t) const;
  AgreementStatus status() const { return events.back().status; }
  // Active at t and within its validity period.
  bool ActiveAt(std::int64_t t) const;
  bool Covers(std::string_view destination, std::string_view purpose,
              const std::vector<std::string>& categories) const;
  // Exporter and importer at t: `terms` holds them as they are now; a transfer's move (an
  // event with from and to) after t is undone.
  std::pair<std::string, std::string> PartiesAt(std::int64_t t) const;

  Json ToJson() const;
  static Result<AgreementRecord> FromJson(const Json& j);
};

// One step of a lifecycle transfer: who took it, in which tx and block.
struct TransferStep {
  TransferStepKind kind = TransferStepKind::kPropose;
  Hash256 tx{};
  std::int64_t at = 0;
  std::uint64_t height = 0;
  std::string by;
  // kNotify: the batch's Merkle root over its deliveries, their number and latest time.
  std::optional<Hash256> deliveries_root;
  std::int64_t deliveries = 0;
  std::int64_t delivered_until = 0;
};

// The seller's latest deletion attestation (transfer.attest).
struct TransferDeletion {
  Hash256 tx{};
  std::int64_t at = 0;
  Hash256 deleted_hash{};
  std::vector<std::string> retained_categories;
  std::int64_t retained_until = 0;    // with retained_categories
  std::string retention_basis;        // with retained_categories
  std::string backups;                // "purged" or "scheduled"
  std::int64_t backups_purge_by = 0;  // when scheduled
  std::int64_t attestations = 0;      // how many the seller has made
};

// Which of the seller's duties after completion are overdue at a time.
struct TransferOverdue {
  bool attestation = false;  // no attestation by deletion_due
  bool retention = false;    // data kept past retained_until
  bool backups = false;      // backups not purged by backups_purge_by
  bool any() const { return attestation || retention || backups; }
};

// A transfer of consents between insurers: a one-step portfolio.transfer (lifecycle nullopt;
// its record keeps the form it always had), or a transfer.propose and the steps after it.
struct TransferLifecycle {
  TransferStatus status = TransferStatus::kProposed;
  Hash256 manifest_hash{};
  std::vector<Hash256> consents;  // the listed scope; empty with all_consents
  std::int64_t objections = 0;
  std::string approved_by;  // the regulator, once approved
  std::int64_t approved_at = 0;
  std::string closed_by;  // who cancelled or completed it
  std::int64_t closed_at = 0;
  std::uint64_t closed_height = 0;
  std::string cancel_reason;
  std::int64_t skipped = 0;            // completion: consents in scope that were no longer movable
  std::int64_t kept = 0;               // completion: consents kept back by an objection
  std::int64_t rights_moved = 0;       // completion: open rights requests that moved
  std::int64_t erasures = 0;           // completion: erasure obligations opened for objectors
  std::vector<Hash256> agreements;     // the seller's agreements that go with it
  std::int64_t agreements_moved = 0;   // completion: moved to the acquirer (counterparty signed)
  std::int64_t agreements_ended = 0;   // completion: terminated (counterparty did not sign)
  std::int64_t notices_moved = 0;      // completion: the moved consents' notices copied over
  std::int64_t notices_delivered = 0;  // deliveries over every transfer.notify batch
  std::int64_t deletion_due = 0;       // completion: the seller attests its deletion by then
  std::optional<TransferDeletion> deletion;
  std::vector<TransferStep> steps;  // in order, at most kMaxTransferSteps

  TransferOverdue OverdueAt(std::int64_t t, TransferStatus status) const;
};

inline constexpr std::size_t kMaxTransferSteps = 256;  // notify at most 200, attest 50

struct TransferRecord {
  Hash256 id{};
  std::string transferor, transferee;
  bool all_consents = false;
  std::int64_t count = 0;  // consents moved (for a lifecycle transfer: at completion)
  std::int64_t effective_at = 0;
  std::int64_t objection_until = 0;
  Hash256 notice_hash{};
  std::optional<Hash256> approval_ref_hash;
  std::int64_t at = 0;
  std::uint64_t height = 0;
  std::optional<TransferLifecycle> lifecycle;

  bool open() const {
    return lifecycle && (lifecycle->status == TransferStatus::kProposed ||
                         lifecycle->status == TransferStatus::kApproved);
  }

  Json ToJson() const;
  static Result<TransferRecord> FromJson(const Json& j);
};

struct SharingState {
  Hash256 id{};
  SharingRecord event;
  Json event_json;
  std::vector<Hash256> consents;  // the consents that justified it
  std::optional<Hash256> agreement;
  std::optional<Hash256> entrustment;
  std::int64_t at = 0;
  std::uint64_t height = 0;

  Json ToJson() const;
  static Result<SharingState> FromJson(const Json& j);
};

struct RightsRecord {
  Hash256 id{};
  std::string controller;
  Subject subject;
  std::string kind;
  std::optional<Hash256> consent_id;
  RightsOrigin origin = RightsOrigin::kRequest;
  std::int64_t requested_at = 0;
  std::int64_t deadline = 0;
  RightsStatus status = RightsStatus::kOpen;
  std::int64_t closed_at = 0;
  std::string reason;
  std::optional<Hash256> attestation_hash;
  std::optional<Hash256> closed_by_tx;
  std::uint64_t height = 0;

  bool open() const { return status == RightsStatus::kOpen; }
  bool OverdueAt(std::int64_t t) const { return open() && t > deadline; }
  Json ToJson() const;
  static Result<RightsRecord> FromJson(const Json& j);
};

// An incident.update as recorded: the body as signed and its block.
struct IncidentUpdateRecord {
  Hash256 tx{};
  Json body;
  std::int64_t at = 0;
  std::uint64_t height = 0;
};

inline constexpr std::size_t kMaxIncidentUpdates = 64;

struct EntrustmentRecord {
  Hash256 id{};
  EntrustmentCreate terms;
  Json terms_json;
  std::int64_t at = 0;
  std::uint64_t height = 0;
  std::optional<std::int64_t> terminated_at;
  std::string terminated_by;
  std::string terminate_reason;

  // Recorded by t, within its validity, not terminated at t.
  bool ActiveAt(std::int64_t t) const {
    return t >= at && t >= terms.valid_from && t < terms.valid_until &&
           (!terminated_at || t < *terminated_at);
  }
  Json ToJson() const;
  static Result<EntrustmentRecord> FromJson(const Json& j);
};

struct AssessmentState {
  Hash256 id{};
  AssessmentRecord record;
  Json record_json;
  std::int64_t at = 0;
  std::uint64_t height = 0;

  // Covers `scope` for a sharing at t: recorded by then, within its validity.
  bool CoversAt(std::string_view scope, std::int64_t t) const;
  Json ToJson() const;
  static Result<AssessmentState> FromJson(const Json& j);
};

struct IncidentRecord {
  Hash256 id{};
  IncidentReport report;  // as reported
  Json report_json;       // the incident.report body as signed
  std::int64_t reported_at = 0;
  std::uint64_t height = 0;
  std::vector<IncidentUpdateRecord> updates;  // in order; written only when there are any

  // The time each was told: the report's, or the update that first gave it.
  std::optional<std::int64_t> RegulatorNotifiedAt() const;
  std::optional<std::int64_t> SubjectsNotifiedAt() const;

  Json ToJson() const;
  static Result<IncidentRecord> FromJson(const Json& j);
};

}  // namespace consentd::ledger
