#include "consensus/messages.h"

#include <limits>

#include "common/hex.h"
#include "consensus/json_util.h"

namespace consentd::consensus {
namespace {

constexpr std::int64_t kMaxRound = std::numeric_limits<std::uint32_t>::max();

Result<crypto::PublicKey> ReadKey(const JsonReader& r, std::string_view key) {
  CONSENTD_ASSIGN_OR_RETURN(std::string text, r.String(key));
  auto parsed = crypto::PublicKey::FromHex(text);
  if (!parsed.ok()) return r.Error(key, parsed.status().ToString());
  return std::move(parsed).value();
}

}  // namespace

Json Vote::ToJson() const {
  return Json{{"block_id", block_id ? Json(HexEncode(*block_id)) : Json(nullptr)},
              {"height", height},
              {"round", round},
              {"signature", HexEncode(signature)},
              {"type", std::string(ToString(type))},
              {"validator", validator.Hex()}};
}

Result<Vote> Vote::FromJson(const Json& json) {
  const JsonReader r(json, Reason::kVoteInvalid, "vote");
  CONSENTD_RETURN_IF_ERROR(
      r.ExpectKeys({"block_id", "height", "round", "signature", "type", "validator"}));
  CONSENTD_ASSIGN_OR_RETURN(std::string type_text, r.String("type"));
  const std::optional<VoteType> type = VoteTypeFromString(type_text);
  if (!type) return r.Error("type", "must be \"prevote\" or \"precommit\"");
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t height, r.Int("height", 0, kJsonMaxSafeInteger));
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t round, r.Int("round", 0, kMaxRound));
  std::optional<Hash256> block_id;
  if (!r.IsNull("block_id")) {
    CONSENTD_ASSIGN_OR_RETURN(block_id, r.Hash("block_id"));
  }
  CONSENTD_ASSIGN_OR_RETURN(crypto::PublicKey validator, ReadKey(r, "validator"));
  CONSENTD_ASSIGN_OR_RETURN(crypto::SignatureBytes signature, r.Sig("signature"));
  return Vote{*type,
              static_cast<std::uint64_t>(height),
              static_cast<std::uint32_t>(round),
              block_id,
              validator,
              signature};
}

Json Proposal::ToJson() const {
  return Json{
      {"block", HexEncode(block)},        {"block_id", HexEncode(block_id)}, {"height", height},
      {"pol_round", pol_round},           {"proposer", proposer.Hex()},      {"round", round},
      {"signature", HexEncode(signature)}};
}

Result<Proposal> Proposal::FromJson(const Json& json) {
  const JsonReader r(json, Reason::kProposalInvalid, "proposal");
  CONSENTD_RETURN_IF_ERROR(
      r.ExpectKeys({"block", "block_id", "height", "pol_round", "proposer", "round", "signature"}));
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t height, r.Int("height", 0, kJsonMaxSafeInteger));
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t round, r.Int("round", 0, kMaxRound));
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t pol_round,
                            r.Int("pol_round", -1, std::numeric_limits<std::int32_t>::max()));
  CONSENTD_ASSIGN_OR_RETURN(Hash256 block_id, r.Hash("block_id"));
  CONSENTD_ASSIGN_OR_RETURN(Bytes block, r.HexBytes("block"));
  CONSENTD_ASSIGN_OR_RETURN(crypto::PublicKey proposer, ReadKey(r, "proposer"));
  CONSENTD_ASSIGN_OR_RETURN(crypto::SignatureBytes signature, r.Sig("signature"));
  return Proposal{static_cast<std::uint64_t>(height),
                  static_cast<std::uint32_t>(round),
                  static_cast<std::int32_t>(pol_round),
                  block_id,
                  std::move(block),
                  proposer,
                  signature};
}

}  // namespace consentd::consensus
