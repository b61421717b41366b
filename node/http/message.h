#pragma once

// What a route handler sees of an HTTP exchange, with no HTTP library in sight: the request as
// the server parsed it (node/http/server.cc, Boost.Beast) and the response the handler fills.
//
// A response is one of three kinds:
//   - whole: `status`, `content_type`, `body` (and `headers`), sent with Content-Length;
//   - streamed: `stream` set; the body is produced piece by piece (chunked) as the client reads
//     it, on the server's threads, holding none of them while it waits;
//   - deferred: `deferred` set; the whole response is ready only after some commit (wait=commit).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "node/http/params.h"

namespace consentd::node::http {

struct Request {
  std::string method;       // GET | POST (others never reach a route; HEAD is routed as GET)
  std::string method_sent;  // as sent (GET, HEAD, POST): what a customer's signature covers
  std::string target;       // the request-target exactly as sent, percent-encoding untouched
  std::string path;         // percent-decoded, without the query
  QueryParams query;        // from the URL only, never from the body
  std::string body;         // exactly the bytes sent, whatever the Content-Type says
  std::string remote;       // the TCP peer's address
  // The only headers a route reads.
  std::optional<std::string> authorization;
  std::optional<std::string> last_event_id;
};

// A body produced piece by piece. Next appends the next piece to `out`:
//   kData  - `out` holds bytes to send (may be empty: call again at once);
//   kWait  - nothing yet: call again after the next commit, or with `idle` true when
//            `kIdleInterval` passes without one (an event stream's keep-alive);
//   kDone  - the body is complete (after sending `out`);
//   kAbort - something failed after the status line went out: send `out`, then cut the
//            connection without the final chunk so the client sees a truncated body.
class BodyStream {
 public:
  enum class Step { kData, kWait, kDone, kAbort };
  static constexpr std::chrono::milliseconds kIdleInterval{15'000};

  virtual ~BodyStream() = default;
  virtual Step Next(std::string* out, bool idle) = 0;
};

struct Response;

// A response that waits for commits: `poll` runs first at once, then after every commit, until
// it fills the response and returns true; at `deadline` (or when the server stops) `expire`
// fills it instead.
struct Deferred {
  std::chrono::steady_clock::time_point deadline;
  std::function<bool(Response&)> poll;
  std::function<void(Response&)> expire;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // A whole body shared with the answer cache (answer_cache.h): when set, it is sent instead
  // of `body`.
  std::shared_ptr<const std::string> shared_body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<BodyStream> stream;
  std::shared_ptr<Deferred> deferred;

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace consentd::node::http
