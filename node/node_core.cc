#include "node/node_core.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <vector>

#include "common/hex.h"
#include "consensus/certificate.h"
#include "node/log.h"
#include "node/safety_file.h"
#include "node/wire.h"

namespace consentd::node {
namespace {

constexpr std::size_t kMaxLatencies = 512;

std::string ShortHex(const Hash256& h) { return HexEncode(ByteSpan(h.data(), 6)); }

// WAL record: [kind][frame], the same framing as on the wire.
std::string WalRecord(wire::Kind kind, std::string frame) {
  std::string r(1, static_cast<char>(kind));
  r += frame;
  return r;
}

}  // namespace

NodeCore::NodeCore(ledger::Ledger* ledger, Mempool* mempool, Network* network,
                   consensus::ReplicaConfig config, DriverOptions options, CoreRuntime* runtime)
    : ledger_(ledger),
      mempool_(mempool),
      network_(network),
      options_(std::move(options)),
      runtime_(runtime),
      app_(ledger, mempool, config.signer->public_key().bytes()),
      config_(std::move(config)),
      self_(config_.signer->public_key()) {}

std::int64_t NodeCore::Now() const { return options_.env->NowMs() + options_.clock_offset_ms; }

Status NodeCore::Recover() {
  CONSENTD_ASSIGN_OR_RETURN(consensus::SafetyState safety,
                            LoadSafetyState(options_.env, options_.safety_path));
  Wal::Recovered recovered;
  CONSENTD_ASSIGN_OR_RETURN(Wal wal, Wal::Open(options_.env, options_.wal_path, &recovered));
  wal_.emplace(std::move(wal));
  if (recovered.truncated_bytes > 0) {
    LogWarn("wal", "truncated_tail",
            {{"bytes", recovered.truncated_bytes},
             {"records_kept", recovered.records.size()},
             {"path", options_.wal_path}});
  }
  const std::uint64_t start_height = ledger_->head().height + 1;
  LogInfo("consensus", "starting",
          {{"height", start_height},
           {"signed_height", safety.height},
           {"signed_round", safety.round},
           {"wal_records", recovered.records.size()}});
  replica_ = std::make_unique<consensus::Replica>(std::move(config_), &app_, safety, start_height);
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.height = start_height;
  }
  last_height_ = start_height;
  height_started_ms_ = round_started_ms_ = Now();
  replay_ = std::move(recovered.records);
  persisted_lock_ = safety.locked_block_id;
  return Status::Ok();
}

Status NodeCore::fatal() const {
  std::lock_guard<std::mutex> lock(fatal_mu_);
  return fatal_;
}

void NodeCore::Fail(const Status& status) {
  LogError("consensus", "fatal", {{"error", status.ToString()}});
  {
    std::lock_guard<std::mutex> lock(fatal_mu_);
    if (fatal_.ok()) fatal_ = status;
  }
  runtime_->Halt();
}

void NodeCore::Handle(CoreInput input) {
  if (!fatal().ok() || replica_ == nullptr) return;
  std::visit(
      [&](auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, StartInput>) {
          if (mempool_->size() > 0) Feed(consensus::TxsAvailable{Now()});
          Feed(consensus::Start{Now()});
          // Replay the votes and proposals of this height seen before the restart.
          std::vector<std::string> records = std::move(replay_);
          replay_.clear();
          for (const std::string& r : records) {
            if (r.empty()) continue;
            HandleMessage(kReplayPeer, static_cast<std::uint8_t>(r[0]), r.substr(1));
          }
          Tick();
        } else if constexpr (std::is_same_v<T, PeerMessageInput>) {
          HandleMessage(in.peer, in.kind, in.payload);
        } else if constexpr (std::is_same_v<T, PeerDisconnectedInput>) {
          peer_heights_.erase(in.peer);
          if (sync_peer_ == in.peer) sync_peer_.reset();
        } else if constexpr (std::is_same_v<T, TxsAvailableInput>) {
          Feed(consensus::TxsAvailable{Now()});
        } else if constexpr (std::is_same_v<T, TimerFiredInput>) {
          if (in.timer.kind == CoreTimer::Kind::kStatusTick) {
            Tick();
          } else {
            Feed(consensus::TimeoutFired{Now(), in.timer.height, in.timer.round, in.timer.step});
          }
        }
      },
      input);
}

void NodeCore::Feed(const consensus::Event& event) {
  const bool committed = Execute(replica_->Handle(event));
  // The replica assumes a commit took every pending tx; say so when it did not. (Txs that
  // arrive later, into an empty mempool, come as their own TxsAvailableInput.)
  if (committed && fatal().ok() && mempool_->size() > 0) {
    Execute(replica_->Handle(consensus::TxsAvailable{Now()}));
  }
  LogRoundChange();
}

void NodeCore::LogRoundChange() {
  const std::uint64_t h = replica_->height();
  const std::uint32_t r = replica_->round();
  if (h == last_height_ && r == last_round_) return;
  const std::int64_t now = Now();
  const auto& validators = app_.ValidatorsFor(last_height_);
  LogInfo("consensus", "round",
          {{"height", last_height_},
           {"round", last_round_},
           {"outcome", h != last_height_ ? "committed" : "next_round"},
           {"proposer", validators.Proposer(last_height_, last_round_).Hex().substr(0, 12)},
           {"votes_seen", votes_this_round_},
           {"duration_ms", now - round_started_ms_}});
  if (h != last_height_) height_started_ms_ = now;
  last_height_ = h;
  last_round_ = r;
  round_started_ms_ = now;
  votes_this_round_ = 0;
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.height = h;
  stats_.round = r;
}

void NodeCore::SendOwn(const consensus::Message& message, std::optional<PeerId> to) {
  std::string frame;
  wire::Kind kind;
  bool own = false;
  if (const auto* p = std::get_if<consensus::Proposal>(&message)) {
    kind = wire::Kind::kProposal;
    frame = wire::EncodeProposal(*p);
    own = p->proposer == self_;
  } else {
    const auto& v = std::get<consensus::Vote>(message);
    kind = wire::Kind::kVote;
    frame = wire::EncodeVote(v);
    own = v.validator == self_;
  }
  if (own) {
    // Our signature is durable in the safety state already; the WAL keeps the whole message so
    // a restart can re-send it.
    if (Status st = wal_->Append(WalRecord(kind, frame), /*sync=*/true); !st.ok()) {
      Fail(st);
      return;
    }
  }
  if (to) {
    network_->Send(*to, static_cast<std::uint8_t>(kind), std::move(frame));
  } else {
    network_->Broadcast(static_cast<std::uint8_t>(kind), frame);
  }
}

bool NodeCore::Execute(std::vector<consensus::Action> actions) {
  bool committed = false;
  for (consensus::Action& action : actions) {
    if (!fatal().ok()) return committed;  // never send after a failed persist
    std::visit(
        [&](auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, consensus::PersistSafetyState>) {
            // A new lock is made durable together with the proposal and polka it locks on,
            // which came in through the WAL without an fsync: a validator locked on a block
            // whose bytes a crash took cannot propose it again, nor prevote another, and two
            // such validators stall the height for good (a stall of this kind, there from the
            // replica's side, was found by tests/sim/node_sim.cc, seed 745).
            if (a.state.locked_block_id && a.state.locked_block_id != persisted_lock_) {
              if (Status w = wal_->Sync(); !w.ok()) {
                Fail(w);
                return;
              }
            }
            Status st = SaveSafetyState(options_.env, options_.safety_path, a.state,
                                        options_.safety_write_order);
            if (!st.ok()) {
              Fail(st);
              return;
            }
            persisted_lock_ = a.state.locked_block_id;
          } else if constexpr (std::is_same_v<T, consensus::Broadcast>) {
            SendOwn(a.message, std::nullopt);
          } else if constexpr (std::is_same_v<T, consensus::SendTo>) {
            SendOwn(a.message, a.peer);
          } else if constexpr (std::is_same_v<T, consensus::ScheduleTimeout>) {
            const auto h = a.height;
            const auto r = a.round;
            const auto step = a.step;
            runtime_->SetTimer(Now() + std::max<std::int64_t>(0, a.duration_ms),
                               CoreTimer{CoreTimer::Kind::kConsensusTimeout, h, r, step});
          } else if constexpr (std::is_same_v<T, consensus::RequestBlock>) {
            // A commit quorum replayed from the WAL names the WAL as its sender: no peer to
            // ask, and its height must not become a sync target. (It did: a restarted node
            // kept asking "peer 0" for blocks, never a real peer that had them, and stayed
            // behind for good; found by tests/sim/node_sim.cc.) The status of real peers
            // leads block sync.
            if (a.peer == kReplayPeer) return;
            // What the peer's messages showed counts as much as its status would (the next
            // status replaces it): the response that follows can then ask for the next batch.
            if (a.peer_height > 1) {
              auto& known = peer_heights_[a.peer];
              known = std::max(known, a.peer_height - 1);
            }
            if (!sync_peer_) {
              sync_peer_ = a.peer;
              sync_started_ms_ = Now();
              const auto count = options_.sync_batch_blocks;
              network_->Send(a.peer, static_cast<std::uint8_t>(wire::Kind::kSyncRequest),
                             wire::EncodeSyncRequest({a.height, count}));
            }
          } else if constexpr (std::is_same_v<T, consensus::Commit>) {
            ledger::Block block;
            const bool durable = !defer_durability_;
            Status st =
                app_.Commit(a.height, a.block_id, a.payload, a.certificate, Now(), &block, durable);
            undurable_commits_ = !durable;
            if (!st.ok()) {
              Fail(Status::Error(Reason::kCommitFailed, st.ToString()));
              return;
            }
            if (Status w = wal_->Reset(); !w.ok()) {
              Fail(w);
              return;
            }
            if (Status w = ahead_.AfterCommit(a.height,
                                              [&](const std::string& record) {
                                                return wal_->Append(record, /*sync=*/false);
                                              });
                !w.ok()) {
              Fail(w);
              return;
            }
            committed = true;
            const std::int64_t now = Now();
            LogInfo("consensus", "commit",
                    {{"height", a.height},
                     {"round", a.certificate.round},
                     {"hash", ShortHex(a.block_id)},
                     {"txs", block.txs.size()},
                     {"mempool", mempool_->size()}});
            {
              std::lock_guard<std::mutex> lock(stats_mu_);
              ++stats_.commits;
              stats_.last_commit_ms = now;
              if (stats_.commit_latencies_ms.size() >= kMaxLatencies) {
                stats_.commit_latencies_ms.erase(stats_.commit_latencies_ms.begin());
              }
              stats_.commit_latencies_ms.push_back(static_cast<double>(now - height_started_ms_));
            }
            for (const CommitListener& l : listeners_) l(block);
            network_->Broadcast(static_cast<std::uint8_t>(wire::Kind::kStatus),
                                wire::EncodeStatus({a.height, a.block_id}));
          } else if constexpr (std::is_same_v<T, consensus::Evidence>) {
            LogWarn("consensus", "equivocation",
                    {{"validator", a.a.validator.Hex()},
                     {"height", a.a.height},
                     {"round", a.a.round},
                     {"type", std::string(consensus::ToString(a.a.type))}});
            std::lock_guard<std::mutex> lock(stats_mu_);
            ++stats_.evidence;
          }
        },
        action);
  }
  return committed;
}

// A received proposal or vote goes into the WAL without an fsync (a new lock syncs it, see
// PersistSafetyState), unless it came from the WAL. One for a later height is also kept aside:
// the replica buffers it and may lock on it once it gets there, but the commit before resets
// the WAL, so it is appended again after that reset. (Without this a validator locked on a
// proposal it had received a moment before its commit lost the proposal at its next crash, and
// two such validators stalled the height: the whole-node simulation, seed 20261229426.)
void NodeCore::LogReceived(PeerId peer, std::uint64_t height, std::string record) {
  if (height < replica_->height()) return;  // a decided height's: never replayed
  if (peer != kReplayPeer) {
    // Unsynced, but a write that fails is a disk the node cannot trust: it stops, as on a
    // failed fsync.
    if (Status st = wal_->Append(record, /*sync=*/false); !st.ok()) return Fail(st);
  }
  if (height > replica_->height()) (void)ahead_.Keep(height, std::move(record));
}

void NodeCore::HandleMessage(PeerId peer, std::uint8_t kind, const std::string& payload) {
  auto malformed = [&](const Status& st) {
    LogDebug("consensus", "malformed_message",
             {{"peer", peer}, {"kind", kind}, {"error", st.code()}});
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.malformed_messages;
  };
  switch (static_cast<wire::Kind>(kind)) {
    case wire::Kind::kProposal: {
      auto p = wire::DecodeProposal(payload);
      if (!p.ok()) return malformed(p.status());
      LogReceived(peer, p->height, WalRecord(wire::Kind::kProposal, payload));
      if (!fatal().ok()) return;
      Feed(consensus::ProposalReceived{Now(), std::move(*p), peer});
      return;
    }
    case wire::Kind::kVote: {
      auto v = wire::DecodeVote(payload);
      if (!v.ok()) return malformed(v.status());
      LogReceived(peer, v->height, WalRecord(wire::Kind::kVote, payload));
      if (!fatal().ok()) return;
      if (v->height == replica_->height() && v->round == replica_->round()) ++votes_this_round_;
      Feed(consensus::VoteReceived{Now(), std::move(*v), peer});
      return;
    }
    case wire::Kind::kStatus: {
      auto s = wire::DecodeStatus(payload);
      if (!s.ok()) return malformed(s.status());
      peer_heights_[peer] = s->height;
      MaybeSync();
      return;
    }
    case wire::Kind::kSyncRequest: {
      auto r = wire::DecodeSyncRequest(payload);
      if (!r.ok()) return malformed(r.status());
      const auto from = r->from_height;
      const auto count = r->count;
      if (!runtime_->ServeOffLoop([this, peer, from, count] { ServeSync(peer, from, count); })) {
        LogDebug("sync", "request_dropped", {{"peer", peer}});
      }
      return;
    }
    case wire::Kind::kSyncResponse:
      OnSyncedBlocks(peer, payload);
      return;
    case wire::Kind::kTxs:
      return;  // routed to the mempool by the node, never here
  }
  malformed(Status::Error(Reason::kWireMalformed, "unknown kind"));
}

void NodeCore::ServeSync(PeerId peer, std::uint64_t from, std::uint32_t count) {
  // Runs on sync_server_: reads committed blocks only, through snapshots.
  constexpr std::size_t kMaxResponseBytes = 8 << 20;
  std::vector<wire::SyncBlock> blocks;
  std::size_t bytes = 0;
  const std::uint64_t head = ledger_->head().height;
  for (std::uint64_t h = from; h < from + count && h <= head; ++h) {
    consensus::CommitCertificate certificate;
    auto payload = ledger_->BlockPayload(h, &certificate);
    if (!payload.ok() || !payload->has_value()) break;
    if (!blocks.empty() && bytes + (*payload)->size() > kMaxResponseBytes) break;
    bytes += (*payload)->size();
    blocks.push_back(wire::SyncBlock{h, std::move(**payload), std::move(certificate)});
  }
  if (blocks.empty()) return;
  network_->Send(peer, static_cast<std::uint8_t>(wire::Kind::kSyncResponse),
                 wire::EncodeSyncResponse(blocks));
}

void NodeCore::OnSyncedBlocks(PeerId peer, std::string payload) {
  if (sync_peer_ == peer) sync_peer_.reset();
  auto blocks = wire::DecodeSyncResponse(payload);
  if (!blocks.ok()) {
    LogWarn("sync", "malformed_response", {{"peer", peer}, {"error", blocks.status().message()}});
    peer_heights_.erase(peer);
    return;
  }
  std::size_t applied = 0;
  const std::int64_t start = Now();
  const bool prefetched = RequestNextSyncBatch(peer, *blocks);
  // Decoding a block and checking its certificate's signatures need no ledger state, and cost
  // about as much as executing it: a second thread does them for the response's blocks, in
  // order, while this one applies them.
  std::vector<std::promise<Result<ledger::Block>>> decoding(blocks->size());
  std::vector<std::future<Result<ledger::Block>>> decoded;
  for (auto& d : decoding) decoded.push_back(d.get_future());
  std::atomic<bool> stop_decoding{false};
  std::future<void> decoder = runtime_->RunAlongside([&] {
    const std::string_view chain_id = ledger_->genesis().chain_id;
    for (std::size_t i = 0; i < blocks->size() && !stop_decoding.load(); ++i) {
      // The certificate's signatures too; the replica still judges the signers (and this
      // block's certificate is not touched here after its decoding is handed over).
      consensus::VerifyCertificateSignaturesAhead((*blocks)[i].certificate, chain_id,
                                                  ledger_->certificate_cache());
      decoding[i].set_value(app_.DecodeCertified((*blocks)[i].payload));
    }
  });
  // Without it (no thread to spare) each block is decoded when it is validated.
  for (std::size_t i = 0; i < blocks->size(); ++i) {
    wire::SyncBlock& b = (*blocks)[i];
    const std::uint64_t before = ledger_->head().height;
    if (b.height != before + 1) continue;  // already have it, or a gap: ask again later
    if (decoder.valid()) app_.OfferDecoded(b.payload, decoded[i].get());
    // Every block but the response's last is committed without sync; the last one's synced
    // write makes them all durable (below, a Flush if the last was not applied). They are
    // certified, so a machine crash before then costs only a re-sync.
    defer_durability_ = i + 1 < blocks->size();
    Feed(consensus::BlockReceived{Now(), b.height, Bytes(b.payload.begin(), b.payload.end()),
                                  std::move(b.certificate)});
    defer_durability_ = false;
    app_.ClearOffered();
    if (ledger_->head().height != before + 1) {
      // The replica refused it (bad certificate or block): stop trusting this peer's claims.
      LogWarn("sync", "block_refused", {{"peer", peer}, {"height", b.height}});
      peer_heights_.erase(peer);
      break;
    }
    ++applied;
  }
  stop_decoding = true;
  if (decoder.valid()) decoder.wait();
  if (undurable_commits_ && fatal().ok()) {
    if (Status st = ledger_->Flush(); !st.ok())
      Fail(Status::Error(Reason::kCommitFailed, st.ToString()));
    undurable_commits_ = false;
  }
  if (applied > 0) {
    const std::uint64_t target =
        peer_heights_.empty()
            ? 0
            : std::max_element(peer_heights_.begin(), peer_heights_.end(), [](auto& a, auto& b) {
                return a.second < b.second;
              })->second;
    const std::int64_t elapsed = std::max<std::int64_t>(1, Now() - start);
    LogInfo("sync", "progress",
            {{"height", ledger_->head().height},
             {"target", target},
             {"blocks", applied},
             {"blocks_per_s", applied * 1000 / elapsed},
             {"prefetched", prefetched}});
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.synced_blocks += applied;
  }
  MaybeSync();
}

// Pipelining: while the blocks of one response are applied, the peer already reads the next
// ones. Sent only for a response that starts at our next height and when the peer has said it
// holds more; one request is in flight at a time.
bool NodeCore::RequestNextSyncBatch(PeerId peer, const std::vector<wire::SyncBlock>& blocks) {
  if (sync_peer_ || blocks.empty()) return false;
  const std::uint64_t ours = ledger_->head().height;
  if (blocks.front().height != ours + 1) return false;
  const std::uint64_t last = blocks.back().height;
  if (last - blocks.front().height + 1 != blocks.size()) return false;  // not contiguous
  const auto known = peer_heights_.find(peer);
  if (known == peer_heights_.end() || known->second <= last) return false;
  sync_peer_ = peer;
  sync_started_ms_ = Now();
  const auto count = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(options_.sync_batch_blocks, known->second - last));
  network_->Send(peer, static_cast<std::uint8_t>(wire::Kind::kSyncRequest),
                 wire::EncodeSyncRequest({last + 1, count}));
  return true;
}

void NodeCore::MaybeSync() {
  const std::int64_t now = Now();
  if (sync_peer_ && now - sync_started_ms_ < options_.sync_timeout_ms) return;
  sync_peer_.reset();
  const std::uint64_t ours = ledger_->head().height;
  std::optional<std::pair<PeerId, std::uint64_t>> best;
  for (const auto& [peer, height] : peer_heights_) {
    if (!best || height > best->second) best = {peer, height};
  }
  bool stalled = false;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.max_peer_height = best ? best->second : 0;
    stalled = now - stats_.last_commit_ms > 2 * options_.status_interval_ms;
    stats_.syncing = best && best->second > ours + 1;
  }
  // A peer one block ahead is normal (it committed first); more, or a stall, means we are behind.
  if (!best || best->second <= ours || (best->second == ours + 1 && !stalled)) return;
  sync_peer_ = best->first;
  sync_started_ms_ = now;
  const auto count = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(options_.sync_batch_blocks, best->second - ours));
  network_->Send(best->first, static_cast<std::uint8_t>(wire::Kind::kSyncRequest),
                 wire::EncodeSyncRequest({ours + 1, count}));
}

void NodeCore::Tick() {
  const ledger::Head head = ledger_->head();
  network_->Broadcast(static_cast<std::uint8_t>(wire::Kind::kStatus),
                      wire::EncodeStatus({head.height, head.block_hash}));
  MaybeSync();
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.step = std::string(consensus::ToString(replica_->step()));
  }
  runtime_->SetTimer(Now() + options_.status_interval_ms,
                     CoreTimer{CoreTimer::Kind::kStatusTick, 0, 0, consensus::Step::kPropose});
}

DriverStats NodeCore::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

}  // namespace consentd::node
