#include "bench/load_watch.h"

#include <chrono>
#include <cstdio>
#include <utility>

#include "cli/client.h"

namespace consentd::bench {
namespace {

// The integer after `"key":` in a canonical JSON text, or -1.
std::int64_t IntField(std::string_view json, std::string_view key) {
  const std::string pattern = "\"" + std::string(key) + "\":";
  const std::size_t at = json.find(pattern);
  if (at == std::string_view::npos) return -1;
  std::int64_t v = 0;
  for (std::size_t i = at + pattern.size(); i < json.size() && json[i] >= '0' && json[i] <= '9';
       ++i) {
    v = v * 10 + (json[i] - '0');
  }
  return v;
}

}  // namespace

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

CommitWatcher::CommitWatcher(std::string url, std::string token, OnTx on_tx,
                             std::function<void()> on_chunk)
    : url_(std::move(url)),
      token_(std::move(token)),
      on_tx_(std::move(on_tx)),
      on_chunk_(std::move(on_chunk)) {}

CommitWatcher::~CommitWatcher() { Stop(); }

void CommitWatcher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void CommitWatcher::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void CommitWatcher::Run() {
  auto client = cli::Client::Create(url_, token_);
  if (!client.ok()) {
    failed_ = true;
    return;
  }
  auto r = client->GetStream("/v1/events", [this](std::string_view data) {
    if (stop_) return false;
    Consume(data, NowNs());
    if (on_chunk_) on_chunk_();
    return true;
  });
  if (!stop_) {
    std::fprintf(
        stderr, "load: the event stream of %s ended: %s\n", url_.c_str(),
        r.ok() ? ("status " + std::to_string(r->status)).c_str() : r.status().ToString().c_str());
    failed_ = true;
  }
}

void CommitWatcher::Consume(std::string_view data, std::int64_t now_ns) {
  pending_.append(data);
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = pending_.find("\n\n", start);
    if (end == std::string::npos) break;
    HandleEvent(std::string_view(pending_).substr(start, end - start), now_ns);
    start = end + 2;
  }
  pending_.erase(0, start);
}

void CommitWatcher::HandleEvent(std::string_view event, std::int64_t now_ns) {
  const std::size_t data_at = event.find("\ndata: ");
  if (data_at == std::string_view::npos) return;  // a keep-alive comment
  const std::string_view data = event.substr(data_at + 7);
  if (event.find("event: tx\n") != std::string_view::npos) {
    // Canonical JSON sorts keys: the outer "tx_id" follows the embedded "tx" object, so the
    // last occurrence is the committed transaction's id.
    const std::string_view key = "\"tx_id\":\"";
    const std::size_t at = data.rfind(key);
    if (at != std::string_view::npos && at + key.size() + 64 <= data.size()) {
      on_tx_(data.substr(at + key.size(), 64), now_ns);
    }
  } else if (event.find("event: block\n") != std::string_view::npos) {
    const std::int64_t time_ms = IntField(data, "time_ms");
    const std::int64_t height = IntField(data, "height");
    if (time_ms > 0) last_block_time_ms_ = time_ms;
    if (height > 0) last_height_ = static_cast<std::uint64_t>(height);
  }
}

}  // namespace consentd::bench
