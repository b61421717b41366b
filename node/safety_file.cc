#include "node/safety_file.h"

#include "common/json.h"

namespace consentd::node {

Result<consensus::SafetyState> LoadSafetyState(Env* env, const std::string& path) {
  auto text = env->ReadFile(path, 1 << 16);
  if (!text.ok()) {
    if (text.status().reason() == Reason::kFileNotFound) return consensus::SafetyState{};
    return Status::Error(Reason::kSafetyStateUnreadable, text.status().message());
  }
  auto json = ParseJson(*text);
  if (!json.ok())
    return Status::Error(Reason::kSafetyStateInvalid, path + ": " + json.status().ToString());
  auto state = consensus::SafetyState::FromJson(*json);
  if (!state.ok())
    return Status::Error(Reason::kSafetyStateInvalid, path + ": " + state.status().message());
  return *state;
}

Status SaveSafetyState(Env* env, const std::string& path, const consensus::SafetyState& state,
                       AtomicWriteOrder order) {
  Status st = WriteFileAtomic(env, path, CanonicalJson(state.ToJson()), 0600, order);
  if (!st.ok()) return Status::Error(Reason::kSafetyStateWrite, st.message());
  return Status::Ok();
}

}  // namespace consentd::node
