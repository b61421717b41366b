#pragma once

// The two vote kinds and the three steps of a round (DESIGN.md section 6). Steps are ordered:
// the safety rules compare (height, round, step) lexicographically, and a proposal is signed in
// the propose step, a prevote in the prevote step, a precommit in the precommit step.

#include <cstdint>
#include <optional>
#include <string_view>

namespace consentd::consensus {

enum class VoteType : std::uint8_t { kPrevote, kPrecommit };

enum class Step : std::uint8_t { kPropose, kPrevote, kPrecommit };

// "prevote" / "precommit": the `type` field of the vote sign bytes and of the wire form.
std::string_view ToString(VoteType type);
// "propose" / "prevote" / "precommit".
std::string_view ToString(Step step);

std::optional<VoteType> VoteTypeFromString(std::string_view text);
std::optional<Step> StepFromString(std::string_view text);

// The step in which a vote of `type` is signed.
Step StepOf(VoteType type);

}  // namespace consentd::consensus
