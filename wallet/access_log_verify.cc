#include "wallet/access_log_verify.h"

#include "common/hex.h"
#include "crypto/tagged_hash.h"

namespace consentd::wallet {
namespace {

constexpr std::string_view kTag = "consentd/access-log/v1";

Status Broken(std::uint64_t index, const std::string& what) {
  return Status::Error(Reason::kAccessLogBroken,
                       "entry " + std::to_string(index + 1) + " of the log: " + what);
}

}  // namespace

std::optional<std::uint64_t> AccessSeq(const Json& j) {
  const auto it = j.find("seq");
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  const std::int64_t v = it->get<std::int64_t>();
  if (v < 0) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

std::string AccessEntryHash(const Json& entry) {
  Json body = entry;
  body.erase("hash");
  return AccessEntryHashOfText(CanonicalJson(body));
}

std::string AccessEntryHashOfText(std::string_view canonical_without_hash) {
  return HexEncode(crypto::TaggedHash(kTag, AsBytes(canonical_without_hash)));
}

Status AccessLogChecker::Next(const Json& e) {
  const std::uint64_t i = count_;
  if (!e.is_object() || !e.contains("hash") || !e["hash"].is_string() || !AccessSeq(e) ||
      !e.contains("prev") || !e["prev"].is_string()) {
    return Broken(i, "not an access-log entry (seq, prev and hash are required)");
  }
  const std::string hash = e["hash"].get<std::string>();
  if (AccessEntryHash(e) != hash) return Broken(i, "its hash is not the hash of its contents");
  const std::uint64_t seq = *AccessSeq(e);
  const std::string prev = e["prev"].get<std::string>();
  if (i == 0 && !allow_gaps_ && seq != 1) return Broken(i, "a whole log starts at seq 1");
  if (i > 0 && seq <= last_seq_) return Broken(i, "seq does not increase");
  const bool consecutive = seq == last_seq_ + 1 && (i > 0 || seq == 1);
  if (!consecutive && !allow_gaps_) return Broken(i, "an entry is missing before it");
  if (consecutive && prev != last_hash_) return Broken(i, "prev is not the hash before it");
  last_seq_ = seq;
  last_hash_ = hash;
  ++count_;
  return Status::Ok();
}

Status VerifyAccessLog(const std::vector<Json>& entries, bool allow_gaps) {
  AccessLogChecker checker(allow_gaps);
  for (const Json& e : entries) CONSENTD_RETURN_IF_ERROR(checker.Next(e));
  return Status::Ok();
}

}  // namespace consentd::wallet
