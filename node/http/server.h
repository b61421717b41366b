#pragma once

// HttpServer: the node's HTTP API on Boost.Beast (included only in node/http/server.cc).
// Versioned under /v1, JSON everywhere, errors as {"error": {"code", "message"}} with a fitting
// status. docs/API.md and docs/api/openapi.yaml describe every route; node/http/api.h holds the
// route table.
//
// Asynchronous, on `http.threads` I/O threads plus `http.work_threads` for long handlers. Every
// limit holds before anything is buffered beyond it (docs/API.md, "Limits"): connections in
// total and per address, the request line and header block, the header field count, the body
// for every framing, the header deadline and minimum body rate, the keep-alive idle deadline,
// the write deadline, and stream slots by class of caller. Streams and wait=commit hold no
// thread while they wait: they resume on the next commit (OnCommitted).
//
// Every request passes, in order: the per-address rate limit (429 with Retry-After), the
// bearer token (401), the route's access rule (401/403), then its handler; each is counted in
// consentd_http_requests_total by route and status. Pipelined requests are answered in order.
//
// Thread-safety: Start/Stop from one thread; OnCommitted from any thread.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "node/config.h"

namespace consentd::node {

class Node;

class HttpServer {
 public:
  explicit HttpServer(Node* node);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the configured address and starts serving. Errors: "http_listen".
  Status Start();
  // Stops accepting, ends streams and waits, lets requests in flight finish (up to 2 s),
  // closes every connection, joins. Idempotent.
  void Stop();
  std::uint16_t port() const;

  // Re-reads the tokens file (SIGHUP): the config's tokens and the file's replace the table.
  // On an error (logged) the old table stays. Errors: "config_invalid", "file_*".
  Status ReloadTokens();
  // The config's tokens and the tokens file's, merged (node/api_tokens.h).
  static Result<std::vector<ApiToken>> LoadTokens(const Config& config);

  // A block was committed: streams and wait=commit answers waiting for one resume.
  void OnCommitted();

  // "GET /v1/txs/{tx_id}", ... : every route the server registers, in OpenAPI path syntax.
  static std::vector<std::string> RouteList();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace consentd::node
