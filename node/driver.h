#pragma once

// The consensus driver: the daemon's loop around NodeCore (node/node_core.h). One thread runs
// the core; every input (peer messages, disconnections, new transactions, the core's timers)
// becomes a task on that thread, so the core sees them one at a time. Other nodes' block-sync
// requests are served on a worker thread, and block sync decodes ahead on a thread of its own.
// Every thread comes from the Env of DriverOptions.
//
// Thread-safety: the On* inputs and accessors may be called from any thread.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <vector>

#include "node/node_core.h"
#include "node/worker.h"

namespace consentd::node {

class Driver final : private CoreRuntime {
 public:
  using CommitListener = NodeCore::CommitListener;

  Driver(ledger::Ledger* ledger, Mempool* mempool, Network* network,
         consensus::ReplicaConfig config, DriverOptions options);
  ~Driver() override;
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // Recovers the safety state and the WAL, then starts the thread. Errors: "safety_state_*",
  // "wal_io", "thread_start".
  Status Start();
  // Stops the thread after the event in progress; idempotent.
  void Stop();
  // Non-OK after a fatal error (storage), which also stops the driver.
  Status fatal() const { return core_.fatal(); }

  // Inputs (any thread).
  void OnPeerMessage(PeerId peer, std::uint8_t kind, std::string payload);
  void OnPeerDisconnected(PeerId peer);
  void OnTxsAvailable();
  // Called on the driver thread after every commit.
  void AddCommitListener(CommitListener listener);

  DriverStats stats() const { return core_.stats(); }

 private:
  struct Timer {
    std::int64_t due_ms;
    std::uint64_t seq;
    CoreTimer timer;
    bool operator>(const Timer& o) const {
      return due_ms != o.due_ms ? due_ms > o.due_ms : seq > o.seq;
    }
  };

  // CoreRuntime.
  void SetTimer(std::int64_t due_ms, CoreTimer timer) override;
  bool ServeOffLoop(std::function<void()> task) override;
  std::future<void> RunAlongside(std::function<void()> task) override;
  void Halt() override { RequestStop(); }

  void RequestStop();
  void Post(std::function<void()> task);
  void Run();

  Env* env_;
  NodeCore core_;
  Worker sync_server_;  // serves other nodes' sync requests off the consensus thread
  Worker decoder_;      // block sync's decoding ahead (RunAlongside)

  std::unique_ptr<Thread> thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::uint64_t timer_seq_ = 0;
  bool stopping_ = false;
};

}  // namespace consentd::node
