#include "consensus/step.h"

namespace consentd::consensus {

std::string_view ToString(VoteType type) {
  switch (type) {
    case VoteType::kPrevote:
      return "prevote";
    case VoteType::kPrecommit:
      return "precommit";
  }
  return "prevote";
}

std::string_view ToString(Step step) {
  switch (step) {
    case Step::kPropose:
      return "propose";
    case Step::kPrevote:
      return "prevote";
    case Step::kPrecommit:
      return "precommit";
  }
  return "propose";
}

std::optional<VoteType> VoteTypeFromString(std::string_view text) {
  if (text == "prevote") return VoteType::kPrevote;
  if (text == "precommit") return VoteType::kPrecommit;
  return std::nullopt;
}

std::optional<Step> StepFromString(std::string_view text) {
  if (text == "propose") return Step::kPropose;
  if (text == "prevote") return Step::kPrevote;
  if (text == "precommit") return Step::kPrecommit;
  return std::nullopt;
}

Step StepOf(VoteType type) {
  switch (type) {
    case VoteType::kPrevote:
      return Step::kPrevote;
    case VoteType::kPrecommit:
      return Step::kPrecommit;
  }
  return Step::kPrevote;
}

}  // namespace consentd::consensus
