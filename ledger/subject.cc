#include "ledger/subject.h"

#include "common/hex.h"
#include "ledger/schema.h"

namespace consentd::ledger {

std::string Subject::ToString() const { return (is_key() ? "key:" : "ref:") + HexEncode(id); }

Json Subject::ToJson() const { return Json{{is_key() ? "key" : "ref", HexEncode(id)}}; }

std::string Subject::Binary() const {
  std::string out(1, static_cast<char>(kind));
  out.append(reinterpret_cast<const char*>(id.data()), id.size());
  return out;
}

std::optional<Subject> Subject::FromBinary(std::string_view bytes) {
  if (bytes.size() != 33 || (bytes[0] != 1 && bytes[0] != 2)) return std::nullopt;
  Subject s;
  s.kind = static_cast<Kind>(bytes[0]);
  std::copy(bytes.begin() + 1, bytes.end(), s.id.begin());
  return s;
}

Result<Subject> Subject::FromString(std::string_view text) {
  Subject s;
  if (text.starts_with("key:")) {
    s.kind = Kind::kKey;
  } else if (text.starts_with("ref:")) {
    s.kind = Kind::kRef;
  } else {
    return Status::Error(Reason::kTxInvalidValue, "a subject is key:<64 hex> or ref:<64 hex>");
  }
  auto id = HexDecodeFixed<32>(text.substr(4));
  if (!id.ok())
    return Status::Error(Reason::kTxInvalidValue, "a subject is key:<64 hex> or ref:<64 hex>");
  s.id = *id;
  return s;
}

Result<Subject> Subject::FromJson(const Json& value, const std::string& path) {
  return FromJson(value, path, Trust::kUntrusted);
}

Result<Subject> Subject::FromJson(const Json& value, const std::string& path, Trust trust) {
  FieldReader r(value, path, trust);
  Subject s;
  const bool has_key = r.Has("key");
  const bool has_ref = r.Has("ref");
  if (r.ok() && has_key == has_ref) {
    r.Fail(Reason::kTxInvalidValue, path + " needs exactly one of \"key\" or \"ref\"");
  }
  if (has_key && r.stored()) {
    s.kind = Kind::kKey;
    s.id = r.Hash("key");
  } else if (has_key) {
    auto key = r.Key("key");
    s.kind = Kind::kKey;
    if (key) s.id = key->bytes();
  } else {
    s.kind = Kind::kRef;
    s.id = r.Hash("ref");
  }
  CONSENTD_RETURN_IF_ERROR(r.Finish());
  return s;
}

}  // namespace consentd::ledger
