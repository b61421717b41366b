#pragma once

// Helpers for the consensus unit tests: deterministic keys, signed messages, a small
// application, and accessors for action lists.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/actions.h"
#include "consensus/application.h"
#include "consensus/messages.h"
#include "consensus/replica.h"
#include "consensus/validator_set.h"
#include "crypto/schnorr.h"

namespace consentd::consensus::testing {

inline constexpr char kChain[] = "consentd-test";

// Deterministic key number i (secret = SHA-256("consentd test key <i>")).
crypto::PrivateKey TestKey(std::uint32_t i);
std::vector<crypto::PrivateKey> TestKeys(std::size_t n);
// The keys ordered as the validator set orders them (so keys[i] is validator index i).
std::vector<crypto::PrivateKey> SortedTestKeys(std::size_t n);
ValidatorSet SetOf(const std::vector<crypto::PrivateKey>& keys);

Vote SignVote(const crypto::PrivateKey& key, VoteType type, std::uint64_t height,
              std::uint32_t round, const std::optional<Hash256>& block_id);
Proposal SignProposal(const crypto::PrivateKey& key, std::uint64_t height, std::uint32_t round,
                      std::int32_t pol_round, const Bytes& block);

// Payloads are "block <height> <tag>"; ids are their SHA-256. A payload containing "bad" is
// invalid.
Bytes Payload(std::uint64_t height, const std::string& tag);
Hash256 IdOf(const Bytes& payload);

class TestApp : public Application {
 public:
  explicit TestApp(ValidatorSet validators) : validators_(std::move(validators)) {}

  ProposedBlock BuildProposal(std::uint64_t height, std::int64_t time_ms) override;
  Result<Hash256> ValidateProposal(std::uint64_t height, ByteSpan payload,
                                   std::int64_t time_ms) override;
  const ValidatorSet& ValidatorsFor(std::uint64_t) override { return validators_; }

  std::string tag = "own";
  int built = 0;
  int validated = 0;

 private:
  ValidatorSet validators_;
};

// Typed views of an action list.
template <typename T>
std::vector<T> All(const std::vector<Action>& actions) {
  std::vector<T> out;
  for (const Action& a : actions) {
    if (const T* t = std::get_if<T>(&a)) out.push_back(*t);
  }
  return out;
}
// Votes broadcast in `actions` (own and relayed).
std::vector<Vote> BroadcastVotes(const std::vector<Action>& actions);
std::vector<Proposal> BroadcastProposals(const std::vector<Action>& actions);
// Checks the persist-before-send rule over successive action lists of one replica: every
// broadcast or sent message signed by `self` carries a signature that a PersistSafetyState
// earlier in the same list, or in an earlier list, recorded. Returns a description of the
// first violation, or "".
class PersistChecker {
 public:
  explicit PersistChecker(crypto::PublicKey self) : self_(std::move(self)) {}
  // A signature already durable before the checked lists (a restored state's).
  void AlreadyPersisted(const crypto::SignatureBytes& sig) { persisted_.push_back(sig); }
  std::string Check(const std::vector<Action>& actions);
  std::size_t persisted() const { return persisted_.size(); }

 private:
  crypto::PublicKey self_;
  std::vector<crypto::SignatureBytes> persisted_;
};

ReplicaConfig MakeConfig(const crypto::PrivateKey& key, const TimeoutParams& timeouts = {});

// Small, distinct timeouts so tests can tell the steps apart.
TimeoutParams TestTimeouts();

// One replica under test (validator `me` of n, keys sorted so index i is validator i) whose
// peers are played by the test: it signs their messages and fires the replica's timers on a
// virtual clock. Every action list is checked for the persist-before-send rule.
class Harness {
 public:
  Harness(std::size_t n, std::size_t me, TimeoutParams timeouts = TestTimeouts(),
          SafetyState restored = {}, std::uint64_t start_height = 1);

  std::vector<Action> Handle(const Event& event);
  // Starts the replica, telling it first that txs wait when `txs_pending`.
  std::vector<Action> Start();
  std::vector<Action> VoteFrom(std::size_t i, VoteType type, std::uint32_t round,
                               const std::optional<Hash256>& id, std::uint64_t height = 0);
  std::vector<Action> ProposeFrom(std::size_t i, std::uint32_t round, std::int32_t pol_round,
                                  const Bytes& payload, std::uint64_t height = 0);
  std::vector<Action> Deliver(const Message& m, PeerId from = 100);
  // One of this replica's own messages from an earlier life, as the driver replays its WAL
  // (durable already, so sending it again is allowed).
  std::vector<Action> Replay(const Message& m);
  // Advances the clock to the earliest pending timer and fires it.
  std::vector<Action> FireNextTimer();
  // Fires timers until one for `step` of the current round has fired (at most `limit`).
  std::vector<Action> FireUntil(Step step, int limit = 20);
  bool HasTimer(std::uint64_t height, std::uint32_t round, Step step) const;

  // The persisted state as the driver would have stored it (the last PersistSafetyState).
  const SafetyState& disk() const { return disk_; }
  const crypto::PrivateKey& key(std::size_t i) const { return keys_[i]; }
  const ValidatorSet& set() const { return set_; }
  Replica& replica() { return *replica_; }
  TestApp& app() { return app_; }
  std::vector<Commit> commits;

  std::int64_t now = 0;
  // The mempool the harness plays always holds txs: it feeds TxsAvailable at Start and after
  // every commit, as the driver would. False: it never does (tests feed their own).
  bool txs_pending = true;

 private:
  struct Timer {
    std::int64_t at;
    std::uint64_t height;
    std::uint32_t round;
    Step step;
  };

  std::vector<crypto::PrivateKey> keys_;
  ValidatorSet set_;
  TestApp app_;
  std::unique_ptr<Replica> replica_;
  PersistChecker checker_;
  SafetyState disk_;
  std::vector<Timer> timers_;
};

}  // namespace consentd::consensus::testing
