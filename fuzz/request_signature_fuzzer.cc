// libFuzzer entry point of FuzzRequestSignature (fuzz/targets.h); built with CONSENTD_FUZZ, run
// by scripts/fuzz.

#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  consentd::fuzz::FuzzRequestSignature(std::span<const std::uint8_t>(data, size));
  return 0;
}
