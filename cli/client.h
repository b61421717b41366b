#pragma once

// A small HTTP client for the node's API (cpp-httplib). Responses come back as the status code
// and the parsed JSON body; network failures are errors with code "network".
//
// It speaks as a bearer token's holder, or as a customer: SignAs makes every request a signed
// one (wallet/request_signature.h), with the chain id read once from GET /v1/status.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/result.h"
#include "crypto/schnorr.h"

namespace consentd::cli {

struct Response {
  int status = 0;
  Json body;
  std::string raw;
};

class Client {
 public:
  // `url` like http://127.0.0.1:8601. Errors: "usage" for a malformed URL.
  static Result<Client> Create(const std::string& url, std::string token = {});
  Client(Client&&) noexcept;
  ~Client();

  Result<Response> Get(const std::string& path) const;
  Result<Response> Post(const std::string& path, const std::string& body) const;
  // GET whose 2xx body goes to `sink` piece by piece as it arrives (for streamed exports;
  // `sink` returning false aborts). A non-2xx body is collected into the Response instead.
  Result<Response> GetStream(const std::string& path,
                             const std::function<bool(std::string_view)>& sink) const;
  // GetStream into the file `out`: written to `out`.partial, fsynced, renamed when complete
  // (removed on any failure); `progress` sees each piece. Errors: "network", the node's error
  // (NodeError), "file_write".
  Status Download(const std::string& path, const std::string& out,
                  const std::function<void(std::string_view)>& progress = {}) const;
  const std::string& url() const { return url_; }
  // Every later request is signed by `key` (a customer's subject key) instead of a token.
  void SignAs(crypto::PrivateKey key);

 private:
  Client(std::string url, std::string host, int port, std::string token);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string url_;
};

}  // namespace consentd::cli
