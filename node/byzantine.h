#pragma once

// Byzantine: a test-only misbehaving validator, built from the same binary as an honest one so
// fault tests exercise the real code (issue 8). It wraps the node's Network and rewrites the
// validator's own consensus messages on their way out:
//
//   silent            sends none of its proposals or votes (it still follows the chain);
//   equivocate        proposes two different valid blocks for the same round (the real one to
//                     half of its peers, a re-built one with another block time to the rest);
//   double-vote       signs a second, conflicting vote for every vote it casts and sends each
//                     to a different half of its peers;
//   invalid-proposal  replaces its proposals by a block with a wrong state digest, correctly
//                     signed.
//
// It signs with the raw key, bypassing the safety rules that an honest node never bypasses.
// Compiled only with CONSENTD_TEST_HOOKS (scripts/setup --test); a release build has neither
// this file nor the --byzantine flag. Thread-compatible: called on the consensus thread only,
// like the ledger's BuildBlock it uses (gossip's traffic passes straight through).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/schnorr.h"
#include "ledger/ledger.h"
#include "node/network.h"

namespace consentd::node {

enum class ByzantineMode { kSilent, kEquivocate, kDoubleVote, kInvalidProposal };

std::optional<ByzantineMode> ParseByzantineMode(std::string_view text);
std::string_view ToString(ByzantineMode mode);

class ByzantineNetwork final : public Network {
 public:
  using PeerList = std::function<std::vector<PeerId>()>;
  // `inner`, `ledger` and `key` must outlive this object.
  ByzantineNetwork(ByzantineMode mode, Network* inner, const ledger::Ledger* ledger,
                   const crypto::PrivateKey* key, PeerList peers);

  bool Send(PeerId peer, std::uint8_t kind, std::string payload) override;
  void Broadcast(std::uint8_t kind, const std::string& payload) override;

 private:
  // True for this validator's own proposals and votes; anything else passes through.
  bool IsOwnConsensus(std::uint8_t kind, const std::string& payload) const;
  // The messages to send instead of `payload`: one entry per half of the peers (first half,
  // second half); an empty string sends nothing to that half.
  std::pair<std::string, std::string> Rewrite(std::uint8_t kind, const std::string& payload);
  std::optional<std::string> RebuiltProposal(const std::string& payload, bool corrupt_state);

  ByzantineMode mode_;
  Network* inner_;
  const ledger::Ledger* ledger_;
  const crypto::PrivateKey* key_;
  PeerList peers_;
  std::uint64_t rewritten_ = 0;
};

}  // namespace consentd::node
