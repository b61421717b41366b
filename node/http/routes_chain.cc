// Routes about the chain itself: submitting transactions, transactions, blocks, receipts,
// validators, and the node's status. Submitting is open to anyone (a transaction carries its
// own signatures); reading a transaction or its receipt needs a token and stays within the
// caller's scope (scope.h); a block's header and certificate are public, its list of
// transactions is the caller's visible part of it.

#include <algorithm>

#include "common/hex.h"
#include "common/version.h"
#include "node/http/api.h"
#include "node/http/scope.h"
#include "node/node.h"

namespace consentd::node::http {
namespace {

Result<std::optional<std::string>> Receipt(Api& api, const Hash256& id) {
  return api.receipts->BuildText(id);
}

// Ok when the caller may see committed tx `id`, or when no tx by that id is committed (the
// caller then gets the route's own not-found answer).
Status MaySeeTx(const ledger::Queries& q, const Principal& who, const Hash256& id) {
  if (who.sees_all()) return Status::Ok();
  CONSENTD_ASSIGN_OR_RETURN(auto parties, q.Parties(id));
  if (parties && !MaySee(who, *parties)) {
    return Status::Error(Reason::kForbidden, OutOfScope(who, "this transaction"));
  }
  return Status::Ok();
}

// POST /v1/txs?wait=commit&timeout_ms=N
void SubmitOne(Api& api, Context& c) {
  if (auto st = c.params.Only({"wait", "timeout_ms"}); !st.ok()) return c.Fail(st);
  const std::uint64_t max_wait = api.node->config().http.max_wait_ms;
  const auto wait = c.params.Get("wait");
  if (wait && *wait != "commit") return c.Fail(Reason::kBadParameter, "wait must be \"commit\"");
  auto timeout = c.params.Uint("timeout_ms", 1, max_wait);
  if (!timeout.ok()) return c.Fail(timeout.status());
  if (timeout->has_value() && !wait) {
    return c.Fail(Reason::kBadParameter, "timeout_ms is only meaningful with wait=commit");
  }
  auto tx = api.node->Submit(c.req.body);
  if (!tx.ok()) return c.Fail(tx.status());
  const Hash256 id = (*tx)->id();
  if (!wait) return c.Reply(202, Json{{"tx_id", HexEncode(id)}, {"status", "pending"}});

  // The answer waits for the commit without holding a thread: the server polls it after each
  // commit until the deadline.
  const auto ms = static_cast<std::int64_t>(timeout->value_or(max_wait));
  Api* a = &api;
  auto deferred = std::make_shared<Deferred>();
  deferred->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  deferred->poll = [a, id](Response& res) {
    if (!a->node->IsCommitted(id)) return false;
    auto receipt = Receipt(*a, id);
    static const Request kNoRequest;
    static const QueryParams kNoQuery;
    Context r{kNoRequest, res, {}, {}, Params(kNoQuery)};
    if (!receipt.ok()) {
      r.Fail(receipt.status());
    } else if (!receipt->has_value()) {
      r.Fail(Reason::kInternal, "committed tx has no receipt yet");
    } else {
      r.ReplyCanonical(200, std::move(**receipt));
    }
    return true;
  };
  deferred->expire = [id, ms](Response& res) {
    Json body = ErrorBody(Reason::kCommitTimeout, "not committed within " + std::to_string(ms) +
                                                      " ms; it may still be committed later");
    body["tx_id"] = HexEncode(id);
    res.status = 504;
    res.content_type = "application/json";
    res.body = CanonicalJson(body);
  };
  c.res.deferred = std::move(deferred);
}

// POST /v1/txs/batch: {"txs": [tx, ...]} -> {"results": [{"tx_id"} | {"error"}, ...]}
void SubmitBatch(Api& api, Context& c) {
  if (auto st = c.params.Only({}); !st.ok()) return c.Fail(st);
  const Config::Http& cfg = api.node->config().http;
  JsonLimits limits;
  limits.max_bytes = cfg.max_body_bytes;
  limits.max_depth = 34;  // the batch wrapper adds two levels to a tx's own limit
  auto body = ParseJson(c.req.body, limits);
  if (!body.ok()) return c.Fail(body.status());
  if (!body->is_object() || body->size() != 1 || !body->contains("txs") ||
      !(*body)["txs"].is_array()) {
    return c.Fail(Reason::kBadRequest, "the body must be {\"txs\": [tx, ...]}");
  }
  const Json& txs = (*body)["txs"];
  if (txs.empty()) return c.Fail(Reason::kBadRequest, "the batch is empty");
  if (txs.size() > cfg.max_batch) {
    return c.Fail(Reason::kBatchTooLarge,
                  "at most " + std::to_string(cfg.max_batch) + " txs per batch");
  }
  const ledger::Genesis& genesis = api.node->ledger().genesis();
  Json results = Json::array();
  std::size_t accepted = 0;
  for (const Json& t : txs) {
    auto tx = ledger::Tx::FromJson(t, genesis.chain_id,
                                   static_cast<std::size_t>(genesis.params.max_tx_bytes));
    Status st = tx.ok() ? api.node->Admit(*tx) : tx.status();
    if (!tx.ok()) api.node->CountRejection(st);
    if (st.ok()) {
      ++accepted;
      results.push_back(Json{{"tx_id", HexEncode((*tx)->id())}, {"status", 202}});
    } else {
      Json r = ErrorBody(st);
      r["status"] = HttpStatusFor(st.reason());
      if (tx.ok()) r["tx_id"] = HexEncode((*tx)->id());
      results.push_back(std::move(r));
    }
  }
  c.Reply(200, Json{{"accepted", accepted},
                    {"rejected", txs.size() - accepted},
                    {"results", std::move(results)}});
}

void GetTx(Api& api, Context& c) {
  if (auto st = c.params.Only({}); !st.ok()) return c.Fail(st);
  auto id = ParseId("tx_id", c.args[0]);
  if (!id.ok()) return c.Fail(id.status());
  ledger::Queries q = api.Snapshot();
  if (auto st = MaySeeTx(q, c.who, *id); !st.ok()) return c.Fail(st);
  auto view = q.Transaction(*id);
  if (!view.ok()) return c.Fail(view.status());
  if (!view->has_value()) {
    if (api.node->mempool().Contains(*id)) {
      return c.Reply(200, Json{{"tx_id", HexEncode(*id)}, {"status", "pending"}});
    }
    return c.Fail(Reason::kNotFound, "no transaction " + HexEncode(*id) + " here");
  }
  Json body = std::move(**view);
  body["status"] = "committed";
  c.Reply(200, body);
}

void GetBlock(Api& api, Context& c, std::optional<std::uint64_t> height) {
  if (auto st = c.params.Only({}); !st.ok()) return c.Fail(st);
  ledger::Queries q = api.Snapshot();
  const std::uint64_t h = height.value_or(q.head().height);
  if (h == 0) return c.Fail(Reason::kNotFound, "no block has been committed yet");
  auto block = q.Block(h);
  if (!block.ok()) return c.Fail(block.status());
  if (!block->has_value())
    return c.Fail(Reason::kNotFound, "no block at height " + std::to_string(h));
  Json& b = **block;
  if (!c.who.sees_all()) {
    // The caller's visible part of the list; the header's Merkle root still covers all.
    Json visible = Json::array();
    if (c.who.authenticated()) {
      for (const Json& tx_id : b["tx_ids"]) {
        auto raw = HexDecodeFixed<32>(tx_id.get<std::string>());
        if (!raw.ok()) return c.Fail(Reason::kInternal, "a block names a malformed tx id");
        auto parties = q.Parties(*raw);
        if (!parties.ok()) return c.Fail(parties.status());
        if (*parties && MaySee(c.who, **parties)) visible.push_back(tx_id);
      }
    }
    b["tx_ids"] = std::move(visible);
  }
  c.Reply(200, b);
}

void GetReceipt(Api& api, Context& c) {
  if (auto st = c.params.Only({}); !st.ok()) return c.Fail(st);
  auto id = ParseId("tx_id", c.args[0]);
  if (!id.ok()) return c.Fail(id.status());
  if (auto st = MaySeeTx(api.Snapshot(), c.who, *id); !st.ok()) return c.Fail(st);
  auto receipt = Receipt(api, *id);
  if (!receipt.ok()) return c.Fail(receipt.status());
  if (!receipt->has_value()) {
    if (api.node->mempool().Contains(*id)) {
      return c.Fail(Reason::kNotFound,
                    "the transaction is pending; its receipt exists once committed");
    }
    return c.Fail(Reason::kNotFound, "no committed transaction " + HexEncode(*id) + " here");
  }
  c.ReplyCanonical(200, std::move(**receipt));
}

void GetValidators(Api& api, Context& c) {
  if (auto st = c.params.Only({"height"}); !st.ok()) return c.Fail(st);
  ledger::Ledger& ledger = api.node->ledger();
  const std::uint64_t next = ledger.head().height + 1;
  auto height = c.params.Uint("height", 1, next + 1000000);
  if (!height.ok()) return c.Fail(height.status());
  const std::uint64_t h = height->value_or(next);
  auto set = ledger.ValidatorsFor(h);
  if (!set.ok()) return c.Fail(set.status());
  Json keys = Json::array();
  for (const crypto::PublicKey& k : set->keys()) keys.push_back(k.Hex());
  c.Reply(200, Json{{"height", h},
                    {"validators", std::move(keys)},
                    {"size", set->size()},
                    {"quorum", set->Quorum()},
                    {"set_hash", HexEncode(set->Hash())}});
}

void GetStatus(Api& api, Context& c) {
  if (auto st = c.params.Only({}); !st.ok()) return c.Fail(st);
  Node& node = *api.node;
  const ledger::Head head = node.ledger().head();
  const DriverStats s = node.driver().stats();
  Json peers = Json::array();
  for (const auto& p : node.transport().Peers()) {
    peers.push_back(Json{{"id", p.id},
                         {"key", p.key.Hex()},
                         {"direction", p.outbound ? "out" : "in"},
                         {"remote", p.remote}});
  }
  c.Reply(200, Json{{"chain_id", node.ledger().genesis().chain_id},
                    {"height", head.height},
                    {"block_hash", HexEncode(head.block_hash)},
                    {"state_digest", HexEncode(head.state_digest)},
                    {"time_ms", head.time_ms},
                    {"round", s.round},
                    {"step", s.step},
                    {"syncing", s.syncing},
                    {"max_peer_height", s.max_peer_height},
                    {"peers", std::move(peers)},
                    {"mempool_size", node.mempool().size()},
                    {"mempool_bytes", node.mempool().bytes()},
                    {"ready", node.Ready()},
                    {"node_key", node.node_key().Hex()},
                    {"version", kVersion}});
}

}  // namespace

std::vector<Route> ChainRoutes(Api& api) {
  Api* a = &api;
  return {
      {"POST", "/v1/txs", Access::kPublic, [a](Context& c) { SubmitOne(*a, c); }},
      {"POST", "/v1/txs/batch", Access::kPublic, [a](Context& c) { SubmitBatch(*a, c); },
       /*blocking=*/true},
      {"GET", "/v1/txs/{tx_id}", Access::kSigned, [a](Context& c) { GetTx(*a, c); }},
      {"GET", "/v1/blocks/latest", Access::kPublic,
       [a](Context& c) { GetBlock(*a, c, std::nullopt); }},
      {"GET", "/v1/blocks/{height}", Access::kPublic,
       [a](Context& c) {
         auto h = ParseDecimal(c.args[0]);
         if (!h) return c.Fail(Reason::kBadParameter, "height must be a whole number");
         GetBlock(*a, c, *h);
       }},
      {"GET", "/v1/receipts/{tx_id}", Access::kSigned, [a](Context& c) { GetReceipt(*a, c); },
       /*blocking=*/false, /*cacheable=*/true},
      {"GET", "/v1/validators", Access::kPublic, [a](Context& c) { GetValidators(*a, c); }},
      {"GET", "/v1/status", Access::kPublic, [a](Context& c) { GetStatus(*a, c); }},
  };
}

}  // namespace consentd::node::http
