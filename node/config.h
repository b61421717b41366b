#pragma once

// consentd's configuration: DIR/config.json, every field optional with the defaults below
// (docs/CONFIG.md documents each). Unknown fields and bad values stop start-up with a message
// naming the field ("config_invalid").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/schnorr.h"
#include "ledger/genesis.h"
#include "node/api_tokens.h"
#include "node/env.h"

namespace consentd::node {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

// "host:port" with a non-zero port. Errors: "config_invalid".
Result<HostPort> ParseHostPort(std::string_view text, std::string_view field);

struct Config {
  std::string home;  // the --home directory; relative paths below are resolved against it

  std::string genesis_file = "genesis.json";
  std::string node_key_file = "node_key.json";
  std::string key_passphrase_env;  // env var holding the node key's passphrase (encrypted keys)
  std::string data_dir = "data";

  struct P2p {
    HostPort listen{"127.0.0.1", 26656};
    std::vector<HostPort> peers;
    std::vector<crypto::PublicKeyBytes> observers;  // non-validator keys allowed to connect
    std::uint64_t max_frame_bytes = 16 << 20;
    std::uint64_t max_queue_bytes = 64 << 20;
  } p2p;

  struct Http {
    HostPort listen{"127.0.0.1", 8080};
    // Threads that serve every connection (asynchronous I/O, light handlers), and threads for
    // long handlers (compliance reports, batches).
    std::uint32_t threads = 2;
    std::uint32_t work_threads = 2;
    std::uint64_t max_body_bytes = 4 << 20;
    std::uint32_t max_header_bytes = 16 << 10;  // request line and header block together
    std::uint32_t max_header_fields = 100;
    std::uint32_t max_batch = 1000;
    std::uint32_t rate_limit_per_s = 2000;  // per client address (token bucket)
    std::uint32_t rate_limit_burst = 4000;
    // A request's line and headers must arrive within read_timeout_ms of its first byte; its
    // body at min_body_bytes_per_s or faster after the same grace.
    std::uint32_t read_timeout_ms = 10'000;
    std::uint32_t min_body_bytes_per_s = 16 << 10;
    std::uint32_t idle_timeout_ms = 5'000;    // keep-alive: the wait for a next request
    std::uint32_t write_timeout_ms = 10'000;  // each write (each piece of a stream)
    std::uint32_t max_connections = 1000;
    std::uint32_t max_connections_per_address = 256;
    // Stream slots (events, exports, backups, reports) by class of caller.
    std::uint32_t max_streams_anonymous = 8;
    std::uint32_t max_streams_member = 16;
    std::uint32_t max_streams_oversight = 8;  // auditors and regulators
    std::uint32_t max_wait_ms = 60'000;       // ?wait=commit&timeout_ms upper bound
    // Whole answers of GET /v1/check and GET /v1/receipts/{tx_id} kept for repeated questions
    // at the same head height (node/http/answer_cache.h); 0 turns the cache off.
    std::uint64_t answer_cache_bytes = 128 << 20;
    // Bearer tokens (node/api_tokens.h): these from the config, read at start, and those of
    // `tokens_file` (relative to home), re-read on SIGHUP.
    std::vector<ApiToken> tokens;
    std::string tokens_file = "api_tokens.json";
    std::string ui_dir;  // static web app to serve under /ui/ (empty: none)
  } http;

  struct Mempool {
    std::uint64_t max_txs = 50'000;
    std::uint64_t max_bytes = 128 << 20;
  } mempool;

  struct Storage {
    // Checksum every block of the ledger store on start-up (ledger/store/store.h): a damaged
    // table file stops start-up instead of surfacing on some later read.
    bool verify_on_start = true;
    // How much nicer than the node LevelDB's flushes and compactions run (0-19; 0: the same).
    int background_nice = 10;
  } storage;

  struct Log {
    std::string level = "info";
    std::string file;  // empty: stderr
  } log;

  // Resolved absolute paths.
  std::string Path(const std::string& relative) const;
  std::string GenesisPath() const { return Path(genesis_file); }
  // Reads and parses the genesis file through `env`. Errors: "genesis_unreadable", and the
  // parser's, with the path.
  Result<ledger::Genesis> LoadGenesis(Env* env) const;
  std::string KeyPath() const { return Path(node_key_file); }
  std::string DataPath() const { return Path(data_dir); }
  // Safety state lives beside the key, outside data/: wiping data/ must not forget what the
  // node signed.
  std::string SafetyStatePath() const { return Path("safety_state.json"); }
  std::string WalPath() const { return Path(data_dir + "/consensus.wal"); }

  static Result<Config> Parse(std::string_view text, const std::string& home);
  static Result<Config> Load(const std::string& home, Env* env = Env::Default());
};

}  // namespace consentd::node
