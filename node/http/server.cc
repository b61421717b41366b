#include "node/http/server.h"

#include <sys/resource.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "node/http/api.h"
#include "node/http/rate_limit.h"
#include "node/http/reads.h"
#include "node/http/static_files.h"
#include "node/log.h"
#include "node/metrics.h"
#include "node/node.h"

namespace consentd::node {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kRequestsMetric = "consentd_http_requests_total";
constexpr const char* kRequestsHelp = "HTTP requests by method, route and status.";
constexpr const char* kRefusedMetric = "consentd_http_refused_total";
constexpr const char* kRefusedHelp =
    "HTTP connections and requests refused by a limit of the server, by reason code.";
constexpr std::size_t kMaxTarget = 8192;  // request target (414 uri_too_long)
constexpr auto kRefuseWriteTimeout = std::chrono::seconds(2);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 16 << 20;  // read and dropped after a refusal, at most
constexpr auto kStopGrace = std::chrono::seconds(2);
constexpr auto kAcceptRetry = milliseconds(100);

// A broadcast to every stream and wait=commit answer that waits for a commit. A waiter reads
// generation() before it looks at the ledger, and Subscribe refuses (so it looks again at once)
// when a commit came in between: no wake-up is lost.
class CommitSignal {
 public:
  std::uint64_t generation() const {
    std::lock_guard<std::mutex> lock(mu_);
    return generation_;
  }
  bool Subscribe(std::uint64_t seen, std::function<void()> wake) {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation_ != seen) return false;
    waiters_.push_back(std::move(wake));
    return true;
  }
  void Notify() {
    std::vector<std::function<void()>> waiters;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++generation_;
      waiters.swap(waiters_);
    }
    for (auto& wake : waiters) wake();
  }

 private:
  mutable std::mutex mu_;
  std::uint64_t generation_ = 0;
  std::vector<std::function<void()>> waiters_;
};

class Session;

// Everything the connections share. Sessions hold a reference; Teardown destroys the I/O
// objects (and with them every session) while the rest is still alive.
struct Core {
  Node* node = nullptr;
  Config::Http cfg;
  http::Api api;
  std::unique_ptr<http::Authenticator> auth;
  std::unique_ptr<http::RateLimiter> limiter;
  std::optional<http::StaticFiles> ui;
  std::vector<http::Route> routes;
  CommitSignal commits;

  std::mutex conn_mu;
  std::condition_variable conn_cv;
  std::unordered_map<std::string, std::uint32_t> per_address;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  std::unique_ptr<net::io_context> ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::unique_ptr<net::thread_pool> work;
  std::vector<std::thread> threads;

  ~Core() { Teardown(); }

  void Teardown() {
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
    threads.clear();
    if (work) work->join();
    accept_retry.reset();
    acceptor.reset();
    ioc.reset();  // destroys the handlers still queued, and the sessions they hold
    work.reset();
  }

  void Count(const std::string& method, const std::string& route, int status) {
    api.metrics->Count(kRequestsMetric, kRequestsHelp,
                       {{"method", method}, {"route", route}, {"status", std::to_string(status)}});
  }
  void Refused(std::string_view reason) {
    api.metrics->Count(kRefusedMetric, kRefusedHelp, {{"reason", std::string(reason)}});
  }
  const http::Route* FindRoute(const std::string& method, const std::string& path,
                               std::vector<std::string>* args) const {
    for (const http::Route& r : routes) {
      if (r.method == method && http::MatchPath(r.path, path, args)) return &r;
    }
    return nullptr;
  }

  void Accept();
  void OnAccepted(tcp::socket socket);
};

std::string ReasonPhrase(int status) {
  return std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(status)));
}

bool IsHttpError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category();
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `refuse`: a connection over a cap, answered 503 and closed ("" when within the caps).
  Session(Core& core, tcp::socket socket, std::string remote, std::string refuse)
      : c_(core),
        stream_(std::move(socket)),
        buffer_(core.cfg.max_header_bytes + 4096),
        timer_(stream_.get_executor()),
        deadline_(stream_.get_executor()),
        remote_(std::move(remote)),
        refuse_(std::move(refuse)) {}

  ~Session() {
    std::lock_guard<std::mutex> lock(c_.conn_mu);
    c_.sessions.erase(this);
    if (refuse_.empty()) {
      --c_.api.connections;
      auto it = c_.per_address.find(remote_);
      if (it != c_.per_address.end() && --it->second == 0) c_.per_address.erase(it);
    }
    c_.conn_cv.notify_all();
  }

  void Start() {
    {
      std::lock_guard<std::mutex> lock(c_.conn_mu);
      c_.sessions.emplace(this, weak_from_this());
    }
    if (!refuse_.empty()) {
      return Refuse(Reason::kTooManyConnections, refuse_ == "total"
                                                     ? "the server is at its connection limit"
                                                     : "this address is at its connection limit");
    }
    WaitRequest(milliseconds(c_.cfg.read_timeout_ms));
  }

  // Called through the session's executor (Stop).
  void CloseIfIdle() {
    if (idle_) Close();
  }
  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    timer_.cancel();
    deadline_.cancel();
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }
  template <typename F>
  void Post(F&& f) {
    net::post(stream_.get_executor(), std::forward<F>(f));
  }

 private:
  // --- reading a request ---

  // The deadline of the pending read or write. It is not the stream's own timeout, which would
  // close the socket: a request that runs out of time is answered 408 first. At the deadline
  // the pending operation is cancelled; it completes with operation_aborted, timed_out_ set.
  // One timer wait serves many operations: moving the deadline later (the usual case, one
  // request after another) only records it, and the wait, when it fires early, waits again.
  void Arm(Clock::time_point at) {
    timed_out_ = false;
    armed_ = true;
    deadline_at_ = at;
    if (!waiting_ || at < scheduled_) Schedule(at);
  }
  void Disarm() { armed_ = false; }
  void Schedule(Clock::time_point at) {
    waiting_ = true;
    scheduled_ = at;
    const std::uint64_t gen = ++deadline_gen_;
    deadline_.expires_at(at);  // a wait still pending completes aborted, superseded by gen
    deadline_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
      if (gen != self->deadline_gen_) return;
      self->waiting_ = false;
      if (ec || self->closed_ || !self->armed_) return;
      if (Clock::now() < self->deadline_at_) return self->Schedule(self->deadline_at_);
      self->timed_out_ = true;
      beast::error_code e;
      self->stream_.socket().cancel(e);
    });
  }

  // Waits for the first byte of the next request (or takes what a pipelining client already
  // sent), at most `wait`.
  void WaitRequest(milliseconds wait) {
    idle_ = true;
    if (closed_ || c_.api.stopping) return Close();
    if (buffer_.size() > 0) return BeginHeader();
    Arm(Clock::now() + wait);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->Disarm();
                              self->buffer_.commit(n);
                              if (ec) return self->Close();
                              self->BeginHeader();
                            });
  }

  void BeginHeader() {
    idle_ = false;
    parser_.emplace();
    parser_->header_limit(c_.cfg.max_header_bytes);
    parser_->body_limit(c_.cfg.max_body_bytes);
    Arm(Clock::now() + milliseconds(c_.cfg.read_timeout_ms));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               self->Disarm();
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec, /*in_body=*/false);
    const auto& msg = parser_->get();
    if (msg.target().size() > kMaxTarget) {
      return Refuse(Reason::kUriTooLong, "the request target is over 8192 bytes");
    }
    if (static_cast<std::size_t>(std::distance(msg.begin(), msg.end())) >
        c_.cfg.max_header_fields) {
      return Refuse(Reason::kTooManyHeaders,
                    "more than " + std::to_string(c_.cfg.max_header_fields) + " header fields");
    }
    // Beast refuses two different lengths, and a length with chunked; a framing header given
    // twice, even with one value, is refused too (a proxy in front may read the other one).
    if (msg.count(bhttp::field::content_length) > 1 ||
        msg.count(bhttp::field::transfer_encoding) > 1) {
      return Refuse(Reason::kBadRequest,
                    "a framing header (Content-Length, Transfer-Encoding) twice");
    }
    if (auto te = msg.find(bhttp::field::transfer_encoding);
        te != msg.end() && !beast::iequals(te->value(), "chunked")) {
      return Refuse(Reason::kBadRequest, "the only transfer coding accepted is chunked");
    }
    if (parser_->is_done()) return Dispatch();
    body_start_ = Clock::now();
    body_received_ = 0;
    auto expect = msg.find(bhttp::field::expect);
    if (expect != msg.end() && msg.version() >= 11 &&
        beast::iequals(expect->value(), "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      Arm(Clock::now() + milliseconds(c_.cfg.write_timeout_ms));
      return net::async_write(stream_, net::buffer(kContinue),
                              [self = shared_from_this()](beast::error_code e, std::size_t) {
                                self->Disarm();
                                if (e) return self->Close();
                                self->ReadBody();
                              });
    }
    ReadBody();
  }

  // The body arrives at the minimum rate or faster: each read's deadline is the grace
  // (read_timeout_ms) plus the time the bytes so far may take at min_body_bytes_per_s.
  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    const auto allowance = milliseconds(c_.cfg.read_timeout_ms) +
                           milliseconds(body_received_ * 1000 /
                                        std::max<std::uint32_t>(1, c_.cfg.min_body_bytes_per_s));
    Arm(body_start_ + allowance);
    bhttp::async_read_some(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                             self->Disarm();
                             if (ec) return self->OnReadError(ec, /*in_body=*/true);
                             self->body_received_ += n;
                             self->ReadBody();
                           });
  }

  void OnReadError(beast::error_code ec, bool in_body) {
    if (ec == bhttp::error::header_limit ||
        (!in_body && (ec == bhttp::error::buffer_overflow ||
                      ec == beast::error_code(net::error::no_buffer_space)))) {
      return Refuse(Reason::kHeadersTooLong, "the request line and headers are over " +
                                                 std::to_string(c_.cfg.max_header_bytes) +
                                                 " bytes");
    }
    if (ec == bhttp::error::body_limit) {
      return Refuse(Reason::kTooLarge,
                    "the request body is over " + std::to_string(c_.cfg.max_body_bytes) + " bytes");
    }
    if (timed_out_ && ec == net::error::operation_aborted) {
      return Refuse(Reason::kRequestTimeout,
                    in_body ? "the request body arrives slower than the minimum rate"
                            : "the request line and headers did not arrive in time");
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        !IsHttpError(ec)) {
      return Close();  // the client went away (or the socket failed)
    }
    return Refuse(Reason::kBadRequest, "the request is not valid HTTP: " + ec.message());
  }

  // --- answering ---

  void Dispatch() {
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive() && !c_.api.stopping;
    http10_ = msg.version() < 11;
    head_only_ = msg.method() == bhttp::verb::head;
    method_ = head_only_ ? "GET" : std::string(msg.method_string());
    started_at_ = Clock::now();
    res_ = http::Response{};
    reads_.reset();
    auto target = http::ParseTarget(std::string_view(msg.target().data(), msg.target().size()));
    auto req = std::make_shared<http::Request>();
    req->method = method_;
    req->method_sent = std::string(msg.method_string());
    req->target = std::string(msg.target());
    req->remote = remote_;
    if (auto it = msg.find(bhttp::field::authorization); it != msg.end()) {
      req->authorization = std::string(it->value());
    }
    if (auto it = msg.find("Last-Event-ID"); it != msg.end()) {
      req->last_event_id = std::string(it->value());
    }
    req->body = std::move(msg.body());
    parser_.reset();

    if (!target) {
      route_ = "(bad_target)";
      return Error(Reason::kBadRequest, "the request target is not a valid path");
    }
    req->path = std::move(target->path);
    req->query = std::move(target->query);
    if (const std::uint32_t wait = c_.limiter->Take(remote_, Clock::now()); wait != 0) {
      route_ = "(rate_limited)";
      res_.SetHeader("Retry-After", std::to_string(wait));
      return Error(Reason::kRateLimited, "too many requests from this address; retry after " +
                                             std::to_string(wait) + " s");
    }
    if (c_.ui && method_ == "GET") {
      if (req->path == "/" || req->path == "/ui") {
        route_ = "/ui/ (redirect)";
        res_.status = 302;
        res_.content_type = "text/plain; charset=utf-8";
        res_.SetHeader("Location", "/ui/");
        return WriteWhole();
      }
      if (req->path.starts_with("/ui/")) return ServeUi(req->path.substr(4));
    }
    std::vector<std::string> args;
    const http::Route* route = c_.FindRoute(method_, req->path, &args);
    if (!route) {
      route_ = "(unmatched)";
      return Error(Reason::kNotFound, "no such route");
    }
    route_ = route->path;
    if (!route->blocking) {
      Run(*route, *req, std::move(args));
      return Send();
    }
    net::post(*c_.work, [self = shared_from_this(), route, req, args = std::move(args)]() mutable {
      self->Run(*route, *req, std::move(args));
      self->Post([self] { self->Send(); });
    });
  }

  void Run(const http::Route& route, const http::Request& req, std::vector<std::string> args) {
    http::Context c{req, res_, {}, std::move(args), http::Params(req.query)};
    try {
      auto who = c_.auth->Authenticate(
          req.authorization ? std::optional<std::string_view>(*req.authorization) : std::nullopt,
          http::SignedParts{req.method_sent, req.target, req.body});
      if (!who.ok()) {
        c.Fail(who.status());
      } else if (route.access != http::Access::kPublic && !who->authenticated()) {
        c.Fail(Reason::kAuthRequired,
               "this route needs Authorization: Bearer <token> (or a customer's signature)");
      } else if (route.access == http::Access::kToken && who->customer()) {
        c.Fail(Reason::kForbidden,
               "this route is for insurers, auditors and regulators, not customers");
      } else {
        c.who = *who;
        role_ = http::ToString(c.who.role);
        if (route.cacheable && c_.api.answers->enabled()) {
          RunCached(route, c);
        } else {
          route.handle(c);
        }
        RecordReads(route, c);
      }
    } catch (const std::exception& e) {
      LogError("http", "handler_failed", {{"route", route.path}, {"what", e.what()}});
      res_ = http::Response{};
      c.Fail(Reason::kInternal, "internal error");
    }
    if (res_.status == 401) res_.SetHeader("WWW-Authenticate", "Bearer, BIP340");
  }

  // A successful GET that shows a subject's records is written to the access log before it
  // is sent (reads.h): a whole answer now, a stream piece by piece as it goes (Pump).
  void RecordReads(const http::Route& route, http::Context& c) {
    if (!route.logs_reads || route.method != "GET" || head_only_ || res_.status != 200 ||
        res_.deferred) {
      return;
    }
    reads_ = std::make_unique<http::ReadRecorder>(c_.api.access_log.get(), c.who, c.req, route.path,
                                                  route.reads_whole_store);
    if (res_.stream) return;
    const Status st = reads_->Record(res_.shared_body ? *res_.shared_body : res_.body);
    reads_.reset();
    if (!st.ok()) {
      res_ = http::Response{};
      c.Fail(st);
    }
  }

  // The answer from the cache, or the handler's (kept when no commit came in between).
  void RunCached(const http::Route& route, http::Context& c) {
    ledger::Ledger& ledger = c_.node->ledger();
    const std::uint64_t height = ledger.head().height;
    const std::string key =
        http::AnswerCache::Key(route.path, c.who.ScopeKey(), c.req.path, c.req.query, height);
    if (c_.api.answers->Find(key, &res_)) return;
    route.handle(c);
    if (ledger.head().height == height) c_.api.answers->Put(key, &res_);
  }

  void ServeUi(const std::string& relative) {
    route_ = "/ui/";
    auto file = c_.ui->Read(relative);
    res_.SetHeader("Content-Security-Policy", http::kContentSecurityPolicy);
    res_.SetHeader("X-Content-Type-Options", "nosniff");
    res_.SetHeader("Referrer-Policy", "no-referrer");
    res_.SetHeader("Cache-Control", "no-cache");
    if (!file.ok()) {
      return Error(file.status().reason(), file.status().message());
    }
    res_.status = 200;
    res_.content_type = file->content_type;
    res_.body = std::move(file->body);
    WriteWhole();
  }

  void Error(Reason reason, std::string_view message) {
    res_.status = http::HttpStatusFor(reason);
    res_.content_type = "application/json";
    res_.body = CanonicalJson(http::ErrorBody(reason, message));
    WriteWhole();
  }

  // A limit refused the connection or request: answer, then close (reading and dropping what
  // the client still sends for a moment, so it sees the answer rather than a reset).
  void Refuse(Reason reason, std::string_view message) {
    c_.Refused(ToString(reason));
    parser_.reset();
    keep_alive_ = false;
    refusing_ = true;
    route_ = "(refused)";
    if (method_.empty()) method_ = "-";
    res_ = http::Response{};
    Error(reason, message);
  }

  void Send() {
    if (closed_) return;
    if (res_.deferred) return WaitDeferred();
    if (res_.stream && !head_only_) return StartStream();
    WriteWhole();
  }

  std::function<void()> Wake() {
    return [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->Post([self] {
          self->subscribed_ = false;
          self->timer_.cancel();
        });
      }
    };
  }

  // Waits on the commit signal (or `until`), then calls `next(expired)`.
  template <typename Next>
  void WaitCommit(std::uint64_t seen, Clock::time_point until, Next next) {
    if (!subscribed_) {
      if (!c_.commits.Subscribe(seen, Wake())) {
        return Post([self = shared_from_this(), next] { next(*self, false); });
      }
      subscribed_ = true;
    }
    timer_.expires_at(until);
    timer_.async_wait([self = shared_from_this(), next](beast::error_code ec) {
      if (self->closed_) return;
      next(*self, !ec);
    });
  }

  void WaitDeferred() {
    http::Deferred& d = *res_.deferred;
    const std::uint64_t seen = c_.commits.generation();
    if (d.poll(res_)) {
      res_.deferred.reset();
      return WriteWhole();
    }
    if (c_.api.stopping || Clock::now() >= d.deadline) {
      d.expire(res_);
      res_.deferred.reset();
      return WriteWhole();
    }
    WaitCommit(seen, d.deadline, [](Session& s, bool) { s.WaitDeferred(); });
  }

  std::string Head(std::optional<std::size_t> length, bool chunked) {
    std::string h;
    h.reserve(160 + res_.content_type.size());
    h += "HTTP/1.1 ";
    h += std::to_string(res_.status);
    h += ' ';
    h += ReasonPhrase(res_.status);
    h += "\r\nContent-Type: ";
    h += res_.content_type;
    h += "\r\n";
    if (length) {
      h += "Content-Length: ";
      h += std::to_string(*length);
      h += "\r\n";
    } else if (chunked) {
      h += "Transfer-Encoding: chunked\r\n";
    }
    for (const auto& [name, value] : res_.headers) {
      h += name;
      h += ": ";
      h += value;
      h += "\r\n";
    }
    if (!keep_alive_) {
      h += "Connection: close\r\n";
    } else if (http10_) {
      h += "Connection: keep-alive\r\n";
    }
    h += "\r\n";
    return h;
  }

  void Counted() {
    c_.Count(method_, route_, res_.status);
    if (Logger::Enabled(LogLevel::kDebug)) {
      const auto us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_at_).count();
      LogDebug("http", "request",
               {{"method", method_},
                {"route", route_},
                {"status", res_.status},
                {"us", us},
                {"remote", remote_},
                {"role", role_}});
    }
  }

  void WriteWhole() {
    if (closed_) return;
    Counted();
    const std::string& body = res_.shared_body ? *res_.shared_body : res_.body;
    head_ = Head(body.size(), false);
    const std::array<net::const_buffer, 2> bufs = {
        net::buffer(head_), head_only_ ? net::const_buffer() : net::buffer(body)};
    Arm(Clock::now() + (refusing_ ? std::min<Clock::duration>(kRefuseWriteTimeout,
                                                              milliseconds(c_.cfg.write_timeout_ms))
                                  : Clock::duration(milliseconds(c_.cfg.write_timeout_ms))));
    net::async_write(stream_, bufs, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->Disarm();
      if (ec) return self->Close();
      self->AfterResponse();
    });
  }

  void AfterResponse() {
    res_ = http::Response{};
    route_.clear();
    role_ = "public";
    if (keep_alive_ && !c_.api.stopping) {
      method_.clear();
      return WaitRequest(milliseconds(c_.cfg.idle_timeout_ms));
    }
    Linger();
  }

  // Half-closes, then reads and drops what the client still sends (bounded in bytes and time)
  // before the socket closes.
  void Linger() {
    if (closed_) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    Disarm();
    stream_.expires_after(kLingerTimeout);  // the stream's own timeout: it closes the socket
    Drain();
  }
  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16384),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerBytes) return self->Close();
                              self->Drain();
                            });
  }

  // --- streams ---

  void StartStream() {
    if (http10_) keep_alive_ = false;  // the end of the body is the end of the connection
    Counted();
    head_ = Head(std::nullopt, !http10_);
    Arm(Clock::now() + milliseconds(c_.cfg.write_timeout_ms));
    net::async_write(stream_, net::buffer(head_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->Disarm();
                       if (ec) return self->Close();
                       self->Pump(false);
                     });
  }

  void Pump(bool idle) {
    if (closed_) return;
    const std::uint64_t seen = c_.commits.generation();
    piece_.clear();
    const http::BodyStream::Step step = res_.stream->Next(&piece_, idle);
    if (reads_ && !piece_.empty() && !reads_->Record(piece_).ok()) return Close();
    switch (step) {
      case http::BodyStream::Step::kData:
        if (piece_.empty()) return Post([self = shared_from_this()] { self->Pump(false); });
        return WritePiece(false, [](Session& s) { s.Pump(false); });
      case http::BodyStream::Step::kWait:
        return WaitCommit(seen, Clock::now() + http::BodyStream::kIdleInterval,
                          [](Session& s, bool expired) { s.Pump(expired); });
      case http::BodyStream::Step::kDone:
        return WritePiece(true, [](Session& s) {
          s.res_.stream.reset();
          s.AfterResponse();
        });
      case http::BodyStream::Step::kAbort:
        return WritePiece(false, [](Session& s) { s.Close(); });
    }
  }

  // Writes piece_ (as a chunk, with the last chunk after it when `last`), then `next`. A
  // client that does not read it within write_timeout_ms is dropped.
  template <typename Next>
  void WritePiece(bool last, Next next) {
    chunk_head_.clear();
    chunk_tail_.clear();
    if (!http10_) {
      if (!piece_.empty()) {
        char hex[24];
        std::snprintf(hex, sizeof hex, "%zx\r\n", piece_.size());
        chunk_head_ = hex;
        chunk_tail_ = "\r\n";
      }
      if (last) chunk_tail_ += "0\r\n\r\n";
    }
    if (chunk_head_.empty() && chunk_tail_.empty() && piece_.empty()) return next(*this);
    const std::array<net::const_buffer, 3> bufs = {net::buffer(chunk_head_), net::buffer(piece_),
                                                   net::buffer(chunk_tail_)};
    Arm(Clock::now() + milliseconds(c_.cfg.write_timeout_ms));
    net::async_write(stream_, bufs,
                     [self = shared_from_this(), next](beast::error_code ec, std::size_t) {
                       self->Disarm();
                       if (ec) return self->Close();
                       next(*self);
                     });
  }

  Core& c_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  net::steady_timer timer_;     // commit waits and stream pacing
  net::steady_timer deadline_;  // the pending read's deadline (Arm)
  std::uint64_t deadline_gen_ = 0;
  Clock::time_point deadline_at_;  // of the pending operation, while armed_
  Clock::time_point scheduled_;    // when the timer's wait fires, while waiting_
  bool armed_ = false;
  bool waiting_ = false;
  bool timed_out_ = false;
  const std::string remote_;
  const std::string refuse_;

  Clock::time_point body_start_;
  std::uint64_t body_received_ = 0;
  std::size_t drained_ = 0;

  http::Response res_;
  std::string method_;
  std::string route_;
  std::string role_ = "public";
  std::unique_ptr<http::ReadRecorder> reads_;  // of the stream being sent
  Clock::time_point started_at_;
  bool keep_alive_ = false;
  bool head_only_ = false;
  bool http10_ = false;
  bool refusing_ = false;
  std::string head_, piece_, chunk_head_, chunk_tail_;

  bool idle_ = true;  // between requests (Stop closes such a connection at once)
  bool subscribed_ = false;
  bool closed_ = false;
};

void Core::Accept() {
  acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket s) {
    if (api.stopping || ec == net::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors, say: wait a moment rather than spin.
      LogWarn("http", "accept_failed", {{"error", ec.message()}});
      accept_retry->expires_after(kAcceptRetry);
      accept_retry->async_wait([this](beast::error_code e) {
        if (!e && !api.stopping) Accept();
      });
      return;
    }
    OnAccepted(std::move(s));
    Accept();
  });
}

void Core::OnAccepted(tcp::socket socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return;  // gone already
  socket.set_option(tcp::no_delay(true), ec);
  std::string remote = peer.address().to_string();
  std::string refuse;
  {
    std::lock_guard<std::mutex> lock(conn_mu);
    auto& mine = per_address[remote];
    if (static_cast<std::uint32_t>(api.connections.load()) >= cfg.max_connections) {
      refuse = "total";
    } else if (mine >= cfg.max_connections_per_address) {
      refuse = "address";
    } else {
      ++mine;
      ++api.connections;
    }
    if (mine == 0) per_address.erase(remote);
  }
  std::make_shared<Session>(*this, std::move(socket), std::move(remote), std::move(refuse))
      ->Start();
}

// Every connection holds a descriptor: raises the soft limit towards what max_connections needs
// (beside the ledger's files and the peer links), as far as the hard limit allows, and warns
// when that is not enough (connections past it fail to be accepted and are retried later).
void EnsureDescriptors(std::uint32_t max_connections) {
  constexpr rlim_t kBesideConnections = 1024 + 128;  // LevelDB's open files, peers, logs
  const rlim_t needed = static_cast<rlim_t>(max_connections) + kBesideConnections;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= needed) return;
  const rlim_t target = lim.rlim_max == RLIM_INFINITY ? needed : std::min(needed, lim.rlim_max);
  if (target > lim.rlim_cur) {
    lim.rlim_cur = target;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  if (lim.rlim_cur < needed) {
    LogWarn("http", "descriptor_limit_low",
            {{"nofile", static_cast<std::uint64_t>(lim.rlim_cur)},
             {"needed", static_cast<std::uint64_t>(needed)},
             {"hint", "raise LimitNOFILE (systemd) or ulimit -n, or lower http.max_connections"}});
  }
}

}  // namespace

struct HttpServer::Impl {
  Core core;
  bool started = false;
  std::atomic<int> port{0};
};

HttpServer::HttpServer(Node* node) : impl_(std::make_shared<Impl>()) {
  impl_->core.node = node;
  impl_->core.api.node = node;
  impl_->core.api.metrics = &node->metrics();
}

HttpServer::~HttpServer() { Stop(); }

std::vector<std::string> HttpServer::RouteList() {
  http::Api api;
  std::vector<std::string> out;
  for (const http::Route& r : http::AllRoutes(api)) out.push_back(r.method + " " + r.path);
  return out;
}

Result<std::vector<ApiToken>> HttpServer::LoadTokens(const Config& config) {
  CONSENTD_ASSIGN_OR_RETURN(auto from_file, ReadTokensFile(config.Path(config.http.tokens_file)));
  return MergeTokens(config.http.tokens, std::move(from_file));
}

Status HttpServer::ReloadTokens() {
  Core& c = impl_->core;
  if (!c.auth) return Status::Error(Reason::kNotReady, "the HTTP server is not running");
  auto tokens = LoadTokens(c.node->config());
  if (!tokens.ok()) {
    LogError("http", "tokens_reload_failed", {{"error", tokens.status().ToString()}});
    return tokens.status();
  }
  const std::size_t n = tokens->size();
  c.auth->Reload(std::move(*tokens));
  LogInfo("http", "tokens_reloaded", {{"tokens", n}});
  return Status::Ok();
}

void HttpServer::OnCommitted() {
  if (impl_) impl_->core.commits.Notify();
}

Status HttpServer::Start() {
  Core& c = impl_->core;
  c.cfg = c.node->config().http;
  auto tokens = LoadTokens(c.node->config());
  if (!tokens.ok()) return tokens.status();
  c.auth =
      std::make_unique<http::Authenticator>(std::move(*tokens), c.node->ledger().genesis().chain_id,
                                            [env = c.node->env()] { return env->NowMs(); });
  c.limiter = std::make_unique<http::RateLimiter>(c.cfg.rate_limit_per_s, c.cfg.rate_limit_burst);
  c.api.max_streams[0] = static_cast<int>(c.cfg.max_streams_anonymous);
  c.api.max_streams[1] = static_cast<int>(c.cfg.max_streams_member);
  c.api.max_streams[2] = static_cast<int>(c.cfg.max_streams_oversight);
  c.api.receipts = std::make_unique<ledger::ReceiptCache>(&c.node->ledger());
  c.api.answers = std::make_unique<http::AnswerCache>(c.cfg.answer_cache_bytes);
  if (!c.api.access_log) {
    const std::string dir = c.node->config().DataPath() + "/access_log";
    ledger::LevelDbOptions options;  // a small, append-mostly store
    options.block_cache_bytes = 8 << 20;
    options.write_buffer_bytes = 4 << 20;
    auto store = ledger::OpenLevelDbStore(dir, options);
    if (!store.ok()) return store.status().WithContext("opening the access log " + dir);
    Env* env = c.node->env();
    auto log = AccessLog::Open(
        std::move(*store), [env] { return env->NowMs(); }, env);
    if (!log.ok()) return log.status().WithContext("opening the access log " + dir);
    c.api.access_log = std::move(*log);
    LogInfo("http", "access_log_opened", {{"entries", c.api.access_log->head().seq}});
  }
  c.routes = http::AllRoutes(c.api);
  if (!c.cfg.ui_dir.empty()) {
    auto ui = http::StaticFiles::Open(c.node->config().Path(c.cfg.ui_dir));
    if (!ui.ok()) return ui.status();
    c.ui.emplace(std::move(*ui));
  }
  EnsureDescriptors(c.cfg.max_connections);
  c.ioc = std::make_unique<net::io_context>(static_cast<int>(c.cfg.threads));
  c.work = std::make_unique<net::thread_pool>(c.cfg.work_threads);
  c.acceptor.emplace(net::make_strand(*c.ioc));
  c.accept_retry.emplace(c.acceptor->get_executor());
  beast::error_code ec;
  const auto address =
      net::ip::make_address(c.cfg.listen.host == "localhost" ? "127.0.0.1" : c.cfg.listen.host, ec);
  if (ec) {
    return Status::Error(Reason::kHttpListen,
                         "cannot listen on " + c.cfg.listen.ToString() + ": not an IP address");
  }
  const tcp::endpoint endpoint(address, c.cfg.listen.port);
  c.acceptor->open(endpoint.protocol(), ec);
  if (!ec) c.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) c.acceptor->bind(endpoint, ec);
  if (!ec) c.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    c.Teardown();
    return Status::Error(Reason::kHttpListen,
                         "cannot listen on " + c.cfg.listen.ToString() + ": " + ec.message());
  }
  impl_->port = c.acceptor->local_endpoint(ec).port();
  impl_->started = true;
  c.Accept();
  for (std::uint32_t i = 0; i < c.cfg.threads; ++i) {
    c.threads.emplace_back([&c] { c.ioc->run(); });
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->started) return;
  impl_->started = false;
  Core& c = impl_->core;
  c.api.stopping = true;
  net::post(c.acceptor->get_executor(), [&c] {
    beast::error_code ec;
    c.acceptor->close(ec);
    c.accept_retry->cancel();
  });
  c.commits.Notify();  // waiting streams and answers end now
  // Takes strong references under the lock and uses (and drops) them after it: the last
  // reference to a session that ended meanwhile may be one of these, and ~Session takes
  // conn_mu itself (a self-deadlock on shutdown, seen in storage_faults_test under load).
  auto each_session = [&c](auto action) {
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(c.conn_mu);
      live.reserve(c.sessions.size());
      for (auto& [raw, weak] : c.sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->Post([s, action] { action(*s); });
  };
  each_session([](Session& s) { s.CloseIfIdle(); });
  {
    std::unique_lock<std::mutex> lock(c.conn_mu);
    c.conn_cv.wait_for(lock, kStopGrace, [&c] { return c.sessions.empty(); });
  }
  each_session([](Session& s) { s.Close(); });
  {
    std::unique_lock<std::mutex> lock(c.conn_mu);
    c.conn_cv.wait_for(lock, kStopGrace, [&c] { return c.sessions.empty(); });
  }
  c.ioc->stop();
  c.Teardown();
}

std::uint16_t HttpServer::port() const { return static_cast<std::uint16_t>(impl_->port.load()); }

}  // namespace consentd::node
