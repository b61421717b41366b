#pragma once

// Whole answers of routes whose answer is a function of the committed chain at the head, the
// caller's scope and the request target alone (GET /v1/check, GET /v1/receipts/{tx_id}): the
// same question at the same height gets the same bytes, so a repeated one is answered from
// memory. The key holds the head height, so a commit retires every entry of the height before
// (they age out of the LRU order). Bounded in bytes; 0 bytes turns it off.

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "node/http/message.h"

namespace consentd::node::http {

class AnswerCache {
 public:
  explicit AnswerCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  bool enabled() const { return max_bytes_ > 0; }
  // The key of one question: the route, the caller's scope, the target, the head height.
  static std::string Key(std::string_view route, std::string_view scope, std::string_view path,
                         const QueryParams& query, std::uint64_t height);

  // Fills `res` (status, type, headers, body) and returns true on a hit.
  bool Find(const std::string& key, Response* res);
  // Keeps a whole 200 answer (streams, deferred answers and errors are never kept); its body
  // moves into `res->shared_body`, shared with the cache.
  void Put(const std::string& key, Response* res);

  std::uint64_t hits() const;
  std::uint64_t misses() const;
  std::size_t bytes() const;

 private:
  struct Entry {
    std::string key;
    Response res;
    std::size_t bytes = 0;
  };
  static std::size_t Cost(const Entry& e);

  const std::size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace consentd::node::http
