#pragma once

// HttpServer: the node's HTTP API (cpp-httplib, included only in node/http/*.cc and cli/).
// Versioned under /v1, JSON everywhere, errors as {"error": {"code", "message"}} with a fitting
// status. docs/API.md and docs/api/openapi.yaml describe every route.
//
// Thread-safety: Start/Stop from one thread; handlers run on the server's worker pool.

#include <cstdint>
#include <memory>

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
  // Stops accepting, lets requests in flight finish, joins. Idempotent.
  void Stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentd::node
