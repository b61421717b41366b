#pragma once

// Checker: the properties every simulated run must keep, checked as the run goes.
//   agreement     no two honest nodes commit different blocks at one height
//   quorums       no two different blocks ever gather 2f + 1 validly signed precommits at one
//                 height, whoever signed them and whether or not anyone committed both (what
//                 locks guarantee; it catches a fork even when catch-up hides it)
//   validity      every committed block was proposed by someone and passes honest validation
//   certificate   every commit's certificate passes VerifyCertificateFor
//   double-sign   no honest validator ever signs two different messages for one
//                 (height, round, kind), across crashes and restarts
//   persist-order an honest node sends a message it signed only after its persisted safety
//                 state covers that signature
//   evidence      every Evidence action proves an equivocation (two valid signatures, one
//                 validator, one height/round/type, two values), never by an honest validator
//   liveness      after GST every honest node commits K more heights within a bound (checked
//                 by the simulator, which owns the clock)
// Honest = the node's key belongs to no byzantine node and no twin pair.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "consensus/actions.h"
#include "consensus/safety.h"
#include "consensus/validator_set.h"

namespace consentd::sim {

enum class ViolationKind {
  kAgreement,
  kConflictingQuorums,
  kValidity,
  kCertificate,
  kDoubleSign,
  kPersistOrder,
  kEvidenceAgainstHonest,
  kBogusEvidence,
  kLiveness,
};
const char* ToString(ViolationKind kind);

struct Violation {
  ViolationKind kind;
  std::int64_t time_ms;
  std::string detail;
};

class Checker {
 public:
  Checker(std::string chain_id, const consensus::ValidatorSet* validators,
          std::set<consensus::PeerId> honest_nodes, std::set<std::size_t> honest_keys);

  // Any proposal any node put on the network (its block counts as proposed).
  void OnProposalSent(const consensus::Proposal& proposal);
  // Any node sends a precommit with its own, valid, signature.
  void OnPrecommitSigned(const consensus::Vote& vote, std::int64_t now);
  // An honest node sends `m`, signed by itself, while its disk holds `disk`.
  void OnOwnMessageSent(consensus::PeerId node, const consensus::SafetyState& disk,
                        const consensus::Message& m, std::int64_t now);
  void OnCommit(consensus::PeerId node, const consensus::Commit& commit, std::int64_t now);
  void OnEvidence(consensus::PeerId node, const consensus::Evidence& evidence, std::int64_t now);
  void Fail(ViolationKind kind, std::int64_t now, std::string detail);

  const std::optional<Violation>& violation() const { return violation_; }
  std::uint64_t commits() const { return commits_; }
  std::uint64_t evidence() const { return evidence_; }

 private:
  std::string chain_id_;
  const consensus::ValidatorSet* validators_;
  std::set<consensus::PeerId> honest_nodes_;
  std::set<std::size_t> honest_keys_;
  std::set<Hash256> proposed_;
  std::map<std::uint64_t, std::pair<Hash256, consensus::PeerId>> decided_;
  // height -> (round, block) -> signers, and the first block with a quorum per height
  std::map<std::uint64_t, std::map<std::pair<std::uint32_t, Hash256>, std::set<std::size_t>>>
      precommits_;
  std::map<std::uint64_t, Hash256> quorum_block_;
  // (validator index, height, round, kind 0/1/2 = proposal/prevote/precommit) -> sign hash
  std::map<std::tuple<std::size_t, std::uint64_t, std::uint32_t, int>, Hash256> signed_;
  std::optional<Violation> violation_;
  std::uint64_t commits_ = 0;
  std::uint64_t evidence_ = 0;
};

}  // namespace consentd::sim
