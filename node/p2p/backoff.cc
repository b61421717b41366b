#include "node/p2p/backoff.h"

#include <cassert>

namespace consentd::node::p2p {

std::int64_t BackoffDelayMs(int attempt, std::int64_t initial_ms, std::int64_t max_ms,
                            std::uint64_t random) {
  assert(initial_ms > 0 && initial_ms <= max_ms && attempt >= 0);
  std::int64_t ceiling = initial_ms;
  for (int i = 0; i < attempt && ceiling < max_ms; ++i) {
    ceiling = ceiling > max_ms / 2 ? max_ms : ceiling * 2;
  }
  const std::int64_t floor = ceiling / 2;
  const auto span = static_cast<std::uint64_t>(ceiling - floor) + 1;
  return floor + static_cast<std::int64_t>(random % span);
}

}  // namespace consentd::node::p2p
