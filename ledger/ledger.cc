#include "ledger/ledger.h"

#include <algorithm>

#include "common/hex.h"
#include "ledger/exec/context.h"
#include "ledger/state/digest.h"
#include "ledger/state/keys.h"

namespace consentd::ledger {
namespace {

const std::string kHeadKey = keys::Meta("head");
const std::string kGenesisKey = keys::Meta("genesis");

Json HeadToJson(const Head& h) {
  return Json{{"height", h.height},
              {"block_hash", HexEncode(h.block_hash)},
              {"state_digest", HexEncode(h.state_digest)},
              {"time_ms", h.time_ms}};
}

void PutU32(std::string* out, std::size_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

bool GetU32(std::string_view* in, std::size_t* v) {
  if (in->size() < 4) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<std::uint8_t>((*in)[i]);
  in->remove_prefix(4);
  return true;
}

// b <height> -> u32 len | header JSON | u32 len | certificate JSON | u32 n | n x (id, leaf)
std::string EncodeBlockRecord(const Block& block, const consensus::CommitCertificate& cert) {
  std::string out;
  const std::string header = CanonicalJson(block.header.ToJson());
  const std::string certificate = CanonicalJson(cert.ToJson());
  PutU32(&out, header.size());
  out += header;
  PutU32(&out, certificate.size());
  out += certificate;
  PutU32(&out, block.txs.size());
  for (const TxPtr& tx : block.txs) {
    out.append(keys::Raw(tx->id()));
    out.append(keys::Raw(tx->leaf()));
  }
  return out;
}

Result<StoredBlock> DecodeBlockRecord(std::string_view in) {
  auto corrupt = [] { return Status::Error(Reason::kStoreCorruption, "unreadable block record"); };
  StoredBlock b;
  std::size_t n = 0;
  if (!GetU32(&in, &n) || in.size() < n) return corrupt();
  auto header = ParseJson(in.substr(0, n));
  in.remove_prefix(n);
  if (!header.ok()) return corrupt();
  auto h = BlockHeader::FromJson(*header);
  if (!h.ok()) return corrupt();
  b.header = *h;
  if (!GetU32(&in, &n) || in.size() < n) return corrupt();
  auto cert_json = ParseJson(in.substr(0, n));
  in.remove_prefix(n);
  if (!cert_json.ok()) return corrupt();
  auto cert = consensus::CommitCertificate::FromJson(*cert_json);
  if (!cert.ok()) return corrupt();
  b.certificate = *cert;
  if (!GetU32(&in, &n) || in.size() != n * 64) return corrupt();
  for (std::size_t i = 0; i < n; ++i) {
    Hash256 id{}, leaf{};
    std::copy(in.begin() + i * 64, in.begin() + i * 64 + 32, id.begin());
    std::copy(in.begin() + i * 64 + 32, in.begin() + i * 64 + 64, leaf.begin());
    b.tx_ids.push_back(id);
    b.leaves.push_back(leaf);
  }
  return b;
}

}  // namespace

Ledger::Ledger(std::unique_ptr<Store> store, Genesis genesis)
    : store_(std::move(store)), genesis_(std::move(genesis)) {}

Result<std::unique_ptr<Ledger>> Ledger::Open(std::unique_ptr<Store> store, Genesis genesis) {
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(store), std::move(genesis)));
  CONSENTD_RETURN_IF_ERROR(ledger->Initialize());
  return ledger;
}

Status Ledger::Initialize() {
  const std::string genesis_hash = HexEncode(genesis_.Hash());
  CONSENTD_ASSIGN_OR_RETURN(auto stored, store_->Get(kGenesisKey));
  if (stored) {
    if (*stored != genesis_hash) {
      return Status::Error(
          Reason::kGenesisMismatch,
          "the data directory holds a chain with genesis " + *stored + ", not " + genesis_hash);
    }
    CONSENTD_RETURN_IF_ERROR(LoadHead());
    return LoadValidators();
  }

  // The genesis state: founding members, their key indexes, and the first validator set.
  Overlay overlay(store_.get());
  StateWriter w(overlay);
  for (const MemberRegister& reg : genesis_.members) {
    MemberRecord m;
    m.id = reg.member;
    m.roles = reg.roles;
    m.jurisdiction = reg.jurisdiction;
    for (const auto& k : reg.keys) {
      m.keys.push_back(k.bytes());
      w.PutRaw(keys::MemberKey(k.bytes()), m.id);
    }
    if (reg.validator_key) {
      m.validator_key = reg.validator_key->bytes();
      w.PutRaw(keys::ValidatorKey(reg.validator_key->bytes()), m.id);
    }
    m.events.push_back(
        MemberEvent{MemberEventKind::kRegistered, genesis_.genesis_time_ms, 0, Hash256{}, ""});
    w.PutMember(m);
  }
  CONSENTD_ASSIGN_OR_RETURN(auto validators, genesis_.Validators());
  w.PutRaw(keys::Validators(1), CanonicalJson(validators.ToJson()));

  Head head;
  head.height = 0;
  head.block_hash = genesis_.Hash();
  head.state_digest = NextStateDigest(Hash256{}, overlay.writes());
  head.time_ms = genesis_.genesis_time_ms;
  WriteBatch batch = overlay.TakeWrites();
  batch[kGenesisKey] = genesis_hash;
  batch[keys::Meta("genesis_json")] = CanonicalJson(genesis_.ToJson());
  batch[kHeadKey] = CanonicalJson(HeadToJson(head));
  CONSENTD_RETURN_IF_ERROR(store_->Write(batch, /*sync=*/true));
  CONSENTD_RETURN_IF_ERROR(LoadHead());
  return LoadValidators();
}

Result<Head> Ledger::ReadHead(const ReadView& view) {
  CONSENTD_ASSIGN_OR_RETURN(auto raw, view.Get(kHeadKey));
  if (!raw) return Status::Error(Reason::kStoreCorruption, "the chain head record is missing");
  auto j = ParseJson(*raw);
  if (!j.ok()) return Status::Error(Reason::kStoreCorruption, "unreadable chain head record");
  try {
    Head h;
    h.height = j->at("height").get<std::uint64_t>();
    auto block_hash = HexDecodeFixed<32>(j->at("block_hash").get<std::string>());
    auto state_digest = HexDecodeFixed<32>(j->at("state_digest").get<std::string>());
    if (!block_hash.ok() || !state_digest.ok()) {
      return Status::Error(Reason::kStoreCorruption, "unreadable chain head: bad hash");
    }
    h.block_hash = *block_hash;
    h.state_digest = *state_digest;
    h.time_ms = j->at("time_ms").get<std::int64_t>();
    return h;
  } catch (const std::exception& e) {
    return Status::Error(Reason::kStoreCorruption,
                         std::string("unreadable chain head: ") + e.what());
  }
}

Status Ledger::LoadHead() {
  std::shared_ptr<const ReadView> view = store_->Snapshot();
  CONSENTD_ASSIGN_OR_RETURN(Head h, ReadHead(*view));
  std::lock_guard<std::mutex> lock(mu_);
  head_ = h;
  latest_view_ = std::move(view);
  return Status::Ok();
}

Status Ledger::LoadValidators() {
  StateReader reader(*store_);
  CONSENTD_ASSIGN_OR_RETURN(auto history, reader.ValidatorHistory());
  if (history.empty()) return Status::Error(Reason::kStoreCorruption, "no validator set recorded");
  std::lock_guard<std::mutex> lock(mu_);
  validators_ = std::move(history);
  return Status::Ok();
}

Head Ledger::head() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_;
}

Ledger::Latest Ledger::latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Latest{latest_view_, head_};
}

Result<consensus::ValidatorSet> Ledger::ValidatorsFor(std::uint64_t height) const {
  std::vector<FixedBytes<32>> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& e : validators_) {
      if (e.from_height <= std::max<std::uint64_t>(height, 1)) keys = e.keys;
    }
  }
  std::vector<crypto::PublicKey> parsed;
  for (const auto& k : keys) {
    auto key = crypto::PublicKey::Parse(k);
    if (!key.ok())
      return Status::Error(Reason::kStoreCorruption, "stored validator key is invalid");
    parsed.push_back(*key);
  }
  return consensus::ValidatorSet::Create(std::move(parsed));
}

Status Ledger::CheckTx(const Tx& tx, std::int64_t time_ms) const {
  const Head h = head();
  auto snapshot = store_->Snapshot();
  Overlay overlay(snapshot.get());
  StateWriter w(overlay);
  exec::ExecContext ctx{genesis_, h.height + 1, std::max(time_ms, h.time_ms + 1), 0, tx, w};
  return exec::Execute(ctx);
}

Result<ExecutedBlock> Ledger::Run(BlockHeader header, std::span<const TxPtr> txs,
                                  bool skip_failures, std::vector<Rejection>* rejected) const {
  const Head h = head();
  auto snapshot = store_->Snapshot();
  Overlay block_overlay(snapshot.get());
  ExecutedBlock out;
  out.parent = h.block_hash;
  std::size_t bytes = 0;
  const auto max_txs = static_cast<std::size_t>(genesis_.params.max_block_txs);
  const auto max_bytes = static_cast<std::size_t>(genesis_.params.max_block_bytes);
  for (std::size_t i = 0; i < txs.size(); ++i) {
    const TxPtr& tx = txs[i];
    if (skip_failures &&
        (out.block.txs.size() >= max_txs || bytes + tx->canonical().size() > max_bytes)) {
      break;  // the block is full; the rest waits for the next one
    }
    Overlay tx_overlay(static_cast<const Overlay*>(&block_overlay));
    StateWriter w(tx_overlay, &cache_);
    exec::ExecContext ctx{genesis_,
                          header.height,
                          header.time_ms,
                          static_cast<std::uint32_t>(out.block.txs.size()),
                          *tx,
                          w};
    Status st = exec::Execute(ctx);
    if (!st.ok()) {
      if (exec::IsInternalError(st)) return st;
      if (!skip_failures) {
        return Status::Error(
            Reason::kBlockInvalidTx,
            "tx " + std::to_string(i) + " (" + HexEncode(tx->id()) + "): " + st.ToString());
      }
      if (rejected != nullptr) rejected->push_back(Rejection{tx->id(), st});
      continue;
    }
    block_overlay.Absorb(std::move(tx_overlay));
    bytes += tx->canonical().size();
    out.block.txs.push_back(tx);
  }
  header.tx_count = static_cast<std::uint32_t>(out.block.txs.size());
  header.tx_root = TxRoot(out.block.txs);
  header.state_digest = NextStateDigest(h.state_digest, block_overlay.writes());
  out.block.header = std::move(header);
  out.writes = block_overlay.TakeWrites();
  out.hash = out.block.Hash();
  return out;
}

Result<ExecutedBlock> Ledger::BuildBlock(std::int64_t time_ms,
                                         const crypto::PublicKeyBytes& proposer,
                                         std::span<const TxPtr> candidates,
                                         std::vector<Rejection>* rejected) const {
  const Head h = head();
  BlockHeader header;
  header.chain_id = genesis_.chain_id;
  header.height = h.height + 1;
  header.time_ms = std::max(time_ms, h.time_ms + 1);
  header.prev_hash = h.block_hash;
  header.proposer = proposer;
  CONSENTD_ASSIGN_OR_RETURN(auto validators, ValidatorsFor(header.height));
  header.validator_set_hash = validators.Hash();
  return Run(std::move(header), candidates, /*skip_failures=*/true, rejected);
}

Result<ExecutedBlock> Ledger::ExecuteBlock(const Block& block,
                                           std::optional<std::int64_t> now_ms) const {
  const Head h = head();
  const BlockHeader& hd = block.header;
  if (hd.chain_id != genesis_.chain_id) {
    return Status::Error(Reason::kBlockWrongChain,
                         "block is for chain \"" + hd.chain_id.substr(0, 64) + "\"");
  }
  if (hd.height != h.height + 1) {
    return Status::Error(
        Reason::kBlockWrongHeight,
        "block height " + std::to_string(hd.height) + ", expected " + std::to_string(h.height + 1));
  }
  if (hd.prev_hash != h.block_hash) {
    return Status::Error(Reason::kBlockWrongPrevHash,
                         "prev_hash is not the hash of block " + std::to_string(h.height));
  }
  if (hd.time_ms <= h.time_ms) {
    return Status::Error(Reason::kBlockBadTime, "block time must be after its parent's");
  }
  if (now_ms && hd.time_ms > *now_ms + genesis_.params.max_clock_drift_ms) {
    return Status::Error(Reason::kBlockBadTime, "block time is too far ahead of this node's clock");
  }
  CONSENTD_ASSIGN_OR_RETURN(auto validators, ValidatorsFor(hd.height));
  if (hd.validator_set_hash != validators.Hash()) {
    return Status::Error(Reason::kBlockWrongValidatorSet,
                         "validator_set_hash does not match height " + std::to_string(hd.height));
  }
  auto proposer = crypto::PublicKey::Parse(hd.proposer);
  if (!proposer.ok() || !validators.Contains(*proposer)) {
    return Status::Error(Reason::kBlockWrongProposer, "the proposer is not a validator");
  }
  if (block.txs.size() > static_cast<std::size_t>(genesis_.params.max_block_txs)) {
    return Status::Error(Reason::kBlockTooLarge,
                         std::to_string(block.txs.size()) + " transactions");
  }
  std::size_t bytes = 0;
  for (const TxPtr& tx : block.txs) bytes += tx->canonical().size();
  if (bytes > static_cast<std::size_t>(genesis_.params.max_block_bytes)) {
    return Status::Error(Reason::kBlockTooLarge, std::to_string(bytes) + " bytes of transactions");
  }
  if (hd.tx_count != block.txs.size() || hd.tx_root != TxRoot(block.txs)) {
    return Status::Error(Reason::kBlockWrongTxRoot,
                         "tx_root or tx_count does not match the transactions");
  }
  CONSENTD_ASSIGN_OR_RETURN(ExecutedBlock out,
                            Run(hd, block.txs, /*skip_failures=*/false, nullptr));
  if (out.block.header.state_digest != hd.state_digest) {
    return Status::Error(Reason::kBlockWrongStateDigest, "state_digest does not match execution");
  }
  return out;
}

Status Ledger::Commit(ExecutedBlock executed, const consensus::CommitCertificate& certificate,
                      bool durable) {
  const Head h = head();
  if (executed.parent != h.block_hash) {
    return Status::Error(Reason::kLedgerStale, "the chain head moved since the block was executed");
  }
  const BlockHeader& hd = executed.block.header;
  CONSENTD_ASSIGN_OR_RETURN(auto validators, ValidatorsFor(hd.height));
  CONSENTD_RETURN_IF_ERROR(consensus::VerifyCertificateFor(
      certificate, genesis_.chain_id, validators, hd.height, executed.hash, &certificate_cache_));
  Head next{hd.height, executed.hash, hd.state_digest, hd.time_ms};
  bool validators_changed = false;
  for (const auto& [k, v] : executed.writes) {
    if (!k.empty() && k[0] == keys::kValidators) validators_changed = true;
  }
  WriteBatch batch = std::move(executed.writes);
  batch[keys::Block(hd.height)] = EncodeBlockRecord(executed.block, certificate);
  batch[keys::BlockHash(executed.hash)] = keys::BigEndian(hd.height);
  batch[kHeadKey] = CanonicalJson(HeadToJson(next));
  CONSENTD_RETURN_IF_ERROR(store_->Write(batch, durable));
  cache_.Invalidate(batch);
  std::shared_ptr<const ReadView> view = store_->Snapshot();  // only Commit writes the store
  {
    std::lock_guard<std::mutex> lock(mu_);
    head_ = next;
    latest_view_ = std::move(view);
  }
  return validators_changed ? LoadValidators() : Status::Ok();
}

Status Ledger::Flush() {
  // Rewriting the head record with its own value changes nothing, and its synced write makes
  // the log durable up to and including every earlier write.
  WriteBatch batch;
  batch[kHeadKey] = CanonicalJson(HeadToJson(head()));
  return store_->Write(batch, /*sync=*/true);
}

Status Ledger::ApplyBlock(const Block& block, const consensus::CommitCertificate& certificate) {
  CONSENTD_ASSIGN_OR_RETURN(ExecutedBlock executed, ExecuteBlock(block));
  return Commit(std::move(executed), certificate);
}

Result<std::optional<StoredBlock>> Ledger::ReadBlock(const ReadView& view, std::uint64_t height) {
  CONSENTD_ASSIGN_OR_RETURN(auto raw, view.Get(keys::Block(height)));
  if (!raw) return std::optional<StoredBlock>();
  CONSENTD_ASSIGN_OR_RETURN(StoredBlock b, DecodeBlockRecord(*raw));
  return std::optional<StoredBlock>(std::move(b));
}

Result<std::optional<std::string>> Ledger::BlockPayload(
    std::uint64_t height, consensus::CommitCertificate* certificate) const {
  auto snapshot = store_->Snapshot();
  CONSENTD_ASSIGN_OR_RETURN(auto block, ReadBlock(*snapshot, height));
  if (!block) return std::optional<std::string>();
  if (certificate != nullptr) *certificate = block->certificate;
  StateReader reader(*snapshot);
  std::string out = "{\"header\":";
  AppendCanonicalJson(block->header.ToJson(), &out);
  out += ",\"txs\":[";
  for (std::size_t i = 0; i < block->tx_ids.size(); ++i) {
    CONSENTD_ASSIGN_OR_RETURN(auto loc, reader.Tx(block->tx_ids[i]));
    if (!loc) return Status::Error(Reason::kStoreCorruption, "block names a missing tx");
    if (i > 0) out.push_back(',');
    out += loc->canonical;
  }
  out += "]}";
  return std::optional<std::string>(std::move(out));
}

}  // namespace consentd::ledger
