// The HTTP front door under hostile clients (issue 23), against a real node: every limit of
// docs/API.md "Limits" is held before anything is buffered, and the answers are the documented
// ones. Each case here was one that the node's earlier server (cpp-httplib, a thread per
// connection) gave way to: memory grew without bound, slow clients held every worker, anonymous
// streams took every slot, and framing was accepted loosely.
//
// Connections come from several loopback addresses (127.0.0.2, ...) to look like several
// clients. No sleeps stand in for synchronisation: every wait is a bounded poll of what the node
// answers or reports.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/file_util.h"
#include "common/json.h"
#include "ledger/tx_body.h"
#include "tests/faults/raw_client.h"
#include "tests/integration/harness.h"

namespace consentd::testing {
namespace {

using ledger::TxType;

constexpr std::int64_t kAnswerMs = 30'000;  // bound on any single answer we wait for

// A one-validator network whose node's `http` config section gets `http` merged into it.
std::unique_ptr<LocalNet> StartNode(const Json& http) {
  auto net = std::make_unique<LocalNet>(1);
  const std::string path = net->home(0) + "/config.json";
  Json config = ParseJson(*ReadFile(path)).value();
  for (auto& [k, v] : http.items()) config["http"][k] = v;
  EXPECT_TRUE(WriteFileAtomic(path, config.dump(2)).ok());
  net->StartAll();
  EXPECT_TRUE(net->WaitHeight(0, 1, 120'000)) << net->Log(0);
  return net;
}

int HttpPort(const LocalNet& net) {
  const std::string url = net.url(0);
  return std::atoi(url.substr(url.rfind(':') + 1).c_str());
}

// The status of the first response in `bytes` (0 if there is none).
int FirstStatus(std::string_view bytes) {
  if (bytes.size() < 12 || bytes.substr(0, 5) != "HTTP/") return 0;
  const std::size_t sp = bytes.find(' ');
  if (sp == std::string_view::npos || sp + 4 > bytes.size()) return 0;
  return std::atoi(std::string(bytes.substr(sp + 1, 3)).c_str());
}

// The error code in the first response's body ("" if none).
std::string FirstErrorCode(std::string_view bytes) {
  const std::size_t start = bytes.find("{\"error\"");
  if (start == std::string_view::npos) return "";
  const std::size_t end = bytes.find("}}", start);
  if (end == std::string_view::npos) return "";
  auto json = ParseJson(bytes.substr(start, end + 2 - start));
  if (!json.ok()) return "";
  return json->at("error").value("code", "");
}

bool HasStatusLine(const std::string& bytes) { return bytes.find("\r\n") != std::string::npos; }

// Sends `request` on a fresh connection (from `source`) and reads until the node closes it or
// one response has arrived.
std::string Exchange(int port, std::string_view request, const char* source = nullptr) {
  RawSocket s;
  if (!s.Connect(port, source)) return "";
  s.Send(request);
  std::string out;
  s.ReadUntil(out, MonoMs() + kAnswerMs, 1 << 20, HasHttpResponse);
  return out;
}

std::string Get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: node\r\n" + extra + "\r\n";
}

// A kB figure ("VmRSS", "VmHWM") from /proc/PID/status, in bytes (-1 if unreadable).
std::int64_t ProcBytes(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::atoll(line.c_str() + field.size() + 1) * 1024;
    }
  }
  return -1;
}

double Metric(const LocalNet& net, const std::string& series) {
  auto r = net.Get(0, "/metrics");
  if (!r) return -1;
  const std::string& text = r->raw;
  for (std::size_t pos = text.find(series); pos != std::string::npos;
       pos = text.find(series, pos + 1)) {
    if (pos > 0 && text[pos - 1] != '\n') continue;
    if (text.compare(pos + series.size(), 1, " ") != 0) continue;
    return std::atof(text.c_str() + pos + series.size() + 1);
  }
  return -1;
}

// Polls until `series` reaches at least `at_least` (true) or `timeout_ms` passes.
bool WaitMetric(const LocalNet& net, const std::string& series, double at_least,
                std::int64_t timeout_ms) {
  const std::int64_t until = MonoMs() + timeout_ms;
  while (MonoMs() < until) {
    if (Metric(net, series) >= at_least) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

// One pusher: a request head, then `chunk` over and over until the node answers, closes the
// connection, or `max_push` bytes went out. What the node answered is in `reply`.
struct Pusher {
  std::string kind;
  std::string head;
  std::string chunk;
  int want_status = 0;
  std::string want_code;
  std::string reply = {};
  std::uint64_t pushed = 0;
};

void Push(int port, Pusher& p, std::uint64_t max_push) {
  RawSocket s;
  if (!s.Connect(port)) return;
  if (!s.Send(p.head)) return;
  while (p.pushed < max_push) {
    if (!s.Send(p.chunk)) break;
    p.pushed += p.chunk.size();
    if (s.ReadUntil(p.reply, MonoMs() + 1, 1 << 20, HasStatusLine) == RawSocket::End::kClosed) {
      break;
    }
  }
  s.ReadUntil(p.reply, MonoMs() + kAnswerMs, 1 << 20);  // the rest, until the node closes
}

TEST(HttpLimitsTest, MemoryStaysBoundedWhileConnectionsPushFarMoreThanTheLimits) {
  auto net = StartNode(Json::object());
  const int port = HttpPort(*net);
  const pid_t pid = net->pid(0);
  const std::string a64k(64 << 10, 'a');
  const std::string chunk = "10000\r\n" + a64k + "\r\n";  // one 64 KiB chunk
  std::string fields;
  for (int i = 0; i < 4096; ++i) fields += "a:b\r\n";

  std::vector<Pusher> pushers;
  for (int copy = 0; copy < 2; ++copy) {
    pushers.push_back({"chunked body that never ends",
                       "POST /v1/txs HTTP/1.1\r\nHost: node\r\nTransfer-Encoding: chunked\r\n\r\n",
                       chunk, 413, "too_large"});
    pushers.push_back({"Content-Length of 1 GiB",
                       "POST /v1/txs HTTP/1.1\r\nHost: node\r\nContent-Length: 1073741824\r\n\r\n",
                       a64k, 413, "too_large"});
    // No length: a request without Content-Length or chunked has no body; what follows is the
    // next request, whose "method" never ends.
    pushers.push_back({"POST without a length to an unknown path",
                       "POST /v1/nowhere HTTP/1.1\r\nHost: node\r\n\r\n", a64k, 404, "not_found"});
    pushers.push_back({"one endless header line", "GET /healthz HTTP/1.1\r\nHost: node\r\nX-Big: ",
                       a64k, 431, "headers_too_long"});
    pushers.push_back({"endless tiny header fields", "GET /healthz HTTP/1.1\r\nHost: node\r\n",
                       fields, 431, "headers_too_long"});
  }

  const std::int64_t rss_before = ProcBytes(pid, "VmRSS");
  ASSERT_GT(rss_before, 0);
  // The peak from here on: the kernel's high-water mark, reset now where it can be (root), and
  // a sampler beside it that sees the peak wherever it cannot.
  bool hwm_reset = false;
  {
    std::ofstream clear("/proc/" + std::to_string(pid) + "/clear_refs");
    clear << "5";
    clear.flush();
    hwm_reset = clear.good();
  }
  std::atomic<bool> done{false};
  std::int64_t sampled_peak = rss_before;
  std::thread sampler([&] {
    while (!done) {
      sampled_peak = std::max(sampled_peak, ProcBytes(pid, "VmRSS"));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // sampling interval
    }
  });
  constexpr std::uint64_t kMaxPush = 128ull << 20;  // per connection: 32x the 4 MiB body limit
  std::vector<std::thread> threads;
  for (Pusher& p : pushers) threads.emplace_back([&, pp = &p] { Push(port, *pp, kMaxPush); });
  for (auto& t : threads) t.join();
  done = true;
  sampler.join();
  std::int64_t peak = sampled_peak;
  if (hwm_reset) peak = std::max(peak, ProcBytes(pid, "VmHWM"));

  std::uint64_t total_pushed = 0;
  for (const Pusher& p : pushers) {
    SCOPED_TRACE(p.kind);
    total_pushed += p.pushed;
    EXPECT_EQ(FirstStatus(p.reply), p.want_status) << p.reply.substr(0, 300);
    EXPECT_EQ(FirstErrorCode(p.reply), p.want_code) << p.reply.substr(0, 300);
    EXPECT_LT(p.pushed, kMaxPush) << "the node went on reading";
  }
  std::printf("pushed %llu MiB over %zu connections; node RSS %lld MiB before, peak %lld MiB\n",
              static_cast<unsigned long long>(total_pushed >> 20), pushers.size(),
              static_cast<long long>(rss_before >> 20), static_cast<long long>(peak >> 20));
  // What the limits let a connection hold (a 4 MiB body, a 16 KiB header block) times ten
  // connections, and room for the allocator (sanitizers keep freed memory for a while): far
  // below what was pushed.
  EXPECT_LT(peak - rss_before, 192ll << 20);
  EXPECT_GT(total_pushed, 10ull * (4 << 20));

  EXPECT_GE(Metric(*net, "consentd_http_refused_total{reason=\"too_large\"}"), 4);
  EXPECT_GE(Metric(*net, "consentd_http_refused_total{reason=\"headers_too_long\"}"), 4);
  // Nothing committed is lost, and the node still commits.
  ASSERT_TRUE(net->Running(0)) << net->ExitReport(0);
  auto r =
      net->Post(0, "/v1/txs?wait=commit&timeout_ms=30000",
                net->SignedTx(TxType::kNoticePublish, net->NoticeBody("insurer-1"), {"insurer-1"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->raw;
}

TEST(HttpLimitsTest, HundredsOfSlowConnectionsHoldNoThreadAndEachAddressHasACap) {
  auto net = StartNode(Json{{"read_timeout_ms", 120'000}, {"max_connections_per_address", 100}});
  const int port = HttpPort(*net);
  const char* sources[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
  std::vector<std::unique_ptr<RawSocket>> slow;
  for (const char* source : sources) {
    for (int i = 0; i < 100; ++i) {
      auto s = std::make_unique<RawSocket>();
      ASSERT_TRUE(s->Connect(port, source)) << source << " #" << i;
      // A request that never ends: its headers stop in the middle of a field.
      s->Send("GET /healthz HTTP/1.1\r\nHost: node\r\nX-Slow: ");
      slow.push_back(std::move(s));
    }
  }
  ASSERT_TRUE(WaitMetric(*net, "consentd_http_connections", 300, kAnswerMs));

  // Fresh clients are answered at once, however many slow ones are held.
  for (int i = 0; i < 20; ++i) {
    const std::string reply = Exchange(port, Get("/healthz", "Connection: close\r\n"));
    ASSERT_EQ(FirstStatus(reply), 200) << "fresh client #" << i << ": " << reply;
  }
  // A drip of header bytes on every slow connection changes nothing.
  for (auto& s : slow) s->Send("x");
  EXPECT_EQ(FirstStatus(Exchange(port, Get("/healthz"), "127.0.0.5")), 200);

  // The 101st connection from one address is refused; another address still gets in.
  const std::string over = Exchange(port, Get("/healthz"), "127.0.0.2");
  EXPECT_EQ(FirstStatus(over), 503) << over;
  EXPECT_EQ(FirstErrorCode(over), "too_many_connections") << over;
  EXPECT_NE(over.find("this address is at its connection limit"), std::string::npos) << over;
  EXPECT_EQ(FirstStatus(Exchange(port, Get("/healthz"), "127.0.0.6")), 200);
  EXPECT_GE(Metric(*net, "consentd_http_refused_total{reason=\"too_many_connections\"}"), 1);

  // Held connections that end free their slots: the address gets in again.
  slow.clear();
  bool again = false;
  for (int i = 0; i < 200 && !again; ++i) {
    again = FirstStatus(Exchange(port, Get("/healthz"), "127.0.0.2")) == 200;
    if (!again) std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  EXPECT_TRUE(again);
  EXPECT_TRUE(net->Running(0)) << net->ExitReport(0);
}

TEST(HttpLimitsTest, TheConnectionCapInTotalAnswers503) {
  auto net = StartNode(Json{{"max_connections", 40}});
  const int port = HttpPort(*net);
  // Keep-alive connections, each answered once (so each is known to be held), from several
  // addresses, until one is refused.
  std::vector<std::unique_ptr<RawSocket>> held;
  std::string refused;
  for (int i = 0; i < 100 && refused.empty(); ++i) {
    const std::string source = "127.0.1." + std::to_string(1 + i % 10);
    auto s = std::make_unique<RawSocket>();
    ASSERT_TRUE(s->Connect(port, source.c_str()));
    s->Send(Get("/healthz"));
    std::string reply;
    s->ReadUntil(reply, MonoMs() + kAnswerMs, 1 << 20, HasHttpResponse);
    if (FirstStatus(reply) == 200) {
      held.push_back(std::move(s));
    } else {
      refused = reply;
    }
  }
  EXPECT_LE(held.size(), 40u);
  EXPECT_GE(held.size(), 30u);  // the harness's own clients may hold a few
  EXPECT_EQ(FirstStatus(refused), 503) << refused;
  EXPECT_EQ(FirstErrorCode(refused), "too_many_connections") << refused;
  EXPECT_NE(refused.find("the server is at its connection limit"), std::string::npos) << refused;

  held.clear();
  bool again = false;
  for (int i = 0; i < 200 && !again; ++i) {
    again = FirstStatus(Exchange(port, Get("/healthz"))) == 200;
    if (!again) std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  EXPECT_TRUE(again);
}

TEST(HttpLimitsTest, DeadlinesAnswerSlowRequestsWith408AndCloseIdleConnections) {
  auto net = StartNode(Json{{"read_timeout_ms", 1000}, {"idle_timeout_ms", 1000}});
  const int port = HttpPort(*net);

  // Drips: one byte each 100 ms, for at most 30 s; the node must answer long before.
  auto drip = [&](const std::string& head, const char* what) {
    SCOPED_TRACE(what);
    RawSocket s;
    ASSERT_TRUE(s.Connect(port));
    s.Send(head);
    std::string reply;
    for (int i = 0; i < 300 && !HasHttpResponse(reply); ++i) {
      if (!s.Send("a")) break;
      // The drip's pace: wait 100 ms for an answer.
      if (s.ReadUntil(reply, MonoMs() + 100, 1 << 20, HasHttpResponse) == RawSocket::End::kClosed) {
        break;
      }
    }
    EXPECT_EQ(FirstStatus(reply), 408) << reply;
    EXPECT_EQ(FirstErrorCode(reply), "request_timeout") << reply;
  };
  drip("GET /healthz HTTP/1.1\r\nHost: node\r\nX-Drip: ", "headers a byte at a time");
  drip("POST /v1/txs HTTP/1.1\r\nHost: node\r\nContent-Length: 100000\r\n\r\n",
       "a body a byte at a time");

  {
    SCOPED_TRACE("a connection that never says anything is closed");
    RawSocket s;
    ASSERT_TRUE(s.Connect(port));
    std::string got;
    EXPECT_EQ(s.ReadUntil(got, MonoMs() + kAnswerMs), RawSocket::End::kClosed);
    EXPECT_EQ(got, "");
  }
  {
    SCOPED_TRACE("an idle keep-alive connection is closed after its answer");
    RawSocket s;
    ASSERT_TRUE(s.Connect(port));
    s.Send(Get("/healthz"));
    std::string got;
    EXPECT_EQ(s.ReadUntil(got, MonoMs() + kAnswerMs), RawSocket::End::kClosed);
    const HttpResponses r = ParseHttpResponses(got);
    EXPECT_EQ(r.statuses, std::vector<int>{200}) << got;
  }
  EXPECT_GE(Metric(*net, "consentd_http_refused_total{reason=\"request_timeout\"}"), 2);
}

TEST(HttpLimitsTest, FramingIsStrictBodiesAreJsonAndPipelinedRequestsAnswerInOrder) {
  auto net = StartNode(Json::object());
  const int port = HttpPort(*net);
  auto post = [](const std::string& target, const std::string& headers, const std::string& body) {
    return "POST " + target + " HTTP/1.1\r\nHost: node\r\nConnection: close\r\n" + headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  auto tx = [&](const std::string& subject) {
    return net->SignedTx(TxType::kConsentGrant, net->GrantBody("insurer-1", subject),
                         {"insurer-1", subject});
  };
  // Grants need the controller's notice on the ledger.
  auto notice =
      net->Post(0, "/v1/txs?wait=commit&timeout_ms=30000",
                net->SignedTx(TxType::kNoticePublish, net->NoticeBody("insurer-1"), {"insurer-1"}));
  ASSERT_TRUE(notice);
  ASSERT_EQ(notice->status, 200) << notice->raw;

  {
    SCOPED_TRACE("a form-encoded Content-Type: the body is still the JSON tx");
    const std::string reply = Exchange(
        port,
        post("/v1/txs", "Content-Type: application/x-www-form-urlencoded\r\n", tx("form-client")));
    EXPECT_EQ(FirstStatus(reply) / 100, 2) << reply;
    EXPECT_NE(reply.find("\"tx_id\""), std::string::npos) << reply;
  }
  {
    SCOPED_TRACE("a NUL after the JSON value");
    const std::string body = tx("nul-client") + std::string("\0{\"x\":1}", 8);
    const std::string reply = Exchange(port, post("/v1/txs", "", body));
    EXPECT_EQ(FirstStatus(reply), 400) << reply;
    EXPECT_EQ(FirstErrorCode(reply), "json_syntax") << reply;
  }
  {
    SCOPED_TRACE("bytes after the JSON value");
    const std::string reply = Exchange(port, post("/v1/txs", "", tx("trailing-client") + " x"));
    EXPECT_EQ(FirstStatus(reply), 400) << reply;
    EXPECT_EQ(FirstErrorCode(reply), "json_syntax") << reply;
  }
  struct Bad {
    const char* what;
    std::string request;
    int status;
    std::string code;
  };
  const std::string small = "{}";
  std::string many_fields, long_header(20 << 10, 'h');
  for (int i = 0; i < 101; ++i) many_fields += "X-F" + std::to_string(i) + ": v\r\n";
  const std::vector<Bad> bad = {
      {"two different Content-Length headers",
       "POST /v1/txs HTTP/1.1\r\nHost: node\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x",
       400, "bad_request"},
      {"the same Content-Length twice",
       "POST /v1/txs HTTP/1.1\r\nHost: node\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
       400, "bad_request"},
      {"Content-Length with chunked",
       "POST /v1/txs HTTP/1.1\r\nHost: node\r\nContent-Length: 7\r\nTransfer-Encoding: "
       "chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
       400, "bad_request"},
      {"chunked with Content-Length",
       "POST /v1/txs HTTP/1.1\r\nHost: node\r\nTransfer-Encoding: chunked\r\nContent-Length: "
       "7\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
       400, "bad_request"},
      {"a transfer coding other than chunked",
       "POST /v1/txs HTTP/1.1\r\nHost: node\r\nTransfer-Encoding: gzip\r\n\r\n{}", 400,
       "bad_request"},
      {"bad chunk framing",
       "POST /v1/txs HTTP/1.1\r\nHost: node\r\nTransfer-Encoding: "
       "chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
       400, "bad_request"},
      {"a negative Content-Length",
       "POST /v1/txs HTTP/1.1\r\nHost: node\r\nContent-Length: -1\r\n\r\n", 400, "bad_request"},
      {"101 header fields", Get("/healthz", many_fields), 431, "too_many_headers"},
      {"a header block of 20 KiB", Get("/healthz", "X-Long: " + long_header + "\r\n"), 431,
       "headers_too_long"},
      {"a target of 9000 bytes", Get("/v1/status?x=" + std::string(9000, 'q')), 414,
       "uri_too_long"},
      {"a request line that is not HTTP", "HELLO\r\n\r\n", 400, "bad_request"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.what);
    const std::string reply = Exchange(port, b.request);
    EXPECT_EQ(FirstStatus(reply), b.status) << reply;
    EXPECT_EQ(FirstErrorCode(reply), b.code) << reply;
  }

  {
    SCOPED_TRACE("pipelined requests, a POST among them, are answered in order");
    const std::string body = tx("pipelined-client");
    const std::string requests =
        Get("/healthz") + Get("/v1/nowhere") +
        "POST /v1/txs HTTP/1.1\r\nHost: node\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body + Get("/v1/status") + Get("/readyz", "Connection: close\r\n");
    RawSocket s;
    ASSERT_TRUE(s.Connect(port));
    s.Send(requests);
    std::string got;
    EXPECT_EQ(s.ReadUntil(got, MonoMs() + kAnswerMs), RawSocket::End::kClosed);
    const HttpResponses r = ParseHttpResponses(got);
    ASSERT_EQ(r.statuses.size(), 5u) << got;
    EXPECT_EQ(r.statuses[0], 200);
    EXPECT_EQ(r.statuses[1], 404);
    EXPECT_EQ(r.statuses[2] / 100, 2) << r.bodies[2];
    EXPECT_EQ(r.statuses[3], 200);
    EXPECT_NE(r.bodies[3].find("\"chain_id\""), std::string::npos) << r.bodies[3];
  }
  {
    SCOPED_TRACE("a client that half-closes after its request still gets the answer");
    RawSocket s;
    ASSERT_TRUE(s.Connect(port));
    s.Send(Get("/healthz"));
    s.ShutdownWrite();
    std::string got;
    EXPECT_EQ(s.ReadUntil(got, MonoMs() + kAnswerMs), RawSocket::End::kClosed);
    EXPECT_EQ(ParseHttpResponses(got).statuses, std::vector<int>{200}) << got;
  }
  {
    SCOPED_TRACE("HTTP/1.0 without Host is answered and closed");
    const std::string got = Exchange(port, "GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_EQ(FirstStatus(got), 200) << got;
  }
  {
    SCOPED_TRACE("Expect: 100-continue gets its interim answer, then the answer");
    RawSocket s;
    ASSERT_TRUE(s.Connect(port));
    s.Send(
        "POST /v1/txs HTTP/1.1\r\nHost: node\r\nExpect: 100-continue\r\nConnection: "
        "close\r\nContent-Length: 2\r\n\r\n");
    std::string got;
    s.ReadUntil(got, MonoMs() + kAnswerMs, 1 << 20, HasStatusLine);
    EXPECT_EQ(FirstStatus(got), 100) << got;
    s.Send(small);
    s.ReadUntil(got, MonoMs() + kAnswerMs);
    const HttpResponses r = ParseHttpResponses(got);
    EXPECT_EQ(r.statuses, std::vector<int>{400}) << got;  // {} is not a tx
  }
  EXPECT_TRUE(net->Running(0)) << net->ExitReport(0);
}

TEST(HttpLimitsTest, AnonymousStreamsAtTheirCapLeaveSlotsForMembersAuditorsAndRegulators) {
  auto net = StartNode(
      Json{{"max_streams_anonymous", 4}, {"max_streams_member", 2}, {"max_streams_oversight", 4}});
  const int port = HttpPort(*net);
  const auto tokens = net->Tokens();
  auto bearer = [&](const std::string& who) {
    return "Authorization: Bearer " + tokens.at(who) + "\r\n";
  };
  // Opens a stream and keeps it; returns its status once the status line is in.
  std::vector<std::unique_ptr<RawSocket>> open;
  auto open_stream = [&](const std::string& request, std::string* reply = nullptr) {
    auto s = std::make_unique<RawSocket>();
    if (!s->Connect(port)) return 0;
    s->Send(request);
    std::string got;
    s->ReadUntil(got, MonoMs() + kAnswerMs, 1 << 20, HasStatusLine);
    if (reply) *reply = got;
    open.push_back(std::move(s));
    return FirstStatus(got);
  };

  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(open_stream(Get("/v1/events?from_height=1")), 200) << "anonymous stream #" << i;
  }
  std::string full;
  EXPECT_EQ(open_stream(Get("/v1/events?from_height=1"), &full), 503);
  EXPECT_EQ(FirstErrorCode(full), "too_many_streams") << full;
  EXPECT_EQ(Metric(*net, "consentd_http_streams{class=\"anonymous\"}"), 4);

  EXPECT_EQ(open_stream(Get("/v1/events?from_height=1", bearer("insurer-1"))), 200);
  EXPECT_EQ(open_stream(Get("/v1/events?from_height=1", bearer("auditor"))), 200);
  EXPECT_EQ(open_stream(Get("/v1/audit/log?format=ndjson", bearer("auditor"))), 200);
  EXPECT_EQ(open_stream(Get("/v1/admin/backup", bearer("regulator"))), 200);
  const std::string report =
      Exchange(port, Get("/v1/reports/compliance", bearer("regulator") + "Connection: close\r\n"));
  EXPECT_EQ(FirstStatus(report), 200) << report.substr(0, 300);

  // Each class has its own cap: a member's third stream is refused, whatever anonymous
  // callers hold.
  EXPECT_EQ(open_stream(Get("/v1/events?from_height=1", bearer("insurer-1"))), 200);
  std::string member_full;
  EXPECT_EQ(open_stream(Get("/v1/events?from_height=1", bearer("insurer-1")), &member_full), 503);
  EXPECT_EQ(FirstErrorCode(member_full), "too_many_streams") << member_full;
  EXPECT_EQ(Metric(*net, "consentd_http_streams_max{class=\"oversight\"}"), 4);
  EXPECT_TRUE(net->Running(0)) << net->ExitReport(0);
}

}  // namespace
}  // namespace consentd::testing
