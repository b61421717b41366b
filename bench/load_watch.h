#pragma once

// CommitWatcher: follows one node's GET /v1/events stream (Server-Sent Events) on a thread of
// its own and reports each committed transaction id, with the local time it was seen, to a
// callback. The load generator's commit clock. It reads with `token` (an auditor's: tx events
// reach only callers who may see the transactions, docs/API.md "Access"). The callback runs on the
// watcher's thread, once per tx event, then `on_chunk` once per chunk of the stream read (to wake
// waiters in bulk).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace consentd::bench {

class CommitWatcher {
 public:
  using OnTx = std::function<void(std::string_view tx_id_hex, std::int64_t seen_ns)>;
  CommitWatcher(std::string url, std::string token, OnTx on_tx, std::function<void()> on_chunk);
  ~CommitWatcher();  // stops
  CommitWatcher(const CommitWatcher&) = delete;
  CommitWatcher& operator=(const CommitWatcher&) = delete;

  void Start();
  // Returns within about one block interval (the stream is read until its next chunk).
  void Stop();

  // Block time (ms) and height of the last block event seen; 0 before the first.
  std::int64_t last_block_time_ms() const { return last_block_time_ms_.load(); }
  std::uint64_t last_height() const { return last_height_.load(); }
  bool failed() const { return failed_.load(); }

 private:
  void Run();
  void Consume(std::string_view data, std::int64_t now_ns);
  void HandleEvent(std::string_view event, std::int64_t now_ns);

  std::string url_;
  std::string token_;
  OnTx on_tx_;
  std::function<void()> on_chunk_;
  std::string pending_;  // an incomplete event
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::atomic<std::int64_t> last_block_time_ms_{0};
  std::atomic<std::uint64_t> last_height_{0};
};

// Monotonic nanoseconds, the clock of every load measurement.
std::int64_t NowNs();

}  // namespace consentd::bench
