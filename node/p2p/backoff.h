#pragma once

// Redial delays: capped exponential backoff with "equal jitter". Retry n (from 0) waits a
// uniformly random time in [d/2, d] where d = min(max_ms, initial_ms * 2^n), so peers that lost
// each other at the same moment do not redial in lockstep, and a dead peer costs at most one
// dial per max_ms. Pure: the caller supplies the randomness.

#include <cstdint>

namespace consentd::node::p2p {

// REQUIRES: 0 < initial_ms <= max_ms, attempt >= 0.
std::int64_t BackoffDelayMs(int attempt, std::int64_t initial_ms, std::int64_t max_ms,
                            std::uint64_t random);

}  // namespace consentd::node::p2p
