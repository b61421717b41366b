#include "node/gossip.h"

#include <chrono>

#include "crypto/sha256.h"
#include "node/log.h"
#include "node/wire.h"

namespace consentd::node {
namespace {
constexpr std::size_t kMaxBatch = 1000;
constexpr auto kFlushEvery = std::chrono::milliseconds(10);
}  // namespace

Gossip::Gossip(Env* env, Mempool* mempool, Network* network, std::string chain_id,
               std::size_t max_tx_bytes, std::function<std::int64_t()> now)
    : env_(env),
      mempool_(mempool),
      network_(network),
      chain_id_(std::move(chain_id)),
      max_tx_bytes_(max_tx_bytes),
      now_(std::move(now)),
      ingest_a_(env, "consentd-gossip", 256),
      ingest_b_(env, "consentd-gossip", 256) {}

Status Gossip::Start() {
  CONSENTD_RETURN_IF_ERROR(Worker::AllStarted({&ingest_a_, &ingest_b_}));
  CONSENTD_ASSIGN_OR_RETURN(flusher_, env_->StartThread("consentd-bcast", [this] { FlushLoop(); }));
  return Status::Ok();
}

Gossip::~Gossip() { Stop(); }

void Gossip::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (flusher_ != nullptr) flusher_->Join();
  ingest_a_.Stop();
  ingest_b_.Stop();
}

void Gossip::Announce(const ledger::TxPtr& tx) {
  std::lock_guard<std::mutex> lock(mu_);
  outgoing_.push_back(tx);
  if (outgoing_.size() >= kMaxBatch) cv_.notify_one();
}

void Gossip::FlushLoop() {
  for (;;) {
    std::vector<ledger::TxPtr> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kFlushEvery, [&] { return stopping_ || outgoing_.size() >= kMaxBatch; });
      if (stopping_) return;
      if (outgoing_.empty()) continue;
      if (outgoing_.size() <= kMaxBatch) {
        batch.swap(outgoing_);
      } else {
        batch.assign(outgoing_.begin(), outgoing_.begin() + kMaxBatch);
        outgoing_.erase(outgoing_.begin(), outgoing_.begin() + kMaxBatch);
      }
    }
    std::vector<std::string_view> texts;
    texts.reserve(batch.size());
    for (const auto& tx : batch) texts.push_back(tx->canonical());
    network_->Broadcast(static_cast<std::uint8_t>(wire::Kind::kTxs), wire::EncodeTxs(texts));
  }
}

void Gossip::OnFrame(PeerId peer, std::string payload) {
  Worker& w = (next_worker_++ % 2 == 0) ? ingest_a_ : ingest_b_;
  if (!w.Post([this, payload = std::move(payload)] { Ingest(payload); })) {
    LogDebug("gossip", "batch_dropped", {{"peer", peer}, {"reason", "ingest queue full"}});
  }
}

void Gossip::Ingest(const std::string& payload) {
  auto texts = wire::DecodeTxs(payload);
  if (!texts.ok()) {
    LogDebug("gossip", "malformed_batch", {{"error", texts.status().message()}});
    return;
  }
  for (std::string_view text : *texts) {
    ++received_;
    // Honest peers relay canonical bytes, whose hash is the leaf: a tx this node already holds,
    // saw committed, or verified in a proposal is not parsed or verified again.
    ledger::TxPtr tx;
    const Mempool::Seen seen = mempool_->Recall(crypto::Sha256(text), &tx);
    if (seen == Mempool::Seen::kWaiting || seen == Mempool::Seen::kCommitted) {
      ++known_;
      continue;
    }
    if (seen == Mempool::Seen::kNo) {
      auto parsed = ledger::Tx::Parse(text, chain_id_, max_tx_bytes_);
      if (!parsed.ok()) continue;  // a peer relaying garbage gains nothing; nothing to do
      tx = std::move(*parsed);
    }
    if (mempool_->AddRelayed(tx, now_()).ok()) ++admitted_;
  }
}

}  // namespace consentd::node
