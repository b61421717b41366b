#include "consensus/json_util.h"

#include <algorithm>

#include "common/hex.h"

namespace consentd::consensus {

JsonReader::JsonReader(const Json& json, Reason code, std::string what)
    : json_(json), code_(code), what_(std::move(what)) {}

Status JsonReader::Error(std::string_view key, std::string_view problem) const {
  std::string message = what_;
  if (!key.empty()) message += " field \"" + std::string(key) + "\"";
  message += ": ";
  message += problem;
  return Status::Error(code_, std::move(message));
}

Status JsonReader::ExpectKeys(std::initializer_list<std::string_view> keys) const {
  if (!json_.is_object()) return Error("", "not a JSON object");
  for (const auto& [key, value] : json_.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      return Error(key, "unknown field");
    }
  }
  for (std::string_view key : keys) {
    if (!json_.contains(key)) return Error(key, "missing");
  }
  return Status::Ok();
}

const Json& JsonReader::At(std::string_view key) const {
  return json_.find(key).value();  // REQUIRES: ExpectKeys succeeded, so the key exists
}

bool JsonReader::IsNull(std::string_view key) const { return At(key).is_null(); }

Result<std::int64_t> JsonReader::Int(std::string_view key, std::int64_t min,
                                     std::int64_t max) const {
  const Json& v = At(key);
  if (!v.is_number_integer()) return Error(key, "not an integer");
  std::int64_t value = 0;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(kJsonMaxSafeInteger)) return Error(key, "out of range");
    value = static_cast<std::int64_t>(u);
  } else {
    value = v.get<std::int64_t>();
  }
  if (value < min || value > max) {
    return Error(key, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

Result<std::string> JsonReader::String(std::string_view key) const {
  const Json& v = At(key);
  if (!v.is_string()) return Error(key, "not a string");
  return v.get<std::string>();
}

Result<Hash256> JsonReader::Hash(std::string_view key) const {
  CONSENTD_ASSIGN_OR_RETURN(std::string text, String(key));
  auto bytes = HexDecodeFixed<32>(text);
  if (!bytes.ok()) return Error(key, bytes.status().ToString());
  return *bytes;
}

Result<FixedBytes<64>> JsonReader::Sig(std::string_view key) const {
  CONSENTD_ASSIGN_OR_RETURN(std::string text, String(key));
  auto bytes = HexDecodeFixed<64>(text);
  if (!bytes.ok()) return Error(key, bytes.status().ToString());
  return *bytes;
}

Result<Bytes> JsonReader::HexBytes(std::string_view key) const {
  CONSENTD_ASSIGN_OR_RETURN(std::string text, String(key));
  auto bytes = HexDecode(text);
  if (!bytes.ok()) return Error(key, bytes.status().ToString());
  return std::move(bytes).value();
}

}  // namespace consentd::consensus
