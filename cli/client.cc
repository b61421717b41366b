#include "cli/client.h"

#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>

#include "cli/args.h"
#include "common/clock.h"
#include "wallet/request_signature.h"

namespace consentd::cli {

struct Client::Impl {
  std::unique_ptr<httplib::Client> http;
  std::string token;
  std::optional<crypto::PrivateKey> signer;
  std::string chain_id;  // for signing: fetched once

  // The headers a request carries: the bearer token, or a customer's signature over it.
  Result<httplib::Headers> Auth(std::string_view method, const std::string& path,
                                std::string_view body) {
    httplib::Headers headers;
    if (signer) {
      if (chain_id.empty()) {
        auto r = http->Get("/v1/status");
        if (!r) {
          return Status::Error(Reason::kNetwork, "cannot read /v1/status for the chain id (" +
                                                     httplib::to_string(r.error()) + ")");
        }
        auto j = ParseJson(r->body);
        if (r->status != 200 || !j.ok() || !j->is_object() || !j->contains("chain_id") ||
            !(*j)["chain_id"].is_string()) {
          return Status::Error(Reason::kNetwork, "GET /v1/status did not give a chain_id");
        }
        chain_id = (*j)["chain_id"].get<std::string>();
      }
      const std::int64_t now = UnixMillisNow();
      headers.emplace("Authorization",
                      wallet::SignRequest(*signer, {chain_id, method, path, body, now}));
    } else if (!token.empty()) {
      headers.emplace("Authorization", "Bearer " + token);
    }
    return headers;
  }
};

Client::Client(std::string url, std::string host, int port, std::string token)
    : impl_(std::make_unique<Impl>()), url_(std::move(url)) {
  impl_->http = std::make_unique<httplib::Client>(host, port);
  impl_->http->set_connection_timeout(5);
  impl_->http->set_read_timeout(120);
  impl_->http->set_keep_alive(true);
  impl_->token = std::move(token);
}

Client::Client(Client&&) noexcept = default;
Client::~Client() = default;

Result<Client> Client::Create(const std::string& url, std::string token) {
  std::string rest = url;
  if (rest.starts_with("http://")) rest = rest.substr(7);
  if (rest.starts_with("https://")) {
    return Status::Error(Reason::kUsage,
                         "https is not supported by the local client; put TLS in front");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos)
    return Status::Error(Reason::kUsage, "node URL must be http://host:port");
  int port = 0;
  try {
    port = std::stoi(rest.substr(colon + 1));
  } catch (const std::exception&) {
    port = 0;
  }
  if (port <= 0 || port > 65535) return Status::Error(Reason::kUsage, "node URL has a bad port");
  return Client("http://" + rest, rest.substr(0, colon), port, std::move(token));
}

namespace {
Result<Response> Wrap(const httplib::Result& r, const std::string& url) {
  if (!r) {
    return Status::Error(Reason::kNetwork,
                         "cannot reach " + url + " (" + httplib::to_string(r.error()) + ")");
  }
  Response out;
  out.status = r->status;
  out.raw = r->body;
  auto json = ParseJson(r->body, JsonLimits{256 << 20, 64});
  out.body = json.ok() ? std::move(*json) : Json(r->body);
  return out;
}
}  // namespace

void Client::SignAs(crypto::PrivateKey key) { impl_->signer.emplace(std::move(key)); }

Result<Response> Client::Get(const std::string& path) const {
  CONSENTD_ASSIGN_OR_RETURN(httplib::Headers headers, impl_->Auth("GET", path, ""));
  return Wrap(impl_->http->Get(path, headers), url_);
}

Result<Response> Client::Post(const std::string& path, const std::string& body) const {
  CONSENTD_ASSIGN_OR_RETURN(httplib::Headers headers, impl_->Auth("POST", path, body));
  return Wrap(impl_->http->Post(path, headers, body, "application/json"), url_);
}

Result<Response> Client::GetStream(const std::string& path,
                                   const std::function<bool(std::string_view)>& sink) const {
  CONSENTD_ASSIGN_OR_RETURN(httplib::Headers headers, impl_->Auth("GET", path, ""));
  int status = 0;
  std::string error_body;
  auto r = impl_->http->Get(
      path, headers,
      [&](const httplib::Response& res) {
        status = res.status;
        return true;
      },
      [&](const char* data, std::size_t len) {
        if (status >= 200 && status <= 299) return sink(std::string_view(data, len));
        if (error_body.size() < (1 << 20)) error_body.append(data, len);
        return true;
      });
  if (!r) {
    return Status::Error(Reason::kNetwork,
                         "cannot read " + url_ + path + " (" + httplib::to_string(r.error()) + ")");
  }
  Response out;
  out.status = r->status;
  if (status < 200 || status > 299) {
    out.raw = std::move(error_body);
    auto json = ParseJson(out.raw);
    out.body = json.ok() ? std::move(*json) : Json(out.raw);
  }
  return out;
}

Status Client::Download(const std::string& path, const std::string& out,
                        const std::function<void(std::string_view)>& progress) const {
  const std::string partial = out + ".partial";
  std::FILE* file = std::fopen(partial.c_str(), "wb");
  if (file == nullptr) return Status::Error(Reason::kFileWrite, "cannot write " + partial);
  bool write_failed = false;
  auto r = GetStream(path, [&](std::string_view data) {
    if (std::fwrite(data.data(), 1, data.size(), file) != data.size()) {
      write_failed = true;
      return false;
    }
    if (progress) progress(data);
    return true;
  });
  const bool flushed = std::fflush(file) == 0 && fsync(fileno(file)) == 0;
  std::fclose(file);
  if (!r.ok() || r->status < 200 || r->status > 299 || write_failed || !flushed) {
    std::remove(partial.c_str());
    if (!r.ok()) return r.status();
    if (write_failed || !flushed)
      return Status::Error(Reason::kFileWrite, "writing " + partial + " failed");
    return NodeError(*r);
  }
  if (std::rename(partial.c_str(), out.c_str()) != 0) {
    return Status::Error(Reason::kFileWrite, "cannot rename " + partial + " to " + out);
  }
  return Status::Ok();
}

}  // namespace consentd::cli
