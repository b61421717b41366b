#pragma once

// The load generator's submit side (bench/load.cc): the transactions of a run with their
// submit and commit times, the tracker that the commit watcher feeds, result counts by code,
// and one HTTP request (single or batch). Tracker and Results are thread-safe; a Tracked item
// belongs to the one worker that submits it until the run ends, except commit_ns (atomic).

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bench/load_txs.h"
#include "common/result.h"

namespace consentd::bench {

struct Tracked {
  LoadTx tx;
  std::int64_t submit_ns = 0;
  std::atomic<std::int64_t> commit_ns{0};  // 0: not seen committed
  bool accepted = false;
};

// Commit times by tx id, fed by the watcher; waiters block until their txs are committed.
class Tracker {
 public:
  // REQUIRES: the items outlive the tracker's use.
  void Add(const std::vector<std::unique_ptr<Tracked>>& items);
  void OnTx(std::string_view id_hex, std::int64_t ns);
  void Notify() { cv_.notify_all(); }
  // Until every accepted item of `items` is committed (true) or `deadline_ns` passes (false).
  bool Wait(const std::vector<Tracked*>& items, std::int64_t deadline_ns);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Tracked*> by_id_;
};

// Counts of submit results by code: "accepted", the node's error codes, "network".
class Results {
 public:
  void Count(const std::string& code, std::uint64_t n = 1);
  std::map<std::string, std::uint64_t> Get();

 private:
  std::mutex mu_;
  std::map<std::string, std::uint64_t> by_code_;
};

struct NodeAddress {
  std::string host;
  int port = 0;
};
Result<NodeAddress> ParseNodeUrl(std::string url);  // http://host:port

// One keep-alive connection with TCP_NODELAY (httplib's default Nagle delays small requests).
std::unique_ptr<httplib::Client> Connect(const NodeAddress& node);

// Sends `items` as one request (POST /v1/txs/batch when `batch`, else POST /v1/txs of the one
// item), stamps submit_ns, marks the accepted ones and counts the results.
void Submit(httplib::Client& http, const std::vector<Tracked*>& items, bool batch,
            std::int64_t submit_ns, Results* results);

}  // namespace consentd::bench
