#pragma once

// The consensus driver: one thread that owns the Replica and runs it. Every input (peer
// messages, timers, new transactions, synced blocks) becomes an event on that thread, and the
// replica's actions are executed in order:
//   PersistSafetyState -> written and fsynced (temp file, fsync, rename, fsync dir) before the
//                         next action, so a signature is durable before it is sent;
//   Broadcast/SendTo    -> own signed messages are appended to the WAL with fsync, then sent;
//   ScheduleTimeout     -> a timer on this thread;
//   RequestBlock        -> a sync request to that peer;
//   Commit              -> the ledger commits (one synced batch), the mempool updates, the WAL
//                          starts over, listeners are told;
//   Evidence            -> logged and counted.
// Received consensus messages are appended to the WAL (without fsync) so a restart resumes the
// height with the votes it had seen. Peers announce their height every second; a node that
// sees a peer ahead fetches blocks with certificates from it (block sync) and feeds them to the
// replica, which verifies each certificate before committing.
//
// Thread-safety: the On* inputs and accessors may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "consensus/replica.h"
#include "ledger/block.h"
#include "ledger/ledger.h"
#include "node/app.h"
#include "node/env.h"
#include "node/mempool.h"
#include "node/network.h"
#include "node/wal.h"
#include "node/wire.h"
#include "node/worker.h"

namespace consentd::node {

struct DriverOptions {
  Env* env = Env::Default();  // the clock and the WAL and safety-state files
  std::string wal_path;
  std::string safety_path;
  std::int64_t status_interval_ms = 1000;
  std::int64_t sync_timeout_ms = 5000;
  std::int64_t clock_offset_ms = 0;                        // testing: a node whose clock is off
  std::uint32_t sync_batch_blocks = wire::kMaxSyncBlocks;  // blocks asked for per sync request
};

struct DriverStats {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  std::string step;
  std::uint64_t max_peer_height = 0;
  bool syncing = false;
  std::uint64_t commits = 0;
  std::uint64_t evidence = 0;
  std::uint64_t malformed_messages = 0;
  std::uint64_t synced_blocks = 0;
  std::int64_t last_commit_ms = 0;
  std::vector<double> commit_latencies_ms;  // recent round-0-start to commit durations
};

class Driver {
 public:
  using CommitListener = std::function<void(const ledger::Block& block)>;

  Driver(ledger::Ledger* ledger, Mempool* mempool, Network* network,
         consensus::ReplicaConfig config, DriverOptions options);
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // Recovers the safety state and the WAL, then starts the thread. Errors: "safety_state_*",
  // "wal_io".
  Status Start();
  // Stops the thread after the event in progress; idempotent.
  void Stop();
  // Non-OK after a fatal error (storage), which also stops the driver.
  Status fatal() const;

  // Inputs (any thread).
  void OnPeerMessage(PeerId peer, std::uint8_t kind, std::string payload);
  void OnPeerDisconnected(PeerId peer);
  void OnTxsAvailable();
  // Called on the driver thread after every commit.
  void AddCommitListener(CommitListener listener);

  DriverStats stats() const;

 private:
  struct Timer {
    std::int64_t due_ms;
    std::uint64_t seq;
    std::function<void()> fire;
    bool operator>(const Timer& o) const {
      return due_ms != o.due_ms ? due_ms > o.due_ms : seq > o.seq;
    }
  };

  std::int64_t Now() const;
  void Post(std::function<void()> task);
  void After(std::int64_t delay_ms, std::function<void()> task);
  void Run();
  void Feed(const consensus::Event& event);
  void Execute(std::vector<consensus::Action> actions);
  void SendOwn(const consensus::Message& message, std::optional<PeerId> to);
  void HandleMessage(PeerId peer, std::uint8_t kind, const std::string& payload);
  void ServeSync(PeerId peer, std::uint64_t from, std::uint32_t count);
  void OnSyncedBlocks(PeerId peer, std::string payload);
  void Tick();
  void MaybeSync();
  bool RequestNextSyncBatch(PeerId peer, const std::vector<wire::SyncBlock>& blocks);
  void Fail(const Status& status);
  void LogRoundChange();

  ledger::Ledger* ledger_;
  Mempool* mempool_;
  Network* network_;
  DriverOptions options_;
  LedgerApp app_;
  consensus::ReplicaConfig config_;
  crypto::PublicKey self_;
  std::unique_ptr<consensus::Replica> replica_;
  std::optional<Wal> wal_;
  std::vector<CommitListener> listeners_;
  Worker sync_server_{64};  // serves other nodes' sync requests off the consensus thread

  // Thread and queues.
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::uint64_t timer_seq_ = 0;
  bool stopping_ = false;
  Status fatal_;

  // Driver-thread state.
  std::map<PeerId, std::uint64_t> peer_heights_;
  std::optional<PeerId> sync_peer_;
  std::int64_t sync_started_ms_ = 0;
  // Block sync commits a response's blocks without sync but the last (Ledger::Commit).
  bool defer_durability_ = false;   // set while feeding a synced block that is not the last
  bool undurable_commits_ = false;  // commits since the last synced one
  std::uint64_t last_height_ = 0;
  std::uint32_t last_round_ = 0;
  std::int64_t round_started_ms_ = 0;
  std::int64_t height_started_ms_ = 0;
  std::uint32_t votes_this_round_ = 0;

  mutable std::mutex stats_mu_;
  DriverStats stats_;
};

}  // namespace consentd::node
