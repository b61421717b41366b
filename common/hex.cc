#include "common/hex.h"

namespace consentd {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string HexEncode(ByteSpan bytes) {
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

Status HexDecodeInto(std::string_view hex, std::span<std::uint8_t> out) {
  if (hex.size() % 2 != 0) {
    return Status::Error(Reason::kHexOddLength,
                         "hex string has odd length " + std::to_string(hex.size()));
  }
  if (out.size() != hex.size() / 2) {
    return Status::Error(Reason::kHexWrongLength,
                         "hex string decodes to " + std::to_string(hex.size() / 2) +
                             " bytes, expected " + std::to_string(out.size()));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = Nibble(hex[2 * i]);
    const int lo = Nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::Error(Reason::kHexInvalidChar, "not a lowercase hex digit at offset " +
                                                        std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return Status::Ok();
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::Error(Reason::kHexOddLength,
                         "hex string has odd length " + std::to_string(hex.size()));
  }
  Bytes out(hex.size() / 2);
  CONSENTD_RETURN_IF_ERROR(HexDecodeInto(hex, out));
  return out;
}

}  // namespace consentd
