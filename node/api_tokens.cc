#include "node/api_tokens.h"

#include <set>

#include "common/hex.h"
#include "crypto/random.h"

namespace consentd::node {
namespace {

Status Invalid(const std::string& field, const std::string& message) {
  return Status::Error(Reason::kConfigInvalid, field + ": " + message);
}

Result<std::optional<std::int64_t>> OptionalTime(const Json& j, const std::string& path,
                                                 const char* field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return std::optional<std::int64_t>();
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0 ||
      it->get<std::int64_t>() > kJsonMaxSafeInteger) {
    return Invalid(path + "." + field, "must be unix milliseconds in 0..2^53-1");
  }
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char ch : name) {
    if (ch < 0x20 || ch > 0x7e) return false;
  }
  return true;
}

}  // namespace

Result<ApiToken> ParseApiToken(const Json& j, const std::string& path, bool name_required) {
  if (!j.is_object()) return Invalid(path, "must be an object");
  static const std::set<std::string> kFields = {"name",      "sha256",     "role",      "member",
                                                "issued_at", "expires_at", "revoked_at"};
  for (const auto& [k, v] : j.items()) {
    if (!kFields.contains(k)) return Invalid(path + "." + k, "unknown field");
  }
  ApiToken t;
  auto text = [&](const char* field, std::string* out) -> Status {
    auto it = j.find(field);
    if (it == j.end() || it->is_null()) return Status::Ok();
    if (!it->is_string()) return Invalid(path + "." + field, "must be a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  std::string hash;
  CONSENTD_RETURN_IF_ERROR(text("sha256", &hash));
  auto bytes = HexDecodeFixed<32>(hash);
  if (!bytes.ok()) return Invalid(path + ".sha256", "must be the 64-hex SHA-256 of the token");
  t.sha256 = *bytes;
  CONSENTD_RETURN_IF_ERROR(text("role", &t.role));
  if (t.role != "insurer" && t.role != "auditor" && t.role != "regulator") {
    return Invalid(path + ".role", "must be insurer, auditor or regulator");
  }
  CONSENTD_RETURN_IF_ERROR(text("member", &t.member));
  if (t.role == "insurer" && t.member.empty()) {
    return Invalid(path + ".member", "an insurer token names its member");
  }
  if (t.role != "insurer" && !t.member.empty()) {
    return Invalid(path + ".member", "only an insurer token names a member");
  }
  CONSENTD_RETURN_IF_ERROR(text("name", &t.name));
  if (t.name.empty() && !name_required) {
    t.name = t.member.empty() ? t.role : t.role + ":" + t.member;
  }
  if (!ValidName(t.name)) {
    return Invalid(path + ".name", "must be 1 to 64 printable ASCII characters");
  }
  if (auto it = j.find("issued_at"); it != j.end() && !it->is_null()) {
    CONSENTD_ASSIGN_OR_RETURN(auto issued, OptionalTime(j, path, "issued_at"));
    t.issued_at_ms = *issued;
  }
  CONSENTD_ASSIGN_OR_RETURN(t.expires_at_ms, OptionalTime(j, path, "expires_at"));
  CONSENTD_ASSIGN_OR_RETURN(t.revoked_at_ms, OptionalTime(j, path, "revoked_at"));
  return t;
}

Json ToJson(const ApiToken& t) {
  Json j{{"name", t.name},
         {"sha256", HexEncode(t.sha256)},
         {"role", t.role},
         {"issued_at", t.issued_at_ms}};
  if (!t.member.empty()) j["member"] = t.member;
  if (t.expires_at_ms) j["expires_at"] = *t.expires_at_ms;
  if (t.revoked_at_ms) j["revoked_at"] = *t.revoked_at_ms;
  return j;
}

Result<std::vector<ApiToken>> ReadTokensFile(const std::string& path, Env* env) {
  auto read = env->ReadFile(path, 16 << 20);
  if (!read.ok() && read.status().reason() == Reason::kFileNotFound) return std::vector<ApiToken>{};
  CONSENTD_ASSIGN_OR_RETURN(std::string text, std::move(read));
  auto j = ParseJson(text);
  if (!j.ok()) return Invalid(path, "not JSON: " + j.status().message());
  if (!j->is_object() || !j->contains("tokens") || !(*j)["tokens"].is_array() || j->size() != 1) {
    return Invalid(path, "must be {\"tokens\": [...]}");
  }
  std::vector<ApiToken> out;
  const Json& list = (*j)["tokens"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    CONSENTD_ASSIGN_OR_RETURN(
        ApiToken t, ParseApiToken(list[i], path + ": tokens[" + std::to_string(i) + "]", true));
    out.push_back(std::move(t));
  }
  return MergeTokens({}, std::move(out));
}

Status WriteTokensFile(const std::string& path, const std::vector<ApiToken>& tokens, Env* env) {
  Json list = Json::array();
  for (const ApiToken& t : tokens) list.push_back(ToJson(t));
  return WriteFileAtomic(env, path, Json{{"tokens", list}}.dump(2) + "\n", 0600);
}

Result<std::string> GenerateToken() {
  FixedBytes<24> raw{};
  CONSENTD_RETURN_IF_ERROR(crypto::RandomBytes(raw));
  return HexEncode(raw);
}

Result<std::vector<ApiToken>> MergeTokens(std::vector<ApiToken> from_config,
                                          std::vector<ApiToken> from_file) {
  std::set<std::string> names;
  std::set<Hash256> hashes;
  from_config.insert(from_config.end(), std::make_move_iterator(from_file.begin()),
                     std::make_move_iterator(from_file.end()));
  for (const ApiToken& t : from_config) {
    if (!names.insert(t.name).second) {
      return Invalid("token \"" + t.name + "\"", "the name is used twice");
    }
    if (!hashes.insert(t.sha256).second) {
      return Invalid("token \"" + t.name + "\"", "the same token is listed twice");
    }
  }
  return from_config;
}

}  // namespace consentd::node
