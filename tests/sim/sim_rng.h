#pragma once

// SimRng: the simulator's one source of randomness. std::mt19937_64's output sequence is fixed
// by the C++ standard, and the bounded draws below are our own (the standard distributions'
// outputs are implementation-defined), so a seed replays identically on every platform.

#include <cstdint>
#include <random>
#include <vector>

namespace consentd::sim {

class SimRng {
 public:
  explicit SimRng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t Next() { return engine_(); }
  // Uniform in [0, bound). REQUIRES: bound > 0.
  std::uint64_t Below(std::uint64_t bound);
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  std::int64_t Between(std::int64_t lo, std::int64_t hi);
  // True with probability per_million / 1,000,000.
  bool Chance(std::uint32_t per_million) { return Below(1'000'000) < per_million; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[Below(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

// A 64-bit mix of several values (SplitMix64 finaliser), for deriving seeds.
std::uint64_t MixSeed(std::uint64_t a, std::uint64_t b);

}  // namespace consentd::sim
