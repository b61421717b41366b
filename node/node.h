#pragma once

// Node: one consentd process. It opens the store and the ledger from the genesis file, loads
// the node key, and runs the peer transport, the mempool and gossip, the consensus driver and
// the HTTP API, wired together:
//
//   HTTP POST /v1/txs --verify--> Mempool <--gossip-- peers
//                                    |
//   peers <--p2p--> Driver (Replica) -> LedgerApp -> Ledger -> LevelDB
//
// Thread-safety: the public methods may be called from any thread after Start().

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ledger/ledger.h"
#include "ledger/tx.h"
#include "node/config.h"
#include "node/driver.h"
#include "node/env.h"
#include "node/gossip.h"
#include "node/mempool.h"
#include "node/metrics.h"
#include "node/network.h"
#include "node/p2p/transport.h"

namespace consentd::node {

class HttpServer;

struct NodeOptions {
  Env* env = Env::Default();              // clocks, threads and the node's own files
  std::optional<std::string> passphrase;  // for an encrypted node key
  std::int64_t clock_offset_ms = 0;       // testing: run with a skewed clock
  std::uint32_t sync_batch_blocks = 0;    // testing: blocks per sync request (0 = the default)
  // testing: misbehave as node/byzantine.h describes ("" = honest). Honoured only in builds
  // with CONSENTD_TEST_HOOKS; Create fails with "config_invalid" otherwise.
  std::string byzantine;
};

class Node {
 public:
  static Result<std::unique_ptr<Node>> Create(Config config, NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Errors: "p2p_listen", "http_listen", safety-state and WAL errors.
  Status Start();
  // Clean shutdown: HTTP first (no new work), then consensus (after the write in progress),
  // then peers and the store. Idempotent.
  void Stop();
  // SIGHUP: re-reads the API tokens (HttpServer::ReloadTokens); the old ones stay on error.
  Status ReloadTokens();
  // Non-OK when consensus stopped on a fatal (storage) error.
  Status fatal() const { return driver_->fatal(); }

  // --- services the HTTP API uses ---
  // Verifies and admits a signed tx, then gossips it. Errors: json_*, tx_*, mempool_*, and
  // every state rule's code.
  Result<ledger::TxPtr> Submit(std::string_view text);
  // Admits an already parsed tx (same checks after parsing, same counting, same gossip).
  Status Admit(const ledger::TxPtr& tx);
  // Counts a submission refused before it could be admitted (consentd_txs_rejected_total).
  void CountRejection(const Status& status);
  // Is `tx_id` committed here?
  bool IsCommitted(const Hash256& tx_id) const;
  // Waits until `tx_id` is committed or `timeout_ms` passes; true when committed.
  bool WaitForCommit(const Hash256& tx_id, std::int64_t timeout_ms);
  // Waits until the head is above `height`, the node stops, or `timeout_ms` passes; returns
  // the head height.
  std::uint64_t WaitForHeightAbove(std::uint64_t height, std::int64_t timeout_ms);
  std::int64_t Now() const;
  Env* env() const { return options_.env; }
  Metrics& metrics() { return metrics_; }

  const Config& config() const { return config_; }
  ledger::Ledger& ledger() { return *ledger_; }
  Mempool& mempool() { return *mempool_; }
  Driver& driver() { return *driver_; }
  p2p::Transport& transport() { return *transport_; }
  Gossip& gossip() { return *gossip_; }
  const crypto::PublicKey& node_key() const { return key_.public_key(); }
  // Synced (not behind its peers) and connected to enough validators for a quorum.
  bool Ready() const;
  // Called on the consensus thread after every commit (HTTP wait=commit, event streams).
  void AddCommitListener(Driver::CommitListener listener);

 private:
  Node(Config config, NodeOptions options, crypto::PrivateKey key);
  Status Open();
  // `inner` itself, or the byzantine wrapper options_.byzantine asks for (test builds only).
  Result<std::unique_ptr<Network>> WrapNetwork(Network* inner);
  bool IsAllowedPeer(const crypto::PublicKey& key) const;

  Config config_;
  NodeOptions options_;
  crypto::PrivateKey key_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<Mempool> mempool_;
  std::unique_ptr<Network> transport_network_;
  std::unique_ptr<Network> network_;  // transport_network_, or a byzantine wrapper of it
  std::unique_ptr<p2p::Transport> transport_;
  std::unique_ptr<Gossip> gossip_;
  std::unique_ptr<Driver> driver_;
  std::unique_ptr<HttpServer> http_;

  void OnCommitted(const ledger::Block& block);

  Metrics metrics_;
  // Admission times of txs submitted here, for the commit latency histogram (bounded by the
  // mempool's size; entries of txs that never commit are dropped with the oldest).
  std::mutex submitted_mu_;
  std::map<Hash256, std::int64_t> submitted_;  // Env::MonotonicMs at admission

  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::uint64_t commits_seen_ = 0;
  bool stopped_ = false;
};

}  // namespace consentd::node
