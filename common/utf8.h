#pragma once

// UTF-8 helpers for canonical JSON: validation of untrusted text, and the UTF-16 code-unit
// ordering that RFC 8785 (JCS) prescribes for object keys.

#include <string_view>

namespace consentd {

// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF, no truncated sequences.
bool IsValidUtf8(std::string_view text);

// Compares two well-formed UTF-8 strings by their UTF-16 code units, as JCS sorts keys.
// Returns <0, 0 or >0. UTF-8 byte order equals code point order, which differs from UTF-16
// order only between supplementary characters (surrogate pairs) and U+E000..U+FFFF.
int CompareUtf16(std::string_view a, std::string_view b);

}  // namespace consentd
