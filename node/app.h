#pragma once

// LedgerApp: the ledger as the consensus core's Application. It builds proposals from the
// mempool, validates proposals by re-executing them (reusing verified txs from the mempool),
// remembers each execution so the commit that follows does not execute again, and applies
// commits to the ledger and the mempool.
//
// Thread-compatible: the consensus driver's thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/application.h"
#include "consensus/certificate.h"
#include "ledger/ledger.h"
#include "node/mempool.h"

namespace consentd::node {

class LedgerApp final : public consensus::Application {
 public:
  LedgerApp(ledger::Ledger* ledger, Mempool* mempool, crypto::PublicKeyBytes proposer);

  consensus::ProposedBlock BuildProposal(std::uint64_t height, std::int64_t time_ms) override;
  // `time_ms` (the replica's event time) is the "now" of the block-time drift check.
  Result<Hash256> ValidateProposal(std::uint64_t height, ByteSpan payload,
                                   std::int64_t time_ms) override;
  // Block sync: the txs' signatures are not verified again (the certificate's signers did).
  Result<Hash256> ValidateCertified(std::uint64_t height, ByteSpan payload, const Hash256& block_id,
                                    std::int64_t time_ms) override;
  const consensus::ValidatorSet& ValidatorsFor(std::uint64_t height) override;

  // Applies a decided block: ledger commit (one batch, synced when `durable`; see
  // ledger::Ledger::Commit), then the mempool update (`now_ms` ages its entries).
  // Errors are the node's (storage), not the block's: the driver stops on them.
  Status Commit(std::uint64_t height, const Hash256& block_id, ByteSpan payload,
                const consensus::CommitCertificate& certificate, std::int64_t now_ms,
                ledger::Block* committed, bool durable = true);

  // Block sync decodes a response's blocks ahead, on another thread, while this one applies
  // them. DecodeCertified may run on any thread: it reads only the genesis. The next
  // ValidateCertified of exactly `payload`'s bytes then takes `block` instead of decoding them
  // again; ClearOffered drops an offer not taken. The offer is a memo, not an input: it holds
  // what DecodeCertified returns for those bytes, a pure function of them and the genesis, so
  // no outcome depends on whether it was taken.
  Result<ledger::Block> DecodeCertified(std::string_view payload) const;
  void OfferDecoded(std::string_view payload, Result<ledger::Block> block);
  void ClearOffered() { offered_.reset(); }

  // Blocks proposed with txs the ledger refused (should stay 0; counted for metrics).
  std::uint64_t proposal_rejections() const { return proposal_rejections_; }

 private:
  Result<ledger::Block> Decode(ByteSpan payload, bool certified = false) const;
  Result<Hash256> Validate(std::uint64_t height, ByteSpan payload, bool certified,
                           std::int64_t time_ms);

  ledger::Ledger* ledger_;
  Mempool* mempool_;
  crypto::PublicKeyBytes proposer_;
  // Executions of this height's candidate blocks, by block id (cleared at every commit).
  std::map<Hash256, ledger::ExecutedBlock> executed_;
  std::map<std::uint64_t, consensus::ValidatorSet> validators_;  // small, recent heights
  std::optional<consensus::ValidatorSet> empty_;
  struct Offered {
    std::string payload;
    Result<ledger::Block> block;
  };
  std::optional<Offered> offered_;
  std::uint64_t proposal_rejections_ = 0;
};

}  // namespace consentd::node
