#pragma once

// The node's frames on the peer transport (node/p2p carries [kind u8][payload] opaquely; kinds
// below 16 belong to the transport's handshake). docs/P2P.md documents these payloads.
//
//   kProposal      u32be json length | proposal JSON without "block" | raw block payload
//   kVote          vote JSON (consensus/messages.h wire form)
//   kTxs           u32be count | count x (u32be length | signed tx canonical JSON)
//   kSyncRequest   {"from_height": h, "count": n}
//   kSyncResponse  u32be count | count x (u64be height | u32be length | block payload |
//                                         u32be length | certificate JSON)
//   kStatus        {"height": h, "block_hash": hex}
//
// Decoders take untrusted bytes: every length is checked, every error is "wire_malformed".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "consensus/certificate.h"
#include "consensus/messages.h"

namespace consentd::node::wire {

enum class Kind : std::uint8_t {
  kProposal = 16,
  kVote = 17,
  kTxs = 18,
  kSyncRequest = 19,
  kSyncResponse = 20,
  kStatus = 21,
};

inline constexpr std::uint32_t kMaxSyncBlocks = 64;
inline constexpr std::uint32_t kMaxTxsPerFrame = 10'000;

std::string EncodeProposal(const consensus::Proposal& p);
Result<consensus::Proposal> DecodeProposal(std::string_view payload);

std::string EncodeVote(const consensus::Vote& v);
Result<consensus::Vote> DecodeVote(std::string_view payload);

// `txs` are canonical signed txs.
std::string EncodeTxs(const std::vector<std::string_view>& txs);
Result<std::vector<std::string_view>> DecodeTxs(std::string_view payload);

struct SyncRequest {
  std::uint64_t from_height = 0;
  std::uint32_t count = 0;
};
std::string EncodeSyncRequest(const SyncRequest& r);
Result<SyncRequest> DecodeSyncRequest(std::string_view payload);

struct SyncBlock {
  std::uint64_t height = 0;
  std::string payload;
  consensus::CommitCertificate certificate;
};
std::string EncodeSyncResponse(const std::vector<SyncBlock>& blocks);
Result<std::vector<SyncBlock>> DecodeSyncResponse(std::string_view payload);

struct PeerStatus {
  std::uint64_t height = 0;
  Hash256 block_hash{};
};
std::string EncodeStatus(const PeerStatus& s);
Result<PeerStatus> DecodeStatus(std::string_view payload);

}  // namespace consentd::node::wire
