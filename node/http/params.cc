#include "node/http/params.h"

#include <algorithm>

#include "common/hex.h"
#include "common/json.h"

namespace consentd::node::http {
namespace {

Status Bad(const std::string& message) { return Status::Error(Reason::kBadParameter, message); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Decode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

}  // namespace

std::optional<Target> ParseTarget(std::string_view target) {
  if (target.empty() || target[0] != '/') return std::nullopt;
  const std::size_t q = target.find('?');
  Target t;
  if (!Decode(target.substr(0, q), false, &t.path)) return std::nullopt;
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  std::string name, value;
  while (!rest.empty()) {
    const std::size_t amp = std::min(rest.find('&'), rest.size());
    const std::string_view pair = rest.substr(0, amp);
    rest.remove_prefix(std::min(amp + 1, rest.size()));
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    if (!Decode(pair.substr(0, eq), true, &name)) return std::nullopt;
    if (!Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true,
                &value)) {
      return std::nullopt;
    }
    t.query.emplace(name, value);
  }
  return t;
}

std::optional<std::uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

Result<Hash256> ParseId(std::string_view what, std::string_view text) {
  if (text.size() != 64) {
    return Status::Error(Reason::kBadId, std::string(what) + " must be 64 hex characters");
  }
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto id = HexDecodeFixed<32>(lower);
  if (!id.ok())
    return Status::Error(Reason::kBadId, std::string(what) + " must be 64 hex characters");
  return *id;
}

Status Params::Only(std::initializer_list<std::string_view> allowed) const {
  for (auto it = query_.begin(); it != query_.end(); ++it) {
    const std::string& name = it->first;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string printable = name.substr(0, 64);
      for (char& c : printable) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
      }
      return Bad("unknown parameter \"" + printable + "\"");
    }
    if (query_.count(name) > 1) return Bad("parameter " + name + " is given more than once");
  }
  return Status::Ok();
}

std::optional<std::string> Params::Get(const std::string& name) const {
  auto it = query_.find(name);
  if (it == query_.end()) return std::nullopt;
  return it->second;
}

Result<std::optional<std::uint64_t>> Params::Uint(const std::string& name, std::uint64_t min,
                                                  std::uint64_t max) const {
  auto text = Get(name);
  if (!text) return std::optional<std::uint64_t>();
  auto v = ParseDecimal(*text);
  if (!v || *v < min || *v > max) {
    return Bad(name + " must be a whole number from " + std::to_string(min) + " to " +
               std::to_string(max));
  }
  return std::optional<std::uint64_t>(*v);
}

Result<std::optional<std::int64_t>> Params::Time(const std::string& name) const {
  CONSENTD_ASSIGN_OR_RETURN(auto v, Uint(name, 0, static_cast<std::uint64_t>(kJsonMaxSafeInteger)));
  if (!v) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(static_cast<std::int64_t>(*v));
}

Result<ledger::PageRequest> Params::Page() const {
  ledger::PageRequest page;
  if (auto cursor = Get("cursor")) {
    if (cursor->empty() || cursor->size() > 256) return Bad("cursor is not valid");
    page.cursor = *cursor;
  }
  CONSENTD_ASSIGN_OR_RETURN(auto limit, Uint("limit", 1, ledger::kMaxPageLimit));
  if (limit) page.limit = static_cast<std::size_t>(*limit);
  return page;
}

}  // namespace consentd::node::http
