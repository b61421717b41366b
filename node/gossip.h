#pragma once

// Transaction gossip. Txs admitted here are batched (up to 1,000 or 10 ms) and broadcast to
// every peer; the mesh is complete (every validator connects to every other), so one hop
// reaches everyone and received txs are not re-broadcast. Received batches are verified and
// admitted on worker threads, off the transport's thread; duplicates are expected and ignored.
// A received tx is admitted without executing it (Mempool::AddRelayed): its origin node did.
//
// Thread-safe.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/tx.h"
#include "node/env.h"
#include "node/mempool.h"
#include "node/network.h"
#include "node/worker.h"

namespace consentd::node {

class Gossip {
 public:
  // `now` gives the node's clock (Unix ms); the threads come from `env`.
  Gossip(Env* env, Mempool* mempool, Network* network, std::string chain_id,
         std::size_t max_tx_bytes, std::function<std::int64_t()> now);
  ~Gossip();
  // Starts the broadcast thread. Errors: "thread_start".
  Status Start();
  void Stop();

  // A tx this node admitted (from a client): queue it for broadcast.
  void Announce(const ledger::TxPtr& tx);
  // A kTxs frame from a peer.
  void OnFrame(PeerId peer, std::string payload);

  std::uint64_t received() const { return received_; }
  std::uint64_t admitted() const { return admitted_; }
  // Received txs skipped unparsed: already waiting here or committed.
  std::uint64_t known() const { return known_; }

 private:
  void FlushLoop();
  void Ingest(const std::string& payload);

  Env* env_;
  Mempool* mempool_;
  Network* network_;
  const std::string chain_id_;
  const std::size_t max_tx_bytes_;
  std::function<std::int64_t()> now_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ledger::TxPtr> outgoing_;
  bool stopping_ = false;
  Worker ingest_a_;
  Worker ingest_b_;
  std::unique_ptr<Thread> flusher_;
  std::atomic<std::uint64_t> next_worker_{0};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> admitted_{0};
  std::atomic<std::uint64_t> known_{0};
};

}  // namespace consentd::node
