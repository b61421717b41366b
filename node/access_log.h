#pragma once

// The read-access log (docs/API.md, "Access log"): every answer of this node that showed a
// subject's records to anyone is appended here, with who read (principal name, role, member),
// what (route, request-target, the subjects whose records the answer held) and when. It is
// local to the node, never on the ledger: a read is not a fact the network agrees on, and the
// log names who looked at whom.
//
// Tamper-evident: entries are numbered from 1 without gaps and hash-chained,
//
//   hash = hex(TaggedHash("consentd/access-log/v1", JCS(entry without "hash")))
//
// where the entry's "prev" is the hash of the entry before it (64 zeros for entry 1). Removing,
// reordering or editing an entry breaks every later hash; wallet::VerifyAccessLog checks an
// export.
//
// Stored in its own LevelDB (<data>/access_log) through ledger::Store: "e" + seq (16 hex)
// holds an entry; "s" + subject + "/" + seq, "m" + member + "/" + seq and "p" + principal +
// "/" + seq index it; "h" the head. Append chains the entry in memory and returns at once; a
// writer thread puts what was appended into the store in one batch (group commit), without
// fsync. A crash of the node can lose the entries of the last few milliseconds, one of the
// operating system those the disk had not yet taken; the chain then continues from the last
// entry kept. When a write fails, the batch is kept and retried, and Append refuses until it
// succeeds, so no read goes unlogged while the log cannot be written.
//
// Thread-safety: every method may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "ledger/query/queries.h"
#include "ledger/store/store.h"
#include "node/env.h"
#include "wallet/access_log_verify.h"

namespace consentd::node {

// At most this many subjects in one entry; a read of more (an export, an event stream) is
// written as several entries.
inline constexpr std::size_t kMaxSubjectsPerAccessEntry = 256;

// One read, as the HTTP server saw it.
struct AccessRead {
  std::string principal;  // the principal's name: a token's name, a customer's "key:<hex>"
  std::string role;       // insurer | auditor | regulator | customer
  std::string member;     // insurers only
  std::string method;     // GET
  std::string route;      // the OpenAPI path: "/v1/consents/{consent_id}"
  std::string target;     // the request-target as sent (path and query)
  int status = 200;
  std::vector<std::string> subjects;  // "key:<hex>" / "ref:<hex>", sorted, unique
  bool all_subjects = false;          // the whole store (a backup)
};

struct AccessHead {
  std::uint64_t seq = 0;  // 0: empty
  std::string hash;       // hex; 64 zeros when empty
};

struct AccessFilter {
  std::optional<std::string> subject;    // entries that list it, or read every subject
  std::optional<std::string> member;     // entries of this member's principals
  std::optional<std::string> principal;  // entries of this principal
};

class AccessLog {
 public:
  using NowMs = std::function<std::int64_t()>;

  // Opens the log in `store`, reading its head, and starts its writer thread (from `env`).
  // Errors: "store_*", "access_log_broken" when the head entry's hash is not what the head
  // says, "thread_start".
  static Result<std::unique_ptr<AccessLog>> Open(std::unique_ptr<ledger::Store> store, NowMs now_ms,
                                                 Env* env = Env::Default());

  ~AccessLog();  // writes what is pending
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Appends one entry; returns its seq. Errors: "store_io" while the store cannot be
  // written (or the writer is kMaxPending entries behind).
  Result<std::uint64_t> Append(const AccessRead& read);
  // Returns when every entry appended so far is in the store (asking a failed writer to try
  // again at once). Errors: the store's, when that try fails too.
  Status Flush() const;

  // Entries in seq order, from `page.cursor` (a seq as decimal; empty: from 1), at most
  // `page.limit` of them and at most kMaxScan index keys looked at; next_cursor when more may
  // follow. Errors: "query_bad_cursor", "store_*".
  Result<ledger::Page> Query(const AccessFilter& filter, const ledger::PageRequest& page) const;

  AccessHead head() const;

  static constexpr std::size_t kMaxScan = 10'000;
  static constexpr std::size_t kMaxPending = 100'000;
  static constexpr std::chrono::milliseconds kRetryInterval{100};

 private:
  struct Pending {
    std::uint64_t seq = 0;
    std::string hash;
    std::string text;  // the entry's canonical JSON
    std::vector<std::string> subjects;
    bool all_subjects = false;
    std::string member;
    std::string principal;
  };

  AccessLog(std::unique_ptr<ledger::Store> store, NowMs now_ms, AccessHead head);
  void WriteLoop();

  std::unique_ptr<ledger::Store> store_;
  NowMs now_ms_;
  mutable std::mutex mu_;
  mutable std::condition_variable wake_;    // the writer: something is pending, or stop
  mutable std::condition_variable stored_;  // Flush: the writer stored a batch or failed
  AccessHead head_;                         // guarded by mu_: the last entry appended
  std::uint64_t stored_seq_ = 0;            // guarded by mu_: the last entry in the store
  std::vector<Pending> pending_;            // guarded by mu_
  Status failed_;                           // guarded by mu_: the last write's error
  std::uint64_t attempts_ = 0;              // guarded by mu_: writes tried
  mutable bool retry_now_ = false;          // guarded by mu_: Flush wants a write now
  bool stopping_ = false;                   // guarded by mu_
  std::unique_ptr<Thread> writer_;
};

}  // namespace consentd::node
