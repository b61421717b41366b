#include "consensus/test_util.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "consensus/sign_bytes.h"
#include "crypto/sha256.h"

namespace consentd::consensus::testing {

crypto::PrivateKey TestKey(std::uint32_t i) {
  const Hash256 secret = crypto::Sha256("consentd test key " + std::to_string(i));
  return std::move(crypto::PrivateKey::FromBytes(secret)).value();
}

std::vector<crypto::PrivateKey> TestKeys(std::size_t n) {
  std::vector<crypto::PrivateKey> keys;
  for (std::size_t i = 0; i < n; ++i) keys.push_back(TestKey(static_cast<std::uint32_t>(i)));
  return keys;
}

std::vector<crypto::PrivateKey> SortedTestKeys(std::size_t n) {
  std::vector<crypto::PrivateKey> keys = TestKeys(n);
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.public_key() < b.public_key(); });
  return keys;
}

ValidatorSet SetOf(const std::vector<crypto::PrivateKey>& keys) {
  std::vector<crypto::PublicKey> pubs;
  for (const auto& k : keys) pubs.push_back(k.public_key());
  return std::move(ValidatorSet::Create(pubs)).value();
}

Vote SignVote(const crypto::PrivateKey& key, VoteType type, std::uint64_t height,
              std::uint32_t round, const std::optional<Hash256>& block_id) {
  const Hash256 hash = VoteSignHash(kChain, type, height, round, block_id);
  return Vote{type, height, round, block_id, key.public_key(), key.SignWithAux(hash, {})};
}

Proposal SignProposal(const crypto::PrivateKey& key, std::uint64_t height, std::uint32_t round,
                      std::int32_t pol_round, const Bytes& block) {
  const Hash256 id = IdOf(block);
  const Hash256 hash = ProposalSignHash(kChain, height, round, pol_round, id);
  return Proposal{height, round, pol_round, id, block, key.public_key(), key.SignWithAux(hash, {})};
}

Bytes Payload(std::uint64_t height, const std::string& tag) {
  const std::string text = "block " + std::to_string(height) + " " + tag;
  return Bytes(text.begin(), text.end());
}

Hash256 IdOf(const Bytes& payload) { return crypto::Sha256(payload); }

ProposedBlock TestApp::BuildProposal(std::uint64_t height, std::int64_t) {
  ++built;
  Bytes payload = Payload(height, tag + " " + std::to_string(built));
  return ProposedBlock{IdOf(payload), payload};
}

Result<Hash256> TestApp::ValidateProposal(std::uint64_t height, ByteSpan payload, std::int64_t) {
  ++validated;
  const std::string text(AsChars(payload));
  const std::string prefix = "block " + std::to_string(height) + " ";
  if (text.rfind(prefix, 0) != 0 || text.find("bad") != std::string::npos) {
    return Status::Error(Reason::kBlockMalformed, "invalid payload " + text);
  }
  return crypto::Sha256(payload);
}

std::vector<Vote> BroadcastVotes(const std::vector<Action>& actions) {
  std::vector<Vote> out;
  for (const Broadcast& b : All<Broadcast>(actions)) {
    if (const Vote* v = std::get_if<Vote>(&b.message)) out.push_back(*v);
  }
  return out;
}

std::vector<Proposal> BroadcastProposals(const std::vector<Action>& actions) {
  std::vector<Proposal> out;
  for (const Broadcast& b : All<Broadcast>(actions)) {
    if (const Proposal* p = std::get_if<Proposal>(&b.message)) out.push_back(*p);
  }
  return out;
}

std::string PersistChecker::Check(const std::vector<Action>& actions) {
  for (const Action& a : actions) {
    if (const auto* p = std::get_if<PersistSafetyState>(&a)) {
      persisted_.push_back(p->state.signature);
      continue;
    }
    const Message* m = nullptr;
    if (const auto* b = std::get_if<Broadcast>(&a)) m = &b->message;
    if (const auto* s = std::get_if<SendTo>(&a)) m = &s->message;
    if (m == nullptr) continue;
    const auto* vote = std::get_if<Vote>(m);
    const auto* prop = std::get_if<Proposal>(m);
    const crypto::PublicKey& signer = vote ? vote->validator : prop->proposer;
    if (!(signer == self_)) continue;
    const crypto::SignatureBytes& sig = vote ? vote->signature : prop->signature;
    if (std::find(persisted_.begin(), persisted_.end(), sig) == persisted_.end()) {
      return "a message signed by this replica was sent before its signature was persisted";
    }
  }
  return "";
}

ReplicaConfig MakeConfig(const crypto::PrivateKey& key, const TimeoutParams& timeouts) {
  ReplicaConfig config;
  config.chain_id = kChain;
  config.signer =
      std::make_unique<LocalSigner>(std::move(crypto::PrivateKey::FromBytes(key.secret())).value(),
                                    LocalSigner::Aux::kDeterministic);
  config.timeouts = timeouts;
  return config;
}

TimeoutParams TestTimeouts() {
  TimeoutParams t;
  t.propose_base = 1000;
  t.propose_delta = 100;
  t.prevote_base = 300;
  t.prevote_delta = 10;
  t.precommit_base = 200;
  t.precommit_delta = 20;
  t.max_timeout = 1500;
  t.commit_wait = 50;
  t.empty_block_interval = 700;
  return t;
}

Harness::Harness(std::size_t n, std::size_t me, TimeoutParams timeouts, SafetyState restored,
                 std::uint64_t start_height)
    : keys_(SortedTestKeys(n)),
      set_(SetOf(keys_)),
      app_(set_),
      checker_(keys_[me].public_key()),
      disk_(restored) {
  checker_.AlreadyPersisted(restored.signature);
  replica_ =
      std::make_unique<Replica>(MakeConfig(keys_[me], timeouts), &app_, restored, start_height);
}

std::vector<Action> Harness::Start() {
  // As the driver does: a mempool already holding txs says so before the replica starts.
  if (txs_pending) Handle(TxsAvailable{now});
  return Handle(consensus::Start{now});
}

std::vector<Action> Harness::Handle(const Event& event) {
  std::vector<Action> actions = replica_->Handle(event);
  const std::string problem = checker_.Check(actions);
  EXPECT_EQ(problem, "");
  bool committed = false;
  for (const Action& a : actions) {
    if (const auto* p = std::get_if<PersistSafetyState>(&a)) disk_ = p->state;
    if (const auto* t = std::get_if<ScheduleTimeout>(&a)) {
      timers_.push_back(Timer{now + t->duration_ms, t->height, t->round, t->step});
    }
    if (const auto* c = std::get_if<Commit>(&a)) {
      commits.push_back(*c);
      committed = true;
    }
  }
  // As the driver does after applying a commit that left txs in the mempool.
  if (committed && txs_pending) {
    std::vector<Action> more = Handle(TxsAvailable{now});
    actions.insert(actions.end(), more.begin(), more.end());
  }
  return actions;
}

std::vector<Action> Harness::VoteFrom(std::size_t i, VoteType type, std::uint32_t round,
                                      const std::optional<Hash256>& id, std::uint64_t height) {
  return Deliver(SignVote(keys_[i], type, height == 0 ? replica_->height() : height, round, id), i);
}

std::vector<Action> Harness::ProposeFrom(std::size_t i, std::uint32_t round, std::int32_t pol_round,
                                         const Bytes& payload, std::uint64_t height) {
  return Deliver(
      SignProposal(keys_[i], height == 0 ? replica_->height() : height, round, pol_round, payload),
      i);
}

std::vector<Action> Harness::Deliver(const Message& m, PeerId from) {
  if (const auto* p = std::get_if<Proposal>(&m)) return Handle(ProposalReceived{now, *p, from});
  return Handle(VoteReceived{now, std::get<Vote>(m), from});
}

std::vector<Action> Harness::Replay(const Message& m) {
  checker_.AlreadyPersisted(
      std::visit([](const auto& x) -> const crypto::SignatureBytes& { return x.signature; }, m));
  return Deliver(m, /*from=*/0);
}

std::vector<Action> Harness::FireNextTimer() {
  if (timers_.empty()) {
    ADD_FAILURE() << "no timer pending";
    return {};
  }
  auto it = std::min_element(timers_.begin(), timers_.end(),
                             [](const Timer& a, const Timer& b) { return a.at < b.at; });
  const Timer t = *it;
  timers_.erase(it);
  now = std::max(now, t.at);
  return Handle(TimeoutFired{now, t.height, t.round, t.step});
}

std::vector<Action> Harness::FireUntil(Step step, int limit) {
  std::vector<Action> all;
  for (int i = 0; i < limit && !timers_.empty(); ++i) {
    auto it = std::min_element(timers_.begin(), timers_.end(),
                               [](const Timer& a, const Timer& b) { return a.at < b.at; });
    const bool target =
        it->step == step && it->round == replica_->round() && it->height == replica_->height();
    std::vector<Action> got = FireNextTimer();
    all.insert(all.end(), got.begin(), got.end());
    if (target) break;
  }
  return all;
}

bool Harness::HasTimer(std::uint64_t height, std::uint32_t round, Step step) const {
  return std::any_of(timers_.begin(), timers_.end(), [&](const Timer& t) {
    return t.height == height && t.round == round && t.step == step;
  });
}

}  // namespace consentd::consensus::testing
