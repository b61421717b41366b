// member.register, member.update, member.suspend: governance of the consortium. Changes need
// the genesis governance threshold of distinct member signatures; a regulator may suspend a
// non-regulator member on its own. Validator-set changes apply validator_change_delay blocks
// after the block that makes them, so every validator knows the set of a height in advance.

#include <algorithm>

#include "common/hex.h"
#include "ledger/exec/context.h"

namespace consentd::ledger::exec {
namespace {

// Every signer must be a key of an active member; they approve as distinct members.
Status RequireGovernance(ExecContext& ctx, Signers& signers) {
  std::size_t approvals = 0;
  for (const std::string& id : signers.Members()) {
    CONSENTD_ASSIGN_OR_RETURN(auto m, ctx.state.Member(id));
    if (m && m->active()) {
      signers.ClaimMember(id);
      ++approvals;
    }
  }
  CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  if (approvals < static_cast<std::size_t>(ctx.genesis.governance_threshold)) {
    return Status::Error(Reason::kGovernanceThresholdNotMet,
                         std::to_string(approvals) + " member signature(s); governance needs " +
                             std::to_string(ctx.genesis.governance_threshold));
  }
  return Status::Ok();
}

// Keys must not belong to another member.
Status CheckKeysFree(ExecContext& ctx, const std::vector<crypto::PublicKey>& keys,
                     std::string_view member) {
  for (const auto& k : keys) {
    CONSENTD_ASSIGN_OR_RETURN(auto owner, ctx.state.MemberIdByKey(k.bytes()));
    if (owner && *owner != member) {
      return Status::Error(Reason::kMemberKeyInUse, "key " + k.Hex() + " belongs to " + *owner);
    }
  }
  return Status::Ok();
}

Status CheckValidatorKeyFree(ExecContext& ctx, const crypto::PublicKey& key,
                             std::string_view member) {
  CONSENTD_ASSIGN_OR_RETURN(auto owner, ctx.state.MemberIdByValidatorKey(key.bytes()));
  if (owner && *owner != member) {
    return Status::Error(Reason::kValidatorKeyInUse,
                         "validator key " + key.Hex() + " belongs to " + *owner);
  }
  return Status::Ok();
}

// Schedules `remove` out of and `add` into the validator set from height + delay, on top of the
// latest (possibly still pending) set.
Status ChangeValidators(ExecContext& ctx, const std::optional<FixedBytes<32>>& remove,
                        const std::optional<FixedBytes<32>>& add) {
  CONSENTD_ASSIGN_OR_RETURN(auto history, ctx.state.ValidatorHistory());
  std::vector<FixedBytes<32>> set =
      history.empty() ? std::vector<FixedBytes<32>>{} : history.back().keys;
  if (remove) set.erase(std::remove(set.begin(), set.end(), *remove), set.end());
  if (add && std::find(set.begin(), set.end(), *add) == set.end()) set.push_back(*add);
  if (set.empty()) {
    return Status::Error(Reason::kValidatorSetEmpty, "the change would leave no validators");
  }
  std::sort(set.begin(), set.end());
  Json keys = Json::array();
  for (const auto& k : set) keys.push_back(HexEncode(k));
  const auto from =
      ctx.height + static_cast<std::uint64_t>(ctx.genesis.params.validator_change_delay);
  ctx.state.PutRaw(keys::Validators(from), CanonicalJson(keys));
  return Status::Ok();
}

MemberEvent Event(const ExecContext& ctx, MemberEventKind type, std::string reason = {}) {
  return MemberEvent{type, ctx.time_ms, ctx.height, ctx.tx.id(), std::move(reason)};
}

}  // namespace

Status ExecMemberRegister(ExecContext& ctx, const MemberRegister& b) {
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(RequireGovernance(ctx, signers));
  CONSENTD_ASSIGN_OR_RETURN(auto existing, ctx.state.Member(b.member));
  if (existing)
    return Status::Error(Reason::kMemberExists, "member \"" + b.member + "\" already exists");
  CONSENTD_RETURN_IF_ERROR(CheckKeysFree(ctx, b.keys, b.member));
  if (b.validator_key) {
    CONSENTD_RETURN_IF_ERROR(CheckValidatorKeyFree(ctx, *b.validator_key, b.member));
    CONSENTD_RETURN_IF_ERROR(ChangeValidators(ctx, std::nullopt, b.validator_key->bytes()));
    ctx.state.PutRaw(keys::ValidatorKey(b.validator_key->bytes()), b.member);
  }
  MemberRecord m;
  m.id = b.member;
  m.roles = b.roles;
  for (const auto& k : b.keys) {
    m.keys.push_back(k.bytes());
    ctx.state.PutRaw(keys::MemberKey(k.bytes()), b.member);
  }
  m.jurisdiction = b.jurisdiction;
  if (b.validator_key) m.validator_key = b.validator_key->bytes();
  m.events.push_back(Event(ctx, MemberEventKind::kRegistered));
  ctx.state.PutMember(m);
  return Status::Ok();
}

Status ExecMemberUpdate(ExecContext& ctx, const MemberUpdate& b) {
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  CONSENTD_RETURN_IF_ERROR(RequireGovernance(ctx, signers));
  CONSENTD_ASSIGN_OR_RETURN(MemberRecord m, RequireMember(ctx.state, b.member, "member", {}, true));
  if (b.reinstate && !m.suspended) {
    return Status::Error(Reason::kTxInvalidValue, "member \"" + b.member + "\" is not suspended");
  }
  if (b.keys) CONSENTD_RETURN_IF_ERROR(CheckKeysFree(ctx, *b.keys, b.member));

  // Validator membership: a suspended member validates nothing; the key may change or go.
  const bool was_validating = m.validator_key && !m.suspended;
  std::optional<FixedBytes<32>> new_key = m.validator_key;
  if (b.validator_key) {
    new_key.reset();
    if (*b.validator_key) {
      CONSENTD_RETURN_IF_ERROR(CheckValidatorKeyFree(ctx, **b.validator_key, b.member));
      new_key = (*b.validator_key)->bytes();
    }
  }
  const bool suspended_after = m.suspended && !b.reinstate;
  const bool will_validate = new_key && !suspended_after;
  if (was_validating != will_validate || (was_validating && new_key != m.validator_key)) {
    CONSENTD_RETURN_IF_ERROR(ChangeValidators(ctx, was_validating ? m.validator_key : std::nullopt,
                                              will_validate ? new_key : std::nullopt));
  }
  if (b.validator_key) {
    if (m.validator_key) ctx.state.Delete(keys::ValidatorKey(*m.validator_key));
    if (new_key) ctx.state.PutRaw(keys::ValidatorKey(*new_key), b.member);
    m.validator_key = new_key;
  }
  if (b.keys) {
    for (const auto& k : m.keys) ctx.state.Delete(keys::MemberKey(k));
    m.keys.clear();
    for (const auto& k : *b.keys) {
      m.keys.push_back(k.bytes());
      ctx.state.PutRaw(keys::MemberKey(k.bytes()), b.member);
    }
  }
  if (b.roles) m.roles = *b.roles;
  if (b.jurisdiction) m.jurisdiction = *b.jurisdiction;
  if (b.reinstate) {
    m.suspended = false;
    m.events.push_back(Event(ctx, MemberEventKind::kReinstated));
  } else {
    m.events.push_back(Event(ctx, MemberEventKind::kUpdated));
  }
  ctx.state.PutMember(m);
  return Status::Ok();
}

Status ExecMemberSuspend(ExecContext& ctx, const MemberSuspend& b) {
  CONSENTD_ASSIGN_OR_RETURN(MemberRecord m, RequireMember(ctx.state, b.member, "member", {}, true));
  if (m.suspended)
    return Status::Error(Reason::kMemberSuspended,
                         "member \"" + b.member + "\" is already suspended");
  CONSENTD_ASSIGN_OR_RETURN(auto signers, Signers::Resolve(ctx.tx, ctx.state));
  // A regulator alone may suspend a member that is not itself a regulator.
  bool by_regulator = false;
  if (!m.HasRole("regulator")) {
    CONSENTD_ASSIGN_OR_RETURN(std::string regulator, ClaimRegulators(ctx, signers));
    by_regulator = !regulator.empty();
  }
  if (by_regulator) {
    CONSENTD_RETURN_IF_ERROR(signers.NoOthers());
  } else {
    CONSENTD_RETURN_IF_ERROR(RequireGovernance(ctx, signers));
  }
  if (m.validator_key) {
    CONSENTD_RETURN_IF_ERROR(ChangeValidators(ctx, m.validator_key, std::nullopt));
  }
  m.suspended = true;
  m.events.push_back(Event(ctx, MemberEventKind::kSuspended, b.reason));
  ctx.state.PutMember(m);
  return Status::Ok();
}

}  // namespace consentd::ledger::exec
