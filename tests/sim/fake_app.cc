#include "tests/sim/fake_app.h"

#include <algorithm>

#include "crypto/sha256.h"

namespace consentd::sim {
namespace {

constexpr std::uint8_t kMagic[3] = {'C', 'B', '1'};
constexpr std::size_t kMaxTxs = 16;

void PutInt(Bytes& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t GetInt(ByteSpan in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | in[at + static_cast<std::size_t>(i)];
  return v;
}

}  // namespace

Bytes EncodeBlock(const FakeBlock& block) {
  Bytes out(kMagic, kMagic + 3);
  PutInt(out, block.height, 8);
  PutInt(out, block.proposer, 4);
  PutInt(out, block.salt, 4);
  out.push_back(block.poisoned ? 1 : 0);
  PutInt(out, block.txs.size(), 2);
  for (std::uint64_t tx : block.txs) PutInt(out, tx, 8);
  return out;
}

std::optional<FakeBlock> DecodeBlock(ByteSpan in) {
  constexpr std::size_t kHeader = 3 + 8 + 4 + 4 + 1 + 2;
  if (in.size() < kHeader || !std::equal(kMagic, kMagic + 3, in.begin())) return std::nullopt;
  FakeBlock b;
  b.height = GetInt(in, 3, 8);
  b.proposer = static_cast<std::uint32_t>(GetInt(in, 11, 4));
  b.salt = static_cast<std::uint32_t>(GetInt(in, 15, 4));
  if (in[19] > 1) return std::nullopt;
  b.poisoned = in[19] == 1;
  const std::size_t count = GetInt(in, 20, 2);
  if (in.size() != kHeader + 8 * count) return std::nullopt;
  for (std::size_t i = 0; i < count; ++i) b.txs.push_back(GetInt(in, kHeader + 8 * i, 8));
  return b;
}

Result<Hash256> ValidateBlock(std::uint64_t height, ByteSpan payload) {
  const std::optional<FakeBlock> b = DecodeBlock(payload);
  if (!b) return Status::Error(Reason::kBlockMalformed, "payload does not decode");
  if (b->height != height) return Status::Error(Reason::kBlockWrongHeight, "wrong height");
  if (b->poisoned) return Status::Error(Reason::kBlockInvalidTx, "poisoned block");
  if (b->txs.size() > kMaxTxs || !std::is_sorted(b->txs.begin(), b->txs.end()) ||
      std::adjacent_find(b->txs.begin(), b->txs.end()) != b->txs.end()) {
    return Status::Error(Reason::kBlockWrongTxRoot, "transactions not a sorted set");
  }
  return crypto::Sha256(payload);
}

consensus::ProposedBlock FakeApp::BuildProposal(std::uint64_t height, std::int64_t) {
  FakeBlock b;
  b.height = height;
  b.proposer = tag_;
  b.salt = ++builds_;
  for (std::uint64_t tx : mempool_) {
    if (b.txs.size() == kMaxTxs) break;
    b.txs.push_back(tx);
  }
  Bytes payload = EncodeBlock(b);
  return consensus::ProposedBlock{crypto::Sha256(payload), std::move(payload)};
}

bool FakeApp::AddTx(std::uint64_t tx) {
  if (committed_txs_.count(tx) != 0) return false;
  const bool was_empty = mempool_.empty();
  mempool_.insert(tx);
  return was_empty;
}

void FakeApp::ApplyCommit(StoredBlock block) {
  if (const std::optional<FakeBlock> b = DecodeBlock(block.payload)) {
    for (std::uint64_t tx : b->txs) {
      mempool_.erase(tx);
      committed_txs_.insert(tx);
    }
  }
  chain_.push_back(std::move(block));
}

const StoredBlock* FakeApp::BlockAt(std::uint64_t height) const {
  if (height == 0 || height > chain_.size()) return nullptr;
  return &chain_[height - 1];
}

}  // namespace consentd::sim
