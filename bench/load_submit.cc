#include "bench/load_submit.h"

#include <chrono>
#include <cstdlib>
#include <optional>

#include "bench/load_watch.h"
#include "common/json.h"

namespace consentd::bench {

void Tracker::Add(const std::vector<std::unique_ptr<Tracked>>& items) {
  std::lock_guard lock(mu_);
  for (const auto& t : items) by_id_.emplace(t->tx.id_hex, t.get());
}

void Tracker::OnTx(std::string_view id_hex, std::int64_t ns) {
  std::lock_guard lock(mu_);
  auto it = by_id_.find(std::string(id_hex));
  if (it != by_id_.end() && it->second->commit_ns == 0) it->second->commit_ns = ns;
}

bool Tracker::Wait(const std::vector<Tracked*>& items, std::int64_t deadline_ns) {
  std::unique_lock lock(mu_);
  for (;;) {
    bool all = true;
    for (const Tracked* t : items) all = all && (!t->accepted || t->commit_ns != 0);
    if (all) return true;
    if (NowNs() >= deadline_ns) return false;
    cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

void Results::Count(const std::string& code, std::uint64_t n) {
  std::lock_guard lock(mu_);
  by_code_[code] += n;
}

std::map<std::string, std::uint64_t> Results::Get() {
  std::lock_guard lock(mu_);
  return by_code_;
}

Result<NodeAddress> ParseNodeUrl(std::string url) {
  if (url.starts_with("http://")) url = url.substr(7);
  while (!url.empty() && url.back() == '/') url.pop_back();
  const std::size_t colon = url.rfind(':');
  if (colon == std::string::npos)
    return Status::Error(Reason::kUsage, "node URL must be http://h:p");
  const int port = std::atoi(url.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return Status::Error(Reason::kUsage, "bad port in " + url);
  return NodeAddress{url.substr(0, colon), port};
}

std::unique_ptr<httplib::Client> Connect(const NodeAddress& node) {
  auto c = std::make_unique<httplib::Client>(node.host, node.port);
  c->set_tcp_nodelay(true);
  c->set_keep_alive(true);
  c->set_connection_timeout(5);
  c->set_read_timeout(120);
  c->set_write_timeout(30);
  return c;
}

namespace {
std::string CodeOf(const Json& answer, int status) {
  if (answer.is_object() && answer.contains("error") && answer["error"].is_object()) {
    return answer["error"].value("code", "http_" + std::to_string(status));
  }
  return "http_" + std::to_string(status);
}
}  // namespace

void Submit(httplib::Client& http, const std::vector<Tracked*>& items, bool batch,
            std::int64_t submit_ns, Results* results) {
  const std::size_t n = items.size();
  std::string body;
  if (batch) {
    body = "{\"txs\":[";
    for (std::size_t i = 0; i < n; ++i) {
      if (i) body += ',';
      body += items[i]->tx.json;
    }
    body += "]}";
  } else {
    body = items[0]->tx.json;
  }
  for (Tracked* t : items) t->submit_ns = submit_ns;
  std::optional<httplib::Result> reply;
  try {
    reply.emplace(http.Post(batch ? "/v1/txs/batch" : "/v1/txs", body, "application/json"));
  } catch (const std::exception&) {
    return results->Count("network", n);
  }
  const httplib::Result& r = *reply;
  if (!r) return results->Count("network", n);
  auto json = ParseJson(r->body, JsonLimits{64 << 20, 64});
  const Json answer = json.ok() ? std::move(*json) : Json();
  if (!batch) {
    const bool ok = r->status == 202;
    items[0]->accepted = ok;
    return results->Count(ok ? "accepted" : CodeOf(answer, r->status));
  }
  if (r->status != 200) return results->Count(CodeOf(answer, r->status), n);
  if (!answer.is_object() || !answer.contains("results") || !answer["results"].is_array() ||
      answer["results"].size() != n) {
    return results->Count("bad_batch_answer", n);
  }
  const Json& res = answer["results"];
  for (std::size_t i = 0; i < n; ++i) {
    const int status = res[i].is_object() ? res[i].value("status", 0) : 0;
    items[i]->accepted = status == 202;
    results->Count(status == 202 ? "accepted" : CodeOf(res[i], status));
  }
}

}  // namespace consentd::bench
