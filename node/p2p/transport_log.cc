#include "node/p2p/transport_log.h"

namespace consentd::node::p2p {

std::string ShortKey(const crypto::PublicKey& key) { return key.Hex().substr(0, 16); }

std::string Quote(std::string_view text) {
  constexpr std::size_t kMaxChars = 120;
  std::string out = "\"";
  for (char c : text.substr(0, kMaxChars)) {
    const bool printable = c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
    out.push_back(printable ? c : '?');
  }
  out.push_back('"');
  return out;
}

}  // namespace consentd::node::p2p
