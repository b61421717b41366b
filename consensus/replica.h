#pragma once

// Replica: the consensus state machine of one validator, Tendermint's Algorithm 1 (Buchman,
// Kwon, Milosevic 2018, arXiv 1807.04938) with locking, valid values and round skipping.
// docs/CONSENSUS.md explains the protocol as implemented.
//
// Pure: Handle(event) -> actions. No sockets, threads, clocks, randomness, storage or
// exceptions inside; time arrives in every event, the application is called synchronously
// (consensus/application.h) and the signer is injected (consensus/signer.h). The driver
// executes the returned actions in order (consensus/actions.h). Every buffer is bounded by
// ReplicaLimits, whatever byzantine peers send.
//
// Thread-compatible: one thread at a time calls Handle.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/actions.h"
#include "consensus/application.h"
#include "consensus/drop_reason.h"
#include "consensus/events.h"
#include "consensus/params.h"
#include "consensus/round_table.h"
#include "consensus/safety.h"
#include "consensus/signer.h"
#include "consensus/validator_set.h"
#include "consensus/verifier.h"

namespace consentd::consensus {

struct ReplicaLimits {
  std::size_t max_rounds = 64;                      // rounds up to the current one kept
  std::size_t max_future_rounds_per_validator = 4;  // rounds above it, per validator
  std::size_t max_buffered_per_validator = 8;       // next-height messages held per validator
  std::size_t max_own_rounds = 8;                   // rounds whose own messages are re-sent
  std::size_t max_peers_tracked = 64;               // peers remembered for sync and replies
  // Minimum gap between two block requests, or two catch-up replies, to one peer.
  std::int64_t resend_interval_ms = 1000;
};

#ifdef CONSENTD_UNSAFE_VARIANTS
// Deliberately broken rules, compiled only into the test library consentd_consensus_unsafe, so
// the simulator can show that its invariants catch them.
enum class UnsafeVariantForTest {
  kNone,
  kIgnoreLocks,         // prevote for any valid proposal, whatever the lock
  kCommitOnWeakQuorum,  // commit on f + 1 precommits instead of 2f + 1
  kSkipSignerCheck,     // accept votes without verifying their signature
};
#endif

struct ReplicaConfig {
  std::string chain_id;
  std::unique_ptr<Signer> signer;  // the validator's key; required
  // Checks the signatures of received messages; null: each one is verified directly. Shared
  // ownership: replicas in one process may share one (consensus/verifier.h).
  std::shared_ptr<SignatureVerifier> verifier;
  // Remembers certificates whose signatures verified, shared with whoever checks them again
  // (the node's ledger at commit); null: none remembered.
  CertificateCache* certificate_cache = nullptr;
  TimeoutParams timeouts;
  ReplicaLimits limits;
#ifdef CONSENTD_UNSAFE_VARIANTS
  UnsafeVariantForTest unsafe_variant_for_test = UnsafeVariantForTest::kNone;
#endif
};

class Replica {
 public:
  // `restored` is the persisted SafetyState (default: never signed); `start_height` the next
  // height to decide (the store's height + 1). When restored.height == start_height the replica
  // resumes at restored.round with the restored lock (the locked payload itself is not known).
  // REQUIRES: config.signer, app outlives the replica, 1 <= start_height <= 2^53 - 1.
  Replica(ReplicaConfig config, Application* app, SafetyState restored, std::uint64_t start_height);

  std::vector<Action> Handle(const Event& event);

  std::uint64_t height() const { return height_; }
  std::uint32_t round() const { return round_; }
  Step step() const { return step_; }
  std::int32_t locked_round() const { return locked_round_; }
  const std::optional<Hash256>& locked_block_id() const { return locked_id_; }
  std::int32_t valid_round() const { return valid_round_; }
  const SafetyState& safety_state() const { return safety_; }
  std::uint64_t dropped(DropReason reason) const {
    return drops_[static_cast<std::size_t>(reason)];
  }
  // Signatures the safety rules refused (non-zero only after a restart or a bug).
  std::uint64_t refused_signatures() const { return refused_signatures_; }

 private:
  struct Inbound {
    Message message;
    PeerId from;
    bool verified;  // signature already checked
  };

  void On(const Start& e);
  void On(const ProposalReceived& e);
  void On(const VoteReceived& e);
  void On(const TimeoutFired& e);
  void On(const TxsAvailable& e);
  void On(const BlockReceived& e);

  // Message intake.
  void Receive(Inbound in);
  void AdoptOwn(const Message& m, std::uint32_t round, bool verified);
  bool Route(Inbound& in, std::uint64_t height, const crypto::PublicKey& signer);
  void ReceiveProposal(const Proposal& p, PeerId from, bool verified);
  void ReceiveVote(const Vote& v, PeerId from, bool verified);

  // The rules of Algorithm 1, applied until nothing changes.
  void Evaluate();
  bool TryCommit();
  void RestoreLockedValue();
  bool TryPrevote();
  bool TryPolka();
  void ArmTimeouts();

  // State changes.
  void LoadHeight();
  void StartRound(std::uint32_t round);
  bool Propose();
  void CastVote(VoteType type, const std::optional<Hash256>& block_id);
  void CommitBlock(Bytes payload, CommitCertificate cert);
  void ResetForHeight(std::uint64_t height);
  std::optional<crypto::SignatureBytes> SignGuarded(Step step, const Hash256& sign_hash);

  // Output helpers.
  void Emit(Action action) { actions_.push_back(std::move(action)); }
  void Schedule(Step step, std::int64_t duration_ms);
  void SetProposeTimeout(std::int64_t duration_ms);
  void SendOwn(Message m);
  void Retransmit();
  void ReplyToLaggard(PeerId peer, std::uint64_t their_height, std::uint32_t their_round);
  void AppendRoundChange(std::uint32_t their_round, std::vector<Message>& out) const;
  void NoteAhead(PeerId peer, std::uint64_t their_height);
  void RequestBlockFrom(PeerId peer);
  bool RateLimitOk(std::map<std::pair<PeerId, std::int64_t>, std::int64_t>& last, PeerId peer,
                   std::int64_t key);
  void Drop(DropReason reason) { ++drops_[static_cast<std::size_t>(reason)]; }

  // Signature checks, through config_.verifier when there is one.
  bool SignatureValid(const crypto::PublicKey& key, const Hash256& sign_hash,
                      const crypto::SignatureBytes& signature) const;
  bool SignatureValid(const Proposal& p) const;
  bool SignatureValid(const Vote& v) const;
  bool SignatureValid(const Message& m) const;
  bool IsProposer(std::uint32_t round) const;
  std::size_t CommitThreshold() const;
  bool IgnoreLocks() const;
  bool SkipSignerCheck() const;

  ReplicaConfig config_;
  Application* app_;
  crypto::PublicKey self_;
  SafetyState safety_;

  // Position.
  std::uint64_t height_;
  std::uint32_t round_ = 0;
  Step step_ = Step::kPropose;
  std::uint32_t initial_round_ = 0;  // where Start resumes after a restart
  bool started_ = false;             // Start received
  bool loaded_ = false;              // validator set of height_ loaded
  bool round_started_ = false;       // false during commit_wait and before Start
  std::int64_t now_ = 0;

  // Algorithm 1 state for height_.
  std::optional<ValidatorSet> valset_;
  std::optional<std::size_t> self_index_;
  std::optional<RoundTable> table_;
  std::int32_t locked_round_ = -1;
  std::optional<Hash256> locked_id_;
  std::int32_t valid_round_ = -1;
  std::optional<ProposedBlock> valid_block_;
  std::vector<Vote> valid_polka_;  // the prevotes that made valid_block_ valid, re-sent with it
  bool polka_seen_ = false;        // rule 36 fired in this round
  bool waiting_for_txs_ = false;   // round-0 proposer pacing empty blocks
  bool txs_pending_ = false;       // a TxsAvailable since this height began
  std::int64_t propose_deadline_ = 0;
  std::optional<std::int64_t> prevote_deadline_;
  std::optional<std::int64_t> precommit_deadline_;

  // Re-sending and catching up.
  std::map<std::uint32_t, std::vector<Message>> own_;  // own messages by round, this height
  std::optional<CommitCertificate> last_commit_;
  std::vector<Inbound> buffered_;          // for the next height (or this one, before it is loaded)
  std::map<PeerId, std::uint64_t> ahead_;  // peers seen at a higher height, and that height
  std::map<std::pair<PeerId, std::int64_t>, std::int64_t> requests_;  // (peer, height) -> ms
  std::map<std::pair<PeerId, std::int64_t>, std::int64_t> replies_;   // (peer, round) -> ms

  std::vector<Action> actions_;
  std::array<std::uint64_t, kDropReasonCount> drops_{};
  std::uint64_t refused_signatures_ = 0;
};

}  // namespace consentd::consensus
