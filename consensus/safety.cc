#include "consensus/safety.h"

#include <limits>
#include <tuple>

#include "common/hex.h"
#include "consensus/json_util.h"

namespace consentd::consensus {

Json SafetyState::ToJson() const {
  return Json{
      {"height", height},
      {"locked_block_id", locked_block_id ? Json(HexEncode(*locked_block_id)) : Json(nullptr)},
      {"locked_round", locked_round},
      {"round", round},
      {"sign_hash", HexEncode(sign_hash)},
      {"signature", HexEncode(signature)},
      {"step", std::string(ToString(step))}};
}

Result<SafetyState> SafetyState::FromJson(const Json& json) {
  const JsonReader r(json, Reason::kSafetyStateInvalid, "safety state");
  CONSENTD_RETURN_IF_ERROR(r.ExpectKeys(
      {"height", "locked_block_id", "locked_round", "round", "sign_hash", "signature", "step"}));
  SafetyState s;
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t height, r.Int("height", 0, kJsonMaxSafeInteger));
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t round,
                            r.Int("round", 0, std::numeric_limits<std::uint32_t>::max()));
  CONSENTD_ASSIGN_OR_RETURN(std::int64_t locked_round,
                            r.Int("locked_round", -1, std::numeric_limits<std::int32_t>::max()));
  CONSENTD_ASSIGN_OR_RETURN(std::string step_text, r.String("step"));
  const std::optional<Step> step = StepFromString(step_text);
  if (!step) return r.Error("step", "must be \"propose\", \"prevote\" or \"precommit\"");
  s.height = static_cast<std::uint64_t>(height);
  s.round = static_cast<std::uint32_t>(round);
  s.step = *step;
  s.locked_round = static_cast<std::int32_t>(locked_round);
  CONSENTD_ASSIGN_OR_RETURN(s.sign_hash, r.Hash("sign_hash"));
  CONSENTD_ASSIGN_OR_RETURN(s.signature, r.Sig("signature"));
  if (!r.IsNull("locked_block_id")) {
    CONSENTD_ASSIGN_OR_RETURN(s.locked_block_id, r.Hash("locked_block_id"));
  }
  if ((s.locked_round >= 0) != s.locked_block_id.has_value()) {
    return r.Error("locked_round", "a lock needs both a round and a block id");
  }
  return s;
}

SignDecision DecideSign(const SafetyState& last, std::uint64_t height, std::uint32_t round,
                        Step step, const Hash256& sign_hash) {
  const auto requested = std::make_tuple(height, round, step);
  const auto persisted = std::make_tuple(last.height, last.round, last.step);
  if (requested > persisted) return SignDecision::kSign;
  if (requested == persisted && sign_hash == last.sign_hash) return SignDecision::kReuse;
  return SignDecision::kRefuse;
}

}  // namespace consentd::consensus
