#include "node/http/api.h"

#include "node/node.h"

namespace consentd::node::http {

void Context::Reply(int status, const Json& body) {
  res.status = status;
  res.set_content(CanonicalJson(body), "application/json");
}

void Context::ReplyCanonical(int status, std::string body) {
  res.status = status;
  res.set_content(std::move(body), "application/json");
}

void Context::Fail(std::string_view code, std::string_view message) {
  Reply(HttpStatusFor(code), ErrorBody(code, message));
}

void Context::ReplyPage(const Result<ledger::Page>& page) {
  if (!page.ok()) return Fail(page.status());
  Reply(200, page->ToJson());
}

ledger::Queries Api::Snapshot() const { return ledger::Queries(node->ledger()); }

std::vector<Route> AllRoutes(Api& api) {
  std::vector<Route> all;
  for (auto part : {ChainRoutes(api), QueryRoutes(api), AuditRoutes(api), ReportRoutes(api),
                    EventRoutes(api), OpsRoutes(api)}) {
    for (Route& r : part) all.push_back(std::move(r));
  }
  return all;
}

std::string PathRegex(std::string_view path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      const std::size_t close = path.find('}', i);
      out += "([^/]+)";
      i = close;
    } else if (std::string_view(".+*?^$()[]|\\").find(path[i]) != std::string_view::npos) {
      out += '\\';
      out += path[i];
    } else {
      out += path[i];
    }
  }
  return out;
}

StreamSlot::StreamSlot(Api& api) : api_(api) {
  ok_ = api_.streams.fetch_add(1) < api_.max_streams;
  if (!ok_) api_.streams.fetch_sub(1);
}

StreamSlot::~StreamSlot() {
  if (ok_) api_.streams.fetch_sub(1);
}

}  // namespace consentd::node::http
