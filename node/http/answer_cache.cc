#include "node/http/answer_cache.h"

namespace consentd::node::http {
namespace {

// Each piece with its length before it: no two questions share a key.
void AppendPiece(std::string* key, std::string_view piece) {
  *key += std::to_string(piece.size());
  *key += ':';
  key->append(piece.data(), piece.size());
}

}  // namespace

std::string AnswerCache::Key(std::string_view route, std::string_view scope, std::string_view path,
                             const QueryParams& query, std::uint64_t height) {
  std::string key;
  key.reserve(64 + route.size() + scope.size() + path.size());
  key += std::to_string(height);
  key += '/';
  AppendPiece(&key, route);
  AppendPiece(&key, scope);
  AppendPiece(&key, path);
  for (const auto& [name, value] : query) {
    AppendPiece(&key, name);
    AppendPiece(&key, value);
  }
  return key;
}

std::size_t AnswerCache::Cost(const Entry& e) {
  std::size_t n = 2 * e.key.size() + e.res.shared_body->size() + e.res.content_type.size() + 160;
  for (const auto& [name, value] : e.res.headers) n += name.size() + value.size() + 64;
  return n;
}

bool AnswerCache::Find(const std::string& key, Response* res) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return false;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  const Response& kept = it->second->res;
  res->status = kept.status;
  res->content_type = kept.content_type;
  res->headers = kept.headers;
  res->body.clear();
  res->shared_body = kept.shared_body;
  return true;
}

void AnswerCache::Put(const std::string& key, Response* res) {
  if (max_bytes_ == 0 || res->status != 200 || res->stream || res->deferred) return;
  if (!res->shared_body) {
    res->shared_body = std::make_shared<const std::string>(std::move(res->body));
    res->body.clear();
  }
  Entry e{key, Response{}, 0};
  e.res.status = res->status;
  e.res.content_type = res->content_type;
  e.res.headers = res->headers;
  e.res.shared_body = res->shared_body;
  e.bytes = Cost(e);
  if (e.bytes > max_bytes_ / 8) return;  // one answer never takes much of the cache
  std::lock_guard<std::mutex> lock(mu_);
  if (index_.count(key) != 0) return;
  lru_.push_front(std::move(e));
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += lru_.front().bytes;
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    index_.erase(lru_.back().key);
    bytes_ -= lru_.back().bytes;
    lru_.pop_back();
  }
}

std::uint64_t AnswerCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}
std::uint64_t AnswerCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}
std::size_t AnswerCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace consentd::node::http
