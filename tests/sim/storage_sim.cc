#include "tests/sim/storage_sim.h"

#include <optional>
#include <vector>

#include "common/hex.h"
#include "crypto/sha256.h"
#include "node/safety_file.h"
#include "node/wal.h"
#include "tests/sim/sim_env.h"

namespace consentd::sim {
namespace {

using consensus::SafetyState;
using consensus::Step;

const std::string kSafetyPath = "home/safety_state.json";  // beside the key, outside data/
const std::string kWalPath = "home/data/consensus.wal";

std::string Describe(const SafetyState& s) {
  return "h" + std::to_string(s.height) + "/r" + std::to_string(s.round) + "/" +
         std::string(consensus::ToString(s.step));
}

// The next signature a validator makes: a later step, round or height.
SafetyState Next(const SafetyState& s, SimRng& rng, bool* new_height) {
  SafetyState n = s;
  *new_height = false;
  const auto pick = rng.Below(10);
  if (s.height == 0 || pick < 2) {
    n.height = s.height + 1;
    n.round = 0;
    n.step = Step::kPropose;
    n.locked_round = -1;
    n.locked_block_id.reset();
    *new_height = true;
  } else if (pick < 4 || s.step == Step::kPrecommit) {
    n.round = s.round + 1;
    n.step = Step::kPropose;
  } else {
    n.step = s.step == Step::kPropose ? Step::kPrevote : Step::kPrecommit;
  }
  n.sign_hash = crypto::Sha256("sign " + Describe(n));
  n.signature = {};
  n.signature[0] = static_cast<std::uint8_t>(n.height);
  if (n.step == Step::kPrecommit && rng.Below(2) == 0) {
    n.locked_round = static_cast<std::int32_t>(n.round);
    n.locked_block_id = crypto::Sha256("block " + std::to_string(n.height));
  }
  return n;
}

// What the WAL may hold: the records appended since a reset, and how many of them an fsync
// acknowledged. A reset that was not acknowledged leaves two candidates.
struct Epoch {
  std::vector<std::string> appended;
  std::size_t acked = 0;
};

class Run {
 public:
  explicit Run(const StorageSimOptions& o) : o_(o), env_(o.seed), rng_(MixSeed(o.seed, 0x5704)) {}

  StorageSimResult Go() {
    epochs_.push_back(Epoch{});
    for (int life = 0; life < o_.lives && result_.ok; ++life) {
      life_ = life;
      const Recovery r = Recover();
      if (r == Recovery::kBroken) break;
      if (r == Recovery::kRefused) {
        // The node refused to start on a storage error, as it must; the operator restarts it.
        env_.Crash();
        Trace("crash");
        continue;
      }
      Live();
    }
    result_.crashes = env_.crashes();
    return result_;
  }

 private:
  void Trace(const std::string& line) {
    result_.trace += "L" + std::to_string(life_) + " " + line + "\n";
  }
  void Broken(const std::string& what) {
    if (!result_.ok) return;
    result_.ok = false;
    result_.failure = "life " + std::to_string(life_) + ": " + what;
    Trace("BROKEN " + what);
  }

  enum class Recovery { kOk, kRefused, kBroken };

  // Recovers as Driver::Start does and checks what came back.
  Recovery Recover() {
    const bool corrupt_wal = rng_.Below(20) == 0 && env_.FileExists(kWalPath);
    if (corrupt_wal) {
      env_.CorruptNextRead(kWalPath);
      ++result_.faults;
      Trace("fault: the next read of the WAL returns a flipped bit");
    }
    const std::uint64_t struck = env_.faults_struck();
    auto state = node::LoadSafetyState(&env_, kSafetyPath);
    if (!state.ok()) {
      Broken("the safety state does not load: " + state.status().ToString());
      return Recovery::kBroken;
    }
    Trace("recover safety " + Describe(*state));
    bool allowed = *state == acked_;
    for (const SafetyState& a : attempted_) allowed = allowed || *state == a;
    if (!allowed) {
      Broken("recovered safety state " + Describe(*state) + " but " + Describe(acked_) +
             " was acknowledged (a restart could sign twice)");
      return Recovery::kBroken;
    }
    // The validator resumes from what it found; what was acknowledged stays the bar (a clean
    // stop leaves an unacknowledged write visible that a later crash may still take back).
    latest_ = *state;
    node::Wal::Recovered recovered;
    auto wal = node::Wal::Open(&env_, kWalPath, &recovered);
    if (!wal.ok()) {
      // A failing disk stops the start with a clear error; anything else is a bug.
      if (wal.status().code() == "wal_io" && env_.faults_struck() > struck) {
        Trace("start refused: " + wal.status().ToString());
        return Recovery::kRefused;
      }
      Broken("the WAL does not open: " + wal.status().ToString());
      return Recovery::kBroken;
    }
    Trace("recover wal " + std::to_string(recovered.records.size()) + " records, " +
          std::to_string(recovered.truncated_bytes) + " bytes cut" +
          (corrupt_wal ? " (corrupted read)" : ""));
    bool fits = false;
    for (const Epoch& e : epochs_) {
      bool prefix = recovered.records.size() <= e.appended.size();
      for (std::size_t i = 0; prefix && i < recovered.records.size(); ++i) {
        prefix = recovered.records[i] == e.appended[i];
      }
      if (!prefix) continue;
      // A corrupted read costs nothing either: the WAL reads again before it cuts anything.
      if (recovered.records.size() >= e.acked) fits = true;
    }
    if (!fits) {
      std::string want;
      for (const Epoch& e : epochs_) {
        want +=
            " [" + std::to_string(e.acked) + " acked of " + std::to_string(e.appended.size()) + "]";
      }
      Broken("the recovered WAL (" + std::to_string(recovered.records.size()) +
             " records) is not what was appended:" + want);
      return Recovery::kBroken;
    }
    epochs_ = {Epoch{recovered.records, recovered.records.size()}};
    wal_.emplace(std::move(*wal));
    return Recovery::kOk;
  }

  // One life: driver operations until a failure, a power cut or the end; then a crash or a
  // clean stop.
  void Live() {
    bool cut = false;
    for (int step = 0; step < o_.steps_per_life && result_.ok; ++step) {
      const auto op = rng_.Below(100);
      bool failed = false;
      if (op < 35) {
        failed = !Sign();
      } else if (op < 65) {
        failed = !Append("peer " + std::to_string(rng_.Next() % 1000), false);
      } else if (op < 75) {
        failed = !Reset();
      } else if (op < 85) {
        env_.Advance(rng_.Between(1, 2000));
      } else if (op < 92) {
        env_.FailSyncs(1);
        ++result_.faults;
        Trace("fault: next fsync fails");
      } else if (!cut) {
        const auto after = rng_.Below(6);
        env_.PowerCutAfter(after);
        cut = true;
        ++result_.faults;
        Trace("fault: power cut after " + std::to_string(after) + " writes");
      }
      if (failed) break;  // the driver stops on a storage error (Driver::Fail)
    }
    wal_.reset();
    if (cut || rng_.Below(5) != 0) {
      env_.Crash();
      Trace("crash");
    } else {
      Trace("clean stop");
    }
  }

  // PersistSafetyState, then the own message: WAL append with fsync, then send.
  bool Sign() {
    bool new_height = false;
    SafetyState next = Next(latest_, rng_, &new_height);
    if (new_height && !Reset()) return false;
    attempted_.push_back(next);
    latest_ = next;
    Status st = node::SaveSafetyState(&env_, kSafetyPath, next, o_.safety_write_order);
    Trace("save " + Describe(next) + (st.ok() ? " ok" : " failed: " + st.code()));
    if (!st.ok()) return false;
    acked_ = next;
    attempted_.clear();
    ++result_.acknowledged_signatures;
    return Append("own " + Describe(next), true);
  }

  bool Append(const std::string& record, bool sync) {
    epochs_.back().appended.push_back(record);
    Status st = wal_->Append(record, sync);
    Trace("append " + record + (sync ? " +fsync" : "") + (st.ok() ? " ok" : " failed"));
    if (!st.ok()) return false;
    if (sync) {
      for (Epoch& e : epochs_) e.acked = e.appended.size();
      epochs_.erase(epochs_.begin(), epochs_.end() - 1);
    }
    return true;
  }

  bool Reset() {
    epochs_.push_back(Epoch{});
    Status st = wal_->Reset();
    Trace(std::string("reset wal") + (st.ok() ? " ok" : " failed"));
    if (!st.ok()) return false;
    epochs_.erase(epochs_.begin(), epochs_.end() - 1);
    return true;
  }

  StorageSimOptions o_;
  SimEnv env_;
  SimRng rng_;
  StorageSimResult result_;
  int life_ = 0;
  std::optional<node::Wal> wal_;
  SafetyState acked_{};                 // the last safety state whose write was acknowledged
  std::vector<SafetyState> attempted_;  // written since, not acknowledged
  SafetyState latest_{};                // the last one the validator decided to sign
  std::vector<Epoch> epochs_;
};

}  // namespace

const char* ToString(node::AtomicWriteOrder order) {
  switch (order) {
    case node::AtomicWriteOrder::kSafe:
      return "safe";
    case node::AtomicWriteOrder::kNoFileSync:
      return "no-file-sync";
    case node::AtomicWriteOrder::kNoDirSync:
      return "no-dir-sync";
  }
  return "?";
}

std::optional<node::AtomicWriteOrder> WriteOrderFromString(std::string_view name) {
  for (auto order : {node::AtomicWriteOrder::kSafe, node::AtomicWriteOrder::kNoFileSync,
                     node::AtomicWriteOrder::kNoDirSync}) {
    if (name == ToString(order)) return order;
  }
  return std::nullopt;
}

StorageSimResult RunStorageSim(const StorageSimOptions& options) { return Run(options).Go(); }

}  // namespace consentd::sim
