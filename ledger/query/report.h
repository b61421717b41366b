#pragma once

// The regulator's compliance report (issue 11; docs/API.md, GET /v1/reports/compliance): per
// controller and period, what happened to its consents, whom it shared data with, its
// cross-border volume against the CAC standard-contract thresholds, how it answered rights
// requests, its incidents and its portfolio transfers.
//
// Computed from one snapshot of the committed state (Queries::view()), so every figure is as of
// the same height. Events count up to `as_of` = min(to, head time); since the ledger never
// records an event before its block time, a report for a past period never changes.
//
// Bounded work: the report reads at most `budget` store entries (index entries and records
// together, kReportBudget by default) and fails with "report_too_large" beyond, rather than
// hold a worker for an unbounded time; memory is proportional to what it read.
//
// Thread-safety: a pure function of its arguments.

#include <cstdint>
#include <optional>
#include <string>

#include "common/json.h"
#include "common/result.h"
#include "ledger/query/queries.h"

namespace consentd::ledger {

inline constexpr std::size_t kReportBudget = 2'000'000;

// CAC Standard Contract Measures (2023), Art. 4: the standard contract is open only to a
// processor below all three (counts of distinct persons).
struct CacThresholds {
  std::int64_t persons_processed = 1'000'000;        // persons whose data it processes
  std::int64_t persons_exported = 100'000;           // exported since 1 Jan of the previous year
  std::int64_t sensitive_persons_exported = 10'000;  // the same, sensitive personal information
};

// The 2024 Provisions on Promoting and Regulating Cross-Border Data Flows (CAC, in force
// 22 March 2024), for a processor that is not a critical-information-infrastructure operator,
// counted since 1 January of the current year: below `exempt_below` persons (and no sensitive
// information) no mechanism is needed (Art. 5(4)); up to `assessment_from` persons, or sensitive
// information of fewer than `sensitive_assessment_from` persons, a standard contract or
// certification (Art. 8); from those counts on, a CAC security assessment (Art. 7).
struct CrossBorder2024Thresholds {
  std::int64_t exempt_below = 100'000;
  std::int64_t assessment_from = 1'000'000;
  std::int64_t sensitive_assessment_from = 10'000;
};

struct ComplianceRequest {
  std::optional<std::string> member;  // nullopt: every member with the insurer role
  std::int64_t from = 0;
  std::optional<std::int64_t> to;  // default, and at most, the head block's time
  CacThresholds thresholds;
  CrossBorder2024Thresholds thresholds_2024;
  std::size_t budget = kReportBudget;
};

// Errors: "query_bad_filter" (from after to), "member_unknown", "report_too_large", "store_*".
Result<Json> ComplianceReport(const Queries& queries, const ComplianceRequest& request);

// The UTC calendar year of a Unix time in ms, and the Unix ms of 1 January 00:00 UTC of `year`.
int UtcYear(std::int64_t ms);
std::int64_t UtcYearStart(int year);

}  // namespace consentd::ledger
