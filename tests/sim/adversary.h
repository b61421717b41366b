#pragma once

// Adversary: what a byzantine node does with the messages its own (honest) replica wants to
// send. The node runs the real Replica so that it takes part plausibly; the adversary then
// splits, replaces, duplicates or forges its output, signing with the node's key (or, for
// forgeries, with made-up signatures under other validators' keys).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "consensus/messages.h"
#include "crypto/schnorr.h"
#include "tests/sim/schedule.h"
#include "tests/sim/sim_rng.h"

namespace consentd::sim {

class Adversary {
 public:
  // `keys` by validator-set index; `self` is the node's index there.
  Adversary(Behavior behavior, std::string chain_id, std::size_t self,
            std::vector<const crypto::PrivateKey*> keys, std::size_t num_nodes, SimRng* rng);

  // The (recipient node, message) pairs that actually go out when the replica of node `from`
  // broadcasts `m` (peer = nullopt) or sends it to `peer`.
  std::vector<std::pair<std::uint32_t, consensus::Message>> Transform(
      std::uint32_t from, const consensus::Message& m, std::optional<std::uint32_t> peer);

  // What node `self_node` sends, besides its replica's output, on receiving `m`.
  std::vector<std::pair<std::uint32_t, consensus::Message>> OnReceive(std::uint32_t self_node,
                                                                      const consensus::Message& m);

 private:
  struct Split {
    Hash256 original;
    Hash256 alternative;
    std::vector<bool> gets_alternative;  // per node
  };

  consensus::Proposal Resign(consensus::Proposal p, Bytes block);
  consensus::Vote Resign(consensus::Vote v, const std::optional<Hash256>& block_id);
  consensus::Vote Forge(const consensus::Vote& v, std::size_t as_validator);
  Bytes Alternative(const Bytes& block, bool poison);

  Behavior behavior_;
  std::string chain_id_;
  std::size_t self_;
  std::vector<const crypto::PrivateKey*> keys_;
  std::size_t num_nodes_;
  SimRng* rng_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, Split> splits_;  // by (height, round)
  std::set<std::tuple<std::uint64_t, std::uint32_t, Hash256>> endorsed_;
};

}  // namespace consentd::sim
