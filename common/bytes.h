#pragma once

// Byte containers shared by every layer. Anything hashed, signed or persisted is made of these.

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace consentd {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;
template <std::size_t N>
using FixedBytes = std::array<std::uint8_t, N>;

// A SHA-256 digest (tx ids, block hashes, Merkle nodes).
using Hash256 = FixedBytes<32>;

// For unordered containers keyed by digests: the leading bytes are already uniform.
struct Hash256Hasher {
  std::size_t operator()(const Hash256& h) const noexcept {
    std::size_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
};

// Views the characters of a string as bytes (no copy).
inline ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// Copies bytes into a std::string (for APIs that carry binary data as strings).
inline std::string_view AsChars(ByteSpan b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace consentd
