// Unit tests of the HTTP API's parts that need no server: rate limiting, parameter parsing,
// error statuses, metrics rendering, and the route table against docs/api/openapi.yaml
// (auth_test.cc has tokens and signed requests).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/file_util.h"
#include "common/hex.h"
#include "common/test_paths.h"
#include "crypto/sha256.h"
#include "node/http/api.h"
#include "node/http/auth.h"
#include "node/http/errors.h"
#include "node/http/params.h"
#include "node/http/rate_limit.h"
#include "node/http/server.h"
#include "node/metrics.h"

namespace consentd::node::http {
namespace {

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  RateLimiter limiter(10, 3);
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(limiter.Take("a", t0), 0u);
  EXPECT_EQ(limiter.Take("a", t0), 0u);
  EXPECT_EQ(limiter.Take("a", t0), 0u);
  EXPECT_GE(limiter.Take("a", t0), 1u);  // burst spent: retry after at least a second
  EXPECT_EQ(limiter.Take("b", t0), 0u);  // other clients are unaffected
  // 10/s: one token back after 100 ms, not before.
  EXPECT_GE(limiter.Take("a", t0 + std::chrono::milliseconds(50)), 1u);
  EXPECT_EQ(limiter.Take("a", t0 + std::chrono::milliseconds(150)), 0u);
  EXPECT_GE(limiter.Take("a", t0 + std::chrono::milliseconds(150)), 1u);
}

TEST(RateLimiterTest, RetryAfterReflectsTheRate) {
  RateLimiter slow(0.1, 1);  // one request per 10 s
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(slow.Take("a", t0), 0u);
  EXPECT_EQ(slow.Take("a", t0), 10u);
}

TEST(RateLimiterTest, ZeroRateDisablesAndTheTableStaysBounded) {
  RateLimiter off(0, 0);
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(off.Take("a", t0), 0u);
  RateLimiter small(1, 2, /*max_clients=*/4);
  for (int i = 0; i < 4; ++i) small.Take("c" + std::to_string(i), t0);
  EXPECT_EQ(small.clients(), 4u);
  // Much later every bucket is full again; a newcomer sweeps them out.
  EXPECT_EQ(small.Take("new", t0 + std::chrono::seconds(10)), 0u);
  EXPECT_EQ(small.clients(), 1u);
}

TEST(ParamsTest, OnlyRefusesUnknownAndRepeatedParameters) {
  QueryParams q{{"limit", "5"}, {"cursor", "ab"}};
  EXPECT_TRUE(Params(q).Only({"limit", "cursor"}).ok());
  EXPECT_EQ(Params(q).Only({"limit"}).code(), "bad_parameter");
  QueryParams twice{{"limit", "5"}, {"limit", "6"}};
  EXPECT_EQ(Params(twice).Only({"limit"}).code(), "bad_parameter");
}

TEST(ParamsTest, NumbersAreStrictDecimalsInRange) {
  QueryParams q{{"a", "42"},     {"neg", "-1"}, {"hex", "0x10"}, {"big", "99999999999999999999"},
                {"space", " 1"}, {"empty", ""}};
  Params p(q);
  EXPECT_EQ(p.Uint("a", 1, 100)->value(), 42u);
  EXPECT_FALSE(p.Uint("a", 1, 10).ok());
  EXPECT_FALSE(p.Uint("a", 50, 100).ok());
  for (const char* bad : {"neg", "hex", "big", "space", "empty"}) {
    EXPECT_EQ(p.Uint(bad, 0, ~0ull).status().code(), "bad_parameter") << bad;
  }
  EXPECT_FALSE(p.Uint("absent", 0, 1)->has_value());
  EXPECT_EQ(ParseDecimal("0012"), 12u);
  EXPECT_FALSE(ParseDecimal("12345678901234567").has_value());  // 17 digits
}

TEST(ParamsTest, PagesHaveBoundedLimitsAndCursors) {
  QueryParams ok{{"limit", "1000"}, {"cursor", "abcd"}};
  auto page = Params(ok).Page();
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->limit, 1000u);
  EXPECT_EQ(page->cursor, "abcd");
  QueryParams too_big{{"limit", "1001"}};
  EXPECT_FALSE(Params(too_big).Page().ok());
  QueryParams zero{{"limit", "0"}};
  EXPECT_FALSE(Params(zero).Page().ok());
  QueryParams long_cursor{{"cursor", std::string(300, 'a')}};
  EXPECT_FALSE(Params(long_cursor).Page().ok());
  QueryParams none;
  EXPECT_EQ(Params(none).Page()->limit, ledger::kDefaultPageLimit);
}

TEST(ParamsTest, IdsAreExactlySixtyFourHexDigits) {
  const std::string id(64, 'a');
  EXPECT_TRUE(ParseId("tx_id", id).ok());
  EXPECT_TRUE(ParseId("tx_id", std::string(64, 'A')).ok());
  EXPECT_EQ(ParseId("tx_id", id + "a").status().code(), "bad_id");
  EXPECT_EQ(ParseId("tx_id", std::string(63, 'a') + "g").status().code(), "bad_id");
  EXPECT_EQ(ParseId("tx_id", "../../etc/passwd").status().code(), "bad_id");
}

// docs/API.md "Errors" is the contract: each row's codes with their status. Read it, and hold
// HttpStatusFor to it; every code the ledger can reject a tx with, and every reason a consent
// check can refuse a sharing record for, must have its row.
std::map<std::string, int> DocumentedErrorStatuses() {
  auto text = ReadFile(std::string(consentd::testing::SourceDir()) + "/docs/API.md");
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  std::map<std::string, int> out;
  if (!text.ok()) return out;
  const std::size_t section = text->find("\n## Errors\n");
  const std::size_t end = text->find("\n## ", section + 1);
  EXPECT_NE(section, std::string::npos);
  std::istringstream in(text->substr(section, end - section));
  for (std::string line; std::getline(in, line);) {
    // | `code`, `code` | status | meaning |
    if (!line.starts_with("| `")) continue;
    const std::size_t bar = line.find(" | ", 2);
    if (bar == std::string::npos) continue;
    const std::string codes = line.substr(2, bar - 2);
    const std::size_t status_end = line.find(" |", bar + 3);
    std::string status = line.substr(bar + 3, status_end - bar - 3);
    std::erase(status, '*');
    for (std::size_t at = codes.find('`'); at != std::string::npos;) {
      const std::size_t close = codes.find('`', at + 1);
      out[codes.substr(at + 1, close - at - 1)] = std::stoi(status);
      at = codes.find('`', close + 1);
    }
  }
  return out;
}

TEST(ErrorsTest, CodesMapToTheStatusesDocsApiMdDocuments) {
  const std::map<std::string, int> documented = DocumentedErrorStatuses();
  ASSERT_GT(documented.size(), 100u);  // the table was found and read
  for (const auto& [code, status] : documented) {
    const std::optional<Reason> reason = ParseReason(code);
    ASSERT_TRUE(reason) << code << " (docs/API.md, Errors) is no reason code";
    EXPECT_EQ(HttpStatusFor(*reason), status) << code << " (docs/API.md, Errors)";
  }
  // Every code the API may answer with has its row, and only those: a code that is never an API
  // answer (a peer's block, a file, a key) would be the node's fault if it reached a client.
  for (const ReasonInfo& r : AllReasons()) {
    if (r.http_status != 0) {
      EXPECT_EQ(documented.count(r.code), 1u) << r.code << " has no row in docs/API.md, Errors";
      EXPECT_EQ(HttpStatusFor(r.reason), r.http_status) << r.code;
    } else {
      EXPECT_EQ(documented.count(r.code), 0u) << r.code << " is never an API answer";
      EXPECT_EQ(HttpStatusFor(r.reason), 500) << r.code;
    }
  }
  EXPECT_EQ(HttpStatusFor(Reason::kTransferTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(Reason::kConsentNotActive), 422);
  EXPECT_EQ(HttpStatusFor(Reason::kTxExpired), 422);
  EXPECT_EQ(HttpStatusFor(Reason::kTxWrongChain), 400);
  EXPECT_EQ(ErrorBody(Reason::kNotFound, "x"),
            (Json{{"error", {{"code", "not_found"}, {"message", "x"}}}}));
}

TEST(MetricsTest, RendersCountersHistogramsAndGauges) {
  Metrics m;
  m.Count("consentd_x_total", "X things.", {{"reason", "a\"b"}});
  m.Count("consentd_x_total", "X things.", {{"reason", "a\"b"}}, 2);
  m.Observe("consentd_latency_seconds", "Latency.", 0.02);
  m.Observe("consentd_latency_seconds", "Latency.", 100);
  EXPECT_EQ(m.CounterValue("consentd_x_total", {{"reason", "a\"b"}}), 3u);
  const std::string text = m.Render({{"consentd_height", "Height.", 7}});
  EXPECT_NE(text.find("# TYPE consentd_height gauge\nconsentd_height 7\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE consentd_x_total counter\nconsentd_x_total{reason=\"a\\\"b\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("consentd_latency_seconds_bucket{le=\"0.01\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("consentd_latency_seconds_bucket{le=\"0.025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("consentd_latency_seconds_bucket{le=\"60\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("consentd_latency_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("consentd_latency_seconds_count 2\n"), std::string::npos);
}

TEST(RoutesTest, PathTemplatesMatchWholeSegments) {
  std::vector<std::string> args;
  EXPECT_TRUE(MatchPath("/v1/txs/{tx_id}", "/v1/txs/abc", &args));
  EXPECT_EQ(args, std::vector<std::string>{"abc"});
  args.clear();
  EXPECT_TRUE(MatchPath("/v1/subjects/{subject}/history", "/v1/subjects/s-1/history", &args));
  EXPECT_EQ(args, std::vector<std::string>{"s-1"});
  args.clear();
  EXPECT_TRUE(MatchPath("/v1/txs/batch", "/v1/txs/batch", &args));
  EXPECT_TRUE(args.empty());
  // No partial segments, no empty parameter, no extra or missing tail; args untouched on a miss.
  EXPECT_FALSE(MatchPath("/v1/txs/{tx_id}", "/v1/txs/", &args));
  EXPECT_FALSE(MatchPath("/v1/txs/{tx_id}", "/v1/txs/a/b", &args));
  EXPECT_FALSE(MatchPath("/v1/subjects/{subject}/history", "/v1/subjects/s/histor", &args));
  EXPECT_FALSE(MatchPath("/v1/txs/batch", "/v1/txs/batch2", &args));
  EXPECT_FALSE(MatchPath("/a", "/", &args));
  EXPECT_TRUE(args.empty());
}

TEST(RoutesTest, TargetsSplitIntoDecodedPathAndQuery) {
  auto t = ParseTarget("/v1/check?subject=a%20b&purpose=x+y&flag&=v&&z=1");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/v1/check");
  EXPECT_EQ(t->query.find("subject")->second, "a b");
  EXPECT_EQ(t->query.find("purpose")->second, "x y");
  EXPECT_EQ(t->query.find("flag")->second, "");
  EXPECT_EQ(t->query.count("z"), 1u);
  EXPECT_EQ(t->query.count(""), 1u);
  EXPECT_EQ(ParseTarget("/a%2Fb")->path, "/a/b");
  EXPECT_EQ(ParseTarget("/p+q")->path, "/p+q");  // '+' is a space only in the query
  EXPECT_FALSE(ParseTarget("v1/status").has_value());
  EXPECT_FALSE(ParseTarget("http://x/v1/status").has_value());
  EXPECT_FALSE(ParseTarget("").has_value());
  EXPECT_FALSE(ParseTarget("/a%4").has_value());
  EXPECT_FALSE(ParseTarget("/a?b=%zz").has_value());
}

// Routes documented in the OpenAPI file: path keys at two spaces under `paths:`, methods at
// four spaces under each path.
std::set<std::string> DocumentedRoutes() {
  std::ifstream in(std::string(consentd::testing::SourceDir()) + "/docs/api/openapi.yaml");
  std::set<std::string> out;
  std::string line, path;
  bool in_paths = false;
  auto indent = [](const std::string& l) { return l.find_first_not_of(' '); };
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty() || line[indent(line)] == '#') continue;
    if (indent(line) == 0) in_paths = line == "paths:";
    if (!in_paths || line.back() != ':') continue;
    const std::string key = line.substr(indent(line), line.size() - indent(line) - 1);
    if (indent(line) == 2 && key.starts_with("/")) path = key;
    if (indent(line) == 4 && !path.empty()) {
      for (const char* m : {"get", "post", "put", "delete", "patch"}) {
        if (key != m) continue;
        std::string method = key;
        for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out.insert(method + " " + path);
      }
    }
  }
  return out;
}

TEST(RoutesTest, RegisteredRoutesEqualTheOpenApiDocument) {
  const auto list = HttpServer::RouteList();
  const std::set<std::string> registered(list.begin(), list.end());
  EXPECT_EQ(registered.size(), list.size()) << "a route is registered twice";
  const std::set<std::string> documented = DocumentedRoutes();
  for (const std::string& r : registered) {
    EXPECT_TRUE(documented.count(r)) << r << " is served but not in docs/api/openapi.yaml";
  }
  for (const std::string& r : documented) {
    EXPECT_TRUE(registered.count(r)) << r << " is documented but not served";
  }
  EXPECT_GE(registered.size(), 23u);
}

}  // namespace
}  // namespace consentd::node::http

namespace consentd::node::http {
namespace {

Response Answer(std::string body, int status = 200) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(AnswerCacheTest, KeysSeparateRouteScopeTargetAndHeight) {
  const QueryParams q1 = {{"subject", "key:aa"}, {"purpose", "x"}};
  const QueryParams q2 = {{"subject", "key:aa"}, {"purpose", "y"}};
  const std::string base = AnswerCache::Key("/v1/check", "insurer:insurer-1", "/v1/check", q1, 7);
  EXPECT_EQ(base, AnswerCache::Key("/v1/check", "insurer:insurer-1", "/v1/check", q1, 7));
  EXPECT_NE(base, AnswerCache::Key("/v1/check", "insurer:insurer-2", "/v1/check", q1, 7));
  EXPECT_NE(base, AnswerCache::Key("/v1/check", "insurer:insurer-1", "/v1/check", q2, 7));
  EXPECT_NE(base, AnswerCache::Key("/v1/check", "insurer:insurer-1", "/v1/check", q1, 8));
  EXPECT_NE(base,
            AnswerCache::Key("/v1/receipts/{tx_id}", "insurer:insurer-1", "/v1/check", q1, 7));
  // Pieces are length-prefixed: moving bytes from one piece to the next changes the key.
  EXPECT_NE(AnswerCache::Key("r", "ab", "c", {}, 1), AnswerCache::Key("r", "a", "bc", {}, 1));
}

TEST(AnswerCacheTest, KeepsWhole200AnswersWithinItsBytes) {
  AnswerCache cache(64 << 10);
  Response got;
  EXPECT_FALSE(cache.Find("a", &got));
  Response a = Answer("{\"allowed\":true}");
  cache.Put("a", &a);
  ASSERT_TRUE(a.shared_body);  // the body now shared with the cache
  EXPECT_EQ(*a.shared_body, "{\"allowed\":true}");
  ASSERT_TRUE(cache.Find("a", &got));
  ASSERT_TRUE(got.shared_body);
  EXPECT_EQ(*got.shared_body, "{\"allowed\":true}");
  EXPECT_EQ(got.status, 200);
  Response e = Answer("{\"error\":{}}", 404);
  cache.Put("e", &e);  // errors are never kept
  EXPECT_FALSE(cache.Find("e", &got));
  struct Empty final : BodyStream {
    Step Next(std::string*, bool) override { return Step::kDone; }
  };
  Response streamed = Answer("");
  streamed.stream = std::make_shared<Empty>();
  cache.Put("s", &streamed);  // nor are streams
  EXPECT_FALSE(cache.Find("s", &got));
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 3u);

  // Far more than fits: the cache stays within its bytes, and the most recent answers stay.
  for (int i = 0; i < 1000; ++i) {
    Response r = Answer(std::string(1000, 'x'));
    cache.Put("k" + std::to_string(i), &r);
  }
  EXPECT_LE(cache.bytes(), 64u << 10);
  EXPECT_TRUE(cache.Find("k999", &got));
  EXPECT_FALSE(cache.Find("k0", &got));
  EXPECT_FALSE(cache.Find("a", &got));

  AnswerCache off(0);
  EXPECT_FALSE(off.enabled());
  Response o = Answer("{}");
  off.Put("a", &o);
  EXPECT_FALSE(off.Find("a", &got));
}

}  // namespace
}  // namespace consentd::node::http
