#include "consensus/params.h"

#include <algorithm>
#include <string>

#include "consensus/json_util.h"

namespace consentd::consensus {

std::int64_t TimeoutParams::Duration(Step step, std::uint32_t round) const {
  std::int64_t base = 0;
  std::int64_t delta = 0;
  switch (step) {
    case Step::kPropose:
      base = propose_base;
      delta = propose_delta;
      break;
    case Step::kPrevote:
      base = prevote_base;
      delta = prevote_delta;
      break;
    case Step::kPrecommit:
      base = precommit_base;
      delta = precommit_delta;
      break;
  }
  // round < 2^32 and delta <= kMaxMs < 2^22 (validated), so the product fits in 64 bits; clamp
  // anyway so unvalidated parameters cannot overflow.
  const std::int64_t clamped_delta = std::clamp<std::int64_t>(delta, 0, kMaxMs);
  const std::int64_t grown = base + static_cast<std::int64_t>(round) * clamped_delta;
  return std::min(grown, max_timeout);
}

Status TimeoutParams::Validate() const {
  const auto check = [](std::string_view name, std::int64_t value, std::int64_t min) {
    if (value < min || value > kMaxMs) {
      return Status::Error(Reason::kParamsInvalid, "timeout parameter " + std::string(name) +
                                                       " = " + std::to_string(value) + " not in [" +
                                                       std::to_string(min) + ", " +
                                                       std::to_string(kMaxMs) + "]");
    }
    return Status::Ok();
  };
  CONSENTD_RETURN_IF_ERROR(check("propose_base", propose_base, 1));
  CONSENTD_RETURN_IF_ERROR(check("propose_delta", propose_delta, 0));
  CONSENTD_RETURN_IF_ERROR(check("prevote_base", prevote_base, 1));
  CONSENTD_RETURN_IF_ERROR(check("prevote_delta", prevote_delta, 0));
  CONSENTD_RETURN_IF_ERROR(check("precommit_base", precommit_base, 1));
  CONSENTD_RETURN_IF_ERROR(check("precommit_delta", precommit_delta, 0));
  CONSENTD_RETURN_IF_ERROR(check("max_timeout", max_timeout, 1));
  CONSENTD_RETURN_IF_ERROR(check("commit_wait", commit_wait, 0));
  CONSENTD_RETURN_IF_ERROR(check("empty_block_interval", empty_block_interval, 0));
  if (max_timeout < std::max({propose_base, prevote_base, precommit_base})) {
    return Status::Error(Reason::kParamsInvalid, "max_timeout is below a step's base timeout");
  }
  return Status::Ok();
}

Json TimeoutParams::ToJson() const {
  return Json{
      {"commit_wait_ms", commit_wait},         {"empty_block_interval_ms", empty_block_interval},
      {"max_timeout_ms", max_timeout},         {"precommit_base_ms", precommit_base},
      {"precommit_delta_ms", precommit_delta}, {"prevote_base_ms", prevote_base},
      {"prevote_delta_ms", prevote_delta},     {"propose_base_ms", propose_base},
      {"propose_delta_ms", propose_delta}};
}

Result<TimeoutParams> TimeoutParams::FromJson(const Json& json) {
  const JsonReader r(json, Reason::kParamsInvalid, "timeout parameters");
  CONSENTD_RETURN_IF_ERROR(
      r.ExpectKeys({"commit_wait_ms", "empty_block_interval_ms", "max_timeout_ms",
                    "precommit_base_ms", "precommit_delta_ms", "prevote_base_ms",
                    "prevote_delta_ms", "propose_base_ms", "propose_delta_ms"}));
  TimeoutParams p;
  const std::pair<std::string_view, std::int64_t*> fields[] = {
      {"commit_wait_ms", &p.commit_wait},
      {"empty_block_interval_ms", &p.empty_block_interval},
      {"max_timeout_ms", &p.max_timeout},
      {"precommit_base_ms", &p.precommit_base},
      {"precommit_delta_ms", &p.precommit_delta},
      {"prevote_base_ms", &p.prevote_base},
      {"prevote_delta_ms", &p.prevote_delta},
      {"propose_base_ms", &p.propose_base},
      {"propose_delta_ms", &p.propose_delta}};
  for (const auto& [key, field] : fields) {
    CONSENTD_ASSIGN_OR_RETURN(*field, r.Int(key, 0, kMaxMs));
  }
  CONSENTD_RETURN_IF_ERROR(p.Validate());
  return p;
}

}  // namespace consentd::consensus
