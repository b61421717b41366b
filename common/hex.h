#pragma once

// Lowercase hex, the only encoding of byte strings in canonical JSON (DESIGN.md section 4).
// Decoding accepts lowercase only: a byte string has exactly one textual form, so two encodings
// of one hash can never both appear in signed data.

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"

namespace consentd {

std::string HexEncode(ByteSpan bytes);

// Errors: "hex_odd_length", "hex_invalid_char" (uppercase included).
Result<Bytes> HexDecode(std::string_view hex);

// As HexDecode, and the result must be exactly N bytes ("hex_wrong_length" otherwise).
template <std::size_t N>
Result<FixedBytes<N>> HexDecodeFixed(std::string_view hex);

// Decodes into `out`, which must have exactly hex.size()/2 bytes.
Status HexDecodeInto(std::string_view hex, std::span<std::uint8_t> out);

template <std::size_t N>
Result<FixedBytes<N>> HexDecodeFixed(std::string_view hex) {
  FixedBytes<N> out{};
  if (hex.size() % 2 != 0) {
    return Status::Error(Reason::kHexOddLength,
                         "hex string has odd length " + std::to_string(hex.size()));
  }
  if (hex.size() != 2 * N) {
    return Status::Error(
        Reason::kHexWrongLength,
        "expected " + std::to_string(2 * N) + " hex characters, got " + std::to_string(hex.size()));
  }
  CONSENTD_RETURN_IF_ERROR(HexDecodeInto(hex, out));
  return out;
}

}  // namespace consentd
