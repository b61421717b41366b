#include "tests/sim/invariants.h"

#include <sstream>

#include "common/hex.h"
#include "consensus/sign_bytes.h"
#include "tests/sim/fake_app.h"

namespace consentd::sim {
namespace {

template <typename... T>
std::string Cat(const T&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

}  // namespace

const char* ToString(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::kAgreement:
      return "agreement";
    case ViolationKind::kConflictingQuorums:
      return "conflicting-quorums";
    case ViolationKind::kValidity:
      return "validity";
    case ViolationKind::kCertificate:
      return "certificate";
    case ViolationKind::kDoubleSign:
      return "double-sign";
    case ViolationKind::kPersistOrder:
      return "persist-order";
    case ViolationKind::kEvidenceAgainstHonest:
      return "evidence-against-honest";
    case ViolationKind::kBogusEvidence:
      return "bogus-evidence";
    case ViolationKind::kLiveness:
      return "liveness";
  }
  return "unknown";
}

Checker::Checker(std::string chain_id, const consensus::ValidatorSet* validators,
                 std::set<consensus::PeerId> honest_nodes, std::set<std::size_t> honest_keys)
    : chain_id_(std::move(chain_id)),
      validators_(validators),
      honest_nodes_(std::move(honest_nodes)),
      honest_keys_(std::move(honest_keys)) {}

void Checker::Fail(ViolationKind kind, std::int64_t now, std::string detail) {
  if (!violation_) violation_ = Violation{kind, now, std::move(detail)};
}

void Checker::OnProposalSent(const consensus::Proposal& proposal) {
  proposed_.insert(proposal.block_id);
}

void Checker::OnPrecommitSigned(const consensus::Vote& vote, std::int64_t now) {
  if (!vote.block_id) return;
  const std::optional<std::size_t> signer = validators_->IndexOf(vote.validator);
  if (!signer) return;
  std::set<std::size_t>& signers = precommits_[vote.height][{vote.round, *vote.block_id}];
  if (!signers.insert(*signer).second || signers.size() != validators_->Quorum()) return;
  const auto [it, inserted] = quorum_block_.emplace(vote.height, *vote.block_id);
  if (!inserted && it->second != *vote.block_id) {
    Fail(ViolationKind::kConflictingQuorums, now,
         Cat("height ", vote.height, ": blocks ", HexEncode(it->second).substr(0, 16), " and ",
             HexEncode(*vote.block_id).substr(0, 16), " both have ", validators_->Quorum(),
             " signed precommits (the second in round ", vote.round, ")"));
  }
}

void Checker::OnOwnMessageSent(consensus::PeerId node, const consensus::SafetyState& disk,
                               const consensus::Message& m, std::int64_t now) {
  using consensus::Step;
  const auto* vote = std::get_if<consensus::Vote>(&m);
  const auto* proposal = std::get_if<consensus::Proposal>(&m);
  const std::uint64_t height = vote ? vote->height : proposal->height;
  const std::uint32_t round = vote ? vote->round : proposal->round;
  const Step step = vote ? consensus::StepOf(vote->type) : Step::kPropose;
  const Hash256 hash =
      vote ? consensus::SignHash(chain_id_, *vote) : consensus::SignHash(chain_id_, *proposal);
  const crypto::PublicKey& signer = vote ? vote->validator : proposal->proposer;
  const std::string where =
      Cat("node ", node, " at h=", height, " r=", round, " ", consensus::ToString(step));

  // Persist before send: the durable state is at or past this signature.
  const auto sent = std::make_tuple(height, round, step);
  const auto durable = std::make_tuple(disk.height, disk.round, disk.step);
  if (durable < sent || (durable == sent && disk.sign_hash != hash)) {
    Fail(ViolationKind::kPersistOrder, now, where + ": sent before its safety state was durable");
  }
  // No two different signatures for one (height, round, kind).
  const std::size_t key = *validators_->IndexOf(signer);
  const auto [it, inserted] =
      signed_.emplace(std::make_tuple(key, height, round, static_cast<int>(step)), hash);
  if (!inserted && it->second != hash) {
    Fail(ViolationKind::kDoubleSign, now, where + ": signed two different messages");
  }
}

void Checker::OnCommit(consensus::PeerId node, const consensus::Commit& c, std::int64_t now) {
  ++commits_;
  const std::string where = Cat("node ", node, " height ", c.height);
  const Status cert =
      VerifyCertificateFor(c.certificate, chain_id_, *validators_, c.height, c.block_id);
  if (!cert.ok()) Fail(ViolationKind::kCertificate, now, where + ": " + cert.ToString());
  const Result<Hash256> id = ValidateBlock(c.height, c.payload);
  if (!id.ok() || *id != c.block_id) {
    Fail(ViolationKind::kValidity, now,
         where + ": committed block fails honest validation: " + id.status().ToString());
  } else if (proposed_.count(c.block_id) == 0) {
    Fail(ViolationKind::kValidity, now, where + ": committed block was never proposed");
  }
  if (honest_nodes_.count(node) == 0) return;
  const auto [it, inserted] = decided_.emplace(c.height, std::make_pair(c.block_id, node));
  if (!inserted && it->second.first != c.block_id) {
    Fail(ViolationKind::kAgreement, now,
         Cat(where, " committed ", HexEncode(c.block_id).substr(0, 16), " but node ",
             it->second.second, " committed ", HexEncode(it->second.first).substr(0, 16)));
  }
}

void Checker::OnEvidence(consensus::PeerId node, const consensus::Evidence& e, std::int64_t now) {
  ++evidence_;
  const std::optional<std::size_t> key = validators_->IndexOf(e.a.validator);
  const bool genuine = key && e.a.validator == e.b.validator && e.a.height == e.b.height &&
                       e.a.round == e.b.round && e.a.type == e.b.type &&
                       e.a.block_id != e.b.block_id && consensus::VerifySignature(chain_id_, e.a) &&
                       consensus::VerifySignature(chain_id_, e.b);
  if (!genuine) {
    Fail(ViolationKind::kBogusEvidence, now,
         Cat("node ", node, " emitted evidence that does not prove equivocation"));
  } else if (honest_keys_.count(*key) != 0) {
    Fail(ViolationKind::kEvidenceAgainstHonest, now,
         Cat("node ", node, " holds evidence against honest validator ", *key));
  }
}

}  // namespace consentd::sim
