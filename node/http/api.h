#pragma once

// The HTTP API's route table and what its handlers share. Every route is declared once, with
// its method, its path as written in docs/api/openapi.yaml ("/v1/txs/{tx_id}"), and who may
// call it; the server registers exactly this table, and a test compares it with the OpenAPI
// file. Handlers live by topic: routes_chain.cc (txs, blocks, receipts, status), routes_query.cc
// (consents, subjects, check, agreements, sharing, rights, incidents, members), audit.cc (the
// audit log and its export), events.cc (Server-Sent Events), routes_ops.cc (metrics, health).
//
// No HTTP library here: handlers see node/http/message.h; the server (server.cc) owns Beast.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "ledger/query/queries.h"
#include "ledger/query/receipt_cache.h"
#include "node/access_log.h"
#include "node/http/answer_cache.h"
#include "node/http/auth.h"
#include "node/http/errors.h"
#include "node/http/message.h"
#include "node/http/params.h"

namespace consentd::node {
class Node;
class Metrics;
}  // namespace consentd::node

namespace consentd::node::http {

// Who may call a route (docs/api/openapi.yaml's x-access): kPublic answers anyone; kSigned
// needs a principal, a bearer token or a customer's signature; kToken needs a bearer token
// (a customer gets 403). Handlers apply the principal's scope themselves (scope.h).
enum class Access { kPublic, kSigned, kToken };

struct Context {
  const Request& req;
  Response& res;
  Principal who;
  std::vector<std::string> args;  // the path's {parameters}, in order
  Params params;

  void Reply(int status, const Json& body);
  // A body that is canonical JSON text already.
  void ReplyCanonical(int status, std::string body);
  // HTTP status from the reason (errors.h).
  void Fail(Reason reason, std::string_view message);
  void Fail(const Status& status) { Fail(status.reason(), status.message()); }
  // Sends a page, an optional one-item answer (404 when empty), or the error.
  void ReplyPage(const Result<ledger::Page>& page);
};

struct Route {
  std::string method;  // GET | POST
  std::string path;    // OpenAPI template
  Access access = Access::kPublic;
  std::function<void(Context&)> handle;
  // Long work (a compliance report, a batch of signatures): runs on the server's work pool,
  // not on the threads that serve connections.
  bool blocking = false;
  // The answer depends only on the committed chain at the head, the caller's scope and the
  // target: repeated questions are answered from the answer cache (answer_cache.h).
  bool cacheable = false;
  // Reads through this route go to the access log (reads.h): every successful GET whose
  // answer names a subject. Off only for the access log's own routes.
  bool logs_reads = true;
  // The answer is the whole store (a backup): its entry lists no subject but reads them all.
  bool reads_whole_store = false;
};

// What handlers share: the node, the metrics, and the lifetime of long-lived responses.
struct Api {
  Node* node = nullptr;
  Metrics* metrics = nullptr;
  std::atomic<bool> stopping{false};
  // Stream slots (event streams, exports, backups, reports) by class of principal: anonymous
  // callers share one pool, members (insurers) another, auditors and regulators their own, so
  // anonymous load cannot take the capacity oversight needs.
  enum class StreamClass { kAnonymous, kMember, kOversight };
  static constexpr int kStreamClasses = 3;
  std::atomic<int> streams[kStreamClasses] = {};
  std::atomic<int> connections{0};  // open HTTP connections (the server keeps it)
  int max_streams[kStreamClasses] = {8, 16, 8};
  // Receipts with the proof material of recent blocks cached (set at Start).
  std::unique_ptr<ledger::ReceiptCache> receipts;
  std::unique_ptr<AnswerCache> answers;   // for routes marked cacheable
  std::unique_ptr<AccessLog> access_log;  // reads of subjects' records (reads.h)

  ledger::Queries Snapshot() const;
};

std::vector<Route> ChainRoutes(Api& api);
std::vector<Route> QueryRoutes(Api& api);
std::vector<Route> AuditRoutes(Api& api);
std::vector<Route> ReportRoutes(Api& api);    // routes_report.cc
std::vector<Route> TransferRoutes(Api& api);  // routes_transfers.cc
std::vector<Route> EventRoutes(Api& api);
std::vector<Route> OpsRoutes(Api& api);
std::vector<Route> AccessLogRoutes(Api& api);  // routes_access.cc

// Every route of the API, in registration order.
std::vector<Route> AllRoutes(Api& api);

// Does `path` (percent-decoded segments) match the template ("/v1/txs/{tx_id}": a {name}
// matches one non-empty segment)? Appends the {parameters} to `args` when it does.
bool MatchPath(std::string_view path_template, std::string_view path,
               std::vector<std::string>* args);

// The stream class of a principal.
Api::StreamClass StreamClassOf(const Principal& who);
const char* ToString(Api::StreamClass c);

// A stream slot of `who`'s class (Api::streams); `ok()` false when that class's slots are all
// taken (then reply 503 too_many_streams).
class StreamSlot {
 public:
  StreamSlot(Api& api, const Principal& who);
  ~StreamSlot();
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;
  bool ok() const { return ok_; }

 private:
  Api& api_;
  int class_;
  bool ok_;
};

}  // namespace consentd::node::http
