// The wall clock, read in one place: Unix time in milliseconds. Everything that stamps a
// transaction, signs a request or checks an expiry asks this (or is handed a function that does),
// so a simulated clock has one seam to replace.
#pragma once

#include <chrono>
#include <cstdint>

namespace consentd {

inline std::int64_t UnixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace consentd
