// consentd_load: a load generator for a running network (issue 9). It pre-generates signed
// transactions (consent grants co-signed by the insurer and the subject's key, sharing records,
// withdrawals) before timing starts, submits them to every node over the HTTP API (single or
// batch, open loop at a rate or closed loop at a concurrency), and measures committed tx/s and
// submit->commit latency, the commit clock being one node's /v1/events stream.
//
// Dependent transactions are made valid by a setup phase that is not measured: the insurers
// publish a notice, and the consents that the measured sharing records and withdrawals refer to
// are granted and committed first. The measured mix is then independent transactions only.
//
//   consentd_load [--nodes URL,...] [--home DIR] [--txs N] [--mode open|closed] [--rate R]
//                 [--concurrency C] [--batch B] [--duration S] [--drain S] [--json FILE]
//
// One result line on stdout (stable format, key=value), progress on stderr.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/load_submit.h"
#include "bench/load_txs.h"
#include "bench/load_watch.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "common/json.h"
#include "crypto/sha256.h"
#include "ledger/tx_body.h"
#include "wallet/key_file.h"

namespace consentd::bench {
namespace {

struct Options {
  std::vector<std::string> nodes = {"http://127.0.0.1:8601", "http://127.0.0.1:8602",
                                    "http://127.0.0.1:8603", "http://127.0.0.1:8604"};
  std::string home = ".localnet";
  bool help = false;  // --help: print the usage and exit 0
  std::uint64_t txs = 20'000;
  bool open = false;
  double rate = 1000;
  int concurrency = 16;
  std::size_t batch = 1;
  double duration_s = 60;
  double drain_s = 30;
  std::string json_file;
};

constexpr const char* kUsage =
    "usage: consentd_load [options]\n"
    "  --nodes URL,URL,...  nodes to submit to, round robin (default the 4 of scripts/up;\n"
    "                       the first one's /v1/events is the commit clock)\n"
    "  --home DIR           network dir with genesis.json, keys/ and tokens.json (default\n"
    "                       .localnet); tx events are read with its auditor token\n"
    "  --txs N              measured transactions to pre-generate (default 20000):\n"
    "                       70% grants, 20% sharing records, 10% withdrawals\n"
    "  --mode open|closed   open: send at --rate; closed: --concurrency requests in flight,\n"
    "                       each waiting for the commit of its txs (default closed)\n"
    "  --rate R             open loop: tx/s (default 1000)\n"
    "  --concurrency C      closed loop: requests in flight; open loop: sender threads (16)\n"
    "  --batch B            B>1: POST /v1/txs/batch with B txs, else POST /v1/txs (default 1)\n"
    "  --duration S         stop submitting after S seconds (default 60)\n"
    "  --drain S            then wait at most S seconds for commits (default 30)\n"
    "  --json FILE          also write the result as JSON\n";

Status ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      o->help = true;
      return Status::Ok();
    }
    if (i + 1 >= argc) return Status::Error(Reason::kUsage, a + " needs a value");
    const std::string v = argv[++i];
    try {
      if (a == "--nodes") {
        o->nodes.clear();
        for (std::size_t s = 0; s <= v.size();) {
          const std::size_t c = std::min(v.find(',', s), v.size());
          if (c > s) o->nodes.push_back(v.substr(s, c - s));
          s = c + 1;
        }
      } else if (a == "--home") {
        o->home = v;
      } else if (a == "--txs") {
        o->txs = std::stoull(v);
      } else if (a == "--mode") {
        if (v != "open" && v != "closed")
          return Status::Error(Reason::kUsage, "--mode open|closed");
        o->open = v == "open";
      } else if (a == "--rate") {
        o->rate = std::stod(v);
      } else if (a == "--concurrency") {
        o->concurrency = std::stoi(v);
      } else if (a == "--batch") {
        o->batch = std::stoull(v);
      } else if (a == "--duration") {
        o->duration_s = std::stod(v);
      } else if (a == "--drain") {
        o->drain_s = std::stod(v);
      } else if (a == "--json") {
        o->json_file = v;
      } else {
        return Status::Error(Reason::kUsage, "unknown option " + a);
      }
    } catch (const std::exception&) {
      return Status::Error(Reason::kUsage, a + ": bad value " + v);
    }
  }
  if (o->nodes.empty() || o->txs == 0 || o->rate <= 0 || o->concurrency < 1 || o->batch < 1 ||
      o->duration_s <= 0) {
    return Status::Error(Reason::kUsage,
                         "--nodes, --txs, --rate, --concurrency, --batch, --duration "
                         "must be positive");
  }
  o->batch = std::min<std::size_t>(o->batch, 1000);  // http.max_batch
  return Status::Ok();
}

struct Network {
  std::string chain_id;
  std::map<std::string, crypto::PrivateKey> keys;  // insurer-a..d
  std::string auditor_token;                       // from tokens.json: reads the tx events
};

const std::vector<std::string> kInsurers = {"insurer-a", "insurer-b", "insurer-c", "insurer-d"};

Result<Network> LoadNetwork(const std::string& home) {
  Network net;
  CONSENTD_ASSIGN_OR_RETURN(std::string genesis_text, ReadFile(home + "/genesis.json"));
  CONSENTD_ASSIGN_OR_RETURN(Json genesis, ParseJson(genesis_text));
  if (!genesis.is_object() || !genesis.contains("chain_id") || !genesis["chain_id"].is_string())
    return Status::Error(Reason::kUsage, home + "/genesis.json has no chain_id");
  net.chain_id = genesis["chain_id"].get<std::string>();
  for (const std::string& m : kInsurers) {
    CONSENTD_ASSIGN_OR_RETURN(std::string text, ReadFile(home + "/keys/" + m + ".json"));
    CONSENTD_ASSIGN_OR_RETURN(auto key, wallet::DecryptKey(text, std::nullopt));
    net.keys.emplace(m, std::move(key));
  }
  CONSENTD_ASSIGN_OR_RETURN(std::string tokens_text, ReadFile(home + "/tokens.json"));
  CONSENTD_ASSIGN_OR_RETURN(Json tokens, ParseJson(tokens_text));
  if (!tokens.is_object() || !tokens.contains("auditor") || !tokens["auditor"].is_object() ||
      !tokens["auditor"].contains("token") || !tokens["auditor"]["token"].is_string()) {
    return Status::Error(Reason::kUsage, home + "/tokens.json has no auditor token");
  }
  net.auditor_token = tokens["auditor"]["token"].get<std::string>();
  return net;
}

// Makes `count` txs on two threads (signing dominates); `make(i, maker)` builds tx i.
using MakeFn = std::function<Result<LoadTx>(std::uint64_t, TxMaker&)>;
Result<std::vector<std::unique_ptr<Tracked>>> MakeAll(const Network& net, std::uint64_t expires,
                                                      std::uint64_t nonce_base, std::uint64_t count,
                                                      const MakeFn& make) {
  std::map<std::string, const crypto::PrivateKey*> keys;
  for (const auto& [m, k] : net.keys) keys.emplace(m, &k);
  std::vector<std::unique_ptr<Tracked>> out(count);
  constexpr int kThreads = 2;
  std::vector<Status> status(kThreads, Status::Ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      TxMaker maker(net.chain_id, keys, expires, nonce_base + t * 100'000'000ULL);
      for (std::uint64_t i = t; i < count; i += kThreads) {
        auto tx = make(i, maker);
        if (!tx.ok()) {
          status[t] = tx.status();
          return;
        }
        out[i] = std::make_unique<Tracked>();
        out[i]->tx = std::move(*tx);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const Status& st : status) CONSENTD_RETURN_IF_ERROR(st);
  return out;
}

// Submits `items` in batches of 500 round robin and waits for all to commit (setup phase).
Status SubmitAndCommit(const std::vector<NodeAddress>& nodes,
                       const std::vector<std::unique_ptr<Tracked>>& items, Tracker* tracker,
                       std::size_t node_count) {
  Results results;
  std::vector<Tracked*> all;
  for (std::size_t at = 0, k = 0; at < items.size(); at += 500, ++k) {
    auto http = Connect(nodes[k % node_count]);
    std::vector<Tracked*> chunk;
    for (std::size_t i = at; i < std::min(items.size(), at + 500); ++i) {
      chunk.push_back(items[i].get());
      all.push_back(items[i].get());
    }
    Submit(*http, chunk, true, NowNs(), &results);
  }
  for (const auto& [code, n] : results.Get()) {
    if (code != "accepted") {
      return Status::Error(Reason::kNodeError,
                           "setup tx rejected: " + code + " x" + std::to_string(n));
    }
  }
  if (!tracker->Wait(all, NowNs() + 120'000'000'000LL))
    return Status::Error(Reason::kCommitTimeout, "setup txs not committed within 120 s");
  return Status::Ok();
}

// The value at quantile q of sorted `v` (ms).
double Quantile(const std::vector<std::int64_t>& v, double q) {
  if (v.empty()) return 0;
  const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return static_cast<double>(v[std::min(i, v.size() - 1)]) / 1e6;
}

int Fail(const Status& st) {
  std::fprintf(stderr, "consentd_load: %s\n", st.ToString().c_str());
  return 1;
}

int RunLoad(const Options& o) {
  auto net = LoadNetwork(o.home);
  if (!net.ok()) return Fail(net.status());
  std::vector<NodeAddress> nodes;
  for (const std::string& u : o.nodes) {
    auto a = ParseNodeUrl(u);
    if (!a.ok()) return Fail(a.status());
    nodes.push_back(*a);
  }
  Tracker tracker;
  CommitWatcher watcher(
      o.nodes[0], net->auditor_token,
      [&](std::string_view id, std::int64_t ns) { tracker.OnTx(id, ns); },
      [&] { tracker.Notify(); });
  watcher.Start();
  auto wait_for = [&](const std::function<bool()>& cond, double seconds) {
    const std::int64_t deadline = NowNs() + static_cast<std::int64_t>(seconds * 1e9);
    while (!cond() && NowNs() < deadline && !watcher.failed()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return cond();
  };
  if (!wait_for([&] { return watcher.last_height() > 0; }, 15)) {
    return Fail(Status::Error(Reason::kNetwork, "no block event from " + o.nodes[0] + " in 15 s"));
  }

  // Setup, not measured: notices, then the consents the sharing records and withdrawals need.
  const std::uint64_t grants = o.txs * 7 / 10, sharings = o.txs * 2 / 10;
  const std::uint64_t withdrawals = o.txs - grants - sharings;
  constexpr std::uint64_t kSharingsPerConsent = 4;
  const std::uint64_t setup =
      withdrawals + (sharings + kSharingsPerConsent - 1) / kSharingsPerConsent;
  const std::uint64_t expires = watcher.last_height() + 50'000;  // within max_tx_lifetime
  const std::int64_t run_ms = UnixMillisNow();
  // A notice id is a random 128-bit id; nonces are 32 bits (ledger::Tx::kMaxNonce): this
  // run's start below 2^30 leaves room for the offsets and threads' ranges above it.
  const std::string run = std::to_string(run_ms);
  const std::string notice = HexEncode(crypto::Sha256("load notice " + run)).substr(0, 32);
  const std::uint64_t nonce = static_cast<std::uint64_t>(run_ms) % (1ULL << 30);
  std::fprintf(stderr, "load: setup: 4 notices, %llu consents\n",
               static_cast<unsigned long long>(setup));
  auto notices = MakeAll(*net, expires, nonce, kInsurers.size(), [&](std::uint64_t i, TxMaker& m) {
    return m.Notice(kInsurers[i], notice);
  });
  if (!notices.ok()) return Fail(notices.status());
  std::vector<crypto::PrivateKey> setup_keys;
  for (std::uint64_t i = 0; i < setup; ++i) {
    auto k = SubjectKey(run, i);
    if (!k.ok()) return Fail(k.status());
    setup_keys.push_back(std::move(*k));
  }
  // Setup consent i: controller insurer-a (even i) or insurer-b, the other one its recipient.
  auto controller = [](std::uint64_t i) { return kInsurers[i % 2]; };
  auto recipient = [](std::uint64_t i) { return kInsurers[1 - i % 2]; };
  auto setup_grants = MakeAll(*net, expires, nonce + 1000, setup, [&](std::uint64_t i, TxMaker& m) {
    return m.Grant(controller(i), setup_keys[i], recipient(i), notice, run_ms);
  });
  if (!setup_grants.ok()) return Fail(setup_grants.status());
  tracker.Add(*notices);
  tracker.Add(*setup_grants);
  if (auto st = SubmitAndCommit(nodes, *notices, &tracker, 1); !st.ok()) return Fail(st);
  if (auto st = SubmitAndCommit(nodes, *setup_grants, &tracker, nodes.size()); !st.ok())
    return Fail(st);
  // Sharing happens after every setup grant's block: wait for a later block to admit it.
  const std::int64_t shared_at = watcher.last_block_time_ms() + 1;
  if (!wait_for([&] { return watcher.last_block_time_ms() > shared_at; }, 15)) {
    return Fail(Status::Error(Reason::kNetwork, "no new block after the setup in 15 s"));
  }

  // The measured transactions, shuffled: grants of fresh subjects to all four insurers,
  // sharing records on setup consents withdrawals + j/4, withdrawals of setup consents j.
  std::fprintf(stderr, "load: generating %llu txs\n", static_cast<unsigned long long>(o.txs));
  auto items = MakeAll(*net, expires, nonce + 500'000'000ULL, o.txs,
                       [&](std::uint64_t i, TxMaker& m) -> Result<LoadTx> {
                         if (i < grants) {
                           CONSENTD_ASSIGN_OR_RETURN(auto key, SubjectKey(run, setup + i));
                           return m.Grant(kInsurers[i % 4], key, "", notice, run_ms);
                         }
                         if (i < grants + sharings) {
                           const std::uint64_t c = withdrawals + (i - grants) / kSharingsPerConsent;
                           return m.Sharing(controller(c), recipient(c), setup_keys[c], shared_at);
                         }
                         const std::uint64_t c = i - grants - sharings;
                         return m.Withdraw((*setup_grants)[c]->tx.id_hex, setup_keys[c]);
                       });
  if (!items.ok()) return Fail(items.status());
  std::shuffle(items->begin(), items->end(), std::mt19937_64(42));
  tracker.Add(*items);

  // Measured run.
  const std::size_t n = items->size();
  const std::size_t chunks = (n + o.batch - 1) / o.batch;
  auto chunk = [&](std::size_t k) {
    std::vector<Tracked*> c;
    for (std::size_t i = k * o.batch; i < std::min(n, (k + 1) * o.batch); ++i)
      c.push_back((*items)[i].get());
    return c;
  };
  Results results;
  std::atomic<std::size_t> next{0};
  std::fprintf(stderr, "load: submitting\n");
  const std::int64_t t0 = NowNs();
  const std::int64_t stop_ns = t0 + static_cast<std::int64_t>(o.duration_s * 1e9);
  const auto drain_ns = static_cast<std::int64_t>(o.drain_s * 1e9);
  std::vector<std::thread> workers;
  for (int w = 0; w < o.concurrency; ++w) {
    workers.emplace_back([&, w] {
      auto http = Connect(nodes[static_cast<std::size_t>(w) % nodes.size()]);
      for (;;) {
        const std::size_t k = next++;
        if (k >= chunks) return;
        std::int64_t at = NowNs();
        if (o.open) {
          // Latency counts from the scheduled send time, so a late sender is not forgiven.
          at = t0 + static_cast<std::int64_t>(static_cast<double>(k * o.batch) / o.rate * 1e9);
          if (at >= stop_ns) return;
          std::this_thread::sleep_for(
              std::chrono::nanoseconds(std::max<std::int64_t>(0, at - NowNs())));
        } else if (at >= stop_ns) {
          return;
        }
        auto c = chunk(k);
        Submit(*http, c, o.batch > 1, at, &results);
        if (!o.open) tracker.Wait(c, NowNs() + drain_ns);  // closed loop: one request in flight
      }
    });
  }
  for (auto& th : workers) th.join();
  const std::int64_t submit_end = NowNs();
  std::vector<Tracked*> sent;
  for (const auto& t : *items) {
    if (t->submit_ns != 0) sent.push_back(t.get());
  }
  tracker.Wait(sent, submit_end + drain_ns);
  watcher.Stop();

  // Report.
  std::vector<std::int64_t> lat;
  std::map<ledger::TxType, std::vector<std::int64_t>> lat_by_kind;
  std::int64_t last_commit = t0;
  std::uint64_t accepted = 0;
  for (const Tracked* t : sent) {
    accepted += t->accepted ? 1 : 0;
    const std::int64_t c = t->commit_ns;
    if (!t->accepted || c == 0) continue;
    lat.push_back(c - t->submit_ns);
    lat_by_kind[t->tx.type].push_back(c - t->submit_ns);
    last_commit = std::max(last_commit, c);
  }
  std::sort(lat.begin(), lat.end());
  const double window_s = static_cast<double>(last_commit - t0) / 1e9;
  const double tps = window_s > 0 ? static_cast<double>(lat.size()) / window_s : 0;
  std::string rejected;
  Json rejected_json = Json::object();
  for (const auto& [code, count] : results.Get()) {
    if (code == "accepted") continue;
    rejected += (rejected.empty() ? "" : ",") + code + ":" + std::to_string(count);
    rejected_json[code] = count;
  }
  char line[512];
  std::snprintf(line, sizeof line,
                "load mode=%s %s=%g batch=%zu nodes=%zu submitted=%zu accepted=%llu "
                "committed=%zu window_s=%.1f tps=%.0f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f "
                "max_ms=%.1f rejected=%s",
                o.open ? "open" : "closed", o.open ? "rate" : "concurrency",
                o.open ? o.rate : o.concurrency, o.batch, nodes.size(), sent.size(),
                static_cast<unsigned long long>(accepted), lat.size(), window_s, tps,
                Quantile(lat, 0.5), Quantile(lat, 0.9), Quantile(lat, 0.99),
                lat.empty() ? 0.0 : static_cast<double>(lat.back()) / 1e6,
                rejected.empty() ? "0" : rejected.c_str());
  std::printf("%s\n", line);
  if (!o.json_file.empty()) {
    Json j{{"mode", o.open ? "open" : "closed"},
           {"rate", o.rate},
           {"concurrency", o.concurrency},
           {"batch", o.batch},
           {"nodes", o.nodes},
           {"txs", o.txs},
           {"duration_s", o.duration_s},
           {"submitted", sent.size()},
           {"accepted", accepted},
           {"committed", lat.size()},
           {"window_s", window_s},
           {"tps", tps},
           {"p50_ms", Quantile(lat, 0.5)},
           {"p90_ms", Quantile(lat, 0.9)},
           {"p99_ms", Quantile(lat, 0.99)},
           {"max_ms", lat.empty() ? 0.0 : static_cast<double>(lat.back()) / 1e6},
           {"rejected", rejected_json},
           {"line", line}};
    for (auto& [kind, v] : lat_by_kind) {
      std::sort(v.begin(), v.end());
      j["by_type"][ledger::ToString(kind)] = {
          {"committed", v.size()}, {"p50_ms", Quantile(v, 0.5)}, {"p99_ms", Quantile(v, 0.99)}};
    }
    if (!WriteFileAtomic(o.json_file, j.dump(2) + "\n").ok()) {
      return Fail(Status::Error(Reason::kFileWrite, "cannot write " + o.json_file));
    }
  }
  return 0;
}
}  // namespace

}  // namespace consentd::bench

int main(int argc, char** argv) {
  consentd::bench::Options o;
  if (auto st = consentd::bench::ParseArgs(argc, argv, &o); !st.ok()) {
    std::fputs(consentd::bench::kUsage, stderr);
    std::fprintf(stderr, "consentd_load: %s\n", st.ToString().c_str());
    return 2;
  }
  if (o.help) {
    std::fputs(consentd::bench::kUsage, stdout);
    return 0;
  }
  return consentd::bench::RunLoad(o);
}
