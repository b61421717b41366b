#include "node/http/api.h"

#include "node/node.h"

namespace consentd::node::http {

void Context::Reply(int status, const Json& body) {
  res.status = status;
  res.content_type = "application/json";
  res.body = CanonicalJson(body);
}

void Context::ReplyCanonical(int status, std::string body) {
  res.status = status;
  res.content_type = "application/json";
  res.body = std::move(body);
}

void Context::Fail(Reason reason, std::string_view message) {
  Reply(HttpStatusFor(reason), ErrorBody(reason, message));
}

void Context::ReplyPage(const Result<ledger::Page>& page) {
  if (!page.ok()) return Fail(page.status());
  Reply(200, page->ToJson());
}

ledger::Queries Api::Snapshot() const { return ledger::Queries(node->ledger()); }

std::vector<Route> AllRoutes(Api& api) {
  std::vector<Route> all;
  for (auto part : {ChainRoutes(api), QueryRoutes(api), AuditRoutes(api), ReportRoutes(api),
                    TransferRoutes(api), EventRoutes(api), OpsRoutes(api), AccessLogRoutes(api)}) {
    for (Route& r : part) all.push_back(std::move(r));
  }
  return all;
}

bool MatchPath(std::string_view tmpl, std::string_view path, std::vector<std::string>* args) {
  const std::size_t mark = args->size();
  std::size_t t = 0, p = 0;
  while (t < tmpl.size() && p < path.size()) {
    if (tmpl[t] == '{') {
      const std::size_t close = tmpl.find('}', t);
      const std::size_t end = std::min(path.find('/', p), path.size());
      if (end == p) break;
      args->emplace_back(path.substr(p, end - p));
      t = close + 1;
      p = end;
    } else if (tmpl[t] == path[p]) {
      ++t;
      ++p;
    } else {
      break;
    }
  }
  if (t == tmpl.size() && p == path.size()) return true;
  args->resize(mark);
  return false;
}

Api::StreamClass StreamClassOf(const Principal& who) {
  if (who.sees_all()) return Api::StreamClass::kOversight;
  // Customers share the anonymous pool: anyone can make a key.
  if (who.authenticated() && !who.customer()) return Api::StreamClass::kMember;
  return Api::StreamClass::kAnonymous;
}

const char* ToString(Api::StreamClass c) {
  switch (c) {
    case Api::StreamClass::kAnonymous:
      return "anonymous";
    case Api::StreamClass::kMember:
      return "member";
    case Api::StreamClass::kOversight:
      return "oversight";
  }
  return "anonymous";
}

StreamSlot::StreamSlot(Api& api, const Principal& who)
    : api_(api), class_(static_cast<int>(StreamClassOf(who))) {
  ok_ = api_.streams[class_].fetch_add(1) < api_.max_streams[class_];
  if (!ok_) api_.streams[class_].fetch_sub(1);
}

StreamSlot::~StreamSlot() {
  if (ok_) api_.streams[class_].fetch_sub(1);
}

}  // namespace consentd::node::http
