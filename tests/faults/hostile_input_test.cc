// Garbage on the HTTP and peer ports of a 4-validator network under load (issue 8, "Hostile
// input"). A client commits valid grants with ?wait=commit throughout, while a seeded generator
// sends a few thousand broken HTTP requests (raw TCP: junk bytes, broken request lines and
// headers, huge headers, bad Content-Length, chunked junk, truncated and pipelined requests,
// mutations of a valid tx) and a few hundred broken peer connections (junk instead of the
// WebSocket upgrade, mutated upgrades and Hellos, oversized, fragmented, unmasked and reserved
// frames), plus slow clients that drip bytes or say nothing.
//
// What must hold: every HTTP response is a 4xx, except the cases that are valid requests, which
// get exactly 200 (or, for a mutation that is the same tx again, 202 or 409); no 5xx ever; a
// connection may be closed instead of answered but never left hanging. Every peer connection is
// closed by the node and never gets a node frame. Afterwards every node runs and answers
// /healthz, heights advanced during and after the barrage, every acknowledged load tx is
// committed on every node, open file descriptors return to their baseline, and each node exits
// cleanly on SIGTERM with no sanitizer report.
//
// The seed is printed; CONSENTD_HOSTILE_SEED=<n> replays a run's inputs (thread timing aside).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "cli/client.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/sha256.h"
#include "node/p2p/wire.h"
#include "tests/faults/raw_client.h"
#include "tests/integration/harness.h"

namespace consentd::testing {
namespace {

using ledger::TxType;
using Rng = std::mt19937_64;

constexpr int kHttpThreads = 2;
constexpr int kHttpRequestsPerThread = 1200;  // spread over the four nodes
constexpr int kPeerThreads = 3;
constexpr int kPeerConnectionsPerThread = 60;

std::uint64_t SeedFromEnv() {
  const char* s = std::getenv("CONSENTD_HOSTILE_SEED");
  return s != nullptr ? std::strtoull(s, nullptr, 0) : 0x5eedc0de2026ULL;
}

std::size_t Uniform(Rng& rng, std::size_t lo, std::size_t hi) {  // [lo, hi]
  return lo + static_cast<std::size_t>(rng() % (hi - lo + 1));
}
bool Chance(Rng& rng, int percent) { return static_cast<int>(rng() % 100) < percent; }
template <typename T>
const T& Pick(Rng& rng, const std::vector<T>& v) {
  return v[rng() % v.size()];
}
std::string RandomBytes(Rng& rng, std::size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}
std::string RandomFrom(Rng& rng, std::size_t n, std::string_view alphabet) {
  std::string s(n, '\0');
  for (char& c : s) c = alphabet[rng() % alphabet.size()];
  return s;
}
constexpr std::string_view kPrintable =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:@/?";

// ---------------------------------------------------------------------------------------------
// HTTP cases

// What a case's responses may be. kRefused: every response a 4xx (closing the connection
// without one is allowed too). kOk: exactly one response, 200. kSameTx: a mutation that parses
// to the very same tx: 202 or 409 (or 4xx, if the node refuses the non-canonical form).
enum class Expect { kRefused, kOk, kSameTx };

struct HttpCase {
  std::string kind;
  std::string bytes;
  Expect expect = Expect::kRefused;
};

// Public routes (no token): valid GETs get exactly 200.
const std::vector<std::string> kValidGets = {"/v1/status",        "/healthz",     "/v1/validators",
                                             "/v1/blocks/latest", "/v1/blocks/1", "/v1/blocks/2"};

// A request target that no route accepts as it stands (so any method gets a 4xx).
std::string InvalidTarget(Rng& rng) {
  switch (rng() % 14) {
    case 0:
      return "/v1/txs/" + RandomFrom(rng, Uniform(rng, 1, 80), "0123456789abcdefXYZ-_.");
    case 1:
      return "/v1/blocks/" + RandomFrom(rng, Uniform(rng, 1, 30), "0123456789x-+ ") + "z";
    case 2:
      return "/v1/status?" + RandomFrom(rng, Uniform(rng, 1, 20), "abcxyz") + "=" +
             RandomFrom(rng, Uniform(rng, 0, 20), kPrintable);
    case 3:
      return "/" + RandomFrom(rng, Uniform(rng, 0, 200), kPrintable) + "/zz";
    case 4:
      return "/v2/" + RandomFrom(rng, Uniform(rng, 1, 60), kPrintable);
    case 5:
      return "/v1/txs/%" + RandomFrom(rng, 2, "0123456789abcdefgxyz%") + "%00";
    case 6:
      return "/v1/" + std::string(Uniform(rng, 8200, 40000), 'a');  // over the 8192 line limit
    case 7:
      return "/v1/members?limit=" + Pick<std::string>(rng, {"-1", "0", "1e3", "99999999999", "",
                                                            "ten", "1&limit=2", "%2D1"});
    case 8:
      return Pick<std::string>(rng, {"/v1/incidents", "/v1/audit/log", "/v1/sharing",
                                     "/v1/rights?status=open", "/v1/agreements"});  // no token
    case 9:
      return Pick<std::string>(rng, {"*", "http://evil.example/x", "v1/status", "", "//",
                                     "/v1/status?=1", "/../../etc/passwd"});
    case 10:
      return "/v1/" + RandomBytes(rng, Uniform(rng, 1, 40));  // raw bytes, spaces, CR, LF, NUL
    case 11:
      return "/v1/subjects/" + RandomFrom(rng, Uniform(rng, 1, 70), "key:ref0123456789abcdef") +
             "x/consents";
    case 12:
      return "/v1/events?types=zz" + RandomFrom(rng, Uniform(rng, 0, 10), "abc,.");
    default:
      return "/v1/consents/" + std::string(64, 'a') + "?at=" + RandomFrom(rng, 5, "xyz-");
  }
}

std::string Method(Rng& rng) {
  // No HEAD: its answers carry a Content-Length without a body, which the raw reader would
  // take for a truncated response.
  static const std::vector<std::string> methods = {
      "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
      "PRI", "get",  "G T", "",       "GETT",  "POST\t",  "\x01",  "GET\x80"};
  if (Chance(rng, 10)) return RandomFrom(rng, Uniform(rng, 1, 12), "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  return Pick(rng, methods);
}

std::string Version(Rng& rng) {
  return Pick<std::string>(rng, {"HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/9.9",
                                 "http/1.1", "HTTP/1.1 extra", "", "HTTP/1.", "HTTP/1.1\x7f"});
}

// Headers that a valid request may carry without changing its meaning.
std::string HarmlessHeaders(Rng& rng) {
  std::string h = "Host: 127.0.0.1\r\n";
  const std::size_t n = Uniform(rng, 0, 12);
  for (std::size_t i = 0; i < n; ++i) {
    switch (rng() % 5) {
      case 0:
        h += "X-" + RandomFrom(rng, Uniform(rng, 1, 20), "abcdefghij-") + ": " +
             RandomFrom(rng, Uniform(rng, 0, 300), "abcdefghijklmnop 0123456789;=,") + "\r\n";
        break;
      case 1:
        h += "Accept: " + Pick<std::string>(rng, {"*/*", "application/json", "text/html"}) + "\r\n";
        break;
      case 2:
        h += "User-Agent: " + RandomFrom(rng, Uniform(rng, 1, 100), kPrintable) + "\r\n";
        break;
      case 3:
        h += std::string("Connection: ") + (Chance(rng, 50) ? "close" : "keep-alive") + "\r\n";
        break;
      default:
        h += "Cookie: a=" + RandomFrom(rng, Uniform(rng, 0, 500), "abcdef0123456789") + "\r\n";
        break;
    }
  }
  return h;
}

// Headers that are broken, abusive or ask for things the API does not do.
std::string HostileHeaders(Rng& rng) {
  std::string h;
  const std::size_t n = Uniform(rng, 1, 6);
  for (std::size_t i = 0; i < n; ++i) {
    switch (rng() % 14) {
      case 0:
        h += "X-Big: " + std::string(Uniform(rng, 8200, 70000), 'b') + "\r\n";  // over a line
        break;
      case 1:
        for (std::size_t k = Uniform(rng, 100, 2000); k > 0; --k) h += "X-Many: 1\r\n";
        break;
      case 2:
        h += RandomFrom(rng, Uniform(rng, 1, 40), kPrintable) + "\r\n";  // no colon
        break;
      case 3:
        h += ": empty-name\r\n";
        break;
      case 4:
        h += "X-Fold: a\r\n  folded continuation\r\n";
        break;
      case 5:
        h += "X-Nul: a" + std::string(1, '\0') + "b\r\n";
        break;
      case 6:
        h += "X-Bare-CR: a\rb\r\n";
        break;
      case 7:
        h += "Authorization: " +
             Pick<std::string>(
                 rng, {"Basic abc", "Bearer", "Bearer ", "bearer x",
                       "Bearer " + std::string(600, 't'), "Bearer " + std::string(48, 'f'),
                       // Customer signatures (docs/API.md, "Customers: signed requests"): bad
                       // shapes, a key that is no curve point, garbage, an out-of-range ts.
                       "BIP340", "BIP340 ", "BIP340 key=,ts=,sig=",
                       "BIP340 key=" + std::string(64, 'f') + ",ts=1,sig=" + std::string(128, '0'),
                       "BIP340 key=" + std::string(64, '1') +
                           ",ts=99999999999999999,sig=" + std::string(128, 'a'),
                       "BIP340 key=" + RandomFrom(rng, 64, "0123456789abcdef") +
                           ",ts=" + RandomFrom(rng, Uniform(rng, 1, 20), "0123456789") +
                           ",sig=" + RandomFrom(rng, 128, "0123456789abcdef"),
                       "BIP340 " + RandomBytes(rng, Uniform(rng, 0, 300))}) +
             "\r\n";
        break;
      case 8:
        h += "Range: bytes=" + RandomFrom(rng, Uniform(rng, 1, 30), "0123456789-,=") + "\r\n";
        break;
      case 9:
        h += "Expect: " + Pick<std::string>(rng, {"100-continue", "200-ok", "x"}) + "\r\n";
        break;
      case 10:
        h += "Content-Type: multipart/form-data; boundary=" +
             RandomFrom(rng, Uniform(rng, 0, 80), kPrintable) + "\r\n";
        break;
      case 11:
        h += "Accept-Encoding: " + Pick<std::string>(rng, {"gzip", "br", "deflate", "*;q=x"}) +
             "\r\n";
        break;
      case 12:
        h += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
        break;
      default:
        h += RandomBytes(rng, Uniform(rng, 1, 64)) + "\r\n";
        break;
    }
  }
  return h;
}

// A body that is never a valid transaction.
std::string JunkBody(Rng& rng) {
  switch (rng() % 5) {
    case 0:
      return RandomBytes(rng, Uniform(rng, 0, 2000));
    case 1:
      return "{\"type\":\"consent.grant\",\"x\":" + RandomFrom(rng, Uniform(rng, 0, 50), "[{1,\"");
    case 2:
      return std::string(Uniform(rng, 1, 300), '[');
    case 3:
      return "{\"txs\":[" + RandomFrom(rng, Uniform(rng, 0, 100), "{}[],1\"") + "]}";
    default:
      return "null";
  }
}

// A mutation of `tx` (JSON text): bytes flipped, inserted, deleted, swapped, fields added...
std::string Mutate(Rng& rng, std::string tx) {
  const std::size_t edits = Uniform(rng, 1, 4);
  for (std::size_t e = 0; e < edits && !tx.empty(); ++e) {
    const std::size_t at = rng() % tx.size();
    switch (rng() % 10) {
      case 0:
        tx[at] = static_cast<char>(rng());
        break;
      case 1:
        tx[at] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 2:
        tx.insert(at, 1, Pick<char>(rng, {' ', '"', '{', '}', '[', ',', ':', '\\', '0', '\n'}));
        break;
      case 3:
        tx.erase(at, Uniform(rng, 1, 8));
        break;
      case 4:
        tx.resize(at);  // truncated
        break;
      case 5:
        tx.insert(1, "\"extra\":1,");  // an unknown field
        break;
      case 6: {  // a number made huge, negative or fractional
        const std::size_t d = tx.find_first_of("0123456789", at);
        if (d != std::string::npos) {
          tx.insert(d, Pick<std::string>(rng, {"99999999999999999999", "-", "0.5e", "1."}));
        }
        break;
      }
      case 7:  // a duplicated key
        tx.insert(1, "\"nonce\":1,");
        break;
      case 8: {  // hex upper-cased somewhere
        for (std::size_t i = at; i < tx.size() && i < at + 20; ++i) {
          tx[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(tx[i])));
        }
        break;
      }
      default:
        tx.insert(at, std::string(Uniform(rng, 1, 40), ' '));  // whitespace: same meaning
        break;
    }
  }
  return tx;
}

std::string Post(const std::string& target, const std::string& headers, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

HttpCase MakeHttpCase(Rng& rng, const std::string& valid_tx) {
  HttpCase c;
  const int kind = static_cast<int>(rng() % 100);
  if (kind < 8) {
    c.kind = "binary junk";
    c.bytes = RandomBytes(rng, Uniform(rng, 1, 4096));
  } else if (kind < 28) {
    c.kind = "bad request line";
    c.bytes = Method(rng) + " " + InvalidTarget(rng) + " " + Version(rng) + "\r\n" +
              (Chance(rng, 50) ? HarmlessHeaders(rng) : HostileHeaders(rng)) + "\r\n";
    if (Chance(rng, 30)) c.bytes += JunkBody(rng);
  } else if (kind < 40) {
    c.kind = "hostile headers";
    c.bytes =
        "GET " + InvalidTarget(rng) + " HTTP/1.1\r\nHost: x\r\n" + HostileHeaders(rng) + "\r\n";
  } else if (kind < 50) {
    c.kind = "valid get";
    c.expect = Expect::kOk;
    c.bytes = "GET " + Pick(rng, kValidGets) + " HTTP/1.1\r\n" + HarmlessHeaders(rng) + "\r\n";
  } else if (kind < 62) {
    c.kind = "bad content-length";
    const std::string body = JunkBody(rng);
    std::string cl;
    switch (rng() % 8) {
      case 0:
        cl = Pick<std::string>(rng, {"abc", "-1", "1e3", " 12", "0x10", "12, 12", "+5", ""});
        break;
      case 1:
        cl = std::to_string(body.size() + Uniform(rng, 1, 5000));  // truncated body
        break;
      case 2:
        cl = std::to_string(Uniform(rng, 5u << 20, 1u << 30));  // over http.max_body_bytes
        break;
      case 3:
        cl = "99999999999999999999999999";
        break;
      case 4:
        cl = std::to_string(body.size() / 2);  // the rest is a second, broken request
        break;
      case 5:
        cl = std::to_string(body.size()) + "\r\nContent-Length: " + std::to_string(body.size() + 1);
        break;
      case 6:
        cl = "0";
        break;
      default:
        cl = std::to_string(body.size()) + "\r\nTransfer-Encoding: chunked";
        break;
    }
    c.bytes = "POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Length: " + cl + "\r\n\r\n" + body;
  } else if (kind < 67) {
    c.kind = "chunked junk";
    std::string body;
    for (std::size_t i = Uniform(rng, 0, 4); i > 0; --i) {
      const std::string chunk = RandomFrom(rng, Uniform(rng, 0, 40), "[]{}\"x1");
      body += Pick<std::string>(rng, {"zz", "ffffffffffffffffff", "-1", "1;ext=\x01",
                                      std::to_string(chunk.size() + 3)}) +
              "\r\n" + chunk + "\r\n";
    }
    if (Chance(rng, 50)) body += "0\r\n\r\n";
    c.bytes = "POST /v1/txs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
  } else if (kind < 75) {
    c.kind = "truncated";
    const std::string full =
        "GET " + Pick(rng, kValidGets) + " HTTP/1.1\r\n" + HarmlessHeaders(rng) + "\r\n";
    // Cut before the blank line that ends the head: the request never completes.
    c.bytes = full.substr(0, Uniform(rng, 0, full.size() - 4));
  } else if (kind < 92) {
    c.kind = "mutated tx";
    std::string body = Mutate(rng, valid_tx);
    auto parsed = ParseJson(body);
    if (parsed.ok() && CanonicalJson(*parsed) == valid_tx) c.expect = Expect::kSameTx;
    c.bytes = Post(Chance(rng, 20) ? "/v1/txs/batch" : "/v1/txs", "", body);
    if (c.expect == Expect::kSameTx && c.bytes.find("/batch") != std::string::npos) {
      c.expect = Expect::kRefused;  // a bare tx is not a batch document: 400 bad_request
    }
  } else {
    c.kind = "pipelined";
    for (std::size_t i = Uniform(rng, 2, 5); i > 0; --i) {
      c.bytes += Chance(rng, 50) ? "GET " + InvalidTarget(rng) + " HTTP/1.1\r\nHost: x\r\n\r\n"
                                 : Post("/v1/txs", "", JunkBody(rng));
    }
  }
  return c;
}

struct Tally {
  std::mutex mu;
  std::map<std::string, int> cases;   // kind -> count
  std::map<int, int> statuses;        // status -> count (0: closed without an answer)
  std::vector<std::string> failures;  // first few, with the case
  int failure_count = 0;
  void Fail(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    ++failure_count;
    if (failures.size() < 10) failures.push_back(what);
  }
};

std::string Printable(std::string_view s, std::size_t max = 200) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && out.size() < max; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out + (s.size() > max ? "...(" + std::to_string(s.size()) + " bytes)" : "");
}

// Sends one case and checks every answer. `drip`: the bytes go out in small pieces with pauses
// (a slow client; the pauses are the behaviour under test, bounded to about 2 s).
void RunHttpCase(int port, const HttpCase& c, Tally& tally, Rng* drip = nullptr) {
  RawSocket s;
  if (!s.Connect(port)) {
    tally.Fail(c.kind + ": connect refused on " + std::to_string(port));
    return;
  }
  if (drip != nullptr) {
    const std::int64_t stop = MonoMs() + 2000;
    std::size_t pos = 0;
    while (pos < c.bytes.size() && MonoMs() < stop) {
      const std::size_t n = Uniform(*drip, 1, 16);
      if (!s.Send(std::string_view(c.bytes).substr(pos, n))) break;
      pos += n;
      std::this_thread::sleep_for(std::chrono::milliseconds(Uniform(*drip, 5, 60)));
    }
    if (pos < c.bytes.size()) s.Send(std::string_view(c.bytes).substr(pos));  // the rest
  } else {
    s.Send(c.bytes);  // the node may close before reading it all: that is an answer too
  }
  // cpp-httplib drops a request whose client has already half-closed, so wait for an answer
  // first: a valid request's answer must come; garbage is answered at once, or (when it is an
  // incomplete request) not before our EOF. Then end our side: the node must close.
  std::string got;
  const std::int64_t answer_wait_ms = c.expect == Expect::kOk ? 10'000 : 120;
  if (s.ReadUntil(got, MonoMs() + answer_wait_ms, 8 << 20, HasHttpResponse) ==
      RawSocket::End::kOpen) {
    s.ShutdownWrite();
    // The node has our EOF: it closes at once (15 s covers an ASan node's worst).
    if (s.ReadUntil(got, MonoMs() + 15'000, 8 << 20) != RawSocket::End::kClosed) {
      tally.Fail(c.kind +
                 ": connection left open 15 s after the request ended: " + Printable(c.bytes));
      return;
    }
  }
  const HttpResponses r = ParseHttpResponses(got);
  {
    std::lock_guard<std::mutex> lock(tally.mu);
    ++tally.cases[c.kind];
    if (r.statuses.empty()) ++tally.statuses[0];
    for (int st : r.statuses) ++tally.statuses[st];
  }
  if (!r.complete) {
    tally.Fail(c.kind + ": a garbled or partial response: " + Printable(got) +
               " to: " + Printable(c.bytes));
  }
  for (std::size_t i = 0; i < r.statuses.size(); ++i) {
    const int st = r.statuses[i];
    bool ok = st >= 400 && st < 500;
    if (c.expect == Expect::kSameTx) ok = ok || st == 202 || st == 409;
    if (c.expect == Expect::kOk) ok = st == 200 && r.statuses.size() == 1;
    if (!ok) {
      tally.Fail(c.kind + ": status " + std::to_string(st) + " " + Printable(r.bodies[i]) +
                 " to: " + Printable(c.bytes));
    }
  }
  if (c.expect == Expect::kOk && r.statuses.empty()) {
    tally.Fail(c.kind + ": a valid request got no answer: " + Printable(c.bytes));
  }
}

// ---------------------------------------------------------------------------------------------
// Peer-port cases

// One broken peer connection: the node must close it, and send no node frame on it.
void RunPeerCase(int port, const std::string& chain_id, Rng& rng, Tally& tally) {
  RawPeer peer;
  std::string kind;
  const int k = static_cast<int>(rng() % 100);
  RawSocket* raw = nullptr;
  RawSocket plain;
  if (k < 12) {
    kind = "p2p junk instead of an upgrade";
    if (!plain.Connect(port)) return tally.Fail(kind + ": connect refused");
    plain.Send(Chance(rng, 50) ? RandomBytes(rng, Uniform(rng, 1, 3000))
                               : "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    raw = &plain;
  } else if (k < 22) {
    kind = "p2p mutated upgrade";
    if (!plain.Connect(port)) return tally.Fail(kind + ": connect refused");
    std::string up = WsUpgradeRequest(port);
    for (std::size_t e = Uniform(rng, 1, 3); e > 0; --e) {
      up[rng() % (up.size() - 4)] = static_cast<char>(rng());
    }
    plain.Send(up);
    plain.Send(WsFrame(kWsBinary, RandomBytes(rng, Uniform(rng, 1, 100))));
    raw = &plain;
  } else {
    if (!peer.Open(port)) return tally.Fail("p2p: upgrade failed on " + std::to_string(port));
    node::p2p::Hello hello;
    hello.chain_id = Chance(rng, 80) ? chain_id : RandomFrom(rng, Uniform(rng, 1, 20), "abc-");
    for (auto& b : hello.key) b = static_cast<std::uint8_t>(rng());
    for (auto& b : hello.nonce) b = static_cast<std::uint8_t>(rng());
    const std::string hello_bytes = node::p2p::EncodeHello(hello);
    switch (k % 12) {
      case 0:
        kind = "p2p random frame";
        peer.SendBinary(RandomBytes(rng, Uniform(rng, 0, 250)));
        break;
      case 1: {
        kind = "p2p mutated hello";
        std::string m = hello_bytes;
        if (Chance(rng, 50)) {
          m[rng() % m.size()] = static_cast<char>(rng());
        } else {
          m.resize(rng() % m.size());
        }
        peer.SendBinary(m);
        break;
      }
      case 2:
        kind = "p2p unknown key and a junk auth";
        peer.SendBinary(hello_bytes);
        peer.SendBinary(std::string(1, '\x01') + RandomBytes(rng, 64));
        break;
      case 3:
        kind = "p2p oversized frame";
        peer.socket().Send(WsFrame(
            kWsBinary, RandomBytes(rng, 64),
            {.claimed_length =
                 Pick<std::uint64_t>(rng, {257, 70000, (16u << 20) + 1, std::uint64_t{1} << 62})}));
        break;
      case 4:
        kind = "p2p text frame";
        peer.socket().Send(WsFrame(kWsText, hello_bytes));
        break;
      case 5:
        kind = "p2p unmasked frame";
        peer.socket().Send(
            WsFrame(kWsBinary, hello_bytes,
                    {.fin = true, .mask = false, .rsv = 0, .claimed_length = std::nullopt}));
        break;
      case 6:
        kind = "p2p reserved bits";
        peer.socket().Send(WsFrame(kWsBinary, hello_bytes,
                                   {.fin = true,
                                    .mask = true,
                                    .rsv = static_cast<std::uint8_t>(Uniform(rng, 1, 7)),
                                    .claimed_length = std::nullopt}));
        break;
      case 7:
        kind = "p2p reserved opcode";
        peer.socket().Send(
            WsFrame(Pick<std::uint8_t>(rng, {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}), hello_bytes));
        break;
      case 8:
        kind = "p2p oversized control frame";
        peer.socket().Send(WsFrame(kWsPing, RandomBytes(rng, Uniform(rng, 126, 300))));
        break;
      case 9:
        kind = "p2p continuation without a start";
        peer.socket().Send(WsFrame(0, hello_bytes));
        break;
      case 10:
        kind = "p2p node frame before the handshake";
        peer.SendBinary(std::string(1, static_cast<char>(Uniform(rng, 16, 255))) +
                        RandomBytes(rng, Uniform(rng, 0, 200)));
        break;
      default:
        kind = "p2p junk after the upgrade";
        peer.socket().Send(RandomBytes(rng, Uniform(rng, 1, 500)));
        break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(tally.mu);
    ++tally.cases[kind];
  }
  // The handshake timeout (5 s) closes whatever the checks did not: allow it and a margin.
  constexpr std::int64_t kCloseWithinMs = 9'000;
  if (raw != nullptr) {
    std::string got;
    if (raw->ReadUntil(got, MonoMs() + kCloseWithinMs, 1 << 20) != RawSocket::End::kClosed) {
      return tally.Fail(kind + ": not closed by the node");
    }
    const HttpResponses r = ParseHttpResponses(got);
    for (int st : r.statuses) {
      // A mutated upgrade may still be a valid one: then the node waits for a Hello and the
      // handshake timeout closes it, which the read above has seen.
      if (st != 101 && (st < 400 || st >= 500)) {
        tally.Fail(kind + ": status " + std::to_string(st));
      }
    }
    return;
  }
  if (!peer.WaitClosed(kCloseWithinMs)) return tally.Fail(kind + ": not closed by the node");
  if (peer.GotNodeFrame()) tally.Fail(kind + ": the node sent a node frame to a stranger");
}

// ---------------------------------------------------------------------------------------------

int OpenFds(pid_t pid) {
  std::error_code ec;
  int n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return ec ? -1 : n;
}

double MetricSum(const std::string& text, const std::string& prefix) {
  double sum = 0;
  for (std::size_t pos = text.find(prefix); pos != std::string::npos;
       pos = text.find(prefix, pos + 1)) {
    if (pos > 0 && text[pos - 1] != '\n') continue;
    const std::size_t sp = text.find(' ', pos);
    const std::size_t nl = text.find('\n', pos);
    if (sp != std::string::npos && sp < nl) sum += std::atof(text.c_str() + sp + 1);
  }
  return sum;
}

TEST(HostileInputTest, GarbageOnEveryPortUnderLoadIsRefusedAndTheNetworkKeepsCommitting) {
  const std::uint64_t seed = SeedFromEnv();
  std::printf("hostile input seed: %llu (CONSENTD_HOSTILE_SEED=%llu replays it)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::fflush(stdout);  // before LocalNet forks: a child would flush our buffer again
  SCOPED_TRACE("seed " + std::to_string(seed) + " (CONSENTD_HOSTILE_SEED replays it)");

  LocalNet net(4);
  net.StartAll();
  ASSERT_TRUE(net.WaitAllHeight(2, 120'000)) << net.Log(0);
  ASSERT_EQ(
      net.Post(0, "/v1/txs?wait=commit&timeout_ms=30000",
               net.SignedTx(TxType::kNoticePublish, net.NoticeBody("insurer-1"), {"insurer-1"}))
          ->status,
      200);
  std::vector<int> http_ports, peer_ports;
  std::vector<int> baseline_fds;
  for (int i = 0; i < net.size(); ++i) {
    http_ports.push_back(std::atoi(net.url(i).substr(net.url(i).rfind(':') + 1).c_str()));
    peer_ports.push_back(PeerPortOf(net.home(i)));
    ASSERT_GT(peer_ports.back(), 0);
    baseline_fds.push_back(OpenFds(net.pid(i)));
    ASSERT_GT(baseline_fds.back(), 0);
  }
  // The mutations' original: a valid grant, signed before the threads start (LocalNet is not
  // thread-safe; only the load thread uses it from here on).
  const std::string valid_tx = net.SignedTx(
      TxType::kConsentGrant, net.GrantBody("insurer-1", "mutant"), {"insurer-1", "mutant"});

  // The load: grants with ?wait=commit, round-robin over the nodes, until the barrage ends.
  std::atomic<bool> stop{false};
  std::vector<std::string> acknowledged;
  std::vector<std::string> load_errors;
  std::thread load([&] {
    for (int n = 0; !stop && n < 100000; ++n) {
      const std::string who = "load-" + std::to_string(n);
      const std::string tx =
          net.SignedTx(TxType::kConsentGrant, net.GrantBody("insurer-1", who), {"insurer-1", who});
      auto r = net.Post(n % net.size(), "/v1/txs?wait=commit&timeout_ms=30000", tx);
      if (r && r->status == 200) {
        acknowledged.push_back(r->body.value("tx_id", ""));
      } else if (load_errors.size() < 10) {
        load_errors.push_back(r ? std::to_string(r->status) + " " + r->raw.substr(0, 200)
                                : std::string("no answer"));
      }
    }
  });

  std::vector<std::uint64_t> h_start;
  for (int i = 0; i < net.size(); ++i) h_start.push_back(net.Height(i));
  const std::int64_t started_ms = MonoMs();

  Tally http_tally, peer_tally;
  // Slow clients: drips that end, one that stops mid-request (the node's read timeout answers
  // it) and one that never says anything (the 30 s keep-alive timeout closes it).
  std::thread slow([&] {
    Rng rng(seed ^ 0x51041);
    RawSocket stalled, silent;
    const bool stalled_ok = stalled.Connect(http_ports[1]) &&
                            stalled.Send("POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Le");
    const bool silent_ok = silent.Connect(http_ports[2]);
    for (int i = 0; i < 12; ++i) {
      HttpCase c = MakeHttpCase(rng, valid_tx);
      c.kind = "slow " + c.kind;
      RunHttpCase(http_ports[i % 4], c, http_tally, &rng);
    }
    std::string got;
    // http.read_timeout_ms is 10 s: by then the node answers the stalled request (400) or
    // closes the connection; a margin of 10 s.
    const bool stalled_answered =
        stalled_ok && (stalled.ReadUntil(got, MonoMs() + 20'000, 1 << 20, HasHttpResponse) ==
                           RawSocket::End::kClosed ||
                       HasHttpResponse(got));
    if (!stalled_answered) {
      http_tally.Fail("a request stalled mid-header was neither answered nor closed in 20 s");
    } else if (!ParseHttpResponses(got).statuses.empty() &&
               ParseHttpResponses(got).statuses[0] / 100 != 4) {
      http_tally.Fail("a stalled request got " + Printable(got));
    }
    got.clear();
    if (!silent_ok || silent.ReadUntil(got, MonoMs() + 40'000) != RawSocket::End::kClosed ||
        !got.empty()) {
      http_tally.Fail("a silent connection was not closed (without an answer) within 40 s");
    }
    // A peer connection that never sends its Hello: the handshake timeout closes it.
    RawPeer mute;
    if (!mute.Open(peer_ports[3]) || !mute.WaitClosed(15'000) || mute.GotNodeFrame()) {
      peer_tally.Fail("a mute peer connection was not closed within 15 s");
    }
  });
  std::vector<std::thread> peers;
  for (int t = 0; t < kPeerThreads; ++t) {
    peers.emplace_back([&, t] {
      Rng rng(seed + 1000 + t);
      for (int i = 0; i < kPeerConnectionsPerThread; ++i) {
        RunPeerCase(peer_ports[(i + t) % 4], net.chain_id(), rng, peer_tally);
      }
    });
  }
  std::vector<std::thread> http;
  std::atomic<int> http_sent{0};
  for (int t = 0; t < kHttpThreads; ++t) {
    http.emplace_back([&, t] {
      Rng rng(seed + t);
      for (int i = 0; i < kHttpRequestsPerThread; ++i) {
        RunHttpCase(http_ports[(i + t) % 4], MakeHttpCase(rng, valid_tx), http_tally);
        ++http_sent;
      }
    });
  }
  // Heights halfway through the barrage.
  std::vector<std::uint64_t> h_mid;
  for (const std::int64_t end = MonoMs() + 600'000;
       http_sent < kHttpThreads * kHttpRequestsPerThread / 2 && MonoMs() < end;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  for (int n = 0; n < net.size(); ++n) h_mid.push_back(net.Height(n));
  for (auto& t : http) t.join();
  for (auto& t : peers) t.join();
  slow.join();
  std::vector<std::uint64_t> h_end;
  for (int i = 0; i < net.size(); ++i) h_end.push_back(net.Height(i));
  stop = true;
  load.join();
  const std::int64_t barrage_ms = MonoMs() - started_ms;

  // The report: what was sent and what came back.
  std::printf("barrage: %lld ms, %d load txs acknowledged\n", static_cast<long long>(barrage_ms),
              static_cast<int>(acknowledged.size()));
  for (auto& [kind, n] : http_tally.cases) std::printf("  http %-28s %5d\n", kind.c_str(), n);
  for (auto& [st, n] : http_tally.statuses) std::printf("  http status %3d %5d\n", st, n);
  for (auto& [kind, n] : peer_tally.cases) std::printf("  %-40s %5d\n", kind.c_str(), n);

  EXPECT_EQ(http_tally.failure_count, 0);
  for (const std::string& f : http_tally.failures) ADD_FAILURE() << f;
  EXPECT_EQ(peer_tally.failure_count, 0);
  for (const std::string& f : peer_tally.failures) ADD_FAILURE() << f;
  for (auto& [st, n] : http_tally.statuses) EXPECT_LT(st, 500) << n << " answers of " << st;
  EXPECT_GE(http_tally.statuses[200], 100);  // the valid requests were served meanwhile
  EXPECT_TRUE(load_errors.empty()) << load_errors.front();
  EXPECT_GE(acknowledged.size(), 10u);

  // Every node is alive, answers, and kept committing during the barrage and after it.
  for (int i = 0; i < net.size(); ++i) {
    ASSERT_TRUE(net.Running(i)) << "node " << i << " died: " << net.Log(i).substr(0, 4000);
    auto health = net.Get(i, "/healthz");
    ASSERT_TRUE(health.has_value()) << "node " << i;
    EXPECT_EQ(health->status, 200) << "node " << i;
    EXPECT_GT(h_mid[i], h_start[i]) << "node " << i << " stalled in the first half";
    EXPECT_GT(h_end[i], h_mid[i]) << "node " << i << " stalled in the second half";
  }
  const std::uint64_t top = *std::max_element(h_end.begin(), h_end.end());
  ASSERT_TRUE(net.WaitAllHeight(top + 3, 60'000));
  // Every acknowledged tx is committed on every node.
  for (int i = 0; i < net.size(); ++i) {
    int missing = 0;
    for (const std::string& id : acknowledged) {
      auto r = net.Get(i, "/v1/txs/" + id);
      if (!r || r->status != 200 || r->body.value("status", "") != "committed") ++missing;
    }
    EXPECT_EQ(missing, 0) << "node " << i;
  }
  // Peers reconnected (every node sees the other three), and the peer garbage was refused.
  double refused = 0;
  for (int i = 0; i < net.size(); ++i) {
    double peers_now = 0;
    for (const std::int64_t end = MonoMs() + 30'000; MonoMs() < end;) {
      auto m = net.Get(i, "/metrics");
      if (m && m->status == 200) {
        peers_now = MetricSum(m->raw, "consentd_peers ");
        if (peers_now == 3) {
          refused += MetricSum(m->raw, "consentd_p2p_refused_total{");
          break;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval
    }
    EXPECT_EQ(peers_now, 3) << "node " << i;
  }
  EXPECT_GE(refused, kPeerThreads * kPeerConnectionsPerThread / 2);

  // No descriptor leaked: each node's count returns near its baseline (a few for LevelDB files
  // and peer connections that came and went).
  for (int i = 0; i < net.size(); ++i) {
    int fds = OpenFds(net.pid(i));
    for (const std::int64_t end = MonoMs() + 45'000; fds > baseline_fds[i] + 8 && MonoMs() < end;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // poll interval
      fds = OpenFds(net.pid(i));
    }
    std::printf("  node %d fds: baseline %d, after %d\n", i, baseline_fds[i], fds);
    EXPECT_LE(fds, baseline_fds[i] + 8) << "node " << i;
  }

  // A clean stop: exit status 0 and no sanitizer report (LeakSanitizer runs at exit).
  for (int i = 0; i < net.size(); ++i) {
    const int status = net.Stop(i);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "node " << i << " status " << status;
    auto out = ReadFile(net.home(i) + "/stdout.log", 1 << 26);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->find("Sanitizer"), std::string::npos) << out->substr(0, 8000);
    EXPECT_EQ(out->find("runtime error"), std::string::npos) << out->substr(0, 8000);
  }
}

}  // namespace
}  // namespace consentd::testing
