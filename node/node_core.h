#pragma once

// NodeCore: the node's consensus loop as one single-threaded state machine. It owns the
// Replica, the ledger app, the WAL and the block-sync state, and every input reaches it as a
// call to Handle on one thread: the start, peer messages and disconnections, new transactions,
// and its own timers firing. It acts on the world only through what it is given: the Env
// (clock, WAL and safety-state files), the Network (frames to peers) and the Runtime (timers,
// work off the loop, stopping). The daemon runs it on a thread (node/driver.h); the whole-node
// simulation runs several on one event queue with a simulated Env and network, so a run
// replays from its seed.
//
// What Handle does with the replica's actions, in order:
//   PersistSafetyState -> written and fsynced (temp file, fsync, rename, fsync dir) before the
//                         next action, so a signature is durable before it is sent;
//   Broadcast/SendTo    -> own signed messages are appended to the WAL with fsync, then sent;
//   ScheduleTimeout     -> a timer (Runtime::SetTimer) that comes back as a TimerFired input;
//   RequestBlock        -> a sync request to that peer;
//   Commit              -> the ledger commits (one synced batch), the mempool updates, the WAL
//                          starts over, listeners are told;
//   Evidence            -> logged and counted.
// Received consensus messages are appended to the WAL (without fsync) so a restart resumes the
// height with the votes it had seen. Peers announce their height every status interval; a node
// that sees a peer ahead fetches blocks with certificates from it (block sync) and feeds them
// to the replica, which verifies each certificate before committing.
//
// Thread-compatible: Handle on one thread at a time; stats() and fatal() from any thread.

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "consensus/replica.h"
#include "ledger/block.h"
#include "ledger/ledger.h"
#include "node/ahead_records.h"
#include "node/app.h"
#include "node/env.h"
#include "node/mempool.h"
#include "node/network.h"
#include "node/wal.h"
#include "node/wire.h"

namespace consentd::node {

struct DriverOptions {
  Env* env = Env::Default();  // the clock and the WAL and safety-state files
  std::string wal_path;
  std::string safety_path;
  std::int64_t status_interval_ms = 1000;
  std::int64_t sync_timeout_ms = 5000;
  std::int64_t clock_offset_ms = 0;                        // testing: a node whose clock is off
  std::uint32_t sync_batch_blocks = wire::kMaxSyncBlocks;  // blocks asked for per sync request
  // How the safety state is written: kSafe, except in the simulations' unsafe variants.
  AtomicWriteOrder safety_write_order = AtomicWriteOrder::kSafe;
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

// The sender of messages replayed from the WAL at a start (no peer has this id).
inline constexpr PeerId kReplayPeer = 0;

// The core's own timers: a consensus timeout, or the periodic status broadcast.
struct CoreTimer {
  enum class Kind { kConsensusTimeout, kStatusTick };
  Kind kind = Kind::kStatusTick;
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  consensus::Step step = consensus::Step::kPropose;
  friend bool operator==(const CoreTimer&, const CoreTimer&) = default;
};

// Inputs.
struct StartInput {};  // after Recover: start the height, replay the WAL, first status
struct PeerMessageInput {
  PeerId peer = 0;
  std::uint8_t kind = 0;
  std::string payload;
};
struct PeerDisconnectedInput {
  PeerId peer = 0;
};
struct TxsAvailableInput {};
struct TimerFiredInput {
  CoreTimer timer;
};
using CoreInput = std::variant<StartInput, PeerMessageInput, PeerDisconnectedInput,
                               TxsAvailableInput, TimerFiredInput>;

// What the loop around the core provides.
class CoreRuntime {
 public:
  virtual ~CoreRuntime() = default;
  // Deliver TimerFiredInput{timer} to Handle at `due_ms` (the core's clock) or soon after.
  virtual void SetTimer(std::int64_t due_ms, CoreTimer timer) = 0;
  // Run `task` off the loop, in order (serving other nodes' block-sync requests from committed
  // blocks); false when it cannot be queued (the request is dropped).
  virtual bool ServeOffLoop(std::function<void()> task) = 0;
  // Run `task` alongside the loop (block sync decodes ahead while the loop applies); an
  // invalid future when no thread can be had (the loop then decodes each block itself).
  virtual std::future<void> RunAlongside(std::function<void()> task) = 0;
  // A fatal (storage) error stopped the core: no more inputs.
  virtual void Halt() = 0;
};

class NodeCore {
 public:
  using CommitListener = std::function<void(const ledger::Block& block)>;

  NodeCore(ledger::Ledger* ledger, Mempool* mempool, Network* network,
           consensus::ReplicaConfig config, DriverOptions options, CoreRuntime* runtime);
  NodeCore(const NodeCore&) = delete;
  NodeCore& operator=(const NodeCore&) = delete;

  // Recovers the safety state and the WAL and makes the replica; then StartInput starts it.
  // Errors: "safety_state_*", "wal_io".
  Status Recover();
  void Handle(CoreInput input);
  // Called on the loop after every commit.
  void AddCommitListener(CommitListener listener) { listeners_.push_back(std::move(listener)); }

  // Non-OK after a fatal error (storage); Handle then does nothing.
  Status fatal() const;
  DriverStats stats() const;
  // The replica, for simulations' diagnostics (null before Recover).
  const consensus::Replica* replica() const { return replica_.get(); }
  std::int64_t Now() const;

 private:
  void Feed(const consensus::Event& event);
  // Carries out the replica's actions; true when one of them was a commit, applied.
  bool Execute(std::vector<consensus::Action> actions);
  void SendOwn(const consensus::Message& message, std::optional<PeerId> to);
  // Appends a received proposal or vote of the current height or later to the WAL (unsynced;
  // a failed write stops the node) and keeps those of later heights for the commit's reset.
  void LogReceived(PeerId peer, std::uint64_t height, std::string record);
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
  CoreRuntime* runtime_;
  LedgerApp app_;
  consensus::ReplicaConfig config_;
  crypto::PublicKey self_;
  std::unique_ptr<consensus::Replica> replica_;
  std::optional<Wal> wal_;
  std::vector<std::string> replay_;  // WAL records to replay at StartInput
  // WAL records of proposals and votes for heights above the replica's, which it buffers: the
  // WAL is reset at each commit, so they are appended again after it (node/ahead_records.h).
  AheadRecords ahead_{4096, 64 << 20};
  std::optional<Hash256> persisted_lock_;  // the lock of the last safety state written
  std::vector<CommitListener> listeners_;

  mutable std::mutex fatal_mu_;
  Status fatal_;

  // Loop state.
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
