#include "node/http/server.h"

#include <httplib.h>

#include <atomic>
#include <thread>

#include "common/hex.h"
#include "common/json.h"
#include "common/version.h"
#include "ledger/query/queries.h"
#include "node/log.h"
#include "node/node.h"

namespace consentd::node {
namespace {

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(CanonicalJson(body), "application/json");
}

void SendError(httplib::Response& res, int status, std::string_view code,
               std::string_view message) {
  SendJson(res, status, Json{{"error", {{"code", code}, {"message", message}}}});
}

// HTTP status for a tx rejection code.
int StatusFor(const Status& st) {
  const std::string& c = st.code();
  if (c == "mempool_duplicate" || c == "tx_duplicate") return 409;
  if (c == "mempool_full") return 503;
  if (c == "tx_too_large" || c == "json_too_large") return 413;
  if (c.starts_with("json_") || c.starts_with("tx_")) {
    // Schema and signature problems are the request's form; state rules are 422 below.
    static const char* kStateful[] = {"tx_expired", "tx_expiry_too_far", "tx_missing_signature",
                                      "tx_unexpected_signer"};
    for (const char* s : kStateful) {
      if (c == s) return 422;
    }
    return 400;
  }
  if (c.starts_with("store_")) return 500;
  return 422;
}

std::optional<std::uint64_t> ParseHeight(const std::string& s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

struct HttpServer::Impl {
  Node* node;
  httplib::Server server;
  std::thread thread;
  std::atomic<int> port{0};
  bool started = false;

  void Routes();
};

HttpServer::HttpServer(Node* node) : impl_(std::make_unique<Impl>()) { impl_->node = node; }

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Impl::Routes() {
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, Json{{"status", "ok"}});
  });
  server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    const bool ready = node->Ready();
    SendJson(res, ready ? 200 : 503, Json{{"ready", ready}});
  });
  server.Get("/v1/status", [this](const httplib::Request&, httplib::Response& res) {
    const ledger::Head head = node->ledger().head();
    const DriverStats s = node->driver().stats();
    Json peers = Json::array();
    for (const auto& p : node->transport().Peers()) {
      peers.push_back(Json{{"id", p.id}, {"key", p.key.Hex()}, {"outbound", p.outbound}});
    }
    SendJson(res, 200,
             Json{{"chain_id", node->ledger().genesis().chain_id},
                  {"height", head.height},
                  {"block_hash", HexEncode(head.block_hash)},
                  {"state_digest", HexEncode(head.state_digest)},
                  {"time_ms", head.time_ms},
                  {"round", s.round},
                  {"step", s.step},
                  {"syncing", s.syncing},
                  {"max_peer_height", s.max_peer_height},
                  {"peers", peers},
                  {"mempool_size", node->mempool().size()},
                  {"node_key", node->node_key().Hex()},
                  {"version", kVersion}});
  });
  server.Post("/v1/txs", [this](const httplib::Request& req, httplib::Response& res) {
    auto tx = node->Submit(req.body);
    if (!tx.ok())
      return SendError(res, StatusFor(tx.status()), tx.status().code(), tx.status().message());
    const std::string id = HexEncode((*tx)->id());
    if (req.get_param_value("wait") == "commit") {
      std::int64_t timeout = node->config().http.max_wait_ms;
      if (req.has_param("timeout_ms")) {
        auto t = ParseHeight(req.get_param_value("timeout_ms"));
        if (!t || *t == 0 || *t > node->config().http.max_wait_ms) {
          return SendError(res, 400, "bad_parameter",
                           "timeout_ms must be between 1 and " +
                               std::to_string(node->config().http.max_wait_ms));
        }
        timeout = static_cast<std::int64_t>(*t);
      }
      if (!node->WaitForCommit((*tx)->id(), timeout)) {
        return SendJson(
            res, 504,
            Json{{"error", {{"code", "commit_timeout"}, {"message", "not committed in time"}}},
                 {"tx_id", id}});
      }
      ledger::Queries q(node->ledger());
      auto view = q.Transaction((*tx)->id());
      if (!view.ok() || !view->has_value())
        return SendError(res, 500, "store_io", "committed tx not readable");
      Json body = **view;
      return SendJson(res, 200, body);
    }
    SendJson(res, 202, Json{{"tx_id", id}});
  });
  server.Get(
      R"(/v1/txs/([0-9a-f]{64}))", [this](const httplib::Request& req, httplib::Response& res) {
        auto id = HexDecodeFixed<32>(req.matches[1].str());
        ledger::Queries q(node->ledger());
        auto view = q.Transaction(*id);
        if (!view.ok()) return SendError(res, 500, view.status().code(), view.status().message());
        if (!view->has_value()) {
          if (node->mempool().Contains(*id))
            return SendJson(res, 200, Json{{"tx_id", req.matches[1].str()}, {"status", "pending"}});
          return SendError(res, 404, "not_found", "no such transaction");
        }
        Json body = **view;
        body["status"] = "committed";
        SendJson(res, 200, body);
      });
  auto block = [this](httplib::Response& res, std::uint64_t height) {
    ledger::Queries q(node->ledger());
    auto b = q.Block(height);
    if (!b.ok()) return SendError(res, 500, b.status().code(), b.status().message());
    if (!b->has_value())
      return SendError(res, 404, "not_found", "no block at height " + std::to_string(height));
    SendJson(res, 200, **b);
  };
  server.Get("/v1/blocks/latest", [this, block](const httplib::Request&, httplib::Response& res) {
    block(res, node->ledger().head().height);
  });
  server.Get(R"(/v1/blocks/([0-9]+))",
             [block](const httplib::Request& req, httplib::Response& res) {
               auto h = ParseHeight(req.matches[1].str());
               if (!h) return SendError(res, 400, "bad_parameter", "height must be a number");
               block(res, *h);
             });
}

Status HttpServer::Start() {
  Impl& im = *impl_;
  const Config::Http& cfg = im.node->config().http;
  im.server.set_tcp_nodelay(true);
  im.server.set_keep_alive_max_count(100000);
  im.server.set_keep_alive_timeout(30);
  im.server.set_read_timeout(std::chrono::milliseconds(cfg.read_timeout_ms));
  im.server.set_write_timeout(std::chrono::milliseconds(cfg.write_timeout_ms));
  im.server.set_payload_max_length(cfg.max_body_bytes);
  const unsigned threads = cfg.threads;
  im.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  im.server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, 500, "internal", "internal error");
      });
  im.server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) return SendError(res, 413, "too_large", "request body too large");
    if (res.status == 404) return SendError(res, 404, "not_found", "no such route");
    SendError(res, res.status, "bad_request", "bad request");
  });
  im.Routes();
  if (!im.server.bind_to_port(cfg.listen.host, cfg.listen.port)) {
    return Status::Error("http_listen", "cannot listen on " + cfg.listen.ToString());
  }
  im.port = cfg.listen.port;
  im.started = true;
  im.thread = std::thread([&im] { im.server.listen_after_bind(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->started) return;
  impl_->started = false;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t HttpServer::port() const { return static_cast<std::uint16_t>(impl_->port.load()); }

}  // namespace consentd::node
