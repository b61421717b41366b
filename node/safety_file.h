#pragma once

// The consensus safety state on disk (consensus/safety.h): the last height, round and step this
// validator signed, so that a restart never signs twice. Written atomically and durably before
// the vote or proposal it allows is sent (WriteFileAtomic: temp file, fsync, rename, fsync of
// the directory), through the node's Env.
//
//   file: the canonical JSON of SafetyState::ToJson(), mode 0600.

#include <string>

#include "common/result.h"
#include "consensus/safety.h"
#include "node/env.h"

namespace consentd::node {

// A missing file is a validator that never signed (the initial state). Errors:
// "safety_state_unreadable", "safety_state_invalid" (the node must not start: it would forget
// what it signed).
Result<consensus::SafetyState> LoadSafetyState(Env* env, const std::string& path);

// Errors: "safety_state_write". `order` is for the storage simulation's unsafe variants only.
Status SaveSafetyState(Env* env, const std::string& path, const consensus::SafetyState& state,
                       AtomicWriteOrder order = AtomicWriteOrder::kSafe);

}  // namespace consentd::node
