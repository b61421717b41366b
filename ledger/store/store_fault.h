#pragma once

// The store's two failures, and the codes they carry: "store_io" (the disk or LevelDB failed)
// and "store_corruption" (what was read back is damaged). Either is the node's fault, never a
// transaction's: execution that meets one stops and reports it, and the tx is not rejected for
// it (exec::IsInternalError). The HTTP API answers them with 500.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace consentd::ledger {

enum class StoreFault : std::uint8_t { kIo, kCorruption };

constexpr const char* ToString(StoreFault fault) {
  switch (fault) {
    case StoreFault::kIo:
      return "store_io";
    case StoreFault::kCorruption:
      return "store_corruption";
  }
  return "store_io";
}

inline Status StoreError(StoreFault fault, std::string message) {
  return Status::Error(ToString(fault), std::move(message));
}

// Which of them the reason code `code` is, if any.
inline std::optional<StoreFault> StoreFaultOf(std::string_view code) {
  for (StoreFault f : {StoreFault::kIo, StoreFault::kCorruption}) {
    if (code == ToString(f)) return f;
  }
  return std::nullopt;
}

}  // namespace consentd::ledger
