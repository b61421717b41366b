#pragma once

// Backups of the ledger store: every key and value of one consistent snapshot in a single
// file, with a manifest that names the chain and the head it holds and a SHA-256 over it all.
//
//   line 1     canonical JSON header + "\n":
//              {"format": "consentd-backup/1", "chain_id", "genesis_hash",
//               "height", "block_hash", "state_digest", "time_ms"}
//   entries    'R' u32be(len key) key u32be(len value) value, in key order
//   trailer    'E' canonical JSON + "\n": {"entries": N, "sha256": hex}
//              (the SHA-256 of every byte before the 'E')
//
// Nothing follows the trailer. A restore checks the structure, the checksum and the entry
// count while it reads, then (VerifyRestored) that the restored ledger opens on the home's
// genesis and that its head is the manifest's and is certified by the validators of its
// height. The state digest chains every block's writes since genesis, so it cannot be
// recomputed from a snapshot; the head block's certificate commits to it instead.
//
// The format holds no personal data beyond what the ledger holds: none (docs/COMPLIANCE.md).

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/sha256.h"
#include "ledger/genesis.h"
#include "ledger/ledger.h"
#include "ledger/store/store.h"

namespace consentd::ledger {

inline constexpr std::string_view kBackupFormat = "consentd-backup/1";

struct BackupManifest {
  std::string chain_id;
  Hash256 genesis_hash{};
  Head head;
  std::uint64_t entries = 0;
  Hash256 sha256{};

  Json ToJson() const;  // header fields and trailer fields together (for `consentd backup`)
};

// Produces the backup of `view` (a snapshot) piece by piece: the header line, then about
// 1 MiB of records per piece, the trailer with the last one. A reader that holds no thread
// while its client reads (the HTTP server) pulls one piece at a time.
class BackupWriter {
 public:
  static constexpr std::size_t kPieceBytes = 1 << 20;

  // `genesis` names the chain; the head is read from the view itself. Errors: store_*
  // (including a view without a head record).
  static Result<std::unique_ptr<BackupWriter>> Start(std::shared_ptr<const ReadView> view,
                                                     const Genesis& genesis);
  // Appends the next piece to `out`; false when the trailer has already been produced.
  // Errors: store_*.
  Result<bool> Next(std::string* out);
  // Complete (entries, sha256) once Next has returned false.
  const BackupManifest& manifest() const { return m_; }

 private:
  BackupWriter() = default;

  std::shared_ptr<const ReadView> view_;
  std::unique_ptr<Cursor> cursor_;
  crypto::Sha256Hasher hasher_;
  BackupManifest m_;
  bool header_sent_ = false;
  bool done_ = false;
};

// Streams the whole backup of `view` to `out`, which returns false to abort (then
// "backup_aborted"). Errors: those of BackupWriter, "backup_aborted".
Result<BackupManifest> WriteBackup(std::shared_ptr<const ReadView> view, const Genesis& genesis,
                                   const std::function<bool(std::string_view)>& out);

// Reads a backup from `in`, handing its entries to `apply` in batches of at most
// `batch_entries` (the last batch before the trailer is handed over before the checksum is
// known: a caller writing to a store must discard it when this fails). Errors:
// "backup_malformed" (naming what and where), "backup_truncated", "backup_checksum_mismatch",
// "backup_entry_count_mismatch", and any error `apply` returns.
Result<BackupManifest> ReadBackup(std::istream& in,
                                  const std::function<Status(WriteBatch&&)>& apply,
                                  std::size_t batch_entries = 4096);

// Checks a ledger opened on a restored store against the manifest it came from. Errors:
// "backup_wrong_chain", "backup_head_mismatch", cert_* (the head block's certificate).
Status VerifyRestored(const Ledger& ledger, const BackupManifest& manifest);

}  // namespace consentd::ledger
