#pragma once

// LocalNet: a network of real consentd processes on 127.0.0.1 for integration and fault tests.
// It writes a testnet (cli/testnet.h) with ports unique to this test process, starts, stops,
// kills and restarts nodes, and talks to them over the HTTP API. Waits are bounded polls of an
// observable condition (a height, a status), never fixed sleeps.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/client.h"
#include "common/json.h"
#include "crypto/schnorr.h"
#include "ledger/tx_body.h"

namespace consentd::testing {

class LocalNet {
 public:
  // Writes an n-validator network under a fresh temp dir. `tweak` may edit the network
  // description (timeouts, parameters) before it is written.
  explicit LocalNet(int validators, std::function<void(Json&)> tweak = nullptr);
  ~LocalNet();  // kills every node and removes the directory

  int size() const { return static_cast<int>(homes_.size()); }
  const std::string& dir() const { return dir_; }
  std::string home(int i) const { return homes_[i]; }
  std::string url(int i) const;
  const std::string& chain_id() const { return chain_id_; }

  void Start(int i, std::vector<std::string> extra_args = {});
  void StartAll();
  // SIGTERM and wait for exit (clean stop); returns the exit status.
  int Stop(int i);
  void Kill(int i, int signal = 9);  // and reap
  void Signal(int i, int signal);    // without waiting (SIGSTOP/SIGCONT)
  bool Running(int i) const;
  // For a node that Running() found gone: how it ended (exit status or signal) and the tail of
  // what it wrote to stdout and stderr (sanitizer reports, fatal errors), for failure messages.
  std::string ExitReport(int i) const;
  // Waits up to `timeout_ms` for node i to exit by itself; on exit stores its wait status,
  // forgets the process and returns true.
  bool WaitExit(int i, std::int64_t timeout_ms, int* status);
  pid_t pid(int i) const { return pids_[i]; }  // 0 when not running
  // Deletes a node's data directory (not its key or safety state).
  void WipeData(int i);

  // HTTP helpers (node must be running). nullopt on network error. Get reads as the network's
  // auditor (its token from tokens.json), who sees every record; GetAs with `token` ("" for
  // none).
  std::optional<cli::Response> Get(int i, const std::string& path) const;
  std::optional<cli::Response> GetAs(int i, const std::string& path,
                                     const std::string& token) const;
  std::optional<cli::Response> Post(int i, const std::string& path, const std::string& body) const;
  std::uint64_t Height(int i) const;  // 0 when unreachable
  // Polls until node i reaches `height` (true) or `timeout_ms` passes (false).
  bool WaitHeight(int i, std::uint64_t height, std::int64_t timeout_ms) const;
  bool WaitAllHeight(std::uint64_t height, std::int64_t timeout_ms) const;
  // Block hash and state digest of node i at `height` ("" if missing).
  std::pair<std::string, std::string> BlockAt(int i, std::uint64_t height) const;

  // A signed tx of `type` by the named members' keys (keys/<member>.json) and any other names
  // (derived test keys, e.g. customers). Returns the tx JSON text.
  std::string SignedTx(ledger::TxType type, const Json& body,
                       const std::vector<std::string>& signers,
                       std::uint64_t expires_at_height = 50'000);
  const crypto::PrivateKey& Key(const std::string& name);
  // Names a key made elsewhere (a wallet's derived subject key) for SignedTx's `signers`.
  void AddKey(const std::string& name, crypto::PrivateKey key) {
    keys_.insert_or_assign(name, std::move(key));
  }
  // A publish-notice tx for `controller`, and a grant body for customer `subject`.
  Json NoticeBody(const std::string& controller) const;
  Json GrantBody(const std::string& controller, const std::string& subject);

  std::string Log(int i) const;  // the node's log file contents
  // The API tokens the testnet wrote (tokens.json), by member id (or role for auditor and
  // regulator).
  std::map<std::string, std::string> Tokens() const;
  // For `tweak`: adds insurer-sg, an insurer in Singapore that is not a validator (the importer
  // of cross-border agreements and a sharing recipient in the API and security tests).
  static void AddForeignInsurer(Json& network);

 private:
  std::string dir_;
  std::string chain_id_;
  std::vector<std::string> homes_;
  std::vector<int> http_ports_;
  std::vector<pid_t> pids_;
  mutable std::map<int, int> exit_status_;
  mutable std::optional<std::string>
      auditor_token_;  // node -> wait status, once Running() reaped it
  std::map<std::string, crypto::PrivateKey> keys_;
  std::uint64_t nonce_ = 0;
};

// Path of a built binary (consentd, consentctl) in the build tree, or in the directory named by
// the environment variable CONSENTD_TEST_BIN_DIR when it is set.
std::string BinaryPath(const std::string& name);

}  // namespace consentd::testing
