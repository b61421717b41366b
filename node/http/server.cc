#include "node/http/server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "node/http/api.h"
#include "node/http/rate_limit.h"
#include "node/http/static_files.h"
#include "node/log.h"
#include "node/metrics.h"
#include "node/node.h"

namespace consentd::node {
namespace {

constexpr const char* kRequestsMetric = "consentd_http_requests_total";
constexpr const char* kRequestsHelp = "HTTP requests by method, route and status.";

void SendError(httplib::Response& res, int status, std::string_view code,
               std::string_view message) {
  res.status = status;
  res.set_content(CanonicalJson(http::ErrorBody(code, message)), "application/json");
}

}  // namespace

struct HttpServer::Impl {
  Node* node = nullptr;
  http::Api api;
  std::unique_ptr<http::Authenticator> auth;
  std::unique_ptr<http::RateLimiter> limiter;
  httplib::Server server;
  std::thread thread;
  std::atomic<int> port{0};
  bool started = false;
  std::optional<http::StaticFiles> ui;  // http.ui_dir, when configured

  void Register(http::Route route);
  void RegisterUi();
  void Count(const std::string& method, const std::string& route, int status) {
    api.metrics->Count(kRequestsMetric, kRequestsHelp,
                       {{"method", method}, {"route", route}, {"status", std::to_string(status)}});
  }
};

HttpServer::HttpServer(Node* node) : impl_(std::make_unique<Impl>()) {
  impl_->node = node;
  impl_->api.node = node;
  impl_->api.metrics = &node->metrics();
}

HttpServer::~HttpServer() { Stop(); }

std::vector<std::string> HttpServer::RouteList() {
  http::Api api;
  std::vector<std::string> out;
  for (const http::Route& r : http::AllRoutes(api)) out.push_back(r.method + " " + r.path);
  return out;
}

void HttpServer::Impl::Register(http::Route route) {
  auto handler = [this, route](const httplib::Request& req, httplib::Response& res) {
    const auto started_at = std::chrono::steady_clock::now();
    std::optional<std::string> header;
    if (req.has_header("Authorization")) header = req.get_header_value("Authorization");
    http::Context c{req, res, {}, {}, http::Params(req.params)};
    for (std::size_t i = 1; i < req.matches.size(); ++i) c.args.push_back(req.matches[i].str());
    auto who = auth->Authenticate(header);
    if (!who.ok()) {
      c.Fail(who.status());
    } else if (route.access == http::Access::kToken && !who->authenticated()) {
      c.Fail("auth_required", "this route needs Authorization: Bearer <token>");
    } else {
      c.who = *who;
      route.handle(c);
    }
    if (res.status == 401) res.set_header("WWW-Authenticate", "Bearer");
    Count(route.method, route.path, res.status);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started_at)
                        .count();
    LogDebug("http", "request",
             {{"method", route.method},
              {"route", route.path},
              {"status", res.status},
              {"us", us},
              {"remote", req.remote_addr},
              {"role", http::ToString(c.who.role)}});
  };
  const std::string pattern = http::PathRegex(route.path);
  if (route.method == "GET") {
    server.Get(pattern, handler);
  } else {
    server.Post(pattern, handler);
  }
}

// The web app (docs/UI.md): "/" and "/ui" redirect to "/ui/", files below it come from
// http.ui_dir. Public, rate limited like every request, each answer with the app's CSP.
void HttpServer::Impl::RegisterUi() {
  auto redirect = [this](const httplib::Request& req, httplib::Response& res) {
    res.set_redirect("/ui/", 302);
    Count(req.method, "/ui/ (redirect)", res.status);
  };
  server.Get("/", redirect);
  server.Get("/ui", redirect);
  server.Get(R"(/ui/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
    auto file = ui->Read(req.matches[1].str());
    res.set_header("Content-Security-Policy", http::kContentSecurityPolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-cache");
    if (!file.ok()) {
      SendError(res, http::HttpStatusFor(file.status().code()), file.status().code(),
                file.status().message());
    } else {
      res.status = 200;
      res.set_content(std::move(file->body), file->content_type);
    }
    Count(req.method, "/ui/", res.status);
  });
}

Status HttpServer::Start() {
  Impl& im = *impl_;
  const Config::Http& cfg = im.node->config().http;
  im.auth = std::make_unique<http::Authenticator>(cfg.tokens);
  im.limiter = std::make_unique<http::RateLimiter>(cfg.rate_limit_per_s, cfg.rate_limit_burst);
  im.api.max_streams = std::max<int>(1, static_cast<int>(cfg.threads) / 2);
  im.api.receipts = std::make_unique<ledger::ReceiptCache>(&im.node->ledger());
  im.server.set_tcp_nodelay(true);
  im.server.set_keep_alive_max_count(100000);
  // Each connection holds a worker thread while it is open, idle or not: a short keep-alive
  // bounds how long idle (or stalled) clients can tie up the pool.
  im.server.set_keep_alive_timeout(5);
  im.server.set_read_timeout(std::chrono::milliseconds(cfg.read_timeout_ms));
  im.server.set_write_timeout(std::chrono::milliseconds(cfg.write_timeout_ms));
  im.server.set_payload_max_length(cfg.max_body_bytes);
  const unsigned threads = cfg.threads;
  im.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  im.server.set_pre_routing_handler([&im](const httplib::Request& req, httplib::Response& res) {
    const std::uint32_t wait = im.limiter->Take(req.remote_addr, std::chrono::steady_clock::now());
    if (wait == 0) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("Retry-After", std::to_string(wait));
    SendError(res, 429, "rate_limited",
              "too many requests from this address; retry after " + std::to_string(wait) + " s");
    im.Count(req.method, "(rate_limited)", 429);
    return httplib::Server::HandlerResponse::Handled;
  });
  im.server.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        LogError("http", "handler_failed", {{"path", req.path.substr(0, 128)}, {"what", what}});
        SendError(res, 500, "internal", "internal error");
      });
  im.server.set_error_handler(httplib::Server::HandlerWithResponse(
      [&im](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        switch (res.status) {
          case 404:
            SendError(res, 404, "not_found", "no such route");
            im.Count(req.method, "(unmatched)", 404);
            break;
          case 413:
            SendError(res, 413, "too_large", "the request body is too large");
            im.Count(req.method, "(too_large)", 413);
            break;
          case 414:
            SendError(res, 414, "uri_too_long", "the request URI is too long");
            break;
          default:
            SendError(res, res.status, "bad_request", "the request is not valid HTTP");
            break;
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  for (http::Route& r : http::AllRoutes(im.api)) im.Register(std::move(r));
  if (!cfg.ui_dir.empty()) {
    auto ui = http::StaticFiles::Open(im.node->config().Path(cfg.ui_dir));
    if (!ui.ok()) return ui.status();
    im.ui.emplace(std::move(*ui));
    im.RegisterUi();
  }
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
  impl_->api.stopping = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t HttpServer::port() const { return static_cast<std::uint16_t>(impl_->port.load()); }

}  // namespace consentd::node
