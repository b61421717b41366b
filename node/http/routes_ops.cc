// Routes for operators: Prometheus metrics, liveness, readiness, and online backups.

#include "ledger/backup.h"
#include "node/http/api.h"
#include "node/log.h"
#include "node/metrics.h"
#include "node/node.h"

namespace consentd::node::http {
namespace {

void GetMetrics(Api& api, Context& c) {
  if (auto st = c.params.Only({}); !st.ok()) return c.Fail(st);
  Node& node = *api.node;
  const ledger::Head head = node.ledger().head();
  const DriverStats s = node.driver().stats();
  const auto peers = node.transport().Peers();
  const auto p2p = node.transport().counters();
  std::vector<Gauge> g = {
      {"consentd_height", "Height of the latest committed block.",
       static_cast<double>(head.height)},
      {"consentd_round", "Consensus round at the current height.", static_cast<double>(s.round)},
      {"consentd_peers", "Authenticated peer connections.", static_cast<double>(peers.size())},
      {"consentd_ready", "1 when synced and connected to a quorum (GET /readyz).",
       node.Ready() ? 1.0 : 0.0},
      {"consentd_mempool_txs", "Transactions waiting for a block.",
       static_cast<double>(node.mempool().size())},
      {"consentd_mempool_bytes", "Bytes of transactions waiting for a block.",
       static_cast<double>(node.mempool().bytes())},
      {"consentd_syncing", "1 while fetching blocks from peers that are ahead.",
       s.syncing ? 1.0 : 0.0},
      {"consentd_sync_target_height", "Highest height a peer has shown.",
       static_cast<double>(s.max_peer_height)},
      {"consentd_synced_blocks_total",
       "Blocks applied through block sync.",
       static_cast<double>(s.synced_blocks),
       {},
       "counter"},
      {"consentd_commits_total",
       "Blocks this node has committed through consensus.",
       static_cast<double>(s.commits),
       {},
       "counter"},
      {"consentd_consensus_malformed_messages_total",
       "Consensus messages dropped as malformed or badly signed.",
       static_cast<double>(s.malformed_messages),
       {},
       "counter"},
      {"consentd_p2p_frames_total",
       "Peer frames.",
       static_cast<double>(p2p.frames_in),
       {{"direction", "in"}},
       "counter"},
      {"consentd_p2p_frames_total",
       "Peer frames.",
       static_cast<double>(p2p.frames_out),
       {{"direction", "out"}},
       "counter"},
      {"consentd_p2p_refused_total",
       "Peer frames or connections refused, by reason.",
       static_cast<double>(p2p.malformed_frames),
       {{"reason", "malformed"}},
       "counter"},
      {"consentd_p2p_refused_total",
       "",
       static_cast<double>(p2p.oversize_frames),
       {{"reason", "oversize"}},
       "counter"},
      {"consentd_p2p_refused_total",
       "",
       static_cast<double>(p2p.auth_failures),
       {{"reason", "auth_failure"}},
       "counter"},
      {"consentd_p2p_refused_total",
       "",
       static_cast<double>(p2p.unknown_key_rejections),
       {{"reason", "unknown_key"}},
       "counter"},
      {"consentd_receipt_cache_total",
       "Receipts served, by whether their block was cached.",
       static_cast<double>(api.receipts ? api.receipts->hits() : 0),
       {{"result", "hit"}},
       "counter"},
      {"consentd_receipt_cache_total",
       "",
       static_cast<double>(api.receipts ? api.receipts->misses() : 0),
       {{"result", "miss"}},
       "counter"},
      {"consentd_http_answer_cache_total",
       "Answers of cacheable routes (check, receipts), by whether the answer cache had them.",
       static_cast<double>(api.answers ? api.answers->hits() : 0),
       {{"result", "hit"}},
       "counter"},
      {"consentd_http_answer_cache_total",
       "",
       static_cast<double>(api.answers ? api.answers->misses() : 0),
       {{"result", "miss"}},
       "counter"},
      {"consentd_http_answer_cache_bytes", "Bytes the answer cache holds.",
       static_cast<double>(api.answers ? api.answers->bytes() : 0)},
      {"consentd_p2p_send_drops_total",
       "Frames not queued to a peer (gone, queue full).",
       static_cast<double>(p2p.send_drops),
       {},
       "counter"},
  };
  g.push_back({"consentd_http_connections", "Open HTTP connections (within the caps).",
               static_cast<double>(api.connections.load())});
  for (int k = 0; k < Api::kStreamClasses; ++k) {
    g.push_back({"consentd_http_streams",
                 k == 0 ? "Open streams (events, exports, backups) by class of principal." : "",
                 static_cast<double>(api.streams[k].load()),
                 {{"class", ToString(static_cast<Api::StreamClass>(k))}}});
  }
  for (int k = 0; k < Api::kStreamClasses; ++k) {
    g.push_back({"consentd_http_streams_max",
                 k == 0 ? "Stream slots by class of principal." : "",
                 static_cast<double>(api.max_streams[k]),
                 {{"class", ToString(static_cast<Api::StreamClass>(k))}}});
  }
  c.res.status = 200;
  c.res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  c.res.body = api.metrics->Render(g);
}

// A backup's body, one piece (about 1 MiB) at a time as the client reads.
class BackupStream final : public BodyStream {
 public:
  BackupStream(Api& api, std::unique_ptr<ledger::BackupWriter> writer,
               std::shared_ptr<StreamSlot> slot)
      : api_(api), writer_(std::move(writer)), slot_(std::move(slot)) {}

  Step Next(std::string* out, bool) override {
    if (api_.stopping) return Step::kAbort;
    auto more = writer_->Next(out);
    if (!more.ok()) {
      // The status line is gone: cut the stream short; the missing trailer tells the reader.
      LogWarn("http", "backup_failed", {{"error", more.status().ToString()}});
      return Step::kAbort;
    }
    if (*more) return Step::kData;
    const ledger::BackupManifest& m = writer_->manifest();
    LogInfo("http", "backup_served", {{"height", m.head.height}, {"entries", m.entries}});
    return Step::kDone;
  }

 private:
  Api& api_;
  std::unique_ptr<ledger::BackupWriter> writer_;
  std::shared_ptr<StreamSlot> slot_;
};

// The whole ledger store as of one snapshot, streamed in the backup format (ledger/backup.h)
// while the node goes on committing. A backup holds every member's records, so only tokens that
// see every member's records (auditor, regulator) may take one.
void GetBackup(Api& api, Context& c) {
  if (auto st = c.params.Only({}); !st.ok()) return c.Fail(st);
  if (!c.who.sees_all()) {
    return c.Fail(Reason::kForbidden,
                  "a backup holds every member's records: it needs an auditor or regulator token");
  }
  auto slot = std::make_shared<StreamSlot>(api, c.who);
  if (!slot->ok()) return c.Fail(Reason::kTooManyStreams, "too many streams open; try again later");
  const ledger::Genesis& genesis = api.node->ledger().genesis();
  auto writer = ledger::BackupWriter::Start(api.node->ledger().Snapshot(), genesis);
  if (!writer.ok()) return c.Fail(writer.status());
  c.res.status = 200;
  c.res.content_type = "application/octet-stream";
  c.res.SetHeader("Content-Disposition",
                  "attachment; filename=\"consentd-" + genesis.chain_id + "-" +
                      std::to_string((*writer)->manifest().head.height) + ".backup\"");
  c.res.stream = std::make_shared<BackupStream>(api, std::move(*writer), std::move(slot));
}

}  // namespace

std::vector<Route> OpsRoutes(Api& api) {
  Api* a = &api;
  std::vector<Route> routes = {
      {"GET", "/metrics", Access::kToken, [a](Context& c) { GetMetrics(*a, c); }},
      {"GET", "/healthz", Access::kPublic,
       [](Context& c) {
         c.Reply(200, Json{{"status", "ok"}});
       }},
      {"GET", "/readyz", Access::kPublic,
       [a](Context& c) {
         const bool ready = a->node->Ready();
         if (!ready) return c.Fail(Reason::kNotReady, "syncing, or not connected to a quorum");
         c.Reply(200, Json{{"ready", true}});
       }},
  };
  Route backup{"GET", "/v1/admin/backup", Access::kToken, [a](Context& c) { GetBackup(*a, c); }};
  backup.reads_whole_store = true;
  routes.push_back(std::move(backup));
  return routes;
}

}  // namespace consentd::node::http
