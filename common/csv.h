#pragma once

// CSV output (RFC 4180), for the audit export and the CLI's report: one field at a time.

#include <string>
#include <string_view>

namespace consentd {

// `text` as one CSV field: as it is when it holds no comma, quote, CR or LF; otherwise quoted,
// with each quote doubled.
std::string CsvField(std::string_view text);

}  // namespace consentd
