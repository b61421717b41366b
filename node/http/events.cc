// GET /v1/events: Server-Sent Events (text/event-stream). One "block" event per committed block,
// then one "tx" event per committed transaction of that block, in commit order:
//
//   id: 12          event: block   data: {"height":12,"hash":...,"time_ms":...,"tx_count":3}
//   id: 12-0        event: tx      data: {"height":12,"index":0,"tx_id":...,"type":...,
//                                         "time_ms":...,"tx":{...}}
//
// Events are read back from the committed ledger, not from a buffer, so a subscriber that
// reconnects with Last-Event-ID (header, or the last_event_id parameter for clients that cannot
// set headers) continues exactly after the last event it saw, however long it was away. Without
// one it starts at from_height, or with the next block. `types` filters: "block", "tx" (every
// transaction), or transaction type names, comma-separated. A comment line is sent every 15 s
// of quiet so proxies keep the connection open.

#include "common/hex.h"
#include "ledger/state/state.h"
#include "ledger/tx_body.h"
#include "node/http/api.h"
#include "node/http/scope.h"
#include "node/node.h"

namespace consentd::node::http {
namespace {

struct Filter {
  bool blocks = true;
  bool all_txs = true;
  std::vector<ledger::TxType> types;

  bool Wants(ledger::TxType t) const {
    return all_txs || std::find(types.begin(), types.end(), t) != types.end();
  }
};

Result<Filter> ParseFilter(const std::optional<std::string>& text) {
  Filter f;
  if (!text) return f;
  f.blocks = false;
  f.all_txs = false;
  std::size_t start = 0;
  while (start <= text->size()) {
    const std::size_t comma = std::min(text->find(',', start), text->size());
    const std::string name = text->substr(start, comma - start);
    if (name == "block") {
      f.blocks = true;
    } else if (name == "tx") {
      f.all_txs = true;
    } else if (auto t = ledger::ParseTxType(name)) {
      f.types.push_back(*t);
    } else {
      return Status::Error(Reason::kBadParameter, "types: \"" + name.substr(0, 64) +
                                                      "\" is not block, tx or a transaction type");
    }
    start = comma + 1;
  }
  return f;
}

// Where a stream stands: the next event is block `height`'s block event (index < 0) or its tx
// `index`.
struct Position {
  std::uint64_t height = 1;
  std::int64_t index = -1;
};

// "H" (the block event of H was seen) or "H-I" (tx I of block H was seen) -> the next position.
std::optional<Position> AfterEventId(std::string_view id) {
  const std::size_t dash = id.find('-');
  auto h = ParseDecimal(id.substr(0, dash));
  if (!h || *h == 0) return std::nullopt;
  if (dash == std::string_view::npos) return Position{*h, 0};
  auto i = ParseDecimal(id.substr(dash + 1));
  if (!i || *i > 1'000'000) return std::nullopt;
  return Position{*h, static_cast<std::int64_t>(*i) + 1};
}

std::string Event(const std::string& id, const char* type, const Json& data) {
  std::string out = "id: " + id + "\nevent: " + type + "\ndata: ";
  AppendCanonicalJson(data, &out);
  return out + "\n\n";
}

struct Stream {
  Filter filter;
  Position next;
  std::shared_ptr<StreamSlot> slot;
  Principal who;  // tx events only of the transactions it may see (scope.h)
};

// Appends the events of block `s.next.height` from `s.next` on; advances to the next block.
Status AppendBlock(Api& api, Stream& s, std::string* out) {
  ledger::Ledger& ledger = api.node->ledger();
  auto view = std::shared_ptr<const ledger::ReadView>(ledger.Snapshot());
  CONSENTD_ASSIGN_OR_RETURN(auto block, ledger::Ledger::ReadBlock(*view, s.next.height));
  if (!block) return Status::Error(Reason::kStoreCorruption, "missing block below the head");
  const std::string h = std::to_string(s.next.height);
  if (s.next.index < 0) {
    if (s.filter.blocks) {
      *out += Event(h, "block",
                    Json{{"height", s.next.height},
                         {"hash", HexEncode(block->header.Hash())},
                         {"time_ms", block->header.time_ms},
                         {"tx_count", block->tx_ids.size()}});
    }
    s.next.index = 0;
  }
  ledger::StateReader state(*view);
  const ledger::Queries scope_q(view, ledger.genesis(), ledger.head());
  for (auto i = static_cast<std::size_t>(s.next.index); i < block->tx_ids.size(); ++i) {
    if (!s.who.authenticated()) break;  // without a token: block events only
    CONSENTD_ASSIGN_OR_RETURN(auto loc, state.Tx(block->tx_ids[i]));
    if (!loc) return Status::Error(Reason::kStoreCorruption, "block names a missing tx");
    CONSENTD_ASSIGN_OR_RETURN(
        ledger::TxPtr tx, ledger::Tx::ParseCommitted(loc->canonical, ledger.genesis().chain_id));
    if (!s.filter.Wants(tx->type())) continue;
    if (!s.who.sees_all()) {
      CONSENTD_ASSIGN_OR_RETURN(ledger::TxParties parties, scope_q.Parties(*tx));
      if (!MaySee(s.who, parties)) continue;
    }
    *out += Event(h + "-" + std::to_string(i), "tx",
                  Json{{"height", s.next.height},
                       {"index", i},
                       {"tx_id", HexEncode(tx->id())},
                       {"type", ledger::ToString(tx->type())},
                       {"time_ms", block->header.time_ms},
                       {"tx", tx->ToJson()}});
  }
  s.next = Position{s.next.height + 1, -1};
  return Status::Ok();
}

// The event stream's body: the events of each block as it commits, a comment on quiet.
class EventStream final : public BodyStream {
 public:
  EventStream(Api& api, Stream stream) : api_(api), s_(std::move(stream)) {}

  Step Next(std::string* out, bool idle) override {
    if (api_.stopping) return Step::kDone;
    if (!started_) {
      started_ = true;
      *out = "retry: 2000\n\n";
    }
    if (s_.next.height > api_.node->ledger().head().height) {
      if (!idle) return out->empty() ? Step::kWait : Step::kData;
      *out += ": keep-alive\n\n";
      return Step::kData;
    }
    if (Status st = AppendBlock(api_, s_, out); !st.ok()) {
      // No id: a client that reconnects resumes after the last real event.
      *out += "event: error\ndata: " + CanonicalJson(ErrorBody(st)) + "\n\n";
      return Step::kAbort;
    }
    return Step::kData;
  }

 private:
  Api& api_;
  Stream s_;
  bool started_ = false;
};

void Events(Api& api, Context& c) {
  if (auto st = c.params.Only({"types", "from_height", "last_event_id"}); !st.ok())
    return c.Fail(st);
  auto filter = ParseFilter(c.params.Get("types"));
  if (!filter.ok()) return c.Fail(filter.status());
  const std::uint64_t head = api.node->ledger().head().height;
  Position start{head + 1, -1};
  std::optional<std::string> last = c.params.Get("last_event_id");
  if (c.req.last_event_id) last = c.req.last_event_id;
  if (last) {
    auto p = AfterEventId(*last);
    if (!p || p->height > head) {
      return c.Fail(Reason::kBadParameter, "Last-Event-ID is not an event this chain has sent");
    }
    start = *p;
  } else {
    auto from = c.params.Uint("from_height", 1, head + 1);
    if (!from.ok()) return c.Fail(from.status());
    if (*from) start = Position{**from, -1};
  }
  auto slot = std::make_shared<StreamSlot>(api, c.who);
  if (!slot->ok()) return c.Fail(Reason::kTooManyStreams, "too many streams open; try again later");
  c.res.status = 200;
  c.res.content_type = "text/event-stream";
  c.res.SetHeader("Cache-Control", "no-cache");
  c.res.SetHeader("X-Accel-Buffering", "no");
  c.res.stream = std::make_shared<EventStream>(api, Stream{*filter, start, std::move(slot), c.who});
}

}  // namespace

std::vector<Route> EventRoutes(Api& api) {
  Api* a = &api;
  return {{"GET", "/v1/events", Access::kPublic, [a](Context& c) { Events(*a, c); }}};
}

}  // namespace consentd::node::http
