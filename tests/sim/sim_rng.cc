#include "tests/sim/sim_rng.h"

namespace consentd::sim {

std::uint64_t SimRng::Below(std::uint64_t bound) {
  // Rejection sampling: discard the top partial block of 2^64 so that every residue is equally
  // likely. threshold = 2^64 mod bound.
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t r = engine_();
    if (r >= threshold) return r % bound;
  }
}

std::int64_t SimRng::Between(std::int64_t lo, std::int64_t hi) {
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<std::int64_t>(engine_());  // the whole 64-bit range
  return lo + static_cast<std::int64_t>(Below(span));
}

std::uint64_t MixSeed(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace consentd::sim
