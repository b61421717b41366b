#pragma once

// Checking a node's read-access log (docs/API.md, "Access log"), as an auditor does with an
// export and without trusting the node: each entry's hash is
//
//   hex(TaggedHash("consentd/access-log/v1", JCS(the entry without "hash")))
//
// and each entry's "prev" is the hash of the entry before it (64 zeros before entry 1).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace consentd::wallet {

// The "seq" of an entry (or of a head record): a non-negative integer, else nullopt.
std::optional<std::uint64_t> AccessSeq(const Json& j);

// The entry's hash from its JSON (everything but "hash"), as hex.
std::string AccessEntryHash(const Json& entry);
// The same from the canonical JSON text of the entry without "hash".
std::string AccessEntryHashOfText(std::string_view canonical_without_hash);

// Checks entries in order (an export, one JSON object per line): each hash is its entry's,
// each seq follows the one before and each prev is the hash before it. Gaps (a filtered
// export) are allowed only with `allow_gaps`, and then only the hashes and the order are
// checked across them. Errors: "access_log_broken" naming the first entry that fails.
Status VerifyAccessLog(const std::vector<Json>& entries, bool allow_gaps);

// The same check one entry at a time (a large export read line by line).
class AccessLogChecker {
 public:
  explicit AccessLogChecker(bool allow_gaps) : allow_gaps_(allow_gaps) {}
  Status Next(const Json& entry);
  std::uint64_t count() const { return count_; }
  std::uint64_t last_seq() const { return last_seq_; }
  const std::string& last_hash() const { return last_hash_; }

 private:
  bool allow_gaps_;
  std::uint64_t count_ = 0;
  std::uint64_t last_seq_ = 0;
  std::string last_hash_ = std::string(64, '0');
};

}  // namespace consentd::wallet
