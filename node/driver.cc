#include "node/driver.h"

#include <chrono>
#include <future>
#include <memory>

#include "node/log.h"

namespace consentd::node {

Driver::Driver(ledger::Ledger* ledger, Mempool* mempool, Network* network,
               consensus::ReplicaConfig config, DriverOptions options)
    : env_(options.env),
      core_(ledger, mempool, network, std::move(config), std::move(options), this),
      sync_server_(env_, "consentd-serve", 64),
      decoder_(env_, "consentd-decode", 1) {}

Driver::~Driver() { Driver::Stop(); }

Status Driver::Start() {
  CONSENTD_RETURN_IF_ERROR(Worker::AllStarted({&sync_server_, &decoder_}));
  CONSENTD_RETURN_IF_ERROR(core_.Recover());
  Post([this] { core_.Handle(StartInput{}); });
  CONSENTD_ASSIGN_OR_RETURN(thread_, env_->StartThread("consentd-core", [this] { Run(); }));
  return Status::Ok();
}

void Driver::RequestStop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  cv_.notify_all();
}

void Driver::Stop() {
  // A fatal error stops the loop from its own thread (RequestStop), so "stopping" cannot mean
  // "stopped": the thread must be joined here regardless. The workers stop after it: a sync
  // batch in progress waits for its decoder.
  RequestStop();
  if (thread_ != nullptr && !thread_->IsCurrent()) thread_->Join();
  sync_server_.Stop();
  decoder_.Stop();
}

void Driver::Post(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  tasks_.push_back(std::move(task));
  cv_.notify_one();
}

void Driver::SetTimer(std::int64_t due_ms, CoreTimer timer) {
  std::lock_guard<std::mutex> lock(mu_);
  timers_.push(Timer{due_ms, timer_seq_++, timer});
  cv_.notify_one();
}

bool Driver::ServeOffLoop(std::function<void()> task) { return sync_server_.Post(std::move(task)); }

std::future<void> Driver::RunAlongside(std::function<void()> task) {
  auto job = std::make_shared<std::packaged_task<void()>>(std::move(task));
  std::future<void> done = job->get_future();
  if (!decoder_.Post([job] { (*job)(); })) {
    if (!decoder_.started()) {
      LogWarn("sync", "decoder_not_started", {{"error", decoder_.start_error().ToString()}});
    }
    return {};
  }
  return done;
}

void Driver::OnPeerMessage(PeerId peer, std::uint8_t kind, std::string payload) {
  Post([this, peer, kind, payload = std::move(payload)]() mutable {
    core_.Handle(PeerMessageInput{peer, kind, std::move(payload)});
  });
}

void Driver::OnPeerDisconnected(PeerId peer) {
  Post([this, peer] { core_.Handle(PeerDisconnectedInput{peer}); });
}

void Driver::OnTxsAvailable() {
  Post([this] { core_.Handle(TxsAvailableInput{}); });
}

void Driver::AddCommitListener(CommitListener listener) {
  Post([this, listener = std::move(listener)]() mutable {
    core_.AddCommitListener(std::move(listener));
  });
}

void Driver::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        if (stopping_) return;
        const std::int64_t now = core_.Now();
        if (!timers_.empty() && timers_.top().due_ms <= now) {
          const CoreTimer timer = timers_.top().timer;
          timers_.pop();
          task = [this, timer] { core_.Handle(TimerFiredInput{timer}); };
          break;
        }
        if (!tasks_.empty()) {
          task = std::move(tasks_.front());
          tasks_.pop_front();
          break;
        }
        if (timers_.empty()) {
          cv_.wait(lock);
        } else {
          cv_.wait_for(lock, std::chrono::milliseconds(timers_.top().due_ms - now));
        }
      }
    }
    task();
  }
}

}  // namespace consentd::node
