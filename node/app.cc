#include "node/app.h"

#include <cstdlib>

#include "common/hex.h"
#include "node/log.h"

namespace consentd::node {

namespace {
constexpr std::size_t kMaxExecuted = 16;
}

LedgerApp::LedgerApp(ledger::Ledger* ledger, Mempool* mempool, crypto::PublicKeyBytes proposer)
    : ledger_(ledger), mempool_(mempool), proposer_(proposer) {}

consensus::ProposedBlock LedgerApp::BuildProposal(std::uint64_t height, std::int64_t time_ms) {
  const auto& params = ledger_->genesis().params;
  auto candidates = mempool_->Candidates(static_cast<std::size_t>(params.max_block_txs),
                                         static_cast<std::size_t>(params.max_block_bytes));
  std::vector<ledger::Rejection> rejected;
  auto built = ledger_->BuildBlock(time_ms, proposer_, candidates, &rejected);
  for (const auto& r : rejected) {
    LogDebug("app", "candidate_rejected", {{"tx", HexEncode(r.tx_id)}, {"code", r.status.code()}});
    mempool_->Remove(r.tx_id);
  }
  if (!built.ok() || built->block.header.height != height) {
    // Our own storage failed: propose nothing this round; the driver notices the error on
    // commit or the next read.
    LogError("app", "build_failed",
             {{"height", height},
              {"error", built.ok() ? "height mismatch" : built.status().ToString()}});
    ++proposal_rejections_;
    return consensus::ProposedBlock{Hash256{}, Bytes{}};
  }
  const std::string payload = built->block.Encode();
  const Hash256 id = built->hash;
  if (executed_.size() >= kMaxExecuted) executed_.clear();
  executed_.insert_or_assign(id, std::move(*built));
  return consensus::ProposedBlock{id, Bytes(payload.begin(), payload.end())};
}

Result<ledger::Block> LedgerApp::Decode(ByteSpan payload, bool certified) const {
  const auto& params = ledger_->genesis().params;
  CONSENTD_ASSIGN_OR_RETURN(
      ledger::Block block,
      ledger::DecodeBlock(
          AsChars(payload), ledger_->genesis().chain_id,
          static_cast<std::size_t>(params.max_block_bytes) + (1 << 20),
          static_cast<std::size_t>(params.max_tx_bytes),
          [this](const Hash256& leaf) { return mempool_->FindByLeaf(leaf); }, certified));
  // Their signatures are verified now: the same txs arriving by gossip skip that. (Not so for
  // a certified block's: those were not verified here.)
  if (!certified) mempool_->RememberVerified(block.txs);
  return block;
}

Result<ledger::Block> LedgerApp::DecodeCertified(std::string_view payload) const {
  return Decode(AsBytes(payload), /*certified=*/true);
}

void LedgerApp::OfferDecoded(std::string_view payload, Result<ledger::Block> block) {
  offered_.emplace(Offered{std::string(payload), std::move(block)});
}

Result<Hash256> LedgerApp::ValidateProposal(std::uint64_t height, ByteSpan payload,
                                            std::int64_t time_ms) {
  return Validate(height, payload, /*certified=*/false, time_ms);
}

Result<Hash256> LedgerApp::ValidateCertified(std::uint64_t height, ByteSpan payload,
                                             const Hash256& block_id, std::int64_t time_ms) {
  (void)block_id;  // the replica compares it with the id returned
  return Validate(height, payload, /*certified=*/true, time_ms);
}

Result<Hash256> LedgerApp::Validate(std::uint64_t height, ByteSpan payload, bool certified,
                                    std::int64_t time_ms) {
  std::optional<Result<ledger::Block>> decoded;
  if (certified && offered_ && offered_->payload == AsChars(payload)) {
    decoded.emplace(std::move(offered_->block));
  } else {
    decoded.emplace(Decode(payload, certified));
  }
  offered_.reset();
  CONSENTD_ASSIGN_OR_RETURN(ledger::Block block, std::move(*decoded));
  if (block.header.height != height) {
    return Status::Error(Reason::kBlockWrongHeight,
                         "proposal for height " + std::to_string(block.header.height));
  }
  const Hash256 id = block.Hash();
  if (executed_.count(id) > 0) return id;
  CONSENTD_ASSIGN_OR_RETURN(ledger::ExecutedBlock executed, ledger_->ExecuteBlock(block, time_ms));
  if (executed_.size() >= kMaxExecuted) executed_.clear();
  executed_.insert_or_assign(id, std::move(executed));
  return id;
}

const consensus::ValidatorSet& LedgerApp::ValidatorsFor(std::uint64_t height) {
  auto it = validators_.find(height);
  if (it != validators_.end()) return it->second;
  auto set = ledger_->ValidatorsFor(height);
  if (!set.ok()) {
    // Unreadable storage: the node cannot take part safely.
    LogError("app", "validator_set_unavailable",
             {{"height", height}, {"error", set.status().ToString()}});
    std::abort();
  }
  if (validators_.size() > 8) validators_.erase(validators_.begin());
  return validators_.emplace(height, std::move(*set)).first->second;
}

Status LedgerApp::Commit(std::uint64_t height, const Hash256& block_id, ByteSpan payload,
                         const consensus::CommitCertificate& certificate, std::int64_t now_ms,
                         ledger::Block* committed, bool durable) {
  auto it = executed_.find(block_id);
  ledger::ExecutedBlock executed;
  if (it != executed_.end()) {
    executed = std::move(it->second);
  } else {
    CONSENTD_ASSIGN_OR_RETURN(ledger::Block block, Decode(payload));
    CONSENTD_ASSIGN_OR_RETURN(executed, ledger_->ExecuteBlock(block));
  }
  executed_.clear();
  if (executed.block.header.height != height || executed.hash != block_id) {
    return Status::Error(Reason::kCommitMismatch, "decided block does not match its execution");
  }
  ledger::Block block = executed.block;
  CONSENTD_RETURN_IF_ERROR(ledger_->Commit(std::move(executed), certificate, durable));
  mempool_->Update(block.txs, now_ms);
  if (committed != nullptr) *committed = std::move(block);
  return Status::Ok();
}

}  // namespace consentd::node
