#pragma once

// Worker: one background thread running posted tasks in order, with a bounded queue (Post
// returns false when it is full, so a flood of requests cannot grow memory without limit).
// The thread comes from an Env; when the Env has none to give, the worker refuses every task
// (started() is false) and its owner falls back or reports it.

#include <condition_variable>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>

#include "node/env.h"

namespace consentd::node {

class Worker {
 public:
  Worker(Env* env, std::string name, std::size_t max_queue = 1024) : max_queue_(max_queue) {
    auto thread = env->StartThread(std::move(name), [this] { Run(); });
    if (thread.ok()) {
      thread_ = std::move(*thread);
    } else {
      start_error_ = thread.status();
      stopping_ = true;
    }
  }
  ~Worker() { Stop(); }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  bool started() const { return thread_ != nullptr; }
  // Ok, or why the thread could not start ("thread_start").
  const Status& start_error() const { return start_error_; }
  // The first of `workers` that did not start, as its error; Ok when all did.
  static Status AllStarted(std::initializer_list<const Worker*> workers) {
    for (const Worker* w : workers) {
      if (!w->started()) return w->start_error();
    }
    return Status::Ok();
  }

  bool Post(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || tasks_.size() >= max_queue_) return false;
    tasks_.push_back(std::move(task));
    cv_.notify_one();
    return true;
  }
  // Finishes the task in progress, drops the rest, joins.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      tasks_.clear();
      cv_.notify_all();
    }
    if (thread_ != nullptr) thread_->Join();
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
        if (stopping_) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  const std::size_t max_queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  Status start_error_;
  // Last: started after every member above exists, joined before they go.
  std::unique_ptr<Thread> thread_;
};

}  // namespace consentd::node
