#include "node/http/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace consentd::node::http {

RateLimiter::RateLimiter(double rate_per_s, double burst, std::size_t max_clients)
    : rate_(rate_per_s), burst_(std::max(burst, 1.0)), max_clients_(max_clients) {}

void RateLimiter::Refill(Bucket& b, Clock::time_point now) const {
  if (now <= b.updated) return;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.updated = now;
}

void RateLimiter::Sweep(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now);
    it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
  }
}

std::uint32_t RateLimiter::Take(const std::string& client, Clock::time_point now) {
  if (rate_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) Sweep(now);
    // Still full of busy clients: admit the newcomer without tracking it rather than evict
    // someone who is being limited.
    if (buckets_.size() >= max_clients_) return 0;
    it = buckets_.emplace(client, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  Refill(b, now);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  const double wait = (1 - b.tokens) / rate_;
  return static_cast<std::uint32_t>(std::max(1.0, std::ceil(wait)));
}

std::size_t RateLimiter::clients() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

}  // namespace consentd::node::http
