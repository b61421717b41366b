#include "common/utf8.h"

#include <cstdint>

namespace consentd {
namespace {

// Decodes one code point starting at text[*pos] of well-formed UTF-8 and advances *pos.
char32_t DecodeAt(std::string_view text, std::size_t* pos) {
  const auto b0 = static_cast<std::uint8_t>(text[*pos]);
  int extra = 0;
  char32_t cp = 0;
  if (b0 < 0x80) {
    cp = b0;
  } else if (b0 < 0xE0) {
    cp = b0 & 0x1F;
    extra = 1;
  } else if (b0 < 0xF0) {
    cp = b0 & 0x0F;
    extra = 2;
  } else {
    cp = b0 & 0x07;
    extra = 3;
  }
  ++*pos;
  for (int i = 0; i < extra && *pos < text.size(); ++i, ++*pos) {
    cp = (cp << 6) | (static_cast<std::uint8_t>(text[*pos]) & 0x3F);
  }
  return cp;
}

// The UTF-16 code units of `cp`, as one comparable number per unit position.
struct Utf16Units {
  char32_t first;
  char32_t second;  // 0 for BMP characters
};

Utf16Units ToUtf16(char32_t cp) {
  if (cp < 0x10000) return {cp, 0};
  const char32_t v = cp - 0x10000;
  return {0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)};
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto b0 = static_cast<std::uint8_t>(text[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    int extra;
    std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      extra = 1;
    } else if (b0 == 0xE0) {
      extra = 2;
      lo = 0xA0;  // no overlong 3-byte forms
    } else if (b0 == 0xED) {
      extra = 2;
      hi = 0x9F;  // no UTF-16 surrogates
    } else if (b0 >= 0xE1 && b0 <= 0xEF) {
      extra = 2;
    } else if (b0 == 0xF0) {
      extra = 3;
      lo = 0x90;  // no overlong 4-byte forms
    } else if (b0 >= 0xF1 && b0 <= 0xF3) {
      extra = 3;
    } else if (b0 == 0xF4) {
      extra = 3;
      hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;  // continuation byte, overlong 2-byte lead (C0, C1) or F5..FF
    }
    if (n - i <= static_cast<std::size_t>(extra)) return false;
    const auto b1 = static_cast<std::uint8_t>(text[i + 1]);
    if (b1 < lo || b1 > hi) return false;
    for (int k = 2; k <= extra; ++k) {
      const auto b = static_cast<std::uint8_t>(text[i + k]);
      if (b < 0x80 || b > 0xBF) return false;
    }
    i += extra + 1;
  }
  return true;
}

int CompareUtf16(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const char32_t ca = DecodeAt(a, &i);
    const char32_t cb = DecodeAt(b, &j);
    if (ca == cb) continue;
    const Utf16Units ua = ToUtf16(ca);
    const Utf16Units ub = ToUtf16(cb);
    if (ua.first != ub.first) return ua.first < ub.first ? -1 : 1;
    // Same high surrogate: both are supplementary characters, the low surrogate decides
    // (they differ, because the code points differ).
    return ua.second < ub.second ? -1 : 1;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

}  // namespace consentd
