#pragma once

// RateLimiter: a token bucket per client address. Each address may make `rate` requests per
// second on average and `burst` at once; a request that finds its bucket empty is refused with
// the number of seconds after which one token will be back (429, Retry-After).
//
// The table is bounded: when it holds `max_clients` addresses, buckets that have refilled
// completely (idle clients, indistinguishable from new ones) are dropped.
//
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace consentd::node::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // rate == 0 disables limiting.
  RateLimiter(double rate_per_s, double burst, std::size_t max_clients = 100'000);

  // 0 when the request may proceed, else the whole seconds to wait (>= 1).
  std::uint32_t Take(const std::string& client, Clock::time_point now);

  std::size_t clients() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void Refill(Bucket& b, Clock::time_point now) const;
  void Sweep(Clock::time_point now);

  const double rate_;
  const double burst_;
  const std::size_t max_clients_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace consentd::node::http
