// FuzzPeerFrame: see fuzz/targets.h.

#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "consensus/sign_bytes.h"
#include "fuzz/targets.h"
#include "ledger/block.h"
#include "ledger/tx.h"
#include "node/p2p/wire.h"
#include "node/wire.h"

namespace consentd::fuzz {
namespace {

constexpr std::size_t kMaxBlockBytes = 4 << 20;

// A block payload as the replica (proposals) and block sync receive it.
void FuzzBlockPayload(std::string_view payload) {
  const Result<ledger::Block> block =
      ledger::DecodeBlock(payload, kFuzzChainId, kMaxBlockBytes, ledger::kDefaultMaxTxBytes);
  // With a lookup, a payload in the canonical layout is split rather than parsed whole: the
  // outcome must not differ.
  const Result<ledger::Block> split =
      ledger::DecodeBlock(payload, kFuzzChainId, kMaxBlockBytes, ledger::kDefaultMaxTxBytes,
                          [](const Hash256&) -> ledger::TxPtr { return nullptr; });
  FuzzCheck(split.ok() == block.ok(), "a lookup changed whether a block decodes");
  FuzzCheck(split.ok() ? split->Encode() == block->Encode()
                       : split.status().code() == block.status().code(),
            "a lookup changed what a block decodes to");
  // The header's chain id is checked by Ledger::ExecuteBlock, not here: nothing to assert.
  if (!block.ok()) return;
  const std::string encoded = block->Encode();
  const Result<ledger::Block> again =
      ledger::DecodeBlock(encoded, kFuzzChainId, kMaxBlockBytes, ledger::kDefaultMaxTxBytes);
  FuzzCheck(again.ok(), "a decoded block does not decode after re-encoding");
  FuzzCheck(again->Hash() == block->Hash(), "block hash changed through re-encoding");
  FuzzCheck(again->txs.size() == block->txs.size(), "tx count changed through re-encoding");
  FuzzCheck(ledger::TxRoot(again->txs) == ledger::TxRoot(block->txs), "tx root changed");
  FuzzCheck(again->Encode() == encoded, "block encoding is not a fixed point");
}

void FuzzHello(ByteSpan frame) {
  const Result<node::p2p::Hello> hello = node::p2p::DecodeHello(frame);
  if (!hello.ok() || hello->version != node::p2p::kProtocolVersion) return;
  FuzzCheck(hello->chain_id.size() <= node::p2p::kMaxChainIdBytes, "oversized chain id decoded");
  const std::string encoded = node::p2p::EncodeHello(*hello);
  FuzzCheck(AsChars(frame) == encoded, "a version 1 Hello is not byte-exact");
}

void FuzzAuth(ByteSpan frame) {
  const Result<crypto::SignatureBytes> sig = node::p2p::DecodeAuth(frame);
  if (!sig.ok()) return;
  FuzzCheck(AsChars(frame) == node::p2p::EncodeAuth(*sig), "an Auth frame is not byte-exact");
}

void FuzzNodeMessage(node::wire::Kind kind, std::string_view payload) {
  namespace wire = node::wire;
  switch (kind) {
    case wire::Kind::kProposal: {
      const Result<consensus::Proposal> p = wire::DecodeProposal(payload);
      if (!p.ok()) return;
      const Result<consensus::Proposal> again = wire::DecodeProposal(wire::EncodeProposal(*p));
      FuzzCheck(again.ok() && *again == *p, "proposal round trip");
      (void)consensus::VerifySignature(kFuzzChainId, *p);
      FuzzBlockPayload(AsChars(p->block));
      return;
    }
    case wire::Kind::kVote: {
      const Result<consensus::Vote> v = wire::DecodeVote(payload);
      if (!v.ok()) return;
      const Result<consensus::Vote> again = wire::DecodeVote(wire::EncodeVote(*v));
      FuzzCheck(again.ok() && *again == *v, "vote round trip");
      (void)consensus::VerifySignature(kFuzzChainId, *v);
      return;
    }
    case wire::Kind::kTxs: {
      const Result<std::vector<std::string_view>> txs = wire::DecodeTxs(payload);
      if (!txs.ok()) return;
      FuzzCheck(txs->size() <= wire::kMaxTxsPerFrame, "too many txs decoded");
      const std::string encoded = wire::EncodeTxs(*txs);
      FuzzCheck(encoded == payload, "a txs frame is not byte-exact");
      for (std::string_view text : *txs) {
        (void)ledger::Tx::Parse(text, kFuzzChainId);  // what gossip does with each
      }
      return;
    }
    case wire::Kind::kSyncRequest: {
      const Result<wire::SyncRequest> r = wire::DecodeSyncRequest(payload);
      if (!r.ok()) return;
      FuzzCheck(r->count <= wire::kMaxSyncBlocks, "sync request over the block limit");
      const Result<wire::SyncRequest> again = wire::DecodeSyncRequest(wire::EncodeSyncRequest(*r));
      FuzzCheck(again.ok() && again->from_height == r->from_height && again->count == r->count,
                "sync request round trip");
      return;
    }
    case wire::Kind::kSyncResponse: {
      const Result<std::vector<wire::SyncBlock>> blocks = wire::DecodeSyncResponse(payload);
      if (!blocks.ok()) return;
      FuzzCheck(blocks->size() <= wire::kMaxSyncBlocks, "sync response over the block limit");
      const Result<std::vector<wire::SyncBlock>> again =
          wire::DecodeSyncResponse(wire::EncodeSyncResponse(*blocks));
      FuzzCheck(again.ok() && again->size() == blocks->size(), "sync response round trip");
      for (std::size_t i = 0; i < blocks->size(); ++i) {
        const wire::SyncBlock& a = (*blocks)[i];
        const wire::SyncBlock& b = (*again)[i];
        // Certificates decode with their signatures in any order and encode sorted: compare
        // canonical forms.
        FuzzCheck(
            a.height == b.height && a.payload == b.payload &&
                CanonicalJson(a.certificate.ToJson()) == CanonicalJson(b.certificate.ToJson()),
            "sync block round trip");
        FuzzBlockPayload(a.payload);
      }
      return;
    }
    case wire::Kind::kStatus: {
      const Result<wire::PeerStatus> s = wire::DecodeStatus(payload);
      if (!s.ok()) return;
      const Result<wire::PeerStatus> again = wire::DecodeStatus(wire::EncodeStatus(*s));
      FuzzCheck(again.ok() && again->height == s->height && again->block_hash == s->block_hash,
                "status round trip");
      return;
    }
  }
  // Unknown kinds: the driver counts them as malformed; nothing to decode.
}

}  // namespace

void FuzzPeerFrame(std::span<const std::uint8_t> data) {
  if (data.empty()) return;
  const std::uint8_t kind = data[0];
  if (kind == node::p2p::kKindHello) return FuzzHello(data);
  if (kind == node::p2p::kKindAuth) return FuzzAuth(data);
  if (kind < node::p2p::kFirstNodeKind) return;  // the transport closes the connection
  FuzzNodeMessage(static_cast<node::wire::Kind>(kind), AsChars(data.subspan(1)));
}

}  // namespace consentd::fuzz
