#pragma once

// Randomness from the operating system's CSPRNG (getrandom(2)). Only keys, nonces and
// auxiliary signing randomness use it; nothing deterministic (consensus, ledger) may.

#include <cstdint>
#include <span>

#include "common/status.h"

namespace consentd::crypto {

// Errors: "random_unavailable".
Status RandomBytes(std::span<std::uint8_t> out);

}  // namespace consentd::crypto
