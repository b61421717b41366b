#pragma once

// Ledger: the deterministic consent state machine over a Store. It knows the chain head, builds
// and validates blocks by executing their transactions, and commits a block together with its
// commit certificate, its state changes and every index in one synced batch, so a crash leaves
// either the whole block or none of it.
//
// Execution is pure over the store: no clock, randomness or I/O beyond reads of the committed
// state (the block time in the header is "now" for every rule).
//
// Thread-safety: BuildBlock, ExecuteBlock and Commit are called from one thread (the consensus
// driver). head(), ValidatorsFor(), CheckTx() and the read side (Snapshot()) may be called from
// any thread concurrently with them.

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "consensus/certificate.h"
#include "consensus/validator_set.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/state/hot_cache.h"
#include "ledger/state/state.h"
#include "ledger/store/store.h"
#include "ledger/tx.h"

namespace consentd::ledger {

struct Head {
  std::uint64_t height = 0;  // 0: only genesis
  Hash256 block_hash{};      // the genesis hash at height 0
  Hash256 state_digest{};
  std::int64_t time_ms = 0;
};

// A block whose transactions were executed on top of `parent`, ready to commit.
struct ExecutedBlock {
  Block block;
  Hash256 hash{};
  Hash256 parent{};
  WriteBatch writes;
};

// A committed block as stored: header, certificate and the (tx id, leaf) of each tx in order.
struct StoredBlock {
  BlockHeader header;
  consensus::CommitCertificate certificate;
  std::vector<Hash256> tx_ids;
  std::vector<Hash256> leaves;
};

struct Rejection {
  Hash256 tx_id{};
  Status status;
};

class Ledger {
 public:
  // Opens the ledger on `store`, writing the genesis state if the store is empty. Errors:
  // "genesis_mismatch" when the store holds another chain, "store_*".
  static Result<std::unique_ptr<Ledger>> Open(std::unique_ptr<Store> store, Genesis genesis);

  const Genesis& genesis() const { return genesis_; }
  Head head() const;
  Store& store() { return *store_; }

  // The validator set that decides `height` (changes apply validator_change_delay blocks after
  // the block that made them).
  Result<consensus::ValidatorSet> ValidatorsFor(std::uint64_t height) const;

  // Would `tx` execute on top of the current head in a block at `time_ms`? For mempool
  // admission; writes nothing.
  Status CheckTx(const Tx& tx, std::int64_t time_ms) const;

  // Proposer: executes `candidates` in order on top of the head, leaving out any that fail
  // (reported in `rejected`) and stopping at the block limits. time_ms is raised to one past
  // the parent's time if needed.
  Result<ExecutedBlock> BuildBlock(std::int64_t time_ms, const crypto::PublicKeyBytes& proposer,
                                   std::span<const TxPtr> candidates,
                                   std::vector<Rejection>* rejected = nullptr) const;

  // Validator: checks the header against the head and re-executes every tx. `now_ms`, when
  // given, bounds the block time from above by the local clock plus max_clock_drift_ms.
  // Errors: block_* codes; block_invalid_tx names the tx and its reason.
  Result<ExecutedBlock> ExecuteBlock(const Block& block,
                                     std::optional<std::int64_t> now_ms = std::nullopt) const;

  // Commits atomically, with sync unless `durable` is false. The certificate must verify for
  // this block against the height's validator set. Errors: "ledger_stale" if the head moved
  // since execution, cert_* codes, store_*.
  // A commit without sync survives a crash of the process but maybe not of the machine; the
  // caller makes it durable later with a durable Commit or Flush (block sync does this once per
  // batch of certified blocks, which the network holds anyway).
  Status Commit(ExecutedBlock executed, const consensus::CommitCertificate& certificate,
                bool durable = true);

  // Makes every earlier commit durable (one synced write of the head record).
  Status Flush();

  // ExecuteBlock + Commit: for block sync and tests.
  Status ApplyBlock(const Block& block, const consensus::CommitCertificate& certificate);

  // A consistent view of the store as of now, of its own (a backup, the event stream). Queries
  // read `latest()` instead.
  std::unique_ptr<ReadView> Snapshot() const { return store_->Snapshot(); }

  // The latest commit: a view of the store as that commit left it, and its head. Taken once per
  // commit and shared by every reader until the next one, so a query takes no snapshot of its
  // own (each takes the store's lock) and reads no head record, and its answers and the height
  // it reports always agree.
  struct Latest {
    std::shared_ptr<const ReadView> view;
    Head head;
  };
  Latest latest() const;

  // The chain head recorded in a view (the store or a snapshot). Errors: store_corruption.
  static Result<Head> ReadHead(const ReadView& view);
  // Stored blocks (from the latest state or a snapshot).
  static Result<std::optional<StoredBlock>> ReadBlock(const ReadView& view, std::uint64_t height);
  // The block payload of `height` as consensus proposed it (for block sync), and its commit
  // certificate when `certificate` is given (both from one snapshot).
  Result<std::optional<std::string>> BlockPayload(
      std::uint64_t height, consensus::CommitCertificate* certificate = nullptr) const;

  // Commit certificates whose signatures verified lately. Commit checks every certificate
  // through it; the node hands it to the replica and to block sync, so that a certificate they
  // verified is not verified again here.
  consensus::CertificateCache& certificate_cache() const { return certificate_cache_; }

 private:
  Ledger(std::unique_ptr<Store> store, Genesis genesis);
  Status Initialize();
  Status LoadHead();
  Status LoadValidators();
  Result<ExecutedBlock> Run(BlockHeader header, std::span<const TxPtr> txs, bool skip_failures,
                            std::vector<Rejection>* rejected) const;

  std::unique_ptr<Store> store_;
  Genesis genesis_;
  mutable consensus::CertificateCache certificate_cache_;

  mutable HotCache cache_;  // committed members, notices, key indexes (consensus thread)
  mutable std::mutex mu_;   // guards head_, latest_view_ and validators_
  Head head_;
  std::shared_ptr<const ReadView> latest_view_;  // the store as head_'s commit left it
  std::vector<ValidatorSetEntry> validators_;
};

}  // namespace consentd::ledger
