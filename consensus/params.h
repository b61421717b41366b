#pragma once

// TimeoutParams: how long a replica waits in each step, and its pacing between blocks. They
// come from the genesis file so that all validators agree. Timeouts grow linearly with the
// round and are capped; they never double (doubling is a known cause of hour-long stalls after
// a partition heals, because the round timeouts outgrow the outage that caused them).
//
// A value type.

#include <cstdint>

#include "common/json.h"
#include "common/result.h"
#include "consensus/step.h"

namespace consentd::consensus {

struct TimeoutParams {
  std::int64_t propose_base = 1000;
  std::int64_t propose_delta = 500;
  std::int64_t prevote_base = 500;
  std::int64_t prevote_delta = 250;
  std::int64_t precommit_base = 500;
  std::int64_t precommit_delta = 250;
  std::int64_t max_timeout = 10000;  // cap on every step timeout
  // Pause after a commit before round 0 of the next height: late precommits arrive and slower
  // validators finish the height, so round 0 usually succeeds for all.
  std::int64_t commit_wait = 100;
  // How long a round-0 proposer with no pending transactions waits before proposing an empty
  // block (and how much longer the other validators wait for its proposal).
  std::int64_t empty_block_interval = 1000;

  // Largest value any field may take (one hour).
  static constexpr std::int64_t kMaxMs = 3'600'000;

  // min(base + round * delta, max_timeout) for the step, in milliseconds.
  std::int64_t Duration(Step step, std::uint32_t round) const;

  // Errors: "params_invalid" naming the field: bases and max_timeout must be in [1, kMaxMs],
  // deltas, commit_wait and empty_block_interval in [0, kMaxMs], and max_timeout at least
  // every base.
  Status Validate() const;

  // {"commit_wait_ms", "empty_block_interval_ms", "max_timeout_ms", "precommit_base_ms",
  //  "precommit_delta_ms", "prevote_base_ms", "prevote_delta_ms", "propose_base_ms",
  //  "propose_delta_ms"}: all required, integers, nothing else.
  Json ToJson() const;
  // Errors: "params_invalid".
  static Result<TimeoutParams> FromJson(const Json& json);

  friend bool operator==(const TimeoutParams& a, const TimeoutParams& b) = default;
};

}  // namespace consentd::consensus
