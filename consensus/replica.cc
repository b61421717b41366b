#include "consensus/replica.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "common/json.h"
#include "consensus/sign_bytes.h"

namespace consentd::consensus {
namespace {

// replies_ keys: a round of this height, -1 for an older height, kRelayKey for relayed votes.
constexpr std::int64_t kRelayKey = -2;

}  // namespace

Replica::Replica(ReplicaConfig config, Application* app, SafetyState restored,
                 std::uint64_t start_height)
    : config_(std::move(config)),
      app_(app),
      self_(config_.signer->public_key()),
      safety_(std::move(restored)),
      height_(start_height) {
  assert(app_ != nullptr);
  assert(start_height >= 1 && start_height <= static_cast<std::uint64_t>(kJsonMaxSafeInteger));
  if (safety_.height == start_height) {
    // Restarted inside the height it was deciding: resume in the round it last signed in and
    // honour its lock. Its own earlier messages and the locked payload are gone; the safety
    // rules make sure that it cannot sign anything that conflicts with them.
    initial_round_ = safety_.round;
    locked_round_ = safety_.locked_round;
    locked_id_ = safety_.locked_block_id;
  }
}

std::vector<Action> Replica::Handle(const Event& event) {
  actions_.clear();
  now_ = std::visit([](const auto& e) { return e.now_ms; }, event);
  LoadHeight();
  std::visit([this](const auto& e) { On(e); }, event);
  return std::exchange(actions_, {});
}

// ---------------------------------------------------------------------------------------------
// Events

void Replica::On(const Start&) {
  if (started_) return;
  started_ = true;
  if (loaded_ && !round_started_) StartRound(initial_round_);
  Evaluate();
}

void Replica::On(const ProposalReceived& e) { Receive({e.proposal, e.from, false}); }

void Replica::On(const VoteReceived& e) { Receive({e.vote, e.from, false}); }

void Replica::On(const TimeoutFired& e) {
  if (e.height != height_ || !loaded_ || !started_) return;
  for (const auto& [peer, their_height] : ahead_) {
    if (their_height > height_) RequestBlockFrom(peer);
  }
  if (!round_started_) {
    // The commit_wait pause after the previous height is over.
    if (e.round == 0 && e.step == Step::kPropose) StartRound(initial_round_);
    Evaluate();
    return;
  }
  if (e.round != round_) return;
  switch (e.step) {
    case Step::kPropose:
      if (step_ != Step::kPropose || now_ < propose_deadline_) break;  // superseded timer
      if (waiting_for_txs_) {
        if (!Propose()) SetProposeTimeout(config_.timeouts.Duration(Step::kPropose, round_));
      } else {
        CastVote(VoteType::kPrevote, std::nullopt);  // OnTimeoutPropose
      }
      break;
    case Step::kPrevote:
      if (step_ != Step::kPrevote) break;
      if (prevote_deadline_) {
        if (now_ >= *prevote_deadline_) CastVote(VoteType::kPrecommit, std::nullopt);
        break;
      }
      // Waiting for 2f + 1 prevotes: messages may have been lost, so re-send ours.
      Retransmit();
      Schedule(Step::kPrevote, config_.timeouts.Duration(Step::kPrevote, round_));
      break;
    case Step::kPrecommit:
      if (precommit_deadline_) {
        if (now_ >= *precommit_deadline_ && round_ < std::numeric_limits<std::uint32_t>::max()) {
          StartRound(round_ + 1);  // OnTimeoutPrecommit
        }
        break;
      }
      if (step_ != Step::kPrecommit) break;
      Retransmit();
      Schedule(Step::kPrecommit, config_.timeouts.Duration(Step::kPrecommit, round_));
      break;
  }
  Evaluate();
}

void Replica::On(const TxsAvailable&) {
  txs_pending_ = true;
  if (!loaded_ || !round_started_ || round_ != 0 || step_ != Step::kPropose) return;
  if (waiting_for_txs_) {
    if (!Propose()) SetProposeTimeout(config_.timeouts.Duration(Step::kPropose, 0));
    Evaluate();
    return;
  }
  // Non-proposer: the proposer will not wait for the empty-block interval any more.
  const std::int64_t shorter = config_.timeouts.Duration(Step::kPropose, 0);
  if (now_ + shorter < propose_deadline_) SetProposeTimeout(shorter);
}

void Replica::On(const BlockReceived& e) {
  if (!loaded_ || e.height != height_) return Drop(DropReason::kStaleBlock);
  const CommitCertificate& cert = e.certificate;
  if (!VerifyCertificateFor(cert, config_.chain_id, *valset_, height_, cert.block_id,
                            config_.certificate_cache)
           .ok()) {
    return Drop(DropReason::kBadBlock);
  }
  const Result<Hash256> id = app_->ValidateCertified(height_, e.payload, cert.block_id, now_);
  if (!id.ok() || *id != cert.block_id) return Drop(DropReason::kBadBlock);
  CommitBlock(e.payload, cert);
}

// ---------------------------------------------------------------------------------------------
// Message intake

void Replica::Receive(Inbound in) {
  if (const auto* p = std::get_if<Proposal>(&in.message)) {
    if (!Route(in, p->height, p->proposer)) return;
    if (p->proposer == self_) AdoptOwn(in.message, p->round, in.verified);
    ReceiveProposal(*p, in.from, in.verified);
  } else {
    const Vote& v = std::get<Vote>(in.message);
    if (!Route(in, v.height, v.validator)) return;
    if (v.validator == self_) AdoptOwn(in.message, v.round, in.verified);
    ReceiveVote(v, in.from, in.verified);
  }
}

// One of our own messages of this height arriving from outside: the driver replaying its WAL
// after a restart (or a peer echoing it). Peers may have missed it, and the safety state refuses
// to sign an earlier step of the round again, so without this a restarted validator could stay
// silent for the rest of the round while the others wait for its prevote. It is re-sent like
// the messages signed in this life (identical bytes, so always safe).
void Replica::AdoptOwn(const Message& m, std::uint32_t round, bool verified) {
  if (const auto it = own_.find(round);
      it != own_.end() && std::find(it->second.begin(), it->second.end(), m) != it->second.end()) {
    return;
  }
  if (verified || SignatureValid(m)) own_[round].push_back(m);
}

// True when the message is for the height being decided; otherwise handles it here: replies
// to a peer that is behind, notes a peer that is ahead, and keeps next-height messages.
bool Replica::Route(Inbound& in, std::uint64_t height, const crypto::PublicKey& signer) {
  if (height == height_ && loaded_) return true;
  if (height < height_) {
    Drop(DropReason::kOldHeight);
    ReplyToLaggard(in.from, height, 0);
    return false;
  }
  if (height > height_) NoteAhead(in.from, height);
  if (!valset_ || !valset_->Contains(signer)) {
    Drop(DropReason::kUnknownValidator);
    return false;
  }
  std::size_t held = 0;
  for (const Inbound& b : buffered_) {
    if (b.message == in.message) {
      Drop(DropReason::kDuplicate);  // re-sent while we wait: keep one copy
      return false;
    }
    const auto* p = std::get_if<Proposal>(&b.message);
    held += (p ? p->proposer : std::get<Vote>(b.message).validator) == signer ? 1 : 0;
  }
  if (height > height_ + 1 || held >= config_.limits.max_buffered_per_validator) {
    Drop(DropReason::kFutureHeight);
    return false;
  }
  // The signature does not depend on the validator set, so check it now: forged messages
  // cannot take an honest validator's buffer slots.
  if (!in.verified && !SkipSignerCheck() && !SignatureValid(in.message)) {
    Drop(DropReason::kBadSignature);
    return false;
  }
  in.verified = true;
  buffered_.push_back(std::move(in));
  return false;
}

void Replica::ReceiveProposal(const Proposal& p, PeerId from, bool verified) {
  const std::uint32_t r = p.round;
  if (r < round_) ReplyToLaggard(from, height_, r);
  if (!(p.proposer == valset_->Proposer(height_, r))) return Drop(DropReason::kWrongProposer);
  if (p.pol_round < -1 || p.pol_round >= static_cast<std::int64_t>(r)) {
    return Drop(DropReason::kBadPolRound);
  }
  const std::size_t index = valset_->ProposerIndex(height_, r);
  if (!table_->Admit(r, index)) return Drop(DropReason::kRoundQuota);
  if (const RoundTable::Round* known = table_->Find(r); known && known->proposal) {
    const Proposal& have = known->proposal->proposal;
    const bool same = have.block_id == p.block_id && have.pol_round == p.pol_round;
    return Drop(same ? DropReason::kDuplicate : DropReason::kConflictingProposal);
  }
  if (!verified && !SignatureValid(p)) return Drop(DropReason::kBadSignature);
  RoundTable::Round* round = table_->Open(r);
  if (round == nullptr) return Drop(DropReason::kRoundQuota);
  const Result<Hash256> id = app_->ValidateProposal(height_, p.block, now_);
  round->proposal = ReceivedProposal{p, id.ok() && *id == p.block_id};
  table_->MarkSender(r, index);
  Evaluate();
}

void Replica::ReceiveVote(const Vote& v, PeerId from, bool verified) {
  const std::optional<std::size_t> index = valset_->IndexOf(v.validator);
  if (!index) return Drop(DropReason::kUnknownValidator);
  if (v.round < round_) ReplyToLaggard(from, height_, v.round);
  if (!table_->Admit(v.round, *index)) return Drop(DropReason::kRoundQuota);
  if (const RoundTable::Round* known = table_->Find(v.round);
      known && known->Votes(v.type).Has(*index, v.block_id)) {
    return Drop(DropReason::kDuplicate);
  }
  if (!verified && !SkipSignerCheck() && !SignatureValid(v)) {
    return Drop(DropReason::kBadSignature);
  }
  RoundTable::Round* round = table_->Open(v.round);
  if (round == nullptr) return Drop(DropReason::kRoundQuota);
  VoteSet& set = round->Votes(v.type);
  // An equivocator's second vote still counts for its value when that value matters (see
  // vote_set.h): otherwise it could hide a polka that honest validators locked on.
  const bool matters = !v.block_id || table_->Proposed(v.round, *v.block_id);
  const VoteSet::Outcome outcome = set.Add(*index, v, matters);
  if (outcome.result == VoteSet::AddResult::kDuplicate) return Drop(DropReason::kDuplicate);
  if (outcome.result == VoteSet::AddResult::kConflict) Emit(Evidence{*set.Get(*index), v});
  if (!outcome.counted) return;
  table_->MarkSender(v.round, *index);
  const std::uint64_t height = height_;
  Evaluate();
  // A commit quorum whose block we never received: the peer that completed it most likely
  // has the block (or soon will), so fetch it with its certificate.
  if (height_ != height || v.type != VoteType::kPrecommit) return;
  const RoundTable::Round* now_round = table_->Find(v.round);  // Evaluate may evict rounds
  if (now_round == nullptr) return;
  const std::optional<Hash256> id = now_round->precommits.BlockWith(CommitThreshold());
  if (id && table_->FindValidProposal(*id) == nullptr) RequestBlockFrom(from);
}

// ---------------------------------------------------------------------------------------------
// Algorithm 1

void Replica::Evaluate() {
  // Each pass that does not return moves the replica to a later step or round, so a handful of
  // passes always suffice; the bound only guards against a bug turning into a hang.
  for (int pass = 0; pass < 64 && loaded_; ++pass) {
    if (TryCommit()) return;
    if (started_) {
      // Rule 55: f + 1 validators are in a higher round, so some honest one is.
      const auto skip = table_->HighestRoundWithSenders(valset_->WeakQuorum());
      if (skip) {
        StartRound(*skip);
        continue;
      }
    }
    if (!round_started_) return;
    RestoreLockedValue();
    if (step_ == Step::kPropose && TryPrevote()) continue;
    if (TryPolka()) continue;
    ArmTimeouts();
    return;
  }
}

// After a restart the lock comes back from the safety state, but the locked block only from
// the WAL's replay (or a peer). Once its proposal and the polka it was locked upon are here
// again, the locked block is this validator's valid value again, as it was when it locked: it
// re-proposes it with that polka, so validators locked in earlier rounds can unlock. Without
// this, validators locked on blocks whose bytes a crash took propose only new blocks that they
// themselves may not prevote, and the height can stall for good (found by the whole-node
// simulation, tests/sim/node_sim.cc). Liveness only: the value a proposer offers is always
// judged by each receiver's lock and the polka sent with it.
void Replica::RestoreLockedValue() {
  if (valid_block_ || locked_round_ < 0 || !locked_id_) return;
  const RoundTable::Round* round = table_->Find(static_cast<std::uint32_t>(locked_round_));
  if (round == nullptr || !round->proposal || !round->proposal->valid) return;
  const Proposal& p = round->proposal->proposal;
  if (p.block_id != *locked_id_ || round->prevotes.CountFor(p.block_id) < valset_->Quorum()) {
    return;
  }
  valid_round_ = locked_round_;
  valid_block_ = ProposedBlock{p.block_id, p.block};
  valid_polka_ = round->prevotes.VotesFor(p.block_id);
}

// Rule 49: a quorum of precommits for a block in any round, and we hold the valid block.
bool Replica::TryCommit() {
  for (const auto& [r, round] : table_->rounds()) {
    const std::optional<Hash256> id = round.precommits.BlockWith(CommitThreshold());
    if (!id) continue;
    const Proposal* proposal = table_->FindValidProposal(*id);
    if (proposal == nullptr) continue;  // wait for it, or for block sync
    CommitCertificate cert{height_, r, *id, {}};
    for (const Vote& v : round.precommits.VotesFor(id)) {
      cert.precommits.push_back(CertSignature{v.validator, v.signature});
    }
    std::sort(
        cert.precommits.begin(), cert.precommits.end(),
        [](const CertSignature& a, const CertSignature& b) { return a.validator < b.validator; });
    CommitBlock(proposal->block, std::move(cert));
    return true;
  }
  return false;
}

// Rules 22 and 28: prevote for the round's proposal if it is valid and the lock allows it.
bool Replica::TryPrevote() {
  const RoundTable::Round* round = table_->Find(round_);
  if (round == nullptr || !round->proposal) return false;
  const Proposal& p = round->proposal->proposal;
  bool lock_allows = false;
  if (p.pol_round < 0) {
    lock_allows = locked_round_ < 0 || locked_id_ == p.block_id;
  } else {
    const RoundTable::Round* pol = table_->Find(static_cast<std::uint32_t>(p.pol_round));
    if (pol == nullptr || pol->prevotes.CountFor(p.block_id) < valset_->Quorum()) return false;
    lock_allows = locked_round_ <= p.pol_round || locked_id_ == p.block_id;
  }
  const bool yes = round->proposal->valid && (lock_allows || IgnoreLocks());
  CastVote(VoteType::kPrevote, yes ? std::optional<Hash256>(p.block_id) : std::nullopt);
  return true;
}

// Rules 36 (polka for the proposal: lock and precommit, or just update the valid value) and
// 44 (polka for nil: precommit nil).
bool Replica::TryPolka() {
  const RoundTable::Round* round = table_->Find(round_);
  if (round == nullptr || step_ == Step::kPropose) return false;
  if (!polka_seen_ && round->proposal && round->proposal->valid) {
    const Proposal& p = round->proposal->proposal;
    if (round->prevotes.CountFor(p.block_id) >= valset_->Quorum()) {
      polka_seen_ = true;
      valid_round_ = static_cast<std::int32_t>(round_);
      valid_block_ = ProposedBlock{p.block_id, p.block};
      valid_polka_ = round->prevotes.VotesFor(p.block_id);
      if (step_ == Step::kPrevote) {
        locked_round_ = static_cast<std::int32_t>(round_);
        locked_id_ = p.block_id;
      }
      table_->SetKeep(locked_round_, valid_round_);
      if (step_ == Step::kPrevote) CastVote(VoteType::kPrecommit, p.block_id);
      return true;
    }
  }
  if (step_ == Step::kPrevote && round->prevotes.CountFor(std::nullopt) >= valset_->Quorum()) {
    CastVote(VoteType::kPrecommit, std::nullopt);
    return true;
  }
  return false;
}

// Rules 34 and 47: start the prevote / precommit timeouts once a quorum of any votes is in.
void Replica::ArmTimeouts() {
  const RoundTable::Round* round = table_->Find(round_);
  if (round == nullptr) return;
  if (step_ == Step::kPrevote && !prevote_deadline_ &&
      round->prevotes.Count() >= valset_->Quorum()) {
    const std::int64_t d = config_.timeouts.Duration(Step::kPrevote, round_);
    prevote_deadline_ = now_ + d;
    Schedule(Step::kPrevote, d);
  }
  if (!precommit_deadline_ && round->precommits.Count() >= valset_->Quorum()) {
    const std::int64_t d = config_.timeouts.Duration(Step::kPrecommit, round_);
    precommit_deadline_ = now_ + d;
    Schedule(Step::kPrecommit, d);
  }
}

// ---------------------------------------------------------------------------------------------
// State changes

void Replica::LoadHeight() {
  if (loaded_) return;
  loaded_ = true;
  valset_ = app_->ValidatorsFor(height_);
  self_index_ = valset_->IndexOf(self_);
  table_.emplace(valset_->size(), config_.limits.max_rounds,
                 config_.limits.max_future_rounds_per_validator);
  table_->SetCurrent(initial_round_);
  table_->SetKeep(locked_round_, valid_round_);
  round_ = initial_round_;
  std::vector<Inbound> held = std::exchange(buffered_, {});
  for (Inbound& in : held) {
    if (loaded_) {
      Receive(std::move(in));
    } else {
      buffered_.push_back(std::move(in));  // a replayed message completed the height
    }
  }
}

void Replica::StartRound(std::uint32_t round) {
  round_ = round;
  step_ = Step::kPropose;
  round_started_ = true;
  polka_seen_ = false;
  waiting_for_txs_ = false;
  prevote_deadline_.reset();
  precommit_deadline_.reset();
  table_->SetCurrent(round);
  while (own_.size() > config_.limits.max_own_rounds) own_.erase(own_.begin());
  if (IsProposer(round)) {
    if (valid_block_ || round > 0 || txs_pending_) {
      // Our own proposal normally moves us to prevote at once; the timer keeps a step without
      // one impossible should it not.
      if (Propose()) return SetProposeTimeout(config_.timeouts.Duration(Step::kPropose, round));
    } else {
      waiting_for_txs_ = true;  // pace empty blocks: TxsAvailable or the interval ends this
      SetProposeTimeout(config_.timeouts.empty_block_interval);
      return;
    }
  }
  std::int64_t d = config_.timeouts.Duration(Step::kPropose, round);
  if (round == 0 && !txs_pending_) d += config_.timeouts.empty_block_interval;
  SetProposeTimeout(d);
}

// The proposer re-proposes its valid value (with the polka that justifies it) or asks the
// application for a new block. False when the safety rules refuse to sign (after a restart).
bool Replica::Propose() {
  waiting_for_txs_ = false;
  std::int32_t pol_round = -1;
  ProposedBlock block;
  if (valid_block_) {
    block = *valid_block_;
    pol_round = valid_round_;
  } else {
    block = app_->BuildProposal(height_, now_);
  }
  const Hash256 hash = ProposalSignHash(config_.chain_id, height_, round_, pol_round, block.id);
  const std::optional<crypto::SignatureBytes> sig = SignGuarded(Step::kPropose, hash);
  if (!sig) return false;
  Proposal p{height_, round_, pol_round, block.id, std::move(block.payload), self_, *sig};
  RoundTable::Round* round = table_->Open(round_);
  round->proposal = ReceivedProposal{p, true};  // our own block, or one we validated
  table_->MarkSender(round_, *self_index_);
  SendOwn(std::move(p));
  if (pol_round >= 0) {
    for (const Vote& v : valid_polka_) SendOwn(v);
  }
  return true;
}

void Replica::CastVote(VoteType type, const std::optional<Hash256>& block_id) {
  const Step step = StepOf(type);
  step_ = step;
  // A timer in every step: it re-sends our messages until the step's real timeout is armed.
  if (step == Step::kPrevote || !precommit_deadline_) {
    Schedule(step, config_.timeouts.Duration(step, round_));
  }
  if (!self_index_) return;  // not a validator at this height: follow only
  const Hash256 hash = VoteSignHash(config_.chain_id, type, height_, round_, block_id);
  const std::optional<crypto::SignatureBytes> sig = SignGuarded(step, hash);
  if (!sig) return;
  Vote v{type, height_, round_, block_id, self_, *sig};
  if (table_->Open(round_)->Votes(type).Add(*self_index_, v, true).counted) {
    table_->MarkSender(round_, *self_index_);
  }
  SendOwn(std::move(v));
}

void Replica::CommitBlock(Bytes payload, CommitCertificate cert) {
  last_commit_ = cert;
  const Hash256 id = cert.block_id;
  Emit(Commit{height_, id, std::move(payload), std::move(cert)});
  ResetForHeight(height_ + 1);
  // Round 0 starts after commit_wait, never within this Handle: the driver must apply the
  // commit before the application is asked about the next height.
  Schedule(Step::kPropose, config_.timeouts.commit_wait);
}

void Replica::ResetForHeight(std::uint64_t height) {
  height_ = height;
  round_ = 0;
  initial_round_ = 0;
  step_ = Step::kPropose;
  loaded_ = false;
  round_started_ = false;
  locked_round_ = -1;
  locked_id_.reset();
  valid_round_ = -1;
  valid_block_.reset();
  valid_polka_.clear();
  polka_seen_ = false;
  waiting_for_txs_ = false;
  txs_pending_ = false;  // the committed block took them; the driver says if any are left
  prevote_deadline_.reset();
  precommit_deadline_.reset();
  table_.reset();
  own_.clear();
  replies_.clear();
  std::erase_if(buffered_, [&](const Inbound& in) {
    return std::visit([&](const auto& m) { return m.height < height; }, in.message);
  });
  std::erase_if(ahead_, [&](const auto& entry) { return entry.second < height; });
}

std::optional<crypto::SignatureBytes> Replica::SignGuarded(Step step, const Hash256& sign_hash) {
  switch (DecideSign(safety_, height_, round_, step, sign_hash)) {
    case SignDecision::kRefuse:
      ++refused_signatures_;
      return std::nullopt;
    case SignDecision::kReuse:
      return safety_.signature;
    case SignDecision::kSign:
      break;
  }
  safety_ = SafetyState{height_,       round_,    step, sign_hash, config_.signer->Sign(sign_hash),
                        locked_round_, locked_id_};
  Emit(PersistSafetyState{safety_});  // durable before the message that follows it
  return safety_.signature;
}

// ---------------------------------------------------------------------------------------------
// Output helpers

void Replica::Schedule(Step step, std::int64_t duration_ms) {
  Emit(ScheduleTimeout{height_, round_, step, duration_ms});
}

void Replica::SetProposeTimeout(std::int64_t duration_ms) {
  propose_deadline_ = now_ + duration_ms;
  Schedule(Step::kPropose, duration_ms);
}

void Replica::SendOwn(Message m) {
  Emit(Broadcast{m});
  own_[round_].push_back(std::move(m));
}

void Replica::Retransmit() {
  const auto it = own_.find(round_);
  if (it == own_.end()) return;
  for (const Message& m : it->second) Emit(Broadcast{m});
}

// A peer sent something for an older height or round. Send it what lets it catch up: the
// precommits that decided the height it is on; or, on this height, our messages for its round and
// ours, and the votes of others that moved us past its round (AppendRoundChange).
void Replica::ReplyToLaggard(PeerId peer, std::uint64_t their_height, std::uint32_t their_round) {
  const bool same_height = their_height == height_;
  if (!RateLimitOk(replies_, peer, same_height ? std::int64_t{their_round} : -1)) return;
  if (!same_height && last_commit_ && last_commit_->height == their_height) {
    for (const CertSignature& s : last_commit_->precommits) {
      Emit(SendTo{peer, Vote{VoteType::kPrecommit, last_commit_->height, last_commit_->round,
                             last_commit_->block_id, s.validator, s.signature}});
    }
    return;
  }
  std::vector<Message> out;
  const auto add_own = [&](std::uint32_t round) {
    if (const auto it = own_.find(round); it != own_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
  };
  if (same_height) add_own(their_round);
  if (!same_height || their_round != round_) add_own(round_);
  // At most one relay per peer per interval, whatever rounds it claims to be in: the votes
  // relayed outnumber the peer's message, and a byzantine peer could name many old rounds.
  if (same_height && their_round < round_ && RateLimitOk(replies_, peer, kRelayKey)) {
    AppendRoundChange(their_round, out);
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (std::find(out.begin(), out.begin() + i, out[i]) == out.begin() + i) {
      Emit(SendTo{peer, std::move(out[i])});
    }
  }
}

// Tendermint assumes gossip: a message one correct validator received, every correct validator
// eventually receives. Only a message's signer re-sends it here, and a signer that crashes and
// restarts has forgotten what it sent, so a replica can leave a round on votes that a peer still
// in that round will never see (the simulator found this: a validator timed out of round r on
// 2f + 1 precommits, one of them from a validator that then crashed; the others stayed in r for
// ever, each one precommit short). So the replica relays what moved it on: the precommits of the
// peer's round (2f + 1 of them when we timed out of it), those of the round before ours (when we
// timed out of that one), and everything we hold of our round (f + 1 senders when we skipped to
// it). Every relayed message carries its signer's signature, so relaying is always safe.
void Replica::AppendRoundChange(std::uint32_t their_round, std::vector<Message>& out) const {
  const auto precommits = [&](std::uint32_t round) {
    if (const RoundTable::Round* r = table_->Find(round)) {
      for (Vote& v : r->precommits.All()) out.emplace_back(std::move(v));
    }
  };
  precommits(their_round);
  if (round_ > their_round + 1) precommits(round_ - 1);
  if (const RoundTable::Round* r = table_->Find(round_)) {
    if (r->proposal) out.emplace_back(r->proposal->proposal);
    for (Vote& v : r->prevotes.All()) out.emplace_back(std::move(v));
    for (Vote& v : r->precommits.All()) out.emplace_back(std::move(v));
  }
}

void Replica::NoteAhead(PeerId peer, std::uint64_t their_height) {
  const auto it = ahead_.find(peer);
  if (it == ahead_.end()) {
    if (ahead_.size() >= config_.limits.max_peers_tracked) return;
    ahead_.emplace(peer, their_height);
  } else {
    it->second = std::max(it->second, their_height);
  }
  // Two or more heights behind: no point waiting for a timer. One behind is usual for a moment
  // after others commit; the next timer asks if it lasts.
  if (their_height > height_ + 1) RequestBlockFrom(peer);
}

void Replica::RequestBlockFrom(PeerId peer) {
  if (!RateLimitOk(requests_, peer, static_cast<std::int64_t>(height_))) return;
  const auto ahead = ahead_.find(peer);
  Emit(RequestBlock{peer, height_, ahead == ahead_.end() ? 0 : ahead->second});
}

bool Replica::RateLimitOk(std::map<std::pair<PeerId, std::int64_t>, std::int64_t>& last,
                          PeerId peer, std::int64_t key) {
  const auto it = last.find({peer, key});
  if (it != last.end() && now_ - it->second < config_.limits.resend_interval_ms) return false;
  if (it == last.end() && last.size() >= config_.limits.max_peers_tracked * 4) {
    last.clear();  // bounded: forgetting only allows a few early re-sends
  }
  last[{peer, key}] = now_;
  return true;
}

bool Replica::SignatureValid(const crypto::PublicKey& key, const Hash256& sign_hash,
                             const crypto::SignatureBytes& signature) const {
  return config_.verifier ? config_.verifier->Verify(key, sign_hash, signature)
                          : key.Verify(sign_hash, signature);
}

bool Replica::SignatureValid(const Proposal& p) const {
  return SignatureValid(p.proposer, SignHash(config_.chain_id, p), p.signature);
}

bool Replica::SignatureValid(const Vote& v) const {
  return SignatureValid(v.validator, SignHash(config_.chain_id, v), v.signature);
}

bool Replica::SignatureValid(const Message& m) const {
  return std::visit([this](const auto& x) { return SignatureValid(x); }, m);
}

bool Replica::IsProposer(std::uint32_t round) const {
  return self_index_ && valset_->ProposerIndex(height_, round) == *self_index_;
}

std::size_t Replica::CommitThreshold() const {
#ifdef CONSENTD_UNSAFE_VARIANTS
  if (config_.unsafe_variant_for_test == UnsafeVariantForTest::kCommitOnWeakQuorum) {
    return valset_->WeakQuorum();
  }
#endif
  return valset_->Quorum();
}

bool Replica::IgnoreLocks() const {
#ifdef CONSENTD_UNSAFE_VARIANTS
  return config_.unsafe_variant_for_test == UnsafeVariantForTest::kIgnoreLocks;
#else
  return false;
#endif
}

bool Replica::SkipSignerCheck() const {
#ifdef CONSENTD_UNSAFE_VARIANTS
  return config_.unsafe_variant_for_test == UnsafeVariantForTest::kSkipSignerCheck;
#else
  return false;
#endif
}

}  // namespace consentd::consensus
