#pragma once

// The questions insurers, customers and auditors ask, answered from one consistent snapshot of
// the committed state. Answers are JSON documents (the HTTP API returns them as they are);
// every list is paged by an opaque cursor with a capped limit.
//
// "Now" for derived statuses is the chain head's block time, not the local clock, so every node
// gives the same answer at the same height; callers may ask about any other time with `at`.
//
// Thread-safety: a Queries object is immutable after construction; use it from any thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "ledger/genesis.h"
#include "ledger/ledger.h"
#include "ledger/state/check.h"
#include "ledger/state/state.h"
#include "ledger/store/store.h"
#include "ledger/subject.h"

namespace consentd::ledger {

inline constexpr std::size_t kDefaultPageLimit = 100;
inline constexpr std::size_t kMaxPageLimit = 1000;
// A filtered list reads at most this many entries per page; a page may then come back short
// with a cursor to continue.
inline constexpr std::size_t kScanBudget = 20000;

struct PageRequest {
  std::string cursor;  // empty: from the start
  std::size_t limit = kDefaultPageLimit;
};

struct Page {
  std::vector<Json> items;
  std::optional<std::string> next_cursor;  // absent on the last page
  Json ToJson() const;  // {"items": [...], "next_cursor": "..." (when there is more)}
};

struct AuditFilter {
  std::uint64_t from_height = 1;
  std::uint64_t to_height = 0;  // 0: up to the head
  std::optional<TxType> type;
  std::optional<std::string> member;
};

enum class SharingBy { kSubject, kSender, kAgreement };
struct SharingFilter {
  SharingBy by = SharingBy::kSubject;
  std::string key;  // subject text form, member id, or agreement id (hex)
  std::int64_t from = 0;
  std::int64_t to = kJsonMaxSafeInteger;
};

// Who a committed transaction concerns: the members it names or that signed it (directly, or
// through the consent, agreement or rights request it refers to) and the subjects it is about.
// Network-level transactions (members and notices) concern every member.
struct TxParties {
  TxType type{};
  bool network = false;  // member.*, notice.publish
  std::vector<std::string> members;
  std::vector<Subject> subjects;
};

class Queries {
 public:
  // On the ledger's latest commit (Ledger::latest).
  Queries(const Ledger& ledger);
  Queries(std::shared_ptr<const ReadView> snapshot, const Genesis& genesis, Head head);

  const Head& head() const { return head_; }

  // Errors of every method: "query_bad_cursor", "query_bad_limit", "store_*".
  Result<std::optional<Json>> Consent(const Hash256& id, std::optional<std::int64_t> at = {}) const;
  Result<Page> SubjectConsents(const Subject& subject, const PageRequest& page,
                               std::optional<std::int64_t> at = {}) const;
  // Everything that happened to a subject, in commit order: consent events, sharing events,
  // rights requests.
  Result<Page> SubjectHistory(const Subject& subject, const PageRequest& page) const;
  Result<Page> ControllerConsents(std::string_view controller, const PageRequest& page,
                                  std::optional<std::int64_t> at = {}) const;
  // The auditor's check; `at` defaults to the head time. Adds "height" and "at" to the answer.
  Result<Json> Check(CheckRequest request) const;
  Result<std::optional<Json>> Agreement(const Hash256& id,
                                        std::optional<std::int64_t> at = {}) const;
  Result<Page> Agreements(std::optional<std::string> party, std::optional<std::string> status,
                          const PageRequest& page) const;
  Result<Page> Sharing(const SharingFilter& filter, const PageRequest& page) const;
  // status: "open" (every open request) or "overdue" (open past its deadline at `at`).
  Result<Page> Rights(std::string_view status, const PageRequest& page,
                      std::optional<std::int64_t> at = {}) const;
  Result<Page> Incidents(const PageRequest& page) const;
  Result<Page> Members(const PageRequest& page) const;
  Result<std::optional<Json>> Member(std::string_view id) const;
  // Transfers in id order. status: "all", "open" (proposed or approved), "completed",
  // "cancelled", or "overdue" (completed, with a seller's duty past due at `at`: the deletion
  // attestation, the end of a retention, the purge of backups). Each item is the record with,
  // for a completed lifecycle transfer, "overdue": {attestation, retention, backups}.
  Result<Page> Transfers(const PageRequest& page) const { return Transfers("all", page); }
  Result<Page> Transfers(std::string_view status, const PageRequest& page,
                         std::optional<std::int64_t> at = {}) const;
  // The transfer's dossier (docs/API.md "Transfers"): the record, its steps, counts, the rights
  // duties it opened or moved (open, overdue, closed) and what is overdue at `at`. nullopt when
  // no transfer.propose has this id.
  Result<std::optional<Json>> TransferDossier(const Hash256& id,
                                              std::optional<std::int64_t> at = {}) const;
  // The transfer's notice batches: {"transfer_id", "items": [{tx, at, height, by,
  // deliveries_root, deliveries, delivered_until}]}. nullopt as above.
  Result<std::optional<Json>> TransferNotices(const Hash256& id) const;
  // Committed transactions in block order with their height, index, time and involved members.
  Result<Page> AuditLog(const AuditFilter& filter, const PageRequest& page) const;
  // A committed transaction: {"tx", "tx_id", "height", "index", "block_hash", "time_ms"}.
  Result<std::optional<Json>> Transaction(const Hash256& id) const;
  // nullopt when no committed tx has this id (at this snapshot).
  Result<std::optional<TxParties>> Parties(const Hash256& id) const;
  Result<TxParties> Parties(const Tx& tx) const;
  // A committed block: {"header", "hash", "certificate", "tx_ids"}.
  Result<std::optional<Json>> Block(std::uint64_t height) const;

  const ReadView& view() const { return *snapshot_; }
  const StateReader& state() const { return state_; }

 private:
  std::int64_t Now(std::optional<std::int64_t> at) const { return at.value_or(head_.time_ms); }
  Result<std::size_t> Limit(const PageRequest& page) const;
  Result<Json> ConsentView(const ConsentRecord& c, std::int64_t at) const;
  Result<std::vector<std::string>> Involved(const Tx& tx) const;

  Queries(Ledger::Latest latest, const Genesis& genesis);

  std::shared_ptr<const ReadView> snapshot_;
  const Genesis& genesis_;
  Head head_;
  StateReader state_;
};

}  // namespace consentd::ledger
