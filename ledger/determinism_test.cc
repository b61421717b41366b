// Property test: random, seeded sequences of transactions are executed by a proposer's ledger
// and re-executed by a validator's ledger on another store. Every block must produce the same
// hash and state digest on both, and the ledger's Check must agree with a reference model of
// the consent rules written here from DOMAIN.md's definition, independently of ledger/.
//
// CONSENTD_PROPERTY_SEEDS overrides the number of sequences; a failure prints its seed.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "common/hex.h"
#include "ledger/query/queries.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger {
namespace {

using testing::Certify;
using testing::kDay;
using testing::kGenesisTime;
using testing::TestChain;

// SplitMix64: deterministic on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }
  bool Chance(int percent) { return Below(100) < static_cast<std::uint64_t>(percent); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  template <typename T>
  std::vector<T> Subset(const std::vector<T>& v) {
    std::vector<T> out;
    for (const T& x : v) {
      if (Chance(50)) out.push_back(x);
    }
    if (out.empty()) out.push_back(Pick(v));
    return out;
  }

 private:
  std::uint64_t s_;
};

const std::vector<std::string> kSubjects = {"s1", "s2", "s3", "s4", "s5"};
const std::vector<std::string> kPurposes = {"ClaimsHandling", "Underwriting", "Marketing"};
const std::vector<std::string> kCategories = {"Contact", "PolicyData", "ClaimsHistory"};
const std::vector<std::string> kRecipients = {"processor", "insurer-b"};
const std::vector<std::string> kAsked = {"processor", "insurer-b", "insurer-a", "insurer-x"};

// The reference model: what DOMAIN.md says, nothing more.
struct ModelConsent {
  std::string subject;
  std::vector<std::string> purposes, categories, recipients;
  std::int64_t valid_from = 0, valid_until = 0, recorded_at = 0;
  std::vector<std::pair<std::int64_t, std::string>> controllers;  // (from time, controller)
  std::optional<std::int64_t> ended_at;                           // withdrawn/revoked/superseded
};

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

struct Model {
  std::map<Hash256, ModelConsent> consents;

  std::string ControllerAt(const ModelConsent& c, std::int64_t t) const {
    std::string who;
    for (const auto& [from, ctrl] : c.controllers) {
      if (from <= t) who = ctrl;
    }
    return who;
  }
  bool Allowed(const std::string& subject, const std::string& recipient, const std::string& purpose,
               const std::string& category, std::int64_t t) const {
    for (const auto& [id, c] : consents) {
      if (c.subject != subject || t < c.recorded_at) continue;
      if (c.ended_at && *c.ended_at <= t) continue;
      if (t < c.valid_from || t >= c.valid_until) continue;
      if (!Has(c.purposes, purpose) || !Has(c.categories, category)) continue;
      if (Has(c.recipients, recipient) || ControllerAt(c, t) == recipient) return true;
    }
    return false;
  }
};

// An operation the generator chose, remembered so the model can apply it once accepted.
struct Op {
  TxType type;
  Json body;
  std::vector<std::string> signers;
};

class Sequence {
 public:
  Sequence(std::uint64_t seed, std::unique_ptr<Store> proposer_store,
           std::unique_ptr<Store> validator_store)
      : rng_(seed), proposer_(std::move(proposer_store)), validator_(std::move(validator_store)) {}

  // Runs the sequence; returns an empty string or a description of the first violation.
  std::string Run(int blocks) {
    for (const char* c : {"insurer-a", "insurer-b"}) {
      if (auto e = RunBlock({Op{TxType::kNoticePublish, proposer_.PublishNotice(c), {c}}});
          !e.empty())
        return e;
    }
    for (int b = 0; b < blocks; ++b) {
      if (rng_.Chance(20)) proposer_.Advance(static_cast<std::int64_t>(rng_.Below(40)) * kDay);
      std::vector<Op> ops;
      const int n = 1 + static_cast<int>(rng_.Below(4));
      for (int i = 0; i < n; ++i) ops.push_back(Generate());
      if (auto e = RunBlock(ops); !e.empty()) return e;
    }
    return CompareChecks();
  }

 private:
  Op Generate() {
    const std::int64_t now = proposer_.next_time();
    const int kind = static_cast<int>(rng_.Below(100));
    const std::string controller = rng_.Chance(80) ? "insurer-a" : "insurer-b";
    if (kind < 40 || live_.empty()) {
      const std::string subject = rng_.Pick(kSubjects);
      Json b = proposer_.GrantBody(subject, controller);
      b["purposes"] = rng_.Subset(kPurposes);
      b["categories"] = rng_.Subset(kCategories);
      Json recipients = Json::array();
      for (const auto& r : rng_.Subset(kRecipients)) {
        if (r != controller && rng_.Chance(60)) recipients.push_back(r);
      }
      b["recipients"] = recipients;
      b["separate"] = !recipients.empty() || rng_.Chance(10);
      b["valid_from"] = now - kDay + static_cast<std::int64_t>(rng_.Below(20)) * kDay;
      b["valid_until"] = b["valid_from"].get<std::int64_t>() +
                         (1 + static_cast<std::int64_t>(rng_.Below(90))) * kDay;
      if (rng_.Chance(25) && !live_.empty()) {
        const Hash256 old = rng_.Pick(live_);
        b["supersedes"] = HexEncode(old);  // often invalid (other subject/controller): rejected
      }
      return Op{TxType::kConsentGrant, b, {controller, subject}};
    }
    const Hash256 target = rng_.Pick(live_);
    const auto it = model_.consents.find(target);
    const std::string subject = it != model_.consents.end() ? it->second.subject : "s1";
    if (kind < 55)
      return Op{TxType::kConsentWithdraw, Json{{"consent_id", HexEncode(target)}}, {subject}};
    if (kind < 65) {
      return Op{TxType::kConsentRevoke,
                Json{{"consent_id", HexEncode(target)}, {"reason", "purpose_met"}},
                {rng_.Chance(50) ? std::string("regulator") : controller}};
    }
    if (kind < 75) {
      const bool forward = rng_.Chance(70);
      return Op{TxType::kPortfolioTransfer,
                Json{{"transferor", forward ? "insurer-a" : "insurer-b"},
                     {"transferee", forward ? "insurer-b" : "insurer-a"},
                     {"consents", {HexEncode(target)}},
                     {"effective_at", now + static_cast<std::int64_t>(rng_.Below(5)) * kDay},
                     {"notice_hash", HexEncode(testing::HashOf("notice"))}},
                {"insurer-a", "insurer-b"}};
    }
    // A sharing record: accepted exactly when lawful, so the model must agree with acceptance.
    Json s{{"sender", controller},
           {"recipient", rng_.Pick(kRecipients)},
           {"subject", {{"key", proposer_.SubjectHex(rng_.Pick(kSubjects))}}},
           {"purpose", rng_.Pick(kPurposes)},
           {"categories", {rng_.Pick(kCategories)}},
           {"destination", "CN"},
           {"legal_basis", "consent"},
           {"shared_at", now - static_cast<std::int64_t>(rng_.Below(3600'000))}};
    if (s["sender"] == s["recipient"]) s["recipient"] = "processor";
    return Op{TxType::kSharingRecord, s, {controller}};
  }

  std::string RunBlock(const std::vector<Op>& ops) {
    std::vector<TxPtr> txs;
    std::map<Hash256, const Op*> by_id;
    for (const Op& op : ops) {
      auto tx = proposer_.TryMake(op.type, op.body, op.signers);
      if (!tx.ok()) continue;
      by_id[(*tx)->id()] = &op;
      txs.push_back(*tx);
    }
    const auto proposer_key = proposer_.Key("node-insurer-a").public_key().bytes();
    std::vector<Rejection> rejected;
    auto built = proposer_.ledger().BuildBlock(proposer_.next_time(), proposer_key, txs, &rejected);
    if (!built.ok()) return "build: " + built.status().ToString();
    const ledger::Block block = built->block;
    // Sharing records are accepted exactly when the model says the sharing was lawful.
    for (const TxPtr& tx : txs) {
      if (tx->type() != TxType::kSharingRecord) continue;
      const auto& s = tx->As<SharingRecord>();
      const bool accepted = std::any_of(block.txs.begin(), block.txs.end(),
                                        [&](const TxPtr& t) { return t->id() == tx->id(); });
      const bool lawful = ModelSharing(s);
      if (accepted != lawful) {
        return "sharing acceptance " + std::to_string(accepted) + " but model says " +
               std::to_string(lawful);
      }
    }
    auto validated = validator_.ledger().ExecuteBlock(block);
    if (!validated.ok())
      return "validator rejected the proposer's block: " + validated.status().ToString();
    if (validated->hash != built->hash) return "block hash differs between stores";
    std::vector<const crypto::PrivateKey*> keys;
    for (const auto& m : proposer_.genesis().members) {
      if (m.validator_key) keys.push_back(&proposer_.Key("node-" + m.member));
    }
    const auto cert = Certify(proposer_.chain_id(), block.header.height, built->hash, keys);
    if (Status st = proposer_.ledger().Commit(std::move(*built), cert); !st.ok())
      return st.ToString();
    if (Status st = validator_.ledger().Commit(std::move(*validated), cert); !st.ok())
      return st.ToString();
    if (proposer_.ledger().head().state_digest != validator_.ledger().head().state_digest) {
      return "state digest differs at height " + std::to_string(block.header.height);
    }
    for (const TxPtr& tx : block.txs) Apply(*tx, block.header.time_ms);
    proposer_.Advance(proposer_.step);
    return "";
  }

  bool ModelSharing(const SharingRecord& s) {
    const std::string subject_name = NameOf(s.subject);
    for (const auto& [id, c] : model_.consents) {
      if (c.subject != subject_name) continue;
      const std::string ctrl = model_.ControllerAt(c, s.shared_at);
      // Only consents controlled by the sender (or a handover to the successor) count.
      bool was = c.controllers.front().second == s.sender;
      for (const auto& [from, who] : c.controllers) {
        if (from <= s.shared_at && who == s.sender) was = true;
      }
      if (ctrl != s.sender && !(s.recipient == ctrl && was)) continue;
      ModelConsent one = c;
      Model single;
      single.consents[id] = one;
      if (single.Allowed(subject_name, s.recipient, s.purpose, s.categories[0], s.shared_at))
        return true;
    }
    return false;
  }

  std::string NameOf(const Subject& subject) {
    for (const auto& n : kSubjects) {
      if (proposer_.SubjectHex(n) == HexEncode(subject.id)) return n;
    }
    return "?";
  }

  void Apply(const Tx& tx, std::int64_t t) {
    switch (tx.type()) {
      case TxType::kConsentGrant: {
        const auto& g = tx.As<ConsentGrant>();
        ModelConsent c;
        c.subject = NameOf(g.subject);
        c.purposes = g.purposes;
        c.categories = g.categories;
        c.recipients = g.recipients;
        c.valid_from = g.valid_from;
        c.valid_until = g.valid_until;
        c.recorded_at = t;
        c.controllers = {{t, g.controller}};
        if (g.supersedes) model_.consents[*g.supersedes].ended_at = t;
        model_.consents[tx.id()] = c;
        live_.push_back(tx.id());
        break;
      }
      case TxType::kConsentWithdraw:
        model_.consents[tx.As<ConsentWithdraw>().consent_id].ended_at = t;
        break;
      case TxType::kConsentRevoke:
        model_.consents[tx.As<ConsentRevoke>().consent_id].ended_at = t;
        break;
      case TxType::kPortfolioTransfer: {
        const auto& p = tx.As<PortfolioTransfer>();
        for (const Hash256& id : p.consents)
          model_.consents[id].controllers.push_back({p.effective_at, p.transferee});
        break;
      }
      default:
        break;
    }
  }

  std::string CompareChecks() {
    Queries proposer_q(proposer_.ledger());
    Queries validator_q(validator_.ledger());
    const std::int64_t end = proposer_.ledger().head().time_ms;
    for (int i = 0; i < 20; ++i) {
      CheckRequest req;
      const std::string subject = rng_.Pick(kSubjects);
      req.subject = *Subject::FromString("key:" + proposer_.SubjectHex(subject));
      req.recipient = rng_.Pick(kAsked);
      req.purpose = rng_.Pick(kPurposes);
      req.categories = {rng_.Pick(kCategories)};
      req.at = kGenesisTime + static_cast<std::int64_t>(rng_.Below(
                                  static_cast<std::uint64_t>(end - kGenesisTime + 2 * kDay)));
      auto a = proposer_q.Check(req);
      auto b = validator_q.Check(req);
      if (!a.ok() || !b.ok()) return "check failed";
      if (*a != *b) return "the two stores answer differently";
      const bool expected =
          model_.Allowed(subject, req.recipient, req.purpose, req.categories[0], req.at);
      if ((*a)["allowed"].get<bool>() != expected) {
        return "Check(" + subject + ", " + req.recipient + ", " + req.purpose + ", " +
               req.categories[0] + ", at=" + std::to_string(req.at) + ") = " + (*a).dump() +
               " but the model says " + (expected ? "allowed" : "denied");
      }
    }
    return "";
  }

  Rng rng_;
  TestChain proposer_;
  TestChain validator_;
  Model model_;
  std::vector<Hash256> live_;
};

int Seeds(int fallback) {
  const char* env = std::getenv("CONSENTD_PROPERTY_SEEDS");
  return env != nullptr ? std::atoi(env) : fallback;
}

TEST(DeterminismTest, RandomSequencesAgreeAcrossStoresAndWithTheModel) {
  const int seeds = Seeds(2000);
  for (int seed = 1; seed <= seeds; ++seed) {
    Sequence seq(static_cast<std::uint64_t>(seed), NewMemoryStore(), NewMemoryStore());
    const std::string error = seq.Run(5);
    ASSERT_EQ(error, "") << "seed " << seed << " (rerun: CONSENTD_PROPERTY_SEEDS=" << seed << ")";
  }
}

TEST(DeterminismTest, LevelDbAndMemoryStoresAgree) {
  const int seeds = std::max(1, Seeds(2000) / 40);
  for (int seed = 1; seed <= seeds; ++seed) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("consentd-det-" + std::to_string(::getpid()) + "-" + std::to_string(seed));
    std::filesystem::remove_all(dir);
    {
      Sequence seq(static_cast<std::uint64_t>(seed) * 7919,
                   std::move(OpenLevelDbStore(dir.string()).value()), NewMemoryStore());
      const std::string error = seq.Run(8);
      ASSERT_EQ(error, "") << "seed " << seed;
    }
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace consentd::ledger
