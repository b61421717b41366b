#pragma once

// HttpServer: the node's HTTP API (cpp-httplib, included only in node/http/*.cc and cli/).
// Versioned under /v1, JSON everywhere, errors as {"error": {"code", "message"}} with a fitting
// status. docs/API.md and docs/api/openapi.yaml describe every route; node/http/api.h holds the
// route table.
//
// Every request passes, in order: the per-address rate limit (429 with Retry-After), the
// bearer token (401), the route's access rule (401/403), then its handler; each is counted in
// consentd_http_requests_total by route and status.
//
// Thread-safety: Start/Stop from one thread; handlers run on the server's worker pool.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

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
  // Ends streams, stops accepting, lets requests in flight finish, joins. Idempotent.
  void Stop();
  std::uint16_t port() const;

  // "GET /v1/txs/{tx_id}", ... : every route the server registers, in OpenAPI path syntax.
  static std::vector<std::string> RouteList();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentd::node
